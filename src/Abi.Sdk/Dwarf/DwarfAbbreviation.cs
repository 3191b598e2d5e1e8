using System.Collections.Immutable;

namespace Abi.Sdk.Dwarf;

/// <summary>One attribute of an abbreviation: its name, its form, and for DW_FORM_implicit_const the value stored in the abbreviation.</summary>
/// <param name="Attribute">DW_AT_*.</param>
/// <param name="Form">DW_FORM_*.</param>
/// <param name="ImplicitConstant">The value of a DW_FORM_implicit_const attribute; 0 for other forms.</param>
public readonly record struct DwarfAttributeSpec(DwarfAttribute Attribute, DwarfForm Form, long ImplicitConstant);

/// <summary>An entry of <c>.debug_abbrev</c>: the shape shared by the DIEs that name its code.</summary>
public sealed class DwarfAbbreviation
{
    // Packed: a libc debug file holds 67 000 of these, alive for a whole type-graph build (40 bytes each, not 56).
    private readonly uint _offset;
    private readonly short _fixedSize;
    private readonly sbyte _siblingOffset;
    private readonly byte _flags; // 1: has children, 2: has DW_AT_sibling

    internal DwarfAbbreviation(ulong offset, uint code, DwarfTag tag, bool hasChildren, DwarfAttributeSpec[] specs, int fixedSize, int siblingOffset = -1)
    {
        // Offsets in a section are below 2^31 (sections are read as spans); a fixed size or sibling position too
        // large for its field is stored as "not known", which makes readers decode the values one by one instead.
        _offset = (uint)offset;
        Code = code;
        Tag = tag;
        _flags = (byte)(hasChildren ? 1 : 0);
        Specs = specs;
        _fixedSize = fixedSize is >= 0 and <= short.MaxValue ? (short)fixedSize : (short)-1;
        _siblingOffset = siblingOffset is >= 0 and <= sbyte.MaxValue ? (sbyte)siblingOffset : (sbyte)-1;
        foreach (var spec in specs)
        {
            if (spec.Attribute == DwarfAttribute.Sibling)
            {
                _flags |= 2;
                SiblingForm = spec.Form;
                break;
            }
        }
    }

    /// <summary>The entry's offset in <c>.debug_abbrev</c>.</summary>
    public ulong Offset => _offset;

    /// <summary>The abbreviation code DIEs refer to.</summary>
    public uint Code { get; }

    /// <summary>The tag of the DIEs using it.</summary>
    public DwarfTag Tag { get; }

    /// <summary>DW_CHILDREN_yes: the DIEs are followed by children, ended by a null entry.</summary>
    public bool HasChildren => (_flags & 1) != 0;

    /// <summary>The attributes, in the order their values follow the abbreviation code.</summary>
    public ImmutableArray<DwarfAttributeSpec> Attributes => ImmutableArray.Create(Specs);

    internal DwarfAttributeSpec[] Specs { get; }

    /// <summary>The byte size of all attribute values when every form has a fixed size in this unit format; -1 otherwise.</summary>
    internal int FixedSize => _fixedSize;

    /// <summary>True when the DIEs carry DW_AT_sibling: a walk may jump over their children.</summary>
    internal bool HasSibling => (_flags & 2) != 0;

    /// <summary>
    /// Where the value of the first DW_AT_sibling starts, counted from the DIE's first attribute value, when every
    /// value before it has a fixed size (gcc writes it first); -1 otherwise. Lets a walk read it without decoding.
    /// </summary>
    internal int SiblingOffset => _siblingOffset;

    /// <summary>The form of the first DW_AT_sibling (0 without one).</summary>
    internal DwarfForm SiblingForm { get; }
}

/// <summary>The abbreviations of one table in <c>.debug_abbrev</c>, for one unit format (address and offset size).</summary>
internal sealed class DwarfAbbreviationTable
{
    private const int MaxDenseCode = 1 << 16;
    private readonly DwarfAbbreviation?[] _dense;
    private readonly Dictionary<uint, DwarfAbbreviation>? _sparse;

    private DwarfAbbreviationTable(DwarfAbbreviation?[] dense, Dictionary<uint, DwarfAbbreviation>? sparse)
    {
        _dense = dense;
        _sparse = sparse;
    }

    public DwarfAbbreviation? Get(ulong code)
    {
        if (code < (ulong)_dense.Length)
        {
            return _dense[code];
        }

        return _sparse is not null && code <= uint.MaxValue && _sparse.TryGetValue((uint)code, out var a) ? a : null;
    }

    /// <summary>Reads the table at <paramref name="offset"/>, up to its terminating 0 code.</summary>
    /// <param name="abbrev">The section.</param>
    /// <param name="offset">The table's offset.</param>
    /// <param name="addressSize">The unit's address size.</param>
    /// <param name="offsetSize">The unit's offset size.</param>
    /// <param name="version">The unit's DWARF version.</param>
    /// <param name="shapes">Attribute lists already read from the same section, shared instead of copied; or <see langword="null"/>.</param>
    public static DwarfAbbreviationTable Read(DwarfSection abbrev, ulong offset, int addressSize, int offsetSize, int version, DwarfAbbreviationShapes? shapes = null)
    {
        if (shapes is null)
        {
            return ReadTable(abbrev, offset, addressSize, offsetSize, version, null);
        }

        lock (shapes)
        {
            return ReadTable(abbrev, offset, addressSize, offsetSize, version, shapes);
        }
    }

    private static DwarfAbbreviationTable ReadTable(DwarfSection abbrev, ulong offset, int addressSize, int offsetSize, int version, DwarfAbbreviationShapes? shapes)
    {
        if (offset > (ulong)abbrev.Length)
        {
            throw abbrev.Error((long)Math.Min(offset, long.MaxValue), $"abbreviation table offset 0x{offset:x} is past the end of the section (0x{abbrev.Length:x} bytes)");
        }

        var c = abbrev.Cursor((long)offset);
        // Codes are small and dense in practice (1, 2, 3…): the lookup array grows as they come.
        var dense = shapes?.TakeScratch() ?? new DwarfAbbreviation?[64];
        Dictionary<uint, DwarfAbbreviation>? sparse = null;
        uint maxDense = 0;
        var specs = new List<DwarfAttributeSpec>();
        while (true)
        {
            int entryOffset = c.Position;
            if (c.AtEnd)
            {
                // readelf and libdw accept a table that runs to the end of the section without its 0 code.
                break;
            }

            ulong code = c.Uleb();
            if (code == 0)
            {
                break;
            }

            if (code > uint.MaxValue)
            {
                throw c.Error(entryOffset, $"abbreviation code 0x{code:x} is too large");
            }

            ulong tag = c.Uleb();
            if (tag > ushort.MaxValue)
            {
                throw c.Error(entryOffset, $"abbreviation {code} has tag 0x{tag:x}, beyond the 16-bit range");
            }

            byte children = c.U8();
            int specsStart = c.Position;
            specs.Clear();
            int fixedSize = 0;
            int siblingOffset = -1;
            bool siblingSeen = false;
            while (true)
            {
                int specOffset = c.Position;
                ulong name = c.Uleb();
                ulong form = c.Uleb();
                if (name == 0 && form == 0)
                {
                    break;
                }

                if (name > ushort.MaxValue || form > ushort.MaxValue)
                {
                    throw c.Error(specOffset, $"abbreviation {code} has attribute 0x{name:x} with form 0x{form:x}, beyond the 16-bit range");
                }

                long implicitConst = (DwarfForm)form == DwarfForm.ImplicitConst ? c.Sleb() : 0;
                specs.Add(new DwarfAttributeSpec((DwarfAttribute)name, (DwarfForm)form, implicitConst));
                if (!siblingSeen && (DwarfAttribute)name == DwarfAttribute.Sibling)
                {
                    siblingSeen = true;
                    siblingOffset = fixedSize; // -1 when a value before it has a variable size
                }

                int size = DwarfForms.FixedSize((DwarfForm)form, addressSize, offsetSize, version);
                fixedSize = size < 0 || fixedSize < 0 ? -1 : fixedSize + size;
            }

            // The first definition of a code wins, as in libdw.
            bool first;
            if (code <= MaxDenseCode)
            {
                if (code >= (ulong)dense.Length)
                {
                    Array.Resize(ref dense, (int)Math.Min(Math.Max((ulong)dense.Length * 2, code + 1), MaxDenseCode + 1));
                }

                first = dense[code] is null;
            }
            else
            {
                first = sparse is null || !sparse.ContainsKey((uint)code);
            }

            if (first)
            {
                // Units of one producer repeat the same attribute lists thousands of times (libc: 133 678
                // abbreviations, a few thousand distinct lists): one array per distinct list.
                var array = shapes is null ? [.. specs] : shapes.Share(abbrev.Data.Span[specsStart..c.Position], specs, addressSize | offsetSize << 8 | version << 16);
                var a = new DwarfAbbreviation((ulong)entryOffset, (uint)code, (DwarfTag)tag, children != 0, array, fixedSize, siblingOffset);
                if (code <= MaxDenseCode)
                {
                    dense[code] = a;
                    maxDense = Math.Max(maxDense, (uint)code);
                }
                else
                {
                    (sparse ??= [])[(uint)code] = a;
                }
            }
        }

        if ((uint)dense.Length > maxDense + 1 || shapes is not null)
        {
            var exact = dense.AsSpan(0, (int)maxDense + 1).ToArray();
            shapes?.ReturnScratch(dense, (int)maxDense + 1);
            dense = exact;
        }

        return new DwarfAbbreviationTable(dense, sparse);
    }
}

/// <summary>
/// The distinct attribute lists of one <c>.debug_abbrev</c> section, keyed by their encoded bytes (attribute, form and
/// implicit constant pairs) and the unit format they were read for. Callers hold its lock while reading a table.
/// </summary>
internal sealed class DwarfAbbreviationShapes
{
    private readonly Dictionary<(ulong Hash, int Format), List<(byte[] Encoded, DwarfAttributeSpec[] Specs)>> _byHash = [];
    private DwarfAbbreviation?[]? _scratch;

    /// <summary>A cleared lookup array for the table being read (under the lock), so that growing it is paid once per file.</summary>
    public DwarfAbbreviation?[]? TakeScratch()
    {
        var s = _scratch;
        _scratch = null;
        return s;
    }

    /// <summary>Gives the lookup array back, clearing the <paramref name="used"/> entries a table filled.</summary>
    public void ReturnScratch(DwarfAbbreviation?[] scratch, int used)
    {
        Array.Clear(scratch, 0, used);
        _scratch = scratch;
    }

    /// <summary>The shared array for an attribute list: the one read before from the same bytes, or a new one.</summary>
    public DwarfAttributeSpec[] Share(ReadOnlySpan<byte> encoded, List<DwarfAttributeSpec> specs, int format)
    {
        ulong hash = System.IO.Hashing.XxHash3.HashToUInt64(encoded);
        ref var bucket = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byHash, (hash, format), out _);
        bucket ??= new List<(byte[], DwarfAttributeSpec[])>(1);
        foreach (var (bytes, shared) in bucket)
        {
            if (encoded.SequenceEqual(bytes))
            {
                return shared;
            }
        }

        DwarfAttributeSpec[] array = [.. specs];
        bucket.Add((encoded.ToArray(), array));
        return array;
    }
}
