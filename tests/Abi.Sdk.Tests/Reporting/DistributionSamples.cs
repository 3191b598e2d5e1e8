using System.Collections.Immutable;
using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Distribution;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.Distribution;
using Abi.Sdk.Tests.TestSupport;
using FixturePairTests = Abi.Sdk.Tests.Abi.FixturePairTests;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// Hand-built package and distribution diffs for the report tests: every verdict, a read error, loader problems with
/// their NEEDED chains (real loader-model verdicts of the compat fixtures, run against the target folder), library
/// diffs (real ABI diffs of the fixture pairs), a private library, and names and paths that try to inject markup.
/// </summary>
public static class DistributionSamples
{
    /// <summary>A package name and a path that would run script if a report did not escape them.</summary>
    public const string EvilName = "evil<script>window.__pwned=1</script>";

    /// <summary>A path with markup that would run script (and fetch) if rendered as HTML.</summary>
    public const string EvilPath = "/usr/share/evil/<img src=x onerror=\"window.__pwned=2\">.txt";

    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    public static RpmNevra Nevra(string name, string version, string release, long? epoch = null, string arch = "x86_64") => new(name, epoch, version, release, arch);

    public static DistributionDiagnostic Finding(AbiDiagnosticDescriptor descriptor, string? package, string? path, params object?[] args) =>
        new(descriptor, descriptor.DefaultSeverity, string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, args)) { Package = package, Path = path };

    /// <summary>The loader model's verdict on a compat fixture application, run against a folder of libraries.</summary>
    public static CompatibilityVerdict Check(string app, string libraries = "target")
    {
        using var target = Target.LibraryPaths([Path.Combine(Out, libraries)]);
        return CompatibilityChecker.Check(Path.Combine(Out, "apps", app), target);
    }

    /// <summary>One finding per loader problem (ABI3040–ABI3044), as a distribution diff words them, with the checked binary shown at its installed path.</summary>
    public static BinaryVerdict Binary(string package, string installedPath, CompatibilityVerdict check)
    {
        NeededChain At(NeededChain chain) => new(chain.Objects.SetItem(chain.Objects.Length - 1, installedPath));
        var findings = new List<DistributionDiagnostic>();
        foreach (var m in check.MissingLibraries)
        {
            findings.Add(Finding(DistributionDiagnosticIds.LibraryNotFound, package, installedPath, installedPath, m.Name, At(m.NeededBy)) with { NeededBy = At(m.NeededBy) });
        }

        foreach (var m in check.MissingVersions)
        {
            findings.Add(Finding(DistributionDiagnosticIds.VersionNotFound, package, installedPath, installedPath, m.Version, m.Library, At(m.RequiredBy).Object) with { NeededBy = At(m.RequiredBy) });
        }

        foreach (var m in check.MissingSymbols)
        {
            findings.Add(Finding(DistributionDiagnosticIds.SymbolNotFound, package, installedPath, installedPath, m.Version is null ? m.Name : $"{m.Name}, version {m.Version}", At(m.ReferencedBy).Object) with { NeededBy = At(m.ReferencedBy) });
        }

        foreach (var c in check.CopyRelocationSizeChanges)
        {
            findings.Add(Finding(DistributionDiagnosticIds.CopyRelocationSizeChanged, package, installedPath, installedPath, c.Name, c.TargetSize, Path.GetFileName(c.DefinedIn), c.LinkedSize) with { NeededBy = new([installedPath]) });
        }

        return new BinaryVerdict(package, installedPath, check, [.. findings]);
    }

    /// <summary>The ABI findings of a library pair, as a package diff reports them (lowered one step for a private library).</summary>
    public static IEnumerable<DistributionDiagnostic> LibraryFindings(string package, LibraryChange library) =>
        library.Diff.Diagnostics.Select(d => new DistributionDiagnostic(d.Descriptor, library.IsPrivate ? Lower(d.Severity) : d.Severity, $"{library.OldPath}: {d.Message}")
        {
            Package = package,
            Path = library.OldPath,
            LibraryDiagnostic = d,
        });

    private static AbiSeverity Lower(AbiSeverity s) => s switch
    {
        AbiSeverity.Incompatible => AbiSeverity.NeedsReview,
        AbiSeverity.NeedsReview => AbiSeverity.Compatible,
        _ => s,
    };

    private static ImmutableArray<DistributionDiagnostic> WorstFirst(IEnumerable<DistributionDiagnostic> findings) =>
        [.. findings.OrderByDescending(d => d.Severity).ThenBy(d => d.Id, StringComparer.Ordinal)];

    internal static RpmFile FileOf(string path, uint mode) =>
        new(0, path, 0, mode, RpmFileFlags.None, null, RpmDigestAlgorithm.None, null, "root", "root", 0, 0, 0, 0, null, null, 0, null, 0, []);

    /// <summary>libfix 1.0-1 → 1.0-2: a removed symbol (ABI1001), a private plugin that gained one, a new requirement, a removed and a retyped file.</summary>
    public static PackageDiff LibfixDiff()
    {
        var old = Nevra("libfix", "1.0", "1");
        var @new = Nevra("libfix", "1.0", "2");
        var pkg = old.ToString();
        var library = new LibraryChange("/usr/lib64/libfix.so.1", "/usr/lib64/libfix.so.1", false, FixturePairTests.Diff("symbol-removed"));
        var plugin = new LibraryChange("/usr/lib64/libfix/plugins/libplug.so", "/usr/lib64/libfix/plugins/libplug.so", true, FixturePairTests.Diff("symbol-added"));
        var requirement = RpmDependency.Parse("libm.so.6()(64bit)", RpmDependencyKind.Requires);
        var provide = RpmDependency.Parse("libfix-data = 1.0-1", RpmDependencyKind.Provides);
        var findings = LibraryFindings(pkg, library).Concat(LibraryFindings(pkg, plugin)).Concat(
        [
            Finding(DistributionDiagnosticIds.FileRemoved, pkg, "/usr/share/doc/libfix/README", pkg, "/usr/share/doc/libfix/README"),
            Finding(DistributionDiagnosticIds.FileTypeChanged, pkg, "/usr/lib64/libfix", pkg, "/usr/lib64/libfix", "a directory", "a symbolic link"),
            Finding(DistributionDiagnosticIds.DependencyChanged, pkg, null, pkg, "Requires", requirement, "added; the rebuild provides it"),
            Finding(DistributionDiagnosticIds.DependencyChanged, pkg, null, pkg, "Provides", provide, "removed; nothing in the reference requires it"),
        ]);
        return new PackageDiff(old, @new, EvrMove.Newer,
            [new DependencyChange(RpmDependencyKind.Provides, DependencyChangeKind.Removed, provide), new DependencyChange(RpmDependencyKind.Requires, DependencyChangeKind.Added, requirement)],
            [
                new FileChange("/usr/lib64/libfix", FileChangeKind.TypeChanged, FileOf("/usr/lib64/libfix", 0x41ed), FileOf("/usr/lib64/libfix", 0xa1ff)),
                new FileChange("/usr/share/doc/libfix/NEWS", FileChangeKind.Added, null, FileOf("/usr/share/doc/libfix/NEWS", 0x81a4)),
                new FileChange("/usr/share/doc/libfix/README", FileChangeKind.Removed, FileOf("/usr/share/doc/libfix/README", 0x81a4), null),
            ],
            [library, plugin],
            WorstFirst(findings));
    }

    /// <summary>A reference and its rebuild: every verdict, loader problems with chains, an application, a read error and hostile names.</summary>
    public static DistributionDiff SampleDistribution()
    {
        var packages = new List<PackageComparison>();

        // Incompatible: a library lost a symbol (and its package diff says more).
        var libfix = LibfixDiff();
        packages.Add(new PackageComparison("libfix", "x86_64", libfix.Old, libfix.New, libfix, [], libfix.Diagnostics));

        // Incompatible: binaries that do not load on the rebuild (a version missing two objects down, a library missing).
        var tools = Nevra("fix-tools", "2.1", "3");
        var deep = Binary(tools.ToString(), "/usr/bin/app_deep", Check("app_deep"));
        var missing = Binary(tools.ToString(), "/usr/bin/app_missing", Check("app_missing"));
        var fine = Binary(tools.ToString(), "/usr/bin/app_version", Check("app_version", "link"));
        var toolsDiff = new PackageDiff(tools, tools, EvrMove.Same, [], [], [], []);
        packages.Add(new PackageComparison("fix-tools", "x86_64", tools, tools, toolsDiff, [deep, missing, fine], WorstFirst(deep.Diagnostics.Concat(missing.Diagnostics))));

        // Incompatible: only in the reference.
        var gone = Nevra("libgone", "0.9", "7");
        packages.Add(new PackageComparison("libgone", "x86_64", gone, null, null, [], [Finding(DistributionDiagnosticIds.PackageMissing, gone.ToString(), null, gone, "libgone")]));

        // Review: replaced by a branding package; older in the rebuild.
        var release = Nevra("redhat-release", "9.4", "0.5", arch: "noarch");
        packages.Add(new PackageComparison("redhat-release", "noarch", release, null, null, [], [Finding(DistributionDiagnosticIds.PackageReplaced, release.ToString(), null, release, "almalinux-release-9.4-1.el9.noarch", "redhat-release")]));
        var zlibRef = Nevra("zlib", "1.2.11", "41", epoch: 1);
        var zlibAlt = Nevra("zlib", "1.2.11", "40", epoch: 1);
        var zlibFinding = Finding(DistributionDiagnosticIds.PackageDowngraded, zlibRef.ToString(), null, "zlib", zlibRef.EvrText, zlibAlt.EvrText);
        packages.Add(new PackageComparison("zlib", "x86_64", zlibRef, zlibAlt, new PackageDiff(zlibRef, zlibAlt, EvrMove.Older, [], [], [], [zlibFinding]), [], [zlibFinding]));

        // Review: hostile names; the reports must print them as text.
        var evil = Nevra(EvilName, "1", "1");
        var evilFinding = Finding(DistributionDiagnosticIds.FileRemoved, evil.ToString(), EvilPath, evil, EvilPath);
        packages.Add(new PackageComparison(EvilName, "x86_64", evil, evil, new PackageDiff(evil, evil, EvrMove.Same, [],
            [new FileChange(EvilPath, FileChangeKind.Removed, FileOf(EvilPath, 0x81a4), null)], [], [evilFinding]), [], [evilFinding]));

        // Compatible: identical; newer and only adding; only in the rebuild.
        var same = Nevra("bash", "5.1.8", "9");
        var bashBinary = Binary(same.ToString(), "/usr/bin/app_version", Check("app_version", "link"));
        packages.Add(new PackageComparison("bash", "x86_64", same, same, new PackageDiff(same, same, EvrMove.Same, [], [], [], []), [bashBinary], []));
        var addsRef = Nevra("libadds", "2.0", "1");
        var addsAlt = Nevra("libadds", "2.1", "1");
        var adds = new LibraryChange("/usr/lib64/libadds.so.2", "/usr/lib64/libadds.so.2", false, FixturePairTests.Diff("symbol-added"));
        var addsFindings = WorstFirst(LibraryFindings(addsRef.ToString(), adds));
        packages.Add(new PackageComparison("libadds", "x86_64", addsRef, addsAlt, new PackageDiff(addsRef, addsAlt, EvrMove.Newer, [], [], [adds], addsFindings), [], addsFindings));
        var extra = Nevra("almalinux-logos", "90.5", "1", arch: "noarch");
        packages.Add(new PackageComparison("almalinux-logos", "noarch", null, extra, null, [], [Finding(DistributionDiagnosticIds.PackageAdded, extra.ToString(), null, extra)]));

        // Applications: one that neither installs nor loads, one that does both.
        var myapp = Nevra("myapp", "2.0", "1");
        var myappBinary = Binary(myapp.ToString(), "/opt/myapp/bin/app_missing", Check("app_missing"));
        var record = new PackageRecord("myapp", Evr.Parse("2.0-1"), "x86_64", [RpmDependency.Parse("libgone.so.1()(64bit)")], ["/opt/myapp/bin/app_missing"], "apps/myapp-2.0-1.x86_64.rpm");
        var problem = new InstallProblem(record, RpmDependency.Parse("libgone.so.1()(64bit)"), InstallProblemKind.NothingProvides);
        var myappFindings = WorstFirst(myappBinary.Diagnostics.Append(Finding(DistributionDiagnosticIds.PackageNotInstallable, myapp.ToString(), null, myapp, problem)));
        var goodapp = Nevra("goodapp", "1.0", "1");
        var goodBinary = Binary(goodapp.ToString(), "/opt/goodapp/bin/app_version", Check("app_version", "link"));
        ImmutableArray<ApplicationVerdict> applications =
        [
            new ApplicationVerdict("apps/myapp-2.0-1.x86_64.rpm", myapp, [problem], [myappBinary], myappFindings),
            new ApplicationVerdict("apps/goodapp-1.0-1.x86_64.rpm", goodapp, [], [goodBinary], []),
        ];

        var error = new PackageReadError("alt/BaseOS/broken-1.0-1.x86_64.rpm", 96, "header index count 4294967295 exceeds the header size");
        ImmutableArray<DistributionDiagnostic> setFindings =
        [
            Finding(DistributionDiagnosticIds.PackageUnreadable, null, error.Path, error.Path, "at offset 96: " + error.Reason),
            Finding(DistributionDiagnosticIds.MergedUsrAssumed, null, null, "rebuild"),
        ];
        return new DistributionDiff(["ref/BaseOS", "ref/AppStream"], ["alt/BaseOS"],
            [.. packages.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Arch, StringComparer.Ordinal)], applications, setFindings, [error]);
    }

    /// <summary>Package diffs of every shape: the samples' and one per fixture library pair (every ABI1xxx finding; odd ones private).</summary>
    public static IEnumerable<PackageDiff> PackageDiffs()
    {
        yield return LibfixDiff();
        foreach (var p in SampleDistribution().Packages.Where(p => p.Diff is not null))
        {
            yield return p.Diff!;
        }

        foreach (var diff in RealPackageDiffs())
        {
            yield return diff;
        }

        int n = 0;
        foreach (var row in FixturePairTests.Cases)
        {
            var name = row.Data.Item1;
            var old = Nevra("fixture-" + name, "1", "1");
            var @new = Nevra("fixture-" + name, "1", "2");
            var library = new LibraryChange($"/usr/lib64/lib{name}.so.1", $"/usr/lib64/lib{name}.so.1", n++ % 2 == 1, FixturePairTests.Diff(name));
            yield return new PackageDiff(old, @new, EvrMove.Newer, [], [], [library], WorstFirst(LibraryFindings(old.ToString(), library)));
        }
    }

    /// <summary>Every reference/rebuild pair of the sample distribution (Fixtures/distro, real RPMs), compared by <see cref="PackageComparer"/> with the rebuild's set.</summary>
    public static IEnumerable<PackageDiff> RealPackageDiffs()
    {
        var rebuild = PackageSet.Load(DistroFixtures.RebuildPackages);
        foreach (var p in DistroFixtures.Packages.Where(p => p.RebuildEvr is not null))
        {
            var oldPath = DistroFixtures.Package(DistroFixtures.Reference, p.Name)!;
            var newPath = DistroFixtures.Package(DistroFixtures.Rebuild, p.Name)!;
            yield return PackageComparer.Default.Compare(PackageContent.Read(oldPath), PackageContent.Read(newPath), rebuild);
        }
    }

    /// <summary>Distribution diffs: the sample, each of its packages and applications alone, an empty one, and one of the real package pairs of Fixtures/distro.</summary>
    public static IEnumerable<DistributionDiff> Distributions()
    {
        var sample = SampleDistribution();
        yield return sample;
        foreach (var p in sample.Packages)
        {
            yield return sample with { Packages = [p], Applications = [], Diagnostics = [], Errors = [] };
        }

        foreach (var a in sample.Applications)
        {
            yield return sample with { Packages = [], Applications = [a], Diagnostics = [], Errors = [] };
        }

        yield return new DistributionDiff([], [], [], [], [], []);

        // The sample distribution's real package pairs, as PackageComparer finds them.
        var real = RealPackageDiffs().Select(d => new PackageComparison(d.Old.Name, d.Old.Arch, d.Old, d.New, d, [], d.Diagnostics));
        yield return new DistributionDiff([DistroFixtures.Reference], [DistroFixtures.Rebuild], [.. real.OrderBy(p => p.Name, StringComparer.Ordinal)], [], [], []);
    }
}
