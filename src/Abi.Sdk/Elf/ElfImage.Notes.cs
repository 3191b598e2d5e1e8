using System.Collections.Immutable;
using System.Text;

namespace Abi.Sdk.Elf;

/// <summary>The notes: build-id, ABI tag and GNU properties.</summary>
public sealed partial class ElfImage
{
    private NoteInfo? _notes;

    /// <summary>The notes and what is decoded from them, read together on first use.</summary>
    private sealed class NoteInfo(ImmutableArray<ElfNote> notes, ImmutableArray<byte> buildId, ElfAbiTag? abiTag, ElfGnuProperties properties)
    {
        public ImmutableArray<ElfNote> Notes { get; } = notes;
        public ImmutableArray<byte> BuildId { get; } = buildId;
        public ElfAbiTag? AbiTag { get; } = abiTag;
        public ElfGnuProperties Properties { get; } = properties;
    }

    /// <summary>
    /// Every note, where <c>readelf -n</c> finds them: the SHT_NOTE sections when the file has any, else the PT_NOTE
    /// segments (a separate debug file's PT_NOTE over NOBITS placeholders holds none). Notes are laid out with the
    /// alignment of their section or segment: 4, or 8 (GNU properties in ELF64). Read on first use.
    /// </summary>
    /// <exception cref="ElfFormatException">A note runs past its section or segment, or the alignment is neither 4 nor 8.</exception>
    public ImmutableArray<ElfNote> Notes => NotesInfo.Notes;

    /// <summary>The GNU build-id (the first NT_GNU_BUILD_ID note of owner GNU) bytes; empty when absent.</summary>
    /// <exception cref="ElfFormatException">The notes are malformed (see <see cref="Notes"/>).</exception>
    public ImmutableArray<byte> BuildId => NotesInfo.BuildId;

    /// <summary>The build-id in lower-case hexadecimal as readelf and <c>file</c> print it, or <see langword="null"/> when absent.</summary>
    /// <exception cref="ElfFormatException">The notes are malformed (see <see cref="Notes"/>).</exception>
    public string? BuildIdHex => BuildId.IsEmpty ? null : Convert.ToHexStringLower(BuildId.AsSpan());

    /// <summary>
    /// The NT_GNU_ABI_TAG note (<c>.note.ABI-tag</c>): OS and oldest kernel version; <see langword="null"/> when absent
    /// or shorter than its 16 bytes (glibc's loader ignores such a note too).
    /// </summary>
    /// <exception cref="ElfFormatException">The notes are malformed (see <see cref="Notes"/>).</exception>
    public ElfAbiTag? AbiTag => NotesInfo.AbiTag;

    /// <summary>The GNU properties of the NT_GNU_PROPERTY_TYPE_0 notes; empty when there are none.</summary>
    /// <exception cref="ElfFormatException">The notes are malformed, or a property runs past its note.</exception>
    public ElfGnuProperties GnuProperties => NotesInfo.Properties;

    private NoteInfo NotesInfo => _notes ?? Interlocked.CompareExchange(ref _notes, ReadNotes(), null) ?? _notes!;

    private NoteInfo ReadNotes()
    {
        var notes = ImmutableArray.CreateBuilder<ElfNote>();
        bool noteSections = false;
        foreach (var s in Sections)
        {
            if (s.Type == ElfSectionType.SHT_NOTE)
            {
                noteSections = true;
                ReadNotes(s.Offset, s.Size, s.Alignment, $"note section {s.Name}", notes);
            }
        }

        if (!noteSections)
        {
            foreach (var s in Segments)
            {
                if (s.Type == ElfSegmentType.PT_NOTE && !IsPlaceholder(s))
                {
                    ReadNotes(s.Offset, s.FileSize, s.Alignment, "note segment (PT_NOTE)", notes);
                }
            }
        }

        ImmutableArray<byte> buildId = [];
        ElfAbiTag? abiTag = null;
        ImmutableArray<ElfGnuProperty>.Builder? properties = null;
        var e = Endian;
        foreach (var note in notes)
        {
            if (!note.IsGnu)
            {
                continue;
            }

            var desc = note.Descriptor.Span;
            switch (note.Type)
            {
                case ElfNoteType.NT_GNU_BUILD_ID when buildId.IsEmpty:
                    buildId = [.. desc];
                    break;
                case ElfNoteType.NT_GNU_ABI_TAG when abiTag is null && desc.Length >= 16:
                    abiTag = new ElfAbiTag((ElfAbiTagOs)e.U32(desc, 0), e.U32(desc, 4), e.U32(desc, 8), e.U32(desc, 12));
                    break;
                case ElfNoteType.NT_GNU_PROPERTY_TYPE_0:
                    ReadProperties(note, properties ??= ImmutableArray.CreateBuilder<ElfGnuProperty>());
                    break;
            }
        }

        var gnuProperties = properties is null ? ElfGnuProperties.Empty : new ElfGnuProperties(properties.ToImmutable(), Header.Machine, e);
        return new NoteInfo(notes.ToImmutable(), buildId, abiTag, gnuProperties);
    }

    private void ReadNotes(ulong offset, ulong size, ulong alignment, string what, ImmutableArray<ElfNote>.Builder notes)
    {
        var (start, length) = Range(offset, size, what);

        // As readelf: an alignment below 4 means 4 (some linkers write 0 or 1); 8 is ELF64's gABI alignment.
        int align = alignment <= 4 ? 4 : alignment == 8 ? 8 : throw Error(start, $"{what} has alignment {alignment}, expected 4 or 8");
        var e = Endian;
        var d = Span;
        long o = start, end = start + (long)length;
        while (o < end)
        {
            if (end - o < 12)
            {
                throw Error(o, $"{what} ends with {end - o} bytes, too few for a note header");
            }

            uint namesz = e.U32(d, (int)o), descsz = e.U32(d, (int)o + 4);
            var type = (ElfNoteType)e.U32(d, (int)o + 8);
            long nameAt = o + 12;
            long descAt = AlignUp(nameAt + namesz, align);
            if (nameAt + namesz > end || descAt + descsz > end)
            {
                throw Error(o, $"note of {namesz} name bytes and {descsz} descriptor bytes runs past the end of its {what} (0x{length:x} bytes at 0x{start:x})");
            }

            var name = d.Slice((int)nameAt, (int)namesz);
            int nul = name.IndexOf((byte)0);
            if (nul >= 0)
            {
                name = name[..nul];
            }

            string owner = name.SequenceEqual("GNU"u8) ? "GNU" : Encoding.UTF8.GetString(name);
            // Copied: notes are few and small, and a note must stay readable after the mapped image is disposed.
            notes.Add(new ElfNote(owner, type, d.Slice((int)descAt, (int)descsz).ToArray(), o));

            // The last note's padding may be cut off at the end of the section, as readelf accepts.
            o = AlignUp(descAt + descsz, align);
        }
    }

    private void ReadProperties(ElfNote note, ImmutableArray<ElfGnuProperty>.Builder properties)
    {
        // pr_type, pr_datasz, then pr_data padded to the address size.
        var e = Endian;
        var desc = note.Descriptor.Span;
        int size = e.AddressSize;
        long at = note.Offset + 16; // the descriptor follows the 12-byte header and "GNU\0" at either alignment
        if (desc.Length % size != 0)
        {
            throw Error(at, $"GNU property note of {desc.Length} bytes is not a multiple of {size}");
        }

        int o = 0;
        while (o < desc.Length)
        {
            if (desc.Length - o < 8)
            {
                throw Error(at + o, "GNU property header runs past the end of its note");
            }

            var type = (ElfGnuPropertyType)e.U32(desc, o);
            uint datasz = e.U32(desc, o + 4);
            if (datasz > (uint)(desc.Length - o - 8))
            {
                throw Error(at + o, $"GNU property 0x{(uint)type:x} of {datasz} bytes runs past the end of its note");
            }

            properties.Add(new ElfGnuProperty(type, note.Descriptor.Slice(o + 8, (int)datasz)));
            o = (int)Math.Min(AlignUp(o + 8L + datasz, size), desc.Length);
        }
    }

    private static long AlignUp(long value, int align) => (value + align - 1) & ~((long)align - 1);
}
