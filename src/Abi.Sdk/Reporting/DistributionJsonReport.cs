using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Distribution;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The JSON reports of package and distribution diffs, as <c>abi pkgdiff --json</c> and <c>abi distdiff --json</c>
/// print them: one indented document each. A distribution diff embeds the package diff object of each package pair,
/// a library pair's ABI diff is the object of <see cref="AbiJsonReport"/> and a binary's loader check the object of
/// <see cref="CompatibilityJsonReport"/>, unchanged. docs/reports.md documents the schemas.
/// </summary>
public static class DistributionJsonReport
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };

    /// <summary>Writes the report of a distribution diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void Write(DistributionDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(stream);
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("verdict", Verdicts.Name(diff.Verdict));
            w.WriteNumber("exitCode", diff.ExitCode);
            var s = diff.Summary;
            w.WriteStartObject("summary");
            w.WriteNumber("packages", s.Packages);
            w.WriteNumber("applications", diff.Applications.Length);
            w.WriteNumber("binaries", s.Binaries);
            w.WriteNumber("compatible", s.Compatible);
            w.WriteNumber("review", s.Review);
            w.WriteNumber("incompatible", s.Incompatible);
            w.WriteNumber("unreadable", s.Unreadable);
            w.WriteEndObject();
            Strings(w, "reference", diff.Reference);
            Strings(w, "rebuild", diff.Rebuild);
            Diagnostics(w, "diagnostics", diff.Diagnostics);
            w.WriteStartArray("errors");
            foreach (var e in diff.Errors)
            {
                w.WriteStartObject();
                w.WriteString("path", e.Path);
                if (e.Offset is { } offset)
                {
                    w.WriteNumber("offset", offset);
                }
                else
                {
                    w.WriteNull("offset");
                }

                w.WriteString("reason", e.Reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("packages");
            foreach (var p in diff.Packages)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteString("arch", p.Arch);
                w.WriteString("verdict", Verdicts.Name(p.Verdict));
                Nevra(w, "reference", p.Reference);
                Nevra(w, "rebuild", p.Rebuild);
                Nullable(w, "move", p.Move is { } m ? DistributionReportModel.MoveName(m) : null);
                if (p.Diff is { } d)
                {
                    w.WritePropertyName("diff");
                    WriteObject(w, d);
                }
                else
                {
                    w.WriteNull("diff");
                }

                Binaries(w, p.Binaries);
                Diagnostics(w, "diagnostics", p.Diagnostics);
                w.WriteEndObject();
                FlushIfLarge(w);
            }

            w.WriteEndArray();
            w.WriteStartArray("applications");
            foreach (var a in diff.Applications)
            {
                w.WriteStartObject();
                w.WriteString("path", a.Path);
                w.WriteString("package", a.Package.ToString());
                w.WriteString("verdict", Verdicts.Name(a.Verdict));
                w.WriteBoolean("installable", a.IsInstallable);
                w.WriteStartArray("installProblems");
                foreach (var problem in a.InstallProblems)
                {
                    w.WriteStringValue(problem.ToString());
                }

                w.WriteEndArray();
                Binaries(w, a.Binaries);
                Diagnostics(w, "diagnostics", a.Diagnostics);
                w.WriteEndObject();
                FlushIfLarge(w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>Writes the report of a package diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void Write(PackageDiff diff, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(stream);
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            WriteObject(w, diff);
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>The package diff object, standalone or inside a distribution report.</summary>
    private static void WriteObject(Utf8JsonWriter w, PackageDiff diff)
    {
        w.WriteStartObject();
        w.WriteString("old", diff.Old.ToString());
        w.WriteString("new", diff.New.ToString());
        w.WriteString("move", DistributionReportModel.MoveName(diff.Move));
        w.WriteString("verdict", Verdicts.Name(diff.Verdict));
        w.WriteNumber("exitCode", diff.ExitCode);
        w.WriteStartArray("dependencies");
        foreach (var d in diff.Dependencies)
        {
            w.WriteStartObject();
            w.WriteString("kind", DistributionReportModel.KindName(d.Kind));
            w.WriteString("change", d.Change == DependencyChangeKind.Removed ? "removed" : "added");
            w.WriteString("dependency", d.Dependency.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("files");
        foreach (var f in diff.Files)
        {
            w.WriteStartObject();
            w.WriteString("path", f.Path);
            w.WriteString("change", DistributionReportModel.ChangeName(f.Change));
            Nullable(w, "oldType", DistributionReportModel.FileType(f.Old));
            Nullable(w, "newType", DistributionReportModel.FileType(f.New));
            w.WriteEndObject();
            FlushIfLarge(w);
        }

        w.WriteEndArray();
        w.WriteStartArray("libraries");
        foreach (var l in diff.Libraries)
        {
            w.WriteStartObject();
            w.WriteString("oldPath", l.OldPath);
            w.WriteString("newPath", l.NewPath);
            w.WriteBoolean("private", l.IsPrivate);
            w.WritePropertyName("abi");
            AbiJsonReport.WriteObject(w, l.Diff);
            w.WriteEndObject();
            FlushIfLarge(w);
        }

        w.WriteEndArray();
        Diagnostics(w, "diagnostics", diff.Diagnostics);
        w.WriteEndObject();
    }

    private static void Binaries(Utf8JsonWriter w, ImmutableArray<BinaryVerdict> binaries)
    {
        w.WriteStartArray("binaries");
        foreach (var b in binaries)
        {
            w.WriteStartObject();
            w.WriteString("path", b.Path);
            w.WriteString("verdict", Verdicts.Name(b.Verdict));
            w.WritePropertyName("check");
            CompatibilityJsonReport.WriteObject(w, b.Check);
            Diagnostics(w, "diagnostics", b.Diagnostics);
            w.WriteEndObject();
            FlushIfLarge(w);
        }

        w.WriteEndArray();
    }

    private static void Diagnostics(Utf8JsonWriter w, string name, ImmutableArray<DistributionDiagnostic> diagnostics)
    {
        w.WriteStartArray(name);
        foreach (var d in diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("title", d.Descriptor.Title);
            w.WriteString("severity", AbiSeverities.Name(d.Severity));
            w.WriteString("verdict", Verdicts.Name(d.Verdict));
            Nullable(w, "package", d.Package);
            Nullable(w, "path", d.Path);
            w.WriteStartArray("neededBy");
            if (d.NeededBy is { } chain)
            {
                foreach (var o in chain.Objects)
                {
                    w.WriteStringValue(o);
                }
            }

            w.WriteEndArray();
            Nullable(w, "subject", d.LibraryDiagnostic?.Subject);
            Nullable(w, "oldSymbol", d.LibraryDiagnostic?.OldSymbol?.Spelling);
            Nullable(w, "newSymbol", d.LibraryDiagnostic?.NewSymbol?.Spelling);
            w.WriteString("message", d.Message);
            w.WriteEndObject();
            FlushIfLarge(w);
        }

        w.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter w, string name, ImmutableArray<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void Nevra(Utf8JsonWriter w, string name, RpmNevra? nevra) => Nullable(w, name, nevra?.ToString());

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
