using System.Collections.Immutable;

namespace Abi.Sdk.Dwarf;

/// <summary>One address range of code, <c>[Start, End)</c>.</summary>
/// <param name="Start">The first address.</param>
/// <param name="End">The address after the last one.</param>
public readonly record struct DwarfAddressRange(ulong Start, ulong End);

/// <summary>
/// The address ranges of a DIE: DW_AT_low_pc/DW_AT_high_pc, or DW_AT_ranges — a DWARF 5 range list in
/// <c>.debug_rnglists</c> (by offset, or DW_FORM_rnglistx through the offsets table at DW_AT_rnglists_base; a split
/// unit's in its <c>.debug_rnglists.dwo</c>), or a DWARF 2–4 list in <c>.debug_ranges</c> (a GNU split unit's in
/// its skeleton's file, from DW_AT_GNU_ranges_base). Addresses by index come from the skeleton's <c>.debug_addr</c>.
/// </summary>
internal static class DwarfRanges
{
    private const int MaxEntries = 1 << 20;

    public static ImmutableArray<DwarfAddressRange> Read(DwarfDie die)
    {
        ulong? low = null, high = null;
        bool highIsOffset = false;
        DwarfAttributeValue? ranges = null;
        foreach (var a in die.Attributes)
        {
            switch (a.Attribute)
            {
                case DwarfAttribute.LowPc when IsAddressForm(a.Form):
                    low = a.AsAddress();
                    break;
                case DwarfAttribute.HighPc when IsAddressForm(a.Form):
                    high = a.AsAddress();
                    break;
                case DwarfAttribute.HighPc when a.IsConstant:
                    // DWARF 4 and later: the size, from low_pc.
                    high = a.RawValue;
                    highIsOffset = true;
                    break;
                case DwarfAttribute.Ranges:
                    ranges = a;
                    break;
            }
        }

        if (ranges is { } r)
        {
            return ReadList(die.Unit, r);
        }

        if (low is { } l && high is { } h)
        {
            return [new DwarfAddressRange(l, highIsOffset ? l + h : h)];
        }

        return low is { } only ? [new DwarfAddressRange(only, only)] : [];
    }

    /// <summary>Where the code of a function starts: DW_AT_low_pc, else the first range of DW_AT_ranges (gcc lists a hot/cold-split function's entry part first).</summary>
    public static ulong? Entry(DwarfDie die)
    {
        var ranges = Read(die);
        return ranges.IsEmpty ? null : ranges[0].Start;
    }

    private static bool IsAddressForm(DwarfForm form)
        => form is DwarfForm.Addr or DwarfForm.Addrx or DwarfForm.Addrx1 or DwarfForm.Addrx2 or DwarfForm.Addrx3 or DwarfForm.Addrx4 or DwarfForm.GnuAddrIndex;

    private static ImmutableArray<DwarfAddressRange> ReadList(DwarfUnit unit, DwarfAttributeValue ranges)
    {
        ulong baseAddress = BaseAddress(unit);
        if (unit.Version >= 5 || ranges.Form == DwarfForm.Rnglistx)
        {
            var section = unit.File.Section(DwarfSectionKind.Rnglists);
            ulong offset = ranges.RawValue;
            if (ranges.Form == DwarfForm.Rnglistx)
            {
                // The offsets table starts at DW_AT_rnglists_base; a split unit without one uses its section's first table.
                ulong tableBase = RootAttribute(unit, DwarfAttribute.RnglistsBase) ?? (ulong)(unit.Is64BitFormat ? 20 : 12);
                int size = unit.Is64BitFormat ? 8 : 4;
                offset = tableBase + unit.File.ReadIndexed(DwarfSectionKind.Rnglists, tableBase, ranges.RawValue, size);
            }

            return ReadRangeList(unit, section, offset, baseAddress);
        }

        // DWARF 2-4 .debug_ranges; a GNU split unit's list is in its skeleton's file, past DW_AT_GNU_ranges_base.
        var owner = unit.Skeleton ?? unit;
        ulong at = ranges.RawValue + (unit.Skeleton is { } skeleton ? RootAttribute(skeleton, DwarfAttribute.GnuRangesBase) ?? 0 : 0);
        return ReadLegacyList(owner.File.Section(DwarfSectionKind.Ranges), at, unit.AddressSize, baseAddress);
    }

    private static ImmutableArray<DwarfAddressRange> ReadRangeList(DwarfUnit unit, DwarfSection section, ulong offset, ulong baseAddress)
    {
        if (offset >= (ulong)section.Length)
        {
            throw section.Error((long)Math.Min(offset, long.MaxValue), $"range list offset 0x{offset:x} is past the end of the section (0x{section.Length:x} bytes)");
        }

        var result = ImmutableArray.CreateBuilder<DwarfAddressRange>();
        var c = section.Cursor((long)offset);
        for (int n = 0; n < MaxEntries; n++)
        {
            int at = c.Position;
            byte kind = c.U8();
            switch (kind)
            {
                case 0: // DW_RLE_end_of_list
                    return result.ToImmutable();
                case 1: // DW_RLE_base_addressx
                    baseAddress = unit.ReadAddressIndex(c.Uleb());
                    break;
                case 2: // DW_RLE_startx_endx
                {
                    ulong start = unit.ReadAddressIndex(c.Uleb());
                    result.Add(new DwarfAddressRange(start, unit.ReadAddressIndex(c.Uleb())));
                    break;
                }

                case 3: // DW_RLE_startx_length
                {
                    ulong start = unit.ReadAddressIndex(c.Uleb());
                    result.Add(new DwarfAddressRange(start, start + c.Uleb()));
                    break;
                }

                case 4: // DW_RLE_offset_pair
                {
                    ulong start = c.Uleb();
                    result.Add(new DwarfAddressRange(baseAddress + start, baseAddress + c.Uleb()));
                    break;
                }

                case 5: // DW_RLE_base_address
                    baseAddress = c.Sized(unit.AddressSize);
                    break;
                case 6: // DW_RLE_start_end
                {
                    ulong start = c.Sized(unit.AddressSize);
                    result.Add(new DwarfAddressRange(start, c.Sized(unit.AddressSize)));
                    break;
                }

                case 7: // DW_RLE_start_length
                {
                    ulong start = c.Sized(unit.AddressSize);
                    result.Add(new DwarfAddressRange(start, start + c.Uleb()));
                    break;
                }

                default:
                    throw section.Error(at, $"unknown range list entry kind 0x{kind:x}");
            }
        }

        throw section.Error((long)offset, $"range list has more than {MaxEntries} entries");
    }

    private static ImmutableArray<DwarfAddressRange> ReadLegacyList(DwarfSection section, ulong offset, int addressSize, ulong baseAddress)
    {
        if (offset >= (ulong)section.Length)
        {
            throw section.Error((long)Math.Min(offset, long.MaxValue), $"range list offset 0x{offset:x} is past the end of the section (0x{section.Length:x} bytes)");
        }

        ulong selector = addressSize == 8 ? ulong.MaxValue : (1UL << (addressSize * 8)) - 1;
        var result = ImmutableArray.CreateBuilder<DwarfAddressRange>();
        var c = section.Cursor((long)offset);
        for (int n = 0; n < MaxEntries; n++)
        {
            ulong start = c.Sized(addressSize), end = c.Sized(addressSize);
            if (start == 0 && end == 0)
            {
                return result.ToImmutable();
            }

            if (start == selector)
            {
                baseAddress = end; // a base address selection entry
                continue;
            }

            result.Add(new DwarfAddressRange(baseAddress + start, baseAddress + end));
        }

        throw section.Error((long)offset, $"range list has more than {MaxEntries} entries");
    }

    /// <summary>The unit's base address for range lists: its unit DIE's DW_AT_low_pc (a split unit's skeleton's), else 0.</summary>
    private static ulong BaseAddress(DwarfUnit unit)
    {
        var root = (unit.Skeleton ?? unit).RootDie;
        return root.TryGetAttribute(DwarfAttribute.LowPc, out var low) && IsAddressForm(low.Form) ? low.AsAddress() : 0;
    }

    private static ulong? RootAttribute(DwarfUnit unit, DwarfAttribute attribute)
        => unit.RootDie.TryGetAttribute(attribute, out var v) ? v.RawValue : null;
}
