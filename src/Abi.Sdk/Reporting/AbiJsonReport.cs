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
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };

    /// <summary>Writes the report.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination.</param>
    public static void Write(AbiDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(stream);
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            WriteObject(w, diff);
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>Writes the report's object into a larger document (a package diff embeds one per library pair).</summary>
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
