using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

public class ElfHeaderTests
{
    [Fact]
    public void Libc_soname_and_versions_match_readelf()
    {
        var readelf = Tools.Require("readelf", "binutils");
        const string libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        if (!File.Exists(libc))
        {
            Assert.Skip("no x86_64 glibc on this machine");
        }

        using var image = ElfImage.Open(libc);
        var dynamic = Tools.Run(readelf, ["-d", "-W", libc]).Stdout;
        Assert.Contains($"Library soname: [{image.Soname}]", dynamic);
        Assert.Equal(ElfClass.Elf64, image.Header.Class);
        Assert.Equal(ElfMachine.X86_64, image.Header.Machine);
        Assert.Contains(image.VersionDefinitions, v => v.Name == "GLIBC_2.34");
    }
}
