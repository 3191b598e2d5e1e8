using System.Text.Encodings.Web;
using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Distribution;

namespace Abi.Sdk.Reporting;

/// <summary>
/// SARIF 2.1.0 logs of package and distribution diffs, as <c>abi pkgdiff --sarif</c> and <c>abi distdiff --sarif</c>
/// print them: one run by the tool <c>abi</c> whose rules are the <c>ABI3xxx</c> and <c>ABI1xxx</c> descriptors, one
/// result per finding (located at the file inside the package and, logically, at the package's NEVRA; a loader
/// problem carries its NEEDED chain in its properties), and each package that could not be read as a tool execution
/// notification.
/// </summary>
public static class DistributionSarifReport
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };

    /// <summary>Writes the log of a distribution diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void Write(DistributionDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(stream);
        Write(DistributionReportModel.AllDiagnostics(diff), diff.Errors, stream);
    }

    /// <summary>Writes the log of a package diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void Write(PackageDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(stream);

        // A package diff's findings name the package they are about; one without a name is about the old build.
        var old = diff.Old.ToString();
        Write(diff.Diagnostics.Select(d => d.Package is null ? d with { Package = old } : d), [], stream);
    }

    private static void Write(IEnumerable<DistributionDiagnostic> findings, IReadOnlyList<PackageReadError> errors, Stream stream)
    {
        var diagnostics = findings.ToList();
        var rules = DistributionReportModel.Rules(diagnostics);
        var ruleIndex = rules.Select((d, i) => (d.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
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
            w.WriteString("semanticVersion", typeof(DistributionSarifReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            w.WriteStartArray("rules");
            foreach (var d in rules)
            {
                AbiSarifReport.WriteRule(w, d);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();

            // The run went on past unreadable packages; it did not fully succeed (the exit code has bit 1 set).
            w.WriteStartArray("invocations");
            w.WriteStartObject();
            w.WriteBoolean("executionSuccessful", errors.Count == 0);
            w.WriteStartArray("toolExecutionNotifications");
            foreach (var e in errors)
            {
                w.WriteStartObject();
                w.WriteString("level", "error");
                w.WriteStartObject("message");
                w.WriteString("text", e.ToString());
                w.WriteEndObject();
                w.WriteStartArray("locations");
                w.WriteStartObject();
                w.WriteStartObject("physicalLocation");
                w.WriteStartObject("artifactLocation");
                w.WriteString("uri", ToUri(e.Path));
                w.WriteEndObject();
                if (e.Offset is { } offset)
                {
                    w.WriteStartObject("region");
                    w.WriteNumber("byteOffset", offset);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteStartObject("associatedRule");
                w.WriteString("id", DistributionDiagnosticIds.PackageUnreadable.Id);
                w.WriteNumber("index", ruleIndex[DistributionDiagnosticIds.PackageUnreadable.Id]);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();

            w.WriteStartArray("results");
            foreach (var d in diagnostics)
            {
                WriteResult(w, d, ruleIndex[d.Id]);
                if (w.BytesPending > 1 << 16)
                {
                    w.Flush();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    private static void WriteResult(Utf8JsonWriter w, DistributionDiagnostic d, int ruleIndex)
    {
        w.WriteStartObject();
        w.WriteString("ruleId", d.Id);
        w.WriteNumber("ruleIndex", ruleIndex);
        w.WriteString("level", AbiSarifReport.Level(d.Severity));
        w.WriteStartObject("message");
        w.WriteString("text", d.Message);
        w.WriteEndObject();
        if (d.Package is not null || d.Path is not null || d.LibraryDiagnostic is not null)
        {
            w.WriteStartArray("locations");
            w.WriteStartObject();
            if (d.Path is { } path)
            {
                w.WriteStartObject("physicalLocation");
                w.WriteStartObject("artifactLocation");
                w.WriteString("uri", ToUri(path));
                w.WriteEndObject();
                w.WriteEndObject();
            }

            if (d.Package is not null || d.LibraryDiagnostic is not null)
            {
                w.WriteStartArray("logicalLocations");
                if (d.Package is { } package)
                {
                    w.WriteStartObject();
                    w.WriteString("name", package);
                    w.WriteString("kind", "package");
                    w.WriteEndObject();
                }

                if (d.LibraryDiagnostic is { } library)
                {
                    w.WriteStartObject();
                    w.WriteString("name", library.Subject);
                    w.WriteString("kind", (library.OldSymbol ?? library.NewSymbol) is { } s ? (s.IsFunction ? "function" : "variable") : "module");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteStartObject("properties");
        w.WriteString("severity", AbiSeverities.Name(d.Severity));
        w.WriteString("verdict", Verdicts.Name(d.Verdict));
        w.WriteStartArray("neededBy");
        if (d.NeededBy is { } chain)
        {
            foreach (var o in chain.Objects)
            {
                w.WriteStringValue(o);
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A path as a URI reference: each segment percent-encoded, so spaces and <c>#</c> in file names stay part of the path.</summary>
    private static string ToUri(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
