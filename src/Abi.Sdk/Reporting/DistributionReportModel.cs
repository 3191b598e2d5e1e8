using System.Collections.Immutable;
using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Distribution;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Reporting;

/// <summary>A package or an added application as the distribution reports list it: one row, one verdict.</summary>
internal sealed record DistributionEntry(
    bool IsApplication,
    string Name,
    string Arch,
    RpmNevra? Reference,
    RpmNevra? Rebuild,
    EvrMove? Move,
    string? File,
    PackageDiff? Diff,
    ImmutableArray<BinaryVerdict> Binaries,
    ImmutableArray<InstallProblem> InstallProblems,
    ImmutableArray<DistributionDiagnostic> Diagnostics,
    Verdict Verdict)
{
    /// <summary>The NEVRA a person recognises the entry by: the reference's build, else the rebuild's (an application: its own).</summary>
    public string Label => (Reference ?? Rebuild)?.ToString() ?? Name;

    /// <summary>How many findings decide the verdict (for "worst first").</summary>
    public int Weight => Diagnostics.Count(d => d.Verdict == Verdict);
}

/// <summary>The spellings and orderings the distribution reports (text, JSON, SARIF, HTML) share.</summary>
internal static class DistributionReportModel
{
    /// <summary>Packages and applications, worst verdict first, then by how many findings decide it, then by name.</summary>
    public static List<DistributionEntry> Entries(DistributionDiff diff)
    {
        var entries = new List<DistributionEntry>(diff.Packages.Length + diff.Applications.Length);
        foreach (var p in diff.Packages)
        {
            entries.Add(new DistributionEntry(false, p.Name, p.Arch, p.Reference, p.Rebuild, p.Move, null, p.Diff, p.Binaries, [], p.Diagnostics, p.Verdict));
        }

        foreach (var a in diff.Applications)
        {
            entries.Add(new DistributionEntry(true, a.Package.Name, a.Package.Arch, a.Package, null, null, a.Path, null, a.Binaries, a.InstallProblems, a.Diagnostics, a.Verdict));
        }

        return [.. entries.OrderByDescending(e => e.Verdict).ThenByDescending(e => e.Weight)
            .ThenBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Arch, StringComparer.Ordinal).ThenBy(e => e.IsApplication)];
    }

    /// <summary>A package diff shown as a one-package distribution diff (the HTML page of <c>abi pkgdiff</c>).</summary>
    public static DistributionDiff AsDistribution(PackageDiff diff) => new(
        [], [], [new PackageComparison(diff.Old.Name, diff.Old.Arch, diff.Old, diff.New, diff, [], diff.Diagnostics)], [], [], []);

    /// <summary>Every descriptor a log should carry as a rule: the built-in ABI1xxx and ABI3xxx ones and any other that reported, by ID.</summary>
    public static List<AbiDiagnosticDescriptor> Rules(IEnumerable<DistributionDiagnostic> reported) =>
        [.. reported.Select(d => d.Descriptor).Concat(DistributionDiagnosticIds.All).Concat(AbiDiagnosticIds.All)
            .DistinctBy(d => d.Id).OrderBy(d => d.Id, StringComparer.Ordinal)];

    /// <summary>Every finding of a distribution diff once: the sets', then each package's and application's (which include their binaries' and diffs').</summary>
    public static IEnumerable<DistributionDiagnostic> AllDiagnostics(DistributionDiff diff) =>
        diff.Diagnostics.Concat(diff.Packages.SelectMany(p => p.Diagnostics)).Concat(diff.Applications.SelectMany(a => a.Diagnostics));

    /// <summary>A count and its noun, singular for one: <c>1 package</c>, <c>2 packages</c>, <c>3 binaries</c>.</summary>
    public static string Count(int n, string noun) => string.Create(CultureInfo.InvariantCulture,
        $"{n} {(n == 1 ? noun : noun.EndsWith('y') ? noun[..^1] + "ies" : noun + "s")}");

    /// <summary><c>same</c>, <c>newer</c> or <c>older</c>.</summary>
    public static string MoveName(EvrMove move) => move switch
    {
        EvrMove.Newer => "newer",
        EvrMove.Older => "older",
        _ => "same",
    };

    /// <summary>The dependency kind in camelCase (<c>provides</c>, <c>orderWithRequires</c>).</summary>
    public static string KindName(RpmDependencyKind kind) => kind switch
    {
        RpmDependencyKind.OrderWithRequires => "orderWithRequires",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary><c>removed</c>, <c>added</c> or <c>typeChanged</c>.</summary>
    public static string ChangeName(FileChangeKind change) => change switch
    {
        FileChangeKind.Removed => "removed",
        FileChangeKind.Added => "added",
        _ => "typeChanged",
    };

    /// <summary>The file type by its mode, as <c>stat(1)</c> words it (<c>regular file</c>, <c>directory</c>, <c>symbolic link</c>…).</summary>
    public static string? FileType(RpmFile? file) => file is null ? null : (file.Mode & 0xf000) switch
    {
        0x8000 => "regular file",
        0x4000 => "directory",
        0xa000 => "symbolic link",
        0x2000 => "character special file",
        0x6000 => "block special file",
        0x1000 => "fifo",
        0xc000 => "socket",
        _ => "unknown",
    };

    /// <summary>The entry's EVR column: <c>1.0-1 → 1.1-1 (newer)</c>, <c>only in the reference</c>…</summary>
    public static string EvrText(DistributionEntry e)
    {
        if (e.IsApplication)
        {
            return e.Reference!.EvrText;
        }

        return (e.Reference, e.Rebuild) switch
        {
            ({ } r, { } b) when e.Move == EvrMove.Same || r.EvrText == b.EvrText => $"{r.EvrText} (same)",
            ({ } r, { } b) => $"{r.EvrText} → {b.EvrText}{(e.Move is { } m ? $" ({MoveName(m)})" : string.Empty)}",
            ({ } r, null) => $"{r.EvrText} → (only in the reference)",
            (null, { } b) => $"(only in the rebuild) → {b.EvrText}",
            _ => string.Empty,
        };
    }
}
