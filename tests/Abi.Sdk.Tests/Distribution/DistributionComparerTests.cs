using System.Text.RegularExpressions;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Distribution;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>
/// The sample sets built by build-sample-sets.sh (gcc, rpmbuild; in a temporary folder, once per test run): a
/// reference, its rebuild with every kind of drift the loader cares about, two applications and a C library packaged
/// the RPM way.
/// </summary>
internal static partial class SampleSets
{
    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Root
    {
        get
        {
            Tools.Require("gcc", "gcc");
            Tools.Require("rpmbuild", "rpm");
            return Built.Value;
        }
    }

    public static string Reference => Path.Combine(Root, "reference");

    public static string Rebuild => Path.Combine(Root, "rebuild");

    public static string Glibc => Path.Combine(Root, "glibc");

    public static string[] Apps => [.. Directory.GetFiles(Path.Combine(Root, "apps"), "*.rpm").Order(StringComparer.Ordinal)];

    private static string Build()
    {
        var dir = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"distdiff-{Environment.ProcessId}");
        var script = Path.Combine(Paths.RepositoryRoot, "tests", "Abi.Sdk.Tests", "Distribution", "build-sample-sets.sh");
        var (code, stdout, stderr) = Tools.Run("bash", [script, dir]);
        if (code != 0)
        {
            throw new InvalidOperationException($"build-sample-sets.sh failed ({code}): {stdout}{stderr}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temporary-file cleanup.
            }
        };
        return dir;
    }

    /// <summary>Extracts packages into a fresh folder with rpm2cpio | cpio, as installing them would lay them out.</summary>
    public static string Extract(string name, IEnumerable<string> rpms)
    {
        var rpm2cpio = Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        var tree = Path.Combine(Root, "trees", name);
        if (Directory.Exists(tree))
        {
            Directory.Delete(tree, recursive: true);
        }

        Directory.CreateDirectory(tree);
        foreach (var rpm in rpms)
        {
            var (code, _, stderr) = Tools.Run("/bin/sh", ["-c", $"'{rpm2cpio}' '{rpm}' | cpio -idm --quiet"], workingDirectory: tree);
            Assert.True(code == 0, stderr);
        }

        return tree;
    }

    /// <summary>
    /// What glibc's loader says of a binary with the tree's lib64 folder on LD_LIBRARY_PATH: ldd -r (LD_BIND_NOW with
    /// every relocation processed), as a set of problems: lib:NAME, ver:VERSION, sym:NAME[@VERSION], copy:NAME.
    /// </summary>
    public static SortedSet<string> LoaderProblems(string binary, string tree)
    {
        var ldd = Tools.Require("ldd", "libc-bin");
        var (_, stdout, stderr) = Tools.Run(ldd, ["-r", binary], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = Path.Combine(tree, "usr", "lib64") });
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in (stdout + "\n" + stderr).Split('\n'))
        {
            if (NotFound().Match(line) is { Success: true } m)
            {
                problems.Add("lib:" + m.Groups[1].Value);
            }
            else if (VersionNotFound().Match(line) is { Success: true } v)
            {
                problems.Add("ver:" + v.Groups[1].Value);
            }
            else if (Undefined().Match(line) is { Success: true } u)
            {
                problems.Add("sym:" + u.Groups[1].Value + (u.Groups[2].Success ? "@" + u.Groups[2].Value : ""));
            }
            else if (SizeChanged().Match(line) is { Success: true } s)
            {
                problems.Add("copy:" + s.Groups[1].Value);
            }
        }

        return problems;
    }

    /// <summary>The same set from our findings.</summary>
    public static SortedSet<string> Problems(BinaryVerdict verdict)
    {
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        var c = verdict.Check;
        foreach (var d in verdict.Diagnostics)
        {
            switch (d.Id)
            {
                case "ABI3040": problems.Add("lib:" + c.MissingLibraries.Single(m => d.Message.Contains($": {m.Name}: ", StringComparison.Ordinal)).Name); break;
                case "ABI3041": problems.Add("ver:" + c.MissingVersions.Single(m => d.Message.Contains($"'{m.Version}'", StringComparison.Ordinal)).Version); break;
                case "ABI3042":
                    var s = c.MissingSymbols.Single(m => d.Message.Contains($"symbol: {(m.Version is null ? m.Name : $"{m.Name}, version {m.Version}")} ", StringComparison.Ordinal));
                    problems.Add("sym:" + s.Name + (s.Version is null ? "" : "@" + s.Version));
                    break;
                case "ABI3043": problems.Add("copy:" + c.CopyRelocationSizeChanges.Single(m => d.Message.Contains($"'{m.Name}'", StringComparison.Ordinal)).Name); break;
                default: problems.Add(d.Id); break;
            }
        }

        return problems;
    }

    [GeneratedRegex(@"^\s*(\S+) => not found")]
    private static partial Regex NotFound();

    [GeneratedRegex(@"version `([^']+)' not found")]
    private static partial Regex VersionNotFound();

    [GeneratedRegex(@"undefined symbol: ([^,\s]+)(?:, version (\S+))?")]
    private static partial Regex Undefined();

    [GeneratedRegex(@"Symbol `([^']+)' has different size in shared object")]
    private static partial Regex SizeChanged();
}

public class DistributionComparerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>This machine beneath the sets: the samples have no C library of their own (they were built here).</summary>
    private static DistributionDiff CompareSamples(IEnumerable<string>? reference = null, IEnumerable<string>? rebuild = null, IEnumerable<string>? apps = null, bool withBase = true)
    {
        var a = PackageCollection.Open(reference ?? [SampleSets.Reference], cancellationToken: Cancel);
        var b = PackageCollection.Open(rebuild ?? [SampleSets.Rebuild], cancellationToken: Cancel);
        using var host = withBase ? Target.Sysroot("/") : null;
        var comparer = DistributionComparer.Default with { BaseSystem = host };
        return comparer.Compare(a, b, apps, cancellationToken: Cancel);
    }

    [Fact]
    public void Every_reference_binary_loads_on_the_rebuild_as_glibcs_loader_says()
    {
        var diff = CompareSamples();
        var tree = SampleSets.Extract("rebuild", Directory.GetFiles(SampleSets.Rebuild, "*.rpm"));
        var reference = SampleSets.Extract("reference", Directory.GetFiles(SampleSets.Reference, "*.rpm"));
        var binaries = diff.Packages.SelectMany(p => p.Binaries).ToList();
        Assert.Equal(10, binaries.Count); // 7 tools, 3 libraries
        foreach (var binary in binaries)
        {
            // The reference's binary placed where its package installs it, in the extracted rebuild.
            var placed = Path.Combine(Path.Combine(SampleSets.Root, "trees"), "placed" + binary.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(placed)!);
            File.Copy(reference + binary.Path, placed, overwrite: true);
            var truth = SampleSets.LoaderProblems(placed, tree);
            if (!binary.Check.IsDynamic)
            {
                Assert.Empty(binary.Diagnostics);
                continue;
            }

            Assert.True(truth.SetEquals(SampleSets.Problems(binary)), $"{binary.Path}: loader {string.Join(' ', truth)}; ours {string.Join(' ', SampleSets.Problems(binary))}");
        }

        // Every kind of drift is there, and decides the verdict.
        string[] Of(string path) => [.. SampleSets.Problems(binaries.Single(b => b.Path == path))];
        Assert.Empty(Of("/usr/bin/tool_ok"));
        Assert.Equal(["sym:drift_new@VER_2", "ver:VER_2"], Of("/usr/bin/tool_version"));
        Assert.Equal(["sym:drift_gone@VER_1"], Of("/usr/bin/tool_gone"));
        Assert.Equal(["sym:plain_gone"], Of("/usr/bin/tool_plain"));
        Assert.Equal(["lib:libonly.so.1", "sym:only_f"], Of("/usr/bin/tool_only"));
        Assert.Equal(["copy:drift_obj"], Of("/usr/bin/tool_copy"));
        Assert.False(binaries.Single(b => b.Path == "/usr/bin/tool_static").Check.IsDynamic);
        var only = binaries.Single(b => b.Path == "/usr/bin/tool_only").Diagnostics.First(d => d.Id == "ABI3040");
        Assert.Equal(["/usr/bin/tool_only"], only.NeededBy!.Objects);
        Assert.Equal("tools-1.0-1.x86_64", only.Package);

        var tools = diff.Packages.Single(p => p.Name == "tools");
        Assert.Equal(Verdict.Incompatible, tools.Verdict);
        Assert.Equal("ABI3001", diff.Packages.Single(p => p.Name == "libonly").Diagnostics[0].Id);
        Assert.Equal("ABI3002", diff.Packages.Single(p => p.Name == "branding").Diagnostics.Single().Id);
        Assert.Equal("ABI3003", diff.Packages.Single(p => p.Name == "rb-branding").Diagnostics.Single().Id);
        Assert.Empty(diff.Errors);
        Assert.DoesNotContain(diff.Diagnostics, d => d.Id == "ABI3060"); // this machine has the merged-/usr links
        Assert.Equal(12, diff.ExitCode);
    }

    [Fact]
    public void Applications_load_as_glibcs_loader_says_and_install_as_libsolv_says()
    {
        var installcheck = RpmInstallcheck();
        var createrepo = Tools.Require("createrepo_c", "createrepo-c");
        // The rebuild with its C library packaged (it provides rtld(GNU_HASH), which every library requires).
        var rebuildRpms = Directory.GetFiles(SampleSets.Rebuild, "*.rpm").Concat(Directory.GetFiles(SampleSets.Glibc, "*.rpm")).ToList();
        var diff = CompareSamples(rebuild: [SampleSets.Rebuild, SampleSets.Glibc], apps: SampleSets.Apps);
        Assert.Equal(2, diff.Applications.Length);
        foreach (var app in diff.Applications)
        {
            var tree = SampleSets.Extract("app-" + app.Package.Name, rebuildRpms.Append(app.Path));
            foreach (var binary in app.Binaries)
            {
                var truth = SampleSets.LoaderProblems(tree + binary.Path, tree);
                Assert.True(truth.SetEquals(SampleSets.Problems(binary)), $"{binary.Path}: loader {string.Join(' ', truth)}; ours {string.Join(' ', SampleSets.Problems(binary))}");
            }

            // libsolv's installcheck over the rebuild's packages plus the application.
            var repo = Path.Combine(SampleSets.Root, "repos", "with-" + app.Package.Name);
            Directory.CreateDirectory(repo);
            foreach (var rpm in rebuildRpms.Append(app.Path))
            {
                File.Copy(rpm, Path.Combine(repo, Path.GetFileName(rpm)), overwrite: true);
            }

            var (code, _, stderr) = Tools.Run(createrepo, ["--quiet", repo]);
            Assert.True(code == 0, stderr);
            var (_, stdout, _) = Tools.Run(installcheck, ["x86_64", Path.Combine(repo, "repodata", Directory.GetFiles(Path.Combine(repo, "repodata"), "*primary.xml*").Select(Path.GetFileName).Single()!)]);
            var expected = InstallcheckLinesFor(stdout, app.Package.ToString());
            // The lines as a set: their order follows the order of the packages in the set, which here is the
            // folder's, there createrepo_c's (InstallCheckDifferentialTests holds the order on one metadata file).
            Assert.Equal(expected.Order(StringComparer.Ordinal), app.InstallProblems.Select(p => p.ToString()).Order(StringComparer.Ordinal));
            Assert.Equal(expected.Count, app.Diagnostics.Count(d => d.Id == "ABI3050"));
        }

        var ok = diff.Applications.Single(a => a.Package.Name == "app");
        Assert.True(ok.IsInstallable);
        Assert.Equal(Verdict.Compatible, ok.Verdict);
        Assert.Contains(ok.Binaries.Single(b => b.Path == "/opt/app/bin/app").Check.LoadOrder, o => o.Path == "/opt/app/lib/libbundle.so");
        var broken = diff.Applications.Single(a => a.Package.Name == "app2");
        Assert.False(broken.IsInstallable);
        Assert.Contains(broken.Diagnostics, d => d.Id == "ABI3041");
    }

    [Fact]
    public void The_sample_distribution_loads_and_installs_as_glibcs_loader_and_libsolv_say()
    {
        var installcheck = RpmInstallcheck();
        var truth = LoaderTruth.OnRebuild();
        var reference = PackageCollection.Open([DistroFixtures.Reference], cancellationToken: Cancel);
        var rebuild = PackageCollection.Open([DistroFixtures.Rebuild], cancellationToken: Cancel);
        using var host = Target.Sysroot("/");
        var diff = (DistributionComparer.Default with { BaseSystem = host }).Compare(reference, rebuild, DistroFixtures.AppPackages, cancellationToken: Cancel);
        var ours = diff.Packages.SelectMany(p => p.Binaries.Select(b => (p.Name, b)))
            .Concat(diff.Applications.SelectMany(a => a.Binaries.Select(b => (a.Package.Name, b))))
            .ToDictionary(x => (x.Item1, x.b.Path), x => x.b);
        Assert.Equal(truth.Length, ours.Count);
        Assert.Equal(DistroFixtures.OnRebuild.Length, truth.Length);
        foreach (var r in truth)
        {
            var loader = new SortedSet<string>(StringComparer.Ordinal);
            loader.UnionWith(r.Ldd.MissingLibraries.Select(l => "lib:" + l));
            loader.UnionWith(r.Ldd.MissingVersions.Select(v => "ver:" + v.Version));
            loader.UnionWith(r.Ldd.MissingSymbols.Select(m => "sym:" + m.Name + (m.Version is null ? "" : "@" + m.Version)));
            loader.UnionWith(r.SizeWarnings.Select(w => "copy:" + w));
            var binary = ours[(r.Package, r.Path)];
            Assert.True(loader.SetEquals(SampleSets.Problems(binary)), $"{r.Package} {r.Path}: loader {string.Join(' ', loader)}; ours {string.Join(' ', SampleSets.Problems(binary))}");
        }

        // This machine, beneath the sets, supplies the merged-/usr links the sets lack: nothing is assumed.
        Assert.Equal(host.IsHost && new DirectoryInfo("/lib64").LinkTarget is not null ? 0 : 2, diff.Diagnostics.Count(d => d.Id == "ABI3060"));
        foreach (var expected in DistroFixtures.Applications)
        {
            var app = diff.Applications.Single(a => a.Package.Name == expected.Name);
            Assert.Equal(expected.InstallableOnRebuild, app.IsInstallable);
            var said = InstallcheckSays(installcheck, DistroFixtures.RebuildPackages.Append(app.Path), app.Package.ToString());
            Assert.Equal(said.Order(StringComparer.Ordinal), app.InstallProblems.Select(p => p.ToString()).Order(StringComparer.Ordinal));
            if (expected.NothingProvides is { } missing)
            {
                Assert.Contains(app.InstallProblems, p => p.NothingProvides && p.Requirement!.ToString() == missing);
            }
        }

        // The repository (its repodata) and the package files give the same set.
        var files = PackageCollection.Open(DistroFixtures.RebuildPackages, cancellationToken: Cancel);
        Assert.All(rebuild.Packages, p => Assert.Equal(DistroFixtures.Rebuild, p.Repository));
        Assert.Equal(files.Newest.Select(p => p.Nevra), rebuild.Newest.Select(p => p.Nevra));
    }

    [Fact]
    public void Without_a_c_library_the_findings_are_those_with_one()
    {
        // Neither set has glibc: every binary misses libc.so.6 and its interpreter on the reference as on the
        // rebuild, which is not the rebuild's doing; what remains is what this machine's glibc beneath shows.
        var reference = PackageCollection.Open([DistroFixtures.Reference], cancellationToken: Cancel);
        var rebuild = PackageCollection.Open([DistroFixtures.Rebuild], cancellationToken: Cancel);
        using var host = Target.Sysroot("/");
        var with = (DistributionComparer.Default with { BaseSystem = host }).Compare(reference, rebuild, DistroFixtures.AppPackages, cancellationToken: Cancel);
        var without = DistributionComparer.Default.Compare(reference, rebuild, DistroFixtures.AppPackages, cancellationToken: Cancel);
        static IEnumerable<string> Findings(DistributionDiff d)
            => d.Packages.SelectMany(p => p.Diagnostics.Select(x => $"{p.Name} {x}"))
                .Concat(d.Applications.SelectMany(a => a.Diagnostics.Select(x => $"{a.Package.Name} {x}")));
        Assert.Equal(Findings(with), Findings(without));
        Assert.Equal(2, without.Diagnostics.Count(d => d.Id == "ABI3060"));
        var tool = without.Packages.Single(p => p.Name == "libsame").Binaries.Single(b => b.Path == "/usr/bin/libsame-tool");
        Assert.Contains(tool.Check.LoadOrder, o => o.Name == "libsame.so.1" && o.Path == "/usr/lib64/libsame.so.1.0.0");
        Assert.Contains(tool.Check.MissingLibraries, m => m.Name == "libc.so.6");
        Assert.Empty(tool.Diagnostics);
    }

    [Fact]
    public void A_repository_whose_locations_leave_it_is_refused_package_by_package()
    {
        // createrepo_c wrote hrefs '../reference/NAME.rpm' there: outside the folder given, so each is refused.
        var set = PackageCollection.Open([DistroFixtures.ReferenceRepository], cancellationToken: Cancel);
        Assert.Empty(set.Packages);
        Assert.Equal(DistroFixtures.ReferencePackages.Length, set.Errors.Length);
        Assert.All(set.Errors, e => Assert.Contains("location href '../reference/", e.Reason, StringComparison.Ordinal));
    }

    private static List<string> InstallcheckSays(string installcheck, IEnumerable<string> rpms, string nevra)
    {
        var createrepo = Tools.Require("createrepo_c", "createrepo-c");
        var repo = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"installcheck-{Environment.ProcessId}-{nevra}");
        if (Directory.Exists(repo))
        {
            Directory.Delete(repo, recursive: true);
        }

        Directory.CreateDirectory(repo);
        try
        {
            foreach (var rpm in rpms)
            {
                File.Copy(rpm, Path.Combine(repo, Path.GetFileName(rpm)), overwrite: true);
            }

            var (code, _, stderr) = Tools.Run(createrepo, ["--quiet", repo]);
            Assert.True(code == 0, stderr);
            var primary = Directory.GetFiles(Path.Combine(repo, "repodata"), "*primary.xml*").Single();
            var (_, stdout, _) = Tools.Run(installcheck, ["x86_64", primary]);
            return InstallcheckLinesFor(stdout, nevra);
        }
        finally
        {
            Directory.Delete(repo, recursive: true);
        }
    }

    /// <summary>The lines installcheck prints under "can't install NEVRA:", without their indentation and the "(we have …)" lines.</summary>
    private static List<string> InstallcheckLinesFor(string output, string nevra)
    {
        var lines = new List<string>();
        bool inside = false;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("can't install ", StringComparison.Ordinal))
            {
                inside = line == $"can't install {nevra}:";
            }
            else if (inside && line.StartsWith("  ", StringComparison.Ordinal) && !line.TrimStart().StartsWith("(we have", StringComparison.Ordinal))
            {
                lines.Add(line.Trim());
            }
        }

        return lines;
    }

    private static string RpmInstallcheck()
    {
        var path = Environment.GetEnvironmentVariable("ABI_LIBSOLV_RPM_INSTALLCHECK") is { Length: > 0 } set
            ? set
            : Path.Combine(Paths.RepositoryRoot, "tests", "tools", ".cache", "libsolv-rpm", "bin", "installcheck");
        if (!File.Exists(path))
        {
            Assert.Skip($"rpm-flavoured libsolv installcheck not built ({path}): run tests/tools/build-libsolv-rpm.sh (.ci/run does)");
        }

        return path;
    }

    [Fact]
    public void A_repository_gives_what_the_folder_gives()
    {
        var createrepo = Tools.Require("createrepo_c", "createrepo-c");
        var repo = Path.Combine(SampleSets.Root, "repos", "rebuild");
        var packages = Path.Combine(repo, "Packages");
        Directory.CreateDirectory(packages);
        foreach (var rpm in Directory.GetFiles(SampleSets.Rebuild, "*.rpm"))
        {
            File.Copy(rpm, Path.Combine(packages, Path.GetFileName(rpm)), overwrite: true);
        }

        var (code, _, stderr) = Tools.Run(createrepo, ["--quiet", repo]);
        Assert.True(code == 0, stderr);
        var fromRepository = PackageCollection.Open([repo], cancellationToken: Cancel);
        Assert.All(fromRepository.Packages, p => Assert.Equal(repo, p.Repository));
        Assert.Equal(
            PackageCollection.Open([SampleSets.Rebuild], cancellationToken: Cancel).Newest.Select(p => p.Nevra),
            fromRepository.Newest.Select(p => p.Nevra));

        var folder = CompareSamples();
        var repository = CompareSamples(rebuild: [repo]);
        Assert.Equal(Summary(folder), Summary(repository));
    }

    private static List<string> Summary(DistributionDiff diff)
        => [.. diff.Packages.SelectMany(p => p.Diagnostics.Select(d => $"{p.Name}.{p.Arch} {d}")), .. diff.Diagnostics.Select(d => d.ToString())];

    [Fact]
    public void Merged_inputs_keep_the_newest_build_of_each_name_and_architecture()
    {
        // BaseOS + AppStream style: two inputs, one a repository; libdrift and libplain are in both, at 1.0-1 and 1.0-2.
        var merged = PackageCollection.Open([SampleSets.Reference, DistroFixtures.Rebuild, Path.Combine(SampleSets.Rebuild, "libdrift-1.0-2.x86_64.rpm")], cancellationToken: Cancel);
        Assert.Equal("libdrift-1.0-2.x86_64", merged.Find("libdrift", "x86_64")!.Nevra.ToString());
        Assert.Equal("libplain-1.0-1.el9.alma.x86_64", merged.Find("libplain", "x86_64")!.Nevra.ToString()); // 1.0-1.el9.alma > 1.0-1, as rpm orders them
        Assert.Equal("libold-2.0-2.el9.x86_64", merged.Find("libold", "x86_64")!.Nevra.ToString());
        Assert.Equal(merged.Newest.Select(p => (p.Nevra.Name, p.Nevra.Arch)).Distinct().Count(), merged.Newest.Length);
        Assert.Equal(merged.Packages.Length, merged.Set.Packages.Length);
        Assert.Null(merged.Find("libdrift", "i686"));
        var (code, stdout, _) = Tools.Run(Tools.Require("rpm", "rpm"), ["--eval", "%{lua: print(rpm.vercmp('1.0-1.el9.alma', '1.0-1'))}"]);
        Assert.Equal(0, code);
        Assert.Equal("1", stdout.Trim());
    }

    [Fact]
    public void Repository_locations_outside_the_repository_are_refused()
    {
        var root = Path.Combine(Path.GetTempPath(), "repo");
        Assert.Equal(Path.Combine(root, "Packages", "a.rpm"), PackageCollection.LocationOf(root, "Packages/a.rpm"));
        Assert.Null(PackageCollection.LocationOf(root, "../a.rpm"));
        Assert.Null(PackageCollection.LocationOf(root, "Packages/../../a.rpm"));
        Assert.Null(PackageCollection.LocationOf(root, "/etc/a.rpm"));
        Assert.Null(PackageCollection.LocationOf(root, "https://example.org/a.rpm"));
        Assert.Null(PackageCollection.LocationOf(root, ""));
    }

    [Fact]
    public void Without_the_filesystem_package_merged_usr_is_assumed_and_the_interpreter_resolves()
    {
        string[] rebuild = [SampleSets.Rebuild, SampleSets.Glibc];
        var diff = CompareSamples(rebuild: rebuild, withBase: false);
        var layout = diff.Diagnostics.Where(d => d.Id == "ABI3060").Select(d => d.Message).ToList();
        Assert.Equal(2, layout.Count);
        Assert.Contains(layout, m => m.Contains("rebuild set", StringComparison.Ordinal));
        Assert.Contains(layout, m => m.Contains("reference set", StringComparison.Ordinal));
        var ok = diff.Packages.SelectMany(p => p.Binaries).Single(b => b.Path == "/usr/bin/tool_ok");
        Assert.True(ok.Check.IsCompatible, ok.Check.ToString());
        Assert.Contains(ok.Check.LoadOrder, o => o.Name == "libc.so.6" && o.Path == "/usr/lib64/libc.so.6");

        // What the payloads alone give (no links): the interpreter is not found.
        using var plain = Target.FromRpms(rebuild.SelectMany(f => Directory.GetFiles(f, "*.rpm")), cancellationToken: Cancel);
        using var toolOk = ElfImage.Open(Path.Combine(SampleSets.Root, "build", "ref", "tool_ok"));
        var without = CompatibilityChecker.CheckAt(toolOk, "/usr/bin/tool_ok", plain);
        Assert.Contains(without.MissingLibraries, m => m.Name == "/lib64/ld-linux-x86-64.so.2");
    }

    [Fact]
    public void CheckAt_places_the_binary_in_the_target_as_installing_it_would()
    {
        // The application's bundled library is found through RUNPATH $ORIGIN/../lib in the target, as CheckInstalled finds it.
        var app = SampleSets.Apps.Single(a => Path.GetFileName(a).StartsWith("app-", StringComparison.Ordinal));
        using var target = Target.FromRpms([app, .. Directory.GetFiles(SampleSets.Rebuild, "*.rpm")], cancellationToken: Cancel);
        using var image = ElfImage.Open(Path.Combine(SampleSets.Root, "build", "app", "app"));
        var at = CompatibilityChecker.CheckAt(image, "/opt/app/bin/app", target);
        var installed = CompatibilityChecker.CheckInstalled("/opt/app/bin/app", target);
        Assert.Equal(installed.LoadOrder.Select(o => (o.Name, o.Path)), at.LoadOrder.Select(o => (o.Name, o.Path)));
        Assert.Contains(at.LoadOrder, o => o.Path == "/opt/app/lib/libbundle.so" && !o.FromHost);
        Assert.Throws<ArgumentException>(() => { CompatibilityChecker.CheckAt(image, "opt/app/bin/app", target); });
    }

    [Fact]
    public void A_corrupt_package_is_one_error_and_the_others_are_still_compared()
    {
        var bad = Path.Combine(SampleSets.Root, "corrupt");
        Directory.CreateDirectory(bad);
        foreach (var rpm in Directory.GetFiles(SampleSets.Reference, "*.rpm"))
        {
            File.Copy(rpm, Path.Combine(bad, Path.GetFileName(rpm)), overwrite: true);
        }

        // A package cut in its main header.
        var source = File.ReadAllBytes(Path.Combine(SampleSets.Reference, "libplain-1.0-1.x86_64.rpm"));
        File.Delete(Path.Combine(bad, "libplain-1.0-1.x86_64.rpm"));
        File.WriteAllBytes(Path.Combine(bad, "libplain-cut.rpm"), source[..2000]);
        var diff = CompareSamples(reference: [bad]);
        var error = Assert.Single(diff.Errors);
        Assert.EndsWith("libplain-cut.rpm", error.Path, StringComparison.Ordinal);
        Assert.NotNull(error.Offset);
        Assert.Single(diff.Diagnostics, d => d.Id == "ABI3090");
        Assert.Equal(1, diff.ExitCode & 1);
        Assert.Equal(13, diff.ExitCode);
        Assert.Contains(diff.Packages, p => p.Name == "tools" && p.Binaries.Length == 7);
        Assert.Equal("ABI3003", diff.Packages.Single(p => p.Name == "libplain").Diagnostics.Single().Id);
    }

    [Fact]
    public void A_package_whose_payload_is_corrupt_is_paired_with_its_error_and_no_binaries()
    {
        var bad = Path.Combine(SampleSets.Root, "corrupt-payload");
        Directory.CreateDirectory(bad);
        foreach (var rpm in Directory.GetFiles(SampleSets.Reference, "*.rpm"))
        {
            File.Copy(rpm, Path.Combine(bad, Path.GetFileName(rpm)), overwrite: true);
        }

        // The headers stay whole; bytes near the end of the compressed payload are changed.
        var path = Path.Combine(bad, "libdrift-1.0-1.x86_64.rpm");
        var bytes = File.ReadAllBytes(path);
        for (int i = bytes.Length - 120; i < bytes.Length - 60; i++)
        {
            bytes[i] ^= 0x5a;
        }

        File.WriteAllBytes(path, bytes);
        var (rpmCode, _, _) = Tools.Run(Tools.Require("rpm", "rpm"), ["-qp", "--nosignature", "--nodigest", path]);
        Assert.Equal(0, rpmCode); // rpm reads the headers too
        var diff = CompareSamples(reference: [bad]);
        var error = Assert.Single(diff.Errors);
        Assert.Equal(path, error.Path);
        Assert.NotNull(error.Offset);
        var drift = diff.Packages.Single(p => p.Name == "libdrift");
        Assert.Empty(drift.Binaries);
        Assert.Equal("ABI3090", drift.Diagnostics.Single().Id);
        Assert.Equal(7, diff.Packages.Single(p => p.Name == "tools").Binaries.Length);
        Assert.Equal(13, diff.ExitCode);
    }

    [Fact]
    public void Progress_is_reported_per_package_and_cancellation_is_honoured()
    {
        var a = PackageCollection.Open([SampleSets.Reference], cancellationToken: Cancel);
        var b = PackageCollection.Open([SampleSets.Rebuild], cancellationToken: Cancel);
        var reports = new List<OperationProgress>();
        var progress = new SynchronousProgress(reports);
        DistributionComparer.Default.Compare(a, b, progress: progress, cancellationToken: Cancel);
        Assert.Equal(a.Newest.Length * 2 + b.Newest.Length, reports.Count);
        Assert.All(reports, r => Assert.Equal(reports.Count, r.Total));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => DistributionComparer.Default.Compare(a, b, cancellationToken: cancelled.Token));
    }

    private sealed class SynchronousProgress(List<OperationProgress> reports) : IProgress<OperationProgress>
    {
        public void Report(OperationProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }

    [Fact]
    public void The_corpus_compared_with_itself_is_compatible()
    {
        var corpus = Paths.RequireCorpus();
        var folders = Directory.GetDirectories(corpus, "*", SearchOption.AllDirectories).Prepend(corpus)
            .Where(d => Directory.GetFiles(d, "*.rpm").Length > 0).Order(StringComparer.Ordinal).ToList();
        var set = PackageCollection.Open(folders, cancellationToken: Cancel);
        var again = PackageCollection.Open(folders, cancellationToken: Cancel);
        var diff = DistributionComparer.Default.Compare(set, again, cancellationToken: Cancel);
        Assert.NotEmpty(diff.Packages);
        foreach (var p in diff.Packages)
        {
            Assert.True(p.Diagnostics.IsEmpty, $"{p.Name}.{p.Arch}: {string.Join("; ", p.Diagnostics)}");
            Assert.Equal(p.Reference, p.Rebuild);
        }

        Assert.All(diff.Diagnostics, d => Assert.Contains(d.Id, new[] { "ABI3060", "ABI3090" }));
        // The unreadable ones are those rpm itself refuses.
        var rpm = Tools.Require("rpm", "rpm");
        foreach (var error in diff.Errors.Select(e => e.Path).Distinct())
        {
            var (code, _, _) = Tools.Run(rpm, ["-qp", "--nosignature", "--nodigest", error]);
            Assert.True(code != 0, $"{error}: rpm reads it, we do not");
        }
    }
}
