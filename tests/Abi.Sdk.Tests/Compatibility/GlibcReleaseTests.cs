using System.Text.RegularExpressions;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// The target's glibc release (<see cref="TargetLayout.GlibcVersion"/>) against what the C library itself says
/// (running <c>libc.so.6</c> prints its banner, <c>ldd --version</c>) and what its loader searches (LD_DEBUG=libs),
/// on this machine's glibc, Debian 11's glibc 2.31 under qemu-user, a stand-in C library whose newest version node
/// is newer than its release, and a stand-in glibc RPM. Fixtures: Fixtures/loader-filter/make-fixtures.sh.
/// </summary>
public partial class GlibcReleaseTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "loader-filter", "out");

    private const string Marker = "/abi-sdk-no-such-folder";

    [GeneratedRegex(@"release version (\d+\.\d+(?:\.\d+)?)")]
    private static partial Regex Banner();

    private static Version NewestNode(string libc)
    {
        using var image = ElfImage.Open(libc);
        return image.VersionDefinitions.Select(d => d.Name.StartsWith("GLIBC_", StringComparison.Ordinal) && Version.TryParse(d.Name[6..], out var v) ? v : null).OfType<Version>().Max()!;
    }

    /// <summary>The subfolders of the LD_LIBRARY_PATH entry in an LD_DEBUG=libs search-path line, "" for the folder itself.</summary>
    private static List<string> LibraryPathSubfolders(string debugOutput)
    {
        var line = debugOutput.Split('\n').First(l => l.Contains("search path=", StringComparison.Ordinal) && l.Contains("(LD_LIBRARY_PATH)", StringComparison.Ordinal));
        var list = line[(line.IndexOf("search path=", StringComparison.Ordinal) + 12)..line.IndexOf("(LD_LIBRARY_PATH)", StringComparison.Ordinal)].Trim();
        return list.Split(':').Select(p => p == Marker ? "" : p[(Marker.Length + 1)..]).ToList();
    }

    private static string HostLibc()
    {
        const string libc = "/lib/x86_64-linux-gnu/libc.so.6";
        Tools.Require("ldd", "libc-bin");
        if (!File.Exists(libc) || !System.Runtime.Intrinsics.X86.X86Base.X64.IsSupported)
        {
            Assert.Skip("needs an x86-64 Debian-layout glibc on this machine");
        }

        return libc;
    }

    [Fact]
    public void This_machines_release_is_the_one_its_libc_prints()
    {
        var libc = HostLibc();
        var (_, banner, _) = Tools.Run(libc, []);
        var (_, lddVersion, _) = Tools.Run("ldd", ["--version"]);
        var printed = Version.Parse(Banner().Match(banner).Groups[1].Value);
        Assert.EndsWith(" " + printed, lddVersion.Split('\n')[0], StringComparison.Ordinal);

        using var host = Target.Host();
        var layout = host.LayoutFor(ElfClass.Elf64, ElfMachine.X86_64);
        Assert.Equal(printed, layout.GlibcVersion);
        Assert.Equal(GlibcVersionSource.ReleaseString, layout.GlibcVersionSource);
    }

    [Fact]
    public void A_version_node_newer_than_the_release_does_not_change_the_release_or_its_search()
    {
        var hostLibc = HostLibc();
        var root = Path.Combine(Out, "sysroot-2.36");
        Assert.Equal(new Version(2, 37), NewestNode(Path.Combine(root, "lib/x86_64-linux-gnu/libc.so.6")));

        using var sysroot = Target.Sysroot(root);
        var layout = sysroot.LayoutFor(ElfClass.Elf64, ElfMachine.X86_64);
        Assert.Equal(new Version(2, 36), layout.GlibcVersion);
        Assert.Equal(GlibcVersionSource.ReleaseString, layout.GlibcVersionSource);

        // A 2.36 loader still searches the legacy subfolders (2.37 dropped them): on the baseline CPU only those.
        Assert.Equal(["tls/x86_64/x86_64", "tls/x86_64", "tls/x86_64", "tls", "x86_64/x86_64", "x86_64", "x86_64"], layout.HardwareSubdirectories);

        // On this machine's CPU, the folders this machine's 2.36 loader searches, in its order.
        var (_, printed, _) = Tools.Run(hostLibc, []);
        if (Banner().Match(printed).Groups[1].Value != "2.36")
        {
            Assert.Skip("this machine's loader is not glibc 2.36, the release of the fixture");
        }

        var (_, _, stderr) = Tools.Run("/bin/true", [], new Dictionary<string, string> { ["LD_DEBUG"] = "libs", ["LD_LIBRARY_PATH"] = Marker });
        using var onHostCpu = sysroot.WithCpu(TargetCpu.Host);
        var ours = onHostCpu.LayoutFor(ElfClass.Elf64, ElfMachine.X86_64).HardwareSubdirectories.Append("").ToList();
        Assert.Equal(LibraryPathSubfolders(stderr), ours);
    }

    [Fact]
    public void Debian_11s_glibc_is_read_as_2_31_and_its_loader_searches_what_the_layout_says()
    {
        var qemu = Tools.Require("qemu-x86_64", "qemu-user");
        var root = OldGlibc.Root();
        var libc = Path.Combine(root, "lib/x86_64-linux-gnu/libc.so.6");
        var loader = Path.Combine(root, "lib/x86_64-linux-gnu/ld-2.31.so"); // its /lib64 link points outside the folder
        var (_, banner, _) = Tools.Run(qemu, ["-cpu", "qemu64", "-L", root, loader, libc]);
        var printed = Version.Parse(Banner().Match(banner).Groups[1].Value);
        Assert.Equal(new Version(2, 31), printed);
        Assert.Equal(new Version(2, 30), NewestNode(libc)); // 2.31 added no version node: the newest node is not the release

        using var sysroot = Target.Sysroot(root);
        var layout = sysroot.LayoutFor(ElfClass.Elf64, ElfMachine.X86_64);
        Assert.Equal(printed, layout.GlibcVersion);
        Assert.Equal(GlibcVersionSource.ReleaseString, layout.GlibcVersionSource);

        // Its loader on a baseline CPU (the target's default CPU): no glibc-hwcaps (2.33), the legacy subfolders.
        // A library needing a missing object makes it search the library path and print it.
        var library = Path.Combine(Out, "lib", "libfilter.so.1");
        var (_, _, stderr) = Tools.Run(qemu, ["-cpu", "qemu64", "-E", "LD_DEBUG=libs", "-L", root, loader, "--library-path", Marker, "--list", library]);
        Assert.Equal(LibraryPathSubfolders(stderr), layout.HardwareSubdirectories.Append("").ToList());
        Assert.DoesNotContain(layout.HardwareSubdirectories, s => s.StartsWith("glibc-hwcaps/", StringComparison.Ordinal));
    }

    [Fact]
    public void An_rpm_targets_release_is_the_version_of_the_package_installing_libc_when_the_file_does_not_say()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var package = Directory.GetFiles(Out, "glibc-*.rpm").Single();
        var (_, version, _) = Tools.Run(rpm, ["-qp", "--qf", "%{VERSION}", package]);

        using var target = Target.FromRpms([package], cancellationToken: TestContext.Current.CancellationToken);
        var layout = target.LayoutFor(ElfClass.Elf64, ElfMachine.X86_64);
        Assert.Equal(Version.Parse(version.Trim()), layout.GlibcVersion);
        Assert.Equal(GlibcVersionSource.PackageVersion, layout.GlibcVersionSource);

        // The same file outside its package: only its newest version node (2.35, a backport) is left to go by.
        var opened = RpmPackage.Open(package);
        using var payload = opened.OpenPayload();
        ReadOnlyMemory<byte> bytes = default;
        while (payload.GetNextEntry() is { } entry)
        {
            if (entry.Path.EndsWith("/libc.so.6", StringComparison.Ordinal))
            {
                bytes = entry.ReadAllBytes();
            }
        }

        using var files = Target.FromFiles([TargetFile.FromBytes("/usr/lib64/libc.so.6", bytes)]);
        var bare = files.LayoutFor(ElfClass.Elf64, ElfMachine.X86_64);
        Assert.Equal(new Version(2, 35), bare.GlibcVersion);
        Assert.Equal(GlibcVersionSource.NewestVersionNode, bare.GlibcVersionSource);

        // A verdict on that target carries the guess, and the text report says it is one.
        using var image = ElfImage.Open(Path.Combine(Out, "apps", "app_filter"));
        var verdict = global::Abi.Sdk.Compatibility.CompatibilityChecker.CheckAt(image, "/usr/bin/app_filter", files);
        Assert.Equal((new Version(2, 35), GlibcVersionSource.NewestVersionNode), (verdict.GlibcVersion, verdict.GlibcVersionSource));
        var text = new StringWriter();
        global::Abi.Sdk.Reporting.CompatibilityTextReport.Write(verdict, text);
        Assert.Contains("note: the target's glibc release is taken as 2.35, its libc.so.6's newest version node", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_glibc_package_installed_by_CheckPackages_gives_its_version_to_the_verdicts()
    {
        var package = RpmPackage.Open(Directory.GetFiles(Out, "glibc-*.rpm").Single());
        using var empty = Target.FromFiles([TargetFile.Directory("/usr/lib64")], "empty");
        var verdict = Assert.Single(global::Abi.Sdk.Compatibility.CompatibilityChecker.CheckPackage(package, empty, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("/usr/lib64/libc.so.6", verdict.Binary);
        Assert.Equal((Version.Parse(package.Version), GlibcVersionSource.PackageVersion), (verdict.GlibcVersion, verdict.GlibcVersionSource));
    }

    [Theory]
    [InlineData("GNU C Library (GNU libc) stable release version 2.34.\n", "2.34")]
    [InlineData("GNU C Library (GNU libc) development release version 2.40.9000.\n", "2.40.9000")]
    [InlineData("GNU C Library (GNU libc) stable release version 2.17, by Roland McGrath et al.\n", "2.17")]
    [InlineData("not a banner release version 9.9.\0GNU C Library (x) stable release version 2.28.\n", "2.28")]
    [InlineData("other text release version 2.36.", null)]
    [InlineData("GNU C Library stable release version .", null)]
    public void The_release_string_is_found_only_in_the_C_librarys_banner(string data, string? expected)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes("\0\0" + data + "\0");
        Assert.Equal(expected is null ? null : Version.Parse(expected), GlibcRelease.FindRelease(bytes));
    }
}

/// <summary>Debian 11's glibc 2.31, unpacked by tests/tools/fetch-old-glibc.sh (fetched once, then cached).</summary>
internal static class OldGlibc
{
    private static readonly Lazy<string?> Folder = new(() =>
    {
        var script = Path.Combine(Paths.RepositoryRoot, "tests", "tools", "fetch-old-glibc.sh");
        var (code, stdout, _) = Tools.Run("bash", [script]);
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return code == 0 && last is not null && File.Exists(Path.Combine(last, "lib/x86_64-linux-gnu/libc.so.6")) ? last : null;
    });

    public static string Root()
    {
        if (Folder.Value is not { } root)
        {
            Assert.Skip("Debian 11's glibc could not be fetched (tests/tools/fetch-old-glibc.sh needs the machine's Debian archive)");
        }

        return Folder.Value!;
    }
}
