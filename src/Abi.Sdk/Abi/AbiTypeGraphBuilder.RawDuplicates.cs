using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Abi.Sdk.Dwarf;

namespace Abi.Sdk.Abi;

/// <summary>
/// Types confirmed by their raw bytes: a C library declares the same types again in every unit that includes a header
/// (libc: ~33 800 type DIEs reached, ~3 090 types). Before a type DIE gets a proto of its own, it is compared with the
/// types already filled that hash like it: the same abbreviation shape (the reader shares one attribute list among
/// the entries of every unit with the same bytes), the same value bytes, except DW_AT_decl_file/line/column and
/// DW_AT_sibling, which are skipped, and unit-relative references, which must lead to types already known to be the
/// same (or, recursively, confirmed the same way; pairs being compared are assumed equal, so cycles close). A
/// confirmed DIE, and every DIE it reaches, is mapped to the proto it equals: nothing of it is decoded or filled.
/// </summary>
/// <remarks>
/// Why the graph cannot change: a DIE is only mapped to a proto it is structurally equal to (the pairs compared form
/// a bisimulation: equal local bytes, references to equal types), so canonicalisation would have put its own proto in
/// that proto's class; the proto was made before it (only filled protos are candidates), so every class keeps its
/// first proto, which gives the type's name and declaration file, and the protos that remain are made in the same
/// relative order. Declarations resolve through the same first-definition-in-file-order table as
/// <see cref="Reserve(DwarfDie)"/>. A DIE whose bytes cannot be compared without decoding (string or address indexes,
/// DW_FORM_indirect), whose tag is not a plain type, or whose C++ scope differs, is built as before.
/// </remarks>
internal sealed partial class AbiTypeGraphBuilder
{
    private const int RawCandidates = 8;
    private const int RawDepth = 128;

    private DwarfDie[] _rawSources = new DwarfDie[1 << 10];       // proto index -> the DIE it was filled from
    private int[] _rawNext = new int[1 << 10];                     // proto index -> next candidate with the same hash
    private readonly Dictionary<ulong, (int Head, int Tail)> _rawHeads = new(1 << 10);
    private readonly HashSet<ulong> _rawFailed = [];
    private readonly List<ulong> _rawLog = [];                     // DIE keys mapped while a comparison is open
    private readonly List<byte[]> _rawBuffers = [];
    private byte[] _rawBuffer = [];
    private int _rawLength;
    private int _rawNesting;

    /// <summary>False to build every type DIE reached from its own proto, as before raw confirmation (tests compare both).</summary>
    internal bool RawDuplicates { get; init; } = true;

    /// <summary>Counters for tests and measurements: DIEs mapped by their bytes, and comparisons that failed.</summary>
    internal int RawConfirmed { get; private set; }

    internal int RawRejected { get; private set; }

    private static bool RawEligible(DwarfTag tag) => tag is DwarfTag.BaseType or DwarfTag.PointerType or DwarfTag.ReferenceType
        or DwarfTag.RvalueReferenceType or DwarfTag.ConstType or DwarfTag.VolatileType or DwarfTag.RestrictType or DwarfTag.AtomicType
        or DwarfTag.Typedef or DwarfTag.StructureType or DwarfTag.ClassType or DwarfTag.UnionType or DwarfTag.EnumerationType
        or DwarfTag.ArrayType or DwarfTag.SubroutineType;

    /// <summary>Types whose DW_AT_type's target is part of the hash (records and enumerations are told apart by their own bytes, and may be cyclic).</summary>
    private static bool TargetInHash(DwarfTag tag) => tag is not (DwarfTag.BaseType or DwarfTag.StructureType or DwarfTag.ClassType
        or DwarfTag.UnionType or DwarfTag.EnumerationType);

    private static bool RawIgnored(DwarfAttribute attribute) => attribute is DwarfAttribute.Sibling or DwarfAttribute.DeclFile
        or DwarfAttribute.DeclLine or DwarfAttribute.DeclColumn;

    private static bool UnitReference(DwarfForm form) => form is DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata;

    /// <summary>Forms whose bytes mean something only with the unit's bases (string and address indexes), or name their form in the data.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RawIncomparable(DwarfForm form) => (uint)form < 0x40 ? (IncomparableForms >> (int)form & 1) != 0 : form is DwarfForm.GnuAddrIndex or DwarfForm.GnuStrIndex;

    private static readonly ulong IncomparableForms = Bits(DwarfForm.Strx, DwarfForm.Strx1, DwarfForm.Strx2, DwarfForm.Strx3, DwarfForm.Strx4,
        DwarfForm.Addrx, DwarfForm.Addrx1, DwarfForm.Addrx2, DwarfForm.Addrx3, DwarfForm.Addrx4, DwarfForm.Loclistx, DwarfForm.Rnglistx, DwarfForm.Indirect);

    private static ulong Bits(params DwarfForm[] forms)
    {
        ulong bits = 0;
        foreach (var form in forms)
        {
            bits |= 1UL << (int)form;
        }

        return bits;
    }

    /// <summary>
    /// The proto an unreserved type DIE (declarations already resolved) duplicates, confirmed by bytes; -1 when none
    /// is found (the DIE is then built as before).
    /// </summary>
    private int RawDuplicate(DwarfDie die)
    {
        if (!RawDuplicates || !RawEligible(die.Tag))
        {
            return -1;
        }

        ulong key = KeyOf(die);
        if (_rawFailed.Contains(key) || _rawNesting > RawDepth)
        {
            return -1;
        }

        _rawNesting++;
        try
        {
            if (RawHash(die, find: true, out ulong hash) && _rawHeads.TryGetValue(hash, out var bucket))
            {
                int k = bucket.Head;
                for (int n = 0; k >= 0 && n < RawCandidates; n++, k = _rawNext[k])
                {
                    int mark = _rawLog.Count;
                    if (RawEqual(die, k, 0))
                    {
                        RawConfirmed += _rawLog.Count - mark;
                        _rawLog.RemoveRange(mark, _rawLog.Count - mark); // kept in the DIE map
                        return k;
                    }

                    RawRejected++;
                    for (int i = _rawLog.Count - 1; i >= mark; i--)
                    {
                        _byDie.Remove(_rawLog[i]);
                    }

                    _rawLog.RemoveRange(mark, _rawLog.Count - mark);
                }
            }
        }
        finally
        {
            _rawNesting--;
        }

        _rawFailed.Add(key);
        return -1;
    }

    /// <summary>
    /// The proto a DIE is, or duplicates (declarations resolved as <see cref="Reserve(DwarfDie)"/> does), recorded in the
    /// DIE map; -1 when it is neither reserved nor a confirmed duplicate.
    /// </summary>
    private int RawExisting(DwarfDie die)
    {
        if (_byDie.TryGetValue(KeyOf(die), out int known))
        {
            return known;
        }

        var resolved = ResolveDefinition(die);
        if (resolved != die && _byDie.TryGetValue(KeyOf(resolved), out known))
        {
            _byDie[KeyOf(die)] = known;
            return known;
        }

        int duplicate = RawDuplicate(resolved);
        if (duplicate >= 0)
        {
            _byDie[KeyOf(die)] = duplicate;
            _byDie.TryAdd(KeyOf(resolved), duplicate);
        }

        return duplicate;
    }

    /// <summary>Makes a filled type a candidate for the DIEs that duplicate it.</summary>
    private void RegisterRaw(DwarfDie die, int index)
    {
        if (!RawDuplicates || !RawEligible(die.Tag) || !RawHash(die, find: false, out ulong hash))
        {
            return;
        }

        if (index >= _rawSources.Length)
        {
            int size = Math.Max(index + 1, _rawSources.Length * 2);
            Array.Resize(ref _rawSources, size);
            Array.Resize(ref _rawNext, size);
        }

        // Oldest first: the first proto of a hash is the one earlier DIEs of a unit were most likely mapped to.
        _rawSources[index] = die;
        _rawNext[index] = -1;
        ref var bucket = ref CollectionsMarshal.GetValueRefOrAddDefault(_rawHeads, hash, out bool exists);
        if (exists)
        {
            _rawNext[bucket.Tail] = index;
            bucket.Tail = index;
        }
        else
        {
            bucket = (index, index);
        }
    }

    private void ReleaseRaw()
    {
        _rawSources = [];
        _rawNext = [];
        _rawHeads.Clear();
        _rawHeads.TrimExcess();
        _rawFailed.Clear();
        _rawFailed.TrimExcess();
        _rawBuffers.Clear();
    }

    // ---- the hash: the shape and the compared bytes, and for a pointer, qualifier, typedef, array or function type the proto of its DW_AT_type ----

    private bool RawHash(DwarfDie die, bool find, out ulong hash)
    {
        // A target's hash is made while its referrer's is open (a pointer's target is found first): one buffer per level.
        int level = _rawNesting;
        while (_rawBuffers.Count <= level)
        {
            _rawBuffers.Add(new byte[256]);
        }

        var (outer, outerLength) = (_rawBuffer, _rawLength);
        _rawBuffer = _rawBuffers[level];
        _rawLength = 0;
        try
        {
            hash = 0;
            if (!RawAppend(die, own: true, find))
            {
                return false;
            }

            hash = XxHash3.HashToUInt64(_rawBuffer.AsSpan(0, _rawLength));
            return true;
        }
        finally
        {
            _rawBuffers[level] = _rawBuffer;
            (_rawBuffer, _rawLength) = (outer, outerLength);
        }
    }

    private bool RawAppend(DwarfDie die, bool own, bool find)
    {
        var unit = die.Unit;
        var abbreviation = die.Shape;
        var specs = abbreviation.Specs;
        var sizes = abbreviation.Sizes;
        RawAppendInt(RuntimeHelpers.GetHashCode(abbreviation));
        var c = unit.Section.Cursor(die.AttributesOffset);
        for (int i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            var form = spec.Form;
            if (RawIncomparable(form))
            {
                return false;
            }

            int start = c.Position;
            if (sizes[i] >= 0)
            {
                c.Skip((ulong)sizes[i]);
            }
            else
            {
                DwarfForms.Read(ref c, form, spec.ImplicitConstant, unit, out _, out _, out _);
            }

            if (RawIgnored(spec.Attribute))
            {
                continue;
            }

            if (UnitReference(form))
            {
                if (own && spec.Attribute == DwarfAttribute.Type && TargetInHash(die.Tag))
                {
                    var target = unit.Section.Cursor(start);
                    DwarfForms.Read(ref target, form, 0, unit, out ulong raw, out _, out _);
                    if (!RawTarget(unit, raw, out var t))
                    {
                        return false;
                    }

                    int index = find ? RawExisting(t) : _byDie.GetValueOrDefault(KeyOf(t), -1);
                    if (index < 0)
                    {
                        return false;
                    }

                    RawAppendInt(index);
                }

                continue;
            }

            RawAppendBytes(unit.Section.Span.Slice(start, c.Position - start));
        }

        // A named record or enumeration is told apart by its name and size; only unnamed ones hash their members.
        if (abbreviation.HasChildren && !(own && !TargetInHash(die.Tag) && HasName(abbreviation)))
        {
            foreach (var child in die.Children)
            {
                if (!RawAppend(child, own: false, find))
                {
                    return false;
                }
            }

            RawAppendInt(-1); // the end of the children
        }

        return true;
    }

    private static bool HasName(DwarfAbbreviationShape abbreviation)
    {
        foreach (var spec in abbreviation.Specs)
        {
            if (spec.Attribute == DwarfAttribute.Name)
            {
                return true;
            }
        }

        return false;
    }

    private void RawAppendInt(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        MemoryMarshal.Write(bytes, in value);
        RawAppendBytes(bytes);
    }

    private void RawAppendBytes(ReadOnlySpan<byte> bytes)
    {
        if (_rawLength + bytes.Length > _rawBuffer.Length)
        {
            Array.Resize(ref _rawBuffer, Math.Max(_rawBuffer.Length * 2, _rawLength + bytes.Length));
        }

        bytes.CopyTo(_rawBuffer.AsSpan(_rawLength));
        _rawLength += bytes.Length;
    }

    /// <summary>The DIE a unit-relative reference names, when it lies inside its unit; false otherwise (the normal path reports it).</summary>
    private static bool RawTarget(DwarfUnit unit, ulong raw, out DwarfDie target)
    {
        if (raw < unit.EndOffset - unit.Offset && unit.Offset + raw >= (ulong)unit.DiesOffset)
        {
            target = DwarfDie.ReadAt(unit, (int)(unit.Offset + raw));
            return true;
        }

        target = default;
        return false;
    }

    // ---- the comparison ----

    /// <summary>
    /// True when DIE <paramref name="die"/> describes the same type as proto <paramref name="k"/>: already mapped to it,
    /// or its bytes equal those of the DIE <paramref name="k"/> was filled from, references leading to equal types.
    /// The DIEs mapped on the way are logged, to be undone if the comparison fails further up.
    /// </summary>
    private bool RawEqual(DwarfDie die, int k, int depth)
    {
        ulong key = KeyOf(die);
        if (_byDie.TryGetValue(key, out int known))
        {
            return known == k;
        }

        return RawEqualUnmapped(die, key, k, depth);
    }

    /// <summary><see cref="RawEqual"/> for a DIE whose key (<paramref name="key"/>) is not in the DIE map.</summary>
    private bool RawEqualUnmapped(DwarfDie die, ulong key, int k, int depth)
    {
        int known;
        if (depth > RawDepth || k >= _rawSources.Length || _rawSources[k].ShapeOrNull is null)
        {
            return false;
        }

        var resolved = ResolveDefinition(die);
        ulong resolvedKey = key;
        if (resolved != die)
        {
            resolvedKey = KeyOf(resolved);
            if (_byDie.TryGetValue(resolvedKey, out known))
            {
                if (known != k)
                {
                    return false;
                }

                RawMap(key, k);
                return true;
            }
        }

        var source = _rawSources[k];
        if (!RawEligible(resolved.Tag) || !ReferenceEquals(resolved.Shape, source.Shape)
            || !ReferenceEquals(resolved.Unit.File, source.Unit.File)
            || (_scopedNames.Count > 0 && !_scopedNames.GetValueOrDefault(resolvedKey).SameText(_scopedNames.GetValueOrDefault(KeyOf(source)))))
        {
            return false;
        }

        RawMap(key, k);
        if (resolvedKey != key)
        {
            RawMap(resolvedKey, k);
        }

        return RawSameBytes(resolved, source, depth);
    }

    private void RawMap(ulong key, int k)
    {
        _byDie.Add(key, k);
        _rawLog.Add(key);
    }

    /// <summary>Two DIEs of one abbreviation shape: equal value bytes (decl_* and sibling skipped), references to equal types, and the same for their children.</summary>
    private bool RawSameBytes(DwarfDie a, DwarfDie b, int depth)
    {
        var abbreviation = a.Shape;
        var sa = a.Unit.Section.Span;
        var sb = b.Unit.Section.Span;
        int fixedSize = abbreviation.FixedSize;
        if (fixedSize >= 0 && a.AttributesOffset + fixedSize <= sa.Length && b.AttributesOffset + fixedSize <= sb.Length)
        {
            if (!RawSameFixed(a, b, sa.Slice(a.AttributesOffset, fixedSize), sb.Slice(b.AttributesOffset, fixedSize), depth))
            {
                return false;
            }

            return !abbreviation.HasChildren || RawSameChildren(a, b, depth);
        }

        return RawSameVariable(a, b, depth);
    }

    /// <summary>
    /// <see cref="RawSameBytes"/> for a shape with values of variable size: the compared values between two skipped or
    /// referencing ones are one run, measured on the DIE being confirmed alone; equal bytes decode to values of equal
    /// sizes, so the source's cursor moves by the same length once the run's bytes are found equal. (A method of its
    /// own: its cursors would make every call of the fixed-size path clear them.)
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RawSameVariable(DwarfDie a, DwarfDie b, int depth)
    {
        var ua = a.Unit;
        var ub = b.Unit;
        var abbreviation = a.Shape;
        var specs = abbreviation.Specs;
        var sizes = abbreviation.Sizes;
        var sa = ua.Section.Span;
        var sb = ub.Section.Span;
        var ca = ua.Section.Cursor(a.AttributesOffset);
        var cb = ub.Section.Cursor(b.AttributesOffset);
        int runA = ca.Position, runB = cb.Position;
        for (int i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            var form = spec.Form;
            if (RawIncomparable(form))
            {
                return false;
            }

            int size = sizes[i];
            bool ignored = RawIgnored(spec.Attribute);
            if (!ignored && !UnitReference(form))
            {
                SkipValue(ref ca, spec, size, ua);
                continue;
            }

            if (!RawSameRun(sa, sb, runA, ca.Position, ref cb.Position, runB))
            {
                return false;
            }

            if (ignored)
            {
                SkipValue(ref ca, spec, size, ua);
                SkipValue(ref cb, spec, size, ub);
            }
            else
            {
                DwarfForms.Read(ref ca, form, 0, ua, out ulong ra, out _, out _);
                DwarfForms.Read(ref cb, form, 0, ub, out ulong rb, out _, out _);
                if (!RawSameReference(ua, ra, ub, rb, depth))
                {
                    return false;
                }
            }

            runA = ca.Position;
            runB = cb.Position;
        }

        if (!RawSameRun(sa, sb, runA, ca.Position, ref cb.Position, runB))
        {
            return false;
        }

        return !abbreviation.HasChildren || RawSameChildren(a, b, depth);
    }

    /// <summary>
    /// Whether the bytes from <paramref name="runA"/> to <paramref name="endA"/> equal as many from
    /// <paramref name="runB"/>; on a match the source's cursor position moves past them.
    /// </summary>
    private static bool RawSameRun(ReadOnlySpan<byte> sa, ReadOnlySpan<byte> sb, int runA, int endA, ref int positionB, int runB)
    {
        int length = endA - runA;
        if (length == 0)
        {
            return true;
        }

        if ((uint)runB + (uint)length > (uint)sb.Length || !sa.Slice(runA, length).SequenceEqual(sb.Slice(runB, length)))
        {
            return false;
        }

        positionB = runB + length;
        return true;
    }

    /// <summary>Steps over one value: by its size when the abbreviation fixes it, otherwise by decoding its form.</summary>
    private static void SkipValue(ref DwarfCursor cursor, DwarfAttributeSpec spec, int size, DwarfUnit unit)
    {
        if (size >= 0)
        {
            cursor.Skip((ulong)size);
        }
        else
        {
            DwarfForms.Read(ref cursor, spec.Form, spec.ImplicitConstant, unit, out _, out _, out _);
        }
    }

    /// <summary>
    /// Whether a unit-relative reference of the DIE being confirmed (<paramref name="ra"/> in <paramref name="ua"/>) and
    /// the same reference of the source (<paramref name="rb"/> in <paramref name="ub"/>) lead to equal types. Only a
    /// type the source's fill reserved is known; any other reference (an abstract origin, an object pointer) cannot be
    /// mapped, and the DIE is built as before. The DIEs are keyed by their offsets: a target is read only when it has
    /// to be compared (a key in the DIE map belongs to a DIE read before).
    /// </summary>
    private bool RawSameReference(DwarfUnit ua, ulong ra, DwarfUnit ub, ulong rb, int depth)
    {
        if (!RawInUnit(ua, ra) || !RawInUnit(ub, rb))
        {
            return false;
        }

        ulong oa = ua.Offset + ra, ob = ub.Offset + rb;
        if (ReferenceEquals(ua, ub) && oa == ob)
        {
            return true;
        }

        if (!_byDie.TryGetValue(KeyOf(ub, ob), out int kb))
        {
            return false;
        }

        ulong ka = KeyOf(ua, oa);
        if (_byDie.TryGetValue(ka, out int known))
        {
            return known == kb;
        }

        return RawEqualUnmapped(DwarfDie.ReadAt(ua, (int)oa), ka, kb, depth + 1);
    }

    /// <summary>Whether a unit-relative reference lies inside its unit's DIEs (the condition of <see cref="RawTarget"/>).</summary>
    private static bool RawInUnit(DwarfUnit unit, ulong raw) => raw < unit.EndOffset - unit.Offset && unit.Offset + raw >= (ulong)unit.DiesOffset;

    /// <summary>
    /// <see cref="RawSameBytes"/> for a shape whose values all have fixed sizes (most type DIEs and members), by the
    /// shape's plan (<see cref="RawPlanOf"/>): runs of compared bytes, references to follow, and where a value cannot be
    /// compared; the steps come in the order of the values, as the values were compared one by one before.
    /// </summary>
    private bool RawSameFixed(DwarfDie a, DwarfDie b, ReadOnlySpan<byte> va, ReadOnlySpan<byte> vb, int depth)
    {
        var plan = RawPlanOf(a.Shape);
        for (int i = 0; i < plan.Length; i += 3)
        {
            int start = plan[i + 1], size = plan[i + 2];
            switch (plan[i])
            {
                case RawStepBytes:
                    if (!va.Slice(start, size).SequenceEqual(vb.Slice(start, size)))
                    {
                        return false;
                    }

                    break;
                case RawStepReference:
                    if (!RawSameReference(a.Unit, a.Unit.Section.Unsigned(va.Slice(start, size)), b.Unit, b.Unit.Section.Unsigned(vb.Slice(start, size)), depth))
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private const int RawStepBytes = 0;
    private const int RawStepReference = 1;
    private const int RawStepIncomparable = 2;

    /// <summary>
    /// The comparison plan of a fixed-size shape, made once per shape and kept on it: triples (step, start, size) —
    /// compare a run of bytes, follow a unit-relative reference; or one step that fails, when a value cannot be compared by bytes.
    /// DW_AT_decl_* and DW_AT_sibling are left out; runs of compared values next to each other are one step.
    /// </summary>
    private static int[] RawPlanOf(DwarfAbbreviationShape shape)
    {
        if (shape.RawPlan is int[] plan)
        {
            return plan;
        }

        var specs = shape.Specs;
        var sizes = shape.Sizes;
        var steps = new List<int>(specs.Length * 3);
        int run = 0, position = 0;
        for (int i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            int size = sizes[i];
            bool ignored = RawIgnored(spec.Attribute);
            bool reference = !ignored && UnitReference(spec.Form); // DW_AT_sibling is skipped, never followed
            if (!reference && !ignored)
            {
                if (RawIncomparable(spec.Form))
                {
                    // Such a comparison fails whatever comes before (what it mapped on the way is undone): fail at once.
                    plan = [RawStepIncomparable, 0, 0];
                    shape.RawPlan = plan;
                    return plan;
                }

                position += size;
                continue;
            }

            AddRun(steps, run, position);
            if (reference)
            {
                steps.AddRange([RawStepReference, position, size]);
            }

            position += size;
            run = position;
        }

        AddRun(steps, run, position);
        plan = [.. steps];
        shape.RawPlan = plan; // the same plan whichever thread makes it
        return plan;

        static void AddRun(List<int> steps, int run, int position)
        {
            if (position > run)
            {
                steps.AddRange([RawStepBytes, run, position - run]);
            }
        }
    }

    private bool RawSameChildren(DwarfDie a, DwarfDie b, int depth)
    {
        var xs = a.Children;
        var ys = b.Children;
        while (true)
        {
            bool more = xs.MoveNext();
            if (more != ys.MoveNext())
            {
                return false;
            }

            if (!more)
            {
                return true;
            }

            var x = xs.Current;
            var y = ys.Current;
            if (!ReferenceEquals(x.Shape, y.Shape) || !RawSameBytes(x, y, depth + 1))
            {
                return false;
            }
        }
    }
}
