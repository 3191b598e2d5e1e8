using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// A target read from RPM payloads in memory must see what the packages install: the same verdicts as the tree
/// rpm2cpio | cpio extracts, checked as a sysroot. The package is built here with rpmbuild from the scenario
/// libraries: a library under its full name with its SONAME link, and an ld.so.conf.d file naming its folder.
/// </summary>
public class RpmExtractedTreeTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    [Fact]
    public void Rpm_payload_target_equals_the_extracted_tree()
    {
        var rpmbuild = Tools.Require("rpmbuild", "rpm");
        var rpm2cpio = Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        var work = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"rpm-{Environment.ProcessId}");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        Directory.CreateDirectory(work);
        try
        {
            var spec = Path.Combine(work, "vendor.spec");
            File.WriteAllText(spec, $$"""
                Name: vendorlibs
                Version: 1.0
                Release: 1
                Summary: scenario libraries
                License: MIT
                BuildArch: x86_64
                %description
                Scenario libraries for the loader model.
                %install
                mkdir -p %{buildroot}/opt/vendor/lib64 %{buildroot}/etc/ld.so.conf.d
                cp {{Path.Combine(Out, "target", "libver.so.1")}} %{buildroot}/opt/vendor/lib64/libver.so.1.0
                ln -s libver.so.1.0 %{buildroot}/opt/vendor/lib64/libver.so.1
                cp {{Path.Combine(Out, "target", "libmove.so.1")}} %{buildroot}/opt/vendor/lib64/libmove.so.1
                echo /opt/vendor/lib64 > %{buildroot}/etc/ld.so.conf.d/vendor.conf
                echo 'include /etc/ld.so.conf.d/*.conf' > %{buildroot}/etc/ld.so.conf
                %files
                /opt/vendor/lib64/*
                /etc/ld.so.conf
                /etc/ld.so.conf.d/vendor.conf
                """);
            var (code, stdout, stderr) = Tools.Run(rpmbuild, ["-bb", "--define", $"_topdir {work}/top", "--define", "__strip /bin/true", "--define", "debug_package %{nil}", spec]);
            Assert.True(code == 0, stdout + stderr);
            var rpm = Directory.GetFiles(Path.Combine(work, "top", "RPMS"), "*.rpm", SearchOption.AllDirectories).Single();

            var tree = Path.Combine(work, "tree");
            Directory.CreateDirectory(tree);
            (code, _, stderr) = Tools.Run("/bin/sh", ["-c", $"'{rpm2cpio}' '{rpm}' | cpio -idm --quiet"], workingDirectory: tree);
            Assert.True(code == 0, stderr);

            using var fromRpm = Target.FromRpms([rpm], cancellationToken: TestContext.Current.CancellationToken);
            using var extracted = Target.Sysroot(tree);
            Assert.Equal(["/opt/vendor/lib64"], fromRpm.ConfiguredDirectories);
            Assert.Equal(extracted.ConfiguredDirectories, fromRpm.ConfiguredDirectories);
            foreach (var app in new[] { "app_version", "app_moved", "app_removed" })
            {
                var a = Checker.Check(Path.Combine(Out, "apps", app), fromRpm);
                var b = Checker.Check(Path.Combine(Out, "apps", app), extracted);
                Assert.Equal(b.LoadOrder.Skip(1), a.LoadOrder.Skip(1));
                Assert.Equal(b.MissingLibraries.Select(m => m.Name), a.MissingLibraries.Select(m => m.Name));
                Assert.Equal(b.MissingVersions.Select(m => (m.Library, m.Version)), a.MissingVersions.Select(m => (m.Library, m.Version)));
                Assert.Equal(b.MissingSymbols.Select(m => (m.Name, m.Version)), a.MissingSymbols.Select(m => (m.Name, m.Version)));
                Assert.Contains(a.MissingLibraries, m => m.Name == "libc.so.6"); // the package set has no glibc
            }

            var version = Checker.Check(Path.Combine(Out, "apps", "app_version"), fromRpm);
            Assert.Contains(version.LoadOrder, o => o.Name == "libver.so.1" && o.Path == "/opt/vendor/lib64/libver.so.1.0");
            Assert.Contains(version.MissingVersions, m => m is { Library: "libver.so.1", Version: "VER_2" });
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
