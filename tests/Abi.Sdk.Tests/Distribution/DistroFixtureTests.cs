using System.Text.RegularExpressions;
using Abi.Sdk.Tests.TestSupport;
using Verdict = global::Abi.Sdk.Distribution.Verdict;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>
/// The sample distribution of Fixtures/distro carries what its README.md (and <see cref="DistroFixtures"/>) says, by
/// the reference tools alone: glibc's loader on the extracted rebuild, rpm's queries, abipkgdiff and libsolv's
/// installcheck. The SDK's distribution diff is compared with these facts elsewhere.
/// </summary>
public class DistroFixtureTests
{
    [Fact]
    public void The_sets_hold_the_documented_packages_at_the_documented_versions()
    {
        Assert.Equal(
            DistroFixtures.Packages.Select(p => $"{p.Name}-{p.ReferenceEvr}").Order(StringComparer.Ordinal),
            DistroFixtures.ReferencePackages.Select(NameEvr).Order(StringComparer.Ordinal));
        Assert.Equal(
            DistroFixtures.Packages.Where(p => p.RebuildEvr is not null).Select(p => $"{p.Name}-{p.RebuildEvr}").Order(StringComparer.Ordinal),
            DistroFixtures.RebuildPackages.Select(NameEvr).Order(StringComparer.Ordinal));
        Assert.Equal(
            DistroFixtures.Applications.Select(a => $"{a.Name}-1.0-1").Order(StringComparer.Ordinal),
            DistroFixtures.AppPackages.Select(NameEvr).Order(StringComparer.Ordinal));

        // Both payload compressors, and no filesystem or glibc package.
        var compressors = DistroFixtures.ReferencePackages.Concat(DistroFixtures.RebuildPackages)
            .Select(p => Query(p, "%{PAYLOADCOMPRESSOR}")).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["xz", "zstd"], compressors.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(DistroFixtures.Packages, p => p.Name is "filesystem" or "glibc");
    }

    [Fact]
    public void On_the_rebuild_every_reference_binary_and_application_does_what_the_readme_says()
    {
        var results = LoaderTruth.OnRebuild();
        var problems = new List<string>();
        foreach (var r in results)
        {
            if (!r.ViewsAgree)
            {
                problems.Add($"the run and ldd -r disagree on {r}");
            }
        }

        Assert.Equal(
            DistroFixtures.OnRebuild.Select(e => e.ToString()).Order(StringComparer.Ordinal),
            results.Select(r => r.Outcome.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(DistroFixtures.OnRebuild.OrderBy(e => e.Path, StringComparer.Ordinal), results.Select(r => r.Outcome).OrderBy(e => e.Path, StringComparer.Ordinal));
        Assert.Empty(problems);

        // The loader's own words, as README.md quotes them.
        string Line(string path) => results.Single(r => r.Path == path).ErrorLine ?? string.Empty;
        Assert.Contains("version `LIBA_2.0' not found", Line("/usr/bin/app-version"), StringComparison.Ordinal);
        Assert.Contains("undefined symbol: b_bar, version LIBB_1.0", Line("/usr/bin/app-moved"), StringComparison.Ordinal);
        Assert.Contains("undefined symbol: plain_two", Line("/usr/bin/libplain-tool"), StringComparison.Ordinal);
        Assert.Contains("libgone.so.1: cannot open shared object file", Line("/usr/bin/app-gone"), StringComparison.Ordinal);
        Assert.Contains("libd.so.1: cannot open shared object file", Line("/usr/bin/libd-tool"), StringComparison.Ordinal);
        Assert.Contains("undefined symbol: priv_two", Line("/usr/bin/privtool"), StringComparison.Ordinal);

        // The private DSO was found through RPATH $ORIGIN, in the rebuild's private folder.
        var privtool = results.Single(r => r.Path == "/usr/bin/privtool");
        Assert.Contains(privtool.Ldd.Loaded, l => l.Name == "libpriv.so" && l.Path.EndsWith("/usr/lib64/privtool/libpriv.so", StringComparison.Ordinal));

        // The grown object: the copy keeps the 4 elements it was linked with while the library counts 8.
        var grow = results.Single(r => r.Path == "/usr/bin/app-grow");
        Assert.Contains("app-grow 4 8", grow.RunOutput, StringComparison.Ordinal);

        // The applications' intended verdicts follow from the loader's outcome and installability.
        foreach (var app in DistroFixtures.Applications)
        {
            var loads = results.Where(r => r.Package == app.Name).Select(r => r.Outcome.Verdict).ToList();
            Assert.NotEmpty(loads);
            var derived = app.InstallableOnRebuild && loads.All(v => v == Verdict.Compatible) ? Verdict.Compatible : Verdict.Incompatible;
            Assert.True(derived == app.Verdict, $"{app.Name}: {derived} from the loader and installability, {app.Verdict} in the table");
        }
    }

    [Fact]
    public void On_the_reference_itself_everything_loads()
    {
        var results = LoaderTruth.Check(DistroFixtures.ReferencePackages, [.. DistroFixtures.ReferencePackages, .. DistroFixtures.AppPackages]);
        Assert.Equal(DistroFixtures.OnRebuild.Select(e => e.Path).Order(StringComparer.Ordinal), results.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(results, r =>
        {
            Assert.True(r.Loads && r.ViewsAgree && r.SizeWarnings.IsEmpty, r.ToString());
            if (r.IsExecutable)
            {
                Assert.StartsWith(Path.GetFileName(r.Path) + " ", r.RunOutput, StringComparison.Ordinal);
            }
        });
        var grow = results.Single(r => r.Path == "/usr/bin/app-grow");
        Assert.Contains("app-grow 4 4", grow.RunOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Rpm_lists_the_documented_provides_and_requires_drift()
    {
        var drift = new List<ExpectedDependencyDrift>();
        foreach (var p in DistroFixtures.Packages.Where(p => p.RebuildEvr is not null))
        {
            var reference = DistroFixtures.Package(DistroFixtures.Reference, p.Name)!;
            var rebuild = DistroFixtures.Package(DistroFixtures.Rebuild, p.Name)!;
            foreach (var kind in new[] { "provides", "requires" })
            {
                var before = Dependencies(reference, kind, p.Name);
                var after = Dependencies(rebuild, kind, p.Name);
                var removed = before.Except(after).ToList();
                var added = after.Except(before).ToList();
                if (removed.Count + added.Count > 0)
                {
                    drift.Add(new ExpectedDependencyDrift(p.Name, kind, [.. removed], [.. added]));
                }
            }
        }

        Assert.Equal(Show(DistroFixtures.DependencyDrift), Show(drift));

        // The applications' requirements the rebuild does not meet.
        Assert.Contains("sample-feature >= 1.0", Dependencies(DistroFixtures.Package(DistroFixtures.Apps, "app-feature")!, "requires", "app-feature"));
        Assert.Contains("liba.so.1(LIBA_2.0)(64bit)", Dependencies(DistroFixtures.Package(DistroFixtures.Apps, "app-version")!, "requires", "app-version"));
        Assert.Contains("libgone.so.1()(64bit)", Dependencies(DistroFixtures.Package(DistroFixtures.Apps, "app-gone")!, "requires", "app-gone"));
        // app-moved needs LIBB_1.0, which the rebuild still provides: rpm's dependencies cannot see the move.
        Assert.Contains("libb.so.1(LIBB_1.0)(64bit)", Dependencies(DistroFixtures.Package(DistroFixtures.Apps, "app-moved")!, "requires", "app-moved"));
        Assert.Contains("libb.so.1(LIBB_1.0)(64bit)", Dependencies(DistroFixtures.Package(DistroFixtures.Rebuild, "libb")!, "provides", "libb"));

        static string Show(IEnumerable<ExpectedDependencyDrift> d)
            => string.Join("\n", d.Select(x => $"{x.Package} {x.Kind}: -[{string.Join(", ", x.Removed)}] +[{string.Join(", ", x.Added)}]"));
    }

    [Fact]
    public void Rpm_lists_the_documented_file_drift()
    {
        var reference = Files(DistroFixtures.Package(DistroFixtures.Reference, "sampledata")!);
        var rebuild = Files(DistroFixtures.Package(DistroFixtures.Rebuild, "sampledata")!);
        var drift = reference
            .Where(f => !rebuild.TryGetValue(f.Key, out var t) || t != f.Value)
            .Select(f => (f.Key, f.Value, rebuild.GetValueOrDefault(f.Key)))
            .Concat(rebuild.Where(f => !reference.ContainsKey(f.Key)).Select(f => (f.Key, "absent", (string?)f.Value)))
            .OrderBy(f => f.Key, StringComparer.Ordinal);
        Assert.Equal(DistroFixtures.FileDrift, drift);

        // Every other pair installs the same paths with the same types.
        foreach (var p in DistroFixtures.Packages.Where(p => p.RebuildEvr is not null && p.Name is not "sampledata" and not "libd"))
        {
            Assert.Equal(Files(DistroFixtures.Package(DistroFixtures.Reference, p.Name)!), Files(DistroFixtures.Package(DistroFixtures.Rebuild, p.Name)!));
        }
    }

    [Fact]
    public void Abipkgdiff_reports_the_documented_symbol_changes()
    {
        var abipkgdiff = Tools.Require("abipkgdiff", "abigail-tools");
        var seen = new List<string>();
        foreach (var p in DistroFixtures.Packages.Where(p => p.RebuildEvr is not null))
        {
            var (code, stdout, stderr) = Tools.Run(abipkgdiff, [DistroFixtures.Package(DistroFixtures.Reference, p.Name)!, DistroFixtures.Package(DistroFixtures.Rebuild, p.Name)!]);
            var lines = stdout.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("[D] ", StringComparison.Ordinal) || l.StartsWith("[A] ", StringComparison.Ordinal));
            seen.Add($"{p.Name} {code}: {string.Join(" | ", lines)}{(code is 0 or 4 or 12 ? "" : " " + stderr)}");
        }

        Assert.Equal(DistroFixtures.Abipkgdiff.Select(e => $"{e.Package} {e.ExitCode}: {string.Join(" | ", e.Lines)}"), seen);
    }

    [Fact]
    public void Installcheck_says_which_applications_install_on_the_rebuild()
    {
        var installcheck = RpmInstallcheck();
        var rebuild = Path.Combine(DistroFixtures.Rebuild, "repodata", "primary.xml.gz");

        // Each application with the rebuild, in a repository of its own made by createrepo_c.
        var createrepo = Tools.Require("createrepo_c", "createrepo-c");
        foreach (var app in DistroFixtures.Applications)
        {
            var folder = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"distro-app-{Environment.ProcessId}-{app.Name}");
            Directory.CreateDirectory(folder);
            try
            {
                File.Copy(DistroFixtures.Package(DistroFixtures.Apps, app.Name)!, Path.Combine(folder, app.Name + ".rpm"), overwrite: true);
                var (made, _, madeErr) = Tools.Run(createrepo, ["--quiet", "--no-database", "--simple-md-filenames", "--general-compress-type", "gz", folder]);
                Assert.True(made == 0, madeErr);
                var (code, stdout, stderr) = Tools.Run(installcheck, ["x86_64", Path.Combine(folder, "repodata", "primary.xml.gz"), "--nocheck", rebuild]);
                Assert.True(code is 0 or 1, $"installcheck failed with {code}: {stderr}");
                var expected = app.InstallableOnRebuild
                    ? string.Empty
                    : $"can't install {app.Name}-1.0-1.x86_64:\n  nothing provides {app.NothingProvides} needed by {app.Name}-1.0-1.x86_64\n";
                Assert.Equal(expected, stdout);
                Assert.Equal(app.InstallableOnRebuild ? 0 : 1, code);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        // The committed repositories say the same: all applications at once against the rebuild; the rebuild alone
        // has its own uninstallable package; on the reference (its repository of ../reference hrefs) everything installs.
        var apps = Path.Combine(DistroFixtures.Apps, "repodata", "primary.xml.gz");
        var (allCode, all, _) = Tools.Run(installcheck, ["x86_64", apps, "--nocheck", rebuild]);
        Assert.Equal(1, allCode);
        Assert.Equal(
            DistroFixtures.Applications.Where(a => !a.InstallableOnRebuild).Select(a => a.Name).Order(StringComparer.Ordinal),
            Regex.Matches(all, @"^can't install (\S+)-1\.0-1\.x86_64:", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        var (own, ownOut, _) = Tools.Run(installcheck, ["x86_64", rebuild]);
        var (package, missing) = DistroFixtures.RebuildUninstallable;
        Assert.Equal(1, own);
        Assert.Equal($"can't install {package}-1.0-1.el9.alma.x86_64:\n  nothing provides {missing} needed by {package}-1.0-1.el9.alma.x86_64\n", ownOut);
        var (refCode, refOut, refErr) = Tools.Run(installcheck, ["x86_64", Path.Combine(DistroFixtures.ReferenceRepository, "repodata", "primary.xml.xz"), apps]);
        Assert.True(refCode == 0 && refOut.Length == 0, refOut + refErr);
    }

    [Fact]
    public void The_reference_repository_locates_every_reference_package_relative_to_itself()
    {
        var xz = Tools.Require("xz", "xz-utils");
        var (code, primary, stderr) = Tools.Run(xz, ["-dc", Path.Combine(DistroFixtures.ReferenceRepository, "repodata", "primary.xml.xz")]);
        Assert.True(code == 0, stderr);
        var hrefs = Regex.Matches(primary, "<location href=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.All(hrefs, h => Assert.StartsWith("../reference/", h, StringComparison.Ordinal));
        Assert.Equal(
            DistroFixtures.ReferencePackages.Select(Path.GetFullPath).Order(StringComparer.Ordinal),
            hrefs.Select(h => Path.GetFullPath(Path.Combine(DistroFixtures.ReferenceRepository, h))).Order(StringComparer.Ordinal));
    }

    /// <summary>The rpm-flavoured installcheck: $ABI_LIBSOLV_RPM_INSTALLCHECK, else where tests/tools/build-libsolv-rpm.sh puts it.</summary>
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

    private static string Query(string rpm, string format)
    {
        var (code, stdout, stderr) = Tools.Run(Tools.Require("rpm", "rpm"), ["-qp", "--qf", format, rpm]);
        Assert.True(code == 0, $"rpm -qp {rpm}: {stderr}");
        return stdout;
    }

    private static string NameEvr(string rpm) => Query(rpm, "%{NAME}-%{VERSION}-%{RELEASE}");

    /// <summary>rpm -qp --provides/--requires, without the package's own name (its EVR moves) and rpmlib() needs.</summary>
    private static List<string> Dependencies(string rpm, string kind, string name)
    {
        var (code, stdout, stderr) = Tools.Run(Tools.Require("rpm", "rpm"), ["-qp", "--" + kind, rpm]);
        Assert.True(code == 0, $"rpm -qp --{kind} {rpm}: {stderr}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(d => !d.StartsWith("rpmlib(", StringComparison.Ordinal) && !d.StartsWith(name + " = ", StringComparison.Ordinal) && !d.StartsWith(name + "(x86-64) = ", StringComparison.Ordinal))];
    }

    /// <summary>Each installed path of a package and its type (file, symlink, folder), from rpm's file modes.</summary>
    private static Dictionary<string, string> Files(string rpm)
        => Query(rpm, "[%{FILENAMES}\t%{FILEMODES:perms}\n]").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => f[1][0] switch { 'l' => "symlink", 'd' => "folder", '-' => "file", var c => c.ToString() }, StringComparer.Ordinal);
}
