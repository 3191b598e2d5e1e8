using System.Text;

namespace Abi.Sdk.Dwarf;

/// <summary>Where a reference attribute points.</summary>
public enum DwarfReferenceKind
{
    /// <summary>An offset in this file's <c>.debug_info</c> (DW_FORM_ref1…ref8, ref_udata, ref_addr).</summary>
    Info,
    /// <summary>An offset in this file's <c>.debug_types</c> (a unit-relative reference inside a DWARF 4 type unit).</summary>
    Types,
    /// <summary>An offset in the supplementary file's <c>.debug_info</c> (DW_FORM_GNU_ref_alt, DW_FORM_ref_sup4/8).</summary>
    Supplementary,
    /// <summary>A type unit's 8-byte signature (DW_FORM_ref_sig8).</summary>
    Signature,
}

/// <summary>A reference attribute's target, resolved to a section offset or a type signature.</summary>
/// <param name="Kind">Which section, or a signature.</param>
/// <param name="Value">The section offset, or the signature.</param>
public readonly record struct DwarfReference(DwarfReferenceKind Kind, ulong Value);

/// <summary>
/// One attribute of a DIE, as its form encodes it. The integer is decoded; strings, addresses through
/// <c>.debug_addr</c> and references are resolved when asked for.
/// </summary>
public readonly struct DwarfAttributeValue
{
    private readonly DwarfUnit? _unit;
    private readonly ulong _value;
    private readonly int _dataOffset;
    private readonly int _dataLength;

    internal DwarfAttributeValue(DwarfUnit unit, DwarfAttribute attribute, DwarfForm form, ulong value, int dataOffset, int dataLength)
    {
        _unit = unit;
        Attribute = attribute;
        Form = form;
        _value = value;
        _dataOffset = dataOffset;
        _dataLength = dataLength;
    }

    /// <summary>The attribute's name.</summary>
    public DwarfAttribute Attribute { get; }

    /// <summary>The form the value is encoded in (the form named in the data for DW_FORM_indirect).</summary>
    public DwarfForm Form { get; }

    /// <summary>The unit of the DIE the attribute belongs to.</summary>
    public DwarfUnit Unit => _unit ?? throw new InvalidOperationException("default DwarfAttributeValue");

    /// <summary>
    /// The integer as encoded: a constant (sign-extended to 64 bits for DW_FORM_sdata and DW_FORM_implicit_const),
    /// a flag (0 or 1), an address, a section offset, an index (strx, addrx, loclistx, rnglistx), a unit-relative
    /// reference, a signature, or a block's length.
    /// </summary>
    public ulong RawValue => _value;

    /// <summary>True for the forms that hold a string (inline, or an offset or index into a string section).</summary>
    public bool IsString => Form is DwarfForm.String or DwarfForm.Strp or DwarfForm.LineStrp or DwarfForm.StrpSup or DwarfForm.GnuStrpAlt
        or DwarfForm.Strx or DwarfForm.Strx1 or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4 or DwarfForm.GnuStrIndex;

    /// <summary>True for the forms that refer to a DIE.</summary>
    public bool IsReference => Form is DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata
        or DwarfForm.RefAddr or DwarfForm.RefSig8 or DwarfForm.RefSup4 or DwarfForm.RefSup8 or DwarfForm.GnuRefAlt;

    /// <summary>True for the constant forms (data1…data8, sdata, udata, implicit_const).</summary>
    public bool IsConstant => Form is DwarfForm.Data1 or DwarfForm.Data2 or DwarfForm.Data4 or DwarfForm.Data8 or DwarfForm.Sdata
        or DwarfForm.Udata or DwarfForm.ImplicitConst;

    /// <summary>True for the forms that hold bytes in place (block*, exprloc, data16).</summary>
    public bool IsBlock => Form is DwarfForm.Block or DwarfForm.Block1 or DwarfForm.Block2 or DwarfForm.Block4 or DwarfForm.Exprloc or DwarfForm.Data16;

    /// <summary>The value as a signed constant: DW_FORM_data1…data8 sign-extended from their width, sdata and implicit_const as decoded.</summary>
    public long AsSigned() => Form switch
    {
        DwarfForm.Data1 => (sbyte)_value,
        DwarfForm.Data2 => (short)_value,
        DwarfForm.Data4 => (int)_value,
        _ => (long)_value,
    };

    /// <summary>A flag's value (DW_FORM_flag, DW_FORM_flag_present).</summary>
    /// <returns>True when set.</returns>
    public bool AsFlag() => _value != 0;

    /// <summary>The bytes of a block, an expression (exprloc), an inline string or a DW_FORM_data16 constant, in place.</summary>
    /// <returns>The bytes; empty for other forms.</returns>
    public ReadOnlySpan<byte> AsBytes() => _dataLength == 0 ? default : Unit.Section.Span.Slice(_dataOffset, _dataLength);

    /// <summary>The string's bytes (UTF-8 as compilers write them), without the NUL, resolved through the string sections.</summary>
    /// <returns>The bytes, in place.</returns>
    /// <exception cref="InvalidOperationException">The form does not hold a string.</exception>
    /// <exception cref="DwarfFormatException">The offset or index points outside its section, or a supplementary file is needed and absent.</exception>
    public ReadOnlySpan<byte> AsStringBytes()
    {
        var unit = Unit;
        var file = unit.File;
        switch (Form)
        {
            case DwarfForm.String:
                return AsBytes();
            case DwarfForm.Strp:
                return file.ReadString(DwarfSectionKind.Str, _value);
            case DwarfForm.LineStrp:
                return file.ReadString(DwarfSectionKind.LineStr, _value);
            case DwarfForm.StrpSup or DwarfForm.GnuStrpAlt:
                return file.RequireSupplementary(Form).ReadString(DwarfSectionKind.Str, _value);
            case DwarfForm.Strx or DwarfForm.Strx1 or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4 or DwarfForm.GnuStrIndex:
                return file.ReadString(DwarfSectionKind.Str, file.ReadIndexed(DwarfSectionKind.StrOffsets, unit.StrOffsetsBase, _value, unit.OffsetSize));
            default:
                throw new InvalidOperationException($"{DwarfNames.GetName(Form) ?? Form.ToString()} does not hold a string");
        }
    }

    /// <summary>The string, decoded as UTF-8.</summary>
    /// <returns>The string.</returns>
    /// <exception cref="InvalidOperationException">The form does not hold a string.</exception>
    /// <exception cref="DwarfFormatException">The offset or index points outside its section, or a supplementary file is needed and absent.</exception>
    public string AsString() => Encoding.UTF8.GetString(AsStringBytes());

    /// <summary>
    /// An address: DW_FORM_addr as written, DW_FORM_addrx* and DW_FORM_GNU_addr_index through <c>.debug_addr</c> (for a
    /// split unit joined to its skeleton, the skeleton's; see <see cref="DwarfFile.GetSplitUnit"/>).
    /// </summary>
    /// <returns>The address.</returns>
    /// <exception cref="InvalidOperationException">The form does not hold an address.</exception>
    /// <exception cref="DwarfFormatException">The index points outside <c>.debug_addr</c>.</exception>
    public ulong AsAddress()
    {
        var unit = Unit;
        return Form switch
        {
            DwarfForm.Addr => _value,
            // A split unit's addresses are in its skeleton's .debug_addr, from the skeleton's DW_AT_addr_base.
            DwarfForm.Addrx or DwarfForm.Addrx1 or DwarfForm.Addrx2 or DwarfForm.Addrx3 or DwarfForm.Addrx4 or DwarfForm.GnuAddrIndex
                => unit.ReadAddressIndex(_value),
            _ => throw new InvalidOperationException($"{DwarfNames.GetName(Form) ?? Form.ToString()} does not hold an address"),
        };
    }

    /// <summary>Where a reference points: unit-relative forms are made section offsets.</summary>
    /// <returns>The target.</returns>
    /// <exception cref="InvalidOperationException">The form is not a reference.</exception>
    public DwarfReference AsReference()
    {
        var unit = Unit;
        return Form switch
        {
            DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata
                => new DwarfReference(unit.IsInTypesSection ? DwarfReferenceKind.Types : DwarfReferenceKind.Info, unit.Offset + _value),
            DwarfForm.RefAddr => new DwarfReference(DwarfReferenceKind.Info, _value),
            DwarfForm.RefSig8 => new DwarfReference(DwarfReferenceKind.Signature, _value),
            DwarfForm.RefSup4 or DwarfForm.RefSup8 or DwarfForm.GnuRefAlt => new DwarfReference(DwarfReferenceKind.Supplementary, _value),
            _ => throw new InvalidOperationException($"{DwarfNames.GetName(Form) ?? Form.ToString()} is not a reference"),
        };
    }

    /// <summary>The DIE a reference points at, in another unit, in <c>.debug_types</c>, in a type unit found by signature, or in the supplementary file.</summary>
    /// <returns>The DIE.</returns>
    /// <exception cref="InvalidOperationException">The form is not a reference.</exception>
    /// <exception cref="DwarfFormatException">The target is outside every unit, no type unit has the signature, or the supplementary file is absent.</exception>
    public DwarfDie ResolveReference()
    {
        var unit = Unit;
        if (Form is DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata
            && _value < unit.EndOffset - unit.Offset && unit.Offset + _value >= (ulong)unit.DiesOffset)
        {
            // Unit-relative and inside the unit (nearly every reference): no search for the unit.
            return DwarfDie.ReadAt(unit, (int)(unit.Offset + _value));
        }

        return unit.File.GetDie(AsReference(), Form);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{DwarfNames.GetName(Attribute) ?? $"0x{(ushort)Attribute:x}"} ({DwarfNames.GetName(Form) ?? $"0x{(ushort)Form:x}"}) 0x{_value:x}";
}

/// <summary>Decodes a DIE's attributes one by one, in abbreviation order. Use with <c>foreach</c>.</summary>
public struct DwarfAttributeEnumerator
{
    private readonly DwarfUnit? _unit;
    private readonly DwarfAttributeSpec[]? _specs;
    private int _index;
    private int _position;

    internal DwarfAttributeEnumerator(DwarfUnit unit, DwarfAttributeSpec[] specs, int position)
    {
        _unit = unit;
        _specs = specs;
        _position = position;
        _index = -1;
    }

    /// <summary>The attribute the enumerator is on.</summary>
    public DwarfAttributeValue Current { get; private set; }

    /// <summary>Returns the enumerator itself, for <c>foreach</c>.</summary>
    /// <returns>This enumerator.</returns>
    public readonly DwarfAttributeEnumerator GetEnumerator() => this;

    /// <summary>Decodes the next attribute.</summary>
    /// <returns>False after the last one.</returns>
    /// <exception cref="DwarfFormatException">The value is malformed or its form unknown.</exception>
    public bool MoveNext()
    {
        if (_specs is null || _unit is null || ++_index >= _specs.Length)
        {
            return false;
        }

        var spec = _specs[_index];
        var c = _unit.Section.Cursor(_position);
        var form = DwarfForms.Read(ref c, spec.Form, spec.ImplicitConstant, _unit, out ulong value, out int dataOffset, out int dataLength);
        _position = c.Position;
        Current = new DwarfAttributeValue(_unit, spec.Attribute, form, value, dataOffset, dataLength);
        return true;
    }
}
