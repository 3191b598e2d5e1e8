namespace Abi.Sdk.Abi;

/// <summary>
/// A graph built from DWARF as libabigail's ABIXML records it, for comparing it with a graph read from abidw's
/// output: what ABIXML cannot say is taken out of the DWARF side, so that only real changes remain. libabigail
/// (abidw 2.2) writes no bit-field widths; spells <c>const void</c> as <c>void</c>; writes a qualified array
/// (gcc's <c>const</c> on an array of <c>const</c> elements) as the array; writes a zero-length array (<c>a[0]</c>)
/// as one of unknown length; and a type DWARF leaves unspecified (<c>DW_TAG_unspecified_type</c>, the return type of
/// assembly functions) as <c>void</c>.
/// </summary>
internal static class AbiXmlTypeView
{
    /// <summary><paramref name="graph"/> as ABIXML would record it when <paramref name="other"/> was read from ABIXML and it was not; otherwise itself.</summary>
    public static AbiTypeGraph For(AbiTypeGraph graph, AbiTypeGraph other)
    {
        if (graph.FromAbiXml || !other.FromAbiXml || !graph.HasDebugInfo)
        {
            return graph;
        }

        var assembler = new AbiTypeGraphAssembler();
        foreach (var t in graph.Types)
        {
            assembler.Add(new AbiTypeGraphAssembler.Proto
            {
                Kind = t.Kind,
                Name = t.Name,
                Size = t.Size,
                Target = t.TargetIndex,
                Qualifiers = t.Qualifiers,
                DeclarationOnly = t.IsDeclarationOnly,
                Members = [.. t.Members.Select(m => (m.Name, m.TypeIndex, m.BitOffset, (ulong?)null))],
                Bases = [.. t.BaseClasses.Select(b => (b.TypeIndex, b.Offset, b.IsVirtual))],
                Virtuals = [.. t.VirtualFunctions],
                Enumerators = [.. t.Enumerators],
                Dimensions = [.. t.Dimensions.Select(d => d == 0 ? null : d)],
                Parameters = t.Kind == AbiTypeKind.Function ? [.. t.ParameterIndexes] : null,
                Variadic = t.IsVariadic,
            }, () => new InvalidOperationException("unreachable: the graph already holds its types"));
        }

        for (int i = 0; i < assembler.Count; i++)
        {
            var p = assembler[i];
            if (p.Kind == AbiTypeKind.Other && p.Name == "DW_TAG_unspecified_type")
            {
                (p.Kind, p.Name, p.Size) = (AbiTypeKind.Void, "void", null);
            }
            else if (p.Kind == AbiTypeKind.Array && p.Dimensions!.Any(d => d is null))
            {
                p.Size = null;
            }
        }

        for (int i = 0; i < assembler.Count; i++)
        {
            var p = assembler[i];
            if (p.Kind != AbiTypeKind.Qualified || p.Target < 0)
            {
                continue;
            }

            var target = assembler[p.Target];
            if (target.Kind == AbiTypeKind.Void && (p.Qualifiers & AbiQualifiers.Const) != 0)
            {
                p.Qualifiers &= ~AbiQualifiers.Const;
                if (p.Qualifiers == AbiQualifiers.None)
                {
                    (p.Kind, p.Name, p.Size, p.Target) = (AbiTypeKind.Void, "void", null, -1);
                }
            }
            else if (target.Kind == AbiTypeKind.Array && target.Target >= 0 && assembler[target.Target] is { Kind: AbiTypeKind.Qualified } element
                && (element.Qualifiers & p.Qualifiers) == p.Qualifiers)
            {
                (p.Kind, p.Qualifiers, p.Size, p.Dimensions, p.Target) = (AbiTypeKind.Array, AbiQualifiers.None, target.Size, target.Dimensions, target.Target);
            }
        }

        foreach (var d in graph.Functions.Values.Concat(graph.Variables.Values))
        {
            assembler.Declare(d.SymbolName, d.Name, d.LinkageName, d.IsFunction, d.Type.Index);
        }

        return assembler.Finish(graph.DebugFile);
    }
}
