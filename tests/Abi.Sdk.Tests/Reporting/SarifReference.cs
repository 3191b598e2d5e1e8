using System.Text.Encodings.Web;
using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Reporting;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// The SARIF writer as it was before the report was written as UTF-8 straight from the model: System.Text.Json's
/// <see cref="Utf8JsonWriter"/> and the model's strings. The reference <see cref="ReportJsonWriterTests"/> compares with.
/// </summary>
internal static class SarifReference
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };

    public static void Write(AbiDiff diff, Stream stream)
    {
        var descriptors = diff.Diagnostics.Concat(diff.SuppressedDiagnostics).Select(d => d.Descriptor)
            .Concat(AbiDiagnosticIds.All).DistinctBy(d => d.Id).OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        var ruleIndex = descriptors.Select((d, i) => (d.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var uri = ToUri(diff.New.FileName);
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("$schema", AbiSarifReport.SchemaUri);
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
                AbiSarifReport.WriteRule(w, d);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            var notCompared = diff.TypesRequested ? diff.TypesNotComparedReason : null;
            if (notCompared is not null || !diff.MissingSplitUnits.IsEmpty)
            {
                w.WriteStartArray("invocations");
                w.WriteStartObject();
                w.WriteBoolean("executionSuccessful", true);
                w.WriteStartArray("toolExecutionNotifications");
                foreach (var (id, text) in (notCompared is null ? [] : new[] { ("types-not-compared", "Types were not compared: " + notCompared) })
                    .Concat(diff.MissingSplitUnits.Select(m => ("split-dwarf-unit-not-found", "Types were partly compared: split DWARF " + m))))
                {
                    w.WriteStartObject();
                    w.WriteStartObject("descriptor");
                    w.WriteString("id", id);
                    w.WriteEndObject();
                    w.WriteString("level", "warning");
                    w.WriteStartObject("message");
                    w.WriteString("text", text);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
            }

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
                w.WriteString("level", AbiSarifReport.Level(d.Severity));
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
                if (w.BytesPending > 1 << 16)
                {
                    w.Flush();
                }
            }

            w.WriteEndArray();
            if (diff.TypesRequested)
            {
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
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    private static string? ToUri(string? path)
        => string.IsNullOrEmpty(path) ? null : Path.IsPathRooted(path) ? new Uri(path).AbsoluteUri : path.Replace('\\', '/');
}
