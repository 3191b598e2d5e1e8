using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Abi.Sdk.Compatibility;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The JSON report of compatibility verdicts, as <c>abi compat --json</c> prints it: JSON Lines, one object per verdict
/// on one line (binary, compatible, the fatal problems, then what the loader only warns about). docs/reports.md
/// documents the schema.
/// </summary>
public static class CompatibilityJsonReport
{
    // One object per line: not indented.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one verdict as one line: a JSON object and a line feed.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void Write(CompatibilityVerdict verdict, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(stream);
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            WriteObject(w, verdict);
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>Writes several verdicts as JSON Lines, one object per line, as <c>abi compat --json</c> prints them.</summary>
    /// <param name="verdicts">The verdicts, in the order to print; enumerated once, so a lazy sequence streams.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void Write(IEnumerable<CompatibilityVerdict> verdicts, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(stream);
        foreach (var verdict in verdicts)
        {
            Write(verdict, stream);
        }
    }

    /// <summary>Writes the verdict's object into a larger document (a report that embeds verdicts).</summary>
    internal static void WriteObject(Utf8JsonWriter w, CompatibilityVerdict verdict)
    {
        w.WriteStartObject();
        w.WriteString("binary", verdict.Binary);
        w.WriteBoolean("compatible", verdict.IsCompatible);
        w.WriteStartArray("missingLibraries");
        foreach (var m in verdict.MissingLibraries)
        {
            w.WriteStringValue(m.Name);
        }

        w.WriteEndArray();

        // Files the loader refused (the program stops there), in the loader's words.
        w.WriteStartArray("refusedObjects");
        foreach (var r in verdict.RefusedObjects)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("path", r.Path);
            w.WriteString("reason", r.Reason.ToString());
            w.WriteString("message", r.Message);
            w.WriteString("neededBy", r.NeededBy.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();

        // Why a missing library is missing although files of its name exist: what the search skipped.
        w.WriteStartArray("skippedCandidates");
        foreach (var m in verdict.MissingLibraries)
        {
            foreach (var c in m.Candidates)
            {
                w.WriteStartObject();
                w.WriteString("library", m.Name);
                w.WriteString("path", c.Path);
                w.WriteString("reason", c.Reason.ToString());
                w.WriteString("message", c.Message);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        WriteVersions(w, "missingVersions", verdict.MissingVersions);
        w.WriteStartArray("missingSymbols");
        foreach (var m in verdict.MissingSymbols)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            WriteStringOrNull(w, "version", m.Version);
            WriteStringOrNull(w, "library", m.Version is null ? null : m.Library);
            w.WriteString("referencedBy", m.ReferencedBy.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();

        // What the loader only warns about.
        WriteVersions(w, "missingWeakVersions", verdict.MissingWeakVersions);
        w.WriteStartArray("copyRelocationSizeChanges");
        foreach (var c in verdict.CopyRelocationSizeChanges)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            WriteStringOrNull(w, "version", c.Version);
            w.WriteString("library", c.DefinedIn);
            w.WriteNumber("linkedSize", c.LinkedSize);
            w.WriteNumber("targetSize", c.TargetSize);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("ignoredPreloads");
        foreach (var name in verdict.IgnoredPreloads)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteStartArray("isaLevelShortfalls");
        foreach (var i in verdict.IsaLevelShortfalls)
        {
            w.WriteStartObject();
            w.WriteString("object", i.Object);
            w.WriteString("path", i.Path);
            w.WriteString("needed", IsaLevelNames.Highest(i.Needed));
            w.WriteString("targetLevel", IsaLevelNames.Highest(i.Supported));
            w.WriteString("neededBy", i.NeededBy.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();


        // Filtees (DT_FILTER, DT_AUXILIARY) and the glibc release the check applied.
        w.WriteStartArray("filtees");
        foreach (var f in verdict.Filtees)
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            WriteStringOrNull(w, "path", f.Path);
            w.WriteString("filter", f.Filter);
            w.WriteString("kind", f.Kind == FilterKind.Auxiliary ? "auxiliary" : "filter");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("checks");
        foreach (var c in verdict.Checks)
        {
            w.WriteStartObject();
            w.WriteString("check", JsonNamingPolicy.CamelCase.ConvertName(c.Check.ToString()));
            w.WriteBoolean("performed", c.Performed);
            w.WriteString("detail", c.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteStringOrNull(w, "glibcVersion", verdict.GlibcVersion?.ToString());
        w.WriteString("glibcVersionSource", verdict.GlibcVersionSource switch
        {
            GlibcVersionSource.ReleaseString => "releaseString",
            GlibcVersionSource.PackageVersion => "packageVersion",
            GlibcVersionSource.NewestVersionNode => "newestVersionNode",
            _ => "unknown",
        });
        w.WriteEndObject();
    }

    private static void WriteVersions(Utf8JsonWriter w, string property, ImmutableArray<MissingVersion> versions)
    {
        w.WriteStartArray(property);
        foreach (var m in versions)
        {
            w.WriteStartObject();
            w.WriteString("library", m.Library);
            w.WriteString("version", m.Version);
            w.WriteString("requiredBy", m.RequiredBy.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string property, string? value)
    {
        if (value is null)
        {
            w.WriteNull(property);
        }
        else
        {
            w.WriteString(property, value);
        }
    }
}
