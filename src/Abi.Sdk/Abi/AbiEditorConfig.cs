using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace Abi.Sdk.Abi;

/// <summary>
/// Diagnostic severities configured as Roslyn reads them from <c>.editorconfig</c> and global analyzer config files:
/// <c>dotnet_diagnostic.ABI1001.severity = warning</c>, <c>dotnet_analyzer_diagnostic.category-Removed.severity = error</c>
/// and <c>dotnet_analyzer_diagnostic.severity = suggestion</c>. As in Roslyn an ID's entry wins over its category's,
/// which wins over the entry for all; among entries for the same key the later one wins (a later section, a closer
/// file). Values: <c>error</c> (<see cref="AbiSeverity.Incompatible"/>), <c>warning</c> (<see cref="AbiSeverity.NeedsReview"/>),
/// <c>suggestion</c> (<see cref="AbiSeverity.Compatible"/>), <c>silent</c> and <c>none</c> (<see cref="AbiSeverity.None"/>),
/// <c>default</c> (the descriptor's own). The categories are the names of <see cref="AbiChangeCategory"/>
/// (<c>Removed</c>, <c>Added</c>, <c>Changed</c>), case-insensitive. Other keys are ignored. Immutable.
/// </summary>
/// <remarks>
/// A native library is not a source file, so sections are matched against the library's file name
/// (<c>[libfoo.so*]</c>, <c>[*.so]</c>); <c>[*]</c> and the lines before any section (as in a global config,
/// <c>is_global = true</c>) apply to all libraries. Patterns support <c>*</c>, <c>**</c>, <c>?</c>, <c>{a,b}</c> and
/// <c>[...]</c>; a pattern with a <c>/</c> is matched against the end of the path.
/// </remarks>
public sealed class AbiEditorConfig
{
    private readonly ImmutableArray<Entry> _entries;

    private AbiEditorConfig(ImmutableArray<Entry> entries, bool isRoot)
    {
        _entries = entries;
        IsRoot = isRoot;
    }

    /// <summary>No settings.</summary>
    public static AbiEditorConfig Empty { get; } = new([], false);

    /// <summary>True when the file says <c>root = true</c>: files in folders above it are not read.</summary>
    public bool IsRoot { get; }

    /// <summary>The severity keys read, in file order, each with the section pattern it stands under (<see langword="null"/> for all files).</summary>
    public IEnumerable<(string? Section, string Key, string Value)> Entries => _entries.Select(e => (e.Section, e.Key, e.Value));

    /// <summary>Reads a file.</summary>
    /// <param name="path">The .editorconfig or .globalconfig file.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="AbiConfigurationFormatException">A severity value is unknown or a line is malformed.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AbiEditorConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// The files that configure a folder, as Roslyn finds them: every <c>.editorconfig</c> from
    /// <paramref name="directory"/> up to the first with <c>root = true</c>, farthest first, merged.
    /// </summary>
    /// <param name="directory">The folder (a project's).</param>
    /// <returns>The merged settings.</returns>
    /// <exception cref="AbiConfigurationFormatException">A file is malformed.</exception>
    public static AbiEditorConfig LoadHierarchy(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var chain = new List<AbiEditorConfig>();
        for (var dir = new DirectoryInfo(Path.GetFullPath(directory)); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, ".editorconfig");
            if (!File.Exists(file))
            {
                continue;
            }

            var config = Load(file);
            chain.Add(config);
            if (config.IsRoot)
            {
                break;
            }
        }

        chain.Reverse();
        return chain.Aggregate(Empty, (a, b) => a.Merge(b));
    }

    /// <summary>Parses the text of a file.</summary>
    /// <param name="text">The text.</param>
    /// <param name="fileName">A label for errors.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="AbiConfigurationFormatException">A severity value is unknown, or a section header is not closed.</exception>
    public static AbiEditorConfig Parse(string text, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = ImmutableArray.CreateBuilder<Entry>();
        string? section = null;
        var isRoot = false;
        long offset = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            var lineOffset = offset;
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
                    AbiThrow.Configuration(fileName, lineOffset, $"section header '{line}' is not closed with ']'");
                }

                section = line[1..^1];
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue; // editorconfig ignores lines it cannot read
            }

            var key = line[..eq].Trim().ToLowerInvariant();
            var value = StripComment(line[(eq + 1)..]).Trim();
            if (section is null && key == "root")
            {
                isRoot = value.Equals("true", StringComparison.OrdinalIgnoreCase);
                continue;
            }

            if (!IsSeverityKey(key))
            {
                continue;
            }

            if (!value.Equals("default", StringComparison.OrdinalIgnoreCase) && !AbiSeverities.TryParse(value, out _))
            {
                AbiThrow.Configuration(fileName, lineOffset, $"unknown severity '{value}' for {key} (expected error, warning, suggestion, silent, none or default)");
            }

            entries.Add(new Entry(section, key, value.ToLowerInvariant()));
        }

        return new(entries.ToImmutable(), isRoot);
    }

    /// <summary>These settings with <paramref name="closer"/>'s applied over them (a file closer to the project).</summary>
    /// <param name="closer">The settings that win.</param>
    /// <returns>The merged settings.</returns>
    public AbiEditorConfig Merge(AbiEditorConfig closer)
    {
        ArgumentNullException.ThrowIfNull(closer);
        return new(_entries.AddRange(closer._entries), IsRoot || closer.IsRoot);
    }

    /// <summary>
    /// The severity overrides for <paramref name="descriptors"/> that apply to a library, for
    /// <see cref="AbiComparer.WithSeverities"/>: an ID's entry, else its category's, else the entry for all.
    /// </summary>
    /// <param name="descriptors">The diagnostics to configure (for example <see cref="AbiComparer.SupportedDiagnostics"/>).</param>
    /// <param name="libraryPath">The library's path or file name, to match sections; <see langword="null"/> applies only the entries for all files.</param>
    /// <returns>The overrides.</returns>
    public AbiSeverityConfiguration ToSeverities(IEnumerable<AbiDiagnosticDescriptor> descriptors, string? libraryPath = null)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in _entries)
        {
            if (e.Section is null || Matches(e.Section, libraryPath))
            {
                values[e.Key] = e.Value;
            }
        }

        var result = AbiSeverityConfiguration.Empty;
        foreach (var d in descriptors)
        {
            if ((values.TryGetValue($"dotnet_diagnostic.{d.Id.ToLowerInvariant()}.severity", out var v)
                 || values.TryGetValue($"dotnet_analyzer_diagnostic.category-{d.Category.ToString().ToLowerInvariant()}.severity", out v)
                 || values.TryGetValue("dotnet_analyzer_diagnostic.severity", out v))
                && v != "default" && AbiSeverities.TryParse(v, out var severity))
            {
                result = result.With(d.Id, severity);
            }
        }

        return result;
    }

    private static bool IsSeverityKey(string key)
        => key.EndsWith(".severity", StringComparison.Ordinal)
           && (key.StartsWith("dotnet_diagnostic.", StringComparison.Ordinal) || key.StartsWith("dotnet_analyzer_diagnostic.", StringComparison.Ordinal));

    private static string StripComment(string value)
    {
        // editorconfig: a ' #' or ' ;' starts a comment after a value.
        var i = value.IndexOf(" #", StringComparison.Ordinal);
        var j = value.IndexOf(" ;", StringComparison.Ordinal);
        var cut = i < 0 ? j : j < 0 ? i : Math.Min(i, j);
        return cut < 0 ? value : value[..cut];
    }

    private static bool Matches(string section, string? path)
    {
        if (section is "*" or "**")
        {
            return true;
        }

        if (path is null)
        {
            return false;
        }

        var normalized = path.Replace('\\', '/');
        var subject = section.Contains('/', StringComparison.Ordinal) ? normalized : normalized[(normalized.LastIndexOf('/') + 1)..];
        var regex = new Regex((section.Contains('/', StringComparison.Ordinal) ? "(^|/)" : "^") + GlobToRegex(section.TrimStart('/')) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return regex.IsMatch(subject);
    }

    private static string GlobToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    sb.Append(".*");
                    i++;
                    break;
                case '*':
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '{':
                    var close = glob.IndexOf('}', i);
                    if (close < 0)
                    {
                        sb.Append("\\{");
                        break;
                    }

                    sb.Append('(').Append(string.Join('|', glob[(i + 1)..close].Split(',').Select(GlobToRegex))).Append(')');
                    i = close;
                    break;
                case '[':
                    var end = glob.IndexOf(']', i);
                    if (end < 0)
                    {
                        sb.Append("\\[");
                        break;
                    }

                    var set = glob[(i + 1)..end];
                    sb.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = end;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return sb.ToString();
    }

    private sealed record Entry(string? Section, string Key, string Value);
}
