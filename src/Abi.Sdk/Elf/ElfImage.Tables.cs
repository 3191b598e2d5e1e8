namespace Abi.Sdk.Elf;

/// <summary>The tables the loader reads through the dynamic section: relocations and the GNU hash table.</summary>
public sealed partial class ElfImage
{
    private ElfRelocationTable? _relocations;
    private GnuHashTable? _gnuHash;
    private int _gnuHashRead;

    /// <summary>
    /// The dynamic relocations the loader applies, found as it finds them through DT_RELA, DT_REL and DT_JMPREL with
    /// their sizes (the PLT relocations last; when DT_RELASZ or DT_RELSZ also covers them they are listed once, as
    /// ld.so trims them). Empty for a file without a dynamic section. Located on first use, decoded when read.
    /// </summary>
    /// <exception cref="ElfFormatException">A table lies outside the file or its entry size is smaller than Elf_Rel or Elf_Rela.</exception>
    public ElfRelocationTable DynamicRelocations => _relocations ?? Interlocked.CompareExchange(ref _relocations, ReadRelocations(), null) ?? _relocations!;

    /// <summary>
    /// DT_GNU_HASH, or <see langword="null"/> when the file has none or it is not one ld.so could search (no buckets,
    /// a bloom size that is not a power of two, or a table that does not fit in the file).
    /// </summary>
    public GnuHashTable? GnuHashTable
    {
        get
        {
            if (Volatile.Read(ref _gnuHashRead) == 0)
            {
                _gnuHash = GnuHashTable.TryRead(this);
                Volatile.Write(ref _gnuHashRead, 1);
            }

            return _gnuHash;
        }
    }

    private ElfRelocationTable ReadRelocations()
    {
        if (Dynamic is not { } dyn)
        {
            return new ElfRelocationTable(this, [], 0);
        }

        bool is64 = Endian.Is64;
        ulong relaSize = is64 ? 24UL : 12UL, relSize = is64 ? 16UL : 8UL;
        bool hasRela = dyn.TryGetValue(ElfDynamicTag.DT_RELA, out var rela);
        dyn.TryGetValue(ElfDynamicTag.DT_RELASZ, out var relasz);
        bool hasRel = dyn.TryGetValue(ElfDynamicTag.DT_REL, out var rel);
        dyn.TryGetValue(ElfDynamicTag.DT_RELSZ, out var relsz);
        bool hasJmp = dyn.TryGetValue(ElfDynamicTag.DT_JMPREL, out var jmprel);
        dyn.TryGetValue(ElfDynamicTag.DT_PLTRELSZ, out var pltrelsz);
        bool pltIsRela = dyn.TryGetValue(ElfDynamicTag.DT_PLTREL, out var pltrel) ? pltrel == (ulong)(long)ElfDynamicTag.DT_RELA : hasRela && !hasRel;
        // A missing or zero DT_RELAENT/DT_RELENT means the structure's own size.
        ulong relaent = dyn.TryGetValue(ElfDynamicTag.DT_RELAENT, out var v1) && v1 != 0 ? v1 : relaSize;
        ulong relent = dyn.TryGetValue(ElfDynamicTag.DT_RELENT, out var v2) && v2 != 0 ? v2 : relSize;

        // ld.so (elf_dynamic_do_Rel's caller) trims the PLT relocations off the end of DT_RELA/DT_REL when the
        // linker counted them in both.
        if (hasJmp && pltIsRela && hasRela && jmprel >= rela && rela + relasz == jmprel + pltrelsz)
        {
            relasz -= pltrelsz;
        }
        else if (hasJmp && !pltIsRela && hasRel && jmprel >= rel && rel + relsz == jmprel + pltrelsz)
        {
            relsz -= pltrelsz;
        }

        var parts = new List<ElfRelocationTable.Part>(3);
        int count = 0;
        if (hasRela)
        {
            Add(rela, relasz, relaent, relaSize, true, "DT_RELA");
        }

        if (hasRel)
        {
            Add(rel, relsz, relent, relSize, false, "DT_REL");
        }

        int pltStart = count;
        if (hasJmp)
        {
            Add(jmprel, pltrelsz, pltIsRela ? relaent : relent, pltIsRela ? relaSize : relSize, pltIsRela, "DT_JMPREL");
        }

        return new ElfRelocationTable(this, [.. parts], pltStart);

        void Add(ulong address, ulong size, ulong entrySize, ulong minimum, bool isRela, string what)
        {
            if (size == 0)
            {
                return;
            }

            if (entrySize < minimum || entrySize > int.MaxValue)
            {
                throw Error(_dynInfo?.Offset ?? 0, $"{what} entry size {entrySize} is smaller than the {minimum}-byte {(isRela ? "Elf_Rela" : "Elf_Rel")}");
            }

            var (offset, _) = MapTable(address, size, $"relocation table ({what})", _dynInfo?.Offset ?? 0);
            int n = (int)Math.Min(size / entrySize, int.MaxValue - (ulong)count);
            parts.Add(new ElfRelocationTable.Part(offset, (int)entrySize, isRela, count, n));
            count += n;
        }
    }
}
