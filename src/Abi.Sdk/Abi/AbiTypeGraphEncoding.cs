using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// The compact binary form of a built <see cref="AbiTypeGraph"/> that <see cref="AbiTypeGraphCache"/> keeps: a string
/// table, then one record per type in the graph's order, then the declarations. Integers are LEB128 (signed ones
/// zigzag), strings are referred to by their index in the table plus one (0 for none). The graph is already
/// canonical, so reading it back is a plain copy: no keys, no refinement. Every count is checked against the bytes
/// left and every index against its table, so a damaged or hostile record fails with
/// <see cref="InvalidDataException"/>, never with a wrong index or an allocation the bytes do not pay for.
/// </summary>
internal static class AbiTypeGraphEncoding
{
    private const byte HasName = 1, HasSize = 2, HasTarget = 4, DeclarationOnly = 8, Variadic = 16, HasFile = 32, HasLayout = 64;

    /// <summary>Appends the graph's record to <paramref name="output"/>.</summary>
    public static void Write(AbiTypeGraph graph, ArrayBufferWriter<byte> output)
    {
        var strings = new Dictionary<string, int>(StringComparer.Ordinal);
        var table = new List<string>();
        var body = new Writer(new ArrayBufferWriter<byte>(1 << 16));
        int Ref(string? s)
        {
            if (s is null)
            {
                return 0;
            }

            if (!strings.TryGetValue(s, out int i))
            {
                i = table.Count + 1;
                strings.Add(s, i);
                table.Add(s);
            }

            return i;
        }

        body.U((ulong)graph.MissingSplitUnits.Length);
        foreach (var m in graph.MissingSplitUnits)
        {
            body.U((ulong)Ref(m));
        }

        body.U((ulong)graph.Types.Length);
        foreach (var t in graph.Types)
        {
            bool layout = !t.Members.IsEmpty || !t.BaseClasses.IsEmpty || !t.VirtualFunctions.IsEmpty || !t.Enumerators.IsEmpty || !t.Dimensions.IsEmpty;
            byte flags = (byte)((t.Name is null ? 0 : HasName) | (t.Size is null ? 0 : HasSize) | (t.TargetIndex < 0 ? 0 : HasTarget)
                | (t.IsDeclarationOnly ? DeclarationOnly : 0) | (t.IsVariadic ? Variadic : 0) | (t.DeclarationFile is null ? 0 : HasFile) | (layout ? HasLayout : 0));
            body.Byte((byte)t.Kind);
            body.Byte(flags);
            body.Byte((byte)t.Qualifiers);
            if (t.Name is { } name)
            {
                body.U((ulong)Ref(name));
            }

            if (t.Size is { } size)
            {
                body.U(size);
            }

            if (t.TargetIndex >= 0)
            {
                body.U((ulong)t.TargetIndex);
            }

            if (t.DeclarationFile is { } file)
            {
                body.U((ulong)Ref(file));
            }

            if (layout)
            {
                body.U((ulong)t.Members.Length);
                foreach (var m in t.Members)
                {
                    body.U((ulong)Ref(m.Name));
                    body.U((ulong)m.TypeIndex);
                    body.U(m.BitOffset);
                    body.Optional(m.BitSize);
                }

                body.U((ulong)t.BaseClasses.Length);
                foreach (var b in t.BaseClasses)
                {
                    body.U((ulong)b.TypeIndex);
                    body.U(b.Offset);
                    body.Byte(b.IsVirtual ? (byte)1 : (byte)0);
                }

                body.U((ulong)t.VirtualFunctions.Length);
                foreach (var v in t.VirtualFunctions)
                {
                    body.U((ulong)Ref(v.Name));
                    body.U((ulong)Ref(v.LinkageName));
                    body.S(v.Slot);
                }

                body.U((ulong)t.Enumerators.Length);
                foreach (var e in t.Enumerators)
                {
                    body.U((ulong)Ref(e.Name));
                    body.S(e.Value);
                }

                body.U((ulong)t.Dimensions.Length);
                foreach (var d in t.Dimensions)
                {
                    body.Optional(d);
                }
            }

            if (t.Kind == AbiTypeKind.Function)
            {
                body.U((ulong)t.ParameterIndexes.Length);
                foreach (var p in t.ParameterIndexes)
                {
                    body.U((ulong)p);
                }
            }
        }

        foreach (var declarations in (ReadOnlySpan<IReadOnlyDictionary<string, AbiDeclaration>>)[graph.Functions, graph.Variables])
        {
            body.U((ulong)declarations.Count);
            foreach (var d in declarations.Values)
            {
                body.U((ulong)Ref(d.SymbolName));
                body.U(d.Name == d.SymbolName ? 0 : (ulong)Ref(d.Name));
                body.U((ulong)Ref(d.LinkageName));
                body.U((ulong)d.Type.Index);
            }
        }

        var head = new Writer(output);
        head.U((ulong)table.Count);
        foreach (var s in table)
        {
            int n = Encoding.UTF8.GetByteCount(s);
            head.U((ulong)n);
            Encoding.UTF8.GetBytes(s, output.GetSpan(n));
            output.Advance(n);
        }

        output.Write(body.Output.WrittenSpan);
    }

    /// <summary>Reads a record <see cref="Write"/> wrote; the whole of <paramref name="data"/> must be the record.</summary>
    /// <param name="data">The record.</param>
    /// <param name="debugFile">The graph's <see cref="AbiTypeGraph.DebugFile"/> (where the DWARF is now, not where it was when the record was written).</param>
    /// <exception cref="InvalidDataException">The record is malformed: a count past its bytes, an index past its table, trailing bytes.</exception>
    public static AbiTypeGraph Read(ReadOnlySpan<byte> data, string? debugFile)
    {
        var r = new Reader(data);
        int stringCount = r.Count(int.MaxValue);
        var strings = new string[stringCount + 1];
        for (int i = 1; i <= stringCount; i++)
        {
            strings[i] = Encoding.UTF8.GetString(r.Bytes(r.Count(int.MaxValue)));
        }

        string? Str(ref Reader r) => strings[r.Index(strings.Length)];
        string Required(ref Reader r) => Str(ref r) ?? throw new InvalidDataException("a required string is absent");

        int missingCount = r.Count(int.MaxValue);
        var missing = new string[missingCount];
        for (int i = 0; i < missingCount; i++)
        {
            missing[i] = Required(ref r);
        }

        // Three bytes at least per type (kind, flags, qualifiers).
        int n = r.Count(AbiTypeGraphBuilder.MaxTypes, bytesEach: 3);
        if (n == 0)
        {
            throw new InvalidDataException("a graph with debug information has at least one type");
        }

        var graph = new AbiTypeGraph(debugFile, n);
        var types = new AbiType[n];
        for (int k = 0; k < n; k++)
        {
            byte kindByte = r.Byte();
            if (kindByte > (byte)AbiTypeKind.Other)
            {
                throw new InvalidDataException($"type {k}: unknown kind {kindByte}");
            }

            var kind = (AbiTypeKind)kindByte;
            byte flags = r.Byte();
            byte qualifiers = r.Byte();
            if (flags > 127 || qualifiers > 15)
            {
                throw new InvalidDataException($"type {k}: unknown flags");
            }

            string? name = (flags & HasName) != 0 ? Required(ref r) : null;
            ulong? size = (flags & HasSize) != 0 ? r.U() : null;
            int target = (flags & HasTarget) != 0 ? r.Index(n) : -1;
            string? file = (flags & HasFile) != 0 ? Required(ref r) : null;
            ImmutableArray<AbiMember> members = [];
            ImmutableArray<AbiBaseClass> bases = [];
            ImmutableArray<AbiVirtualFunction> virtuals = [];
            ImmutableArray<AbiEnumerator> enumerators = [];
            ImmutableArray<ulong?> dimensions = [];
            if ((flags & HasLayout) != 0)
            {
                var m = new AbiMember[r.Count(int.MaxValue, bytesEach: 4)];
                for (int i = 0; i < m.Length; i++)
                {
                    m[i] = new AbiMember(graph, Str(ref r), r.Index(n), r.U(), r.Optional());
                }

                var b = new AbiBaseClass[r.Count(int.MaxValue, bytesEach: 3)];
                for (int i = 0; i < b.Length; i++)
                {
                    int type = r.Index(n);
                    ulong offset = r.U();
                    byte isVirtual = r.Byte();
                    b[i] = isVirtual <= 1 ? new AbiBaseClass(graph, type, offset, isVirtual == 1) : throw new InvalidDataException($"type {k}: base class flag {isVirtual}");
                }

                var v = new AbiVirtualFunction[r.Count(int.MaxValue, bytesEach: 3)];
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = new AbiVirtualFunction(Required(ref r), Str(ref r), r.S());
                }

                var e = new AbiEnumerator[r.Count(int.MaxValue, bytesEach: 2)];
                for (int i = 0; i < e.Length; i++)
                {
                    e[i] = new AbiEnumerator(Required(ref r), r.S());
                }

                var d = new ulong?[r.Count(int.MaxValue)];
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] = r.Optional();
                }

                members = ImmutableCollectionsMarshal.AsImmutableArray(m);
                bases = ImmutableCollectionsMarshal.AsImmutableArray(b);
                virtuals = ImmutableCollectionsMarshal.AsImmutableArray(v);
                enumerators = ImmutableCollectionsMarshal.AsImmutableArray(e);
                dimensions = ImmutableCollectionsMarshal.AsImmutableArray(d);
            }

            int[] parameters = [];
            if (kind == AbiTypeKind.Function)
            {
                parameters = new int[r.Count(int.MaxValue)];
                for (int i = 0; i < parameters.Length; i++)
                {
                    parameters[i] = r.Index(n);
                }
            }

            types[k] = new AbiType(graph, k, kind, name, size, target, (AbiQualifiers)qualifiers, (flags & DeclarationOnly) != 0,
                members, bases, virtuals, enumerators, dimensions, parameters, (flags & Variadic) != 0, file);
        }

        var functions = new Dictionary<string, AbiDeclaration>(StringComparer.Ordinal);
        var variables = new Dictionary<string, AbiDeclaration>(StringComparer.Ordinal);
        foreach (var (declarations, isFunction) in (ReadOnlySpan<(Dictionary<string, AbiDeclaration>, bool)>)[(functions, true), (variables, false)])
        {
            int count = r.Count(int.MaxValue, bytesEach: 4);
            for (int i = 0; i < count; i++)
            {
                string symbol = Required(ref r);
                string declared = Str(ref r) ?? symbol;
                string? linkage = Str(ref r);
                var type = types[r.Index(n)];
                if (isFunction && type.Kind != AbiTypeKind.Function)
                {
                    throw new InvalidDataException($"function {symbol}: its type is not a function type");
                }

                if (!declarations.TryAdd(symbol, new AbiDeclaration(symbol, declared, linkage, isFunction, type)))
                {
                    throw new InvalidDataException($"{symbol} is declared twice");
                }
            }
        }

        if (!r.AtEnd)
        {
            throw new InvalidDataException("bytes after the graph");
        }

        graph.Complete(ImmutableCollectionsMarshal.AsImmutableArray(types), functions, variables);
        graph.MissingSplitUnits = ImmutableCollectionsMarshal.AsImmutableArray(missing);
        return graph;
    }

    private readonly struct Writer(ArrayBufferWriter<byte> output)
    {
        public ArrayBufferWriter<byte> Output { get; } = output;

        public void Byte(byte value)
        {
            Output.GetSpan(1)[0] = value;
            Output.Advance(1);
        }

        public void U(ulong value)
        {
            var span = Output.GetSpan(10);
            int i = 0;
            while (value >= 0x80)
            {
                span[i++] = (byte)(value | 0x80);
                value >>= 7;
            }

            span[i++] = (byte)value;
            Output.Advance(i);
        }

        public void S(long value) => U((ulong)((value << 1) ^ (value >> 63)));

        /// <summary>0 for none, else 1 then the value (a value may be <see cref="ulong.MaxValue"/>, so no +1 trick).</summary>
        public void Optional(ulong? value)
        {
            if (value is { } v)
            {
                Byte(1);
                U(v);
            }
            else
            {
                Byte(0);
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _offset;

        public readonly bool AtEnd => _offset == _data.Length;

        public byte Byte() => _offset < _data.Length ? _data[_offset++] : throw Early();

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (count > _data.Length - _offset)
            {
                throw Early();
            }

            var span = _data.Slice(_offset, count);
            _offset += count;
            return span;
        }

        public ulong U()
        {
            ulong value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = Byte();
                if (shift == 63 && b > 1)
                {
                    throw new InvalidDataException($"integer too large at offset {_offset - 1}");
                }

                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        public long S()
        {
            ulong u = U();
            return (long)(u >> 1) ^ -(long)(u & 1);
        }

        public ulong? Optional() => Byte() switch
        {
            0 => null,
            1 => U(),
            var b => throw new InvalidDataException($"optional flag {b} at offset {_offset - 1}"),
        };

        /// <summary>An index below <paramref name="count"/>.</summary>
        public int Index(int count)
        {
            ulong i = U();
            return i < (ulong)count ? (int)i : throw new InvalidDataException($"index {i} out of range (0 to {count - 1}) at offset {_offset}");
        }

        /// <summary>A count of items of at least <paramref name="bytesEach"/> bytes: never more than the bytes left can hold, nor than <paramref name="max"/>.</summary>
        public int Count(int max, int bytesEach = 1)
        {
            ulong c = U();
            if (c > (ulong)max || c > (ulong)(_data.Length - _offset) / (ulong)bytesEach)
            {
                throw new InvalidDataException($"count {c} larger than the record at offset {_offset}");
            }

            return (int)c;
        }

        private readonly InvalidDataException Early() => new($"record ends early at offset {_offset}");
    }
}
