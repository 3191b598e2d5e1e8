using System.Text.Encodings.Web;
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

    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };

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
        var descriptors = diff.Diagnostics.Concat(diff.SuppressedDiagnostics).Select(d => d.Descriptor)
            .Concat(AbiDiagnosticIds.All).DistinctBy(d => d.Id).OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        var ruleIndex = descriptors.Select((d, i) => (d.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var uri = ToUri(diff.New.FileName);
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("$schema", SchemaUri);
            w.WriteString("version", "2.1.0");
            w.WriteStartArray("runs");
            w.WriteStartObject();
            w.WriteStartObject("tool");
            w.WriteStartObject("driver");
            w.WriteString("name", "abi");
            w.WriteString("informationUri", "https://github.com/abi-sdk/abi-sdk");
            w.WriteString("semanticVersion", typeof(AbiSarifReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            w.WriteStartArray("rules");
            foreach (var d in descriptors)
            {
                WriteRule(w, d);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            WriteTypesNotCompared(w, diff);
            if (uri is not null)
            {
                w.WriteStartArray("artifacts");
                w.WriteStartObject();
                w.WriteStartObject("location");
                w.WriteString("uri", uri);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WriteStartArray("results");
            foreach (var d in diff.Diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("ruleId", d.Id);
                w.WriteNumber("ruleIndex", ruleIndex[d.Id]);
                w.WriteString("level", Level(d.Severity));
                w.WriteStartObject("message");
                w.WriteString("text", d.Message);
                w.WriteEndObject();
                w.WriteStartArray("locations");
                w.WriteStartObject();
                if (uri is not null)
                {
                    w.WriteStartObject("physicalLocation");
                    w.WriteStartObject("artifactLocation");
                    w.WriteString("uri", uri);
                    w.WriteNumber("index", 0);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteStartArray("logicalLocations");
                w.WriteStartObject();
                w.WriteString("name", d.Subject);
                w.WriteString("kind", d.Symbol is { } s ? (s.IsFunction ? "function" : "variable") : "module");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteStartObject("properties");
                w.WriteString("severity", AbiSeverities.Name(d.Severity));
                w.WriteEndObject();
                w.WriteEndObject();
                FlushIfLarge(w);
            }

            w.WriteEndArray();
            if (diff.TypesRequested)
            {
                // As the JSON report's "types": whether the types behind the symbols were compared, and if not why.
                w.WriteStartObject("properties");
                w.WriteStartObject("types");
                w.WriteBoolean("compared", diff.TypesCompared);
                if (diff.TypesNotComparedReason is { } reason)
                {
                    w.WriteString("reason", reason);
                }
                else
                {
                    w.WriteNull("reason");
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>
    /// When types were requested and not compared, one invocation whose tool execution notification says why: a
    /// SARIF viewer shows it, and a clean result list then does not read as "no type changes".
    /// </summary>
    private static void WriteTypesNotCompared(Utf8JsonWriter w, AbiDiff diff)
    {
        if (!diff.TypesRequested || diff.TypesNotComparedReason is not { } reason)
        {
            return;
        }

        w.WriteStartArray("invocations");
        w.WriteStartObject();
        w.WriteBoolean("executionSuccessful", true);
        w.WriteStartArray("toolExecutionNotifications");
        w.WriteStartObject();
        w.WriteStartObject("descriptor");
        w.WriteString("id", "types-not-compared");
        w.WriteEndObject();
        w.WriteString("level", "warning");
        w.WriteStartObject("message");
        w.WriteString("text", "Types were not compared: " + reason);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
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

    /// <summary>Hands buffered output to the stream: the writer otherwise buffers the whole report, growing by copies.</summary>
    private static void FlushIfLarge(Utf8JsonWriter w)
    {
        if (w.BytesPending > 1 << 16)
        {
            w.Flush();
        }
    }

    /// <summary>One SARIF reportingDescriptor for a diagnostic descriptor: shared by every SARIF report.</summary>
    internal static void WriteRule(Utf8JsonWriter w, AbiDiagnosticDescriptor d)
    {
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        w.WriteString("name", string.Concat(d.Title.Split(' ').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..])));
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
