namespace Abi.Sdk.Dwarf;

/// <summary>The encoding of each form: its size, and reading one value in place.</summary>
internal static class DwarfForms
{
    /// <summary>The size of a value of <paramref name="form"/> when it does not depend on the data; -1 otherwise (and for unknown forms).</summary>
    public static int FixedSize(DwarfForm form, int addressSize, int offsetSize, int version) => form switch
    {
        DwarfForm.Addr => addressSize,
        DwarfForm.Data1 or DwarfForm.Ref1 or DwarfForm.Flag or DwarfForm.Strx1 or DwarfForm.Addrx1 => 1,
        DwarfForm.Data2 or DwarfForm.Ref2 or DwarfForm.Strx2 or DwarfForm.Addrx2 => 2,
        DwarfForm.Strx3 or DwarfForm.Addrx3 => 3,
        DwarfForm.Data4 or DwarfForm.Ref4 or DwarfForm.RefSup4 or DwarfForm.Strx4 or DwarfForm.Addrx4 => 4,
        DwarfForm.Data8 or DwarfForm.Ref8 or DwarfForm.RefSig8 or DwarfForm.RefSup8 => 8,
        DwarfForm.Data16 => 16,
        DwarfForm.FlagPresent or DwarfForm.ImplicitConst => 0,
        DwarfForm.Strp or DwarfForm.LineStrp or DwarfForm.SecOffset or DwarfForm.StrpSup or DwarfForm.GnuRefAlt or DwarfForm.GnuStrpAlt => offsetSize,
        // DWARF 2 wrote DW_FORM_ref_addr in the size of an address; later versions in the size of an offset.
        DwarfForm.RefAddr => version <= 2 ? addressSize : offsetSize,
        _ => -1,
    };

    /// <summary>
    /// Reads one value of <paramref name="form"/> at the cursor: integers into <paramref name="value"/>, blocks,
    /// inline strings and data16 as a position and length in the section. Returns the form actually used (after
    /// DW_FORM_indirect).
    /// </summary>
    public static DwarfForm Read(ref DwarfCursor c, DwarfForm form, long implicitConst, DwarfUnit unit, out ulong value, out int dataOffset, out int dataLength)
    {
        dataOffset = 0;
        dataLength = 0;
        int start = c.Position;
        // DW_FORM_indirect names the form in the data; a chain of them is a loop over bytes, bounded by the section.
        while (form == DwarfForm.Indirect)
        {
            ulong f = c.Uleb();
            if (f > ushort.MaxValue)
            {
                throw c.Error(start, $"DW_FORM_indirect names form 0x{f:x}, which does not exist");
            }

            form = (DwarfForm)f;
            if (form == DwarfForm.ImplicitConst)
            {
                throw c.Error(start, "DW_FORM_indirect names DW_FORM_implicit_const, whose value can only live in an abbreviation");
            }
        }

        switch (form)
        {
            case DwarfForm.Addr:
                value = c.Sized(unit.AddressSize);
                break;
            case DwarfForm.Data1 or DwarfForm.Ref1 or DwarfForm.Flag or DwarfForm.Strx1 or DwarfForm.Addrx1:
                value = c.U8();
                break;
            case DwarfForm.Data2 or DwarfForm.Ref2 or DwarfForm.Strx2 or DwarfForm.Addrx2:
                value = c.U16();
                break;
            case DwarfForm.Strx3 or DwarfForm.Addrx3:
                value = c.U24();
                break;
            case DwarfForm.Data4 or DwarfForm.Ref4 or DwarfForm.RefSup4 or DwarfForm.Strx4 or DwarfForm.Addrx4:
                value = c.U32();
                break;
            case DwarfForm.Data8 or DwarfForm.Ref8 or DwarfForm.RefSig8 or DwarfForm.RefSup8:
                value = c.U64();
                break;
            case DwarfForm.Data16:
                dataOffset = c.Position;
                dataLength = 16;
                c.Skip(16);
                value = 0;
                break;
            case DwarfForm.Sdata:
                value = (ulong)c.Sleb();
                break;
            case DwarfForm.Udata or DwarfForm.RefUdata or DwarfForm.Strx or DwarfForm.Addrx or DwarfForm.Loclistx or DwarfForm.Rnglistx
                or DwarfForm.GnuAddrIndex or DwarfForm.GnuStrIndex:
                value = c.Uleb();
                break;
            case DwarfForm.FlagPresent:
                value = 1;
                break;
            case DwarfForm.ImplicitConst:
                value = (ulong)implicitConst;
                break;
            case DwarfForm.Strp or DwarfForm.LineStrp or DwarfForm.SecOffset or DwarfForm.StrpSup or DwarfForm.GnuRefAlt or DwarfForm.GnuStrpAlt:
                value = c.Sized(unit.OffsetSize);
                break;
            case DwarfForm.RefAddr:
                value = c.Sized(unit.Version <= 2 ? unit.AddressSize : unit.OffsetSize);
                break;
            case DwarfForm.String:
                (dataOffset, dataLength) = c.CString();
                value = 0;
                break;
            case DwarfForm.Block1:
                value = Block(ref c, c.U8(), out dataOffset, out dataLength);
                break;
            case DwarfForm.Block2:
                value = Block(ref c, c.U16(), out dataOffset, out dataLength);
                break;
            case DwarfForm.Block4:
                value = Block(ref c, c.U32(), out dataOffset, out dataLength);
                break;
            case DwarfForm.Block or DwarfForm.Exprloc:
                value = Block(ref c, c.Uleb(), out dataOffset, out dataLength);
                break;
            default:
                throw c.Error(start, $"unknown attribute form 0x{(ushort)form:x}");
        }

        return form;
    }

    /// <summary>Skips the attribute values of a DIE whose abbreviation has variable-size forms.</summary>
    public static void Skip(ref DwarfCursor c, DwarfAbbreviationShape abbreviation, DwarfUnit unit)
    {
        var specs = abbreviation.Specs;
        var sizes = abbreviation.Sizes;
        for (int i = 0; i < specs.Length; i++)
        {
            int size = sizes[i];
            if (size >= 0)
            {
                c.Skip((ulong)size);
                continue;
            }

            var form = specs[i].Form;
            switch (form)
            {
                case DwarfForm.Sdata or DwarfForm.Udata or DwarfForm.RefUdata or DwarfForm.Strx or DwarfForm.Addrx or DwarfForm.Loclistx
                    or DwarfForm.Rnglistx or DwarfForm.GnuAddrIndex or DwarfForm.GnuStrIndex:
                    c.SkipLeb();
                    break;
                case DwarfForm.Exprloc or DwarfForm.Block:
                    c.Skip(c.Uleb());
                    break;
                default:
                    Read(ref c, form, specs[i].ImplicitConstant, unit, out _, out _, out _);
                    break;
            }
        }
    }

    private static ulong Block(ref DwarfCursor c, ulong length, out int dataOffset, out int dataLength)
    {
        dataOffset = c.Position;
        c.Skip(length);
        dataLength = (int)length;
        return length;
    }
}
