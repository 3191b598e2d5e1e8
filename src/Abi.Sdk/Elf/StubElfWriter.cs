using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Abi.Sdk.Abi;

namespace Abi.Sdk.Elf;

/// <summary>Lays out and writes the ELF file of a stub library (see <see cref="AbiStubLibrary"/>).</summary>
internal static class StubElfWriter
{
    private const uint PT_LOAD = 1, PT_DYNAMIC = 2, PT_TLS = 7, PT_GNU_STACK = 0x6474e551;
    private const uint PF_W = 2, PF_R = 4;
    private const uint SHT_STRTAB = 3, SHT_HASH = 5, SHT_DYNAMIC = 6, SHT_NOBITS = 8, SHT_DYNSYM = 11;
    private const uint SHT_GNU_HASH = 0x6ffffff6, SHT_GNU_VERDEF = 0x6ffffffd, SHT_GNU_VERSYM = 0x6fffffff;
    private const ulong SHF_WRITE = 1, SHF_ALLOC = 2, SHF_TLS = 0x400;
    private const long DT_NULL = 0, DT_NEEDED = 1, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_STRSZ = 10, DT_SYMENT = 11, DT_SONAME = 14;
    private const long DT_GNU_HASH = 0x6ffffef5, DT_VERSYM = 0x6ffffff0, DT_VERDEF = 0x6ffffffc, DT_VERDEFNUM = 0x6ffffffd;
    private const ushort VER_FLG_BASE = 1;
    private const int MaxVersionIndex = 0x7fff; // versym keeps 15 bits; 0x8000 marks a hidden version

    // Symbols are spaced so that each has a distinct address and data keeps its size.
    private const ulong SymbolAlignment = 16;

    private static readonly uint[] BucketCounts = [1, 3, 17, 37, 67, 97, 131, 197, 263, 521, 1031, 2053, 4099, 8209, 16411, 32771, 65537, 131101, 262147, 524309, 1048583];

    private sealed class Section(string name, uint type, ulong flags, ulong alignment, ulong entrySize)
    {
        public string Name { get; } = name;

        public uint Type { get; } = type;

        public ulong Flags { get; } = flags;

        public ulong Alignment { get; } = alignment;

        public ulong EntrySize { get; } = entrySize;

        public ulong Offset { get; set; }

        public ulong Size { get; set; }

        public int Link { get; set; }

        public uint Info { get; set; }

        public int Index { get; set; }
    }

    private readonly record struct StubSymbol(AbiSymbol Symbol, int NameOffset, int NameLength, uint GnuHash, ushort VersionIndex);

    public static byte[] Write(AbiSurface surface, bool little)
    {
        var label = surface.FileName ?? surface.Soname;
        bool is64 = surface.Class switch
        {
            ElfClass.Elf64 => true,
            ElfClass.Elf32 => false,
            _ => throw new AbiBaselineFormatException(label, 0, $"unknown ELF class {(int)surface.Class}"),
        };
        int addr = is64 ? 8 : 4;

        // The version table: 1 is the base definition, then the surface's nodes, then nodes only symbols name.
        string baseName = surface.Soname ?? (surface.FileName is { } f ? Path.GetFileName(f) : string.Empty);
        var nodes = new List<AbiVersionNode>();
        var nodeIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in surface.Versions)
        {
            if (nodeIndex.TryAdd(node.Name, nodes.Count + 2))
            {
                nodes.Add(node);
            }
        }

        foreach (var s in surface.Symbols)
        {
            if (s.Version is { } v && nodeIndex.TryAdd(v, nodes.Count + 2))
            {
                nodes.Add(new AbiVersionNode(v, []));
            }
        }

        if (nodes.Count + 1 > MaxVersionIndex)
        {
            throw new AbiBaselineFormatException(label, 0, $"{nodes.Count} version nodes: an ELF version index holds at most {MaxVersionIndex - 1}");
        }

        bool versioned = nodes.Count > 0;

        // .dynstr: each distinct string once.
        // Sized for the names up front (UTF-16 length = UTF-8 length for the usual ASCII names): no regrowth.
        long nameChars = 64;
        foreach (var s in surface.Symbols)
        {
            nameChars += s.Name.Length + 1;
        }

        var strings = new StringTable(label, (int)Math.Min(1L << 26, nameChars), surface.Symbols.Length + 16);
        strings.Add(baseName);
        if (surface.Soname is not null)
        {
            strings.Add(surface.Soname);
        }

        foreach (var n in surface.Needed)
        {
            strings.Add(n);
        }

        foreach (var node in nodes)
        {
            strings.Add(node.Name);
            foreach (var p in node.Predecessors)
            {
                strings.Add(p);
            }
        }

        // .dynsym: the null symbol, then every symbol, grouped by GNU hash bucket as .gnu.hash requires.
        int count = surface.Symbols.Length;
        uint buckets = BucketCount(count);
        var symbols = new StubSymbol[count];
        for (int i = 0; i < count; i++)
        {
            var s = surface.Symbols[i];
            int nameOffset = strings.Add(s.Name, out int nameLength);
            ushort versym = s.Version is null ? (ushort)(versioned ? 1 : 0) : (ushort)nodeIndex[s.Version];
            if (s.Version is not null && !s.IsDefaultVersion)
            {
                versym |= 0x8000;
            }

            symbols[i] = new StubSymbol(s, nameOffset, nameLength, GnuHash(strings.Bytes(nameOffset, nameLength)), versym);
        }

        // A stable sort keeps the surface's order inside a bucket (the loader walks a chain in that order).
        var order = new int[count];
        var keys = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
            keys[i] = ((ulong)(symbols[i].GnuHash % buckets) << 32) | (uint)i;
        }

        Array.Sort(keys, order);
        bool osAbiGnu = surface.Symbols.Any(s => s.Type == ElfSymbolType.GnuIndirectFunction || s.Binding == ElfSymbolBinding.GnuUnique);
        bool hasTls = surface.Symbols.Any(s => s.Type == ElfSymbolType.Tls);

        // SysV .hash has 8-byte words on 64-bit S/390 and Alpha; only the GNU table is written there.
        bool sysvHash = !(is64 && surface.Machine is ElfMachine.S390 or ElfMachine.Alpha);

        // Bloom filter: a power of two of address-sized words, about 8 bits per symbol.
        int bloomBits = is64 ? 64 : 32;
        uint bloomWords = 1;
        while ((ulong)bloomWords * (ulong)bloomBits < (ulong)count * 8 && bloomWords < (1u << 24))
        {
            bloomWords <<= 1;
        }

        int bloomShift = BitLog2((uint)bloomBits) + BitLog2(bloomWords);
        bloomShift = Math.Min(bloomShift, 31);

        // Sections, in file order.
        var sections = new List<Section> { new(string.Empty, 0, 0, 0, 0) };
        Section Add(Section s)
        {
            s.Index = sections.Count;
            sections.Add(s);
            return s;
        }

        var hash = sysvHash ? Add(new Section(".hash", SHT_HASH, SHF_ALLOC, 4, 4)) : null;
        var gnuHash = Add(new Section(".gnu.hash", SHT_GNU_HASH, SHF_ALLOC, (ulong)addr, is64 ? 0UL : 4UL)); // as ld writes it
        var dynsym = Add(new Section(".dynsym", SHT_DYNSYM, SHF_ALLOC, (ulong)addr, is64 ? 24UL : 16UL));
        var dynstr = Add(new Section(".dynstr", SHT_STRTAB, SHF_ALLOC, 1, 0));
        var versymSection = versioned ? Add(new Section(".gnu.version", SHT_GNU_VERSYM, SHF_ALLOC, 2, 2)) : null;
        var verdef = versioned ? Add(new Section(".gnu.version_d", SHT_GNU_VERDEF, SHF_ALLOC, 4, 0)) : null;
        var dynamic = Add(new Section(".dynamic", SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, (ulong)addr, is64 ? 16UL : 8UL));
        var tbss = hasTls ? Add(new Section(".tbss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE | SHF_TLS, SymbolAlignment, 0)) : null;
        // An empty allocated section would lie outside the segment: .bss only when some symbol points into it.
        var bss = surface.Symbols.Any(s => s.Type != ElfSymbolType.Tls) ? Add(new Section(".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, SymbolAlignment, 0)) : null;
        var shstrtab = Add(new Section(".shstrtab", SHT_STRTAB, 0, 1, 0));

        int dynamicCount = surface.Needed.Length + (surface.Soname is null ? 0 : 1) + (sysvHash ? 1 : 0) + 5 + (versioned ? 3 : 0) + 1;
        int phnum = hasTls ? 4 : 3;
        ulong ehsize = is64 ? 64UL : 52UL, phentsize = is64 ? 56UL : 32UL, shentsize = is64 ? 64UL : 40UL;

        if (hash is not null)
        {
            hash.Size = 4 * (2 + (ulong)buckets + (ulong)count + 1);
            hash.Link = dynsym.Index;
        }

        gnuHash.Size = 16 + ((ulong)bloomWords * (ulong)addr) + (4 * (ulong)buckets) + (4 * (ulong)count);
        gnuHash.Link = dynsym.Index;
        dynsym.Size = dynsym.EntrySize * ((ulong)count + 1);
        dynsym.Link = dynstr.Index;
        dynsym.Info = 1; // one local symbol: the null entry
        dynstr.Size = (ulong)strings.Length;
        if (versymSection is not null && verdef is not null)
        {
            versymSection.Size = 2 * ((ulong)count + 1);
            versymSection.Link = dynsym.Index;
            ulong verdefSize = 0;
            verdefSize += 20 + 8; // base
            foreach (var node in nodes)
            {
                verdefSize += 20 + (8 * (1 + (ulong)node.Predecessors.Length));
            }

            verdef.Size = verdefSize;
            verdef.Link = dynstr.Index;
            verdef.Info = (uint)(nodes.Count + 1);
        }

        dynamic.Size = dynamic.EntrySize * (ulong)dynamicCount;
        dynamic.Link = dynstr.Index;

        ulong offset = ehsize + ((ulong)phnum * phentsize);
        foreach (var s in new[] { hash, gnuHash, dynsym, dynstr, versymSection, verdef, dynamic })
        {
            if (s is null)
            {
                continue;
            }

            offset = Align(offset, s.Alignment);
            s.Offset = offset;
            offset += s.Size;
        }

        ulong loadedEnd = offset;

        // The zero-filled area: addresses for every symbol, each distinct and non-zero; data keeps its size.
        ulong limit = is64 ? 1UL << 47 : uint.MaxValue;
        ulong zeroStart = Align(loadedEnd, SymbolAlignment);
        ulong cursor = zeroStart, tlsCursor = 0, end = zeroStart;
        var values = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            var s = symbols[i].Symbol;
            if (!is64 && s.Size > uint.MaxValue)
            {
                throw new AbiBaselineFormatException(label, 0, $"symbol {s.Spelling} has size {s.Size}, more than an ELF32 file can state");
            }

            ulong span = s.IsData ? Align(Math.Max(s.Size, 1), SymbolAlignment, limit) : SymbolAlignment;
            ref ulong at = ref s.Type == ElfSymbolType.Tls ? ref tlsCursor : ref cursor;
            if (span >= limit || at > limit - span)
            {
                throw new AbiBaselineFormatException(label, 0, $"symbol {s.Spelling} of size {s.Size} does not fit in the address space of an {(is64 ? "ELF64" : "ELF32")} stub");
            }

            values[i] = at;
            at += span;

            // Functions are packed closer than their sizes; the area still ends past every symbol's last byte, so
            // each symbol lies inside its section (eu-elflint checks that).
            if (s.Type != ElfSymbolType.Tls)
            {
                if (s.Size > limit - values[i])
                {
                    throw new AbiBaselineFormatException(label, 0, $"symbol {s.Spelling} of size {s.Size} does not fit in the address space of an {(is64 ? "ELF64" : "ELF32")} stub");
                }

                end = Math.Max(end, values[i] + s.Size);
            }
        }

        ulong bssSize = Math.Max(cursor, end) - zeroStart, tlsSize = tlsCursor;
        if (zeroStart > limit - Math.Max(bssSize, tlsSize))
        {
            throw new AbiBaselineFormatException(label, 0, "the symbols do not fit in the address space of the stub");
        }

        ulong memoryEnd = zeroStart + Math.Max(bssSize, tlsSize);
        if (bss is not null)
        {
            bss.Offset = zeroStart;
            bss.Size = bssSize;
        }

        if (tbss is not null)
        {
            tbss.Offset = zeroStart;
            tbss.Size = tlsSize;
        }

        // Non-allocated tail: .shstrtab from the zero area's file offset on, so PT_TLS's offset lies inside the file.
        var sectionNames = new StringTable(label);
        foreach (var s in sections)
        {
            sectionNames.Add(s.Name);
        }

        shstrtab.Offset = zeroStart;
        shstrtab.Size = (ulong)sectionNames.Length;
        ulong shoff = Align(shstrtab.Offset + shstrtab.Size, (ulong)addr);
        ulong fileSize = shoff + ((ulong)sections.Count * shentsize);
        if (fileSize > int.MaxValue || (!is64 && fileSize > uint.MaxValue))
        {
            throw new AbiBaselineFormatException(label, 0, $"the stub would be {fileSize} bytes long");
        }

        var data = new byte[fileSize];
        var w = new Writer(data, little, is64);

        // ELF header.
        data[0] = 0x7f;
        data[1] = (byte)'E';
        data[2] = (byte)'L';
        data[3] = (byte)'F';
        data[4] = (byte)(is64 ? 2 : 1);
        data[5] = (byte)(little ? 1 : 2);
        data[6] = 1;
        data[7] = (byte)(osAbiGnu ? ElfOsAbi.Gnu : ElfOsAbi.None);
        int o = 16;
        o = w.U16(o, (ushort)ElfFileType.SharedObject);
        o = w.U16(o, (ushort)surface.Machine);
        o = w.U32(o, 1);
        o = w.Addr(o, 0);
        o = w.Addr(o, ehsize);
        o = w.Addr(o, shoff);
        o = w.U32(o, MachineFlags(surface.Machine, little));
        o = w.U16(o, (ushort)ehsize);
        o = w.U16(o, (ushort)phentsize);
        o = w.U16(o, (ushort)phnum);
        o = w.U16(o, (ushort)shentsize);
        o = w.U16(o, (ushort)sections.Count);
        w.U16(o, (ushort)shstrtab.Index);

        // Program headers.
        ulong pageAlignment = surface.Machine is ElfMachine.X86_64 or ElfMachine.I386 or ElfMachine.S390 ? 0x1000UL : 0x10000UL;
        o = (int)ehsize;
        o = w.ProgramHeader(o, PT_LOAD, PF_R | PF_W, 0, 0, loadedEnd, memoryEnd, pageAlignment);
        o = w.ProgramHeader(o, PT_DYNAMIC, PF_R | PF_W, dynamic.Offset, dynamic.Offset, dynamic.Size, dynamic.Size, (ulong)addr);
        if (tbss is not null)
        {
            o = w.ProgramHeader(o, PT_TLS, PF_R, zeroStart, zeroStart, 0, tlsSize, SymbolAlignment);
        }

        w.ProgramHeader(o, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);

        // .dynstr and .shstrtab.
        strings.CopyTo(data.AsSpan((int)dynstr.Offset));
        sectionNames.CopyTo(data.AsSpan((int)shstrtab.Offset));

        // .dynsym and .gnu.version, in bucket order.
        for (int k = 0; k < count; k++)
        {
            int i = order[k];
            var (s, nameOffset, _, _, versym) = symbols[i];
            int at = (int)dynsym.Offset + ((k + 1) * (int)dynsym.EntrySize);
            byte info = (byte)(((int)s.Binding << 4) | ((int)s.Type & 0xf));
            byte other = (byte)s.Visibility;
            ushort shndx = (ushort)(s.Type == ElfSymbolType.Tls ? tbss!.Index : bss!.Index);
            if (is64)
            {
                at = w.U32(at, (uint)nameOffset);
                data[at++] = info;
                data[at++] = other;
                at = w.U16(at, shndx);
                at = w.U64(at, values[i]);
                w.U64(at, s.Size);
            }
            else
            {
                at = w.U32(at, (uint)nameOffset);
                at = w.U32(at, (uint)values[i]);
                at = w.U32(at, (uint)s.Size);
                data[at++] = info;
                data[at++] = other;
                w.U16(at, shndx);
            }

            if (versymSection is not null)
            {
                w.U16((int)versymSection.Offset + ((k + 1) * 2), versym);
            }
        }

        // .gnu.hash: header, bloom filter, buckets, chains (hash with the low bit marking a chain's end).
        o = (int)gnuHash.Offset;
        o = w.U32(o, buckets);
        o = w.U32(o, 1);
        o = w.U32(o, bloomWords);
        o = w.U32(o, (uint)bloomShift);
        int bloom = o, bucketTable = bloom + ((int)bloomWords * addr), chains = bucketTable + (4 * (int)buckets);
        for (int k = 0; k < count; k++)
        {
            uint h = symbols[order[k]].GnuHash;
            int word = bloom + ((int)((h / (uint)bloomBits) & (bloomWords - 1)) * addr);
            ulong bits = (1UL << (int)(h % (uint)bloomBits)) | (1UL << (int)((h >> bloomShift) % (uint)bloomBits));
            w.Addr(word, w.ReadAddr(word) | bits);
            uint bucket = h % buckets;
            int bucketAt = bucketTable + (4 * (int)bucket);
            if (w.ReadU32(bucketAt) == 0)
            {
                w.U32(bucketAt, (uint)(k + 1));
            }

            bool last = k + 1 == count || symbols[order[k + 1]].GnuHash % buckets != bucket;
            w.U32(chains + (4 * k), last ? h | 1 : h & ~1u);
        }

        // .hash: nbucket, nchain, buckets, chains; each chain lists its symbols in dynsym order.
        if (hash is not null)
        {
            o = (int)hash.Offset;
            o = w.U32(o, buckets);
            o = w.U32(o, (uint)count + 1);
            int sysvBuckets = o, sysvChains = o + (4 * (int)buckets);
            for (int k = count; k >= 1; k--)
            {
                var sym = symbols[order[k - 1]];
                uint b = ElfHash(strings.Bytes(sym.NameOffset, sym.NameLength)) % buckets;
                int bucketAt = sysvBuckets + (4 * (int)b);
                w.U32(sysvChains + (4 * k), w.ReadU32(bucketAt));
                w.U32(bucketAt, (uint)k);
            }
        }

        // .gnu.version_d: the base definition, then each node with its predecessors as further Verdaux entries.
        if (verdef is not null)
        {
            o = (int)verdef.Offset;
            int baseOffset = strings.Add(baseName, out int baseLength);
            o = w.VersionDefinition(o, VER_FLG_BASE, 1, [baseOffset], ElfHash(strings.Bytes(baseOffset, baseLength)), last: nodes.Count == 0);
            for (int n = 0; n < nodes.Count; n++)
            {
                var node = nodes[n];
                var names = new int[1 + node.Predecessors.Length];
                names[0] = strings.Add(node.Name, out int nameLength);
                for (int p = 0; p < node.Predecessors.Length; p++)
                {
                    names[p + 1] = strings.Add(node.Predecessors[p]);
                }

                o = w.VersionDefinition(o, 0, (ushort)(n + 2), names, ElfHash(strings.Bytes(names[0], nameLength)), last: n + 1 == nodes.Count);
            }
        }

        // .dynamic.
        o = (int)dynamic.Offset;
        foreach (var n in surface.Needed)
        {
            o = w.Dynamic(o, DT_NEEDED, (ulong)strings.Add(n));
        }

        if (surface.Soname is not null)
        {
            o = w.Dynamic(o, DT_SONAME, (ulong)strings.Add(surface.Soname));
        }

        if (hash is not null)
        {
            o = w.Dynamic(o, DT_HASH, hash.Offset);
        }

        o = w.Dynamic(o, DT_GNU_HASH, gnuHash.Offset);
        o = w.Dynamic(o, DT_STRTAB, dynstr.Offset);
        o = w.Dynamic(o, DT_SYMTAB, dynsym.Offset);
        o = w.Dynamic(o, DT_STRSZ, dynstr.Size);
        o = w.Dynamic(o, DT_SYMENT, dynsym.EntrySize);
        if (versymSection is not null && verdef is not null)
        {
            o = w.Dynamic(o, DT_VERSYM, versymSection.Offset);
            o = w.Dynamic(o, DT_VERDEF, verdef.Offset);
            o = w.Dynamic(o, DT_VERDEFNUM, verdef.Info);
        }

        w.Dynamic(o, DT_NULL, 0);

        // Section headers.
        o = (int)shoff;
        foreach (var s in sections)
        {
            bool allocated = (s.Flags & SHF_ALLOC) != 0;
            o = w.SectionHeader(o, (uint)sectionNames.Add(s.Name), s.Type, s.Flags, allocated ? s.Offset : 0, s.Offset, s.Size, (uint)s.Link, s.Info, s.Alignment, s.EntrySize);
        }

        return data;
    }

    /// <summary>e_flags a loader of the machine expects from a library of the usual Linux ABI.</summary>
    private static uint MachineFlags(ElfMachine machine, bool little) => machine switch
    {
        ElfMachine.PowerPC64 => little ? 2u : 1u,             // ELFv2 on little-endian, ELFv1 on big-endian
        ElfMachine.Arm => 0x05000400,                         // EABI version 5, hard-float
        ElfMachine.RiscV => 0x5,                              // RVC, double-float ABI
        ElfMachine.LoongArch => 0x43,                         // LP64D, object ABI v1
        _ => 0,
    };

    private static uint BucketCount(int symbols)
    {
        uint best = 1;
        foreach (var b in BucketCounts)
        {
            if (b > (uint)Math.Max(symbols, 1))
            {
                break;
            }

            best = b;
        }

        return best;
    }

    private static int BitLog2(uint v) => 31 - System.Numerics.BitOperations.LeadingZeroCount(v);

    private static ulong Align(ulong value, ulong alignment) => alignment <= 1 ? value : (value + alignment - 1) & ~(alignment - 1);

    /// <summary>Aligns up, saturating at <paramref name="limit"/> instead of wrapping.</summary>
    private static ulong Align(ulong value, ulong alignment, ulong limit) => value > limit - alignment ? limit : Align(value, alignment);

    private static uint GnuHash(ReadOnlySpan<byte> name)
    {
        uint h = 5381;
        foreach (var c in name)
        {
            h = (h * 33) + c;
        }

        return h;
    }

    private static uint ElfHash(ReadOnlySpan<byte> name)
    {
        uint h = 0;
        foreach (var c in name)
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0)
            {
                h ^= g >> 24;
            }

            h &= ~g;
        }

        return h;
    }

    /// <summary>A string table: a leading NUL, then each distinct string once, NUL-terminated, in one growing buffer.</summary>
    private sealed class StringTable(string? label, int capacity = 256, int count = 16)
    {
        private readonly Dictionary<string, (int Offset, int Length)> _strings = new(count, StringComparer.Ordinal);
        private byte[] _buffer = new byte[Math.Max(capacity, 16)];

        public int Length { get; private set; } = 1;

        public int Add(string s) => Add(s, out _);

        public int Add(string s, out int length)
        {
            // One hash of the name, whether it is known or new.
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_strings, s, out bool known);
            if (known)
            {
                length = entry.Length;
                return entry.Offset;
            }

            if (s.Contains('\0'))
            {
                throw new AbiBaselineFormatException(label, 0, $"the name '{s.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character");
            }

            length = Encoding.UTF8.GetByteCount(s);
            if (length == 0)
            {
                entry = (0, 0);
                return 0;
            }

            if (Length > int.MaxValue / 2 - length - 1)
            {
                throw new AbiBaselineFormatException(label, 0, "the string table exceeds 1 GiB");
            }

            if (Length + length + 1 > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + length + 1));
            }

            int offset = Length;
            Encoding.UTF8.GetBytes(s, _buffer.AsSpan(offset));
            entry = (offset, length);
            Length += length + 1;
            return offset;
        }

        public ReadOnlySpan<byte> Bytes(int offset, int length) => _buffer.AsSpan(offset, length);

        public void CopyTo(Span<byte> destination) => _buffer.AsSpan(0, Length).CopyTo(destination);
    }

    /// <summary>Writes the class- and byte-order-dependent fields; each method returns the offset after what it wrote.</summary>
    private readonly ref struct Writer(Span<byte> data, bool little, bool is64)
    {
        private readonly Span<byte> _data = data;

        public int U16(int at, ushort v)
        {
            if (little)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(_data[at..], v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(_data[at..], v);
            }

            return at + 2;
        }

        public int U32(int at, uint v)
        {
            if (little)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(_data[at..], v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(_data[at..], v);
            }

            return at + 4;
        }

        public int U64(int at, ulong v)
        {
            if (little)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(_data[at..], v);
            }
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(_data[at..], v);
            }

            return at + 8;
        }

        public int Addr(int at, ulong v) => is64 ? U64(at, v) : U32(at, (uint)v);

        public uint ReadU32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(_data[at..]) : BinaryPrimitives.ReadUInt32BigEndian(_data[at..]);

        public ulong ReadAddr(int at) => is64
            ? (little ? BinaryPrimitives.ReadUInt64LittleEndian(_data[at..]) : BinaryPrimitives.ReadUInt64BigEndian(_data[at..]))
            : ReadU32(at);

        public int ProgramHeader(int at, uint type, uint flags, ulong offset, ulong address, ulong fileSize, ulong memorySize, ulong alignment)
        {
            at = U32(at, type);
            if (is64)
            {
                at = U32(at, flags);
                at = U64(at, offset);
                at = U64(at, address);
                at = U64(at, address);
                at = U64(at, fileSize);
                at = U64(at, memorySize);
                return U64(at, alignment);
            }

            at = U32(at, (uint)offset);
            at = U32(at, (uint)address);
            at = U32(at, (uint)address);
            at = U32(at, (uint)fileSize);
            at = U32(at, (uint)memorySize);
            at = U32(at, flags);
            return U32(at, (uint)alignment);
        }

        public int SectionHeader(int at, uint name, uint type, ulong flags, ulong address, ulong offset, ulong size, uint link, uint info, ulong alignment, ulong entrySize)
        {
            at = U32(at, name);
            at = U32(at, type);
            at = Addr(at, flags);
            at = Addr(at, address);
            at = Addr(at, offset);
            at = Addr(at, size);
            at = U32(at, link);
            at = U32(at, info);
            at = Addr(at, alignment);
            return Addr(at, entrySize);
        }

        public int Dynamic(int at, long tag, ulong value) => is64 ? U64(U64(at, (ulong)tag), value) : U32(U32(at, (uint)tag), (uint)value);

        public int VersionDefinition(int at, ushort flags, ushort index, int[] names, uint hash, bool last)
        {
            int size = 20 + (8 * names.Length);
            int start = at;
            at = U16(at, 1); // VER_DEF_CURRENT
            at = U16(at, flags);
            at = U16(at, index);
            at = U16(at, (ushort)names.Length);
            at = U32(at, hash);
            at = U32(at, 20);
            U32(at, last ? 0u : (uint)size);
            at = start + 20;
            for (int i = 0; i < names.Length; i++)
            {
                at = U32(at, (uint)names[i]);
                at = U32(at, i + 1 == names.Length ? 0u : 8u);
            }

            return at;
        }
    }
}
