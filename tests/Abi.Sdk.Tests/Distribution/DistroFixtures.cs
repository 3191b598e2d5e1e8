using System.Collections.Immutable;
using Abi.Sdk.Distribution;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>How glibc's loader refuses a binary, if it does.</summary>
public enum LoaderFailure
{
    /// <summary>It loads (and an executable runs to exit status 0).</summary>
    None,

    /// <summary><c>error while loading shared libraries: NAME: cannot open shared object file</c>.</summary>
    MissingLibrary,

    /// <summary><c>version `VER' not found (required by OBJ)</c>.</summary>
    MissingVersion,

    /// <summary><c>undefined symbol: NAME[, version VER]</c>.</summary>
    UndefinedSymbol,
}

/// <summary>What the loader does with one binary of the reference (or of an application) on the rebuild.</summary>
/// <param name="Package">The package name the binary belongs to.</param>
/// <param name="Path">The binary's installed path.</param>
/// <param name="Failure">How the loader refuses it.</param>
/// <param name="Subject">The missing library's name, the missing version, or the undefined symbol; null when it loads.</param>
/// <param name="SymbolVersion">The version of the undefined symbol, when it has one.</param>
/// <param name="SizeWarning">The symbol the loader warns has a different size in the shared object (a grown copy-relocated object).</param>
public sealed record ExpectedLoad(string Package, string Path, LoaderFailure Failure = LoaderFailure.None, string? Subject = null, string? SymbolVersion = null, string? SizeWarning = null)
{
    /// <summary>True when the loader accepts the binary.</summary>
    public bool Loads => Failure == LoaderFailure.None;

    /// <summary>The intended binary verdict: incompatible when the loader refuses it or warns of a grown copy-relocated object (ABI3043), else compatible.</summary>
    public Verdict Verdict => Loads && SizeWarning is null ? Verdict.Compatible : Verdict.Incompatible;

    /// <inheritdoc/>
    public override string ToString()
        => $"{Path}: {(Loads ? "loads" : $"{Failure} {Subject}{(SymbolVersion is null ? "" : "@" + SymbolVersion)}")}{(SizeWarning is null ? "" : $", size warning {SizeWarning}")}";
}

/// <summary>One package of the sample distribution, the drift its rebuild carries and the verdicts it should get.</summary>
/// <param name="Name">The package name (the same in both sets).</param>
/// <param name="ReferenceEvr">Its EVR in the reference.</param>
/// <param name="RebuildEvr">Its EVR in the rebuild; null when the rebuild lacks it.</param>
/// <param name="Drift">The drift, as README.md says it.</param>
/// <param name="DiffVerdict">The intended package-diff verdict (dependencies, files, library ABI); null when there is no pair.</param>
/// <param name="Verdict">The intended verdict of the package across the sets, its binaries' loader verdicts included.</param>
public sealed record ExpectedPackage(string Name, string ReferenceEvr, string? RebuildEvr, string Drift, Verdict? DiffVerdict, Verdict Verdict);

/// <summary>Dependencies one build of a package declares and the other does not, as <c>rpm -qp --provides/--requires</c> list them.</summary>
/// <param name="Package">The package name.</param>
/// <param name="Kind"><c>provides</c> or <c>requires</c>.</param>
/// <param name="Removed">Only the reference's build declares these.</param>
/// <param name="Added">Only the rebuild's build declares these.</param>
public sealed record ExpectedDependencyDrift(string Package, string Kind, ImmutableArray<string> Removed, ImmutableArray<string> Added);

/// <summary>What abipkgdiff prints for a reference/rebuild package pair.</summary>
/// <param name="Package">The package name.</param>
/// <param name="ExitCode">abipkgdiff's exit status (libabigail's bits: 4 ABI change, 8 incompatible change).</param>
/// <param name="Lines">Its <c>[D]</c>/<c>[A]</c> lines, trimmed, in order.</param>
public sealed record ExpectedAbipkgdiff(string Package, int ExitCode, ImmutableArray<string> Lines);

/// <summary>An application package of the sample set, and whether libsolv can install it on the rebuild.</summary>
/// <param name="Name">The package name.</param>
/// <param name="InstallableOnRebuild">True when installcheck over the rebuild (plus the application) has nothing to say about it.</param>
/// <param name="NothingProvides">The requirement installcheck says nothing provides, when it is not installable.</param>
/// <param name="Verdict">The intended application verdict.</param>
public sealed record ExpectedApplication(string Name, bool InstallableOnRebuild, string? NothingProvides, Verdict Verdict);

/// <summary>
/// The sample reference distribution, its rebuild and the applications of <c>Fixtures/distro</c> (built by its
/// make-fixtures.sh), with README.md's tables as data. <see cref="DistroFixtureTests"/> proves each fact with the
/// reference tools (glibc's loader, rpm, abipkgdiff, libsolv's installcheck); <see cref="LoaderTruth"/> gives the
/// loader's outcome for every binary, programmatically.
/// </summary>
public static class DistroFixtures
{
    /// <summary>Fixtures/distro in the source tree.</summary>
    public static string Root => Path.Combine(Paths.Fixtures, "distro");

    /// <summary>The reference set: a folder of RPMs.</summary>
    public static string Reference => Path.Combine(Root, "reference");

    /// <summary>The rebuild set: a folder of RPMs that is also a repository (repodata/, gz).</summary>
    public static string Rebuild => Path.Combine(Root, "rebuild");

    /// <summary>The applications built against the reference: a folder of RPMs that is also a repository (repodata/, gz).</summary>
    public static string Apps => Path.Combine(Root, "apps");

    /// <summary>A repository (repodata/, xz) whose packages are <c>../reference/NAME.rpm</c>.</summary>
    public static string ReferenceRepository => Path.Combine(Root, "reference-repo");

    /// <summary>The reference set's package files, sorted.</summary>
    public static ImmutableArray<string> ReferencePackages => Rpms(Reference);

    /// <summary>The rebuild set's package files, sorted.</summary>
    public static ImmutableArray<string> RebuildPackages => Rpms(Rebuild);

    /// <summary>The application package files, sorted.</summary>
    public static ImmutableArray<string> AppPackages => Rpms(Apps);

    /// <summary>The package file of <paramref name="name"/> in a set folder.</summary>
    /// <param name="folder">The set's folder.</param>
    /// <param name="name">The package name.</param>
    /// <returns>The file, or null when the set has no such package.</returns>
    public static string? Package(string folder, string name)
        => Rpms(folder).SingleOrDefault(p => System.Text.RegularExpressions.Regex.IsMatch(System.IO.Path.GetFileName(p), $"^{System.Text.RegularExpressions.Regex.Escape(name)}-[0-9]"));

    /// <summary>Every package of the reference, its drift and its intended verdicts (README.md's first table).</summary>
    public static ImmutableArray<ExpectedPackage> Packages { get; } =
    [
        new("liba", "1.0-1.el9", "1.0-1.el9.alma", "a) version node LIBA_2.0 missing in the rebuild", Verdict.Incompatible, Verdict.Incompatible),
        new("libb", "1.0-1.el9", "1.0-1.el9.alma", "b) b_bar moved from LIBB_1.0 to LIBB_2.0, LIBB_1.0 still defined", Verdict.Incompatible, Verdict.Incompatible),
        new("libplain", "1.0-1.el9", "1.0-1.el9.alma", "c) unversioned plain_two removed", Verdict.Incompatible, Verdict.Incompatible),
        new("libgrow", "1.0-1.el9", "1.0-1.el9.alma", "d) exported object grow_table grew from 16 to 32 bytes (copy relocation)", Verdict.Incompatible, Verdict.Incompatible),
        new("libgone", "1.0-1.el9", null, "e) package missing in the rebuild", null, Verdict.Incompatible),
        new("libd", "1.0-1.el9", "1.0-1.el9.alma", "f) SONAME bump libd.so.1 -> libd.so.2", Verdict.Incompatible, Verdict.Incompatible),
        new("libnew", "1.0-1.el9", "1.1-1.el9", "g) newer rebuild that only adds new_two@NEW_1.1", Verdict.Compatible, Verdict.Compatible),
        new("libsame", "1.0-1.el9", "1.0-1.el9.alma", "h) identical rebuild", Verdict.Compatible, Verdict.Compatible),
        new("libold", "2.0-3.el9", "2.0-2.el9", "i) older rebuild (lower EVR), ABI-identical", Verdict.Review, Verdict.Review),
        new("libfeat", "1.0-1.el9", "1.0-1.el9.alma", "j) Provides sample-feature = 1.0 dropped", Verdict.Incompatible, Verdict.Incompatible),
        new("libreq", "1.0-1.el9", "1.0-1.el9.alma", "j) Requires sample-helper >= 1.0 added, nothing provides it", Verdict.Incompatible, Verdict.Incompatible),
        // The private DSO's removed symbol is lowered one step in the package diff (as abipkgdiff ranks private
        // DSOs), but /usr/bin/privtool fails to load: the package's verdict is incompatible.
        new("privtool", "1.0-1.el9", "1.0-1.el9.alma", "k) private DSO /usr/lib64/privtool/libpriv.so lost priv_two", Verdict.Review, Verdict.Incompatible),
        new("sampledata", "1.0-1.el9", "1.0-1.el9.alma", "l) gone.txt removed, mode.txt file -> symlink", Verdict.Review, Verdict.Review),
    ];

    /// <summary>Every ELF file of the reference and of the applications, and what glibc's loader does with it on the rebuild.</summary>
    public static ImmutableArray<ExpectedLoad> OnRebuild { get; } =
    [
        new("liba", "/usr/bin/liba-tool", LoaderFailure.MissingVersion, "LIBA_2.0"),
        new("liba", "/usr/lib64/liba.so.1.0.0"),
        new("libb", "/usr/bin/libb-tool", LoaderFailure.UndefinedSymbol, "b_bar", "LIBB_1.0"),
        new("libb", "/usr/lib64/libb.so.1.0.0"),
        new("libplain", "/usr/bin/libplain-tool", LoaderFailure.UndefinedSymbol, "plain_two"),
        new("libplain", "/usr/lib64/libplain.so.1.0.0"),
        new("libgrow", "/usr/bin/libgrow-tool", SizeWarning: "grow_table"),
        new("libgrow", "/usr/lib64/libgrow.so.1.0.0"),
        new("libgone", "/usr/bin/libgone-tool", LoaderFailure.MissingLibrary, "libgone.so.1"),
        new("libgone", "/usr/lib64/libgone.so.1.0.0"),
        new("libd", "/usr/bin/libd-tool", LoaderFailure.MissingLibrary, "libd.so.1"),
        new("libd", "/usr/lib64/libd.so.1.0.0"),
        new("libnew", "/usr/bin/libnew-tool"),
        new("libnew", "/usr/lib64/libnew.so.1.0.0"),
        new("libsame", "/usr/bin/libsame-tool"),
        new("libsame", "/usr/lib64/libsame.so.1.0.0"),
        new("libold", "/usr/bin/libold-tool"),
        new("libold", "/usr/lib64/libold.so.1.0.0"),
        new("libfeat", "/usr/bin/libfeat-tool"),
        new("libfeat", "/usr/lib64/libfeat.so.1.0.0"),
        new("libreq", "/usr/bin/libreq-tool"),
        new("libreq", "/usr/lib64/libreq.so.1.0.0"),
        new("privtool", "/usr/bin/privtool", LoaderFailure.UndefinedSymbol, "priv_two"),
        new("privtool", "/usr/lib64/privtool/libpriv.so"),
        new("app-ok", "/usr/bin/app-ok"),
        new("app-version", "/usr/bin/app-version", LoaderFailure.MissingVersion, "LIBA_2.0"),
        new("app-moved", "/usr/bin/app-moved", LoaderFailure.UndefinedSymbol, "b_bar", "LIBB_1.0"),
        new("app-gone", "/usr/bin/app-gone", LoaderFailure.MissingLibrary, "libgone.so.1"),
        new("app-grow", "/usr/bin/app-grow", SizeWarning: "grow_table"),
        new("app-feature", "/usr/bin/app-feature"),
    ];

    /// <summary>The applications, their installability on the rebuild and their intended verdicts (README.md's second table).</summary>
    public static ImmutableArray<ExpectedApplication> Applications { get; } =
    [
        new("app-ok", true, null, Verdict.Compatible),
        new("app-version", false, "liba.so.1(LIBA_2.0)(64bit)", Verdict.Incompatible),
        new("app-moved", true, null, Verdict.Incompatible),
        new("app-gone", false, "libgone.so.1()(64bit)", Verdict.Incompatible),
        new("app-grow", true, null, Verdict.Incompatible),
        new("app-feature", false, "sample-feature >= 1.0", Verdict.Incompatible),
    ];

    /// <summary>
    /// Every Provides/Requires difference between the reference's and the rebuild's build of a package, leaving out
    /// the package's own name and the rpmlib() requirements; packages not listed declare the same.
    /// </summary>
    public static ImmutableArray<ExpectedDependencyDrift> DependencyDrift { get; } =
    [
        new("liba", "provides", ["liba.so.1(LIBA_2.0)(64bit)"], []),
        new("liba", "requires", ["liba.so.1(LIBA_2.0)(64bit)"], []),
        // The rebuild's libb-tool binds b_bar at its new node.
        new("libb", "requires", [], ["libb.so.1(LIBB_2.0)(64bit)"]),
        new("libd", "provides", ["libd.so.1()(64bit)"], ["libd.so.2()(64bit)"]),
        new("libd", "requires", ["libd.so.1()(64bit)"], ["libd.so.2()(64bit)"]),
        new("libnew", "provides", [], ["libnew.so.1(NEW_1.1)(64bit)"]),
        new("libfeat", "provides", ["sample-feature = 1.0"], []),
        new("libreq", "requires", [], ["sample-helper >= 1.0"]),
    ];

    /// <summary>What abipkgdiff reports for each reference/rebuild pair (the packages both sets have).</summary>
    public static ImmutableArray<ExpectedAbipkgdiff> Abipkgdiff { get; } =
    [
        new("liba", 12, ["[D] liba_two@@LIBA_2.0"]),
        // abipkgdiff sees b_bar@@LIBB_1.0 go, but says nothing of b_bar@@LIBB_2.0 arriving.
        new("libb", 12, ["[D] b_bar@@LIBB_1.0"]),
        new("libplain", 12, ["[D] plain_two"]),
        // Without debug info abipkgdiff does not see grow_table's size: the loader's warning is the only witness.
        new("libgrow", 0, []),
        // A SONAME bump is a removed and an added binary, not an ABI change, for abipkgdiff.
        new("libd", 0, ["[D] /usr/lib64/libd.so.1.0.0, SONAME: libd.so.1", "[A] /usr/lib64/libd.so.2.0.0, SONAME: libd.so.2"]),
        new("libnew", 4, ["[A] new_two@@NEW_1.1"]),
        new("libsame", 0, []),
        new("libold", 0, []),
        new("libfeat", 0, []),
        new("libreq", 0, []),
        new("privtool", 12, ["[D] priv_two"]),
        new("sampledata", 0, []),
    ];

    /// <summary>The rebuild's own package that libsolv cannot install from the rebuild, and why.</summary>
    public static (string Package, string NothingProvides) RebuildUninstallable { get; } = ("libreq", "sample-helper >= 1.0");

    /// <summary>Paths of sampledata that the rebuild removed or turned into something else.</summary>
    public static ImmutableArray<(string Path, string ReferenceType, string? RebuildType)> FileDrift { get; } =
    [
        ("/usr/share/sampledata/gone.txt", "file", null),
        ("/usr/share/sampledata/mode.txt", "file", "symlink"),
    ];

    private static ImmutableArray<string> Rpms(string folder)
        => [.. Directory.GetFiles(folder, "*.rpm").Order(StringComparer.Ordinal)];
}
