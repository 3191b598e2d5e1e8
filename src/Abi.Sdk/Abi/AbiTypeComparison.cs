using System.Globalization;
using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// Compares the types behind the exported symbols two libraries share. Both graphs are first refined together
/// (<see cref="AbiTypeCanonicalizer"/>), so that a type structurally equal on both sides is recognised in one lookup
/// and never walked; only the pairs that differ are walked, breadth first from each symbol (so the path reported is a
/// shortest one, and cycles are visited once), each difference becoming one ABI2xxx diagnostic.
/// </summary>
internal sealed class AbiTypeComparison
{
    private readonly AbiTypeGraph _old;
    private readonly AbiTypeGraph _new;
    private readonly int[] _classes;

    public AbiTypeComparison(AbiTypeGraph oldTypes, AbiTypeGraph newTypes)
    {
        // A graph read from abidw's ABIXML against one built from DWARF: the DWARF one as libabigail records it.
        (oldTypes, newTypes) = (AbiXmlTypeView.For(oldTypes, newTypes), AbiXmlTypeView.For(newTypes, oldTypes));
        _old = oldTypes;
        _new = newTypes;
        int no = oldTypes.Types.Length, nn = newTypes.Types.Length;
        var classes = new int[no + nn];
        var children = new int[no + nn][];
        // One builder for every key, each made a string only the first time it is seen (most types of a point
        // release's pair are on both sides).
        var key = new StringBuilder();
        var kids = new List<int>();
        var keyClasses = new AbiLocalKeyClasses();
        for (int i = 0; i < no + nn; i++)
        {
            children[i] = i < no ? Key(oldTypes.Types[i], 0, key, kids) : Key(newTypes.Types[i - no], no, key, kids);
            classes[i] = keyClasses.ClassOf(key);
        }

        _classes = AbiTypeCanonicalizer.Refine(classes, keyClasses.Count, children);
    }

    internal enum Role
    {
        Parameter,
        Return,
        Variable,
        Member,
    }

    internal readonly record struct Node(int Old, int New, int Parent, string Label, Role Role, string? Member = null);

    private bool Same(int o, int n) => _classes[o] == _classes[_old.Types.Length + n];

    public void Run(AbiComparisonContext context)
    {
        var done = new HashSet<(string, bool)>();
        foreach (var (o, n) in context.MatchedSymbols)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (!done.Add((o.Name, o.IsFunction)))
            {
                continue; // one report per name, not per version of it
            }

            if (o.IsFunction && n.IsFunction && _old.Functions.TryGetValue(o.Name, out var of) && _new.Functions.TryGetValue(n.Name, out var nf))
            {
                Compare(context, o, n, of, nf);
            }
            else if (!o.IsFunction && !n.IsFunction && _old.Variables.TryGetValue(o.Name, out var ov) && _new.Variables.TryGetValue(n.Name, out var nv))
            {
                Compare(context, o, n, ov, nv);
            }
        }
    }

    private void Compare(AbiComparisonContext context, AbiSymbol oldSymbol, AbiSymbol newSymbol, AbiDeclaration oldDecl, AbiDeclaration newDecl)
    {
        if (Same(oldDecl.Type.Index, newDecl.Type.Index))
        {
            return;
        }

        string declaration = oldDecl.Spelling;
        var nodes = new List<Node>();
        var walk = new AbiTypeWalk(_old, _new, oldSymbol, newSymbol, oldDecl, newDecl, nodes);
        var queue = new Queue<int>();
        var visited = new HashSet<(int, int)>();
        if (oldDecl.IsFunction)
        {
            nodes.Add(new Node(oldDecl.Type.Index, newDecl.Type.Index, -1, oldDecl.Name, Role.Parameter));
            CompareFunction(0);
        }
        else
        {
            nodes.Add(new Node(oldDecl.Type.Index, newDecl.Type.Index, -1, $"{oldDecl.Name} ({oldDecl.Type.Spelling})", Role.Variable));
            visited.Add((oldDecl.Type.Index, newDecl.Type.Index));
            queue.Enqueue(0);
        }

        while (queue.TryDequeue(out int at))
        {
            Visit(at);
        }

        void Report(AbiDiagnosticDescriptor descriptor, int at, string change, bool memberLevel, string? member = null)
        {
            var path = new List<string>();
            for (int i = at; i >= 0; i = nodes[i].Parent)
            {
                path.Add(nodes[i].Label);
            }

            path.Reverse();
            var text = string.Join(" → ", path) + (memberLevel ? " → " : ": ") + change;
            var diagnostic = AbiDiagnostic.Create(descriptor, null, oldSymbol, newSymbol, declaration, text).WithTypeChange(new AbiTypeChange(walk, at, member));
            walk.Diagnostics.Add(diagnostic);
            context.Report(diagnostic);
        }

        void Enqueue(int parent, int o, int n, string label, Role role, string? member = null)
        {
            if (!Same(o, n) && visited.Add((o, n)))
            {
                nodes.Add(new Node(o, n, parent, label, role, member));
                queue.Enqueue(nodes.Count - 1);
            }
        }

        void CompareFunction(int at)
        {
            var node = nodes[at];
            var to = _old.Types[node.Old];
            var tn = _new.Types[node.New];
            var op = to.ParameterIndexes;
            var np = tn.ParameterIndexes;
            if (op.Length != np.Length || to.IsVariadic != tn.IsVariadic)
            {
                Report(AbiTypeDiagnosticIds.ParameterCountChanged, at,
                    $"{Count(op.Length, to.IsVariadic)} → {Count(np.Length, tn.IsVariadic)} ({_old.Spell(node.Old)} → {_new.Spell(node.New)})", false);
            }

            Enqueue(at, to.TargetIndex, tn.TargetIndex, $"return type ({_old.Spell(to.TargetIndex)})", Role.Return);
            for (int i = 0; i < Math.Min(op.Length, np.Length); i++)
            {
                Enqueue(at, op[i], np[i], $"parameter {i + 1} ({_old.Spell(op[i])})", Role.Parameter);
            }
        }

        void Visit(int at)
        {
            var node = nodes[at];
            var to = _old.Types[node.Old];
            var tn = _new.Types[node.New];
            if (Kind(to) != Kind(tn) || !string.Equals(to.Name, tn.Name, StringComparison.Ordinal) || to.Qualifiers != tn.Qualifiers)
            {
                // Only a typedef's name differs (long → ptrdiff_t, sigval_t → __sigval_t), or a parameter's own
                // const/volatile/restrict, which is no part of the function's type (C11 6.7.6.3): the same type once
                // peeled, which abidiff 2.2 calls a harmless change and does not report.
                // When the peeled types still differ but alike, they are compared in turn, so that only a change
                // below is reported.
                bool parameter = node.Role == Role.Parameter && node.Parent >= 0 && _old.Types[nodes[node.Parent].Old].Kind == AbiTypeKind.Function;
                int po = Peel(_old, node.Old, parameter), pn = Peel(_new, node.New, parameter);
                if (Same(po, pn))
                {
                    return;
                }

                if ((po != node.Old || pn != node.New) && Alike(_old.Types[po], _new.Types[pn]))
                {
                    Enqueue(at, po, pn, _old.Spell(po), node.Role);
                    return;
                }

                var id = node.Role switch
                {
                    Role.Return => AbiTypeDiagnosticIds.ReturnTypeChanged,
                    Role.Variable => AbiTypeDiagnosticIds.VariableTypeChanged,
                    Role.Member => AbiTypeDiagnosticIds.MemberTypeChanged,
                    _ => AbiTypeDiagnosticIds.ParameterTypeChanged,
                };
                Report(id, at, $"type {_old.Spell(node.Old)} → {_new.Spell(node.New)}{SizeNote(to.Size, tn.Size)}", false);
                return;
            }

            switch (to.Kind)
            {
                case AbiTypeKind.Pointer or AbiTypeKind.LValueReference or AbiTypeKind.RValueReference or AbiTypeKind.PointerToMember or AbiTypeKind.Qualified:
                    Enqueue(at, to.TargetIndex, tn.TargetIndex, _old.Spell(to.TargetIndex), node.Role);
                    break;
                case AbiTypeKind.Typedef:
                    var ot = _old.Types[to.TargetIndex];
                    var nt = _new.Types[tn.TargetIndex];
                    if (Kind(ot) != Kind(nt) || !string.Equals(ot.Name, nt.Name, StringComparison.Ordinal) || ot.Qualifiers != nt.Qualifiers
                        || (ot.Name is null && _old.Spell(ot.Index) != _new.Spell(nt.Index) && ot.Kind is not (AbiTypeKind.Struct or AbiTypeKind.Class or AbiTypeKind.Union or AbiTypeKind.Enum)))
                    {
                        Report(AbiTypeDiagnosticIds.TypedefRetargeted, at, $"typedef {to.Name} now names {_new.Spell(nt.Index)} instead of {_old.Spell(ot.Index)}{SizeNote(to.Size, tn.Size)}", false);
                        if (to.Size != tn.Size)
                        {
                            Report(AbiTypeDiagnosticIds.TypeSizeChanged, at, $"size {Bytes(to.Size)} → {Bytes(tn.Size)}", false);
                        }
                    }
                    else
                    {
                        Enqueue(at, to.TargetIndex, tn.TargetIndex, _old.Spell(to.TargetIndex), node.Role);
                    }

                    break;
                case AbiTypeKind.Struct or AbiTypeKind.Class or AbiTypeKind.Union:
                    CompareRecord(at, to, tn);
                    break;
                case AbiTypeKind.Enum:
                    CompareEnum(at, to, tn);
                    break;
                case AbiTypeKind.Array:
                    if (!to.Dimensions.SequenceEqual(tn.Dimensions) || to.Size != tn.Size)
                    {
                        Report(AbiTypeDiagnosticIds.TypeSizeChanged, at, $"{_old.Spell(node.Old)} → {_new.Spell(node.New)}{SizeNote(to.Size, tn.Size)}", false);
                    }

                    Enqueue(at, to.TargetIndex, tn.TargetIndex, _old.Spell(to.TargetIndex), node.Role);
                    break;
                case AbiTypeKind.Function:
                    CompareFunction(at);
                    break;
                default:
                    if (to.Size != tn.Size)
                    {
                        Report(AbiTypeDiagnosticIds.TypeSizeChanged, at, $"size {Bytes(to.Size)} → {Bytes(tn.Size)}", false);
                    }

                    break;
            }
        }

        void CompareRecord(int at, AbiType to, AbiType tn)
        {
            if (to.IsDeclarationOnly || tn.IsDeclarationOnly)
            {
                return; // an opaque type on either side: its layout is not part of the interface
            }

            if (to.Size != tn.Size)
            {
                Report(AbiTypeDiagnosticIds.TypeSizeChanged, at, $"size {Bytes(to.Size)} → {Bytes(tn.Size)}", false);
            }

            foreach (var (ob, nb) in Match(to.BaseClasses, tn.BaseClasses, b => _old.BaseName(b.Type), b => _new.BaseName(b.Type)))
            {
                if (nb is null)
                {
                    Report(AbiTypeDiagnosticIds.MemberRemoved, at, $"base class {_old.BaseName(ob!.Type)} removed", true);
                }
                else if (ob is null)
                {
                    Report(AbiTypeDiagnosticIds.MemberInsertedInMiddle, at, $"base class {_new.BaseName(nb.Type)} added at offset {nb.Offset}", true);
                }
                else
                {
                    if (ob.Offset != nb.Offset)
                    {
                        Report(AbiTypeDiagnosticIds.MemberOffsetChanged, at, $"base class {_old.BaseName(ob.Type)}: offset {ob.Offset} → {nb.Offset}", true);
                    }

                    Enqueue(at, ob.TypeIndex, nb.TypeIndex, $"base class {_old.BaseName(ob.Type)}", Role.Member);
                }
            }

            ulong oldEnd = 0;
            foreach (var m in to.Members)
            {
                oldEnd = Math.Max(oldEnd, m.BitOffset + (m.BitSize ?? (m.Type.Size ?? 0) * 8));
            }

            int anonymousOld = 0, anonymousNew = 0;
            foreach (var (om, nm) in Match(to.Members, tn.Members, m => m.Name ?? $"(anonymous {anonymousOld++})", m => m.Name ?? $"(anonymous {anonymousNew++})"))
            {
                if (nm is null)
                {
                    Report(AbiTypeDiagnosticIds.MemberRemoved, at, $"member {MemberName(om!)} ({_old.Spell(om!.TypeIndex)}) removed, was at offset {Offset(om.BitOffset)}", true);
                }
                else if (om is null)
                {
                    bool atEnd = to.Kind == AbiTypeKind.Union || nm.BitOffset >= oldEnd;
                    Report(atEnd ? AbiTypeDiagnosticIds.MemberAddedAtEnd : AbiTypeDiagnosticIds.MemberInsertedInMiddle, at,
                        $"member {MemberName(nm)} ({_new.Spell(nm.TypeIndex)}) added {(atEnd ? "at the end, " : string.Empty)}at offset {Offset(nm.BitOffset)}", true);
                }
                else
                {
                    if (om.BitOffset != nm.BitOffset)
                    {
                        Report(AbiTypeDiagnosticIds.MemberOffsetChanged, at, $"member {MemberName(om)}: offset {Offset(om.BitOffset)} → {Offset(nm.BitOffset)}", true, om.Name);
                    }

                    if (om.BitSize != nm.BitSize)
                    {
                        Report(AbiTypeDiagnosticIds.MemberTypeChanged, at, $"member {MemberName(om)}: bit-field width {om.BitSize?.ToString(CultureInfo.InvariantCulture) ?? "(none)"} → {nm.BitSize?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}", true, om.Name);
                    }

                    Enqueue(at, om.TypeIndex, nm.TypeIndex, $"member {MemberName(om)} ({_old.Spell(om.TypeIndex)})", Role.Member, om.Name);
                }
            }

            var ov = to.VirtualFunctions;
            var nv = tn.VirtualFunctions;
            foreach (var (o, n) in Match(ov, nv, v => v.LinkageName ?? v.Name, v => v.LinkageName ?? v.Name))
            {
                if (n is null)
                {
                    Report(AbiTypeDiagnosticIds.VirtualTableChanged, at, $"virtual function {o!.Name} removed from slot {o.Slot}", true);
                }
                else if (o is null)
                {
                    Report(AbiTypeDiagnosticIds.VirtualTableChanged, at, $"virtual function {n.Name} added at slot {n.Slot}", true);
                }
                else if (o.Slot != n.Slot)
                {
                    Report(AbiTypeDiagnosticIds.VirtualTableChanged, at, $"virtual function {o.Name}: slot {o.Slot} → {n.Slot}", true);
                }
            }
        }

        void CompareEnum(int at, AbiType to, AbiType tn)
        {
            if (to.IsDeclarationOnly || tn.IsDeclarationOnly)
            {
                return;
            }

            if (to.Size != tn.Size)
            {
                Report(AbiTypeDiagnosticIds.TypeSizeChanged, at, $"size {Bytes(to.Size)} → {Bytes(tn.Size)}", false);
            }

            foreach (var (o, n) in Match(to.Enumerators, tn.Enumerators, e => e.Name, e => e.Name))
            {
                if (n is null)
                {
                    Report(AbiTypeDiagnosticIds.EnumeratorRemoved, at, $"enumerator {o!.Name} (= {o.Value}) removed", true);
                }
                else if (o is null)
                {
                    Report(AbiTypeDiagnosticIds.EnumeratorAdded, at, $"enumerator {n.Name} (= {n.Value}) added", true);
                }
                else if (o.Value != n.Value)
                {
                    Report(AbiTypeDiagnosticIds.EnumeratorValueChanged, at, $"enumerator {o.Name}: value {o.Value} → {n.Value}", true);
                }
            }
        }
    }

    /// <summary>Pairs items by key, old order first, then the new items no old item matched.</summary>
    private static List<(T? Old, T? New)> Match<T>(IReadOnlyList<T> old, IReadOnlyList<T> @new, Func<T, string> oldKey, Func<T, string> newKey)
        where T : class
    {
        var byKey = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var n in @new)
        {
            byKey.TryAdd(newKey(n), n);
        }

        var result = new List<(T?, T?)>();
        var matched = new HashSet<T>(ReferenceEqualityComparer.Instance);
        foreach (var o in old)
        {
            if (byKey.Remove(oldKey(o), out var n))
            {
                matched.Add(n);
                result.Add((o, n));
            }
            else
            {
                result.Add((o, null));
            }
        }

        foreach (var n in @new)
        {
            if (!matched.Contains(n))
            {
                result.Add((null, n));
            }
        }

        return result;
    }

    private static string MemberName(AbiMember m) => m.Name ?? "(anonymous)";

    private static AbiTypeKind Kind(AbiType t) => t.Kind == AbiTypeKind.Class ? AbiTypeKind.Struct : t.Kind;

    private static bool Alike(AbiType a, AbiType b) => Kind(a) == Kind(b) && string.Equals(a.Name, b.Name, StringComparison.Ordinal) && a.Qualifiers == b.Qualifiers;

    /// <summary>The type a chain of typedefs (and, with <paramref name="qualifiers"/>, of qualifiers) names; bounded, as a hostile graph may loop.</summary>
    private static int Peel(AbiTypeGraph graph, int index, bool qualifiers)
    {
        for (int hops = 0; hops < 64 && graph.Types[index] is { TargetIndex: >= 0 } t && (t.Kind == AbiTypeKind.Typedef || (qualifiers && t.Kind == AbiTypeKind.Qualified)); hops++)
        {
            index = t.TargetIndex;
        }

        return index;
    }

    private static string Count(int parameters, bool variadic) => string.Create(CultureInfo.InvariantCulture, $"{parameters} parameter{(parameters == 1 ? string.Empty : "s")}{(variadic ? " and ..." : string.Empty)}");

    private static string Offset(ulong bits) => bits % 8 == 0 ? (bits / 8).ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{bits / 8} (bit {bits})");

    private static string Bytes(ulong? size) => size is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s} bytes") : "unknown";

    private static string SizeNote(ulong? oldSize, ulong? newSize) => oldSize != newSize && oldSize is not null && newSize is not null
        ? string.Create(CultureInfo.InvariantCulture, $", size {oldSize} → {newSize} bytes")
        : string.Empty;

    /// <summary>
    /// Writes a type's local key (kind, name, size, layout) into <paramref name="key"/>; returns its children, offset
    /// into the union of two graphs by <paramref name="offset"/>.
    /// </summary>
    private static int[] Key(AbiType t, int offset, StringBuilder key, List<int> children)
    {
        key.Clear();
        children.Clear();
        key.Append((int)Kind(t)).Append('|').Append(t.Name).Append('|').Append(t.Size).Append('|').Append((int)t.Qualifiers).Append(t.IsDeclarationOnly ? "|d" : "|").Append(t.IsVariadic ? "|v" : "|");
        if (t.TargetIndex >= 0)
        {
            children.Add(t.TargetIndex + offset);
        }

        AbiTypeGraphBuilder.AppendLayout(key,
            t.Members.IsEmpty ? null : t.Members.Select(m => (m.Name, m.TypeIndex + offset, m.BitOffset, m.BitSize)),
            t.BaseClasses.IsEmpty ? null : t.BaseClasses.Select(b => (b.TypeIndex + offset, b.Offset, b.IsVirtual)),
            t.VirtualFunctions.IsEmpty ? null : t.VirtualFunctions,
            t.Enumerators.IsEmpty ? null : t.Enumerators,
            t.Dimensions.IsEmpty ? null : t.Dimensions,
            t.Kind == AbiTypeKind.Function ? t.ParameterIndexes.Select(p => p + offset) : null,
            children);
        return children.Count == 0 ? [] : [.. children];
    }
}
