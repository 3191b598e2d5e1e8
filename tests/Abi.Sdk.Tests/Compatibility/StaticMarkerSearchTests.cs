using System.Text;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// The one-pass search for glibc's two markers in a static executable (the release banner and the kernel check's
/// message) finds the first occurrence of each, as <c>grep -obaF</c> does on real C libraries, loaders and static
/// programs, and as the runtime's own <c>IndexOf</c> does with the markers planted at every offset around the
/// search's 16-byte steps, overlapping, repeated, truncated and at the very end.
/// </summary>
public class StaticMarkerSearchTests
{
    private const string Release = " release version ";
    private const string Kernel = "FATAL: kernel too old";

    /// <summary>The byte offset of the first occurrence grep reports, or -1.</summary>
    private static int Grep(string grep, string file, string marker)
    {
        var (_, stdout, _) = Tools.Run(grep, ["-obaF", "-m", "1", marker, file]);
        var first = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is null ? -1 : int.Parse(first[..first.IndexOf(':')], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static TheoryData<string> HostFiles => new()
    {
        "/sbin/ldconfig",                         // a static-pie of this machine's glibc: the banner, no kernel check
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib64/ld-linux-x86-64.so.2",
        "/usr/bin/bash",                          // neither
    };

    [Theory]
    [MemberData(nameof(HostFiles))]
    public void Finds_what_grep_finds_in_files_of_this_machine(string file)
    {
        var grep = Tools.Require("grep", "grep");
        if (!File.Exists(file))
        {
            Assert.Skip($"{file} is not on this machine");
        }

        AssertLikeGrep(grep, file);
    }

    [Fact]
    public void Finds_what_grep_finds_in_glibc_2_31_which_still_has_the_kernel_check()
    {
        var grep = Tools.Require("grep", "grep");
        var root = OldGlibc.Root();
        foreach (var file in new[] { "lib/x86_64-linux-gnu/ld-2.31.so", "lib/x86_64-linux-gnu/libc.so.6" })
        {
            var path = Path.Combine(root, file);
            Assert.True(Grep(grep, path, Kernel) >= 0 || Grep(grep, path, Release) >= 0, $"{file}: neither marker, the test would prove nothing");
            AssertLikeGrep(grep, path);
        }
    }

    private static void AssertLikeGrep(string grep, string file)
    {
        var bytes = File.ReadAllBytes(file);
        var (release, check) = StaticExecutableCheck.FindMarkers(bytes);
        Assert.Equal(Grep(grep, file, Release), release);
        Assert.Equal(Grep(grep, file, Kernel), check);
    }

    /// <summary>
    /// A static program grown past several pieces (bytes after the last section change nothing for an ELF reader),
    /// with markers planted across the pieces' boundaries: the search of the file in pieces finds what grep finds,
    /// and the banner's release that follows it.
    /// </summary>
    [Theory]
    [InlineData(-5, -30, "2.29")]       // the banner straddles a boundary; a kernel message ends before it
    [InlineData(30, -3, "2.17")]        // the banner after a boundary; the kernel message straddles it
    [InlineData(-17, 40, "2.40")]       // the banner ends at the boundary, its version is in the next piece
    [InlineData(null, null, null)]      // neither: the whole file is read
    public void Reading_the_file_in_pieces_finds_what_grep_finds(int? releaseFromBoundary, int? kernelFromBoundary, string? version)
    {
        var grep = Tools.Require("grep", "grep");
        const string program = "/sbin/ldconfig"; // static-pie: has its own banner, which planted ones come after
        if (!File.Exists(program))
        {
            Assert.Skip($"{program} is not on this machine");
        }

        var bytes = File.ReadAllBytes(program).ToList();
        int original = bytes.Count;
        bytes.AddRange(new byte[(3 * StaticExecutableCheck.FileChunk) - original + 12345]);
        var data = bytes.ToArray();
        int boundary = 2 * StaticExecutableCheck.FileChunk;
        if (releaseFromBoundary is { } r)
        {
            Encoding.ASCII.GetBytes(Release + version + ".").CopyTo(data, boundary + r);
        }

        if (kernelFromBoundary is { } k)
        {
            Encoding.ASCII.GetBytes(Kernel).CopyTo(data, boundary + k);
        }

        // The program's own banner comes first in the file; blank it so that the planted one is the first.
        var own = data.AsSpan(0, original).IndexOf(Encoding.ASCII.GetBytes(Release));
        if (own >= 0)
        {
            data.AsSpan(own, Release.Length).Fill((byte)'x');
        }

        var file = Path.Combine(Path.GetTempPath(), $"abi-static-pieces-{Environment.ProcessId}-{releaseFromBoundary}-{kernelFromBoundary}");
        File.WriteAllBytes(file, data);
        try
        {
            using var image = ElfImage.Open(file);
            var (release, hasCheck) = StaticExecutableCheck.FindMarkers(image);
            Assert.Equal(Grep(grep, file, Kernel) >= 0, hasCheck);
            int releaseAt = Grep(grep, file, Release);
            Assert.Equal(releaseFromBoundary is null ? -1 : boundary + releaseFromBoundary.Value, releaseAt);
            Assert.Equal(version is null ? null : Version.Parse(version), release);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Agrees_with_IndexOf_wherever_the_markers_are_planted()
    {
        var random = new Random(17);
        var release = Encoding.ASCII.GetBytes(Release);
        var kernel = Encoding.ASCII.GetBytes(Kernel);
        foreach (int length in new[] { 0, 1, 20, 31, 32, 47, 48, 64, 100, 257 })
        {
            for (int at = 0; at <= length; at++)
            {
                foreach (var (marker, other) in new[] { (release, kernel), (kernel, release) })
                {
                    // Text-like filler full of the anchor bytes, so that candidates are many and most fail.
                    var bytes = new byte[length];
                    for (int i = 0; i < length; i++)
                    {
                        bytes[i] = "Fv: n release versio FATAL kernel"u8[random.Next(33)];
                    }

                    // The marker whole where it fits, else cut off by the end of the file (not an occurrence).
                    marker.AsSpan(0, Math.Min(marker.Length, length - at)).CopyTo(bytes.AsSpan(at));
                    if (at + marker.Length + 3 + other.Length <= length)
                    {
                        other.CopyTo(bytes.AsSpan(at + marker.Length + 3));
                    }

                    if (at >= 2 * marker.Length)
                    {
                        marker.CopyTo(bytes.AsSpan(at - (2 * marker.Length))); // an earlier occurrence wins
                    }

                    Assert.Equal((bytes.AsSpan().IndexOf(release), bytes.AsSpan().IndexOf(kernel)), StaticExecutableCheck.FindMarkers(bytes));
                }
            }
        }
    }
}
