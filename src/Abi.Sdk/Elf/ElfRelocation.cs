using System.Buffers.Binary;
using System.Collections;
using System.Runtime.CompilerServices;

namespace Abi.Sdk.Elf;

/// <summary>What a dynamic relocation does, whatever the machine numbers it: the classes the loader treats apart.</summary>
public enum ElfRelocationKind : byte
{
    /// <summary>Any other type: absolute, TLS, machine-specific.</summary>
    Other = 0,
    /// <summary>R_*_NONE: no relocation.</summary>
    None,
    /// <summary>R_*_COPY: the executable holds a copy of a library's data object, whose size is fixed at link time.</summary>
    Copy,
    /// <summary>R_*_JUMP_SLOT (R_*_JMP_SLOT): a PLT slot, bound lazily unless BIND_NOW.</summary>
    JumpSlot,
    /// <summary>R_*_GLOB_DAT: a GOT entry set to a symbol's address.</summary>
    GlobalData,
    /// <summary>R_*_RELATIVE: the load base plus the addend; looks up no symbol.</summary>
    Relative,
    /// <summary>R_*_IRELATIVE: the result of an IFUNC resolver in the object itself.</summary>
    IRelative,
}

/// <summary>One dynamic relocation (Elf_Rel or Elf_Rela), decoded from the mapped file when read.</summary>
/// <param name="Offset">r_offset: the address the relocation patches.</param>
/// <param name="Type">The machine's relocation type (ELF64_R_TYPE / ELF32_R_TYPE of r_info), for example 6 for R_X86_64_GLOB_DAT.</param>
/// <param name="SymbolIndex">The dynamic symbol the relocation refers to (ELF_R_SYM of r_info); 0 for none.</param>
/// <param name="Addend">r_addend for Elf_Rela; 0 for Elf_Rel, whose addend is stored at <paramref name="Offset"/>.</param>
/// <param name="Kind">The class of <paramref name="Type"/> on the file's machine.</param>
public readonly record struct ElfRelocation(ulong Offset, uint Type, uint SymbolIndex, long Addend, ElfRelocationKind Kind)
{
    /// <summary>Classifies a relocation type of <paramref name="machine"/>; <see cref="ElfRelocationKind.Other"/> for the rest and for machines not listed.</summary>
    /// <param name="machine">e_machine.</param>
    /// <param name="type">The relocation type.</param>
    /// <returns>The kind.</returns>
    public static ElfRelocationKind Classify(ElfMachine machine, uint type) => Classify(KindTypes(machine), type);

    /// <summary>The machine's (COPY, GLOB_DAT, JUMP_SLOT, RELATIVE, IRELATIVE) types per its psABI; GLOB_DAT is 0 where the ABI has none.</summary>
    internal static (uint Copy, uint GlobDat, uint JumpSlot, uint Relative, uint IRelative) KindTypes(ElfMachine machine) => machine switch
    {
        ElfMachine.X86_64 => (5, 6, 7, 8, 37),
        ElfMachine.I386 => (5, 6, 7, 8, 42),
        ElfMachine.AArch64 => (1024, 1025, 1026, 1027, 1032),
        ElfMachine.Arm => (20, 21, 22, 23, 160),
        ElfMachine.PowerPC or ElfMachine.PowerPC64 => (19, 20, 21, 22, 248),
        ElfMachine.S390 => (9, 10, 11, 12, 61),
        ElfMachine.RiscV => (4, 0, 5, 3, 58),
        ElfMachine.LoongArch => (4, 0, 5, 3, 12),
        _ => (uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ElfRelocationKind Classify(in (uint Copy, uint GlobDat, uint JumpSlot, uint Relative, uint IRelative) t, uint type)
    {
        if (type == 0)
        {
            return ElfRelocationKind.None;
        }

        if (type == t.Copy)
        {
            return ElfRelocationKind.Copy;
        }

        if (type == t.JumpSlot)
        {
            return ElfRelocationKind.JumpSlot;
        }

        if (type == t.GlobDat)
        {
            return ElfRelocationKind.GlobalData;
        }

        if (type == t.Relative)
        {
            return ElfRelocationKind.Relative;
        }

        return type == t.IRelative ? ElfRelocationKind.IRelative : ElfRelocationKind.Other;
    }
}

/// <summary>
/// The dynamic relocations of an image as the loader finds them through the dynamic section: DT_RELA (DT_RELASZ,
/// DT_RELAENT), then DT_REL (DT_RELSZ, DT_RELENT), then the PLT relocations DT_JMPREL (DT_PLTRELSZ, DT_PLTREL).
/// Entries are decoded in place when read. Obtained from <see cref="ElfImage.DynamicRelocations"/>; valid while the
/// image is.
/// </summary>
public sealed class ElfRelocationTable : IReadOnlyList<ElfRelocation>
{
    private readonly ElfImage _image;
    private readonly Part[] _parts;
    private readonly (uint Copy, uint GlobDat, uint JumpSlot, uint Relative, uint IRelative) _kinds;

    /// <summary>One contiguous table: where it starts in the file, its entry size, whether entries carry addends, and the first index.</summary>
    internal readonly record struct Part(int Offset, int EntrySize, bool IsRela, int Start, int Count);

    internal ElfRelocationTable(ElfImage image, Part[] parts, int pltStart)
    {
        _image = image;
        _parts = parts;
        _kinds = ElfRelocation.KindTypes(image.Header.Machine);
        Count = parts.Length == 0 ? 0 : parts[^1].Start + parts[^1].Count;
        PltStart = pltStart;
    }

    /// <summary>The number of relocations.</summary>
    public int Count { get; }

    /// <summary>The index of the first DT_JMPREL (PLT) relocation; <see cref="Count"/> when the file has none.</summary>
    public int PltStart { get; }

    /// <summary>Decodes relocation <paramref name="index"/>.</summary>
    /// <param name="index">The index, from 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not less than <see cref="Count"/>.</exception>
    public ElfRelocation this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            foreach (ref readonly var part in _parts.AsSpan())
            {
                if (index < part.Start + part.Count)
                {
                    return Decode(_image.Span, part, index - part.Start);
                }
            }

            throw new ArgumentOutOfRangeException(nameof(index));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ElfRelocation Decode(ReadOnlySpan<byte> d, in Part part, int i)
    {
        var e = _image.Endian;
        int o = part.Offset + (i * part.EntrySize);
        ulong offset;
        long addend = 0;
        (uint symbol, uint type) = Info(e, d, o);
        if (e.Is64)
        {
            offset = e.U64(d, o);
            if (part.IsRela)
            {
                addend = (long)e.U64(d, o + 16);
            }
        }
        else
        {
            offset = e.U32(d, o);
            if (part.IsRela)
            {
                addend = (int)e.U32(d, o + 8);
            }
        }

        return new ElfRelocation(offset, type, symbol, addend, ElfRelocation.Classify(_kinds, type));
    }

    /// <summary>r_info of the entry at <paramref name="o"/>, split into symbol index and type (ELF64_R_SYM/TYPE or ELF32_R_SYM/TYPE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (uint Symbol, uint Type) Info(ElfEndian e, ReadOnlySpan<byte> d, int o)
    {
        if (e.Is64)
        {
            ulong info = e.U64(d, o + 8);
            return ((uint)(info >> 32), (uint)info);
        }

        uint info32 = e.U32(d, o + 4);
        return (info32 >> 8, info32 & 0xff);
    }

    /// <summary>
    /// Every relocation's symbol index and whether it is a copy relocation, read from the info word alone over a span
    /// taken once: the part a symbol lookup needs, at a fraction of the cost of decoding each <see cref="ElfRelocation"/>.
    /// </summary>
    internal SymbolReferences EnumerateSymbolReferences() => new(this);

    /// <summary>
    /// What <see cref="EnumerateSymbolReferences"/> yields, folded into <paramref name="marks"/> in table order:
    /// <c>marks[symbol]</c> becomes 2 for a copy relocation, and 1 for any other when it is still 0; symbol 0 and
    /// symbols past the end of <paramref name="marks"/> are skipped. The info words are read straight from each table:
    /// the compatibility checker runs this over every checked program (over a million relocations in /usr/bin, most
    /// of them relative, with no symbol).
    /// </summary>
    internal void MarkSymbolReferences(Span<byte> marks)
    {
        var d = _image.Span;
        var e = _image.Endian;
        uint copy = _kinds.Copy;
        foreach (var part in _parts)
        {
            var table = d.Slice(part.Offset, part.Count * part.EntrySize); // inside the file: checked when the table was read
            if (e.Is64 && !e.BigEndian)
            {
                for (int o = 8; o < table.Length; o += part.EntrySize)
                {
                    ulong info = BinaryPrimitives.ReadUInt64LittleEndian(table.Slice(o, 8));
                    uint symbol = (uint)(info >> 32);
                    if (symbol != 0 && symbol < (uint)marks.Length)
                    {
                        Mark(marks, symbol, (uint)info == copy);
                    }
                }

                continue;
            }

            for (int i = 0; i < part.Count; i++)
            {
                var (symbol, type) = Info(e, d, part.Offset + (i * part.EntrySize));
                if (symbol != 0 && symbol < (uint)marks.Length)
                {
                    Mark(marks, symbol, type == copy);
                }
            }
        }

        static void Mark(Span<byte> marks, uint symbol, bool isCopy)
        {
            if (isCopy)
            {
                marks[(int)symbol] = 2;
            }
            else if (marks[(int)symbol] == 0)
            {
                marks[(int)symbol] = 1;
            }
        }
    }

    /// <summary>A <c>foreach</c> source over (symbol index, is copy) pairs; see <see cref="EnumerateSymbolReferences"/>.</summary>
    internal ref struct SymbolReferences
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly Part[] _parts;
        private readonly ElfEndian _endian;
        private readonly uint _copy;
        private int _part;
        private int _index;

        internal SymbolReferences(ElfRelocationTable table)
        {
            _data = table._image.Span;
            _parts = table._parts;
            _endian = table._image.Endian;
            _copy = table._kinds.Copy;
            _part = 0;
            _index = -1;
        }

        public readonly SymbolReferences GetEnumerator() => this;

        public readonly (uint Symbol, bool IsCopy) Current
        {
            get
            {
                ref readonly var part = ref _parts[_part];
                var (symbol, type) = Info(_endian, _data, part.Offset + (_index * part.EntrySize));
                return (symbol, type == _copy);
            }
        }

        public bool MoveNext()
        {
            while (_part < _parts.Length)
            {
                if (++_index < _parts[_part].Count)
                {
                    return true;
                }

                _part++;
                _index = -1;
            }

            return false;
        }
    }

    /// <summary>Returns a struct enumerator over every relocation, in table order.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<ElfRelocation> IEnumerable<ElfRelocation>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates the relocations without allocating.</summary>
    public struct Enumerator : IEnumerator<ElfRelocation>
    {
        private readonly ElfRelocationTable _table;
        private int _part;
        private int _index;

        internal Enumerator(ElfRelocationTable table)
        {
            _table = table;
            _part = 0;
            _index = -1;
        }

        /// <inheritdoc/>
        public readonly ElfRelocation Current => _table.Decode(_table._image.Span, _table._parts[_part], _index);

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc/>
        public bool MoveNext()
        {
            var parts = _table._parts;
            while (_part < parts.Length)
            {
                if (++_index < parts[_part].Count)
                {
                    return true;
                }

                _part++;
                _index = -1;
            }

            return false;
        }

        /// <inheritdoc/>
        public void Reset()
        {
            _part = 0;
            _index = -1;
        }

        /// <inheritdoc/>
        public readonly void Dispose()
        {
        }
    }
}
