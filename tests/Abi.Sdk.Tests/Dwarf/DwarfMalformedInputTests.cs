using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// Hostile DWARF: each malformation is one <see cref="DwarfFormatException"/> naming the file, the section, the offset
/// and the reason; nothing hangs, recurses without bound or allocates what a header merely claims.
/// </summary>
public sealed class DwarfMalformedInputTests
{
    private static (byte[] Bytes, int InfoOffset, int InfoSize, int AbbrevOffset, int AbbrevSize) Load(string name)
    {
        var bytes = File.ReadAllBytes(DwarfDifferentialTests.Fixture(name));
        using var image = ElfImage.Parse(bytes);
        var info = image.FindSection(".debug_info")!;
        var abbrev = image.FindSection(".debug_abbrev")!;
        return (bytes, (int)info.Offset, (int)info.Size, (int)abbrev.Offset, (int)abbrev.Size);
    }

    private static DwarfFormatException Walk(byte[] bytes, DwarfReaderOptions? options = null)
    {
        using var image = ElfImage.Parse(bytes, "hostile.so");
        using var dwarf = DwarfFile.Of(image, options);
        return Assert.Throws<DwarfFormatException>(() => DwarfReaderTests.Dump(dwarf));
    }

    [Fact]
    public void Unit_length_past_the_section_end()
    {
        var (bytes, info, _, _, _) = Load("c-dwarf5-O0.so");
        bytes[info + 2] = 0x7f;
        var ex = Walk(bytes);
        Assert.Equal(".debug_info", ex.SectionName);
        Assert.Equal(0, ex.Offset);
        Assert.Equal("hostile.so", ex.FileName);
        Assert.Contains("runs past the end of the section", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_version()
    {
        var (bytes, info, _, _, _) = Load("c-dwarf5-O0.so");
        bytes[info + 4] = 9;
        Assert.Contains("DWARF version 9", Walk(bytes).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_form_in_an_abbreviation()
    {
        // The first abbreviation's first attribute: code, tag, children byte, then (name, form).
        var (bytes, _, _, abbrev, _) = Load("c-dwarf4-O0.so");
        int at = abbrev;
        while (bytes[at++] >= 0x80) { }
        while (bytes[at++] >= 0x80) { }
        at++;
        while (bytes[at++] >= 0x80) { }
        bytes[at] = 0x7f;
        var ex = Walk(bytes);
        Assert.Equal(".debug_info", ex.SectionName);
        Assert.Contains("unknown attribute form 0x7f", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Abbreviation_code_missing_from_the_table()
    {
        // DWARF 4 header: length (4), version (2), abbrev offset (4), address size (1); then the first DIE's code.
        var (bytes, info, _, _, _) = Load("c-dwarf4-O0.so");
        bytes[info + 11] = 0x7e;
        var ex = Walk(bytes);
        Assert.Equal(11, ex.Offset);
        Assert.Contains("abbreviation code 126", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_walked_without_recursion()
    {
        // Rewrite the sections in place: one abbreviation (a structure with children and no attributes) and a unit
        // that nests it as deep as .debug_info allows, never closing.
        var (bytes, info, infoSize, abbrev, abbrevSize) = Load("cc-dwarf5-O0.so");
        Array.Clear(bytes, abbrev, abbrevSize);
        bytes[abbrev] = 1;
        bytes[abbrev + 1] = 0x13;
        bytes[abbrev + 2] = 1;
        BitConverter.TryWriteBytes(bytes.AsSpan(info), infoSize - 4);
        bytes[info + 4] = 5;
        bytes[info + 5] = 0;
        bytes[info + 6] = 1;
        bytes[info + 7] = 8;
        Array.Clear(bytes, info + 8, 4);
        Array.Fill(bytes, (byte)1, info + 12, infoSize - 12);
        using var image = ElfImage.Parse(bytes, "hostile.so");
        using var dwarf = DwarfFile.Of(image);
        var reader = dwarf.Units[0].ReadDies();
        int maxDepth = 0;
        while (reader.MoveNext())
        {
            maxDepth = reader.Depth;
        }

        Assert.Equal(infoSize - 13, maxDepth);
        // The root's children never close: one typed error, not a stack overflow.
        var ex = Assert.Throws<DwarfFormatException>(() =>
        {
            foreach (var _ in dwarf.Units[0].RootDie.Children)
            {
            }
        });
        Assert.Contains("closing null entry", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decompressed_size_over_the_limit_is_refused_before_allocation()
    {
        var bytes = File.ReadAllBytes(DwarfDifferentialTests.Fixture("c-zlib.so"));
        var ex = Walk(bytes, new DwarfReaderOptions { MaxDecompressedSize = 100 });
        Assert.Contains("exceeds the remaining limit", ex.Reason, StringComparison.Ordinal);

        // A compression header claiming 2^62 bytes.
        using (var image = ElfImage.Parse(bytes))
        {
            var info = image.FindSection(".debug_info")!;
            BitConverter.TryWriteBytes(bytes.AsSpan((int)info.Offset + 8), 1UL << 62);
        }

        Assert.Contains("exceeds the remaining limit", Walk(bytes).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_compressed_data()
    {
        foreach (var name in new[] { "c-zlib.so", "c-zstd.so", "c-zdebug.so" })
        {
            var bytes = File.ReadAllBytes(DwarfDifferentialTests.Fixture(name));
            using (var image = ElfImage.Parse(bytes))
            {
                var info = image.FindSection(".debug_info") ?? image.FindSection(".zdebug_info")!;
                Array.Fill(bytes, (byte)0x5a, (int)info.Offset + 30, 40);
            }

            // The section as the file names it: .debug_info, or .zdebug_info for the legacy format.
            var ex = Walk(bytes);
            Assert.EndsWith("debug_info", ex.SectionName, StringComparison.Ordinal);
            Assert.Contains("corrupt", ex.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Random_corruption_of_the_dwarf_sections_is_only_ever_a_typed_error()
    {
        // Deterministic: 300 inputs, each with a few bytes of .debug_info or .debug_abbrev replaced.
        var random = new Random(16);
        foreach (var name in new[] { "c-dwarf5-O2.so", "cc-dwarf4-types.so", "c-clang-dwarf5.so" })
        {
            var (original, info, infoSize, abbrev, abbrevSize) = Load(name);
            for (int i = 0; i < 100; i++)
            {
                var bytes = (byte[])original.Clone();
                for (int k = 0; k < 1 + (i % 4); k++)
                {
                    bool inInfo = random.Next(3) != 0;
                    int at = inInfo ? info + random.Next(infoSize) : abbrev + random.Next(abbrevSize);
                    bytes[at] = (byte)random.Next(256);
                }

                using var image = ElfImage.Parse(bytes, "hostile.so");
                using var dwarf = DwarfFile.Of(image, new DwarfReaderOptions { FindSupplementaryFile = false });
                try
                {
                    DwarfReaderTests.Dump(dwarf);
                }
                catch (DwarfFormatException)
                {
                }
            }
        }
    }
}
