namespace Abi.Sdk.Dwarf;

/// <summary>
/// The location descriptions of a location list: DWARF 5 <c>.debug_loclists</c> (by <c>DW_FORM_loclistx</c> through
/// the unit's offsets table at DW_AT_loclists_base, or by <c>DW_FORM_sec_offset</c>; a split unit's in its file's
/// <c>.debug_loclists.dwo</c>, from the first header) and DWARF 2-4 <c>.debug_loc</c> (by section offset). Only the
/// expressions are returned, in list order; the address ranges they apply to are skipped by their encoding.
/// </summary>
internal static class DwarfLocationLists
{
    // DW_LLE_* entry kinds (DWARF 5, 7.7.3).
    private const byte EndOfList = 0x00;
    private const byte BaseAddressx = 0x01;
    private const byte StartxEndx = 0x02;
    private const byte StartxLength = 0x03;
    private const byte OffsetPair = 0x04;
    private const byte DefaultLocation = 0x05;
    private const byte BaseAddress = 0x06;
    private const byte StartEnd = 0x07;
    private const byte StartLength = 0x08;

    /// <summary>At most this many entries are read from one list: a list that does not end is malformed, not endless.</summary>
    private const int MaxEntries = 1 << 16;

    /// <summary>The expressions of the list <paramref name="value"/> (a DW_AT_location of form loclistx or sec_offset) designates.</summary>
    /// <exception cref="DwarfFormatException">The list, its offsets table or its section is malformed.</exception>
    public static List<ReadOnlyMemory<byte>> Expressions(DwarfAttributeValue value)
    {
        var unit = value.Unit;
        var file = unit.File;
        if (unit.Version < 5)
        {
            // DWARF 2 and 3 wrote the offset as data4/data8.
            return value.Form is DwarfForm.SecOffset or DwarfForm.Data4 or DwarfForm.Data8 ? ReadLoc(file.Section(DwarfSectionKind.Loc), value.RawValue, unit) : [];
        }

        var section = file.Section(DwarfSectionKind.Loclists);
        ulong offset;
        if (value.Form == DwarfForm.Loclistx)
        {
            // Without DW_AT_loclists_base (a split unit), the offsets table after the section's first header.
            ulong @base = (ulong)(unit.Is64BitFormat ? 20 : 12);
            foreach (var a in unit.RootDie.Attributes)
            {
                if (a.Attribute == DwarfAttribute.LoclistsBase)
                {
                    @base = a.RawValue;
                }
            }

            offset = @base + file.ReadIndexed(DwarfSectionKind.Loclists, @base, value.RawValue, unit.OffsetSize);
        }
        else if (value.Form == DwarfForm.SecOffset)
        {
            offset = value.RawValue;
        }
        else
        {
            return [];
        }

        if (offset >= (ulong)section.Length)
        {
            throw section.Error((long)Math.Min(offset, long.MaxValue), $"location list offset 0x{offset:x} is past the end of the section (0x{section.Length:x} bytes)");
        }

        var list = new List<ReadOnlyMemory<byte>>();
        var c = section.Cursor((long)offset);
        for (int n = 0; n < MaxEntries; n++)
        {
            byte kind = c.U8();
            switch (kind)
            {
                case EndOfList:
                    return list;
                case BaseAddressx:
                    c.Uleb();
                    continue;
                case StartxEndx:
                    c.Uleb();
                    c.Uleb();
                    break;
                case StartxLength:
                    c.Uleb();
                    c.Uleb();
                    break;
                case OffsetPair:
                    c.Uleb();
                    c.Uleb();
                    break;
                case DefaultLocation:
                    break;
                case BaseAddress:
                    c.Sized(unit.AddressSize);
                    continue;
                case StartEnd:
                    c.Sized(unit.AddressSize);
                    c.Sized(unit.AddressSize);
                    break;
                case StartLength:
                    c.Sized(unit.AddressSize);
                    c.Uleb();
                    break;
                default:
                    throw c.Error($"unknown location list entry kind 0x{kind:x2}");
            }

            ulong length = c.Uleb();
            int at = c.Position;
            c.Skip(length);
            list.Add(section.Data.Slice(at, (int)length));
        }

        throw c.Error($"location list at 0x{offset:x} has more than {MaxEntries} entries");
    }

    /// <summary>DWARF 2-4 <c>.debug_loc</c>: (begin, end, 2-byte length, expression) entries; (0, 0) ends; begin all ones selects a base.</summary>
    private static List<ReadOnlyMemory<byte>> ReadLoc(DwarfSection section, ulong offset, DwarfUnit unit)
    {
        if (offset >= (ulong)section.Length)
        {
            throw section.Error((long)Math.Min(offset, long.MaxValue), $"location list offset 0x{offset:x} is past the end of the section (0x{section.Length:x} bytes)");
        }

        ulong allOnes = unit.AddressSize == 4 ? uint.MaxValue : ulong.MaxValue;
        var list = new List<ReadOnlyMemory<byte>>();
        var c = section.Cursor((long)offset);
        for (int n = 0; n < MaxEntries; n++)
        {
            ulong begin = c.Sized(unit.AddressSize);
            ulong end = c.Sized(unit.AddressSize);
            if (begin == 0 && end == 0)
            {
                return list;
            }

            if (begin == allOnes)
            {
                continue;
            }

            int length = c.U16();
            int at = c.Position;
            c.Skip((ulong)length);
            list.Add(section.Data.Slice(at, length));
        }

        throw c.Error($"location list at 0x{offset:x} has more than {MaxEntries} entries");
    }
}
