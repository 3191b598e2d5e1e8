using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Abi.Sdk.Abi;

/// <summary>The section kinds of a libabigail suppression file that Abi.Sdk applies.</summary>
public enum AbiSuppressionKind
{
    /// <summary><c>[suppress_function]</c>: changes to function symbols.</summary>
    Function,

    /// <summary><c>[suppress_variable]</c>: changes to data symbols.</summary>
    Variable,

    /// <summary><c>[suppress_file]</c>: every change of a matching file.</summary>
    File,

    /// <summary><c>[suppress_type]</c>: type-level changes (ABI2xxx) reached through a matching type.</summary>
    Type,
}

/// <summary>A problem in a suppression file that does not stop it from being used (an unknown key or section).</summary>
/// <param name="Line">The 1-based line.</param>
/// <param name="Message">What is wrong.</param>
public sealed record AbiSuppressionWarning(int Line, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"line {Line}: {Message}";
}

/// <summary>
/// One section of a libabigail suppression file applied as abidiff 2.2 applies it.
/// <para><c>[suppress_function]</c> and <c>[suppress_variable]</c>: <c>label</c>, <c>name</c>, <c>name_regexp</c>,
/// <c>name_not_regexp</c>, <c>symbol_name</c>, <c>symbol_name_regexp</c>, <c>symbol_name_not_regexp</c>,
/// <c>symbol_version</c>, <c>symbol_version_regexp</c>, <c>change_kind</c>, <c>parameter</c> (<c>'N TYPE</c> or
/// <c>'N /REGEX/</c>, N counted from the first parameter that is not <c>this</c>), <c>return_type_name</c>,
/// <c>return_type_regexp</c>, <c>type_name</c>, <c>type_name_regexp</c> (a variable's type), <c>allow_other_aliases</c>,
/// <c>drop</c>, and the file keys. Where the debug information declares the function or variable (types were read:
/// <see cref="AbiTypeGraph"/>), every key present must match its declaration (the name keys its qualified name, the
/// type keys the types as libabigail names them: <c>S*</c>, <c>const char*</c>), for symbol-level changes and for the
/// type changes behind it (ABI2xxx, which count as <c>function-subtype-change</c>/<c>variable-subtype-change</c>).
/// Without a declaration, as in abidiff, an ELF symbol is selected only by <c>symbol_name</c>/<c>symbol_name_regexp</c>
/// and <c>symbol_version</c>/<c>symbol_version_regexp</c>, and a section with debug-info keys matches nothing.</para>
/// <para><c>[suppress_type]</c>: <c>label</c>, <c>name</c>, <c>name_regexp</c>, <c>name_not_regexp</c>,
/// <c>type_kind</c> (class, struct, union, enum, array, typedef, builtin), <c>accessed_through</c> (direct, pointer,
/// reference, reference-or-pointer), <c>has_data_member_inserted_at</c>, <c>has_data_member_inserted_between</c>,
/// <c>has_data_members_inserted_between</c> (bit offsets, <c>end</c>, <c>offset_of(m)</c>, <c>offset_after(m)</c>),
/// <c>changed_enumerators</c> (with <c>type_kind = enum</c>), <c>drop</c>, and the file keys. A type diagnostic is
/// suppressed when a type on its path from the symbol matches (its name, or the name under its typedefs). A
/// <c>[suppress_variable]</c> also matches the data members on the path (libabigail's data members are variables:
/// <c>R::a</c>). The comparer then hides a struct or union whose members' changes are all suppressed, with its own
/// changes (its size, inserted members), as libabigail's categorisation does. <c>source_location_not_in</c> (file
/// names, comma-separated) and <c>source_location_not_regexp</c> keep the types declared in those files
/// (<see cref="AbiType.DeclarationFile"/>) and those with no declaration file. Keys later than abidiff 2.2 make a
/// section match nothing, with a warning. Type suppressions never hide symbol-level changes (abidiff keeps "size of symbol changed").</para>
/// <para><c>[suppress_file]</c>: every change of a matching file.</para>
/// Regular expressions are POSIX-like and unanchored, as in libabigail; a pattern may be at most
/// <see cref="MaxPatternLength"/> characters and a match that runs past <see cref="MatchTimeout"/> fails the comparison
/// with an <see cref="AbiConfigurationFormatException"/>, so no pattern can hang it. Immutable.
/// </summary>
public sealed class AbiSuppression
{
    internal static readonly ImmutableHashSet<string> SymbolKeys = ImmutableHashSet.Create(StringComparer.Ordinal,
        "label", "name", "name_regexp", "name_not_regexp", "symbol_name", "symbol_name_regexp", "symbol_name_not_regexp",
        "symbol_version", "symbol_version_regexp", "change_kind", "file_name_regexp", "file_name_not_regexp", "soname_regexp", "soname_not_regexp", "drop",
        "parameter", "return_type_name", "return_type_regexp", "type_name", "type_name_regexp", "allow_other_aliases");

    internal static readonly ImmutableHashSet<string> TypeKeys = ImmutableHashSet.Create(StringComparer.Ordinal,
        "label", "name", "name_regexp", "name_not_regexp", "type_kind", "accessed_through", "has_data_member_inserted_at",
        "has_data_member_inserted_between", "has_data_members_inserted_between", "changed_enumerators", "drop", "drop_artifact",
        "file_name_regexp", "file_name_not_regexp", "soname_regexp", "soname_not_regexp", "source_location_not_in", "source_location_not_regexp");

    // libabigail [suppress_type] keys the model cannot evaluate (later than abidiff 2.2, or needing what the model
    // leaves out): a section using one matches nothing rather than too much.
    internal static readonly ImmutableHashSet<string> UnsupportedTypeKeys = ImmutableHashSet.Create(StringComparer.Ordinal,
        "has_size_change", "has_data_member", "has_data_member_regexp",
        "has_strict_flexible_array_data_member_conversion", "changed_enumerators_regexp");

    internal static readonly ImmutableHashSet<string> FileKeys = ImmutableHashSet.Create(StringComparer.Ordinal,
        "label", "file_name_regexp", "file_name_not_regexp", "soname_regexp", "soname_not_regexp");

    // libabigail keys that need debug info (types, parameters): a section using them never matches an ELF symbol.
    internal static readonly ImmutableHashSet<string> DebugInfoKeys = ImmutableHashSet.Create(StringComparer.Ordinal,
        "parameter", "return_type_name", "return_type_regexp", "type_name", "type_name_regexp", "allow_other_aliases");

    /// <summary>The longest regular expression accepted: 64 Ki characters (real ones are a few hundred at most).</summary>
    public const int MaxPatternLength = 64 << 10;

    /// <summary>How long one regular-expression match may run before the comparison fails with a clear error.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    private readonly Regex? _name, _nameNot, _symbolName, _symbolNameNot, _symbolVersion, _fileName, _fileNameNot, _soname, _sonameNot;
    private readonly Regex? _returnType, _typeNameRegex;
    private readonly string? _returnTypeName, _typeName, _typeKind, _accessedThrough;
    private readonly List<(int Index, string? Name, Regex? Pattern)> _parameters = [];
    private readonly List<AbiInsertionRange> _insertionRanges = [];
    private readonly HashSet<string> _changedEnumerators = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locationsToKeep = new(StringComparer.Ordinal);
    private readonly Regex? _locationToKeep;
    private readonly bool _unsupported;

    /// <summary>Creates a suppression from its properties.</summary>
    /// <param name="kind">The section kind.</param>
    /// <param name="properties">The keys and values in file order.</param>
    /// <exception cref="ArgumentException">A regular expression is invalid or <c>change_kind</c> is unknown.</exception>
    public AbiSuppression(AbiSuppressionKind kind, IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        Kind = kind;
        Properties = [.. properties];
        string? Get(string key) => Properties.LastOrDefault(p => p.Key == key).Value;
        Label = Get("label");
        Name = Get("name");
        SymbolName = Get("symbol_name");
        SymbolVersion = Get("symbol_version");
        ChangeKind = Get("change_kind");
        _name = Compile(Get("name_regexp"));
        _nameNot = Compile(Get("name_not_regexp"));
        _symbolName = Compile(Get("symbol_name_regexp"));
        _symbolNameNot = Compile(Get("symbol_name_not_regexp"));
        _symbolVersion = Compile(Get("symbol_version_regexp"));
        _fileName = Compile(Get("file_name_regexp"));
        _fileNameNot = Compile(Get("file_name_not_regexp"));
        _soname = Compile(Get("soname_regexp"));
        _sonameNot = Compile(Get("soname_not_regexp"));
        NeedsDebugInfo = kind == AbiSuppressionKind.Type || Properties.Any(p => DebugInfoKeys.Contains(p.Key));
        if (ChangeKind is not null && ParseChangeKind(ChangeKind) is null)
        {
            throw new ArgumentException($"unknown change_kind '{ChangeKind}'", nameof(properties));
        }

        _returnTypeName = Get("return_type_name");
        _returnType = Compile(Get("return_type_regexp"));
        _typeName = Get("type_name");
        _typeNameRegex = Compile(Get("type_name_regexp"));
        foreach (var (key, value) in Properties)
        {
            if (key == "parameter")
            {
                _parameters.Add(ParseParameter(value));
            }
        }

        if (kind != AbiSuppressionKind.Type)
        {
            return;
        }

        _typeKind = Get("type_kind");
        if (_typeKind is not (null or "class" or "struct" or "union" or "enum" or "array" or "typedef" or "builtin"))
        {
            throw new ArgumentException($"unknown type_kind '{_typeKind}' (class, struct, union, enum, array, typedef, builtin)", nameof(properties));
        }

        _accessedThrough = Get("accessed_through");
        if (_accessedThrough is not (null or "direct" or "pointer" or "reference" or "reference-or-pointer"))
        {
            throw new ArgumentException($"unknown accessed_through '{_accessedThrough}' (direct, pointer, reference, reference-or-pointer)", nameof(properties));
        }

        if (Get("has_data_member_inserted_at") is { } at)
        {
            _insertionRanges.Add(new AbiInsertionRange(AbiInsertionBoundary.Parse(at), new AbiInsertionBoundary(AbiInsertionBoundary.End, null, null)));
        }

        if (Get("has_data_member_inserted_between") is { } between)
        {
            _insertionRanges.AddRange(AbiInsertionRange.ParseList(between, several: false));
        }

        if (Get("has_data_members_inserted_between") is { } ranges)
        {
            _insertionRanges.AddRange(AbiInsertionRange.ParseList(ranges, several: true));
        }

        if (Get("changed_enumerators") is { } enumerators)
        {
            _changedEnumerators.UnionWith(enumerators.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        // libabigail reads "a.h, b.h" as a list property: a type declared in any of them is kept.
        if (Get("source_location_not_in") is { } keep)
        {
            _locationsToKeep.UnionWith(keep.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        _locationToKeep = Compile(Get("source_location_not_regexp"));
        _unsupported = Properties.Any(p => UnsupportedTypeKeys.Contains(p.Key));
    }

    private static (int, string?, Regex?) ParseParameter(string value)
    {
        // libabigail's syntax: 'N TYPE-NAME, or 'N /REGEX/ (the quote marks the index).
        var v = value.Trim();
        int space = v.IndexOfAny([' ', '\t']);
        if (v.Length < 2 || v[0] != '\'' || space < 0 || !int.TryParse(v.AsSpan(1, space - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            throw new ArgumentException($"parameter '{value}' is not 'N TYPE-NAME or 'N /REGEX/", nameof(value));
        }

        var type = v[(space + 1)..].Trim();
        return type.Length >= 2 && type[0] == '/' && type[^1] == '/' ? (index, null, Compile(type[1..^1])) : (index, type, null);
    }

    /// <summary>The section kind.</summary>
    public AbiSuppressionKind Kind { get; }

    /// <summary>The section's keys and values, in file order (what <see cref="AbiSuppressionFile.ToText()"/> writes back).</summary>
    public ImmutableArray<KeyValuePair<string, string>> Properties { get; }

    /// <summary>The <c>label</c>, if any.</summary>
    public string? Label { get; }

    /// <summary>The <c>name</c>, if any.</summary>
    public string? Name { get; }

    /// <summary>The <c>symbol_name</c>, if any.</summary>
    public string? SymbolName { get; }

    /// <summary>The <c>symbol_version</c>, if any.</summary>
    public string? SymbolVersion { get; }

    /// <summary>The <c>change_kind</c>, if any.</summary>
    public string? ChangeKind { get; }

    /// <summary>
    /// True for a <c>[suppress_type]</c>, and for a section with keys about types (<c>parameter</c>,
    /// <c>return_type_name</c>, <c>type_name</c>…): it matches only declarations read from debug information, never
    /// an ELF symbol alone.
    /// </summary>
    public bool NeedsDebugInfo { get; }

    /// <summary>The section header, <c>[suppress_function]</c>…</summary>
    public string SectionName => AbiSuppressionFile.SectionName(Kind);

    /// <summary>Whether this suppression hides <paramref name="diagnostic"/> of the comparison of the two surfaces.</summary>
    /// <param name="diagnostic">The diagnostic.</param>
    /// <param name="oldSurface">The old library.</param>
    /// <param name="newSurface">The new library.</param>
    /// <returns>True when suppressed.</returns>
    public bool Suppresses(AbiDiagnostic diagnostic, AbiSurface oldSurface, AbiSurface newSurface)
        => Suppresses(diagnostic, oldSurface, newSurface, null, null);

    /// <summary>
    /// Whether this suppression hides <paramref name="diagnostic"/>, with the types of both libraries: a symbol-level
    /// change of a function or variable the debug information declares is matched by its declaration, as abidiff does.
    /// </summary>
    /// <param name="diagnostic">The diagnostic.</param>
    /// <param name="oldSurface">The old library.</param>
    /// <param name="newSurface">The new library.</param>
    /// <param name="oldTypes">The old library's types, if read.</param>
    /// <param name="newTypes">The new library's types, if read.</param>
    /// <returns>True when suppressed.</returns>
    public bool Suppresses(AbiDiagnostic diagnostic, AbiSurface oldSurface, AbiSurface newSurface, AbiTypeGraph? oldTypes, AbiTypeGraph? newTypes)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        ArgumentNullException.ThrowIfNull(oldSurface);
        ArgumentNullException.ThrowIfNull(newSurface);
        if (!FileMatches(oldSurface, newSurface))
        {
            return false;
        }

        if (Kind == AbiSuppressionKind.File)
        {
            return true;
        }

        if (diagnostic.TypeChange is { } change)
        {
            return Kind == AbiSuppressionKind.Type ? SuppressesPath(change) : SuppressesSubtypeChange(change);
        }

        if (Kind == AbiSuppressionKind.Type)
        {
            // abidiff keeps "size of symbol changed" of a variable whose type a [suppress_type] hides.
            return false;
        }

        if (diagnostic.Symbol is { } declared && (Kind == AbiSuppressionKind.Function) == declared.IsFunction
            && Declaration(diagnostic, oldTypes, newTypes) is { } declaration)
        {
            return (ChangeKind is null || ParseChangeKind(ChangeKind) is not { } kinds || kinds.Contains(diagnostic.Descriptor.Category))
                && DeclarationMatches(declaration, declared);
        }

        if (NeedsDebugInfo)
        {
            return false;
        }

        var symbol = diagnostic.Symbol;
        if (symbol is null || (Kind == AbiSuppressionKind.Function) != symbol.IsFunction)
        {
            return false;
        }

        if (ChangeKind is not null && ParseChangeKind(ChangeKind) is { } categories && !categories.Contains(diagnostic.Descriptor.Category))
        {
            return false;
        }

        // libabigail's rule for ELF symbols: only the symbol_name* and symbol_version* keys select them, and a section
        // without any of them matches none (name, name_regexp and name_not_regexp select declarations from debug info).
        if (!SelectsSymbols)
        {
            return false;
        }

        if (SymbolName is not null ? SymbolName != symbol.Name : _symbolName is not null && !IsMatch(_symbolName, symbol.Name))
        {
            return false;
        }

        if (_symbolNameNot is not null && IsMatch(_symbolNameNot, symbol.Name))
        {
            return false;
        }

        var version = symbol.Version ?? string.Empty;
        return SymbolVersion is not null ? SymbolVersion == version : _symbolVersion is null || IsMatch(_symbolVersion, version);
    }

    /// <summary>
    /// Whether the section selects ELF symbols at all: it has <c>symbol_name</c>, <c>symbol_name_regexp</c>,
    /// <c>symbol_version</c> or <c>symbol_version_regexp</c>. As in abidiff, a <c>[suppress_function]</c> or
    /// <c>[suppress_variable]</c> without them matches no symbol.
    /// </summary>
    public bool SelectsSymbols => SymbolName is not null || _symbolName is not null || SymbolVersion is not null || _symbolVersion is not null;

    /// <summary>
    /// Whether the section selects declarations from debug information: it has <c>name</c>, <c>name_regexp</c>,
    /// <c>name_not_regexp</c> or a type key. Such a section matches the functions and variables of libraries whose types
    /// were read; a section that selects neither symbols nor declarations matches every declaration, as in abidiff.
    /// </summary>
    public bool SelectsDeclarations => Name is not null || _name is not null || _nameNot is not null || NeedsDebugInfo;

    private static AbiDeclaration? Declaration(AbiDiagnostic diagnostic, AbiTypeGraph? oldTypes, AbiTypeGraph? newTypes)
    {
        static AbiDeclaration? Find(AbiSymbol? symbol, AbiTypeGraph? graph)
            => symbol is null || graph is not { HasDebugInfo: true } ? null
            : (symbol.IsFunction ? graph.Functions : graph.Variables).GetValueOrDefault(symbol.Name);

        return Find(diagnostic.OldSymbol, oldTypes) ?? Find(diagnostic.NewSymbol, newTypes);
    }

    private bool SuppressesSubtypeChange(AbiTypeChange change)
    {
        // A type change behind a function or variable is libabigail's function-subtype-change / variable-subtype-change.
        if (ChangeKind is not null && ParseChangeKind(ChangeKind) is { } kinds && !kinds.Contains(AbiChangeCategory.Changed))
        {
            return false;
        }

        var walk = change.Walk;
        if ((Kind == AbiSuppressionKind.Function) == walk.OldDeclaration.IsFunction
            && (DeclarationMatches(walk.OldDeclaration, walk.OldSymbol) || DeclarationMatches(walk.NewDeclaration, walk.NewSymbol)))
        {
            return true;
        }

        // libabigail's data members are variables too: a [suppress_variable] hides the change of a member on the path
        // (name = R::a, type_name = long int), with no symbol to match (its symbol name is empty).
        if (Kind == AbiSuppressionKind.Variable)
        {
            foreach (var (name, oldType, newType) in change.Members())
            {
                if (MemberMatches(name, oldType) || MemberMatches(name, newType))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool MemberMatches(string name, AbiType type)
    {
        if ((Name is not null && Name != name) || (_name is not null && !IsMatch(_name, name)) || (_nameNot is not null && IsMatch(_nameNot, name)))
        {
            return false;
        }

        if (SymbolName is not null || (_symbolName is not null && !IsMatch(_symbolName, string.Empty)) || (_symbolNameNot is not null && IsMatch(_symbolNameNot, string.Empty))
            || SymbolVersion is not null || (_symbolVersion is not null && !IsMatch(_symbolVersion, string.Empty)))
        {
            return false;
        }

        var typeName = AbiTypeNames.Of(type);
        return _typeName is not null ? _typeName == typeName : _typeNameRegex is null || IsMatch(_typeNameRegex, typeName);
    }

    /// <summary>libabigail's <c>suppresses_function</c> / <c>suppresses_variable</c>: every key present must match.</summary>
    private bool DeclarationMatches(AbiDeclaration declaration, AbiSymbol? symbol)
    {
        var name = declaration.Name;
        if ((Name is not null && Name != name) || (_name is not null && !IsMatch(_name, name)) || (_nameNot is not null && IsMatch(_nameNot, name)))
        {
            return false;
        }

        if (symbol is not null)
        {
            if (SymbolName is not null ? SymbolName != symbol.Name : (_symbolName is not null && !IsMatch(_symbolName, symbol.Name)) || (_symbolNameNot is not null && IsMatch(_symbolNameNot, symbol.Name)))
            {
                return false;
            }

            var version = symbol.Version ?? string.Empty;
            if (SymbolVersion is not null ? SymbolVersion != version : _symbolVersion is not null && !IsMatch(_symbolVersion, version))
            {
                return false;
            }
        }

        if (declaration.IsFunction)
        {
            var returnType = declaration.Type.Target is { } r ? AbiTypeNames.Of(r) : "void";
            if (_returnTypeName is not null ? _returnTypeName != returnType : _returnType is not null && !IsMatch(_returnType, returnType))
            {
                return false;
            }

            var parameters = AbiTypeNames.ExplicitParameters(declaration);
            foreach (var (index, typeName, pattern) in _parameters)
            {
                if (index >= parameters.Count)
                {
                    return false;
                }

                var parameter = AbiTypeNames.Of(parameters[index]);
                if (typeName is not null ? typeName != parameter : pattern is not null && !IsMatch(pattern, parameter))
                {
                    return false;
                }
            }
        }
        else
        {
            var type = AbiTypeNames.Of(declaration.Type);
            if (_typeName is not null ? _typeName != type : _typeNameRegex is not null && !IsMatch(_typeNameRegex, type))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a type on the path from the symbol to the change (the change's own included) is suppressed.</summary>
    private bool SuppressesPath(AbiTypeChange change)
    {
        if (_unsupported)
        {
            return false;
        }

        for (int node = change.At; node >= 0; node = change.Walk.Parent(node))
        {
            if (SuppressesNode(change.Walk, node))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>libabigail's <c>type_suppression::suppresses_diff</c> on the pair of types of one node of the walk.</summary>
    private bool SuppressesNode(AbiTypeWalk walk, int node)
    {
        var o = walk.Old(node);
        var n = walk.New(node);

        // "direct" is accepted by abidiff and restricts nothing.
        if (_accessedThrough is "pointer" or "reference" or "reference-or-pointer")
        {
            bool pointer = o.Kind == AbiTypeKind.Pointer && n.Kind == AbiTypeKind.Pointer;
            bool reference = o.Kind is AbiTypeKind.LValueReference or AbiTypeKind.RValueReference && n.Kind is AbiTypeKind.LValueReference or AbiTypeKind.RValueReference;
            if (!(_accessedThrough switch { "pointer" => pointer, "reference" => reference, _ => pointer || reference }) || o.Target is null || n.Target is null)
            {
                return false;
            }

            o = AbiTypeNames.PeelQualifiers(o.Target);
            n = AbiTypeNames.PeelQualifiers(n.Target);
        }

        if (!TypeMatches(o) && !TypeMatches(n))
        {
            o = AbiTypeNames.PeelTypedefs(o);
            n = AbiTypeNames.PeelTypedefs(n);
            if (!TypeMatches(o) && !TypeMatches(n))
            {
                return false;
            }
        }

        // The insertion keys apply to a struct or class: abidiff 2.2 ignores them on a union (union_diff is not a class_diff).
        if (_insertionRanges.Count > 0 && o.Kind is AbiTypeKind.Struct or AbiTypeKind.Class && n.Kind is AbiTypeKind.Struct or AbiTypeKind.Class)
        {
            // abidiff 2.2: no member deleted, the class did not shrink, and each inserted member starts in a range
            // (evaluated against the old class). Members that moved or changed type do not count against it.
            var oldNames = o.Members.Select(m => m.Name ?? string.Empty).ToHashSet(StringComparer.Ordinal);
            var newNames = n.Members.Select(m => m.Name ?? string.Empty).ToHashSet(StringComparer.Ordinal);
            if (!oldNames.IsSubsetOf(newNames) || (o.Size ?? 0) > (n.Size ?? 0))
            {
                return false;
            }

            foreach (var m in n.Members)
            {
                if (!oldNames.Contains(m.Name ?? string.Empty) && !_insertionRanges.Exists(r => r.Contains(m.BitOffset, o)))
                {
                    return false;
                }
            }
        }

        if (o.Kind == AbiTypeKind.Enum && n.Kind == AbiTypeKind.Enum)
        {
            // abidiff hides an enum whose enumerators only changed value (none removed, same size) only when
            // changed_enumerators lists each of them, which abidiff 2.2 reads only with type_kind = enum: a plain
            // name = E does not hide a renumbering.
            var newValues = n.Enumerators.GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
            bool deleted = o.Enumerators.Any(e => !newValues.ContainsKey(e.Name));
            var changed = o.Enumerators.Where(e => newValues.TryGetValue(e.Name, out var v) && v != e.Value).Select(e => e.Name).ToList();
            if (!deleted && o.Size == n.Size && changed.Count > 0 && !(_typeKind == "enum" && changed.TrueForAll(_changedEnumerators.Contains)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>libabigail's <c>suppresses_type</c>: type_kind, then the name keys on the type's libabigail name.</summary>
    private bool TypeMatches(AbiType type)
    {
        bool kind = _typeKind switch
        {
            null => true,

            // libabigail's "class" is any class_decl: struct or class.
            "class" => type.Kind is AbiTypeKind.Struct or AbiTypeKind.Class,
            "struct" => type.Kind == AbiTypeKind.Struct,
            "union" => type.Kind == AbiTypeKind.Union,
            "enum" => type.Kind == AbiTypeKind.Enum,
            "array" => type.Kind == AbiTypeKind.Array,
            "typedef" => type.Kind == AbiTypeKind.Typedef,
            _ => type.Kind is AbiTypeKind.Base or AbiTypeKind.Void,
        };
        if (!kind || !LocationMatches(type))
        {
            return false;
        }

        if (Name is null && _name is null && _nameNot is null)
        {
            return true;
        }

        // Derived types have names too ("S*", "int[4]", "int (S*)"), so name_not_regexp matches them as abidiff does.
        var name = AbiTypeNames.Of(type);
        return Name is not null ? Name == name : (_name is null || IsMatch(_name, name)) && (_nameNot is null || !IsMatch(_nameNot, name));
    }

    /// <summary>
    /// True when the suppression reads the declaration files of types (<c>source_location_not_in</c>,
    /// <c>source_location_not_regexp</c>): graphs built without them (see
    /// <see cref="AbiTypeGraph.Load(Elf.ElfImage, IEnumerable{string}?, IEnumerable{string}?, bool)"/>) would not be
    /// suppressed the same way.
    /// </summary>
    public bool ReadsDeclarationFiles => _locationsToKeep.Count > 0 || _locationToKeep is not null;

    /// <summary>
    /// libabigail's <c>suppression_matches_type_location</c>: with <c>source_location_not_in</c> (a file name, matched
    /// on the whole path or its last part) or <c>source_location_not_regexp</c> (on the whole path), a type declared
    /// in a kept file is not suppressed, and neither is a type with no declaration file (a pointer, a base type).
    /// </summary>
    private bool LocationMatches(AbiType type)
    {
        if (_locationsToKeep.Count == 0 && _locationToKeep is null)
        {
            return true;
        }

        if (type.DeclarationFile is not { } path)
        {
            return false;
        }

        if (_locationToKeep is not null && IsMatch(_locationToKeep, path))
        {
            return false;
        }

        int slash = path.LastIndexOf('/');
        return !_locationsToKeep.Contains(slash < 0 ? path : path[(slash + 1)..]) && !_locationsToKeep.Contains(path);
    }

    private bool FileMatches(AbiSurface oldSurface, AbiSurface newSurface)
    {
        static bool One(AbiSurface s, Regex? yes, Regex? no, Func<AbiSurface, string?> get)
        {
            var value = get(s) ?? string.Empty;
            return (yes is null || IsMatch(yes, value)) && (no is null || !IsMatch(no, value));
        }

        static string? FileName(AbiSurface s) => s.FileName is null ? null : Path.GetFileName(s.FileName);
        bool file = One(oldSurface, _fileName, _fileNameNot, FileName) || One(newSurface, _fileName, _fileNameNot, FileName);
        bool soname = One(oldSurface, _soname, _sonameNot, s => s.Soname) || One(newSurface, _soname, _sonameNot, s => s.Soname);
        return file && soname;
    }

    private AbiChangeCategory[]? ParseChangeKind(string value)
    {
        var categories = new List<AbiChangeCategory>();
        foreach (var part in value.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part)
            {
                case "all":
                    categories.AddRange([AbiChangeCategory.Removed, AbiChangeCategory.Added, AbiChangeCategory.Changed]);
                    break;
                case "added-function" or "added-variable":
                    categories.Add(AbiChangeCategory.Added);
                    break;
                case "deleted-function" or "deleted-variable":
                    categories.Add(AbiChangeCategory.Removed);
                    break;
                case "function-subtype-change" or "variable-subtype-change":
                    categories.Add(AbiChangeCategory.Changed);
                    break;
                default:
                    return null;
            }
        }

        _ = Kind;
        return [.. categories];
    }

    private static bool IsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException ex)
        {
            throw new AbiConfigurationFormatException(null, 0, $"suppression regular expression '{Excerpt(regex.ToString())}' ran longer than {MatchTimeout.TotalSeconds} s on '{Excerpt(input)}'; simplify it", ex);
        }
    }

    private static string Excerpt(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");

    private static Regex? Compile(string? pattern)
    {
        if (pattern is null)
        {
            return null;
        }

        if (pattern.Length > MaxPatternLength)
        {
            throw new ArgumentException($"regular expression '{Excerpt(pattern)}' is {pattern.Length} characters long, over the limit of {MaxPatternLength}", nameof(pattern));
        }

        try
        {
            // The backtracking interpreter with a timeout: the non-backtracking engine costs hundreds of kilobytes and
            // milliseconds per pattern to build, which a file of thousands of sections turns into gigabytes.
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"invalid regular expression '{Excerpt(pattern)}': {ex.Message}", nameof(pattern), ex);
        }
        catch (NotSupportedException ex)
        {
            throw new ArgumentException($"unsupported regular expression '{Excerpt(pattern)}': {ex.Message}", nameof(pattern), ex);
        }
    }
}

/// <summary>
/// A libabigail suppression file (INI syntax: <c>[section]</c>, <c>key = value</c>, <c>#</c> or <c>;</c> comments):
/// its <c>[suppress_function]</c>, <c>[suppress_variable]</c>, <c>[suppress_type]</c> and <c>[suppress_file]</c> sections, plus warnings for unknown sections and keys, which are reported, not
/// silently ignored. Immutable.
/// </summary>
public sealed class AbiSuppressionFile
{
    private AbiSuppressionFile(string? fileName, ImmutableArray<AbiSuppression> suppressions, ImmutableArray<AbiSuppressionWarning> warnings)
    {
        FileName = fileName;
        Suppressions = suppressions;
        Warnings = warnings;
    }

    /// <summary>The file, or <see langword="null"/> for in-memory text.</summary>
    public string? FileName { get; }

    /// <summary>The usable sections, in file order.</summary>
    public ImmutableArray<AbiSuppression> Suppressions { get; }

    /// <summary>Unknown sections and keys, unsupported keys, and sections that select nothing or are dropped as abidiff drops them.</summary>
    public ImmutableArray<AbiSuppressionWarning> Warnings { get; }

    /// <summary>Reads a suppression file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The parsed file.</returns>
    /// <exception cref="AbiConfigurationFormatException">A line is malformed or a value is invalid.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AbiSuppressionFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(IO.RegularFile.OpenRead(path));
        return Parse(reader.ReadToEnd(), path);
    }

    /// <summary>Parses suppression-file text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="fileName">A label for errors.</param>
    /// <returns>The parsed file.</returns>
    /// <exception cref="AbiConfigurationFormatException">A line is malformed, or a regular expression or <c>change_kind</c> is invalid.</exception>
    public static AbiSuppressionFile Parse(string text, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var suppressions = ImmutableArray.CreateBuilder<AbiSuppression>();
        var warnings = ImmutableArray.CreateBuilder<AbiSuppressionWarning>();
        AbiSuppressionKind? kind = null;
        bool inSection = false;
        int sectionLine = 0;
        long sectionOffset = 0;
        var properties = new List<KeyValuePair<string, string>>();
        long offset = 0;
        int lineNumber = 0;

        void Flush()
        {
            if (kind is { } k)
            {
                try
                {
                    var suppression = new AbiSuppression(k, properties);
                    suppressions.Add(suppression);
                    if (k is AbiSuppressionKind.Function or AbiSuppressionKind.Variable && !properties.Exists(p => p.Key is not ("change_kind" or "drop" or "allow_other_aliases")))
                    {
                        // abidiff drops a section with nothing to select by (a label is enough for it).
                        suppressions.RemoveAt(suppressions.Count - 1);
                        warnings.Add(new AbiSuppressionWarning(sectionLine, $"[{suppression.SectionName}] has no label, name, symbol, type or file key; as in abidiff it is ignored"));
                    }
                    else if (k is AbiSuppressionKind.Function or AbiSuppressionKind.Variable && !suppression.SelectsSymbols && !suppression.SelectsDeclarations)
                    {
                        warnings.Add(new AbiSuppressionWarning(sectionLine, $"[{suppression.SectionName}] has no symbol_name, symbol_name_regexp, symbol_version, symbol_version_regexp, name, name_regexp or name_not_regexp; as in abidiff it matches no ELF symbol, and every function or variable the debug information declares"));
                    }
                    else if (k == AbiSuppressionKind.Type && !properties.Exists(p => p.Key is "name" or "name_regexp" or "name_not_regexp" or "type_kind" or "file_name_regexp" or "file_name_not_regexp" or "soname_regexp" or "soname_not_regexp" or "source_location_not_in" or "source_location_not_regexp"))
                    {
                        // abidiff drops such a section.
                        suppressions.RemoveAt(suppressions.Count - 1);
                        warnings.Add(new AbiSuppressionWarning(sectionLine, "[suppress_type] has no name, name_regexp, name_not_regexp, type_kind, file or soname key; as in abidiff it is ignored"));
                    }
                }
                catch (ArgumentException ex)
                {
                    throw new AbiConfigurationFormatException(fileName, sectionOffset, $"section at line {sectionLine}: {ex.Message}", ex);
                }
            }

            properties.Clear();
            kind = null;
        }

        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            long lineOffset = offset;
            offset += Encoding.UTF8.GetByteCount(rawLine) + 1;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (line[^1] != ']')
                {
                    AbiThrow.Configuration(fileName, lineOffset, $"line {lineNumber}: section header without ']'");
                }

                Flush();
                inSection = true;
                sectionLine = lineNumber;
                sectionOffset = lineOffset;
                var name = line[1..^1].Trim();
                kind = name switch
                {
                    "suppress_function" => AbiSuppressionKind.Function,
                    "suppress_variable" => AbiSuppressionKind.Variable,
                    "suppress_file" => AbiSuppressionKind.File,
                    "suppress_type" => AbiSuppressionKind.Type,
                    _ => null,
                };
                if (kind is null)
                {
                    warnings.Add(new AbiSuppressionWarning(lineNumber, $"unknown section [{name}] is ignored"));
                }

                continue;
            }

            int eq = line.IndexOf('=');
            if (eq <= 0)
            {
                AbiThrow.Configuration(fileName, lineOffset, $"line {lineNumber}: expected 'key = value'");
            }

            if (!inSection)
            {
                AbiThrow.Configuration(fileName, lineOffset, $"line {lineNumber}: property outside a section");
            }

            var key = line[..eq].Trim();
            var value = Unescape(Unquote(line[(eq + 1)..].Trim()));
            if (kind is not { } current)
            {
                continue;
            }

            var known = current switch
            {
                AbiSuppressionKind.File => AbiSuppression.FileKeys,
                AbiSuppressionKind.Type => AbiSuppression.TypeKeys,
                _ => AbiSuppression.SymbolKeys,
            };
            if (current == AbiSuppressionKind.Type && AbiSuppression.UnsupportedTypeKeys.Contains(key))
            {
                warnings.Add(new AbiSuppressionWarning(lineNumber, $"key '{key}' is not supported; this [suppress_type] matches nothing"));
            }
            else if (!known.Contains(key))
            {
                warnings.Add(new AbiSuppressionWarning(lineNumber, $"unknown key '{key}' in [{SectionName(current)}] is ignored"));
                continue;
            }

            properties.Add(new(key, value));
        }

        Flush();
        return new AbiSuppressionFile(fileName, suppressions.ToImmutable(), warnings.ToImmutable());
    }

    /// <summary>Writes the suppressions back in libabigail syntax (what <see cref="Parse"/> reads).</summary>
    /// <returns>The text.</returns>
    public string ToText() => ToText(Suppressions);

    /// <summary>Writes suppressions in libabigail syntax.</summary>
    /// <param name="suppressions">The suppressions.</param>
    /// <returns>The text.</returns>
    public static string ToText(IEnumerable<AbiSuppression> suppressions)
    {
        ArgumentNullException.ThrowIfNull(suppressions);
        var sb = new StringBuilder();
        foreach (var s in suppressions)
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            sb.Append('[').Append(s.SectionName).Append("]\n");
            foreach (var (key, value) in s.Properties)
            {
                var escaped = value.Replace("\\", "\\\\", StringComparison.Ordinal);
                sb.Append("  ").Append(key).Append(" = ").Append(NeedsQuotes(escaped) ? $"\"{escaped}\"" : escaped).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static bool NeedsQuotes(string value) => value.Length == 0 || value != value.Trim() || value[0] is '#' or ';' or '"';

    internal static string SectionName(AbiSuppressionKind kind) => kind switch
    {
        AbiSuppressionKind.Function => "suppress_function",
        AbiSuppressionKind.Variable => "suppress_variable",
        AbiSuppressionKind.Type => "suppress_type",
        _ => "suppress_file",
    };

    // libabigail's INI reader takes a backslash as an escape for the next character, so "\\*" in a regular
    // expression reaches the regex engine as "\*", and "\." as ".".
    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            sb.Append(value[i]);
        }

        return sb.ToString();
    }

    private static string Unquote(string value) => value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}
