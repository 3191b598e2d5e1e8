using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace Abi.Sdk.Abi;

/// <summary>The section kinds of a libabigail suppression file that apply to ELF symbols.</summary>
public enum AbiSuppressionKind
{
    /// <summary><c>[suppress_function]</c>: changes to function symbols.</summary>
    Function,

    /// <summary><c>[suppress_variable]</c>: changes to data symbols.</summary>
    Variable,

    /// <summary><c>[suppress_file]</c>: every change of a matching file.</summary>
    File,
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
/// One section of a libabigail suppression file (<c>[suppress_function]</c>, <c>[suppress_variable]</c>,
/// <c>[suppress_file]</c>) applied to ELF-symbol diagnostics. Supported keys: <c>label</c>, <c>name</c>,
/// <c>name_regexp</c>, <c>name_not_regexp</c>, <c>symbol_name</c>, <c>symbol_name_regexp</c>,
/// <c>symbol_name_not_regexp</c>, <c>symbol_version</c>, <c>symbol_version_regexp</c>, <c>change_kind</c>,
/// <c>file_name_regexp</c>, <c>file_name_not_regexp</c>, <c>soname_regexp</c>, <c>soname_not_regexp</c>, <c>drop</c>.
/// As in abidiff, ELF symbols are selected only by <c>symbol_name</c>/<c>symbol_name_regexp</c> and
/// <c>symbol_version</c>/<c>symbol_version_regexp</c> (<c>symbol_name_not_regexp</c> narrows them); <c>name</c>,
/// <c>name_regexp</c> and <c>name_not_regexp</c> select declarations from debug info, which Abi.Sdk does not read,
/// so a section with only those matches nothing (and the file reports a warning). Regular expressions are POSIX-like and
/// unanchored, as in libabigail; a pattern may be at most <see cref="MaxPatternLength"/> characters and a match that runs
/// past <see cref="MatchTimeout"/> fails the comparison with an <see cref="AbiConfigurationFormatException"/>, so no
/// pattern can hang it. Immutable.
/// </summary>
public sealed class AbiSuppression
{
    internal static readonly ImmutableHashSet<string> SymbolKeys = ImmutableHashSet.Create(StringComparer.Ordinal,
        "label", "name", "name_regexp", "name_not_regexp", "symbol_name", "symbol_name_regexp", "symbol_name_not_regexp",
        "symbol_version", "symbol_version_regexp", "change_kind", "file_name_regexp", "file_name_not_regexp", "soname_regexp", "soname_not_regexp", "drop");

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
        NeedsDebugInfo = Properties.Any(p => DebugInfoKeys.Contains(p.Key));
        if (ChangeKind is not null && ParseChangeKind(ChangeKind) is null)
        {
            throw new ArgumentException($"unknown change_kind '{ChangeKind}'", nameof(properties));
        }
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

    /// <summary>True when the section uses keys that need debug info; such a section never matches an ELF symbol.</summary>
    public bool NeedsDebugInfo { get; }

    /// <summary>The section header, <c>[suppress_function]</c>…</summary>
    public string SectionName => Kind switch
    {
        AbiSuppressionKind.Function => "suppress_function",
        AbiSuppressionKind.Variable => "suppress_variable",
        _ => "suppress_file",
    };

    /// <summary>Whether this suppression hides <paramref name="diagnostic"/> of the comparison of the two surfaces.</summary>
    /// <param name="diagnostic">The diagnostic.</param>
    /// <param name="oldSurface">The old library.</param>
    /// <param name="newSurface">The new library.</param>
    /// <returns>True when suppressed.</returns>
    public bool Suppresses(AbiDiagnostic diagnostic, AbiSurface oldSurface, AbiSurface newSurface)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        ArgumentNullException.ThrowIfNull(oldSurface);
        ArgumentNullException.ThrowIfNull(newSurface);
        if (NeedsDebugInfo || !FileMatches(oldSurface, newSurface))
        {
            return false;
        }

        if (Kind == AbiSuppressionKind.File)
        {
            return true;
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
/// the sections that apply to ELF symbols, plus warnings for unknown sections and keys, which are reported, not
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

    /// <summary>Unknown sections and keys, and keys that need debug info.</summary>
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
                    if (k != AbiSuppressionKind.File && !suppression.SelectsSymbols && !suppression.NeedsDebugInfo)
                    {
                        warnings.Add(new AbiSuppressionWarning(sectionLine, $"[{suppression.SectionName}] has no symbol_name, symbol_name_regexp, symbol_version or symbol_version_regexp; as in abidiff it matches no ELF symbol"));
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
                    _ => null,
                };
                if (kind is null)
                {
                    warnings.Add(new AbiSuppressionWarning(lineNumber, name == "suppress_type"
                        ? "section [suppress_type] needs debug info and is ignored"
                        : $"unknown section [{name}] is ignored"));
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
            var value = Unquote(line[(eq + 1)..].Trim());
            if (kind is not { } current)
            {
                continue;
            }

            var known = current == AbiSuppressionKind.File ? AbiSuppression.FileKeys : AbiSuppression.SymbolKeys;
            if (AbiSuppression.DebugInfoKeys.Contains(key) && current != AbiSuppressionKind.File)
            {
                warnings.Add(new AbiSuppressionWarning(lineNumber, $"key '{key}' needs debug info; this [{SectionName(current)}] never matches an ELF symbol"));
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
                sb.Append("  ").Append(key).Append(" = ").Append(NeedsQuotes(value) ? $"\"{value}\"" : value).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static bool NeedsQuotes(string value) => value.Length == 0 || value != value.Trim() || value[0] is '#' or ';' or '"';

    private static string SectionName(AbiSuppressionKind kind) => kind switch
    {
        AbiSuppressionKind.Function => "suppress_function",
        AbiSuppressionKind.Variable => "suppress_variable",
        _ => "suppress_file",
    };

    private static string Unquote(string value) => value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}
