using System.Buffers.Binary;

namespace Abi.Sdk.Elf;

/// <summary>
/// The x86 ISA-level mark (GNU_PROPERTY_X86_ISA_1_NEEDED) as glibc's two readers see it. They read differently, and
/// both are mirrored: the loader reads the NT_GNU_PROPERTY_TYPE_0 note from the PT_NOTE segments (the last suitably
/// aligned one that holds such a note; a segment with two such notes counts as none), ldconfig reads it from
/// PT_GNU_PROPERTY and keeps the highest level only. Neither reader ever fails: a malformed note is no mark.
/// <see cref="GnuProperties"/> is readelf's view (section headers, strict) and is not used for them.
/// </summary>
public sealed partial class ElfImage
{
    private const uint NtGnuPropertyType0 = 5;
    private const uint GnuProperty1Needed = 0xb0008000;       // GNU_PROPERTY_UINT32_OR_LO
    private const uint GnuPropertyX86Feature1And = 0xc0000002;
    private const uint GnuPropertyX86Isa1Needed = 0xc0008002;

    /// <summary>
    /// The ISA levels the loader takes an object to need (<c>l_x86_isa_1_needed</c>): program headers scanned from
    /// the last, each PT_NOTE aligned to the address size searched for a GNU property note; the first such note
    /// found decides, and a segment holding a second one, or a note that is malformed, leaves no mark.
    /// </summary>
    internal ElfX86IsaLevels LoaderX86IsaNeeded()
    {
        var e = Header;
        int addressSize = e.Class == ElfClass.Elf64 ? 8 : 4;
        var segments = Segments;
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            var s = segments[i];
            if (s.Type != ElfSegmentType.PT_NOTE || s.Alignment != (ulong)addressSize)
            {
                continue;
            }

            var seen = ReadLoaderNote(s, addressSize, out var needed);
            if (seen)
            {
                return needed; // l_property is set: later (earlier-numbered) PT_NOTE segments are skipped
            }
        }

        return ElfX86IsaLevels.None;
    }

    // _dl_process_property_note over one segment: true when a GNU property note was seen (l_property no longer unknown).
    private bool ReadLoaderNote(ElfSegment segment, int addressSize, out ElfX86IsaLevels needed)
    {
        needed = ElfX86IsaLevels.None;
        var span = Bytes(segment.Offset, segment.MemorySize);
        bool little = Header.DataEncoding == ElfDataEncoding.LittleEndian;
        bool seen = false;
        uint isa = 0;
        long o = 0;
        while (o + 12 < span.Length)
        {
            uint namesz = U32(span, o, little), descsz = U32(span, o + 4, little), type = U32(span, o + 8, little);
            if (namesz == 4 && type == NtGnuPropertyType0 && o + 16 <= span.Length && span.Slice((int)o + 12, 4).SequenceEqual("GNU\0"u8))
            {
                if (seen)
                {
                    return true; // a second GNU property note (an older linker's): nothing is kept
                }

                seen = true;
                if (descsz < 8 || descsz % (uint)addressSize != 0)
                {
                    return true;
                }

                long ptr = o + 16, end = ptr + descsz;
                uint lastType = 0;
                do
                {
                    if (ptr + 8 > span.Length)
                    {
                        return true; // past what is mapped: the loader would read other bytes; take no mark
                    }

                    uint prType = U32(span, ptr, little), datasz = U32(span, ptr + 4, little);
                    if (prType < lastType)
                    {
                        return true;
                    }

                    ptr += 8;
                    if (ptr + datasz > end)
                    {
                        return true;
                    }

                    lastType = prType;
                    if (prType is GnuPropertyX86Feature1And or GnuPropertyX86Isa1Needed or GnuProperty1Needed)
                    {
                        if (datasz != 4 || ptr + 4 > span.Length)
                        {
                            return true;
                        }

                        if (prType == GnuPropertyX86Isa1Needed)
                        {
                            isa = U32(span, ptr, little);
                            break; // go on looking for a second note
                        }
                    }
                    else if (prType > GnuPropertyX86Isa1Needed)
                    {
                        break;
                    }

                    ptr += AlignNote(datasz, addressSize);
                }
                while (end - ptr >= 8);
            }

            o = AlignNote(o + 12 + namesz, addressSize) + AlignNote(descsz, addressSize); // ELF_NOTE_NEXT_OFFSET
        }

        needed = (ElfX86IsaLevels)isa;
        return seen;
    }

    /// <summary>
    /// The ISA level ldconfig stores in a cache entry: from the first NT_GNU_PROPERTY_TYPE_0 note of a PT_GNU_PROPERTY
    /// segment aligned to the address size, the index of the highest bit of GNU_PROPERTY_X86_ISA_1_NEEDED (0 without).
    /// </summary>
    internal int LdconfigX86IsaLevel()
    {
        int addressSize = Header.Class == ElfClass.Elf64 ? 8 : 4;
        bool little = Header.DataEncoding == ElfDataEncoding.LittleEndian;
        int level = 0;
        foreach (var s in Segments)
        {
            if (s.Type != ElfSegmentType.PT_GNU_PROPERTY || s.Alignment != (ulong)addressSize)
            {
                continue;
            }

            var span = Bytes(s.Offset, s.FileSize);
            long o = 0;
            while (o + 12 < span.Length)
            {
                uint namesz = U32(span, o, little), descsz = U32(span, o + 4, little), type = U32(span, o + 8, little);
                if (namesz == 4 && type == NtGnuPropertyType0 && o + 16 <= span.Length && span.Slice((int)o + 12, 4).SequenceEqual("GNU\0"u8))
                {
                    level = CacheLevelOfNote(span, o + 16, descsz, addressSize, little, level);
                    break; // only one NT_GNU_PROPERTY_TYPE_0
                }

                o = AlignNote(o + 12 + namesz, addressSize) + AlignNote(descsz, addressSize); // ELF_NOTE_NEXT_OFFSET
            }
        }

        return level;
    }

    private static int CacheLevelOfNote(ReadOnlySpan<byte> span, long ptr, uint descsz, int addressSize, bool little, int level)
    {
        if (descsz < 8 || descsz % (uint)addressSize != 0)
        {
            return level;
        }

        long end = ptr + descsz;
        uint lastType = 0;
        do
        {
            if (ptr + 8 > span.Length)
            {
                return level;
            }

            uint prType = U32(span, ptr, little), datasz = U32(span, ptr + 4, little);
            if (prType < lastType)
            {
                return level;
            }

            ptr += 8;
            if (ptr + datasz > end)
            {
                return level;
            }

            lastType = prType;
            if (prType > GnuPropertyX86Isa1Needed)
            {
                return level;
            }

            if (prType == GnuPropertyX86Isa1Needed)
            {
                if (datasz == 4 && ptr + 4 <= span.Length && U32(span, ptr, little) is var needed and not 0)
                {
                    level = 31 - System.Numerics.BitOperations.LeadingZeroCount(needed);
                }

                return level;
            }

            ptr += AlignNote(datasz, addressSize);
        }
        while (end - ptr >= 8);
        return level;
    }

    private ReadOnlySpan<byte> Bytes(ulong offset, ulong size)
    {
        var all = Span;
        if (offset >= (ulong)all.Length)
        {
            return [];
        }

        ulong length = Math.Min(size, (ulong)all.Length - offset);
        return all.Slice((int)offset, (int)length);
    }

    private static uint U32(ReadOnlySpan<byte> span, long at, bool little)
    {
        if (at < 0 || at + 4 > span.Length)
        {
            return 0;
        }

        var s = span.Slice((int)at, 4);
        return little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
    }

    private static long AlignNote(long value, int align) => (value + align - 1) & ~((long)align - 1);
}
