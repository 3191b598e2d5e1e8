using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

public class BaselineTests
{
    private static AbiSurface Fixture(string name, string version)
    {
        using var image = ElfImage.Open(FixturePairTests.Pair(name, version));
        return AbiSurface.Of(image);
    }

    private static AbiSurface RoundTrip(AbiSurface surface)
    {
        using var stream = new MemoryStream();
        AbiBaseline.Write(surface, stream);
        stream.Position = 0;
        return AbiBaseline.Read(stream, "baseline.json");
    }

    [Theory]
    [InlineData("object-size-changed", "v1")]
    [InlineData("default-version-changed", "v2")]
    [InlineData("visibility-changed", "v2")]
    [InlineData("needed-added", "v2")]
    [InlineData("class-changed", "v2")]
    public void Fixture_baseline_round_trips(string name, string version)
    {
        var surface = Fixture(name, version);
        var back = RoundTrip(surface);
        Assert.Equal(surface.Fingerprint, back.Fingerprint);
        Assert.Equal(surface.Symbols.Order(), back.Symbols);
        Assert.Equal(surface.Versions, back.Versions);
        Assert.Equal(surface.Needed, back.Needed);
        Assert.Equal(surface.Soname, back.Soname);
        Assert.Equal((surface.Class, surface.Machine), (back.Class, back.Machine));
        Assert.Empty(AbiComparer.Default.Compare(surface, back, TestContext.Current.CancellationToken).Diagnostics);
    }

    [Fact]
    public void Real_library_baseline_round_trips_and_is_stable()
    {
        var path = "/usr/lib/x86_64-linux-gnu/libtinfo.so.6";
        if (!File.Exists(path))
        {
            Assert.Skip("libtinfo.so.6 is not installed");
        }

        var surface = AbiSurface.Open(path);
        using var first = new MemoryStream();
        AbiBaseline.Write(surface, first);
        var back = RoundTrip(surface);
        using var second = new MemoryStream();
        AbiBaseline.Write(back.WithFileName(path), second);
        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.Equal(surface.Fingerprint, back.Fingerprint);
    }

    [Fact]
    public void Comparing_new_binaries_against_a_baseline_finds_the_same_changes()
    {
        var dir = Directory.CreateTempSubdirectory("abi-baseline-");
        try
        {
            var baseline = Path.Combine(dir.FullName, "v1.json");
            AbiBaseline.Write(Fixture("symbol-moved", "v1"), baseline);
            var fromBaseline = AbiComparer.Default.Compare(AbiSurface.Open(baseline), Fixture("symbol-moved", "v2"), TestContext.Current.CancellationToken);
            var fromElf = FixturePairTests.Diff("symbol-moved");
            Assert.Equal(fromElf.Diagnostics.Select(d => d.Id + d.Subject), fromBaseline.Diagnostics.Select(d => d.Id + d.Subject));
            Assert.Equal(fromElf.ExitCode, fromBaseline.ExitCode);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Theory]
    [InlineData("symbol-moved", "v2")]
    [InlineData("object-size-changed", "v2")]
    [InlineData("default-version-changed", "v2")]
    [InlineData("needed-added", "v2")]
    public void Abidw_abixml_reads_as_the_same_elf_symbols(string name, string version)
    {
        var abidw = Tools.Require("abidw", "abigail-tools");
        var file = FixturePairTests.Pair(name, version);
        var (exit, xml, stderr) = Tools.Run(abidw, ["--no-show-locs", file]);
        Assert.True(exit == 0, stderr);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(xml));
        var fromXml = AbiBaseline.Read(stream, "fixture.abi");
        var fromElf = Fixture(name, version);

        // abidw writes st_size for data only.
        static string Key(AbiSymbol s) => $"{s.Spelling} {s.Type} {s.Binding} {s.Visibility} {(s.IsData ? s.Size : 0)}";
        Assert.Equal(fromElf.Symbols.Select(Key).Order(StringComparer.Ordinal), fromXml.Symbols.Select(Key).Order(StringComparer.Ordinal));
        Assert.Equal(fromElf.Soname, fromXml.Soname);
        Assert.Equal(fromElf.Needed, fromXml.Needed);
        Assert.Equal(fromElf.Machine, fromXml.Machine);

        // ABIXML carries no version-node definitions: only their names, from the symbols.
        var diff = AbiComparer.Default.Compare(fromXml, fromElf, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(diff.Diagnostics, d => d.Symbol is not null);
    }

    [Fact]
    public void Abidw_abixml_of_a_real_library_with_aliases_reads_every_symbol()
    {
        var abidw = Tools.Require("abidw", "abigail-tools");
        var path = "/usr/lib/x86_64-linux-gnu/libboost_filesystem.so.1.81.0";
        if (!File.Exists(path))
        {
            Assert.Skip("libboost_filesystem.so.1.81.0 is not installed (apt-get install libboost-filesystem1.81.0)");
        }

        var (exit, xml, stderr) = Tools.Run(abidw, ["--no-show-locs", path]);
        Assert.True(exit == 0, stderr);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(xml));
        var fromXml = AbiBaseline.Read(stream, "boost.abi");
        var fromElf = AbiSurface.Open(path);
        Assert.Equal(fromElf.Symbols.Select(s => s.Spelling).Order(StringComparer.Ordinal), fromXml.Symbols.Select(s => s.Spelling).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("", "neither an ELF file")]
    [InlineData("{", "malformed JSON")]
    [InlineData("{\"format\": \"something-else\"}", "not an Abi.Sdk baseline")]
    [InlineData("{\"format\": \"abi-sdk-baseline\", \"formatVersion\": 99}", "not supported")]
    [InlineData("{\"format\": \"abi-sdk-baseline\", \"formatVersion\": 1, \"soname\": null, \"class\": \"ELF64\", \"machine\": 62, \"needed\": [], \"versions\": [], \"symbols\": [{\"name\": \"x\"}]}", "missing property")]
    [InlineData("{\"format\": \"abi-sdk-baseline\", \"formatVersion\": 1, \"soname\": null, \"class\": \"ELF64\", \"machine\": 99999999, \"needed\": [], \"versions\": [], \"symbols\": []}", "out of range")]
    [InlineData("<abi-corpus", "malformed ABIXML")]
    [InlineData("<html/>", "no abi-corpus")]
    [InlineData("<!DOCTYPE x [<!ENTITY a \"b\">]><abi-corpus/>", "malformed ABIXML")]
    public void Malformed_baselines_raise_one_typed_error(string text, string reason)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        var ex = Assert.Throws<AbiBaselineFormatException>(() => AbiBaseline.Read(stream, "bad.json"));
        Assert.Contains(reason, ex.Message);
        Assert.Equal("bad.json", ex.FileName);
    }
}
