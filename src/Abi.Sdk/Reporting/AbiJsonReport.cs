using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Abi.Sdk.Abi;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The JSON report: the two files, the exit code, the <c>removed</c> and <c>added</c> symbol lists spelled as abidiff
/// spells them (<c>name@@VER</c>, <c>name@VER</c> or <c>name</c>), and every diagnostic.
/// </summary>
public static class AbiJsonReport
{
    /// <summary>The options of <see cref="Utf8JsonWriter"/> that give <see cref="Write"/>'s layout with <see cref="WriteObject"/> (the tests' reference).</summary>
    internal static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };

    /// <summary>Writes the report.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination.</param>
    public static void Write(AbiDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(stream);

        // Written as UTF-8 straight from the model (ReportJsonWriter): the same bytes as WriteObject below, which
        // embeds the object in the distribution reports, at the speed of the text report.
        using var w = new ReportJsonWriter(stream, indented: true);
        var values = new AbiJsonValues();

        // The lists are sorted on both cores first. Then the diagnostics, most of the report, are written on two
        // cores (ReportBlocks, same bytes): the second thread starts on them while this one writes the lists, and
        // holds at most a few blocks ahead (written ahead without a bound, their fresh pages cost more than they
        // saved: docs/perf-abi.md, round 4).
        var diagnostics = diff.Diagnostics;
        diff.SortListsInParallel();
        using var blocks = new ReportBlocks(indented: true, depth: 2, diagnostics.Length, DiagnosticsPerBlock, 512 << 10, () => new DiagnosticWriter(diagnostics).Write);
        w.StartObject();
        WriteFile(w, "old"u8, diff.Old);
        WriteFile(w, "new"u8, diff.New);
        w.Number("exitCode"u8, diff.ExitCode);
        w.Bool("incompatible"u8, diff.HasIncompatibleChanges);
        w.StartArray("removed"u8);
        Spellings(w, values, diff.RemovedSymbols);
        w.EndArray();
        w.StartArray("added"u8);
        Spellings(w, values, diff.AddedSymbols);
        w.EndArray();
        w.StartArray("diagnostics"u8);
        blocks.WriteTo(w);
        w.EndArray();
        if (diff.TypesRequested)
        {
            w.StartObject("types"u8);
            w.Bool("compared"u8, diff.TypesCompared);
            w.StringOrNull("reason"u8, diff.TypesNotComparedReason);
            if (!diff.MissingSplitUnits.IsEmpty)
            {
                // Only when some .dwo was not found, so that a report without split DWARF keeps its bytes.
                w.StartArray("missingSplitUnits"u8);
                foreach (var missing in diff.MissingSplitUnits)
                {
                    w.String(missing);
                }

                w.EndArray();
            }

            w.EndObject();
        }

        w.Number("suppressed"u8, diff.SuppressedDiagnostics.Length);
        w.EndObject();
        w.NewLine();
    }

    /// <summary>A sorted list's spellings, the names hinted ahead (in name order they are not in memory order).</summary>
    private static void Spellings(ReportJsonWriter w, AbiJsonValues values, ImmutableArray<AbiSymbol> symbols)
    {
        for (int i = 0; i < symbols.Length; i++)
        {
            AbiSymbol.PrefetchNames(symbols, i);
            values.Spelling(w, symbols[i]);
        }
    }

    private static void WriteFile(ReportJsonWriter w, ReadOnlySpan<byte> name, AbiSurface s)
    {
        w.StartObject(name);
        w.StringOrNull("file"u8, s.FileName);
        w.StringOrNull("soname"u8, s.Soname);
        w.String("fingerprint"u8, s.Fingerprint.ToString());
        w.Number("symbols"u8, s.Symbols.Length);
        w.EndObject();
    }

    /// <summary>Diagnostics per block of <see cref="ReportBlocks"/>: about 250 KB of JSON on the libLLVM pair; small blocks keep the buffers' page faults few.</summary>
    private const int DiagnosticsPerBlock = 384;

    /// <summary>How many diagnostics ahead their symbols' names are hinted (a diagnostic is about 2 000 instructions).</summary>
    private const int DiagnosticsAhead = 8;

    /// <summary>Writes ranges of the diagnostics; one per thread (its caches are not shared).</summary>
    private sealed class DiagnosticWriter(ImmutableArray<AbiDiagnostic> diagnostics)
    {
        // The members every diagnostic of a descriptor and severity begins with (ID, title, severity and the name
        // "subject"), and the later property names, as literal pieces made once by the same writer at this depth.
        private readonly Dictionary<(AbiDiagnosticDescriptor, AbiSeverity), byte[]> _headers = [];
        private readonly AbiJsonValues _values = new();
        private (AbiDiagnosticDescriptor? Descriptor, AbiSeverity Severity, byte[] Bytes) _last = (null, default, []);
        private byte[]? _oldName;
        private byte[]? _newName;
        private byte[]? _messageName;

        // The whole object's literal pieces around its four values (subject, old and new symbol, message).
        private readonly Dictionary<(AbiDiagnosticDescriptor, AbiSeverity), byte[][]> _templates = [];
        private (AbiDiagnosticDescriptor? Descriptor, AbiSeverity Severity, byte[][] Pieces) _lastTemplate = (null, default, []);

        public void Write(ReportJsonWriter w, int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                Hint(i + DiagnosticsAhead, end);
                WriteDiagnostic(w, diagnostics[i]);
            }
        }

        /// <summary>
        /// Hints what diagnostic <paramref name="i"/> will read: the diagnostics are in ID and subject order, not
        /// in the order they (and their symbols) were made, so the object, its symbols and their names were each a
        /// miss in turn. The object is hinted furthest ahead, its symbols nearer, their names nearest.
        /// </summary>
        private void Hint(int i, int end)
        {
            int far = i + (2 * DiagnosticsAhead);
            if (far < end)
            {
                AbiSymbol.PrefetchObject(diagnostics.ItemRef(far));
            }

            int mid = i + DiagnosticsAhead;
            if (mid < end)
            {
                var d = diagnostics[mid];
                AbiSymbol.PrefetchObject(d.OldSymbol);
                AbiSymbol.PrefetchObject(d.NewSymbol);
            }

            if (i < end)
            {
                var d = diagnostics[i];
                d.OldSymbol?.PrefetchName();
                d.NewSymbol?.PrefetchName();
            }
        }

        private void WriteDiagnostic(ReportJsonWriter w, AbiDiagnostic d)
        {
            if (!TryWritePlain(w, d))
            {
                WriteDiagnosticInParts(w, d);
            }
        }

        /// <summary>
        /// The usual diagnostic (symbols and message arguments written without the encoder) as one reserved span:
        /// the object's literal pieces made once per descriptor and severity, each symbol's spelling written once
        /// and copied where it recurs (subject, old or new symbol, message).
        /// </summary>
        private bool TryWritePlain(ReportJsonWriter w, AbiDiagnostic d)
        {
            var values = _values;
            var old = d.OldSymbol;
            var @new = d.NewSymbol;
            byte[]? oldVersion = null;
            byte[]? newVersion = null;
            int oldLength = 0;
            int newLength = 0;
            ReadOnlySpan<byte> oldName = default;
            ReadOnlySpan<byte> newName = default;
            if ((old is not null && !values.TryPlain(old, out oldName, out oldVersion, out oldLength))
                || (@new is not null && !values.TryPlain(@new, out newName, out newVersion, out newLength)))
            {
                return false;
            }

            var given = d.GivenSubject;
            if ((given is null && old is null && @new is null) || (given is not null && !ReportJsonWriter.IsPlainText(given)))
            {
                return false;
            }

            if (!values.TryPlainMessage(d, out var plan, out int messageMax, old is null ? -1 : oldLength, @new is null ? -1 : newLength))
            {
                return false;
            }

            if (!ReferenceEquals(d.Descriptor, _lastTemplate.Descriptor) || d.Severity != _lastTemplate.Severity)
            {
                if (!_templates.TryGetValue((d.Descriptor, d.Severity), out var made))
                {
                    made = Template(w, d);
                    _templates.Add((d.Descriptor, d.Severity), made);
                }

                _lastTemplate = (d.Descriptor, d.Severity, made);
            }

            var t = _lastTemplate.Pieces;
            int max = t[0].Length + t[1].Length + t[2].Length + t[3].Length + t[4].Length + 8
                + (given?.Length ?? 0) + (2 * (oldLength + newLength)) + 8 + messageMax;
            var span = w.BeginRaw(max);
            int n = Put(span, 0, t[0]);
            span[n++] = (byte)'"';
            int oldAt = -1;
            int newAt = -1;
            if (given is not null)
            {
                n += System.Text.Encoding.ASCII.GetBytes(given, span[n..]);
            }
            else if (old is not null)
            {
                oldAt = n;
                n += AbiJsonValues.PutSpelling(span[n..], oldName, old.IsDefaultVersion, oldVersion);
            }
            else
            {
                newAt = n;
                n += AbiJsonValues.PutSpelling(span[n..], newName, @new!.IsDefaultVersion, newVersion);
            }

            span[n++] = (byte)'"';
            n = Put(span, n, t[1]);
            n = PutSymbol(span, n, old, oldName, oldVersion, ref oldAt, oldLength);
            n = Put(span, n, t[2]);
            n = PutSymbol(span, n, @new, newName, newVersion, ref newAt, newLength);
            n = Put(span, n, t[3]);
            span[n++] = (byte)'"';
            values.PutMessage(span, ref n, d, plan, oldAt, oldLength, newAt, newLength);
            span[n++] = (byte)'"';
            n = Put(span, n, t[4]);
            w.EndRaw(n);
            return true;
        }

        private static int Put(Span<byte> span, int n, byte[] piece) => ReportBytes.Put(span, n, piece);

        /// <summary>A symbol as a string value (copied from <paramref name="at"/> when already written), or null.</summary>
        private static int PutSymbol(Span<byte> span, int n, AbiSymbol? symbol, ReadOnlySpan<byte> name, byte[]? version, ref int at, int length)
        {
            if (symbol is null)
            {
                return ReportBytes.Put(span, n, "null"u8);
            }

            span[n++] = (byte)'"';
            if (at >= 0)
            {
                ReportBytes.Put(span, n, span.Slice(at, length));
            }
            else
            {
                AbiJsonValues.PutSpelling(span[n..], name, symbol.IsDefaultVersion, version);
            }

            at = n;
            n += length;
            span[n++] = (byte)'"';
            return n;
        }

        private void WriteDiagnosticInParts(ReportJsonWriter w, AbiDiagnostic d)
        {
            var headers = _headers;
            var values = _values;
            ref var last = ref _last;

            w.StartObject();
            if (!ReferenceEquals(d.Descriptor, last.Descriptor) || d.Severity != last.Severity)
            {
                if (!headers.TryGetValue((d.Descriptor, d.Severity), out var header))
                {
                    header = Header(w, d);
                    headers.Add((d.Descriptor, d.Severity), header);
                }

                last = (d.Descriptor, d.Severity, header);
            }

            var oldName = _oldName ??= w.Fragment(f => f.Name("oldSymbol"u8), first: false);
            var newName = _newName ??= w.Fragment(f => f.Name("newSymbol"u8), first: false);
            var messageName = _messageName ??= w.Fragment(f => f.Name("message"u8), first: false);
            w.RawMembers(last.Bytes, endsWithName: true);
            values.Subject(w, d);
            w.RawMembers(oldName, endsWithName: true);
            SymbolOrNull(w, d.OldSymbol, values);
            w.RawMembers(newName, endsWithName: true);
            SymbolOrNull(w, d.NewSymbol, values);
            w.RawMembers(messageName, endsWithName: true);
            values.Message(w, d);
            w.EndObject();
        }
    }

    /// <summary>A diagnostic's object as the writer lays it out, cut where its subject, symbols and message go.</summary>
    private static byte[][] Template(ReportJsonWriter w, AbiDiagnostic d) => w.Template(f =>
    {
        f.StartObject();
        f.String("id"u8, d.Id);
        f.String("title"u8, d.Descriptor.Title);
        f.String("severity"u8, AbiSeverities.Name(d.Severity));
        f.Name("subject"u8);
        f.Hole();
        f.Name("oldSymbol"u8);
        f.Hole();
        f.Name("newSymbol"u8);
        f.Hole();
        f.Name("message"u8);
        f.Hole();
        f.EndObject();
    });

    // A method of its own: a lambda capturing the loop's diagnostic would allocate its closure on every iteration.
    private static byte[] Header(ReportJsonWriter w, AbiDiagnostic d) => w.Fragment(f =>
    {
        f.String("id"u8, d.Id);
        f.String("title"u8, d.Descriptor.Title);
        f.String("severity"u8, AbiSeverities.Name(d.Severity));
        f.Name("subject"u8);
    }, first: true);

    private static void SymbolOrNull(ReportJsonWriter w, AbiSymbol? symbol, AbiJsonValues values)
    {
        if (symbol is null)
        {
            w.Null();
        }
        else
        {
            values.Spelling(w, symbol);
        }
    }

    /// <summary>
    /// Writes the report's object into a larger document (a package diff embeds one per library pair): the layout
    /// <see cref="Write"/> writes, through <see cref="Utf8JsonWriter"/>.
    /// </summary>
    internal static void WriteObject(Utf8JsonWriter w, AbiDiff diff)
    {
        w.WriteStartObject();
        WriteFile(w, "old", diff.Old);
        WriteFile(w, "new", diff.New);
        w.WriteNumber("exitCode", diff.ExitCode);
        w.WriteBoolean("incompatible", diff.HasIncompatibleChanges);
        w.WriteStartArray("removed");
        foreach (var s in diff.RemovedSymbols)
        {
            w.WriteStringValue(s.Spelling);
            FlushIfLarge(w);
        }

        w.WriteEndArray();
        w.WriteStartArray("added");
        foreach (var s in diff.AddedSymbols)
        {
            w.WriteStringValue(s.Spelling);
            FlushIfLarge(w);
        }

        w.WriteEndArray();
        w.WriteStartArray("diagnostics");
        foreach (var d in diff.Diagnostics)
        {
            WriteDiagnostic(w, d);
            FlushIfLarge(w);
        }

        w.WriteEndArray();
        if (diff.TypesRequested)
        {
            w.WriteStartObject("types");
            w.WriteBoolean("compared", diff.TypesCompared);
            Nullable(w, "reason", diff.TypesNotComparedReason);
            if (!diff.MissingSplitUnits.IsEmpty)
            {
                w.WriteStartArray("missingSplitUnits");
                foreach (var missing in diff.MissingSplitUnits)
                {
                    w.WriteStringValue(missing);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteNumber("suppressed", diff.SuppressedDiagnostics.Length);
        w.WriteEndObject();
    }

    private static void WriteFile(Utf8JsonWriter w, string name, AbiSurface s)
    {
        w.WriteStartObject(name);
        Nullable(w, "file", s.FileName);
        Nullable(w, "soname", s.Soname);
        w.WriteString("fingerprint", s.Fingerprint.ToString());
        w.WriteNumber("symbols", s.Symbols.Length);
        w.WriteEndObject();
    }

    private static void WriteDiagnostic(Utf8JsonWriter w, AbiDiagnostic d)
    {
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        w.WriteString("title", d.Descriptor.Title);
        w.WriteString("severity", AbiSeverities.Name(d.Severity));
        w.WriteString("subject", d.Subject);
        Nullable(w, "oldSymbol", d.OldSymbol?.Spelling);
        Nullable(w, "newSymbol", d.NewSymbol?.Spelling);
        w.WriteString("message", d.Message);
        w.WriteEndObject();
    }

    private static void Nullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>Hands buffered output to the stream: the writer otherwise buffers the whole report, growing by copies.</summary>
    private static void FlushIfLarge(Utf8JsonWriter w)
    {
        if (w.BytesPending > 1 << 16)
        {
            w.Flush();
        }
    }
}
