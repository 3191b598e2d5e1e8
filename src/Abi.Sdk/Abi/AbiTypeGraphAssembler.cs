using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// Builds an <see cref="AbiTypeGraph"/> from types described outside DWARF (a baseline's recorded graph, abidw's
/// ABIXML): the reader adds one <see cref="Proto"/> per type it reads, referring to others by index, and the
/// declarations of the exported symbols; <see cref="Finish"/> derives the sizes DWARF leaves implicit (typedefs,
/// qualified types, arrays) and canonicalises by partition refinement, as <see cref="AbiTypeGraphBuilder"/> does, so
/// that a graph read back compares exactly as the graph built from the debug information.
/// </summary>
internal sealed class AbiTypeGraphAssembler
{
    private readonly List<Proto> _protos = [];
    private readonly List<(string Symbol, string Name, string? Linkage, bool IsFunction, int Type)> _declarations = [];

    /// <summary>A type being assembled; indexes refer to other protos of the same assembler.</summary>
    internal sealed class Proto
    {
        public AbiTypeKind Kind = AbiTypeKind.Other;
        public string? Name;
        public ulong? Size;
        public int Target = -1;
        public AbiQualifiers Qualifiers;
        public bool DeclarationOnly;
        public List<(string? Name, int Type, ulong BitOffset, ulong? BitSize)>? Members;
        public List<(int Type, ulong Offset, bool Virtual)>? Bases;
        public List<AbiVirtualFunction>? Virtuals;
        public List<AbiEnumerator>? Enumerators;
        public List<ulong?>? Dimensions;
        public List<int>? Parameters;
        public bool Variadic;

        /// <summary>The file the type is declared in (DW_AT_decl_file, ABIXML's filepath), when recorded.</summary>
        public string? File;
    }

    public int Count => _protos.Count;

    public Proto this[int index] => _protos[index];

    /// <summary>Adds a type; throws <paramref name="tooMany"/>'s exception past <see cref="AbiTypeGraphBuilder.MaxTypes"/>.</summary>
    public int Add(Proto proto, Func<Exception> tooMany)
    {
        if (_protos.Count >= AbiTypeGraphBuilder.MaxTypes)
        {
            throw tooMany();
        }

        _protos.Add(proto);
        return _protos.Count - 1;
    }

    public void Declare(string symbol, string name, string? linkage, bool isFunction, int type) => _declarations.Add((symbol, name, linkage, isFunction, type));

    /// <summary>The sizes a reader may leave out: typedefs and qualified types take their target's, arrays their element's times their dimensions.</summary>
    public void ComputeSizes()
    {
        bool changed = true;
        for (int pass = 0; changed && pass < 64; pass++)
        {
            changed = false;
            foreach (var p in _protos)
            {
                if (p.Size is not null)
                {
                    continue;
                }

                switch (p.Kind)
                {
                    case AbiTypeKind.Typedef or AbiTypeKind.Qualified when p.Target >= 0 && _protos[p.Target].Size is { } s:
                        p.Size = s;
                        changed = true;
                        break;
                    case AbiTypeKind.Array when p.Target >= 0 && _protos[p.Target].Size is { } e && p.Dimensions is { } dims && dims.All(d => d is not null):
                        ulong n = e;
                        foreach (var d in dims)
                        {
                            n = unchecked(n * d!.Value);
                        }

                        p.Size = n;
                        changed = true;
                        break;
                }
            }
        }
    }

    /// <summary>Canonicalises the protos and builds the graph; the first declaration of a symbol name wins.</summary>
    public AbiTypeGraph Finish(string? debugFile)
    {
        int n = _protos.Count;
        var keys = new string[n];
        var children = new int[n][];
        for (int i = 0; i < n; i++)
        {
            (keys[i], children[i]) = LocalKey(_protos[i]);
        }

        return Materialize(_protos, AbiTypeCanonicalizer.Refine(keys, children), debugFile, _declarations);
    }

    /// <summary>
    /// The graph of canonicalised protos: one type per class of <paramref name="classes"/> (its first proto stands for
    /// it), references mapped to classes, the first declaration of a symbol name kept. Shared with
    /// <see cref="AbiTypeGraphBuilder"/>, so that a graph read back is made exactly as one built from DWARF.
    /// </summary>
    internal static AbiTypeGraph Materialize(IReadOnlyList<Proto> protos, int[] classes, string? debugFile,
        IEnumerable<(string Symbol, string Name, string? Linkage, bool IsFunction, int Type)> declarations)
    {
        int n = protos.Count;
        var map = new int[n];
        var representative = new Dictionary<int, int>();
        var order = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (!representative.TryGetValue(classes[i], out int r))
            {
                r = order.Count;
                representative[classes[i]] = r;
                order.Add(i);
            }

            map[i] = r;
        }

        var graph = new AbiTypeGraph(debugFile, order.Count);
        var types = new AbiType[order.Count];
        for (int k = 0; k < order.Count; k++)
        {
            var p = protos[order[k]];
            types[k] = new AbiType(graph, k, p.Kind, p.Name, p.Size, p.Target < 0 ? -1 : map[p.Target], p.Qualifiers, p.DeclarationOnly,
                p.Members is null ? [] : [.. p.Members.Select(m => new AbiMember(graph, m.Name, map[m.Type], m.BitOffset, m.BitSize))],
                p.Bases is null ? [] : [.. p.Bases.Select(b => new AbiBaseClass(graph, map[b.Type], b.Offset, b.Virtual))],
                p.Virtuals is null ? [] : [.. p.Virtuals],
                p.Enumerators is null ? [] : [.. p.Enumerators],
                p.Dimensions is null ? [] : [.. p.Dimensions],
                p.Parameters is null ? [] : [.. p.Parameters.Select(x => map[x])],
                p.Variadic, p.File);
        }

        var functions = new Dictionary<string, AbiDeclaration>(StringComparer.Ordinal);
        var variables = new Dictionary<string, AbiDeclaration>(StringComparer.Ordinal);
        foreach (var d in declarations)
        {
            (d.IsFunction ? functions : variables).TryAdd(d.Symbol, new AbiDeclaration(d.Symbol, d.Name, d.Linkage, d.IsFunction, types[map[d.Type]]));
        }

        graph.Complete(ImmutableCollectionsMarshal.AsImmutableArray(types), functions, variables);
        return graph;
    }

    /// <summary>The key the comparison uses (empty lists count as absent), so that re-reading a written graph keeps its types and their order.</summary>
    private static (string Key, int[] Children) LocalKey(Proto p)
    {
        var key = new StringBuilder();
        var children = new List<int>();
        key.Append((int)p.Kind).Append('|').Append(p.Name).Append('|').Append(p.Size).Append('|').Append((int)p.Qualifiers).Append(p.DeclarationOnly ? "|d" : "|").Append(p.Variadic ? "|v" : "|");
        if (p.Target >= 0)
        {
            children.Add(p.Target);
        }

        AbiTypeGraphBuilder.AppendLayout(key,
            p.Members is { Count: > 0 } ? p.Members : null,
            p.Bases is { Count: > 0 } ? p.Bases : null,
            p.Virtuals is { Count: > 0 } ? p.Virtuals : null,
            p.Enumerators is { Count: > 0 } ? p.Enumerators : null,
            p.Dimensions is { Count: > 0 } ? p.Dimensions : null,
            p.Kind == AbiTypeKind.Function ? (IEnumerable<int>?)p.Parameters ?? [] : null,
            children);
        return (key.ToString(), [.. children]);
    }
}
