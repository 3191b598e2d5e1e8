using System.Text.Json;
using Abi.Sdk.Abi;

namespace Abi.Sdk.Reporting;

/// <summary>
/// SARIF 2.1.0: one run by the tool <c>abi</c> with rule metadata from the descriptors (ID, name, short and full
/// description, help URI, default level) and one result per reported diagnostic, located at the new file and, for a
/// symbol, at a logical location named after it.
/// </summary>
public static class AbiSarifReport
{
    /// <summary>The schema URI written in <c>$schema</c>.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>The SARIF level of a severity: error, warning, note or none.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The level.</returns>
    public static string Level(AbiSeverity severity) => severity switch
    {
        AbiSeverity.Incompatible => "error",
        AbiSeverity.NeedsReview => "warning",
        AbiSeverity.Compatible => "note",
        _ => "none",
    };

    /// <summary>Writes the log.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination.</param>
    public static void Write(AbiDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(stream);
        var descriptors = Descriptors(diff);
        var ruleIndex = new Dictionary<AbiDiagnosticDescriptor, int>(ReferenceEqualityComparer.Instance);
        var ruleIndexById = descriptors.Select((d, i) => (d.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var uri = ToUri(diff.New.FileName);

        // Written as UTF-8 straight from the model (ReportJsonWriter), with Utf8JsonWriter's indented layout.
        using var w = new ReportJsonWriter(stream, indented: true);
        var values = new AbiJsonValues();
        w.StartObject();
        w.String("$schema"u8, SchemaUri);
        w.String("version"u8, "2.1.0");
        w.StartArray("runs"u8);
        w.StartObject();
        w.StartObject("tool"u8);
        w.StartObject("driver"u8);
        w.String("name"u8, "abi");
        w.String("informationUri"u8, "https://github.com/abi-sdk/abi-sdk");
        w.String("semanticVersion"u8, typeof(AbiSarifReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
        w.StartArray("rules"u8);
        foreach (var d in descriptors)
        {
            WriteRule(w, d);
        }

        w.EndArray();
        w.EndObject();
        w.EndObject();
        WriteTypesNotCompared(w, diff);
        var uriJson = uri is null ? null : AbiJsonValues.Escaped(uri);
        if (uriJson is not null)
        {
            w.StartArray("artifacts"u8);
            w.StartObject();
            w.StartObject("location"u8);
            w.Name("uri"u8);
            w.StartString();
            w.Raw(uriJson);
            w.EndString();
            w.EndObject();
            w.EndObject();
            w.EndArray();
        }

        w.StartArray("results"u8);
        var results = new PlainResults(values, uriJson);
        foreach (var d in diff.Diagnostics)
        {
            if (!ruleIndex.TryGetValue(d.Descriptor, out int index))
            {
                index = ruleIndexById[d.Id];
                ruleIndex.Add(d.Descriptor, index);
            }

            if (!results.TryWritePlain(w, d, index))
            {
                WriteResult(w, d, index, uriJson, values);
            }
        }

        w.EndArray();
        if (diff.TypesRequested)
        {
            // As the JSON report's "types": whether the types behind the symbols were compared, and if not why.
            w.StartObject("properties"u8);
            w.StartObject("types"u8);
            w.Bool("compared"u8, diff.TypesCompared);
            w.StringOrNull("reason"u8, diff.TypesNotComparedReason);
            if (!diff.MissingSplitUnits.IsEmpty)
            {
                w.StartArray("missingSplitUnits"u8);
                foreach (var missing in diff.MissingSplitUnits)
                {
                    w.String(missing);
                }

                w.EndArray();
            }

            w.EndObject();
            w.EndObject();
        }

        w.EndObject();
        w.EndArray();
        w.EndObject();
        w.NewLine();
    }

    /// <summary>One result; in a template (<paramref name="values"/> null) its message and logical location's name are holes.</summary>
    private static void WriteResult(ReportJsonWriter w, AbiDiagnostic d, int index, byte[]? uriJson, AbiJsonValues? values)
    {
        w.StartObject();
        w.String("ruleId"u8, d.Id);
        w.Number("ruleIndex"u8, index);
        w.String("level"u8, Level(d.Severity));
        w.StartObject("message"u8);
        w.Name("text"u8);
        if (values is null)
        {
            w.Hole();
        }
        else
        {
            values.Message(w, d);
        }

        w.EndObject();
        w.StartArray("locations"u8);
        w.StartObject();
        if (uriJson is not null)
        {
            w.StartObject("physicalLocation"u8);
            w.StartObject("artifactLocation"u8);
            w.Name("uri"u8);
            w.StartString();
            w.Raw(uriJson);
            w.EndString();
            w.Number("index"u8, 0);
            w.EndObject();
            w.EndObject();
        }

        w.StartArray("logicalLocations"u8);
        w.StartObject();
        w.Name("name"u8);
        if (values is null)
        {
            w.Hole();
        }
        else
        {
            values.Subject(w, d);
        }

        w.String("kind"u8, Kind(d));
        w.EndObject();
        w.EndArray();
        w.EndObject();
        w.EndArray();
        w.StartObject("properties"u8);
        w.String("severity"u8, AbiSeverities.Name(d.Severity));
        w.EndObject();
        w.EndObject();
    }

    private static string Kind(AbiDiagnostic d) => d.Symbol is { } s ? (s.IsFunction ? "function" : "variable") : "module";

    /// <summary>
    /// Results whose message and subject are written without the encoder (<see cref="AbiJsonValues.TryPlainMessage"/>)
    /// as one reserved span between literal pieces made once per rule, severity and kind.
    /// </summary>
    private sealed class PlainResults(AbiJsonValues values, byte[]? uriJson)
    {
        private readonly Dictionary<(AbiDiagnosticDescriptor, AbiSeverity, string), byte[][]> _templates = [];
        private (AbiDiagnosticDescriptor? Descriptor, AbiSeverity Severity, string? Kind, byte[][] Pieces) _last = (null, default, null, []);

        public bool TryWritePlain(ReportJsonWriter w, AbiDiagnostic d, int index)
        {
            var symbol = d.Symbol;
            var given = d.GivenSubject;
            byte[]? version = null;
            int subjectLength;
            if (given is not null)
            {
                if (!ReportJsonWriter.IsPlainText(given))
                {
                    return false;
                }

                subjectLength = given.Length;
            }
            else if (symbol is null || !values.TryPlain(symbol, out version, out subjectLength))
            {
                return false;
            }

            if (!values.TryPlainMessage(d, out var plan, out int messageMax))
            {
                return false;
            }

            var kind = Kind(d);
            if (!ReferenceEquals(d.Descriptor, _last.Descriptor) || d.Severity != _last.Severity || !ReferenceEquals(kind, _last.Kind))
            {
                if (!_templates.TryGetValue((d.Descriptor, d.Severity, kind), out var made))
                {
                    made = w.Template(f => WriteResult(f, d, index, uriJson, null));
                    _templates.Add((d.Descriptor, d.Severity, kind), made);
                }

                _last = (d.Descriptor, d.Severity, kind, made);
            }

            var t = _last.Pieces;
            var span = w.BeginRaw(t[0].Length + t[1].Length + t[2].Length + messageMax + subjectLength + 4);
            t[0].CopyTo(span);
            int n = t[0].Length;
            span[n++] = (byte)'"';
            values.PutMessage(span, ref n, d, plan, -1, 0, -1, 0);
            span[n++] = (byte)'"';
            t[1].CopyTo(span[n..]);
            n += t[1].Length;
            span[n++] = (byte)'"';
            n += given is not null ? System.Text.Encoding.ASCII.GetBytes(given, span[n..]) : AbiJsonValues.PutSpelling(span[n..], symbol!, version);
            span[n++] = (byte)'"';
            t[2].CopyTo(span[n..]);
            n += t[2].Length;
            w.EndRaw(n);
            return true;
        }
    }

    /// <summary>
    /// The rules: the descriptors of the reported and suppressed diagnostics, then the built-in ones, the first of
    /// each ID kept, in ID order.
    /// </summary>
    private static List<AbiDiagnosticDescriptor> Descriptors(AbiDiff diff)
    {
        var byId = new Dictionary<string, AbiDiagnosticDescriptor>(StringComparer.Ordinal);
        AbiDiagnosticDescriptor? last = null;
        foreach (var d in diff.Diagnostics.Concat(diff.SuppressedDiagnostics).Select(d => d.Descriptor).Concat(AbiDiagnosticIds.All))
        {
            // Tens of thousands of diagnostics share a few descriptors: skip the look-up for a run of one.
            if (!ReferenceEquals(d, last))
            {
                byId.TryAdd(d.Id, d);
                last = d;
            }
        }

        return [.. byId.Values.OrderBy(d => d.Id, StringComparer.Ordinal)];
    }

    /// <summary>
    /// When types were requested and not compared, or some split DWARF unit's <c>.dwo</c> was not found, one
    /// invocation whose tool execution notifications say so (one per unit not found): a SARIF viewer shows them, and a
    /// clean result list then does not read as "no type changes".
    /// </summary>
    private static void WriteTypesNotCompared(ReportJsonWriter w, AbiDiff diff)
    {
        var reason = diff.TypesRequested ? diff.TypesNotComparedReason : null;
        if (reason is null && diff.MissingSplitUnits.IsEmpty)
        {
            return;
        }

        w.StartArray("invocations"u8);
        w.StartObject();
        w.Bool("executionSuccessful"u8, true);
        w.StartArray("toolExecutionNotifications"u8);
        if (reason is not null)
        {
            WriteNotification(w, "types-not-compared", "Types were not compared: " + reason);
        }

        foreach (var missing in diff.MissingSplitUnits)
        {
            WriteNotification(w, "split-dwarf-unit-not-found", "Types were partly compared: split DWARF " + missing);
        }

        w.EndArray();
        w.EndObject();
        w.EndArray();
    }

    private static void WriteNotification(ReportJsonWriter w, string id, string text)
    {
        w.StartObject();
        w.StartObject("descriptor"u8);
        w.String("id"u8, id);
        w.EndObject();
        w.String("level"u8, "warning");
        w.StartObject("message"u8);
        w.String("text"u8, text);
        w.EndObject();
        w.EndObject();
    }

    private static string? ToUri(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        // Relative paths stay relative (uriBaseId-free); absolute ones become file: URIs.
        return Path.IsPathRooted(path) ? new Uri(path).AbsoluteUri : path.Replace('\\', '/');
    }

    private static void WriteRule(ReportJsonWriter w, AbiDiagnosticDescriptor d)
    {
        w.StartObject();
        w.String("id"u8, d.Id);
        w.String("name"u8, RuleName(d));
        w.StartObject("shortDescription"u8);
        w.String("text"u8, d.Title);
        w.EndObject();
        if (d.Description is not null)
        {
            w.StartObject("fullDescription"u8);
            w.String("text"u8, d.Description);
            w.EndObject();
        }

        w.StartObject("messageStrings"u8);
        w.StartObject("default"u8);
        w.String("text"u8, d.MessageFormat);
        w.EndObject();
        w.EndObject();
        if (d.HelpUri is not null)
        {
            w.String("helpUri"u8, d.HelpUri);
        }

        w.StartObject("defaultConfiguration"u8);
        w.String("level"u8, Level(d.DefaultSeverity));
        w.EndObject();
        w.EndObject();
    }

    private static string RuleName(AbiDiagnosticDescriptor d) => string.Concat(d.Title.Split(' ').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary>One SARIF reportingDescriptor for a diagnostic descriptor: shared by every SARIF report.</summary>
    internal static void WriteRule(Utf8JsonWriter w, AbiDiagnosticDescriptor d)
    {
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        w.WriteString("name", RuleName(d));
        w.WriteStartObject("shortDescription");
        w.WriteString("text", d.Title);
        w.WriteEndObject();
        if (d.Description is not null)
        {
            w.WriteStartObject("fullDescription");
            w.WriteString("text", d.Description);
            w.WriteEndObject();
        }

        w.WriteStartObject("messageStrings");
        w.WriteStartObject("default");
        w.WriteString("text", d.MessageFormat);
        w.WriteEndObject();
        w.WriteEndObject();
        if (d.HelpUri is not null)
        {
            w.WriteString("helpUri", d.HelpUri);
        }

        w.WriteStartObject("defaultConfiguration");
        w.WriteString("level", Level(d.DefaultSeverity));
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
