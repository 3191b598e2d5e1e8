using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Abi.Sdk.Dwarf;

/// <summary>One attribute of an abbreviation: its name, its form, and for DW_FORM_implicit_const the value stored in the abbreviation.</summary>
/// <param name="Attribute">DW_AT_*.</param>
/// <param name="Form">DW_FORM_*.</param>
/// <param name="ImplicitConstant">The value of a DW_FORM_implicit_const attribute; 0 for other forms.</param>
public readonly record struct DwarfAttributeSpec(DwarfAttribute Attribute, DwarfForm Form, long ImplicitConstant);

/// <summary>An entry of <c>.debug_abbrev</c>: the shape shared by the DIEs that name its code.</summary>
public sealed class DwarfAbbreviation
{
    // Made when asked for: a walk reads DIEs through the entry's shape alone (a libc debug file has 67 000 entries and
    // a few thousand shapes), so a table keeps only each code's shape, and an entry's offset is found again by scanning.
    private readonly DwarfAbbreviationShape _shape;

    internal DwarfAbbreviation(ulong offset, uint code, DwarfAbbreviationShape shape)
    {
        Offset = offset;
        Code = code;
        _shape = shape;
    }

    /// <summary>The entry's offset in <c>.debug_abbrev</c>.</summary>
    public ulong Offset { get; }

    /// <summary>The abbreviation code DIEs refer to.</summary>
    public uint Code { get; }

    /// <summary>The tag of the DIEs using it.</summary>
    public DwarfTag Tag => _shape.Tag;

    /// <summary>DW_CHILDREN_yes: the DIEs are followed by children, ended by a null entry.</summary>
    public bool HasChildren => _shape.HasChildren;

    /// <summary>The attributes, in the order their values follow the abbreviation code.</summary>
    public ImmutableArray<DwarfAttributeSpec> Attributes => ImmutableArray.Create(_shape.Specs);

    /// <summary>
    /// The shape this entry shares with every entry of the file with the same bytes after its code, for the same unit
    /// format: two DIEs with the same shape have the same tag, children flag, attributes, forms and value sizes.
    /// </summary>
    internal DwarfAbbreviationShape Shape => _shape;
}

/// <summary>
/// What an abbreviation entry says after its code, for one unit format: its tag, whether children follow, its
/// attributes and what is derived from them (value sizes, the position of DW_AT_sibling). Entries of different
/// tables and codes with the same bytes share one (libc: 66 839 entries, a few thousand distinct shapes).
/// </summary>
internal sealed class DwarfAbbreviationShape
{
    public DwarfAbbreviationShape(DwarfTag tag, bool hasChildren, DwarfAttributeSpec[] specs, int addressSize, int offsetSize, int version)
    {
        Tag = tag;
        Specs = specs;
        Sizes = new sbyte[specs.Length];
        int fixedSize = 0, siblingOffset = -1;
        byte flags = (byte)(hasChildren ? 1 : 0);
        for (int i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            if ((flags & 2) == 0 && spec.Attribute == DwarfAttribute.Sibling)
            {
                flags |= 2;
                SiblingForm = spec.Form;
                siblingOffset = fixedSize; // -1 when a value before it has a variable size
            }

            int size = DwarfForms.FixedSize(spec.Form, addressSize, offsetSize, version);
            Sizes[i] = (sbyte)size; // at most 16
            fixedSize = size < 0 || fixedSize < 0 ? -1 : fixedSize + size;
        }

        Flags = flags;
        // gcc writes DW_AT_sibling last: from the first one on, when every value has a fixed size, its distance from
        // the end of the values (which a walk knows once it has stepped over them).
        int fromEnd = -1;
        if ((flags & 2) != 0)
        {
            int first = Array.FindIndex(specs, spec => spec.Attribute == DwarfAttribute.Sibling);
            fromEnd = 0;
            for (int i = first; i < specs.Length && fromEnd >= 0; i++)
            {
                fromEnd = Sizes[i] < 0 ? -1 : fromEnd + Sizes[i];
            }
        }

        SiblingFromEnd = fromEnd is >= 0 and <= sbyte.MaxValue ? (sbyte)fromEnd : (sbyte)-1;
        // A fixed size or sibling position too large for its field is stored as "not known", which makes readers
        // decode the values one by one instead.
        FixedSize = fixedSize is >= 0 and <= short.MaxValue ? (short)fixedSize : (short)-1;
        SiblingOffset = siblingOffset is >= 0 and <= sbyte.MaxValue ? (sbyte)siblingOffset : (sbyte)-1;
    }

    public DwarfTag Tag { get; }

    public byte Flags { get; }

    /// <summary>DW_CHILDREN_yes.</summary>
    public bool HasChildren => (Flags & 1) != 0;

    /// <summary>True when the DIEs carry DW_AT_sibling: a walk may jump over their children.</summary>
    public bool HasSibling => (Flags & 2) != 0;

    /// <summary>The attributes, in the order their values follow the abbreviation code.</summary>
    public DwarfAttributeSpec[] Specs { get; }

    /// <summary>For each attribute, the size of its value when its form has a fixed size in this unit format; -1 otherwise.</summary>
    public sbyte[] Sizes { get; }

    /// <summary>The byte size of all attribute values when every form has a fixed size in this unit format; -1 otherwise.</summary>
    public short FixedSize { get; }

    /// <summary>
    /// Where the value of the first DW_AT_sibling starts, counted from the DIE's first attribute value, when every
    /// value before it has a fixed size (gcc writes it first); -1 otherwise. Lets a walk read it without decoding.
    /// </summary>
    public sbyte SiblingOffset { get; }

    /// <summary>The form of the first DW_AT_sibling (0 without one).</summary>
    public DwarfForm SiblingForm { get; }

    /// <summary>
    /// How far before the end of the values the first DW_AT_sibling's value starts, when it and every value after it
    /// have fixed sizes; -1 otherwise.
    /// </summary>
    public sbyte SiblingFromEnd { get; }

    /// <summary>The entry's bytes after its code, to confirm a hash match (set when the shape is cached).</summary>
    public byte[]? Encoded { get; set; }

    /// <summary>The unit format the sizes were computed for (set when the shape is cached).</summary>
    public int Format { get; set; }

    /// <summary>The hash of <see cref="Encoded"/> and <see cref="Format"/> (set when the shape is cached).</summary>
    public ulong Hash { get; set; }

    /// <summary>The next cached shape in the same bucket.</summary>
    public DwarfAbbreviationShape? Next { get; set; }

    /// <summary>
    /// What a consumer derives from the shape alone and keeps with it (the type-graph builder's plan for comparing two
    /// DIEs of this shape by bytes); set once, to the same value by whichever thread makes it.
    /// </summary>
    public object? RawPlan { get; set; }
}

/// <summary>The abbreviations of one table in <c>.debug_abbrev</c>, for one unit format (address and offset size).</summary>
internal sealed class DwarfAbbreviationTable
{
    private const int MaxDenseCode = 1 << 16;

    // By code, the entry's shape: all a walk reads. An entry's offset (what DwarfAbbreviation reports) is found again
    // by scanning the table when asked for, so that no array of offsets is kept for every table of a file.
    private readonly DwarfAbbreviationShape?[] _dense;
    private readonly Dictionary<uint, DwarfAbbreviationShape>? _sparse;
    private readonly ulong _offset;

    private DwarfAbbreviationTable(DwarfAbbreviationShape?[] dense, Dictionary<uint, DwarfAbbreviationShape>? sparse, ulong offset)
    {
        _dense = dense;
        _sparse = sparse;
        _offset = offset;
    }

    /// <summary>The shape of the entry with <paramref name="code"/>, or <see langword="null"/> when the table has none.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public DwarfAbbreviationShape? Get(ulong code) => code < (ulong)_dense.Length ? _dense[code] : GetSparse(code);

    private DwarfAbbreviationShape? GetSparse(ulong code)
        => _sparse is not null && code <= uint.MaxValue && _sparse.TryGetValue((uint)code, out var a) ? a : null;

    /// <summary>
    /// The entry with <paramref name="code"/> (a new object on each call), its offset found by scanning the table again
    /// in <paramref name="abbrev"/> (the section it was read from); <see langword="null"/> when the table has none.
    /// </summary>
    public DwarfAbbreviation? Entry(DwarfSection abbrev, ulong code)
    {
        if (Get(code) is not { } shape)
        {
            return null;
        }

        // The table was read from these bytes without error, so the scan cannot fail; the first definition wins.
        var c = abbrev.Cursor((long)_offset);
        while (!c.AtEnd)
        {
            int at = c.Position;
            ulong k = c.Uleb();
            if (k == 0)
            {
                break;
            }

            if (k == code)
            {
                return new DwarfAbbreviation((ulong)at, (uint)code, shape);
            }

            _ = c.Uleb();
            _ = c.U8();
            while (true)
            {
                ulong name = c.Uleb(), form = c.Uleb();
                if (name == 0 && form == 0)
                {
                    break;
                }

                if ((DwarfForm)form == DwarfForm.ImplicitConst)
                {
                    _ = c.Sleb();
                }
            }
        }

        return null;
    }

    /// <summary>Reads the table at <paramref name="offset"/>, up to its terminating 0 code.</summary>
    /// <param name="abbrev">The section.</param>
    /// <param name="offset">The table's offset.</param>
    /// <param name="addressSize">The unit's address size.</param>
    /// <param name="offsetSize">The unit's offset size.</param>
    /// <param name="version">The unit's DWARF version.</param>
    /// <param name="shapes">Entry shapes already read from the same section, shared instead of decoded again; or <see langword="null"/>.</param>
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
        int format = addressSize | offsetSize << 8 | version << 16;
        // Codes are small and dense in practice (1, 2, 3…): the lookup array grows as they come.
        var dense = shapes?.TakeScratch() ?? new DwarfAbbreviationShape?[64];
        Dictionary<uint, DwarfAbbreviationShape>? sparse = null;
        uint maxDense = 0;
        List<DwarfAttributeSpec>? specs = null;
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

            // An entry whose bytes (after the code) equal those of one decoded before, for the same unit format, has
            // the same shape: decoding them again could only give the same result, or the same error — and an entry
            // is cached only once decoded without one, so a malformed entry is never taken from the cache.
            DwarfAbbreviationShape? shape = null;
            int bodyStart = c.Position;
            ulong hash = 0;
            int bodyEnd = shapes is null ? -1 : ScanEntry(c.Data, bodyStart, out hash);
            if (bodyEnd > 0)
            {
                hash = DwarfAbbreviationShapes.Mix(hash, format);
                shape = shapes!.Find(c.Data[bodyStart..bodyEnd], hash, format);
                if (shape is not null)
                {
                    c.Position = bodyEnd;
                }
            }

            if (shape is null)
            {
                shape = Decode(ref c, code, entryOffset, addressSize, offsetSize, version, specs ??= []);
                // The scan and the decoding read the same numbers; were they ever to disagree, the entry is not cached.
                System.Diagnostics.Debug.Assert(bodyEnd <= 0 || c.Position == bodyEnd, "scanned and decoded ends differ");
                if (bodyEnd > 0 && c.Position == bodyEnd)
                {
                    shapes!.Add(c.Data[bodyStart..bodyEnd], hash, format, shape);
                }
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
                if (code <= MaxDenseCode)
                {
                    dense[code] = shape;
                    maxDense = Math.Max(maxDense, (uint)code);
                }
                else
                {
                    (sparse ??= [])[(uint)code] = shape;
                }
            }
        }

        if ((uint)dense.Length > maxDense + 1 || shapes is not null)
        {
            var exact = dense.AsSpan(0, (int)maxDense + 1).ToArray();
            shapes?.ReturnScratch(dense, (int)maxDense + 1);
            dense = exact;
        }

        return new DwarfAbbreviationTable(dense, sparse, offset);
    }

    /// <summary>Decodes an entry after its code (tag, children, attributes), checking every field.</summary>
    private static DwarfAbbreviationShape Decode(ref DwarfCursor c, ulong code, int entryOffset, int addressSize, int offsetSize, int version, List<DwarfAttributeSpec> specs)
    {
        ulong tag = c.Uleb();
        if (tag > ushort.MaxValue)
        {
            throw c.Error(entryOffset, $"abbreviation {code} has tag 0x{tag:x}, beyond the 16-bit range");
        }

        byte children = c.U8();
        specs.Clear();
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
        }

        return new DwarfAbbreviationShape((DwarfTag)tag, children != 0, [.. specs], addressSize, offsetSize, version);
    }

    /// <summary>
    /// Where the entry whose bytes after the code start at <paramref name="p"/> ends, found without decoding, and a hash
    /// of those bytes: -1 when it runs past the section or holds a number longer than this quick scan takes (then it
    /// is decoded, and checked, as the scan never decides that an entry is valid).
    /// </summary>
    private static int ScanEntry(ReadOnlySpan<byte> data, int p, out ulong hash)
    {
        // Nearly every entry: a one-byte tag, the children byte, then (attribute, form) pairs of one byte each and no
        // implicit constant: one check per pair, the hash folded in as it goes. Anything else takes the general scan
        // below; which way an entry goes depends on its bytes alone, so equal bytes always get equal hashes.
        ref byte at = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(data);
        if ((uint)(p + 1) < (uint)data.Length && Unsafe.Add(ref at, p) < 0x80)
        {
            const ulong K = 0x9E3779B97F4A7C15UL;
            ulong h = (Unsafe.Add(ref at, p) | (ulong)Unsafe.Add(ref at, p + 1) << 8) * K;
            int q = p + 2;
            while ((uint)(q + 1) < (uint)data.Length)
            {
                uint name = Unsafe.Add(ref at, q), form = Unsafe.Add(ref at, q + 1);
                if (((name | form) & 0x80) != 0)
                {
                    break;
                }

                if (form == (uint)DwarfForm.ImplicitConst)
                {
                    // gcc's DW_AT_decl_file and decl_line: a one-byte constant (below 0x80) joins the pair.
                    if ((uint)(q + 2) >= (uint)data.Length || Unsafe.Add(ref at, q + 2) >= 0x80)
                    {
                        break;
                    }

                    h = (h ^ (name | form << 8 | (uint)Unsafe.Add(ref at, q + 2) << 16 | 1u << 24)) * K;
                    q += 3;
                    continue;
                }

                q += 2;
                h = (h ^ (name | form << 8)) * K;
                if ((name | form) == 0)
                {
                    hash = h ^ h >> 31;
                    return q;
                }
            }
        }

        return ScanEntrySlow(data, p, out hash);
    }

    private static int ScanEntrySlow(ReadOnlySpan<byte> data, int p, out ulong hash)
    {
        int start = p;
        hash = 0;
        if (!ShortLeb(data, ref p, out _) || (uint)p >= (uint)data.Length)
        {
            return -1;
        }

        p++; // DW_CHILDREN_*
        while (true)
        {
            if (!ShortLeb(data, ref p, out uint name) || !ShortLeb(data, ref p, out uint form))
            {
                return -1;
            }

            if ((name | form) == 0)
            {
                break;
            }

            if (form == (uint)DwarfForm.ImplicitConst)
            {
                // The constant: at most 10 bytes here.
                int constStart = p;
                while (true)
                {
                    if ((uint)p >= (uint)data.Length || p - constStart >= 10)
                    {
                        return -1;
                    }

                    if (data[p++] < 0x80)
                    {
                        break;
                    }
                }
            }
        }

        hash = DwarfAbbreviationShapes.Hash(data[start..p]);
        return p;
    }

    /// <summary>An unsigned LEB128 of at most 3 bytes (attribute names, forms and tags); false for longer ones or at the end.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool ShortLeb(ReadOnlySpan<byte> data, ref int p, out uint value)
    {
        if ((uint)p < (uint)data.Length && data[p] < 0x80)
        {
            value = data[p++];
            return true;
        }

        return ShortLebSlow(data, ref p, out value);
    }

    private static bool ShortLebSlow(ReadOnlySpan<byte> data, ref int p, out uint value)
    {
        value = 0;
        for (int shift = 0; shift < 21; shift += 7)
        {
            if ((uint)p >= (uint)data.Length)
            {
                return false;
            }

            byte b = data[p++];
            value |= (uint)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The distinct entry shapes of one <c>.debug_abbrev</c> section, keyed by their bytes after the code and the unit
/// format they were read for (a hash, confirmed by comparing the bytes). Callers hold its lock while reading a table.
/// </summary>
internal sealed class DwarfAbbreviationShapes
{
    // Open hashing by the low bits of the hash, chains through DwarfAbbreviationShape.Next (libc: ~2 000 shapes).
    private DwarfAbbreviationShape?[] _table = new DwarfAbbreviationShape?[256];
    private int _count;
    private DwarfAbbreviationShape?[]? _scratch;

    /// <summary>A cleared lookup array for the table being read (under the lock), so that growing it is paid once per file.</summary>
    public DwarfAbbreviationShape?[]? TakeScratch()
    {
        var s = _scratch;
        _scratch = null;
        return s;
    }

    /// <summary>Gives the lookup array back, clearing the <paramref name="used"/> entries a table filled.</summary>
    public void ReturnScratch(DwarfAbbreviationShape?[] scratch, int used)
    {
        Array.Clear(scratch, 0, used);
        _scratch = scratch;
    }

    /// <summary>The shape decoded before from the same bytes for the same unit format, or <see langword="null"/>.</summary>
    public DwarfAbbreviationShape? Find(ReadOnlySpan<byte> encoded, ulong hash, int format)
    {
        var table = _table;
        for (var shape = table[(int)(hash & (ulong)(table.Length - 1))]; shape is not null; shape = shape.Next)
        {
            if (shape.Hash == hash && shape.Format == format && encoded.SequenceEqual(shape.Encoded))
            {
                return shape;
            }
        }

        return null;
    }

    /// <summary>Remembers a shape decoded (without error) from <paramref name="encoded"/> for <paramref name="format"/>.</summary>
    public void Add(ReadOnlySpan<byte> encoded, ulong hash, int format, DwarfAbbreviationShape shape)
    {
        shape.Encoded = encoded.ToArray();
        shape.Format = format;
        shape.Hash = hash;
        if (++_count > _table.Length)
        {
            // Keep chains short: double, and rehash what is there.
            var grown = new DwarfAbbreviationShape?[_table.Length * 2];
            foreach (var head in _table)
            {
                for (var s = head; s is not null;)
                {
                    var next = s.Next;
                    ref var slot = ref grown[(int)(s.Hash & (ulong)(grown.Length - 1))];
                    s.Next = slot;
                    slot = s;
                    s = next;
                }
            }

            _table = grown;
        }

        ref var bucket = ref _table[(int)(hash & (ulong)(_table.Length - 1))];
        shape.Next = bucket;
        bucket = shape;
    }

    /// <summary>A hash of an entry's bytes after its code.</summary>
    public static ulong Hash(ReadOnlySpan<byte> encoded) => System.IO.Hashing.XxHash3.HashToUInt64(encoded);

    /// <summary>The hash of an entry's bytes combined with the unit format they were read for.</summary>
    public static ulong Mix(ulong hash, int format) => (hash ^ (ulong)(uint)format) * 0x9E3779B97F4A7C15UL ^ hash >> 29;
}
