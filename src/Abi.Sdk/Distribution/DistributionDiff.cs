using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>A package of a set that could not be read: it takes no part in the comparison.</summary>
/// <param name="Path">The file (or repository location) that failed.</param>
/// <param name="Offset">Where in the file the problem is, when known.</param>
/// <param name="Reason">Why.</param>
public sealed record PackageReadError(string Path, long? Offset, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => Offset is { } at ? $"{Path}: at offset {at}: {Reason}" : $"{Path}: {Reason}";
}

/// <summary>
/// The loader's verdict on one ELF executable or shared library of the reference (or of an added application),
/// loaded on the rebuild, and the findings it decides.
/// </summary>
/// <param name="Package">The NEVRA of the package the binary belongs to.</param>
/// <param name="Path">The binary's installed path.</param>
/// <param name="Check">What the loader model found.</param>
/// <param name="Diagnostics">One finding per problem (<c>ABI3040</c>–<c>ABI3044</c>), each with its NEEDED chain.</param>
public sealed record BinaryVerdict(string Package, string Path, CompatibilityVerdict Check, ImmutableArray<DistributionDiagnostic> Diagnostics)
{
    /// <summary>The worst verdict of <see cref="Diagnostics"/>.</summary>
    public Verdict Verdict => Verdicts.Of(Diagnostics);

    /// <summary>
    /// When the binary has problems on the rebuild: what the loader model found for it on the reference (with the
    /// reference's packages); its problems are not findings, since the rebuild did not bring them. Else <see langword="null"/>.
    /// </summary>
    public CompatibilityVerdict? ReferenceCheck { get; init; }
}

/// <summary>One package name and architecture across the two sets, and everything found about it.</summary>
/// <param name="Name">The package name.</param>
/// <param name="Arch">The architecture.</param>
/// <param name="Reference">The reference's newest build, or <see langword="null"/> when only the rebuild has the package.</param>
/// <param name="Rebuild">The rebuild's newest build, or <see langword="null"/> when only the reference has it.</param>
/// <param name="Diff">The package diff, when both sides have the package.</param>
/// <param name="Binaries">The loader's verdict on each ELF file of the reference's build, loaded on the rebuild.</param>
/// <param name="Diagnostics">Every finding about the package: pairing, its diff's and its binaries', worst first.</param>
public sealed record PackageComparison(
    string Name,
    string Arch,
    RpmNevra? Reference,
    RpmNevra? Rebuild,
    PackageDiff? Diff,
    ImmutableArray<BinaryVerdict> Binaries,
    ImmutableArray<DistributionDiagnostic> Diagnostics)
{
    /// <summary>The worst verdict of <see cref="Diagnostics"/>.</summary>
    public Verdict Verdict => Verdicts.Of(Diagnostics);

    /// <summary>How the EVRs compare, when both sides have the package.</summary>
    public EvrMove? Move => Diff?.Move;
}

/// <summary>An application package added to the comparison (<c>--app</c>): would it install on the rebuild, and would its binaries load there?</summary>
/// <param name="Path">The package file.</param>
/// <param name="Package">Its NEVRA.</param>
/// <param name="InstallProblems">Why it cannot be installed from the rebuild's packages (libsolv installcheck's lines); empty when it can.</param>
/// <param name="Binaries">The loader's verdict on each of its ELF files, installed on the rebuild.</param>
/// <param name="Diagnostics">Every finding, worst first.</param>
public sealed record ApplicationVerdict(
    string Path,
    RpmNevra Package,
    ImmutableArray<InstallProblem> InstallProblems,
    ImmutableArray<BinaryVerdict> Binaries,
    ImmutableArray<DistributionDiagnostic> Diagnostics)
{
    /// <summary>The worst verdict of <see cref="Diagnostics"/>.</summary>
    public Verdict Verdict => Verdicts.Of(Diagnostics);

    /// <summary>True when the rebuild's packages meet every requirement.</summary>
    public bool IsInstallable => InstallProblems.IsEmpty;
}

/// <summary>Counts of a distribution diff, for the summary line.</summary>
/// <param name="Packages">Package names compared (either side).</param>
/// <param name="Binaries">ELF files checked on the rebuild (reference and applications).</param>
/// <param name="Compatible">Packages and applications judged compatible.</param>
/// <param name="Review">Packages and applications to review.</param>
/// <param name="Incompatible">Packages and applications judged incompatible.</param>
/// <param name="Unreadable">Packages that could not be read.</param>
public sealed record DistributionSummary(int Packages, int Binaries, int Compatible, int Review, int Incompatible, int Unreadable);

/// <summary>
/// A reference distribution compared with its rebuild: package by package (pairing, package diffs) and binary by
/// binary (every ELF file of the reference and of the added applications loaded on the rebuild), with one verdict
/// per package, binary and application and one for the whole. Plain data: print it with <c>Abi.Sdk.Reporting</c>.
/// </summary>
/// <param name="Reference">The inputs of the reference set, as given.</param>
/// <param name="Rebuild">The inputs of the rebuild set, as given.</param>
/// <param name="Packages">One entry per package name and architecture of either set, sorted by name then arch.</param>
/// <param name="Applications">The added application packages, in the order given.</param>
/// <param name="Diagnostics">Findings about the sets themselves (<c>ABI3060</c>, <c>ABI3090</c>).</param>
/// <param name="Errors">Packages that could not be read.</param>
public sealed record DistributionDiff(
    ImmutableArray<string> Reference,
    ImmutableArray<string> Rebuild,
    ImmutableArray<PackageComparison> Packages,
    ImmutableArray<ApplicationVerdict> Applications,
    ImmutableArray<DistributionDiagnostic> Diagnostics,
    ImmutableArray<PackageReadError> Errors)
{
    /// <summary>The worst verdict of every package, application and set-level finding.</summary>
    public Verdict Verdict
    {
        get
        {
            var worst = Verdicts.Of(Diagnostics);
            foreach (var p in Packages)
            {
                worst = p.Verdict > worst ? p.Verdict : worst;
            }

            foreach (var a in Applications)
            {
                worst = a.Verdict > worst ? a.Verdict : worst;
            }

            return worst;
        }
    }

    /// <summary>The counts for the summary.</summary>
    public DistributionSummary Summary => new(
        Packages.Length,
        Packages.Sum(p => p.Binaries.Length) + Applications.Sum(a => a.Binaries.Length),
        Packages.Count(p => p.Verdict == Verdict.Compatible) + Applications.Count(a => a.Verdict == Verdict.Compatible),
        Packages.Count(p => p.Verdict == Verdict.Review) + Applications.Count(a => a.Verdict == Verdict.Review),
        Packages.Count(p => p.Verdict == Verdict.Incompatible) + Applications.Count(a => a.Verdict == Verdict.Incompatible),
        Errors.Length);

    /// <summary>
    /// The exit code of <c>abi distdiff</c>: 0 all compatible, 4 something to review, 12 something incompatible, plus
    /// 1 when some input could not be read.
    /// </summary>
    public int ExitCode => (Verdict switch
    {
        Verdict.Incompatible => AbiExitCodes.AbiChange | AbiExitCodes.IncompatibleChange,
        Verdict.Review => AbiExitCodes.AbiChange,
        _ => 0,
    }) | (Errors.IsEmpty ? 0 : AbiExitCodes.Error);

    /// <inheritdoc/>
    public override string ToString()
    {
        var s = Summary;
        return $"{Verdicts.Name(Verdict)}: {s.Packages} packages, {s.Binaries} binaries; {s.Compatible} compatible, {s.Review} to review, {s.Incompatible} incompatible, {s.Unreadable} unreadable";
    }
}
