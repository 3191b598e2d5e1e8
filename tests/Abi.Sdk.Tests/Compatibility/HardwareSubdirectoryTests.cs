using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// The hardware-specific subfolders the loader tries in each search folder (glibc-hwcaps ISA levels, and before glibc
/// 2.37 the legacy tls/platform/AT_HWCAP combinations) and in ld.so.cache, compared with this machine's loader: the
/// list it prints with LD_DEBUG=libs, and where it finds a library placed in such a subfolder.
/// </summary>
public class HardwareSubdirectoryTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    private static System.Collections.Immutable.ImmutableArray<string> Subdirectories()
    {
        using var host = Target.Host();
        return host.LayoutFor(ElfClass.Elf64, ElfMachine.X86_64).HardwareSubdirectories;
    }

    private static void RequireX86_64Glibc()
    {
        Tools.Require("ldd", "libc-bin");
        if (!File.Exists("/lib64/ld-linux-x86-64.so.2") || !System.Runtime.Intrinsics.X86.X86Base.X64.IsSupported)
        {
            Assert.Skip("needs an x86-64 machine with glibc");
        }
    }

    [Fact]
    public void Subfolders_are_the_ones_the_loader_searches_in_its_order()
    {
        RequireX86_64Glibc();
        var marker = Path.Combine(Path.GetTempPath(), "abi-sdk-hwcaps-marker");
        var env = new Dictionary<string, string> { ["LD_DEBUG"] = "libs", ["LD_LIBRARY_PATH"] = marker };
        var (_, _, stderr) = Tools.Run("/bin/true", [], env);
        var line = stderr.Split('\n').First(l => l.Contains("search path=", StringComparison.Ordinal) && l.Contains("(LD_LIBRARY_PATH)", StringComparison.Ordinal));
        var list = line[(line.IndexOf("search path=", StringComparison.Ordinal) + 12)..line.IndexOf("(LD_LIBRARY_PATH)", StringComparison.Ordinal)].Trim();
        var loader = list.Split(':').Select(p => p == marker ? "" : p[(marker.Length + 1)..]).ToList();

        var ours = Subdirectories().Append("").ToList();
        Assert.Equal(loader, ours);
    }

    [Fact]
    public void A_library_in_the_most_preferred_subfolder_of_the_library_path_wins_as_the_loader_decides()
    {
        RequireX86_64Glibc();
        var subs = Subdirectories();
        if (subs.IsEmpty)
        {
            Assert.Skip("the loader of this machine searches no hardware-specific subfolder");
        }

        // Each kind the loader uses here: the first glibc-hwcaps level, the first legacy combination, plain "tls".
        var kinds = new[] { subs.FirstOrDefault(s => s.StartsWith("glibc-hwcaps/", StringComparison.Ordinal)), subs.FirstOrDefault(s => !s.StartsWith("glibc-hwcaps/", StringComparison.Ordinal)), subs.Contains("tls") ? "tls" : null };
        foreach (var sub in kinds.OfType<string>().Distinct())
        {
            var dir = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"hwcaps-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                // The folder holds the release without VER_2; the subfolder the one the application was linked against.
                Directory.CreateDirectory(Path.Combine(dir, sub));
                File.Copy(Path.Combine(Out, "target", "libver.so.1"), Path.Combine(dir, "libver.so.1"));
                File.Copy(Path.Combine(Out, "link", "libver.so.1"), Path.Combine(dir, sub, "libver.so.1"));
                var app = Path.Combine(Out, "apps", "app_version");
                using var target = Target.LibraryPaths([dir]);
                var verdict = Checker.Check(app, target);
                var ldd = LddReport.Run(app, dir);
                LddReport.AssertAgrees(ldd, verdict);
                Assert.True(verdict.IsCompatible, $"{sub}: {verdict}");
                Assert.Contains(verdict.LoadOrder, o => o.Name == "libver.so.1" && o.Path == Path.Combine(dir, sub, "libver.so.1"));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void Ld_so_cache_prefers_a_supported_glibc_hwcaps_entry_as_the_loader_in_a_chroot_does()
    {
        RequireX86_64Glibc();
        var ldconfig = Tools.Require("ldconfig", "libc-bin");
        if (!File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("needs an x86_64 Debian-layout glibc on this machine");
        }

        var level = Subdirectories().FirstOrDefault(s => s.StartsWith("glibc-hwcaps/", StringComparison.Ordinal));
        if (level is null)
        {
            Assert.Skip("this machine's loader supports no glibc-hwcaps level (glibc older than 2.33 or an x86-64 baseline CPU)");
        }

        var root = SysrootTests.BuildSysroot();
        try
        {
            // /opt/vendor/lib is named by ld.so.conf: found through the cache, never by folder search.
            var hw = Path.Combine(root, "opt/vendor/lib", level);
            Directory.CreateDirectory(hw);
            File.Copy(Path.Combine(Out, "link", "libver.so.1"), Path.Combine(hw, "libver.so.1"));
            var (code, _, err) = Tools.Run(ldconfig, ["-r", root]);
            Assert.True(code == 0, err);

            // The chroot runs on this machine's CPU: the sysroot target is told so (a foreign target's CPU is the baseline).
            using var plain = Target.Sysroot(root);
            using var sysroot = plain.WithCpu(TargetCpu.Host);
            var verdict = Checker.Check(Path.Combine(root, "apps", "app_version"), sysroot);
            var ldd = ChrootTrace.Run(ChrootTrace.Build(), root, "/apps/app_version");
            LddReport.AssertAgrees(ldd, verdict);
            Assert.True(verdict.IsCompatible, verdict.ToString());
            Assert.Contains(verdict.LoadOrder, o => o.Name == "libver.so.1" && o.Path == $"/opt/vendor/lib/{level}/libver.so.1");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Legacy_combinations_are_listed_as_glibc_lists_them()
    {
        // The first from the listing of this machine's loader (components x86_64 of AT_HWCAP, x86_64 of AT_PLATFORM,
        // tls); the second tells the platform apart from the AT_HWCAP name, as _dl_important_hwcaps orders them
        // (the platform glibc substitutes on Intel AVX2 CPUs, which this machine may not have).
        Assert.Equal(
            ["tls/x86_64/x86_64", "tls/x86_64", "tls/x86_64", "tls", "x86_64/x86_64", "x86_64", "x86_64"],
            HardwareCapabilities.LegacyCombinations(["x86_64", "x86_64", "tls"]));
        Assert.Equal(
            ["tls/haswell/x86_64", "tls/haswell", "tls/x86_64", "tls", "haswell/x86_64", "haswell", "x86_64"],
            HardwareCapabilities.LegacyCombinations(["x86_64", "haswell", "tls"]));
    }
}
