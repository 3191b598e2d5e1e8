using System.Buffers.Binary;
using System.IO.Compression;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Dwarf;

/// <summary>
/// Finds a DWARF section in an ELF image and decompresses it: SHF_COMPRESSED sections (ELF compression header,
/// zlib or zstd) and the legacy <c>.zdebug_*</c> sections ("ZLIB" and an 8-byte big-endian size before a zlib
/// stream). The declared size is checked against the remaining budget before anything is allocated.
/// </summary>
internal static class DwarfSectionLoader
{
    private const uint ELFCOMPRESS_ZLIB = 1;
    private const uint ELFCOMPRESS_ZSTD = 2;

    /// <summary>Loads <paramref name="name"/> (<c>.debug_info</c>), or an empty section when the file has none.</summary>
    public static DwarfSection Load(ElfImage image, string name, ref long budget)
    {
        bool big = image.Header.DataEncoding == ElfDataEncoding.BigEndian;
        if (name == ".debug_types" && LoadAllTypes(image, ref budget) is { } joined)
        {
            return joined;
        }

        // A split DWARF object (.dwo) names its sections .debug_info.dwo, .debug_str.dwo…
        var section = image.FindSection(name) ?? image.FindSection(name + ".dwo");
        if (section is not null)
        {
            var raw = image.GetSectionData(section);
            if ((section.Flags & ElfSectionFlags.SHF_COMPRESSED) == 0 || section.Type == ElfSectionType.SHT_NOBITS)
            {
                return new DwarfSection(name, raw, image.FileName, big);
            }

            return Decompressed(name, DecompressElf(image, section, raw, ref budget), raw, image.FileName, big);
        }

        var legacy = image.FindSection(".z" + name[1..]);
        if (legacy is not null && legacy.Type != ElfSectionType.SHT_NOBITS)
        {
            var compressed = image.GetSectionData(legacy);
            return Decompressed(name, DecompressLegacy(image, legacy, compressed, ref budget), compressed, image.FileName, big);
        }

        return DwarfSection.Empty(name, image.FileName, big);
    }

    /// <summary>
    /// The section over its inflated bytes. The compressed bytes are not read again: when they are pages of a mapped
    /// file, those pages are handed back (they stay in the page cache; a later read faults them in again).
    /// </summary>
    private static DwarfSection Decompressed(string name, DwarfSectionBuffer buffer, ReadOnlyMemory<byte> compressed, string? fileName, bool big)
    {
        MappedFile.DropPages(compressed);
        return new DwarfSection(name, buffer.Memory, fileName, big, buffer);
    }

    /// <summary>
    /// gcc's -fdebug-types-section puts each type unit in its own <c>.debug_types</c> (<c>.debug_types.dwo</c>)
    /// section, one per COMDAT group, so a <c>.dwo</c> has many: they are read as one, in section order. References
    /// inside a type unit are unit-relative, so the units read the same; offsets in messages are into the joined bytes.
    /// Null when the file has at most one.
    /// </summary>
    private static DwarfSection? LoadAllTypes(ElfImage image, ref long budget)
    {
        var sections = image.Sections.Where(s => s.Name is ".debug_types" or ".debug_types.dwo" && s.Type != ElfSectionType.SHT_NOBITS).ToList();
        if (sections.Count < 2)
        {
            return null;
        }

        bool big = image.Header.DataEncoding == ElfDataEncoding.BigEndian;
        var parts = new List<ReadOnlyMemory<byte>>(sections.Count);
        var inflated = new List<DwarfSectionBuffer>();
        try
        {
            long total = 0;
            foreach (var section in sections)
            {
                var raw = image.GetSectionData(section);
                ReadOnlyMemory<byte> part = raw;
                if ((section.Flags & ElfSectionFlags.SHF_COMPRESSED) != 0)
                {
                    var buffer = DecompressElf(image, section, raw, ref budget);
                    inflated.Add(buffer);
                    part = buffer.Memory;
                }

                total += part.Length;
                if (total > Array.MaxLength)
                {
                    throw Error(image, ".debug_types", 0, $"the {sections.Count} .debug_types sections hold more than 0x{Array.MaxLength:x} bytes");
                }

                parts.Add(part);
            }

            var joined = GC.AllocateUninitializedArray<byte>((int)total);
            int at = 0;
            foreach (var part in parts)
            {
                part.Span.CopyTo(joined.AsSpan(at));
                at += part.Length;
            }

            return new DwarfSection(".debug_types", joined, image.FileName, big);
        }
        finally
        {
            foreach (var buffer in inflated)
            {
                ((IDisposable)buffer).Dispose();
            }
        }
    }

    private static DwarfSectionBuffer DecompressElf(ElfImage image, ElfSection section, ReadOnlyMemory<byte> raw, ref long budget)
    {
        var s = raw.Span;
        bool big = image.Header.DataEncoding == ElfDataEncoding.BigEndian;
        bool is64 = image.Header.Class == ElfClass.Elf64;
        int headerSize = is64 ? 24 : 12;
        if (s.Length < headerSize)
        {
            throw Error(image, section.Name, 0, $"compressed section is {s.Length} bytes, shorter than its {headerSize}-byte compression header");
        }

        uint type = big ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
        ulong size = is64
            ? (big ? BinaryPrimitives.ReadUInt64BigEndian(s[8..]) : BinaryPrimitives.ReadUInt64LittleEndian(s[8..]))
            : (big ? BinaryPrimitives.ReadUInt32BigEndian(s[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
        return type switch
        {
            ELFCOMPRESS_ZLIB => Inflate(image, section.Name, raw[headerSize..], size, zstd: false, ref budget),
            ELFCOMPRESS_ZSTD => Inflate(image, section.Name, raw[headerSize..], size, zstd: true, ref budget),
            _ => throw Error(image, section.Name, 0, $"unknown compression type {type} (1 is zlib, 2 is zstd)"),
        };
    }

    private static DwarfSectionBuffer DecompressLegacy(ElfImage image, ElfSection section, ReadOnlyMemory<byte> raw, ref long budget)
    {
        var s = raw.Span;
        if (s.Length < 12 || !s[..4].SequenceEqual("ZLIB"u8))
        {
            throw Error(image, section.Name, 0, "legacy compressed section does not start with \"ZLIB\" and an 8-byte size");
        }

        return Inflate(image, section.Name, raw[12..], BinaryPrimitives.ReadUInt64BigEndian(s[4..]), zstd: false, ref budget);
    }

    private static unsafe DwarfSectionBuffer Inflate(ElfImage image, string name, ReadOnlyMemory<byte> compressed, ulong size, bool zstd, ref long budget)
    {
        if (size > (ulong)Math.Max(budget, 0) || size > (ulong)Array.MaxLength)
        {
            throw Error(image, name, 0, $"decompressed size 0x{size:x} exceeds the remaining limit of 0x{Math.Max(budget, 0):x} bytes");
        }

        budget -= (long)size;
        var buffer = new DwarfSectionBuffer((int)size);
        var result = buffer.GetSpan();
        using var pin = compressed.Pin();
        try
        {
            using var source = new UnmanagedMemoryStream((byte*)pin.Pointer, compressed.Length);
            using Stream inflater = zstd ? new ZstdSharp.DecompressionStream(source, checkEndOfStream: true) : new ZLibStream(source, CompressionMode.Decompress);
            int filled = inflater.ReadAtLeast(result, result.Length, throwOnEndOfStream: false);
            if (filled < result.Length)
            {
                throw Error(image, name, 0, $"compressed data ends after 0x{filled:x} of the 0x{size:x} bytes the header declares");
            }

            Span<byte> extra = stackalloc byte[1];
            if (inflater.Read(extra) != 0)
            {
                throw Error(image, name, 0, $"compressed data holds more than the 0x{size:x} bytes the header declares");
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException || (ex.GetType().Namespace ?? string.Empty).StartsWith("ZstdSharp", StringComparison.Ordinal))
        {
            ((IDisposable)buffer).Dispose();
            throw new DwarfFormatException(image.FileName, name, 0, $"{(zstd ? "zstd" : "zlib")} data is corrupt: {ex.Message}", ex);
        }
        catch
        {
            ((IDisposable)buffer).Dispose();
            throw;
        }

        return buffer;
    }

    private static DwarfFormatException Error(ElfImage image, string name, long offset, string reason) => new(image.FileName, name, offset, reason);
}
