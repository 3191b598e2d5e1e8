namespace Abi.Sdk.Dwarf;

/// <summary>
/// A unit of <c>.debug_info</c> (compile, partial, type, skeleton unit) or of DWARF 4's <c>.debug_types</c>: its
/// header, decoded when the file's units are listed; its DIEs are read on demand.
/// </summary>
public sealed class DwarfUnit
{
    private DwarfAbbreviationTable? _abbreviations;
    private ulong _strOffsetsBase;
    private ulong _addrBase;
    private bool _basesRead;

    internal DwarfUnit(DwarfFile file, DwarfSection section, bool inTypesSection, ulong offset, ulong endOffset, bool is64, ushort version,
        DwarfUnitType unitType, byte addressSize, ulong abbreviationOffset, ulong typeSignature, ulong typeOffset, ulong dwoId, int diesOffset)
    {
        File = file;
        Section = section;
        IsInTypesSection = inTypesSection;
        Offset = offset;
        EndOffset = endOffset;
        Is64BitFormat = is64;
        Version = version;
        UnitType = unitType;
        AddressSize = addressSize;
        AbbreviationOffset = abbreviationOffset;
        TypeSignature = typeSignature;
        TypeOffset = typeOffset;
        DwoId = dwoId;
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

    /// <summary>The unit type: from the DWARF 5 header; DW_UT_compile or, in <c>.debug_types</c>, DW_UT_type before it.</summary>
    public DwarfUnitType UnitType { get; }

    /// <summary>The size of a target address.</summary>
    public byte AddressSize { get; }

    /// <summary>The offset of the unit's abbreviation table in <c>.debug_abbrev</c>.</summary>
    public ulong AbbreviationOffset { get; }

    /// <summary>For a type unit, the 8-byte type signature DW_FORM_ref_sig8 refers to; otherwise 0.</summary>
    public ulong TypeSignature { get; }

    /// <summary>For a type unit, the offset of the type's DIE relative to the unit; otherwise 0.</summary>
    public ulong TypeOffset { get; }

    /// <summary>For a DWARF 5 skeleton or split compile unit, the DWO id; otherwise 0.</summary>
    public ulong DwoId { get; }

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

    internal DwarfAbbreviationTable Abbreviations
        => _abbreviations ??= File.GetAbbreviations(AbbreviationOffset, AddressSize, OffsetSize, Version);

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

    private void ReadBases()
    {
        if (_basesRead)
        {
            return;
        }

        ulong strBase = Version >= 5 ? (ulong)(Is64BitFormat ? 16 : 8) : 0;
        ulong addrBase = 0;
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
            }
        }

        _strOffsetsBase = strBase;
        _addrBase = addrBase;
        _basesRead = true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{(IsInTypesSection ? ".debug_types" : ".debug_info")} unit at 0x{Offset:x} (DWARF {Version}, {UnitType})";
}
