using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// The DWARF reader against eu-readelf --debug-dump=info: every unit, DIE and attribute of each file, in step (see
/// <see cref="EuReadelfInfoComparison"/>). Fixtures come from Fixtures/dwarf/make-fixtures.sh; the real files are
/// libc6-dbg's debug file for the installed libc (found by build-id) and libstdc++6-12-dbg's libstdc++.
/// </summary>
public sealed class DwarfDifferentialTests(ITestOutputHelper output)
{
    public static TheoryData<string> Fixtures => new(
        "c-dwarf5-O0.so", "c-dwarf5-O2.so", "c-dwarf4-O0.so", "c-dwarf4-O2.so", "c-dwarf3-O0.so", "c-dwarf2-O0.so",
        "c-dwarf5-64bit.so", "c-dwarf4-64bit.so", "cc-dwarf5-O0.so", "cc-dwarf5-O2.so", "cc-dwarf4-O2.so",
        "cc-dwarf5-types.so", "cc-dwarf4-types.so", "c-clang-dwarf5.so", "c-clang-dwarf4.so", "dwz-a.so", "dwz-b.so",
        "dwz-common.debug", "dwz-single.so", "c-zlib.so", "c-zdebug.so", "cc-zlib.so", "split.so.debug",
        "c-s390x-dwarf5.so", "c-s390x-dwarf4.so", "c-split-dwarf5.so", "c-split-dwarf4.so", "c-dwp5.so", "cc-dwp4.so");

    internal static string Fixture(string name) => Path.Combine(Paths.Fixtures, "dwarf", name);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_agrees_with_eu_readelf(string name)
    {
        var euReadelf = Tools.Require("eu-readelf", "elfutils");
        var path = Fixture(name);
        using var dwarf = DwarfFile.Open(path);
        Assert.True(dwarf.HasDebugInfo);
        AssertAgrees(euReadelf, path, dwarf);
    }

    [Fact]
    public void Libc_debug_file_found_by_build_id_agrees_with_eu_readelf()
    {
        var euReadelf = Tools.Require("eu-readelf", "elfutils");
        var (image, location) = LibcDebugInfo.Open();
        using var _ = image;
        Assert.Equal(DebugInfoSource.BuildId, location.Source);
        using var dwarf = DwarfFile.Open(location.Path);
        AssertAgrees(euReadelf, location.Path, dwarf);
    }

    [Fact]
    public void Libstdcxx_debug_build_agrees_with_eu_readelf()
    {
        var euReadelf = Tools.Require("eu-readelf", "elfutils");
        const string path = "/usr/lib/x86_64-linux-gnu/debug/libstdc++.so.6";
        if (!File.Exists(path))
        {
            Assert.Skip("libstdc++6-12-dbg is not installed (apt-get install libstdc++6-12-dbg); .ci/run installs it");
        }

        using var dwarf = DwarfFile.Open(path);
        AssertAgrees(euReadelf, path, dwarf);
    }

    private void AssertAgrees(string euReadelf, string path, DwarfFile dwarf)
    {
        var result = EuReadelfInfoComparison.Run(euReadelf, path, dwarf);
        output.WriteLine(result.Summary());
        foreach (var m in result.Mismatches)
        {
            output.WriteLine(m);
        }

        Assert.True(result.MismatchCount == 0, $"{result.MismatchCount} differences from eu-readelf, first: {string.Join(Environment.NewLine, result.Mismatches)}");
        Assert.Equal(dwarf.Units.Length, result.Units);
        Assert.True(result.Dies > 0);
    }
}
