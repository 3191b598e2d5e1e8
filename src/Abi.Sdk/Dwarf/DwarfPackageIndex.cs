namespace Abi.Sdk.Dwarf;

/// <summary>A unit's contributions, in a DWARF package, to the sections its header and attributes index relative to.</summary>
/// <param name="AbbrevOffset">Where its abbreviations start in <c>.debug_abbrev.dwo</c>.</param>
/// <param name="StrOffsetsOffset">Where its string offsets start in <c>.debug_str_offsets.dwo</c>.</param>
/// <param name="UnitSize">The size of its contribution to <c>.debug_info.dwo</c> (or <c>.debug_types.dwo</c>): the unit; 0 outside a package.</param>
/// <param name="LineOffset">Where its line table (the file names its DW_AT_decl_file values index) starts in <c>.debug_line.dwo</c>; null outside a package or when the index has no DW_SECT_LINE column.</param>
internal readonly record struct DwarfPackageContribution(ulong AbbrevOffset, ulong StrOffsetsOffset, ulong UnitSize, ulong? LineOffset = null);

/// <summary>
/// The unit index of a DWARF package (<c>.dwp</c>): <c>.debug_cu_index</c> and <c>.debug_tu_index</c>, in DWARF 5's
/// format (version 5) or the GNU format DWARF 4 packages use (version 2). Each row is one unit: its id (DWO id or
/// type signature) and, per column, its contribution's offset and size in one section. The rows are keyed here by
/// where the unit starts in <c>.debug_info.dwo</c> (or <c>.debug_types.dwo</c>), so a unit read in file order finds
/// its contributions, and by id.
/// </summary>
internal sealed class DwarfPackageIndex
{
    // Section identifiers of the column headers; INFO, ABBREV, LINE and STR_OFFSETS are the same in both versions,
    // TYPES exists only in version 2.
    private const uint DW_SECT_INFO = 1;
    private const uint DW_SECT_TYPES = 2;
    private const uint DW_SECT_ABBREV = 3;
    private const uint DW_SECT_LINE = 4;
    private const uint DW_SECT_STR_OFFSETS = 6;

    private readonly Dictionary<ulong, DwarfPackageContribution> _byInfoOffset = [];
    private readonly Dictionary<ulong, DwarfPackageContribution> _byTypesOffset = [];
    private readonly Dictionary<ulong, ulong> _compileUnitById = [];

    private DwarfPackageIndex()
    {
    }

    /// <summary>The index's version: 5, or 2 for the GNU format.</summary>
    public int Version { get; private set; }

    /// <summary>Units the compile-unit index lists.</summary>
    public int CompileUnitCount => _compileUnitById.Count;

    /// <summary>Reads the two indexes; <see langword="null"/> when the file has neither (it is no package).</summary>
    public static DwarfPackageIndex? Read(DwarfSection cuIndex, DwarfSection tuIndex)
    {
        if (cuIndex.Length == 0 && tuIndex.Length == 0)
        {
            return null;
        }

        var index = new DwarfPackageIndex();
        index.ReadOne(cuIndex, compileUnits: true);
        index.ReadOne(tuIndex, compileUnits: false);
        return index;
    }

    /// <summary>The contributions of the unit that starts at <paramref name="offset"/>; empty when the index does not list it.</summary>
    public DwarfPackageContribution Find(ulong offset, bool typesSection)
        => (typesSection ? _byTypesOffset : _byInfoOffset).GetValueOrDefault(offset);

    /// <summary>Where the compile unit with DWO id <paramref name="dwoId"/> starts in <c>.debug_info.dwo</c>.</summary>
    public bool TryGetCompileUnit(ulong dwoId, out ulong infoOffset) => _compileUnitById.TryGetValue(dwoId, out infoOffset);

    private void ReadOne(DwarfSection section, bool compileUnits)
    {
        if (section.Length == 0)
        {
            return;
        }

        var c = section.Cursor(0);
        // Version 2 is a 4-byte field; version 5 is 2 bytes and 2 of padding. Read as 4 bytes, little-endian 5
        // (05 00 00 00) and big-endian 5 (00 05 00 00) differ, so take the first two bytes when it is not 2.
        uint word = c.U32();
        int version = word == 2 ? 2 : (int)(section.BigEndian ? word >> 16 : word & 0xffff);
        if (version is not (2 or 5))
        {
            throw section.Error(0, $"unit index version {version}; versions 2 (GNU) and 5 are read");
        }

        if (Version != 0 && Version != version)
        {
            throw section.Error(0, $"unit index version {version}, but the other index of the package has version {Version}");
        }

        Version = version;
        uint columns = c.U32();
        uint units = c.U32();
        uint slots = c.U32();
        // The header (16 bytes), the hash table (8 + 4 bytes a slot), the column headers and two tables of 4 bytes per
        // unit and column must fit the section.
        ulong need = 16 + (12UL * slots) + (4UL * columns) + (8UL * units * columns);
        if (units == 0)
        {
            // dwp writes an empty type-unit index as a bare header.
            return;
        }

        if (columns == 0 || columns > 64 || units > slots || need > (ulong)section.Length)
        {
            throw section.Error(0, $"unit index of {columns} columns, {units} units and {slots} slots does not fit the section (0x{section.Length:x} bytes)");
        }

        int hashAt = 16;
        int rowsAt = hashAt + (int)(8 * slots);
        int columnsAt = rowsAt + (int)(4 * slots);
        int offsetsAt = columnsAt + (int)(4 * columns);
        int sizesAt = offsetsAt + (int)(4 * units * columns);
        var sectionIds = new uint[columns];
        c.Position = columnsAt;
        for (int i = 0; i < columns; i++)
        {
            sectionIds[i] = c.U32();
        }

        int infoColumn = Array.IndexOf(sectionIds, compileUnits || version == 5 ? DW_SECT_INFO : DW_SECT_TYPES);
        if (infoColumn < 0)
        {
            throw section.Error(columnsAt, $"unit index has no {(compileUnits || version == 5 ? "DW_SECT_INFO" : "DW_SECT_TYPES")} column");
        }

        int abbrevColumn = Array.IndexOf(sectionIds, DW_SECT_ABBREV);
        int strOffsetsColumn = Array.IndexOf(sectionIds, DW_SECT_STR_OFFSETS);
        int lineColumn = Array.IndexOf(sectionIds, DW_SECT_LINE);
        for (int slot = 0; slot < slots; slot++)
        {
            c.Position = hashAt + (8 * slot);
            ulong id = c.U64();
            c.Position = rowsAt + (4 * slot);
            uint row = c.U32();
            if (row == 0)
            {
                continue;
            }

            if (row > units)
            {
                throw section.Error(c.Position - 4, $"slot {slot} names row {row}; the index has {units} units");
            }

            ulong start = Cell(section, offsetsAt, row, columns, infoColumn);
            var contribution = new DwarfPackageContribution(
                Cell(section, offsetsAt, row, columns, abbrevColumn), Cell(section, offsetsAt, row, columns, strOffsetsColumn), Cell(section, sizesAt, row, columns, infoColumn),
                lineColumn < 0 ? null : Cell(section, offsetsAt, row, columns, lineColumn));
            // Version 2 keeps type units in .debug_types.dwo; version 5 in .debug_info.dwo with the compile units.
            bool typesSection = !compileUnits && version == 2;
            (typesSection ? _byTypesOffset : _byInfoOffset).TryAdd(start, contribution);
            if (compileUnits)
            {
                _compileUnitById.TryAdd(id, start);
            }
        }
    }

    /// <summary>One cell of the offsets or sizes table (row is 1-based); 0 for a column the index does not have.</summary>
    private static ulong Cell(DwarfSection section, int table, uint row, uint columns, int column)
    {
        if (column < 0)
        {
            return 0;
        }

        var c = section.Cursor(table + (int)((4 * (row - 1) * columns) + (4 * (uint)column)));
        return c.U32();
    }
}
