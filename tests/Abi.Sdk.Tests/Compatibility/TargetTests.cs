using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>Targets given as files: hostile layouts end in a verdict, never a hang or a crash.</summary>
public class TargetTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    private static TargetFile[] HostGlibc() =>
    [
        TargetFile.Symlink("/lib", "usr/lib"),
        TargetFile.Symlink("/lib64", "usr/lib64"),
        TargetFile.FromOpener("/usr/lib/x86_64-linux-gnu/libc.so.6", () => File.ReadAllBytes(LddReport.Real("/lib/x86_64-linux-gnu/libc.so.6"))),
        TargetFile.FromOpener("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", () => File.ReadAllBytes(LddReport.Real("/lib64/ld-linux-x86-64.so.2"))),
        TargetFile.Symlink("/usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
    ];

    [Fact]
    public void Link_loops_self_including_configuration_and_garbage_libraries_are_not_found()
    {
        if (!File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("needs an x86_64 Debian-layout glibc on this machine");
        }

        using var target = Target.FromFiles(
        [
            .. HostGlibc(),
            TargetFile.FromBytes("/etc/ld.so.conf", "include /etc/ld.so.conf\ninclude ld.so.conf.d/*.conf\n/opt/a\n"u8.ToArray()),
            TargetFile.FromBytes("/etc/ld.so.conf.d/x.conf", "include /etc/ld.so.conf\n/opt/b/\n"u8.ToArray()),
            TargetFile.Symlink("/opt/a/libmid.so.1", "libmid.so.1"),                      // a link to itself
            TargetFile.Symlink("/opt/b/libmid.so.1", "/opt/b/loop/libmid.so.1"),
            TargetFile.Symlink("/opt/b/loop", "../b/loop"),                                // a folder link loop
            TargetFile.FromBytes("/usr/lib/x86_64-linux-gnu/libbase.so.1", "\x7fELF garbage"u8.ToArray()),
        ]);
        Assert.Equal(["/opt/b", "/opt/a"], target.ConfiguredDirectories); // the include line comes first
        var verdict = Checker.Check(Path.Combine(Out, "apps", "app_deep"), target);
        Assert.Equal(["libmid.so.1"], verdict.MissingLibraries.Select(m => m.Name));
        Assert.Contains(verdict.MissingSymbols, s => s.Name == "mid");
    }

    [Fact]
    public void Libraries_of_another_machine_are_skipped_and_the_search_goes_on()
    {
        if (!File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("needs an x86_64 Debian-layout glibc on this machine");
        }

        // An ELF32 libver.so.1 first on the library path, the right one in the default folder: open_verify skips the first.
        var gcc = Tools.Require("gcc", "gcc");
        var dir = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"m32-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var source = Path.Combine(dir, "v.c");
        File.WriteAllText(source, "int ver_a(void) { return 1; }\n");
        var lib32 = Path.Combine(dir, "libver.so.1");
        var (code, _, _) = Tools.Run(gcc, ["-m32", "-shared", "-fPIC", "-nostdlib", "-o", lib32, source]);
        if (code != 0)
        {
            Assert.Skip("gcc cannot build 32-bit objects here (gcc-multilib)");
        }

        using (var image = ElfImage.Open(lib32))
        {
            Assert.Equal(ElfClass.Elf32, image.Header.Class);
        }

        var link = Path.Combine(Out, "link", "libver.so.1");
        using var target = Target.FromFiles(
        [
            .. HostGlibc(),
            TargetFile.FromBytes("/opt/m32/libver.so.1", File.ReadAllBytes(lib32)),
            TargetFile.FromBytes("/usr/lib/x86_64-linux-gnu/libver.so.1", File.ReadAllBytes(link)),
            TargetFile.FromBytes("/etc/ld.so.conf", "/opt/m32\n"u8.ToArray()),
        ]);
        var verdict = Checker.Check(Path.Combine(Out, "apps", "app_version"), target);
        Assert.True(verdict.IsCompatible, verdict.ToString());
        Assert.Contains(verdict.LoadOrder, o => o.Name == "libver.so.1" && o.Path == "/usr/lib/x86_64-linux-gnu/libver.so.1");
    }
}
