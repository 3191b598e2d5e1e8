using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>How the rebuild's EVR of a package compares with the reference's, by rpm's ordering.</summary>
public enum EvrMove
{
    /// <summary>The same epoch, version and release.</summary>
    Same = 0,

    /// <summary>The rebuild's is newer.</summary>
    Newer = 1,

    /// <summary>The rebuild's is older.</summary>
    Older = 2,
}

/// <summary>How a dependency differs between two builds of a package.</summary>
public enum DependencyChangeKind
{
    /// <summary>Only the old build has it.</summary>
    Removed,

    /// <summary>Only the new build has it.</summary>
    Added,
}

/// <summary>One dependency (of any of rpm's nine kinds) that only one of two builds declares.</summary>
/// <param name="Kind">Which of rpm's dependency kinds.</param>
/// <param name="Change">Removed or added.</param>
/// <param name="Dependency">The dependency, as the build that has it declares it.</param>
public sealed record DependencyChange(RpmDependencyKind Kind, DependencyChangeKind Change, RpmDependency Dependency);

/// <summary>How a file differs between two builds of a package.</summary>
public enum FileChangeKind
{
    /// <summary>Only the old build has it.</summary>
    Removed,

    /// <summary>Only the new build has it.</summary>
    Added,

    /// <summary>Both have it, as different kinds of file (regular, folder, symbolic link, …).</summary>
    TypeChanged,
}

/// <summary>One path that differs between two builds of a package.</summary>
/// <param name="Path">The installed path.</param>
/// <param name="Change">What changed.</param>
/// <param name="Old">The old build's file (its mode, digest, link target), or <see langword="null"/> when added.</param>
/// <param name="New">The new build's file, or <see langword="null"/> when removed.</param>
public sealed record FileChange(string Path, FileChangeKind Change, RpmFile? Old, RpmFile? New);

/// <summary>A shared library of a package paired with its counterpart in the other build, and their ABI diff.</summary>
/// <param name="OldPath">The library's installed path in the old build.</param>
/// <param name="NewPath">The counterpart's installed path in the new build (the same path, or the file with the same SONAME).</param>
/// <param name="IsPrivate">True when the library is outside the loader's default search path (a private DSO, as abipkgdiff calls it); its findings are lowered one severity step.</param>
/// <param name="Diff">The ABI diff of the pair, with the comparer's rules, suppressions and severities.</param>
public sealed record LibraryChange(string OldPath, string NewPath, bool IsPrivate, AbiDiff Diff);

/// <summary>
/// What differs between two builds of one package, as abipkgdiff and rpmdiff see it: EVR, the nine dependency kinds
/// (with range semantics), files, and the ABI of every shared library pair. Plain data: print it with
/// <c>Abi.Sdk.Reporting</c>.
/// </summary>
/// <param name="Old">The old (reference) build.</param>
/// <param name="New">The new (rebuild) build.</param>
/// <param name="Move">How the EVRs compare.</param>
/// <param name="Dependencies">Dependencies only one build declares, old build's order then new build's.</param>
/// <param name="Files">Paths only one build has, or whose type changed, sorted by path.</param>
/// <param name="Libraries">Every shared-library pair, with its ABI diff, sorted by old path.</param>
/// <param name="Diagnostics">The findings, worst first.</param>
public sealed record PackageDiff(
    RpmNevra Old,
    RpmNevra New,
    EvrMove Move,
    ImmutableArray<DependencyChange> Dependencies,
    ImmutableArray<FileChange> Files,
    ImmutableArray<LibraryChange> Libraries,
    ImmutableArray<DistributionDiagnostic> Diagnostics)
{
    /// <summary>The worst verdict of <see cref="Diagnostics"/>.</summary>
    public Verdict Verdict => Verdicts.Of(Diagnostics);

    /// <summary>The exit code <c>abi pkgdiff</c> returns: 0 compatible, 4 review, 12 incompatible (abidiff's bits).</summary>
    public int ExitCode => Verdict switch
    {
        Verdict.Incompatible => AbiExitCodes.AbiChange | AbiExitCodes.IncompatibleChange,
        Verdict.Review => AbiExitCodes.AbiChange,
        _ => 0,
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Old} → {New}: {Verdicts.Name(Verdict)}, {Diagnostics.Length} findings";
}
