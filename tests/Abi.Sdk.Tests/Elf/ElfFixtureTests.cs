using System.Buffers.Binary;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>What the fixtures were built to contain (src/*.c, src/versioned.map), read through the model.</summary>
public class ElfFixtureTests
{
    private static ElfImage Open(string name) => ElfImage.Open(Path.Combine(Paths.Fixtures, "elf", name));

    private static ElfSymbol Defined(ElfImage image, string spelled) => image.DynamicSymbols.Single(s => s.IsDefined && s.ToString() == spelled);

    [Theory]
    [InlineData("libversioned.so")]
    [InlineData("libversioned-noshdr.so")]
    [InlineData("libversioned-i686.so")]
    [InlineData("libversioned-s390x.so")]
    [InlineData("libversioned-s390x-noshdr.so")]
    public void Versioned_library_has_its_version_tree(string name)
    {
        using var image = Open(name);
        Assert.Equal("libversioned.so.2", image.Soname);
        Assert.True(image.IsSharedLibrary);
        var tree = image.VersionDefinitions.Select(d => $"{d.Index} {ReadelfNames.VersionFlags(d.Flags)} {d.Name} <- [{string.Join(",", d.Predecessors)}]");
        Assert.Equal(
        [
            "1 BASE libversioned.so.2 <- []",
            "2 none VERS_1.0 <- []",
            "3 none VERS_1.1 <- [VERS_1.0]",
            "4 none VERS_2.0 <- [VERS_1.1]",
            "5 none VERS_PRIVATE <- []",
            "6 WEAK VERS_2.1 <- [VERS_2.0]",
        ], tree);
        Assert.True(image.VersionDefinitions[0].IsBase);
        Assert.Contains(image.VersionNeeds, n => n.FileName == "libc.so.6");
    }

    [Theory]
    [InlineData("libversioned.so")]
    [InlineData("libversioned-i686-noshdr.so")]
    [InlineData("libversioned-s390x.so")]
    public void Versioned_library_symbols_have_their_kinds_and_versions(string name)
    {
        using var image = Open(name);

        var oldFrob = Defined(image, "frob@VERS_1.0");
        Assert.True(oldFrob.IsVersionHidden);
        Assert.False(oldFrob.IsDefaultVersion);
        Assert.Equal("VERS_1.0", oldFrob.Version!.Name);
        var newFrob = Defined(image, "frob@@VERS_2.0");
        Assert.False(newFrob.IsVersionHidden);
        Assert.True(newFrob.IsDefaultVersion);
        Assert.IsType<ElfVersionDefinition>(newFrob.Version);

        Assert.Equal(ElfSymbolType.GnuIndirectFunction, Defined(image, "fast_hash@@VERS_1.1").Type);
        Assert.Equal(ElfSymbolType.Tls, Defined(image, "tls_counter@@VERS_1.1").Type);
        Assert.Equal(ElfSymbolVisibility.Protected, Defined(image, "protected_api@@VERS_1.0").Visibility);
        Assert.Equal(ElfSymbolBinding.GnuUnique, Defined(image, "unique_counter@@VERS_1.1").Binding);
        Assert.Equal(ElfSymbolBinding.Weak, Defined(image, "weak_hook@@VERS_1.0").Binding);
        var widget = Defined(image, "widget_count@@VERS_1.0");
        Assert.Equal(ElfSymbolType.Object, widget.Type);
        Assert.Equal(4UL, widget.Size);

        // The linker's marker symbol for each node carries the node's name and is displayed without a version.
        var marker = image.DynamicSymbols.Single(s => s.Name == "VERS_2.0");
        Assert.True(marker.IsVersionMarker);
        Assert.Equal(ElfSectionIndex.SHN_ABS, marker.SectionIndex);
        Assert.Null(marker.DisplayVersion);
        Assert.Equal("VERS_2.0", marker.Version!.Name);

        var printf = image.DynamicSymbols.Single(s => s.Name == "printf");
        Assert.False(printf.IsDefined);
        var required = Assert.IsType<ElfVersionRequirement>(printf.Version);
        Assert.Equal("libc.so.6", required.FileName);
        Assert.StartsWith("GLIBC_2.", required.Name);
        Assert.False(printf.IsDefaultVersion);

        Assert.Equal(25, image.DynamicSymbols.Count);
        Assert.True(image.DynamicSymbols.HasVersions);
        Assert.Equal(image.DynamicSymbols.Select(s => s.Name).ToList(), image.DynamicSymbols.Select(s => System.Text.Encoding.UTF8.GetString(s.NameUtf8)).ToList());
    }

    [Fact]
    public void Consumer_requires_a_weak_version_and_binds_to_default_versions()
    {
        using var image = Open("libconsumer.so");
        Assert.Equal("libconsumer.so.1", image.Soname);
        Assert.Equal("$ORIGIN/../lib", image.Dynamic!.RunPath);
        Assert.Null(image.Dynamic.RPath);
        var need = Assert.Single(image.VersionNeeds);
        Assert.Equal("libversioned.so.2", need.FileName);
        var gadget = image.DynamicSymbols.Single(s => s.Name == "gadget");
        Assert.Equal(ElfSymbolBinding.Weak, gadget.Binding);
        var requirement = Assert.IsType<ElfVersionRequirement>(gadget.Version);
        Assert.True(requirement.IsWeak);
        Assert.Equal("VERS_1.1", requirement.Name);
        Assert.Equal("libversioned.so.2", requirement.FileName);
        Assert.Equal("frob@VERS_2.0", image.DynamicSymbols.Single(s => s.Name == "frob").ToString());
        Assert.False(need.Versions.Single(v => v.Name == "VERS_2.0").IsWeak);
    }

    [Fact]
    public void App_is_a_pie_with_an_interpreter_and_an_rpath()
    {
        using var image = Open("app");
        Assert.True(image.IsPositionIndependentExecutable);
        Assert.False(image.IsSharedLibrary);
        Assert.Equal(ElfFileType.SharedObject, image.Header.Type);
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", image.Interpreter);
        Assert.Equal("/opt/versioned/lib", image.Dynamic!.RPath);
        Assert.Equal(["libconsumer.so.1", "libversioned.so.2", "libc.so.6"], image.Needed);
        Assert.True(image.Dynamic.HasDebug);
        Assert.True((image.Dynamic.Flags1 & ElfDynamicFlags1.DF_1_PIE) != 0);
        Assert.NotEqual(0UL, image.Header.Entry);
    }

    [Fact]
    public void Load_from_memory_and_stream_equal_open()
    {
        var path = Path.Combine(Paths.Fixtures, "elf", "libversioned.so");
        using var mapped = ElfImage.Open(path);
        using var memory = ElfImage.Parse(File.ReadAllBytes(path), "mem");
        using var stream = File.OpenRead(path);
        using var streamed = ElfImage.Read(stream, "stream");
        foreach (var other in new[] { memory, streamed })
        {
            Assert.Equal(mapped.DynamicSymbols.Select(s => s.ToString()), other.DynamicSymbols.Select(s => s.ToString()));
            Assert.Equal(mapped.BuildIdHex, other.BuildIdHex);
        }

        Assert.Equal("mem", memory.FileName);
    }

    [Fact]
    public void A_symbol_name_past_the_string_table_fails_when_read()
    {
        var path = Path.Combine(Paths.Fixtures, "elf", "libversioned.so");
        var bytes = File.ReadAllBytes(path);
        int symOffset, strSize;
        using (var image = ElfImage.Open(path))
        {
            var dynsym = image.Sections.Single(s => s.Name == ".dynsym");
            symOffset = (int)dynsym.Offset;
            strSize = (int)image.Sections[(int)dynsym.Link].Size;
        }

        // Symbol 3's st_name points one past .dynstr: the table loads (names are lazy) and the name read fails.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(symOffset + (3 * 24)), (uint)strSize);
        using var broken = ElfImage.Parse(bytes, "broken.so");
        var symbol = broken.DynamicSymbols[3];
        var error = Assert.Throws<ElfFormatException>(() => symbol.Name);
        Assert.Equal("broken.so", error.FileName);
        Assert.Contains("outside the dynamic string table", error.Reason);
        Assert.Throws<ElfFormatException>(() => broken.DynamicSymbols[3].NameUtf8.Length);
        Assert.Equal("frob@VERS_1.0", broken.DynamicSymbols.Single(s => s.Index != 3 && s.IsVersionHidden).ToString());
    }

    [Theory]
    [InlineData(".gnu.version_d", 16, "version definition chain link")]
    [InlineData(".gnu.version_r", 12, "version requirement chain link")]
    public void A_version_chain_that_points_backwards_fails(string section, int nextField, string reason)
    {
        var path = Path.Combine(Paths.Fixtures, "elf", "libversioned.so");
        var bytes = File.ReadAllBytes(path);
        int offset;
        using (var image = ElfImage.Open(path))
        {
            offset = (int)image.Sections.Single(s => s.Name == section).Offset;
        }

        // The first entry's next link wraps around to point at itself (32-bit arithmetic): a loop for a naive reader.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset + nextField), 0u);
        using (var ok = ElfImage.Parse(bytes, "short-chain.so"))
        {
            Assert.Single(section == ".gnu.version_d" ? ok.VersionDefinitions.Cast<object>() : ok.VersionNeeds.Cast<object>());
        }

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset + nextField), unchecked((uint)-nextField + 0));
        var error = Assert.Throws<ElfFormatException>(() => ElfImage.Parse(bytes, "loop.so"));
        Assert.Contains(reason, error.Reason);
        Assert.Equal(offset + nextField, error.Offset);
    }
}
