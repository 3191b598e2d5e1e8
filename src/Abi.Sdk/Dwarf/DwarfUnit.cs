namespace Abi.Sdk.Dwarf;

/// <summary>
/// A unit of <c>.debug_info</c> (compile, partial, type, skeleton unit) or of DWARF 4's <c>.debug_types</c>: its
/// header, decoded when the file's units are listed; its DIEs are read on demand.
/// </summary>
public sealed class DwarfUnit
{
    private readonly DwarfUnitType _headerType;
    private readonly ulong _headerDwoId;
    private DwarfAbbreviationTable? _abbreviations;
    private ulong _strOffsetsBase;
    private ulong _addrBase;
    private ulong _gnuDwoId;
    private bool _hasGnuDwoId;
    private volatile bool _basesRead;
    private DwarfUnit? _skeleton;

    internal DwarfUnit(DwarfFile file, DwarfSection section, bool inTypesSection, ulong offset, ulong endOffset, bool is64, ushort version,
        DwarfUnitType unitType, byte addressSize, ulong abbreviationOffset, ulong typeSignature, ulong typeOffset, ulong dwoId, int diesOffset,
        DwarfPackageContribution contribution = default)
    {
        File = file;
        Section = section;
        IsInTypesSection = inTypesSection;
        Offset = offset;
        EndOffset = endOffset;
        Is64BitFormat = is64;
        Version = version;
        _headerType = unitType;
        Contribution = contribution;
        AddressSize = addressSize;
        AbbreviationOffset = abbreviationOffset;
        TypeSignature = typeSignature;
        TypeOffset = typeOffset;
        _headerDwoId = dwoId;
        DiesOffset = diesOffset;
    }

    /// <summary>The file the unit is in.</summary>
    public DwarfFile File { get; }

    /// <summary>True for a DWARF 4 type unit in <c>.debug_types</c>; offsets are then offsets in that section.</summary>
    public bool IsInTypesSection { get; }

    /// <summary>The offset of the unit header in its section.</summary>
    public ulong Offset { get; }

    /// <summary>The offset just past the unit in its section.</summary>
    public ulong EndOffset { get; }

    /// <summary>True for the 64-bit DWARF format (8-byte section offsets).</summary>
    public bool Is64BitFormat { get; }

    /// <summary>The size of a section offset in this unit: 4, or 8 in the 64-bit DWARF format.</summary>
    public int OffsetSize => Is64BitFormat ? 8 : 4;

    /// <summary>The DWARF version of the unit, 2 to 5.</summary>
    public ushort Version { get; }

    /// <summary>
    /// The unit type: from the DWARF 5 header; before DWARF 5, DW_UT_type in <c>.debug_types</c>, and for a compile unit
    /// with DW_AT_GNU_dwo_id (GNU split DWARF) DW_UT_split_compile in a <c>.dwo</c>/<c>.dwp</c> file and DW_UT_skeleton
    /// elsewhere, as libdw reports them; otherwise DW_UT_compile.
    /// </summary>
    /// <exception cref="DwarfFormatException">Before DWARF 5, the unit DIE (read to find DW_AT_GNU_dwo_id) is malformed.</exception>
    public DwarfUnitType UnitType
    {
        get
        {
            if (!IsPreStandardCompileUnit)
            {
                return _headerType;
            }

            ReadBases();
            return !_hasGnuDwoId ? _headerType : File.IsSplitObject ? DwarfUnitType.SplitCompile : DwarfUnitType.Skeleton;
        }
    }

    /// <summary>The size of a target address.</summary>
    public byte AddressSize { get; }

    /// <summary>The offset of the unit's abbreviation table in <c>.debug_abbrev</c>.</summary>
    public ulong AbbreviationOffset { get; }

    /// <summary>For a type unit, the 8-byte type signature DW_FORM_ref_sig8 refers to; otherwise 0.</summary>
    public ulong TypeSignature { get; }

    /// <summary>For a type unit, the offset of the type's DIE relative to the unit; otherwise 0.</summary>
    public ulong TypeOffset { get; }

    /// <summary>
    /// For a skeleton or split compile unit, the DWO id that pairs them: from the DWARF 5 header, or before DWARF 5
    /// from DW_AT_GNU_dwo_id; otherwise 0.
    /// </summary>
    /// <exception cref="DwarfFormatException">Before DWARF 5, the unit DIE is malformed.</exception>
    public ulong DwoId
    {
        get
        {
            if (!IsPreStandardCompileUnit)
            {
                return _headerDwoId;
            }

            ReadBases();
            return _gnuDwoId;
        }
    }

    /// <summary>
    /// For a split unit joined to its skeleton (<see cref="DwarfFile.GetSplitUnit"/>), the skeleton unit: its
    /// <c>.debug_addr</c> and DW_AT_addr_base resolve this unit's <c>addrx</c> and <c>GNU_addr_index</c> values.
    /// <see langword="null"/> for every other unit, and for a <c>.dwo</c> opened on its own.
    /// </summary>
    public DwarfUnit? Skeleton => Volatile.Read(ref _skeleton);

    /// <summary>The unit's first DIE: DW_TAG_compile_unit, DW_TAG_partial_unit, DW_TAG_type_unit…</summary>
    /// <exception cref="DwarfFormatException">The DIE or the abbreviation table is malformed.</exception>
    public DwarfDie RootDie => DwarfDie.ReadAt(this, DiesOffset);

    /// <summary>For a type unit, the DIE of the type it defines.</summary>
    /// <exception cref="DwarfFormatException">The type offset lies outside the unit, or the DIE is malformed.</exception>
    public DwarfDie TypeDie
    {
        get
        {
            ulong at = Offset + TypeOffset;
            if (TypeOffset == 0 || at < (ulong)DiesOffset || at >= EndOffset)
            {
                throw Section.Error((long)Offset, $"type unit's type offset 0x{TypeOffset:x} lies outside the unit");
            }

            return DwarfDie.ReadAt(this, (int)at);
        }
    }

    /// <summary>
    /// Walks every DIE of the unit in file order, depth first, without recursion: <see cref="DwarfDieReader.Depth"/>
    /// gives each DIE's nesting (0 for the unit DIE). Null entries are consumed, not returned.
    /// </summary>
    /// <returns>A reader positioned before the first DIE.</returns>
    public DwarfDieReader ReadDies() => new(this, DiesOffset, (int)EndOffset, children: false);

    internal DwarfSection Section { get; }

    internal int DiesOffset { get; }

    /// <summary>In a DWARF package (<c>.dwp</c>), the unit's contributions to the other sections; empty elsewhere.</summary>
    internal DwarfPackageContribution Contribution { get; }

    /// <summary>True when the unit type is decided by the unit DIE (GNU split DWARF before version 5), not the header.</summary>
    internal bool IsPreStandardCompileUnit => Version < 5 && !IsInTypesSection;

    /// <summary>True for a type unit by its header (DWARF 5 DW_UT_type/split_type, or a unit of <c>.debug_types</c>).</summary>
    internal bool IsTypeUnitByHeader => _headerType is DwarfUnitType.Type or DwarfUnitType.SplitType;

    internal DwarfAbbreviationTable Abbreviations
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => _abbreviations ?? LoadAbbreviations();
    }

    private DwarfAbbreviationTable LoadAbbreviations()
        => _abbreviations = File.GetAbbreviations(AbbreviationOffset + Contribution.AbbrevOffset, AddressSize, OffsetSize, Version);

    /// <summary>Drops the cached abbreviation table (its file is disposed).</summary>
    internal void ReleaseAbbreviations() => _abbreviations = null;

    /// <summary>DW_AT_str_offsets_base of the unit DIE; for DWARF 5 without it, the first contribution's base as libdw assumes.</summary>
    internal ulong StrOffsetsBase
    {
        get
        {
            ReadBases();
            return _strOffsetsBase;
        }
    }

    internal ulong AddrBase
    {
        get
        {
            ReadBases();
            return _addrBase;
        }
    }

    /// <summary>
    /// Entry <paramref name="index"/> of <c>.debug_addr</c> (DW_FORM_addrx, DW_OP_addrx, DW_OP_constx and their GNU
    /// forms): a split unit's come from its skeleton's file, from the skeleton's DW_AT_addr_base.
    /// </summary>
    internal ulong ReadAddressIndex(ulong index)
        => Skeleton is { } skeleton
            ? skeleton.File.ReadIndexed(DwarfSectionKind.Addr, skeleton.AddrBase, index, AddressSize)
            : File.ReadIndexed(DwarfSectionKind.Addr, AddrBase, index, AddressSize);

    /// <summary>A skeleton unit's <c>DW_AT_dwo_name</c> (or GNU's) and <c>DW_AT_comp_dir</c>: where its split unit was written.</summary>
    internal (string? DwoName, string? CompDir) ReadSplitUnitName()
    {
        string? dwoName = null, compDir = null;
        foreach (var a in RootDie.Attributes)
        {
            if (a.Attribute is DwarfAttribute.DwoName or DwarfAttribute.GnuDwoName && a.IsString)
            {
                dwoName = a.AsString();
            }
            else if (a.Attribute == DwarfAttribute.CompDir && a.IsString)
            {
                compDir = a.AsString();
            }
        }

        return (dwoName, compDir);
    }

    /// <summary>Joins a split unit to its skeleton; the first join wins.</summary>
    internal void JoinSkeleton(DwarfUnit skeleton) => Interlocked.CompareExchange(ref _skeleton, skeleton, null);

    private void ReadBases()
    {
        if (_basesRead)
        {
            return;
        }

        ulong strBase = Version >= 5 ? (ulong)(Is64BitFormat ? 16 : 8) : 0;
        ulong addrBase = 0, gnuDwoId = 0;
        bool hasGnuDwoId = false;
        foreach (var a in RootDie.Attributes)
        {
            switch (a.Attribute)
            {
                case DwarfAttribute.StrOffsetsBase:
                    strBase = a.RawValue;
                    break;
                case DwarfAttribute.AddrBase or DwarfAttribute.GnuAddrBase:
                    addrBase = a.RawValue;
                    break;
                case DwarfAttribute.GnuDwoId:
                    gnuDwoId = a.RawValue;
                    hasGnuDwoId = true;
                    break;
            }
        }

        // In a package, a unit's string offsets start at its contribution to .debug_str_offsets.dwo.
        _strOffsetsBase = strBase + Contribution.StrOffsetsOffset;
        _addrBase = addrBase;
        _gnuDwoId = gnuDwoId;
        _hasGnuDwoId = hasGnuDwoId;
        _basesRead = true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{(IsInTypesSection ? ".debug_types" : ".debug_info")} unit at 0x{Offset:x} (DWARF {Version}, {_headerType})";
}
