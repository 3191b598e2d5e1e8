using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// <c>abi diff</c> of the glibc point-release pair with types, as a user runs it: with two cores the tool builds the
/// two type graphs side by side with the collector held off, with one (<c>DOTNET_PROCESSOR_COUNT=1</c>) one after
/// the other with a collection between. Both ways must print the very same report, byte for byte, and the type
/// changes abidiff finds in this pair (<see cref="GlibcPointReleaseTests"/>).
/// </summary>
public sealed class GlibcPairCliTests
{
    private const string NewLibc = "/lib/x86_64-linux-gnu/libc.so.6";

    [Theory]
    [InlineData("text")]
    [InlineData("--json")]
    public void Side_by_side_and_in_turn_print_the_same_report(string format)
    {
        var root = PointGlibc.Root();
        using (var image = ElfImage.Open(NewLibc))
        {
            if (new DebugInfoLocator(["/usr/lib/debug"]).Locate(image) is null)
            {
                Assert.Skip("libc6-dbg is not installed (apt-get install libc6-dbg); .ci/run installs it");
            }
        }

        string[] args = ["diff", "--d1", Path.Combine(root, "usr/lib/debug"), "--d2", "/usr/lib/debug", Path.Combine(root, "lib/x86_64-linux-gnu/libc.so.6"), NewLibc];
        if (format != "text")
        {
            args = [.. args, format];
        }

        var tool = Path.Combine(AppContext.BaseDirectory, "abi.dll");
        var sideBySide = Tools.Run("dotnet", [tool, .. args]);
        var inTurn = Tools.Run("dotnet", [tool, .. args], new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "1" });

        Assert.True(sideBySide.ExitCode == 12, $"exit {sideBySide.ExitCode}: {sideBySide.Stderr}");
        Assert.Equal(inTurn.ExitCode, sideBySide.ExitCode);
        Assert.Equal(inTurn.Stdout, sideBySide.Stdout);
        Assert.Empty(sideBySide.Stderr);

        // The type change abidiff reports in libc: the variable whose struct pthread changed.
        Assert.Contains("__nptl_last_event", sideBySide.Stdout, StringComparison.Ordinal);
    }
}
