using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// Inflated sections are freed with their reader, and the compressed pages handed back to the kernel read the same
/// bytes again (the file on disk is the reference); bytes that are not a mapped file are never touched.
/// </summary>
public sealed class DwarfSectionReleaseTests
{
    private static string Fixture(string name) => DwarfDifferentialTests.Fixture(name);

    [Theory]
    [InlineData("c-zlib.so")]
    [InlineData("c-zstd.so")]
    [InlineData("c-zdebug.so")]
    public void Compressed_pages_read_the_file_after_inflating(string name)
    {
        var onDisk = File.ReadAllBytes(Fixture(name));
        using var image = ElfImage.Open(Fixture(name));
        var compressed = image.FindSection(".debug_info") ?? image.FindSection(".zdebug_info");
        Assert.NotNull(compressed);
        using (var dwarf = DwarfFile.Of(image))
        {
            Assert.NotEmpty(dwarf.Units);
            Assert.True(dwarf.Section(DwarfSectionKind.Info).Length > 0);
        }

        // The mapping's pages were dropped after inflating: a read faults them in again from the file.
        var mapped = image.GetSectionData(compressed!);
        Assert.True(mapped.Span.SequenceEqual(onDisk.AsSpan((int)compressed!.Offset, mapped.Length)));
    }

    [Fact]
    public void Bytes_in_memory_are_left_alone()
    {
        var bytes = File.ReadAllBytes(Fixture("c-zlib.so"));
        var copy = bytes.ToArray();
        var image = ElfImage.Parse(bytes, "c-zlib.so");
        using (var dwarf = DwarfFile.Of(image))
        {
            Assert.NotEmpty(dwarf.Units);
            Assert.True(dwarf.Section(DwarfSectionKind.Info).Length > 0);
        }

        Assert.Equal(copy, bytes);
    }

    [Fact]
    public void An_inflated_section_is_freed_with_its_reader()
    {
        using var image = ElfImage.Open(Fixture("c-zlib.so"));
        DwarfSection info;
        using (var dwarf = DwarfFile.Of(image))
        {
            info = dwarf.Section(DwarfSectionKind.Info);
            Assert.True(info.Length > 0);
            _ = info.Data.Span[0];
        }

        Assert.Throws<ObjectDisposedException>(() => info.Data.Span[0]);
        // The section keeps the buffer's address for its cursors; it forgets it when the buffer is freed.
        Assert.Throws<ObjectDisposedException>(() => info.Cursor(0));
    }

    [Fact]
    public void A_mapped_section_is_not_read_after_its_image_is_disposed()
    {
        // Uncompressed: the section is the mapped file's bytes, its address kept for cursors; the image's disposal
        // unmaps them, and a cursor then throws instead of reading an unmapped address.
        var image = ElfImage.Open(Fixture("c-dwarf5-O0.so"));
        var dwarf = DwarfFile.Of(image);
        var info = dwarf.Section(DwarfSectionKind.Info);
        var c = info.Cursor(0);
        Assert.Equal(File.ReadAllBytes(Fixture("c-dwarf5-O0.so"))[(int)image.FindSection(".debug_info")!.Offset], c.U8());
        image.Dispose();
        Assert.Throws<ObjectDisposedException>(() => info.Cursor(0));
        dwarf.Dispose();
    }
}
