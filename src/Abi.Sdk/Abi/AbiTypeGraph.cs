using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Abi;

/// <summary>
/// The types behind a library's exported functions and variables, built from its DWARF: for every defined, global
/// or weak function and object of <c>.dynsym</c> that has a DIE, its <see cref="AbiDeclaration"/>, and the graph of
/// every type it reaches. Types are canonicalised (a type that hundreds of compilation units declare is one
/// <see cref="AbiType"/>), declaration-only types are resolved to a definition of the same name where the debug
/// information has one, as abidiff does. Immutable and thread-safe; it holds no reference to the files it was read from.
/// </summary>
public sealed class AbiTypeGraph
{
    private readonly string?[] _spellings;

    internal AbiTypeGraph(string? debugFile, string? unavailableReason)
    {
        DebugFile = debugFile;
        UnavailableReason = unavailableReason;
        Types = [];
        Functions = FrozenDictionary<string, AbiDeclaration>.Empty;
        Variables = FrozenDictionary<string, AbiDeclaration>.Empty;
        _spellings = [];
    }

    internal AbiTypeGraph(string? debugFile, int typeCount)
    {
        DebugFile = debugFile;
        _spellings = new string?[typeCount];
        Types = [];
        Functions = FrozenDictionary<string, AbiDeclaration>.Empty;
        Variables = FrozenDictionary<string, AbiDeclaration>.Empty;
    }

    /// <summary>True when the graph was built from debug information; false when none was found (see <see cref="UnavailableReason"/>).</summary>
    public bool HasDebugInfo => UnavailableReason is null;

    /// <summary>Why there are no types (no debug information was found, and where it was looked for); <see langword="null"/> when there are.</summary>
    public string? UnavailableReason { get; }

    /// <summary>The file the DWARF was read from (the library itself or its separate debug file), when known.</summary>
    public string? DebugFile { get; }

    /// <summary>Every type, canonical: structurally equal types are one entry.</summary>
    public ImmutableArray<AbiType> Types { get; private set; }

    /// <summary>The exported functions that have a DIE, by <c>.dynsym</c> name.</summary>
    public FrozenDictionary<string, AbiDeclaration> Functions { get; private set; }

    /// <summary>The exported variables that have a DIE, by <c>.dynsym</c> name.</summary>
    public FrozenDictionary<string, AbiDeclaration> Variables { get; private set; }

    /// <summary>
    /// The split DWARF units (<c>gcc -gsplit-dwarf</c>) whose <c>.dwo</c> (or <c>.dwp</c>) was not found, one line each:
    /// the name the skeleton records, its DWO id and the folders looked in. The functions and variables those units
    /// declare have no types in the graph. Empty when every unit was found (and for graphs not built from DWARF).
    /// </summary>
    public ImmutableArray<string> MissingSplitUnits { get; internal set; } = [];

    /// <summary>True for a graph read from abidw's ABIXML, which records less than DWARF (see <see cref="AbiXmlTypeView"/>).</summary>
    internal bool FromAbiXml { get; set; }

    /// <summary>A graph with no types, for a library whose debug information was not found.</summary>
    /// <param name="reason">Why: reported as "types were not compared: REASON".</param>
    /// <returns>The graph.</returns>
    public static AbiTypeGraph Unavailable(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new AbiTypeGraph(null, reason);
    }

    /// <summary>
    /// Finds the debug information of <paramref name="image"/> (in the file, by build-id or by <c>.gnu_debuglink</c>
    /// under the debug roots, as <see cref="DebugInfoLocator"/> does) and builds the graph; when there is none, an
    /// <see cref="Unavailable(string)"/> graph that says where it was looked for.
    /// </summary>
    /// <param name="image">The library.</param>
    /// <param name="debugRoots">The debug roots (abidiff's <c>--d1</c>/<c>--d2</c>); <see langword="null"/> for the system's.</param>
    /// <returns>The graph.</returns>
    /// <exception cref="DwarfFormatException">The debug information is malformed.</exception>
    /// <exception cref="ElfFormatException">The library or its debug file is not well-formed ELF.</exception>
    public static AbiTypeGraph Load(ElfImage image, IEnumerable<string>? debugRoots = null) => Load(image, debugRoots, null);

    /// <summary>
    /// As <see cref="Load(ElfImage, IEnumerable{string}?)"/>, with folders where split DWARF is looked for after the
    /// places the skeleton units name (<see cref="DwarfReaderOptions.SplitDwarfDirectories"/>): for <c>.dwo</c> files
    /// moved since the build (gdb's <c>debug-file-directory</c> for them). Units whose <c>.dwo</c> is still not found are
    /// listed in <see cref="MissingSplitUnits"/>.
    /// </summary>
    /// <param name="image">The library.</param>
    /// <param name="debugRoots">The debug roots; <see langword="null"/> for the system's.</param>
    /// <param name="splitDwarfDirectories">Folders holding the <c>.dwo</c> files (by their recorded name, relative, then by file name) or <c>NAME.dwp</c>; <see langword="null"/> for none.</param>
    /// <returns>The graph.</returns>
    /// <exception cref="DwarfFormatException">The debug information is malformed.</exception>
    /// <exception cref="ElfFormatException">The library or its debug file is not well-formed ELF.</exception>
    public static AbiTypeGraph Load(ElfImage image, IEnumerable<string>? debugRoots, IEnumerable<string>? splitDwarfDirectories)
        => Load(image, debugRoots, splitDwarfDirectories, declarationFiles: true);

    /// <summary>
    /// As <see cref="Load(ElfImage, IEnumerable{string}?, IEnumerable{string}?)"/>; with
    /// <paramref name="declarationFiles"/> false, the types' <see cref="AbiType.DeclarationFile"/> are not read (they stay
    /// <see langword="null"/>): the graph's types and declarations are the same, and the line tables they come from are
    /// neither decompressed nor decoded (for a libc, about a twentieth of the build). Only a suppression with
    /// <c>source_location_not_in</c> or <c>source_location_not_regexp</c> reads them
    /// (<see cref="AbiSuppression.ReadsDeclarationFiles"/>); a baseline records them.
    /// </summary>
    /// <param name="image">The library.</param>
    /// <param name="debugRoots">The debug roots; <see langword="null"/> for the system's.</param>
    /// <param name="splitDwarfDirectories">Folders holding the <c>.dwo</c> files or <c>NAME.dwp</c>; <see langword="null"/> for none.</param>
    /// <param name="declarationFiles">Whether to read the types' declaration files.</param>
    /// <returns>The graph.</returns>
    /// <exception cref="DwarfFormatException">The debug information is malformed.</exception>
    /// <exception cref="ElfFormatException">The library or its debug file is not well-formed ELF.</exception>
    public static AbiTypeGraph Load(ElfImage image, IEnumerable<string>? debugRoots, IEnumerable<string>? splitDwarfDirectories, bool declarationFiles)
    {
        ArgumentNullException.ThrowIfNull(image);
        var locator = new DebugInfoLocator(debugRoots);
        var rejected = new List<string>();
        var location = locator.Locate(image, rejected);
        if (location is null)
        {
            var where = new StringBuilder("no debug information: the file has no .debug_info");
            if (image.BuildIdHex is { } id)
            {
                where.Append($", and no debug file for build-id {id} under {string.Join(", ", locator.DebugRoots)}");
                if (rejected.Count > 0)
                {
                    where.Append($" (not taken: {string.Join("; ", rejected)})");
                }
            }

            if (image.DebugLink is { } link)
            {
                where.Append($", and no debug file '{link.FileName}' with a matching CRC next to it or under the debug roots");
            }

            if (image.BuildIdHex is null && image.DebugLink is null)
            {
                where.Append(" and neither a build-id nor a .gnu_debuglink to find a separate debug file by");
            }

            return Unavailable(where.ToString());
        }

        var options = new DwarfReaderOptions { DebugRoots = locator.DebugRoots, SplitDwarfDirectories = splitDwarfDirectories is null ? [] : [.. splitDwarfDirectories] };
        if (location.Source == DebugInfoSource.InFile)
        {
            using var inFile = DwarfFile.Of(image, options);
            return new AbiTypeGraphBuilder(image, inFile) { OwnsDwarf = true, DeclarationFiles = declarationFiles }.Build();
        }

        using var dwarf = DwarfFile.Open(location.Path, options);
        return new AbiTypeGraphBuilder(image, dwarf) { OwnsDwarf = true, DeclarationFiles = declarationFiles }.Build();
    }

    /// <summary>
    /// As <see cref="Load(ElfImage, IEnumerable{string}?, IEnumerable{string}?)"/>, through a cache of built graphs:
    /// when <paramref name="cache"/> has an intact entry for the library's exact bytes and debug files, the graph is
    /// read from it instead of built; otherwise it is built and stored (failing to store is not an error).
    /// </summary>
    /// <param name="image">The library.</param>
    /// <param name="debugRoots">The debug roots; <see langword="null"/> for the system's.</param>
    /// <param name="splitDwarfDirectories">Folders holding the <c>.dwo</c> files or <c>NAME.dwp</c>; <see langword="null"/> for none.</param>
    /// <param name="cache">The cache; <see langword="null"/> to build without one.</param>
    /// <returns>The graph.</returns>
    /// <exception cref="DwarfFormatException">The debug information is malformed.</exception>
    /// <exception cref="ElfFormatException">The library or its debug file is not well-formed ELF.</exception>
    public static AbiTypeGraph Load(ElfImage image, IEnumerable<string>? debugRoots, IEnumerable<string>? splitDwarfDirectories, AbiTypeGraphCache? cache)
    {
        ArgumentNullException.ThrowIfNull(image);
        return cache is null ? Load(image, debugRoots, splitDwarfDirectories) : cache.Load(image, debugRoots, splitDwarfDirectories);
    }

    /// <summary>Builds the graph of <paramref name="image"/>'s exported functions and variables from <paramref name="dwarf"/>.</summary>
    /// <param name="image">The library (its <c>.dynsym</c> names the exported symbols).</param>
    /// <param name="dwarf">Its DWARF: the library itself, or its separate debug file.</param>
    /// <returns>The graph.</returns>
    /// <exception cref="DwarfFormatException">The debug information is malformed, or holds more types than a graph may (<c>16 777 216</c>).</exception>
    public static AbiTypeGraph Build(ElfImage image, DwarfFile dwarf)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(dwarf);
        return new AbiTypeGraphBuilder(image, dwarf).Build();
    }

    internal void Complete(ImmutableArray<AbiType> types, Dictionary<string, AbiDeclaration> functions, Dictionary<string, AbiDeclaration> variables)
    {
        Types = types;
        Functions = functions.ToFrozenDictionary(StringComparer.Ordinal);
        Variables = variables.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public override string ToString() => HasDebugInfo
        ? $"{Types.Length} types, {Functions.Count} functions, {Variables.Count} variables from {DebugFile ?? "(memory)"}"
        : $"no types: {UnavailableReason}";

    // Spelling. Declarators nest (a pointer to an array of pointers to functions…), so spelling recurses, bounded
    // twice: past MaxSpellingDepth a part is spelled "…" instead of growing the stack, and each spelling may copy at
    // most MaxSpellingWork characters. The second bound is for graphs no compiler writes: a function type that is its
    // own parameter and return type (or a chain of them) doubles the text at every level, 2^48 parts within the
    // depth bound. Real declarators stay far below it; the rest of a spelling past it is "…".
    private const int MaxSpellingDepth = 48;
    private const int MaxSpellingWork = 1 << 18;

    internal string Spell(int index)
    {
        var cached = Volatile.Read(ref _spellings[index]);
        if (cached is not null)
        {
            return cached;
        }

        int work = MaxSpellingWork;
        var s = Declarator(index, string.Empty, 0, ref work);
        Volatile.Write(ref _spellings[index], s);
        return s;
    }

    internal string SpellFunction(int index, string name) => SpellDeclarator(index, name);

    internal string SpellDeclarator(int index, string name)
    {
        int work = MaxSpellingWork;
        return Declarator(index, name, 0, ref work);
    }

    /// <summary>The plain name a reader knows a type by: <c>struct S</c>, <c>size_t</c>, <c>int</c>.</summary>
    internal string BaseName(AbiType t) => t.Kind switch
    {
        AbiTypeKind.Void => "void",
        AbiTypeKind.Struct => "struct " + (t.Name ?? "{anonymous}"),
        AbiTypeKind.Class => "class " + (t.Name ?? "{anonymous}"),
        AbiTypeKind.Union => "union " + (t.Name ?? "{anonymous}"),
        AbiTypeKind.Enum => "enum " + (t.Name ?? "{anonymous}"),
        _ => t.Name ?? "?",
    };

    private string Declarator(int index, string inner, int depth, ref int work)
    {
        // Every level copies what is inside it once more: charging that bounds the whole spelling's copying.
        work -= 1 + inner.Length;
        if (depth > MaxSpellingDepth || work < 0)
        {
            return "…" + (inner.Length > 0 ? " " + inner : string.Empty);
        }

        var t = Types[index];
        switch (t.Kind)
        {
            case AbiTypeKind.PointerToMember when Types[t.TargetIndex].Kind == AbiTypeKind.Function:
            {
                // A pointer to member function, as c++filt and abidiff spell it: int (S::*)(int) const — the
                // artificial this parameter is not spelled, and a const one makes the function const.
                var f = Types[t.TargetIndex];
                var parameters = f.ParameterIndexes;
                int first = 0;
                string cv = string.Empty;
                if (parameters.Length > 0 && Types[parameters[0]] is { Kind: AbiTypeKind.Pointer } self)
                {
                    var pointee = Types[self.TargetIndex];
                    cv = pointee.Kind == AbiTypeKind.Qualified ? " " + Qualifiers(pointee.Qualifiers) : string.Empty;
                    first = 1;
                }

                var spelled = Parameters(parameters.AsSpan(first), f.IsVariadic, depth, ref work);
                return Declarator(f.TargetIndex, $"({t.Name ?? "?"}::*{inner})({string.Join(", ", spelled)}){cv}", depth + 1, ref work);
            }

            case AbiTypeKind.PointerToMember:
                return Declarator(t.TargetIndex, (t.Name ?? "?") + "::*" + inner, depth + 1, ref work);
            case AbiTypeKind.Pointer or AbiTypeKind.LValueReference or AbiTypeKind.RValueReference:
                var op = t.Kind switch
                {
                    AbiTypeKind.Pointer => "*",
                    AbiTypeKind.LValueReference => "&",
                    AbiTypeKind.RValueReference => "&&",
                    _ => "::*",
                };
                return Declarator(t.TargetIndex, op + inner, depth + 1, ref work);
            case AbiTypeKind.Qualified:
                var q = Qualifiers(t.Qualifiers);
                if (Types[t.TargetIndex].Kind is AbiTypeKind.Pointer or AbiTypeKind.LValueReference or AbiTypeKind.RValueReference or AbiTypeKind.PointerToMember)
                {
                    return Declarator(t.TargetIndex, q + (inner.Length > 0 ? " " + inner : string.Empty), depth + 1, ref work);
                }

                return q + " " + Declarator(t.TargetIndex, inner, depth + 1, ref work);
            case AbiTypeKind.Array:
                work -= t.Dimensions.Length;
                var dims = work < 0 ? "[…]" : string.Concat(t.Dimensions.Select(d => d is { } n ? $"[{n}]" : "[]"));
                return Declarator(t.TargetIndex, Paren(inner) + dims, depth + 1, ref work);
            case AbiTypeKind.Function:
                var ps = Parameters(t.ParameterIndexes.AsSpan(), t.IsVariadic, depth, ref work);
                var list = ps.Count == 0 ? "void" : string.Join(", ", ps);
                return Declarator(t.TargetIndex, Paren(inner) + "(" + list + ")", depth + 1, ref work);
            default:
                var name = BaseName(t);
                work -= name.Length;
                return inner.Length == 0 ? name : inner[0] is '*' or '&' or ':' ? name + " " + inner : name + " " + inner;
        }

        static string Paren(string inner) => inner.Length > 0 && inner[0] is '*' or '&' or ':' ? "(" + inner + ")" : inner;
    }

    private List<string> Parameters(ReadOnlySpan<int> parameters, bool variadic, int depth, ref int work)
    {
        var spelled = new List<string>(parameters.Length + (variadic ? 1 : 0));
        foreach (var p in parameters)
        {
            spelled.Add(Declarator(p, string.Empty, depth + 1, ref work));
        }

        if (variadic)
        {
            spelled.Add("...");
        }

        return spelled;
    }

    /// <summary>Qualifiers as C spells them, in that order ("const volatile"); also how suppression files name types.</summary>
    internal static string Qualifiers(AbiQualifiers q)
    {
        var parts = new List<string>(2);
        if (q.HasFlag(AbiQualifiers.Const))
        {
            parts.Add("const");
        }

        if (q.HasFlag(AbiQualifiers.Volatile))
        {
            parts.Add("volatile");
        }

        if (q.HasFlag(AbiQualifiers.Restrict))
        {
            parts.Add("restrict");
        }

        if (q.HasFlag(AbiQualifiers.Atomic))
        {
            parts.Add("_Atomic");
        }

        return string.Join(" ", parts);
    }
}
