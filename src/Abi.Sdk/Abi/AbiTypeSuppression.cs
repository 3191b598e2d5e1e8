using System.Globalization;
using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// The walk of one exported function or variable by the type comparison: the pairs of types visited (a tree, each
/// node knowing its parent) and the ABI2xxx diagnostics reported on them. Suppressions read it to decide whether a
/// diagnostic is reached through a suppressed type, and whether a size change only follows from suppressed changes.
/// </summary>
internal sealed class AbiTypeWalk
{
    private readonly List<AbiTypeComparison.Node> _nodes;

    public AbiTypeWalk(AbiTypeGraph oldTypes, AbiTypeGraph newTypes, AbiSymbol oldSymbol, AbiSymbol newSymbol, AbiDeclaration oldDeclaration, AbiDeclaration newDeclaration, List<AbiTypeComparison.Node> nodes)
    {
        OldSymbol = oldSymbol;
        NewSymbol = newSymbol;
        OldTypes = oldTypes;
        NewTypes = newTypes;
        OldDeclaration = oldDeclaration;
        NewDeclaration = newDeclaration;
        _nodes = nodes;
    }

    public AbiSymbol OldSymbol { get; }

    public AbiSymbol NewSymbol { get; }

    public AbiTypeGraph OldTypes { get; }

    public AbiTypeGraph NewTypes { get; }

    public AbiDeclaration OldDeclaration { get; }

    public AbiDeclaration NewDeclaration { get; }

    /// <summary>The diagnostics reported during the walk, in report order.</summary>
    public List<AbiDiagnostic> Diagnostics { get; } = [];

    public int Parent(int node) => _nodes[node].Parent;

    /// <summary>The data member a node is the type of (its name), or null when the node is not a member's type.</summary>
    public string? Member(int node) => _nodes[node].Member;

    public AbiType Old(int node) => OldTypes.Types[_nodes[node].Old];

    public AbiType New(int node) => NewTypes.Types[_nodes[node].New];

    /// <summary>True when <paramref name="node"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public bool IsUnder(int node, int ancestor)
    {
        for (int i = node; i >= 0; i = _nodes[i].Parent)
        {
            if (i == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Where a type-level diagnostic was reported: its walk, the node (a pair of types) it is about, and for a change of
/// one data member reported on its struct (its offset, its bit-field width), the member's name.
/// </summary>
internal sealed record AbiTypeChange(AbiTypeWalk Walk, int At, string? Member = null)
{
    /// <summary>
    /// True for a change libabigail keeps in a child diff node of the type at <see cref="At"/> (a data member's
    /// change), false for one local to that type (its size, an inserted or removed member, an enumerator).
    /// </summary>
    public bool IsMemberChange => Member is not null;

    /// <summary>
    /// The data members on the path, innermost last, as libabigail's variable diffs see them: the qualified name
    /// (<c>R::a</c>) and the member's old and new types.
    /// </summary>
    public IEnumerable<(string Name, AbiType Old, AbiType New)> Members()
    {
        var list = new List<(string, AbiType, AbiType)>();
        if (Member is { } own)
        {
            var (o, n) = (Walk.Old(At), Walk.New(At));
            if (o.Members.FirstOrDefault(m => m.Name == own) is { } om && n.Members.FirstOrDefault(m => m.Name == own) is { } nm)
            {
                list.Add((Qualify(o, own), om.Type, nm.Type));
            }
        }

        for (int node = At; node >= 0; node = Walk.Parent(node))
        {
            if (Walk.Member(node) is { } member && Walk.Parent(node) is var parent and >= 0)
            {
                list.Add((Qualify(Walk.Old(parent), member), Walk.Old(node), Walk.New(node)));
            }
        }

        return list;

        static string Qualify(AbiType record, string member) => record.Name is { } name ? name + "::" + member : member;
    }
}

/// <summary>How libabigail names types and matches them, for <c>[suppress_type]</c> and the type keys of <c>[suppress_function]</c>/<c>[suppress_variable]</c>.</summary>
internal static class AbiTypeNames
{
    private const int MaxDepth = 32;

    // Depth alone does not bound the work: function types whose parameters are function pointers fan out. Past this
    // many steps a name is cut with "…" (no real type comes near it; a crafted one cannot make matching slow).
    private const int MaxCalls = 4096;

    /// <summary>
    /// The name libabigail gives a type (<c>get_name</c> / <c>get_qualified_name</c>), which suppressions match: a
    /// struct, union, enum or typedef by its qualified name without keyword (<c>S</c>, <c>ns::Q</c>), a pointer
    /// <c>S*</c>, a reference <c>ns::Q&amp;</c>, <c>const int</c>, <c>char* const</c>, an array <c>int[4]</c>, a
    /// function type <c>int (S*)</c>.
    /// </summary>
    public static string Of(AbiType type) => Names.GetValue(type, t =>
    {
        int budget = MaxCalls;
        return Of(t, 0, ref budget);
    });

    // Suppressions ask for the same types' names for every section and diagnostic: computed once per type.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AbiType, string> Names = new();

    private static string Of(AbiType t, int depth, ref int budget)
    {
        if (depth > MaxDepth || --budget < 0)
        {
            return "…";
        }

        switch (t.Kind)
        {
            case AbiTypeKind.Void:
                return "void";
            case AbiTypeKind.Pointer:
                return Target(t, depth, ref budget) + "*";
            case AbiTypeKind.LValueReference:
                return Target(t, depth, ref budget) + "&";
            case AbiTypeKind.RValueReference:
                return Target(t, depth, ref budget) + "&&";
            case AbiTypeKind.PointerToMember:
                return Target(t, depth, ref budget) + "::*";
            case AbiTypeKind.Qualified:
                var q = AbiTypeGraph.Qualifiers(t.Qualifiers);
                var target = t.Target;
                return target is { Kind: AbiTypeKind.Pointer or AbiTypeKind.LValueReference or AbiTypeKind.RValueReference or AbiTypeKind.PointerToMember }
                    ? Target(t, depth, ref budget) + " " + q
                    : q + " " + Target(t, depth, ref budget);
            case AbiTypeKind.Array:
                return Target(t, depth, ref budget) + string.Concat(t.Dimensions.Select(d => d is { } n ? string.Create(CultureInfo.InvariantCulture, $"[{n}]") : "[]"));
            case AbiTypeKind.Function:
                var ps = new List<string>();
                foreach (var p in t.Parameters)
                {
                    ps.Add(Of(p, depth + 1, ref budget));
                }

                if (t.IsVariadic)
                {
                    ps.Add("...");
                }

                return Target(t, depth, ref budget) + " (" + string.Join(", ", ps) + ")";
            default:
                return t.Name ?? string.Empty;
        }
    }

    private static string Target(AbiType t, int depth, ref int budget) => t.Target is { } target ? Of(target, depth + 1, ref budget) : "void";

    /// <summary>The type with its qualifiers (const, volatile…) removed.</summary>
    public static AbiType PeelQualifiers(AbiType t)
    {
        for (int i = 0; i < MaxDepth && t.Kind == AbiTypeKind.Qualified && t.Target is { } target; i++)
        {
            t = target;
        }

        return t;
    }

    /// <summary>The type with its typedefs removed (libabigail's <c>peel_typedef_type</c>).</summary>
    public static AbiType PeelTypedefs(AbiType t)
    {
        for (int i = 0; i < MaxDepth && t.Kind == AbiTypeKind.Typedef && t.Target is { } target; i++)
        {
            t = target;
        }

        return t;
    }

    /// <summary>
    /// A function's parameters without the artificial <c>this</c> of a C++ member function (libabigail counts
    /// parameters "from the first non-implicit one"). The model does not record DW_AT_artificial, so <c>this</c> is
    /// recognised as a first parameter that points to the class the function's qualified name says it belongs to.
    /// </summary>
    public static IReadOnlyList<AbiType> ExplicitParameters(AbiDeclaration declaration)
    {
        var parameters = declaration.Type.Parameters;
        int scope = declaration.Name.LastIndexOf("::", StringComparison.Ordinal);
        if (parameters.Length > 0 && scope > 0 && PeelQualifiers(parameters[0]) is { Kind: AbiTypeKind.Pointer, Target: { } pointee }
            && PeelQualifiers(pointee) is { Kind: AbiTypeKind.Struct or AbiTypeKind.Class or AbiTypeKind.Union, Name: { } owner }
            && string.Equals(owner, declaration.Name[..scope], StringComparison.Ordinal))
        {
            return parameters[1..];
        }

        return parameters;
    }
}

/// <summary>A boundary of a <c>has_data_member_inserted_*</c> range: a bit offset, <c>end</c>, or <c>offset_of(m)</c> / <c>offset_after(m)</c>.</summary>
internal sealed record AbiInsertionBoundary(ulong? Value, string? Function, string? Member)
{
    public const ulong End = ulong.MaxValue;

    /// <summary>Parses <c>end</c>, a decimal bit offset, <c>offset_of(m)</c> or <c>offset_after(m)</c>.</summary>
    public static AbiInsertionBoundary Parse(string text)
    {
        text = text.Trim();
        if (text == "end")
        {
            return new(End, null, null);
        }

        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            // libabigail reads the leading digits (atoi); trailing garbage is ignored there, refused here.
            if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
            {
                throw new ArgumentException($"'{text}' is not a bit offset", nameof(text));
            }

            return new(bits, null, null);
        }

        int open = text.IndexOf('(', StringComparison.Ordinal);
        if (open > 0 && text[^1] == ')')
        {
            var function = text[..open].Trim();
            var member = text[(open + 1)..^1].Trim();
            if (function is "offset_of" or "offset_after" && member.Length > 0)
            {
                return new(null, function, member);
            }
        }

        throw new ArgumentException($"'{text}' is not an insertion point (a bit offset, end, offset_of(member) or offset_after(member))", nameof(text));
    }

    /// <summary>The value in the context of the old class, or null when the member named is not in it.</summary>
    public ulong? Evaluate(AbiType klass)
    {
        if (Value is { } v)
        {
            return v;
        }

        var members = klass.Members;
        for (int i = 0; i < members.Length; i++)
        {
            if (members[i].Name != Member)
            {
                continue;
            }

            if (Function == "offset_of")
            {
                return members[i].BitOffset;
            }

            return i + 1 < members.Length ? members[i + 1].BitOffset : members[i].BitOffset + ((members[i].Type.Size ?? 0) * 8);
        }

        return null;
    }
}

/// <summary>A <c>has_data_member_inserted_*</c> range of bit offsets, both ends included.</summary>
internal sealed record AbiInsertionRange(AbiInsertionBoundary Begin, AbiInsertionBoundary End)
{
    /// <summary>Parses <c>{8, 16}</c> (one range) or <c>{{0, 8}, {64, end}}</c> (several).</summary>
    public static List<AbiInsertionRange> ParseList(string text, bool several)
    {
        var t = text.Trim();
        if (t.Length < 2 || t[0] != '{' || t[^1] != '}')
        {
            throw new ArgumentException($"'{text}' is not a range list like {{8, 16}} or {{{{0, 8}}, {{64, end}}}}", nameof(text));
        }

        var inner = t[1..^1].Trim();
        var result = new List<AbiInsertionRange>();
        if (!several)
        {
            result.Add(ParsePair(inner, text));
            return result;
        }

        int at = 0;
        while (at < inner.Length)
        {
            int open = inner.IndexOf('{', at);
            int close = open < 0 ? -1 : inner.IndexOf('}', open);
            if (open < 0 || close < 0 || inner[at..open].Trim().Trim(',').Trim().Length > 0)
            {
                throw new ArgumentException($"'{text}' is not a range list like {{{{0, 8}}, {{64, end}}}}", nameof(text));
            }

            result.Add(ParsePair(inner[(open + 1)..close], text));
            at = close + 1;
            while (at < inner.Length && (inner[at] == ',' || char.IsWhiteSpace(inner[at])))
            {
                at++;
            }
        }

        if (result.Count == 0)
        {
            throw new ArgumentException($"'{text}' holds no range", nameof(text));
        }

        return result;
    }

    private static AbiInsertionRange ParsePair(string pair, string text)
    {
        // A boundary may be offset_of(m), whose parentheses hold no comma, so the one comma outside them splits.
        int comma = pair.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0 || pair.IndexOf(',', comma + 1) >= 0)
        {
            throw new ArgumentException($"'{text}': a range has two boundaries, {{begin, end}}", nameof(text));
        }

        return new(AbiInsertionBoundary.Parse(pair[..comma]), AbiInsertionBoundary.Parse(pair[(comma + 1)..]));
    }

    /// <summary>libabigail's <c>is_data_member_offset_in_range</c>, evaluated in the context of the old class.</summary>
    public bool Contains(ulong bitOffset, AbiType oldClass)
    {
        if (Begin.Evaluate(oldClass) is not { } begin || End.Evaluate(oldClass) is not { } end || begin > end)
        {
            return false;
        }

        if (begin == AbiInsertionBoundary.End && end == AbiInsertionBoundary.End)
        {
            // "has_data_member_inserted_at = end": after the last old member (by offset of its start).
            return oldClass.Members.IsEmpty || bitOffset > oldClass.Members[^1].BitOffset;
        }

        return bitOffset >= begin && bitOffset <= end;
    }
}
