using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Tests.TestSupport;

/// <summary>This machine's x86-64 libc and its libc6-dbg debug file, or a skip that says which is missing.</summary>
internal static class LibcDebugInfo
{
    public const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";

    /// <summary>Opens libc and locates its debug file; skips the test when either is absent. The caller disposes the image.</summary>
    public static (ElfImage Image, DebugInfoLocation Location) Open()
    {
        if (!File.Exists(Libc))
        {
            Assert.Skip("no x86_64 glibc on this machine");
        }

        var image = ElfImage.Open(Libc);
        if (new DebugInfoLocator().Locate(image) is not { } location)
        {
            image.Dispose();
            Assert.Skip("libc6-dbg is not installed (apt-get install libc6-dbg); .ci/run installs it");
            throw new InvalidOperationException(); // not reached: Assert.Skip throws
        }

        return (image, location);
    }
}
