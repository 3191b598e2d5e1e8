using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using LibObjectFile.Diagnostics;
using Lof = LibObjectFile.Elf;

namespace Abi.Sdk.Elf;

/// <summary>
/// Writes stub shared libraries through LibObjectFile's object model: <see cref="CreateElfFile"/> builds the
/// <see cref="Lof.ElfFile"/> of an <see cref="ElfStubDefinition"/> (sections, segments, string and symbol tables,
/// dynamic table; the hash and version tables LibObjectFile has no type for are <see cref="ElfGnuHashSection"/>,
/// <see cref="ElfSysvHashSection"/>, <see cref="ElfGnuVersionSection"/>, <see cref="ElfGnuVersionDefinitionSection"/>
/// and <see cref="ElfGnuVersionNeedSection"/>); a caller may change the model, then <see cref="Write"/> lays it out
/// and writes it.
/// </summary>
/// <remarks>
/// Layout: ELF header, program headers (one read-write PT_LOAD at address 0 whose memory size extends over the
/// zero-filled area the symbols point into, PT_DYNAMIC, PT_TLS when there is a <c>.tbss</c>, PT_GNU_STACK),
/// <c>.hash</c>, <c>.gnu.hash</c>, <c>.dynsym</c>, <c>.dynstr</c>, <c>.gnu.version</c>, <c>.gnu.version_d</c> and
/// <c>.gnu.version_r</c> (when there are versions), <c>.dynamic</c>, <c>.tbss</c>, <c>.bss</c>, <c>.shstrtab</c>
/// and the section headers. Every allocated section's address is its file offset. Sizes never drive an allocation:
/// the zero-filled area exists only as the PT_LOAD memory size.
/// </remarks>
public static class ElfStubWriter
{
    private const int MaxVersionIndex = 0x7fff; // versym keeps 15 bits; 0x8000 marks a hidden version

    // Symbols are spaced so that each has a distinct address and data keeps its size.
    private const ulong SymbolAlignment = 16;

    private static readonly uint[] BucketCounts = [1, 3, 17, 37, 67, 97, 131, 197, 263, 521, 1031, 2053, 4099, 8209, 16411, 32771, 65537, 131101, 262147, 524309, 1048583];

    /// <summary>Builds and lays out the LibObjectFile model of a stub, to inspect or change before <see cref="Write"/>.</summary>
    /// <param name="definition">What the stub holds.</param>
    /// <returns>The model; its allocated sections' addresses and the symbols' values are those the file would have.</returns>
    /// <exception cref="ElfStubException">The definition cannot be a loadable ELF file: a size overflows the address space, a version index is out of range, a name contains a NUL character, or the class or byte order is unknown.</exception>
    public static Lof.ElfFile CreateElfFile(ElfStubDefinition definition)
    {
        var file = Build(definition);
        Layout(file, definition.Label);
        return file;
    }

    /// <summary>Builds the stub of <paramref name="definition"/> in memory.</summary>
    /// <param name="definition">What the stub holds.</param>
    /// <returns>The bytes of the ELF file.</returns>
    /// <exception cref="ElfStubException">The definition cannot be a loadable ELF file (see <see cref="CreateElfFile"/>).</exception>
    public static byte[] Create(ElfStubDefinition definition)
    {
        var file = Build(definition);
        Layout(file, definition.Label);
        return Serialize(file);
    }

    /// <summary>
    /// Lays out a stub's model (from <see cref="CreateElfFile"/>, perhaps changed) and writes it: orders
    /// <c>.dynsym</c> as <c>.gnu.hash</c> requires (with <c>.gnu.version</c> alongside), gives every allocated
    /// section the address of its file offset, moves the symbols of a moved section with it, sets the dynamic
    /// table's address and size entries and the program headers, and checks the model with LibObjectFile's Verify.
    /// </summary>
    /// <param name="file">The model.</param>
    /// <param name="destination">Receives the ELF file.</param>
    /// <exception cref="ElfStubException">The model has no dynamic symbol table or dynamic section, does not fit the address space, or LibObjectFile's verification reports an error.</exception>
    public static void Write(Lof.ElfFile file, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(destination);
        Layout(file, null);
        file.Write(destination);
    }

    /// <summary>e_flags a loader of the machine expects from a library of the usual Linux ABI.</summary>
    /// <param name="machine">The machine.</param>
    /// <param name="dataEncoding">The byte order (64-bit PowerPC's ABI differs by it).</param>
    /// <returns>The flags.</returns>
    public static uint DefaultMachineFlags(ElfMachine machine, ElfDataEncoding dataEncoding) => machine switch
    {
        ElfMachine.PowerPC64 => dataEncoding == ElfDataEncoding.LittleEndian ? 2u : 1u, // ELFv2 on little-endian, ELFv1 on big-endian
        ElfMachine.Arm => 0x05000400,                                                   // EABI version 5, hard-float
        ElfMachine.RiscV => 0x5,                                                        // RVC, double-float ABI
        ElfMachine.LoongArch => 0x43,                                                   // LP64D, object ABI v1
        _ => 0,
    };

    private static Lof.ElfFile Build(ElfStubDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var label = definition.Label;
        bool is64 = definition.Class switch
        {
            ElfClass.Elf64 => true,
            ElfClass.Elf32 => false,
            _ => throw new ElfStubException(label, $"unknown ELF class {(int)definition.Class}"),
        };
        bool little = definition.DataEncoding switch
        {
            ElfDataEncoding.LittleEndian => true,
            ElfDataEncoding.BigEndian => false,
            _ => throw new ElfStubException(label, $"unknown ELF byte order {(int)definition.DataEncoding}"),
        };
        uint addr = is64 ? 8u : 4u;

        var file = new Lof.ElfFile(new Lof.ElfArchEx((ushort)definition.Machine).Value, is64 ? Lof.ElfFileClass.Is64 : Lof.ElfFileClass.Is32, little ? Lof.ElfEncoding.Lsb : Lof.ElfEncoding.Msb)
        {
            FileType = Lof.ElfFileType.Dynamic,
            OSABI = new Lof.ElfOSABIEx((byte)definition.OsAbi),
            Flags = new Lof.ElfHeaderFlags(definition.Flags ?? DefaultMachineFlags(definition.Machine, definition.DataEncoding)),
        };

        var symbols = definition.Symbols;
        bool versioned = definition.VersionDefinitions.Length > 0 || definition.VersionNeeds.Length > 0;
        var indices = new HashSet<ushort>();
        foreach (var d in definition.VersionDefinitions)
        {
            CheckVersionIndex(label, d.Index, d.Name, indices);
            CheckName(label, d.Name);
            foreach (var p in d.Predecessors)
            {
                CheckName(label, p);
            }
        }

        foreach (var n in definition.VersionNeeds)
        {
            CheckName(label, n.FileName);
            foreach (var v in n.Versions)
            {
                CheckVersionIndex(label, v.Index, v.Name, indices);
                CheckName(label, v.Name);
            }
        }

        // .dynstr: sized for the names up front (UTF-16 length = UTF-8 length for the usual ASCII names).
        long nameChars = 64;
        foreach (var s in symbols)
        {
            nameChars += s.Name.Length + 1;
        }

        var dynstr = new Lof.ElfStringTable(".dynstr", (int)Math.Min(1L << 26, nameChars)) { Flags = Lof.ElfSectionFlags.Alloc };
        var dynsym = new Lof.ElfSymbolTable(isDynamic: true) { Name = ".dynsym", Flags = Lof.ElfSectionFlags.Alloc, Link = dynstr, FileAlignment = addr, VirtualAddressAlignment = addr };

        // SysV .hash has 8-byte words on 64-bit S/390 and Alpha; only the GNU table is written there.
        bool sysvHash = !(is64 && definition.Machine is ElfMachine.S390 or ElfMachine.Alpha);
        if (sysvHash)
        {
            file.Add(new ElfSysvHashSection { Link = dynsym, FileAlignment = 4, VirtualAddressAlignment = 4, AdditionalTableEntrySize = 4 });
        }

        file.Add(new ElfGnuHashSection { Link = dynsym, FileAlignment = addr, VirtualAddressAlignment = addr, AdditionalTableEntrySize = is64 ? 0u : 4u }); // entry sizes as ld writes them
        file.Add(dynsym);
        file.Add(dynstr);
        ElfGnuVersionSection? versym = null;
        if (versioned)
        {
            versym = file.Add(new ElfGnuVersionSection { Link = dynsym, FileAlignment = 2, VirtualAddressAlignment = 2, AdditionalTableEntrySize = 2 });
            if (definition.VersionDefinitions.Length > 0)
            {
                var verdef = file.Add(new ElfGnuVersionDefinitionSection { Link = dynstr });
                verdef.Definitions.AddRange(definition.VersionDefinitions);
            }

            if (definition.VersionNeeds.Length > 0)
            {
                var verneed = file.Add(new ElfGnuVersionNeedSection { Link = dynstr });
                verneed.Needs.AddRange(definition.VersionNeeds);
            }
        }

        // .dynamic is 16-aligned in the file so that the zero-filled area after it starts at a known distance.
        var dynamic = file.Add(new Lof.ElfDynamicLinkingTable { Name = ".dynamic", Flags = Lof.ElfSectionFlags.Alloc | Lof.ElfSectionFlags.Write, Link = dynstr, FileAlignment = 16, VirtualAddressAlignment = addr });
        Lof.ElfNoBitsSection? tbss = null, bss = null;
        foreach (var s in symbols)
        {
            if (s.Placement == ElfStubSymbolPlacement.ThreadLocal)
            {
                tbss ??= new Lof.ElfNoBitsSection { Name = ".tbss", Flags = Lof.ElfSectionFlags.Alloc | Lof.ElfSectionFlags.Write | Lof.ElfSectionFlags.Tls, FileAlignment = (uint)SymbolAlignment, VirtualAddressAlignment = SymbolAlignment };
            }
            else if (s.Placement == ElfStubSymbolPlacement.ZeroFilled)
            {
                // An empty allocated section would lie outside the segment: .bss only when some symbol points into it.
                bss ??= new Lof.ElfNoBitsSection { Name = ".bss", Flags = Lof.ElfSectionFlags.Alloc | Lof.ElfSectionFlags.Write, FileAlignment = (uint)SymbolAlignment, VirtualAddressAlignment = SymbolAlignment };
            }
        }

        if (tbss is not null)
        {
            file.Add(tbss);
        }

        if (bss is not null)
        {
            file.Add(bss);
        }

        file.Add(new Lof.ElfSectionHeaderStringTable());
        file.Add(new Lof.ElfSectionHeaderTable());

        // .dynsym and .gnu.version: the symbols at their offsets in the zero-filled areas (Layout moves them with
        // their section to its address).
        ulong limit = is64 ? 1UL << 47 : uint.MaxValue;
        ulong cursor = 0, tlsCursor = 0, end = 0;
        var entries = dynsym.Entries;
        entries.Capacity = symbols.Length + 1;
        if (versym is not null)
        {
            versym.Entries.Capacity = symbols.Length + 1;
            versym.Entries.Add(0);
        }

        foreach (var s in symbols)
        {
            CheckName(label, s.Name);
            if (s.VersionIndex > MaxVersionIndex || (versym is null && s.VersionIndex > 1))
            {
                throw new ElfStubException(label, $"symbol {s.Name} has version index {s.VersionIndex}, which no version definition or need has");
            }

            if (!is64 && s.Size > uint.MaxValue)
            {
                throw new ElfStubException(label, $"symbol {s.Name} has size {s.Size}, more than an ELF32 file can state");
            }

            ulong value = 0;
            if (s.Placement != ElfStubSymbolPlacement.Absolute)
            {
                bool data = s.Type is ElfSymbolType.Object or ElfSymbolType.Tls or ElfSymbolType.Common;
                ulong span = data ? Align(Math.Max(s.Size, 1), SymbolAlignment, limit) : SymbolAlignment;
                ref ulong at = ref s.Placement == ElfStubSymbolPlacement.ThreadLocal ? ref tlsCursor : ref cursor;
                if (span >= limit || at > limit - span)
                {
                    throw new ElfStubException(label, $"symbol {s.Name} of size {s.Size} does not fit in the address space of an {(is64 ? "ELF64" : "ELF32")} stub");
                }

                value = at;
                at += span;

                // Functions are packed closer than their sizes; the area still ends past every symbol's last byte,
                // so each symbol lies inside its section (eu-elflint checks that).
                if (s.Placement == ElfStubSymbolPlacement.ZeroFilled)
                {
                    if (s.Size > limit - value)
                    {
                        throw new ElfStubException(label, $"symbol {s.Name} of size {s.Size} does not fit in the address space of an {(is64 ? "ELF64" : "ELF32")} stub");
                    }

                    end = Math.Max(end, value + s.Size);
                }
            }

            entries.Add(new Lof.ElfSymbol
            {
                Name = s.Name,
                Type = (Lof.ElfSymbolType)(byte)s.Type,
                Bind = (Lof.ElfSymbolBind)(byte)s.Binding,
                Visibility = (Lof.ElfSymbolVisibility)(byte)s.Visibility,
                Size = s.Size,
                Value = value,
                SectionLink = s.Placement switch
                {
                    ElfStubSymbolPlacement.ThreadLocal => tbss!,
                    ElfStubSymbolPlacement.ZeroFilled => bss!,
                    _ => Lof.ElfSectionLink.SectionAbsolute,
                },
            });
            versym?.Entries.Add((ushort)(s.VersionIndex | (s.IsHidden ? 0x8000 : 0)));
        }

        if (bss is not null)
        {
            bss.Size = Math.Max(cursor, end);
        }

        if (tbss is not null)
        {
            tbss.Size = tlsCursor;
        }

        // .dynamic: the addresses and sizes are set by Layout.
        var dyn = dynamic.Entries;
        foreach (var n in definition.Needed)
        {
            CheckName(label, n);
            dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_NEEDED, Value = dynstr.GetOrCreateString(n) });
        }

        if (definition.Soname is { } soname)
        {
            CheckName(label, soname);
            dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_SONAME, Value = dynstr.GetOrCreateString(soname) });
        }

        if (sysvHash)
        {
            dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_HASH });
        }

        dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_GNU_HASH });
        dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_STRTAB });
        dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_SYMTAB });
        dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_STRSZ });
        dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_SYMENT });
        if (versym is not null)
        {
            dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_VERSYM });
            if (definition.VersionDefinitions.Length > 0)
            {
                dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_VERDEF });
                dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_VERDEFNUM });
            }

            if (definition.VersionNeeds.Length > 0)
            {
                dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_VERNEED });
                dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_VERNEEDNUM });
            }
        }

        dyn.Add(new Lof.ElfDynamic { Tag = (long)ElfDynamicTag.DT_NULL });

        // Program headers; Layout sets their addresses and memory sizes.
        var rw = new Lof.ElfSegmentFlags(Lof.ElfSegmentFlagsCore.Readable | Lof.ElfSegmentFlagsCore.Writable);
        ulong pageAlignment = definition.Machine is ElfMachine.X86_64 or ElfMachine.I386 or ElfMachine.S390 ? 0x1000UL : 0x10000UL;
        file.Segments.Add(new Lof.ElfSegment { Type = new Lof.ElfSegmentType(Lof.ElfSegmentTypeCore.Load), Range = new Lof.ElfContentRange(file.Content[0], 0, dynamic, 0), Flags = rw, VirtualAddressAlignment = pageAlignment });
        file.Segments.Add(new Lof.ElfSegment { Type = new Lof.ElfSegmentType(Lof.ElfSegmentTypeCore.Dynamic), Range = new Lof.ElfContentRange(dynamic), Flags = rw, VirtualAddressAlignment = addr });
        if (tbss is not null)
        {
            // No file bytes: the TLS initialization image is empty, the block is all .tbss.
            file.Segments.Add(new Lof.ElfSegment { Type = new Lof.ElfSegmentType(Lof.ElfSegmentTypeCore.Tls), OffsetCalculationMode = Lof.ElfOffsetCalculationMode.Manual, Range = Lof.ElfContentRange.Empty, Flags = new Lof.ElfSegmentFlags(Lof.ElfSegmentFlagsCore.Readable), VirtualAddressAlignment = SymbolAlignment });
        }

        file.Segments.Add(new Lof.ElfSegment { Type = new Lof.ElfSegmentType((uint)ElfSegmentType.PT_GNU_STACK), Range = Lof.ElfContentRange.Empty, Flags = rw, VirtualAddressAlignment = 16 });
        return file;
    }

    private static void CheckVersionIndex(string? label, ushort index, string name, HashSet<ushort> seen)
    {
        if (index is < 1 or > MaxVersionIndex)
        {
            throw new ElfStubException(label, $"version {name} has index {index}: an ELF version index lies between 1 and {MaxVersionIndex}");
        }

        if (!seen.Add(index))
        {
            throw new ElfStubException(label, $"version {name} has index {index}, which another version has");
        }
    }

    private static void CheckName(string? label, string name)
    {
        if (name.Contains('\0'))
        {
            throw new ElfStubException(label, $"the name '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character");
        }
    }

    private static byte[] Serialize(Lof.ElfFile file)
    {
        var stream = new MemoryStream((int)Math.Min(file.Layout.TotalSize, int.MaxValue));
        file.Write(stream);
        return stream.Length == stream.Capacity ? stream.GetBuffer() : stream.ToArray();
    }

    /// <summary>The layout <see cref="Write"/> describes.</summary>
    private static void Layout(Lof.ElfFile file, string? label)
    {
        Lof.ElfSymbolTable? dynsym = null;
        Lof.ElfDynamicLinkingTable? dynamic = null;
        ElfGnuHashSection? gnuHash = null;
        ElfSysvHashSection? sysvHash = null;
        ElfGnuVersionSection? versym = null;
        ElfGnuVersionDefinitionSection? verdef = null;
        ElfGnuVersionNeedSection? verneed = null;
        foreach (var section in file.Sections)
        {
            switch (section)
            {
                case Lof.ElfSymbolTable t when t.Type == Lof.ElfSectionType.DynamicLinkerSymbolTable: dynsym ??= t; break;
                case Lof.ElfDynamicLinkingTable d: dynamic ??= d; break;
                case ElfGnuHashSection h: gnuHash ??= h; break;
                case ElfSysvHashSection h: sysvHash ??= h; break;
                case ElfGnuVersionSection v: versym ??= v; break;
                case ElfGnuVersionDefinitionSection v: verdef ??= v; break;
                case ElfGnuVersionNeedSection v: verneed ??= v; break;
            }
        }

        if (dynsym is null || dynamic is null || dynsym.Link.Section is not Lof.ElfStringTable dynstr)
        {
            throw new ElfStubException(label, "a stub needs a dynamic symbol table linked to its string table and a dynamic section");
        }

        // Each name is hashed once, for the order and both tables.
        if (gnuHash is not null || sysvHash is not null)
        {
            var (gnu, sysv) = HashNames(dynsym.Entries);
            if (gnuHash is not null)
            {
                OrderForGnuHash(dynsym, versym, gnu, sysv);
                gnuHash.SetContent(EncodeGnuHash(dynsym.Entries, gnu, file.FileClass == Lof.ElfFileClass.Is64, file.Encoding == Lof.ElfEncoding.Lsb));
            }

            sysvHash?.SetContent(EncodeSysvHash(sysv, file.Encoding == Lof.ElfEncoding.Lsb));
        }

        // The version tables' names go into .dynstr before it is laid out.
        verdef?.RegisterStrings();
        verneed?.RegisterStrings();

        // Where each allocated section was, to move its symbols with it; the zero-filled area starts 16-aligned after
        // the last section with file bytes.
        var previous = new Dictionary<Lof.ElfSection, ulong>();
        Lof.ElfSection? lastLoaded = null, firstZero = null;
        int lastLoadedIndex = -1, firstZeroIndex = -1;
        for (int i = 0; i < file.Content.Count; i++)
        {
            if (file.Content[i] is not Lof.ElfSection s || (s.Flags & Lof.ElfSectionFlags.Alloc) == 0)
            {
                continue;
            }

            previous[s] = s.VirtualAddress;
            if (s is Lof.ElfNoBitsSection)
            {
                if (firstZero is null)
                {
                    (firstZero, firstZeroIndex) = (s, i);
                }
            }
            else
            {
                (lastLoaded, lastLoadedIndex) = (s, i);
            }
        }

        if (firstZero is Lof.ElfNoBitsSection zero && firstZeroIndex == lastLoadedIndex + 1)
        {
            zero.PositionOffsetFromPreviousContent = Align(ExpectedSize(lastLoaded!, file), SymbolAlignment);
        }

        Lof.ElfNoBitsSection? tbss = null;
        foreach (var s in previous.Keys)
        {
            if (s is Lof.ElfNoBitsSection t && (t.Flags & Lof.ElfSectionFlags.Tls) != 0)
            {
                tbss = t;
            }
        }

        foreach (var segment in file.Segments)
        {
            if ((Lof.ElfSegmentTypeCore)segment.Type.Value == Lof.ElfSegmentTypeCore.Load && lastLoaded is not null)
            {
                segment.Range = new Lof.ElfContentRange(file.Content[0], 0, lastLoaded, 0);
            }
        }

        var diagnostics = new DiagnosticBag();
        file.UpdateLayout(diagnostics);
        ThrowOnErrors(label, diagnostics);

        // A section a caller added after .dynamic may not have had its size before the layout: place the area again.
        if (firstZero is Lof.ElfNoBitsSection moved && firstZeroIndex == lastLoadedIndex + 1
            && Align(lastLoaded!.Position + lastLoaded.Size, SymbolAlignment) is var zeroStart && moved.Position != zeroStart)
        {
            moved.PositionOffsetFromPreviousContent = zeroStart - lastLoaded.Position;
            file.UpdateLayout(diagnostics);
            ThrowOnErrors(label, diagnostics);
        }

        bool is64 = file.FileClass == Lof.ElfFileClass.Is64;
        ulong limit = is64 ? 1UL << 47 : uint.MaxValue;
        ulong memoryEnd = 0;
        foreach (var (s, old) in previous)
        {
            s.VirtualAddress = s.Position;
            if (s.Size > limit || s.Position > limit - s.Size)
            {
                throw new ElfStubException(label, "the symbols do not fit in the address space of the stub");
            }

            memoryEnd = Math.Max(memoryEnd, s.Position + s.Size);
        }

        // Symbols move with their section; thread-local values are offsets in the TLS block and stay.
        var symbols = CollectionsMarshal.AsSpan(dynsym.Entries);
        for (int i = 0; i < symbols.Length; i++)
        {
            ref var symbol = ref symbols[i];
            if (symbol.SectionLink.Section is { } home && (home.Flags & Lof.ElfSectionFlags.Tls) == 0 && previous.TryGetValue(home, out var old) && old != home.VirtualAddress)
            {
                symbol.Value = symbol.Value - old + home.VirtualAddress;
            }
        }

        if (file.Layout.TotalSize > int.MaxValue || (!is64 && file.Layout.TotalSize > uint.MaxValue))
        {
            throw new ElfStubException(label, $"the stub would be {file.Layout.TotalSize} bytes long");
        }

        // .dynamic: the addresses and sizes of the tables it names.
        var entries = CollectionsMarshal.AsSpan(dynamic.Entries);
        for (int i = 0; i < entries.Length; i++)
        {
            ref var e = ref entries[i];
            ulong? value = e.Tag switch
            {
                (long)ElfDynamicTag.DT_HASH => sysvHash?.VirtualAddress,
                (long)ElfDynamicTag.DT_GNU_HASH => gnuHash?.VirtualAddress,
                (long)ElfDynamicTag.DT_STRTAB => dynstr.VirtualAddress,
                (long)ElfDynamicTag.DT_SYMTAB => dynsym.VirtualAddress,
                (long)ElfDynamicTag.DT_STRSZ => dynstr.Size,
                (long)ElfDynamicTag.DT_SYMENT => dynsym.TableEntrySize,
                (long)ElfDynamicTag.DT_VERSYM => versym?.VirtualAddress,
                (long)ElfDynamicTag.DT_VERDEF => verdef?.VirtualAddress,
                (long)ElfDynamicTag.DT_VERDEFNUM => (ulong?)verdef?.Definitions.Count,
                (long)ElfDynamicTag.DT_VERNEED => verneed?.VirtualAddress,
                (long)ElfDynamicTag.DT_VERNEEDNUM => (ulong?)verneed?.Needs.Count,
                _ => null,
            };
            if (value is { } v)
            {
                e.Value = v;
            }
        }

        // Program headers: the one PT_LOAD maps the file from offset 0 at address 0 and extends over the zero-filled area.
        foreach (var segment in file.Segments)
        {
            switch ((Lof.ElfSegmentTypeCore)segment.Type.Value)
            {
                case Lof.ElfSegmentTypeCore.Load:
                    segment.SizeInMemory = memoryEnd;
                    break;
                case Lof.ElfSegmentTypeCore.Dynamic:
                    segment.SizeInMemory = dynamic.Size;
                    break;
                case Lof.ElfSegmentTypeCore.Tls when tbss is not null:
                    segment.Position = tbss.Position;
                    segment.SizeInMemory = tbss.Size;
                    break;
            }

            segment.VirtualAddress = segment.Position;
            segment.PhysicalAddress = segment.Position;
        }

        file.Verify(diagnostics);
        ThrowOnErrors(label, diagnostics);
    }

    /// <summary>The size a section will have after layout, for the sections that can precede the zero-filled area.</summary>
    private static ulong ExpectedSize(Lof.ElfSection section, Lof.ElfFile file) => section switch
    {
        Lof.ElfDynamicLinkingTable d => (ulong)d.Entries.Count * (file.FileClass == Lof.ElfFileClass.Is64 ? 16UL : 8UL),
        _ => section.Size,
    };

    private static void ThrowOnErrors(string? label, DiagnosticBag diagnostics)
    {
        if (diagnostics.HasErrors)
        {
            throw new ElfStubException(label, "LibObjectFile: " + diagnostics.ToString().Trim());
        }
    }

    /// <summary>
    /// Orders the dynamic symbols as .gnu.hash needs: the null symbol, the local ones, the undefined ones, then the
    /// defined ones grouped by bucket; a stable sort keeps the given order inside a bucket (the loader walks a chain
    /// in that order). The version entries move with their symbols.
    /// </summary>
    private static void OrderForGnuHash(Lof.ElfSymbolTable dynsym, ElfGnuVersionSection? versym, uint[] gnu, uint[] sysv)
    {
        var entries = dynsym.Entries;
        int n = entries.Count;
        if (versym is not null)
        {
            while (versym.Entries.Count < n)
            {
                versym.Entries.Add(versym.Entries.Count == 0 ? (ushort)0 : (ushort)1);
            }
        }

        int hashed = 0;
        for (int i = 1; i < n; i++)
        {
            if (IsHashed(entries[i]))
            {
                hashed++;
            }
        }

        uint buckets = BucketCount(hashed);
        var keys = new ulong[n];
        var order = new int[n];
        bool sorted = true;
        ulong last = 0;
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            var e = entries[i];
            ulong group = i == 0 ? 0UL : e.Bind == Lof.ElfSymbolBind.Local ? 1UL : !IsHashed(e) ? 2UL : 3UL + (gnu[i] % buckets);
            keys[i] = (group << 32) | (uint)i;
            sorted &= keys[i] >= last;
            last = keys[i];
        }

        if (sorted)
        {
            return;
        }

        Array.Sort(keys, order);
        Permute(entries, order);
        Permute(gnu, order);
        Permute(sysv, order);
        if (versym is not null)
        {
            Permute(versym.Entries, order);
        }
    }

    private static void Permute<T>(IList<T> items, int[] order)
    {
        var copy = new T[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            copy[i] = items[order[i]];
        }

        for (int i = 0; i < order.Length; i++)
        {
            items[i] = copy[i];
        }
    }

    /// <summary>The GNU and SysV hashes of every symbol's name, index 0 (the null symbol) included.</summary>
    internal static (uint[] Gnu, uint[] Sysv) HashNames(List<Lof.ElfSymbol> symbols)
    {
        var gnu = new uint[symbols.Count];
        var sysv = new uint[symbols.Count];
        var name = new NameBuffer();
        var span = CollectionsMarshal.AsSpan(symbols);
        for (int i = 0; i < span.Length; i++)
        {
            var bytes = name.Utf8(span[i].Name.Value);
            gnu[i] = GnuHashTable.Hash(bytes);
            sysv[i] = ElfHash(bytes);
        }

        return (gnu, sysv);
    }

    /// <summary>Defined and not local: a symbol .gnu.hash lists.</summary>
    private static bool IsHashed(Lof.ElfSymbol symbol) => symbol.Bind != Lof.ElfSymbolBind.Local && !symbol.SectionLink.IsEmpty;

    internal static List<Lof.ElfSymbol> LinkedSymbols(Lof.ElfSection section)
        => (section.Link.Section as Lof.ElfSymbolTable)?.Entries ?? throw new InvalidOperationException($"{section.Name.Value} must link to a symbol table");

    internal static Lof.ElfStringTable LinkedStrings(Lof.ElfSection section)
        => section.Link.Section as Lof.ElfStringTable ?? throw new InvalidOperationException($"{section.Name.Value} must link to a string table");

    /// <summary>.gnu.hash: header, bloom filter, buckets, chains (hash with the low bit marking a chain's end).</summary>
    internal static byte[] EncodeGnuHash(List<Lof.ElfSymbol> symbols, uint[] hashes, bool is64, bool little)
    {
        int n = symbols.Count;
        int symoffset = n;
        while (symoffset > 1 && IsHashed(symbols[symoffset - 1]))
        {
            symoffset--;
        }

        symoffset = Math.Max(symoffset, 1);
        int count = n - symoffset;
        uint buckets = BucketCount(count);
        int addr = is64 ? 8 : 4;

        // Bloom filter: a power of two of address-sized words, about 8 bits per symbol.
        int bloomBits = is64 ? 64 : 32;
        uint bloomWords = 1;
        while ((ulong)bloomWords * (ulong)bloomBits < (ulong)count * 8 && bloomWords < (1u << 24))
        {
            bloomWords <<= 1;
        }

        int bloomShift = Math.Min(BitLog2((uint)bloomBits) + BitLog2(bloomWords), 31);
        var data = new byte[16 + ((int)bloomWords * addr) + (4 * (int)buckets) + (4 * count)];
        var w = new Encoder(data, little, is64);
        w.U32(0, buckets);
        w.U32(4, (uint)symoffset);
        w.U32(8, bloomWords);
        w.U32(12, (uint)bloomShift);
        int bloom = 16, bucketTable = bloom + ((int)bloomWords * addr), chains = bucketTable + (4 * (int)buckets);
        for (int k = 0; k < count; k++)
        {
            uint h = hashes[symoffset + k];
            int word = bloom + ((int)((h / (uint)bloomBits) & (bloomWords - 1)) * addr);
            ulong bits = (1UL << (int)(h % (uint)bloomBits)) | (1UL << (int)((h >> bloomShift) % (uint)bloomBits));
            w.Addr(word, w.ReadAddr(word) | bits);
            uint bucket = h % buckets;
            int bucketAt = bucketTable + (4 * (int)bucket);
            if (w.ReadU32(bucketAt) == 0)
            {
                w.U32(bucketAt, (uint)(k + symoffset));
            }

            bool last = k + 1 == count || hashes[symoffset + k + 1] % buckets != bucket;
            w.U32(chains + (4 * k), last ? h | 1 : h & ~1u);
        }

        return data;
    }

    /// <summary>.hash: nbucket, nchain, buckets, chains; each chain lists its symbols in .dynsym order.</summary>
    internal static byte[] EncodeSysvHash(uint[] hashes, bool little)
    {
        int n = hashes.Length;
        uint buckets = BucketCount(n - 1);
        var data = new byte[4 * (2 + (int)buckets + n)];
        var w = new Encoder(data, little, is64: false);
        w.U32(0, buckets);
        w.U32(4, (uint)n);
        int sysvBuckets = 8, sysvChains = 8 + (4 * (int)buckets);
        for (int k = n - 1; k >= 1; k--)
        {
            uint b = hashes[k] % buckets;
            int bucketAt = sysvBuckets + (4 * (int)b);
            w.U32(sysvChains + (4 * k), w.ReadU32(bucketAt));
            w.U32(bucketAt, (uint)k);
        }

        return data;
    }

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

    internal static uint ElfHash(string name) => ElfHash(new NameBuffer().Utf8(name));

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

    /// <summary>A name's UTF-8 bytes in one reused buffer.</summary>
    private struct NameBuffer
    {
        private byte[]? _buffer;

        public ReadOnlySpan<byte> Utf8(string? name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return [];
            }

            int max = Encoding.UTF8.GetMaxByteCount(name.Length);
            if (_buffer is null || _buffer.Length < max)
            {
                _buffer = new byte[Math.Max(max, 256)];
            }

            int length = Encoding.UTF8.GetBytes(name, _buffer);
            return _buffer.AsSpan(0, length);
        }
    }

    /// <summary>Writes the class- and byte-order-dependent fields of the hand-encoded sections.</summary>
    internal readonly struct Encoder(byte[] data, bool little, bool is64)
    {
        public void U16(int at, ushort v)
        {
            if (little)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), v);
            }
        }

        public void U32(int at, uint v)
        {
            if (little)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at), v);
            }
        }

        public void Addr(int at, ulong v)
        {
            if (!is64)
            {
                U32(at, (uint)v);
            }
            else if (little)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(at), v);
            }
        }

        public uint ReadU32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));

        public ulong ReadAddr(int at) => is64
            ? (little ? BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(at)))
            : ReadU32(at);
    }
}
