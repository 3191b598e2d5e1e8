using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>ELF files read straight out of a payload, as the compatibility checker reads --rpms targets.</summary>
public class RpmPayloadElfTests
{
    [Fact]
    public void ElfInsideThePayloadMatchesReadelfOnTheSameBytes()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var package = RpmPackage.Open(Directory.GetFiles(RpmTestData.FixtureDir, "abi-files-xz-*.rpm").Single());
        byte[]? bytes = null;
        foreach (var entry in package.ReadPayload())
        {
            // Content is readable while the enumeration is on the entry.
            if (entry.IsRegularFile && entry.File?.Class?.StartsWith("ELF", StringComparison.Ordinal) == true)
            {
                Assert.Equal("/usr/bin/abi-hello", entry.Path);
                bytes = entry.ReadAllBytes();
            }
        }

        Assert.NotNull(bytes);
        var image = ElfImage.Parse(bytes, "/usr/bin/abi-hello");
        Assert.Contains("libm.so.6", image.Needed);
        Assert.Contains("libc.so.6", image.Needed);

        var file = Path.Combine(Path.GetTempPath(), $"abi-hello-{Guid.NewGuid():N}");
        File.WriteAllBytes(file, bytes);
        try
        {
            var (code, stdout, _) = Tools.Run(readelf, ["-d", "-W", file]);
            Assert.Equal(0, code);
            var expected = stdout.Split('\n').Where(l => l.Contains("(NEEDED)", StringComparison.Ordinal)).Select(l => l[(l.IndexOf('[', StringComparison.Ordinal) + 1)..l.LastIndexOf(']')]).ToList();
            Assert.Equal(expected, image.Needed.ToList());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
