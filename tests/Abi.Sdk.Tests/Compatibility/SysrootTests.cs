using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// A small unpacked system built in a temporary folder: this machine's glibc in the multiarch folder, merged-/usr
/// links, an ld.so.conf whose <c>include</c> glob names a vendor folder, and the scenario libraries there (one only
/// under its full file name, found through its SONAME as ldconfig caches it). The reference is this machine's loader
/// run inside the folder with chroot after <c>ldconfig -r</c> built its cache: what <c>ldd -r</c> does, in the sysroot.
/// The same system given as in-memory files (<see cref="Target.FromFiles"/>) must give the same verdicts.
/// </summary>
public class SysrootTests
{
    private static readonly string[] Apps = ["app_version", "app_moved", "app_removed", "app_missing", "app_weak", "app_deep", "app_hidden"];

    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    internal static string BuildSysroot()
    {
        var root = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"sysroot-{Environment.ProcessId}");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var multiarch = Path.Combine(root, "usr/lib/x86_64-linux-gnu");
        Directory.CreateDirectory(multiarch);
        Directory.CreateDirectory(Path.Combine(root, "usr/lib64"));
        File.CreateSymbolicLink(Path.Combine(root, "lib"), "usr/lib");
        File.CreateSymbolicLink(Path.Combine(root, "lib64"), "usr/lib64");
        File.Copy(LddReport.Real("/lib/x86_64-linux-gnu/libc.so.6"), Path.Combine(multiarch, "libc.so.6"));
        File.Copy(LddReport.Real("/lib64/ld-linux-x86-64.so.2"), Path.Combine(multiarch, "ld-linux-x86-64.so.2"));
        File.CreateSymbolicLink(Path.Combine(root, "usr/lib64/ld-linux-x86-64.so.2"), "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");

        Directory.CreateDirectory(Path.Combine(root, "etc/ld.so.conf.d"));
        File.WriteAllText(Path.Combine(root, "etc/ld.so.conf"), "# vendor folders\ninclude /etc/ld.so.conf.d/*.conf\n");
        File.WriteAllText(Path.Combine(root, "etc/ld.so.conf.d/vendor.conf"), "/opt/vendor/lib\n");
        var vendor = Path.Combine(root, "opt/vendor/lib");
        Directory.CreateDirectory(vendor);
        foreach (var lib in Directory.GetFiles(Path.Combine(Out, "target")))
        {
            var name = Path.GetFileName(lib);
            // libplain only as libplain.so.1.0: the cache finds it by SONAME.
            File.Copy(lib, Path.Combine(vendor, name == "libplain.so.1" ? "libplain.so.1.0" : name));
        }

        Directory.CreateDirectory(Path.Combine(root, "apps"));
        foreach (var app in Apps)
        {
            File.Copy(Path.Combine(Out, "apps", app), Path.Combine(root, "apps", app));
        }

        return root;
    }

    [Fact]
    public void Sysroot_and_in_memory_files_agree_with_the_loader_run_in_a_chroot()
    {
        var ldconfig = Tools.Require("ldconfig", "libc-bin");
        if (!File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("needs an x86_64 Debian-layout glibc on this machine");
        }

        var root = BuildSysroot();
        try
        {
            using var sysroot = Target.Sysroot(root);
            Assert.Equal(["/opt/vendor/lib"], sysroot.ConfiguredDirectories);

            var verdicts = Apps.ToDictionary(a => a, a => Checker.Check(Path.Combine(root, "apps", a), sysroot));
            var (code, _, err) = Tools.Run(ldconfig, ["-r", root]);
            Assert.True(code == 0, err);
            var traced = ChrootTrace.Build();

            using var files = Target.FromFiles(EnumerateTree(root), "sysroot as files");
            foreach (var app in Apps)
            {
                var ldd = ChrootTrace.Run(traced, root, "/apps/" + app);
                var verdict = verdicts[app];
                Assert.DoesNotContain(verdict.LoadOrder.Skip(1), o => o.FromHost);
                LddReport.AssertAgrees(ldd, verdict);

                var fromFiles = Checker.Check(Path.Combine(root, "apps", app), files);
                Assert.Equal(verdict.LoadOrder.Skip(1), fromFiles.LoadOrder.Skip(1));
                Assert.Equal(verdict.MissingLibraries, fromFiles.MissingLibraries);
                Assert.Equal(verdict.MissingVersions, fromFiles.MissingVersions);
                Assert.Equal(verdict.MissingSymbols, fromFiles.MissingSymbols);
            }

            Assert.Contains(verdicts["app_removed"].LoadOrder, o => o.Name == "libplain.so.1" && o.Path == "/opt/vendor/lib/libplain.so.1.0");
            Assert.Contains(verdicts["app_version"].LoadOrder, o => o.Name == "libc.so.6" && o.Path == "/usr/lib/x86_64-linux-gnu/libc.so.6");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    internal static IEnumerable<TargetFile> EnumerateTree(string root)
    {
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            var path = entry.FullName[root.Length..];
            if (entry.LinkTarget is { } link)
            {
                yield return TargetFile.Symlink(path, link);
            }
            else if (entry is FileInfo file)
            {
                var full = file.FullName;
                yield return TargetFile.FromOpener(path, () => File.ReadAllBytes(full));
            }
            else
            {
                yield return TargetFile.Directory(path);
            }
        }
    }
}
