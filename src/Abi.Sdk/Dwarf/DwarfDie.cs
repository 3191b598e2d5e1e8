using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Abi.Sdk.Dwarf;

/// <summary>
/// A debugging information entry, read in place: its offset, tag and abbreviation; attributes are decoded when
/// enumerated, children when walked. A small value that stays valid while its <see cref="DwarfFile"/> is open.
/// </summary>
public readonly struct DwarfDie : IEquatable<DwarfDie>
{
    private readonly DwarfUnit? _unit;
    private readonly DwarfAbbreviationShape? _shape;
    private readonly int _offset;
    private readonly int _attributesOffset;

    internal DwarfDie(DwarfUnit unit, int offset, DwarfAbbreviationShape shape, int attributesOffset)
    {
        _unit = unit;
        _offset = offset;
        _shape = shape;
        _attributesOffset = attributesOffset;
    }

    /// <summary>The unit the DIE belongs to.</summary>
    public DwarfUnit Unit => _unit ?? throw new InvalidOperationException("default DwarfDie");

    /// <summary>The DIE's offset in its section (<c>.debug_info</c>, or <c>.debug_types</c> for a DWARF 4 type unit), as readelf prints it.</summary>
    public ulong Offset => (ulong)_offset;

    /// <summary>The DIE's tag.</summary>
    public DwarfTag Tag => Shape.Tag;

    /// <summary>The DIE's abbreviation (its code read again from the DIE's first bytes).</summary>
    public DwarfAbbreviation Abbreviation
    {
        get
        {
            var unit = Unit;
            var c = unit.Section.Cursor(_offset);
            return unit.Abbreviations.Entry(unit.File.Section(DwarfSectionKind.Abbrev), c.Uleb()) ?? throw new InvalidOperationException("the DIE's abbreviation code is no longer in its table");
        }
    }

    /// <summary>What the DIE's abbreviation says after its code: tag, children, attributes, value sizes.</summary>
    internal DwarfAbbreviationShape Shape => _shape ?? throw new InvalidOperationException("default DwarfDie");

    internal DwarfAbbreviationShape? ShapeOrNull => _shape;

    /// <summary>Where the DIE's attribute values start in its section.</summary>
    internal int AttributesOffset => _attributesOffset;

    /// <summary>True when children follow the DIE (DW_CHILDREN_yes; the list may still be empty).</summary>
    public bool HasChildren => Shape.HasChildren;

    /// <summary>The attributes, decoded in abbreviation order as they are enumerated.</summary>
    public DwarfAttributeEnumerator Attributes => new(Unit, Shape.Specs, _attributesOffset);

    /// <summary>The direct children, in order (null entries consumed).</summary>
    public DwarfDieReader Children
    {
        get
        {
            if (!HasChildren)
            {
                return new DwarfDieReader(Unit, 0, 0, children: true);
            }

            return new DwarfDieReader(Unit, AttributesEnd, (int)Unit.EndOffset, children: true);
        }
    }

    /// <summary>DW_AT_name as a string, or <see langword="null"/> when the DIE has none.</summary>
    /// <exception cref="DwarfFormatException">The attribute's value is malformed.</exception>
    public string? Name => TryGetAttribute(DwarfAttribute.Name, out var v) && v.IsString ? v.AsString() : null;

    /// <summary>
    /// The address ranges of the DIE's code, in the order written: DW_AT_low_pc/DW_AT_high_pc, or DW_AT_ranges
    /// (<c>.debug_rnglists</c> by offset or DW_FORM_rnglistx, <c>.debug_ranges</c> before DWARF 5; a split unit's
    /// addresses from its skeleton's <c>.debug_addr</c>). Empty when the DIE has no code.
    /// </summary>
    /// <returns>The ranges.</returns>
    /// <exception cref="DwarfFormatException">A range list is malformed or outside its section.</exception>
    public ImmutableArray<DwarfAddressRange> GetAddressRanges() => DwarfRanges.Read(this);

    /// <summary>The offset just past the DIE's attribute values: where its first child or next sibling starts.</summary>
    internal int AttributesEnd
    {
        get
        {
            var abbrev = Shape;
            var c = Unit.Section.Cursor(_attributesOffset);
            if (abbrev.FixedSize >= 0)
            {
                c.Skip((ulong)abbrev.FixedSize);
            }
            else
            {
                DwarfForms.Skip(ref c, abbrev, Unit);
            }

            if ((ulong)c.Position > Unit.EndOffset)
            {
                throw Unit.Section.Error(_offset, $"DIE's attributes run past the end of its unit (0x{Unit.EndOffset:x})");
            }

            return c.Position;
        }
    }

    /// <summary>Finds the first attribute named <paramref name="attribute"/>.</summary>
    /// <param name="attribute">The attribute.</param>
    /// <param name="value">Its value.</param>
    /// <returns>False when the DIE does not have it.</returns>
    /// <exception cref="DwarfFormatException">The attribute values are malformed.</exception>
    public bool TryGetAttribute(DwarfAttribute attribute, out DwarfAttributeValue value)
    {
        var specs = Shape.Specs;
        bool present = false;
        foreach (var s in specs)
        {
            if (s.Attribute == attribute)
            {
                present = true;
                break;
            }
        }

        if (present)
        {
            foreach (var a in Attributes)
            {
                if (a.Attribute == attribute)
                {
                    value = a;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>Reads the DIE at <paramref name="offset"/> of <paramref name="unit"/>'s section.</summary>
    internal static DwarfDie ReadAt(DwarfUnit unit, int offset)
    {
        if (offset < unit.DiesOffset || (ulong)offset >= unit.EndOffset)
        {
            throw unit.Section.Error(offset, $"DIE offset 0x{offset:x} is outside its unit (0x{unit.Offset:x}..0x{unit.EndOffset:x})");
        }

        var c = unit.Section.Cursor(offset);
        ulong code = c.Uleb();
        if (code == 0)
        {
            throw unit.Section.Error(offset, "a reference points at a null entry, not a DIE");
        }

        var abbrev = unit.Abbreviations.Get(code)
            ?? throw unit.Section.Error(offset, $"abbreviation code {code} is not in the unit's abbreviation table at 0x{unit.AbbreviationOffset:x}");
        return new DwarfDie(unit, offset, abbrev, c.Position);
    }

    /// <inheritdoc/>
    public bool Equals(DwarfDie other) => ReferenceEquals(_unit, other._unit) && _offset == other._offset;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DwarfDie d && Equals(d);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_unit, _offset);

    /// <summary>Compares by unit and offset.</summary>
    /// <param name="left">One DIE.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when both are the same entry.</returns>
    public static bool operator ==(DwarfDie left, DwarfDie right) => left.Equals(right);

    /// <summary>Compares by unit and offset.</summary>
    /// <param name="left">One DIE.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when they are different entries.</returns>
    public static bool operator !=(DwarfDie left, DwarfDie right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => _shape is null ? "<none>" : $"<0x{_offset:x}> {DwarfNames.GetName(Tag) ?? $"0x{(ushort)Tag:x}"}";
}

/// <summary>
/// Walks DIEs in file order without recursion: a unit's whole tree (<see cref="DwarfUnit.ReadDies"/>) or one DIE's
/// direct children (<see cref="DwarfDie.Children"/>). Use with <c>foreach</c>, or call <see cref="MoveNext"/> and read
/// <see cref="Current"/> and <see cref="Depth"/>.
/// </summary>
public struct DwarfDieReader
{
    private readonly DwarfUnit? _unit;
    private readonly int _end;
    private readonly bool _stopAtDepthZeroNull;
    private readonly int _onlyDepth;
    private int _position;
    private int _depth;
    private int _attributesEnd;
    private DwarfDie _current;

    // children: return only the DIEs one level down, stopping at the null entry that closes them.
    internal DwarfDieReader(DwarfUnit unit, int start, int end, bool children)
    {
        _unit = unit;
        _position = start;
        _end = end;
        _depth = children ? 1 : 0;
        _stopAtDepthZeroNull = children;
        _onlyDepth = children ? 1 : -1;
    }

    /// <summary>The DIE the reader is on.</summary>
    public readonly DwarfDie Current => _current;

    /// <summary>The nesting of <see cref="Current"/>: 0 for a unit DIE in a whole-unit walk, 1 for direct children.</summary>
    public int Depth { get; private set; }

    /// <summary>Returns the reader itself, for <c>foreach</c>.</summary>
    /// <returns>This reader.</returns>
    public readonly DwarfDieReader GetEnumerator() => this;

    /// <summary>
    /// In a whole-unit walk, moves past the children of <see cref="Current"/> without reading them, when its
    /// DW_AT_sibling (a reference within the unit) says where its next sibling starts; the next <see cref="MoveNext"/>
    /// returns that sibling. A file without the attribute (or with one that does not point forward within the unit)
    /// is walked DIE by DIE as before.
    /// </summary>
    /// <returns>True when the children were skipped.</returns>
    /// <exception cref="DwarfFormatException">The DIE's attributes are malformed.</exception>
    internal bool SkipChildren()
    {
        var unit = _unit;
        if (unit is null || _onlyDepth >= 0 || _current.ShapeOrNull is not { HasChildren: true } abbrev || !abbrev.HasSibling)
        {
            return false;
        }

        if (SiblingTarget(unit, abbrev, _current.AttributesOffset, _attributesEnd, _position, _end) is not { } target)
        {
            return false;
        }

        _position = target;
        _depth = Depth;
        return true;
    }

    /// <summary>
    /// Where a DIE's DW_AT_sibling (a reference within the unit) says its next sibling starts, when it points past the
    /// DIE's own attributes (<paramref name="childrenStart"/>) and before <paramref name="end"/>; null otherwise. The value is read in place when the abbreviation says where it is: counted from the first
    /// value when every value before it has a fixed size, or from the end of the values when it and every value after
    /// it have (gcc writes it last).
    /// </summary>
    private static int? SiblingTarget(DwarfUnit unit, DwarfAbbreviationShape abbrev, int attributesOffset, int attributesEnd, int childrenStart, int end)
    {
        ulong raw;
        var form = abbrev.SiblingForm;
        int fromEnd = abbrev.SiblingOffset >= 0 ? -1 : abbrev.SiblingFromEnd;
        int at = abbrev.SiblingOffset >= 0 ? attributesOffset + abbrev.SiblingOffset : attributesEnd - fromEnd;
        var section = unit.Section;
        if ((abbrev.SiblingOffset >= 0 || fromEnd >= 0) && form is DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8
            && (uint)at + (uint)(form == DwarfForm.Ref2 ? 2 : form == DwarfForm.Ref4 ? 4 : 8) <= (uint)section.Length)
        {
            // In place, without a cursor (whose references this method would otherwise clear on every call).
            raw = section.Unsigned(section.Span.Slice(at, form == DwarfForm.Ref2 ? 2 : form == DwarfForm.Ref4 ? 4 : 8));
        }
        else if (ReadSibling(unit, abbrev, attributesOffset, at, fromEnd) is { } value)
        {
            raw = value;
        }
        else
        {
            return null;
        }

        // Unit-relative; it must lie past the DIE's own attributes (where its children start) and within the unit.
        ulong target = unit.Offset + raw;
        if (raw >= unit.EndOffset - unit.Offset || target <= (ulong)childrenStart || target >= (ulong)end)
        {
            return null;
        }

        return (int)target;
    }

    /// <summary>The rest of <see cref="SiblingTarget"/>: a one-byte or LEB128 value in place, or the attributes decoded up to it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong? ReadSibling(DwarfUnit unit, DwarfAbbreviationShape abbrev, int attributesOffset, int at, int fromEnd)
    {
        var form = abbrev.SiblingForm;
        if ((abbrev.SiblingOffset >= 0 || fromEnd >= 0) && form is DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata)
        {
            var c = unit.Section.Cursor(at);
            return form switch
            {
                DwarfForm.Ref1 => c.U8(),
                DwarfForm.Ref2 => c.U16(),
                DwarfForm.Ref4 => c.U32(),
                DwarfForm.Ref8 => c.U64(),
                _ => c.Uleb(),
            };
        }

        var die = new DwarfDie(unit, 0, abbrev, attributesOffset);
        if (!die.TryGetAttribute(DwarfAttribute.Sibling, out var sibling)
            || sibling.Form is not (DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata))
        {
            return null;
        }

        return sibling.RawValue;
    }

    // The cursor's paths are kept out of MoveNext: a cursor holds references, and every local that does makes the
    // method clear its frame on each call (most calls need neither path).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong ReadCode(DwarfSection section, int offset, out int attributes)
    {
        var c = section.Cursor(offset);
        ulong code = c.Uleb();
        attributes = c.Position;
        return code;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SkipValues(DwarfSection section, int attributes, DwarfAbbreviationShape abbrev, DwarfUnit unit)
    {
        var c = section.Cursor(attributes);
        if (abbrev.FixedSize >= 0)
        {
            c.Skip((ulong)abbrev.FixedSize);
        }
        else
        {
            DwarfForms.Skip(ref c, abbrev, unit);
        }

        return c.Position;
    }

    private readonly bool AtEnd(DwarfSection section)
    {
        if (_stopAtDepthZeroNull && _depth > 0 && _end > 0)
        {
            throw section.Error(_position, "children run to the end of the unit without their closing null entry");
        }

        return false;
    }

    /// <summary>Moves to the next DIE.</summary>
    /// <returns>False at the end of the unit, or after the last child.</returns>
    /// <exception cref="DwarfFormatException">A DIE or abbreviation is malformed.</exception>
    public bool MoveNext()
    {
        var unit = _unit;
        if (unit is null)
        {
            return false;
        }

        var section = unit.Section;
        var table = unit.Abbreviations;
        if (_position >= _end)
        {
            return AtEnd(section);
        }

        // The bytes are taken once per call, not once per entry: most entries have a one-byte code and values of a
        // size the abbreviation fixes, and are stepped over without a cursor; anything else (and any error) goes
        // through the cursor as before, which reports it the same way.
        var data = section.Span;
        while (true)
        {
            if (_position >= _end)
            {
                return AtEnd(section);
            }

            int dieOffset = _position;
            ulong code;
            int attrs;
            if ((uint)dieOffset < (uint)data.Length && data[dieOffset] < 0x80)
            {
                code = data[dieOffset];
                attrs = dieOffset + 1;
            }
            else
            {
                code = ReadCode(section, dieOffset, out attrs);
            }

            if (code == 0)
            {
                _position = attrs;
                if (_depth > 0)
                {
                    _depth--;
                }

                if (_stopAtDepthZeroNull && _depth == 0)
                {
                    _position = _end;
                    return false;
                }

                continue;
            }

            var abbrev = table.Get(code)
                ?? throw section.Error(dieOffset, $"abbreviation code {code} is not in the unit's abbreviation table at 0x{unit.AbbreviationOffset:x}");
            int next;
            int fixedSize = abbrev.FixedSize;
            if (fixedSize >= 0 && (uint)attrs + (uint)fixedSize <= (uint)data.Length)
            {
                next = attrs + fixedSize;
            }
            else
            {
                next = SkipValues(section, attrs, abbrev, unit);
            }

            if (next > _end)
            {
                throw section.Error(dieOffset, $"DIE's attributes run past the end of its unit (0x{_end:x})");
            }

            _position = next;
            int depth = _depth;
            if (abbrev.HasChildren)
            {
                _depth++;
            }

            if (_onlyDepth >= 0 && depth != _onlyDepth)
            {
                continue;
            }

            Depth = depth;
            _attributesEnd = next;
            _current = new DwarfDie(unit, dieOffset, abbrev, attrs);
            if (_onlyDepth >= 0 && abbrev.HasChildren && abbrev.HasSibling && SiblingTarget(unit, abbrev, attrs, next, _position, _end) is { } sibling)
            {
                // Direct children only: jump over this child's own children to its sibling, as libdw's
                // dwarf_siblingof does (a function's locals and inlined calls are most of its subtree).
                _position = sibling;
                _depth = depth;
            }

            return true;
        }
    }
}
