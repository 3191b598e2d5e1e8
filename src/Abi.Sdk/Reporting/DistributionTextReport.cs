using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Distribution;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The text reports of package and distribution diffs, as <c>abi pkgdiff</c> and <c>abi distdiff</c> print them: for
/// a distribution, the verdict and counts first, then the incompatible packages and applications with the findings
/// that decide them (each loader problem with its NEEDED chain), then those to review, one line counting the
/// compatible ones, and the packages that could not be read; for a package, abipkgdiff's layout: the EVR move,
/// dependency and file changes, then each shared library's ABI changes (private libraries marked).
/// </summary>
public static class DistributionTextReport
{
    /// <summary>Writes the report of a distribution diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination; lines end with its <see cref="TextWriter.NewLine"/>.</param>
    public static void Write(DistributionDiff diff, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(writer);
        var inv = CultureInfo.InvariantCulture;
        var s = diff.Summary;
        Line(writer, $"Distribution diff: {Verdicts.Name(diff.Verdict)}");
        if (!diff.Reference.IsEmpty || !diff.Rebuild.IsEmpty)
        {
            Line(writer, $"  reference: {string.Join(", ", diff.Reference)}");
            Line(writer, $"  rebuild:   {string.Join(", ", diff.Rebuild)}");
        }

        var applications = diff.Applications.IsEmpty ? string.Empty : ", " + DistributionReportModel.Count(diff.Applications.Length, "application");
        Line(writer, string.Create(inv, $"  {DistributionReportModel.Count(s.Packages, "package")}{applications}, {DistributionReportModel.Count(s.Binaries, "binary")} checked: {s.Incompatible} incompatible, {s.Review} to review, {s.Compatible} compatible, {s.Unreadable} unreadable"));
        foreach (var d in diff.Diagnostics)
        {
            WriteDiagnostic(writer, d, "  ");
        }

        var entries = DistributionReportModel.Entries(diff);
        foreach (var verdict in new[] { Verdict.Incompatible, Verdict.Review })
        {
            var group = entries.Where(e => e.Verdict == verdict).ToList();
            if (group.Count == 0)
            {
                continue;
            }

            writer.WriteLine();
            Line(writer, string.Create(inv, $"{(verdict == Verdict.Incompatible ? "Incompatible" : "To review")} ({group.Count}):"));
            foreach (var e in group)
            {
                WriteEntry(writer, e);
            }
        }

        var compatible = entries.Where(e => e.Verdict == Verdict.Compatible).ToList();
        if (compatible.Count > 0)
        {
            var moves = compatible.Where(e => !e.IsApplication).GroupBy(e => e.Move switch
            {
                EvrMove.Same => "same",
                EvrMove.Newer => "newer",
                EvrMove.Older => "older",
                _ => e.Reference is null ? "only in the rebuild" : e.Rebuild is null ? "only in the reference" : "paired",
            }).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(inv, $"{g.Count()} {g.Key}"));
            var parts = moves.ToList();
            var apps = compatible.Count(e => e.IsApplication);
            if (apps > 0)
            {
                parts.Add(DistributionReportModel.Count(apps, "application"));
            }

            writer.WriteLine();
            Line(writer, string.Create(inv, $"Compatible ({compatible.Count}): {string.Join(", ", parts)}"));
        }

        if (!diff.Errors.IsEmpty)
        {
            writer.WriteLine();
            Line(writer, string.Create(inv, $"Unreadable ({diff.Errors.Length}):"));
            foreach (var e in diff.Errors)
            {
                Line(writer, $"  {e}");
            }
        }
    }

    /// <summary>Writes the report of a package diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination; lines end with its <see cref="TextWriter.NewLine"/>.</param>
    public static void Write(PackageDiff diff, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(writer);
        var inv = CultureInfo.InvariantCulture;
        Line(writer, $"Package diff: {diff.Old} → {diff.New} ({DistributionReportModel.MoveName(diff.Move)}): {Verdicts.Name(diff.Verdict)}");
        var removedDeps = diff.Dependencies.Count(d => d.Change == DependencyChangeKind.Removed);
        Line(writer, string.Create(inv, $"Dependencies changes summary: {removedDeps} Removed, {diff.Dependencies.Length - removedDeps} Added"));
        Line(writer, string.Create(inv, $"Files changes summary: {diff.Files.Count(f => f.Change == FileChangeKind.Removed)} Removed, {diff.Files.Count(f => f.Change == FileChangeKind.Added)} Added, {diff.Files.Count(f => f.Change == FileChangeKind.TypeChanged)} Type changed"));
        var changed = diff.Libraries.Count(l => !l.Diff.Diagnostics.IsEmpty);
        Line(writer, string.Create(inv, $"Shared libraries summary: {diff.Libraries.Length} compared, {changed} with ABI changes, {diff.Libraries.Count(l => l.IsPrivate)} private"));

        var findings = diff.Diagnostics.Where(d => d.Verdict != Verdict.Compatible).ToList();
        if (findings.Count > 0)
        {
            writer.WriteLine();
            Line(writer, string.Create(inv, $"{findings.Count} finding{(findings.Count == 1 ? string.Empty : "s")} to act on:"));
            foreach (var d in findings)
            {
                WriteDiagnostic(writer, d, "  ");
            }
        }

        if (!diff.Dependencies.IsEmpty)
        {
            writer.WriteLine();
            Line(writer, "Dependency changes:");
            foreach (var d in diff.Dependencies)
            {
                Line(writer, $"  [{(d.Change == DependencyChangeKind.Removed ? 'D' : 'A')}] {d.Kind}: {d.Dependency}");
            }
        }

        if (!diff.Files.IsEmpty)
        {
            writer.WriteLine();
            Line(writer, "File changes:");
            foreach (var f in diff.Files)
            {
                Line(writer, f.Change switch
                {
                    FileChangeKind.Removed => $"  [D] {f.Path}",
                    FileChangeKind.Added => $"  [A] {f.Path}",
                    _ => $"  [C] {f.Path}: {DistributionReportModel.FileType(f.Old)} → {DistributionReportModel.FileType(f.New)}",
                });
            }
        }

        foreach (var l in diff.Libraries.Where(l => !l.Diff.Diagnostics.IsEmpty))
        {
            // abipkgdiff's heading for one library pair, then abidiff's report of it, indented.
            writer.WriteLine();
            var name = l.Diff.Old.Soname ?? Path.GetFileName(l.OldPath);
            var paths = l.OldPath == l.NewPath ? l.OldPath : $"{l.OldPath} → {l.NewPath}";
            Line(writer, $"================ changes of '{name}'{(l.IsPrivate ? " (private)" : string.Empty)} ({paths}) ===============");
            var inner = new StringWriter(inv) { NewLine = writer.NewLine };
            AbiTextReport.Write(l.Diff, inner);
            foreach (var line in inner.ToString().Split(writer.NewLine))
            {
                if (line.Length > 0)
                {
                    Line(writer, "  " + line);
                }
            }
        }
    }

    private static void WriteEntry(TextWriter writer, DistributionEntry e)
    {
        var head = e.IsApplication
            ? $"  application {e.Label} ({e.File})"
            : $"  {e.Name}.{e.Arch}: {DistributionReportModel.EvrText(e)}";
        Line(writer, head);
        foreach (var problem in e.InstallProblems)
        {
            Line(writer, $"    cannot install: {problem}");
        }

        int notes = 0;
        foreach (var d in e.Diagnostics)
        {
            if (d.Verdict == Verdict.Compatible)
            {
                notes++;
                continue;
            }

            WriteDiagnostic(writer, d, "    ");
        }

        if (notes > 0)
        {
            Line(writer, string.Create(CultureInfo.InvariantCulture, $"    (and {notes} compatible change{(notes == 1 ? string.Empty : "s")})"));
        }
    }

    /// <summary>
    /// Writes one line with control characters shown as <c>\xNN</c>: names, paths and messages come from packages, and a
    /// terminal must not take an escape sequence in a file name as a command.
    /// </summary>
    private static void Line(TextWriter writer, string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            writer.WriteLine(text);
            return;
        }

        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c < ' ' || (c >= '\u007f' && c <= '\u009f'))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                sb.Append(c);
            }
        }

        writer.WriteLine(sb.ToString());
    }

    private static void WriteDiagnostic(TextWriter writer, DistributionDiagnostic d, string indent)
    {
        Line(writer, $"{indent}{d.Id} {AbiSeverities.Name(d.Severity)}: {d.Message}");
        if (d.Path is { } path && !d.Message.Contains(path, StringComparison.Ordinal))
        {
            Line(writer, $"{indent}  in {path}");
        }

        if (d.NeededBy is { Objects.Length: > 0 } chain)
        {
            Line(writer, $"{indent}  needed by: {chain}");
        }
    }
}
