using System.Collections.Immutable;
using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// The binaries of an application package checked as installed on a system made of packages
/// (<see cref="Checker.CheckPackage"/>, <c>abi compat --rpms … --package …</c>): nothing extracted, the application's
/// bundled libraries found through its <c>$ORIGIN</c> inside the packages, the package installed in memory on a target
/// with or without it. The reference is this machine's loader run
/// in a chroot of the tree rpm2cpio | cpio extracts from the same packages, after <c>ldconfig -r</c>.
/// </summary>
public class PackageCheckTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    private const string Interpreter = "/lib64/ld-linux-x86-64.so.2";

    private sealed record Packages(string Work, string Base, string Vendor, string App) : IDisposable
    {
        public void Dispose() => Directory.Delete(Work, recursive: true);
    }

    /// <summary>
    /// base: this machine's glibc in the Debian layout and ld.so.conf; vendor: the scenario target libraries under
    /// /opt/vendor/lib; app: scenario programs under /opt/app/bin with librp/libdeep bundled in /opt/app/bin/rp.
    /// </summary>
    private static Packages Build()
    {
        var rpmbuild = Tools.Require("rpmbuild", "rpm");
        if (!File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("needs an x86_64 Debian-layout glibc on this machine");
        }

        var work = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"pkgcheck-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        string libc = LddReport.Real("/lib/x86_64-linux-gnu/libc.so.6"), ldso = LddReport.Real(Interpreter);
        string Spec(string name, string install, string files)
        {
            var spec = Path.Combine(work, name + ".spec");
            File.WriteAllText(spec, $"Name: {name}\nVersion: 1.0\nRelease: 1\nSummary: {name}\nLicense: MIT\nBuildArch: x86_64\nAutoReqProv: no\n%description\n{name}\n%install\n{install}\n%files\n{files}\n");
            var (code, stdout, stderr) = Tools.Run(rpmbuild, ["-bb", "--define", $"_topdir {work}/top", "--define", "__strip /bin/true", "--define", "debug_package %{nil}", "--define", "__brp_mangle_shebangs /bin/true", spec]);
            Assert.True(code == 0, stdout + stderr);
            return Directory.GetFiles(Path.Combine(work, "top", "RPMS"), name + "-*.rpm", SearchOption.AllDirectories).Single();
        }

        var baseRpm = Spec("sysbase", $$"""
            mkdir -p %{buildroot}/usr/lib/x86_64-linux-gnu %{buildroot}/usr/lib64 %{buildroot}/etc/ld.so.conf.d
            ln -s usr/lib %{buildroot}/lib
            ln -s usr/lib64 %{buildroot}/lib64
            cp {{libc}} %{buildroot}/usr/lib/x86_64-linux-gnu/libc.so.6
            cp {{ldso}} %{buildroot}/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 %{buildroot}/usr/lib64/ld-linux-x86-64.so.2
            echo 'include /etc/ld.so.conf.d/*.conf' > %{buildroot}/etc/ld.so.conf
            """, "/lib\n/lib64\n/usr/lib/x86_64-linux-gnu/libc.so.6\n%attr(0755,root,root) /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n/usr/lib64/*\n/etc/ld.so.conf");
        var vendorRpm = Spec("vendorlibs", $$"""
            mkdir -p %{buildroot}/opt/vendor/lib %{buildroot}/etc/ld.so.conf.d
            cp {{Path.Combine(Out, "target")}}/libver.so.1 {{Path.Combine(Out, "target")}}/libmove.so.1 %{buildroot}/opt/vendor/lib/
            echo /opt/vendor/lib > %{buildroot}/etc/ld.so.conf.d/vendor.conf
            """, "/opt/vendor/lib/*\n/etc/ld.so.conf.d/vendor.conf");
        var appRpm = Spec("vendorapp", $$"""
            mkdir -p %{buildroot}/opt/app/bin/rp %{buildroot}/opt/app/share
            cp {{Path.Combine(Out, "apps")}}/app_version {{Path.Combine(Out, "apps")}}/app_moved {{Path.Combine(Out, "apps")}}/app_weak %{buildroot}/opt/app/bin/
            cp {{Path.Combine(Out, "rpath")}}/app_rpath {{Path.Combine(Out, "rpath")}}/app_runpath %{buildroot}/opt/app/bin/
            cp {{Path.Combine(Out, "rpath", "rp")}}/librp.so.1 {{Path.Combine(Out, "rpath", "rp")}}/libdeep.so.1 %{buildroot}/opt/app/bin/rp/
            echo 'not ELF' > %{buildroot}/opt/app/share/readme.txt
            """, "/opt/app/bin/*\n/opt/app/bin/rp/*\n/opt/app/share/readme.txt");
        return new Packages(work, baseRpm, vendorRpm, appRpm);
    }

    [Fact]
    public void Every_binary_of_an_application_package_gets_the_loaders_verdict_on_the_package_system()
    {
        Tools.Require("ldconfig", "libc-bin");
        Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        using var packages = Build();
        using var target = Target.FromRpms([packages.Base, packages.Vendor, packages.App], cancellationToken: TestContext.Current.CancellationToken);
        var verdicts = Checker.CheckPackage(RpmPackage.Open(packages.App), target, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(
            ["/opt/app/bin/app_moved", "/opt/app/bin/app_rpath", "/opt/app/bin/app_runpath", "/opt/app/bin/app_version", "/opt/app/bin/app_weak", "/opt/app/bin/rp/libdeep.so.1", "/opt/app/bin/rp/librp.so.1"],
            verdicts.Select(v => v.Binary).Order(StringComparer.Ordinal));

        AssertLoaderAgrees(Install(packages, "tree", packages.Base, packages.Vendor, packages.App), verdicts);
        var byName = verdicts.ToDictionary(v => Path.GetFileName(v.Binary));
        Assert.Equal("VER_2", Assert.Single(byName["app_version"].MissingVersions).Version);
        Assert.True(byName["app_rpath"].IsCompatible);
        Assert.Contains(byName["app_rpath"].LoadOrder, o => o.Name == "libdeep.so.1" && o.Path == "/opt/app/bin/rp/libdeep.so.1");
        Assert.Equal("libdeep.so.1", Assert.Single(byName["app_runpath"].MissingLibraries).Name);
    }

    /// <summary>Unpacks <paramref name="rpms"/> into a new tree as rpm2cpio | cpio -idm does, then runs ldconfig -r on it.</summary>
    private static string Install(Packages packages, string name, params string[] rpms)
    {
        var ldconfig = Tools.Require("ldconfig", "libc-bin");
        var rpm2cpio = Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        var tree = Path.Combine(packages.Work, name);
        Directory.CreateDirectory(tree);
        foreach (var rpm in rpms)
        {
            var (code, _, stderr) = Tools.Run("/bin/sh", ["-c", $"'{rpm2cpio}' '{rpm}' | cpio -idm --quiet"], workingDirectory: tree);
            Assert.True(code == 0, stderr);
        }

        var (rc, _, err) = Tools.Run(ldconfig, ["-r", tree]);
        Assert.True(rc == 0, err);
        return tree;
    }

    /// <summary>Every verdict says what this machine's loader, run in a chroot of <paramref name="tree"/>, says.</summary>
    private static void AssertLoaderAgrees(string tree, IEnumerable<CompatibilityVerdict> verdicts)
    {
        var helper = ChrootTrace.Build();
        foreach (var verdict in verdicts)
        {
            // ldd's way: the loader run on the file, which works for shared libraries too (rpm's brp-elfperms
            // leaves shared objects without execute permission, so the %files list gives ld.so its mode back).
            var ldd = ChrootTrace.Run(helper, tree, verdict.Binary, Interpreter);
            LddReport.AssertAgrees(ldd, verdict);
            Assert.DoesNotContain(verdict.LoadOrder, o => o.FromHost);
        }
    }

    [Fact]
    public void One_call_installs_the_package_in_memory_on_a_target_without_it()
    {
        using var packages = Build();
        using var target = Target.FromRpms([packages.Base, packages.Vendor], cancellationToken: TestContext.Current.CancellationToken);
        var app = RpmPackage.Open(packages.App);

        // Checks share the target from several threads; each installs the package on its own, so all agree.
        var runs = Enumerable.Range(0, 4).AsParallel().Select(_ => Checker.CheckPackage(app, target, cancellationToken: TestContext.Current.CancellationToken)).ToList();
        var verdicts = runs[0];
        Assert.All(runs, r => Assert.Equal(verdicts.Select(v => v.ToString()), r.Select(v => v.ToString())));
        Assert.Equal(7, verdicts.Length);
        AssertLoaderAgrees(Install(packages, "tree", packages.Base, packages.Vendor, packages.App), verdicts);

        // The same verdicts as on a target built with the package; and the shared target is left as it was.
        using var with = Target.FromRpms([packages.Base, packages.Vendor, packages.App], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(Checker.CheckPackage(app, with, cancellationToken: TestContext.Current.CancellationToken).Select(v => v.ToString()), verdicts.Select(v => v.ToString()));
        Assert.Throws<FileNotFoundException>(() => Checker.CheckInstalled("/opt/app/bin/app_rpath", target));
    }

    [Fact]
    public void Packages_installed_together_on_an_unpacked_tree_change_the_loaders_cache_as_ldconfig_does()
    {
        // vendorlibs brings /etc/ld.so.conf.d/vendor.conf and the libraries in /opt/vendor/lib that app_version
        // and app_moved need: found only through the cache ldconfig builds after installing it.
        using var packages = Build();
        var tree = Install(packages, "sysroot", packages.Base);
        ImmutableArray<CompatibilityVerdict> verdicts;
        using (var sysroot = Target.Sysroot(tree))
        {
            verdicts = Checker.CheckPackages([RpmPackage.Open(packages.Vendor), RpmPackage.Open(packages.App)], sysroot, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Throws<FileNotFoundException>(() => Checker.CheckInstalled("/opt/vendor/lib/libver.so.1", sysroot));
        }

        Assert.Equal(9, verdicts.Length);
        Assert.Equal("VER_2", Assert.Single(verdicts.Single(v => v.Binary == "/opt/app/bin/app_version").MissingVersions).Version);
        AssertLoaderAgrees(Install(packages, "sysroot", packages.Vendor, packages.App), verdicts);
    }

    [Fact]
    public void A_package_installs_on_a_target_of_baselines_as_on_a_tree_of_their_stubs()
    {
        using var packages = Build();
        var libraries = new[] { "/lib/x86_64-linux-gnu/libc.so.6", Interpreter, Path.Combine(Out, "target", "libver.so.1"), Path.Combine(Out, "target", "libmove.so.1") };
        var surfaces = libraries.Select(AbiSurface.Open).ToList();
        ImmutableArray<CompatibilityVerdict> verdicts;
        using (var target = Target.FromBaselines(surfaces))
        {
            verdicts = Checker.CheckPackage(RpmPackage.Open(packages.App), target, cancellationToken: TestContext.Current.CancellationToken);
        }

        // The reference: the stubs laid out as Target.FromBaselines lays them out (merged /usr, ld.so.conf naming
        // /usr/lib64), except the dynamic loader, which must be this machine's real one to run; the package on top.
        var tree = Path.Combine(packages.Work, "stubs");
        Directory.CreateDirectory(Path.Combine(tree, "usr", "lib64"));
        Directory.CreateDirectory(Path.Combine(tree, "etc"));
        File.CreateSymbolicLink(Path.Combine(tree, "lib64"), "usr/lib64");
        File.CreateSymbolicLink(Path.Combine(tree, "lib"), "usr/lib");
        File.WriteAllText(Path.Combine(tree, "etc", "ld.so.conf"), "/usr/lib64\n");
        foreach (var surface in surfaces.Where(s => s.Soname != "ld-linux-x86-64.so.2"))
        {
            File.WriteAllBytes(Path.Combine(tree, "usr", "lib64", AbiStubLibrary.GetLibraryName(surface)), AbiStubLibrary.Create(surface));
        }

        File.Copy(LddReport.Real(Interpreter), Path.Combine(tree, "usr", "lib64", "ld-linux-x86-64.so.2"));
        Assert.Equal(7, verdicts.Length);
        AssertLoaderAgrees(Install(packages, "stubs", packages.App), verdicts);
        Assert.Equal("VER_2", Assert.Single(verdicts.Single(v => v.Binary == "/opt/app/bin/app_version").MissingVersions).Version);
    }

    [Fact]
    public void Check_installed_reads_the_binary_and_its_origin_from_the_target()
    {
        using var packages = Build();
        using var target = Target.FromRpms([packages.Base, packages.Vendor, packages.App], cancellationToken: TestContext.Current.CancellationToken);
        var verdict = Checker.CheckInstalled("/opt/app/bin/app_rpath", target);
        Assert.Equal("/opt/app/bin/app_rpath", verdict.Binary);
        Assert.True(verdict.IsCompatible, verdict.ToString());
        Assert.Contains(verdict.LoadOrder, o => o.Name == "librp.so.1" && o.Path == "/opt/app/bin/rp/librp.so.1" && !o.FromHost);

        Assert.Throws<FileNotFoundException>(() => Checker.CheckInstalled("/opt/app/bin/nothing", target));
        Assert.Throws<ArgumentException>(() => Checker.CheckInstalled("opt/app/bin/app_rpath", target));
        var notElf = Assert.Throws<global::Abi.Sdk.Elf.ElfFormatException>(() => Checker.CheckInstalled("/opt/app/share/readme.txt", target));
        Assert.Contains("/opt/app/share/readme.txt", notElf.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Abi_compat_package_prints_a_line_per_binary_and_exits_12()
    {
        using var packages = Build();
        var (code, stdout, stderr) = CliRunner.Run(["compat", "--rpms", packages.Base, packages.Vendor, "--package", packages.App, "--json"]);
        Assert.True(code == 12, stdout + stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(7, lines.Count);
        var version = lines.Single(l => l.GetProperty("binary").GetString() == "/opt/app/bin/app_version");
        Assert.False(version.GetProperty("compatible").GetBoolean());
        Assert.True(lines.Single(l => l.GetProperty("binary").GetString() == "/opt/app/bin/app_rpath").GetProperty("compatible").GetBoolean());
        Assert.Equal(["libweak.so.1"], lines.Single(l => l.GetProperty("binary").GetString() == "/opt/app/bin/app_weak").GetProperty("missingLibraries").EnumerateArray().Select(e => e.GetString()));

        // --installed: one binary of the target, by its path inside it.
        (code, stdout, stderr) = CliRunner.Run(["compat", "--rpms", packages.Base, packages.Vendor, packages.App, "--installed", "/opt/app/bin/app_rpath"]);
        Assert.True(code == 0, stdout + stderr);
        Assert.StartsWith("/opt/app/bin/app_rpath: compatible", stdout, StringComparison.Ordinal);
    }
}
