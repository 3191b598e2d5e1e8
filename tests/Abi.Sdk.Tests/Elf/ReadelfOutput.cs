using System.Globalization;
using System.Text.RegularExpressions;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// What GNU readelf prints for one file with <c>-h -l -S -d -n --dyn-syms -V -W</c> (or <c>-D</c> for files without
/// section headers), parsed into plain records. The differential tests run readelf once per file and compare.
/// </summary>
internal sealed partial class ReadelfOutput
{
    public sealed record Symbol(int Num, ulong Value, ulong Size, string Type, string Bind, string Vis, string Ndx, string Name);

    public sealed record Definition(int Offset, int Revision, string Flags, int Index, int Count, string Name, List<string> Parents);

    public sealed record Need(int Version, string File, int Count, List<Requirement> Versions);

    public sealed record Requirement(string Name, string Flags, int Version);

    /// <summary>One note of <c>-n</c>: owner, data size, the type text and the description (continuation lines joined by "\n").</summary>
    public sealed record Note(string Owner, int DataSize, string Type, List<string> Description);

    public Dictionary<string, string> Header { get; } = [];
    public int ProgramHeaderCount => Header.TryGetValue("Number of program headers", out var n) ? int.Parse(n.Split(' ')[0], CultureInfo.InvariantCulture) : -1;
    public List<string> SegmentTypes { get; } = [];
    public string? Interpreter { get; private set; }
    public List<string> SectionNames { get; } = [];
    public List<string> SectionTypes { get; } = [];
    public List<Note> Notes { get; } = [];
    public List<(ulong Tag, string Type, string Value)> Dynamic { get; } = [];
    public string? BuildId { get; private set; }
    public List<Symbol> Symbols { get; } = [];
    public List<Definition> Definitions { get; } = [];
    public List<Need> Needs { get; } = [];
    public string Raw { get; }

    private ReadelfOutput(string raw) => Raw = raw;

    public static ReadelfOutput Parse(string text)
    {
        var r = new ReadelfOutput(text);
        var section = "";
        Need? need = null;
        Definition? definition = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("ELF Header:", StringComparison.Ordinal)) { section = "h"; continue; }
            if (line.StartsWith("Program Headers:", StringComparison.Ordinal)) { section = "l"; continue; }
            if (line.StartsWith("Section Headers:", StringComparison.Ordinal)) { section = "S"; continue; }
            if (line.StartsWith("Dynamic section at", StringComparison.Ordinal)) { section = "d"; continue; }
            if (line.StartsWith("Displaying notes", StringComparison.Ordinal)) { section = "n"; continue; }
            if (line.StartsWith("Symbol table ", StringComparison.Ordinal)) { section = "s"; continue; }
            if (line.StartsWith("Version symbols section", StringComparison.Ordinal)) { section = "versym"; continue; }
            if (line.StartsWith("Version definition section", StringComparison.Ordinal)) { section = "verdef"; continue; }
            if (line.StartsWith("Version needs section", StringComparison.Ordinal)) { section = "verneed"; continue; }
            if (line.StartsWith(" Section to Segment mapping", StringComparison.Ordinal)) { section = "map"; continue; }
            switch (section)
            {
                case "h":
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        r.Header.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
                    }

                    break;
                case "l":
                    if (line.Contains("[Requesting program interpreter: ", StringComparison.Ordinal))
                    {
                        int start = line.IndexOf(": ", StringComparison.Ordinal) + 2;
                        r.Interpreter = line[start..line.LastIndexOf(']')];
                    }
                    else if (SegmentLine().Match(line) is { Success: true } m)
                    {
                        r.SegmentTypes.Add(m.Groups[1].Value);
                    }

                    break;
                case "S":
                    if (SectionLine().Match(line) is { Success: true } sm)
                    {
                        r.SectionNames.Add(sm.Groups[1].Value);
                        r.SectionTypes.Add(sm.Groups[2].Value);
                    }

                    break;
                case "d":
                    if (DynamicLine().Match(line) is { Success: true } dm)
                    {
                        r.Dynamic.Add((ulong.Parse(dm.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), dm.Groups[2].Value, dm.Groups[3].Value.Trim()));
                    }

                    break;
                case "n":
                    // With -W the description and the build-id share one line.
                    int at = line.IndexOf("Build ID: ", StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        r.BuildId ??= line[(at + "Build ID: ".Length)..].Trim();
                    }

                    if (NoteLine().Match(line) is { Success: true } nm)
                    {
                        r.Notes.Add(new Note(nm.Groups[1].Value, Convert.ToInt32(nm.Groups[2].Value, 16), nm.Groups[3].Value, [nm.Groups[4].Value.Trim()]));
                    }
                    else if (line.StartsWith('\t') && r.Notes.Count > 0)
                    {
                        r.Notes[^1].Description.Add(line.Trim());
                    }

                    break;
                case "s":
                    if (SymbolLine().Match(line) is { Success: true } s)
                    {
                        var name = s.Groups[8].Value;
                        // readelf appends " (N)", the version index, to versioned references.
                        if (VersionIndexSuffix().Match(name) is { Success: true } suffix)
                        {
                            name = name[..suffix.Index];
                        }

                        r.Symbols.Add(new Symbol(
                            int.Parse(s.Groups[1].Value, CultureInfo.InvariantCulture),
                            ulong.Parse(s.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                            ParseSize(s.Groups[3].Value),
                            s.Groups[4].Value, s.Groups[5].Value, s.Groups[6].Value, s.Groups[7].Value, name));
                    }

                    break;
                case "verdef":
                    if (VerdefLine().Match(line) is { Success: true } vd)
                    {
                        definition = new Definition(Convert.ToInt32(vd.Groups[1].Value, 16), int.Parse(vd.Groups[2].Value, CultureInfo.InvariantCulture), vd.Groups[3].Value,
                            int.Parse(vd.Groups[4].Value, CultureInfo.InvariantCulture), int.Parse(vd.Groups[5].Value, CultureInfo.InvariantCulture), vd.Groups[6].Value, []);
                        r.Definitions.Add(definition);
                    }
                    else if (ParentLine().Match(line) is { Success: true } pm && definition is not null)
                    {
                        definition.Parents.Add(pm.Groups[1].Value);
                    }

                    break;
                case "verneed":
                    if (VerneedLine().Match(line) is { Success: true } vn)
                    {
                        need = new Need(int.Parse(vn.Groups[1].Value, CultureInfo.InvariantCulture), vn.Groups[2].Value, int.Parse(vn.Groups[3].Value, CultureInfo.InvariantCulture), []);
                        r.Needs.Add(need);
                    }
                    else if (VernauxLine().Match(line) is { Success: true } va && need is not null)
                    {
                        need.Versions.Add(new Requirement(va.Groups[1].Value, va.Groups[2].Value, int.Parse(va.Groups[3].Value, CultureInfo.InvariantCulture)));
                    }

                    break;
            }
        }

        return r;
    }

    private static ulong ParseSize(string text) => text.StartsWith("0x", StringComparison.Ordinal)
        ? ulong.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : ulong.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>The FLAGS_1 bits readelf names.</summary>
    public static readonly Dictionary<string, ulong> Flags1Names = new()
    {
        ["NOW"] = 0x1, ["GLOBAL"] = 0x2, ["GROUP"] = 0x4, ["NODELETE"] = 0x8, ["LOADFLTR"] = 0x10, ["INITFIRST"] = 0x20,
        ["NOOPEN"] = 0x40, ["ORIGIN"] = 0x80, ["DIRECT"] = 0x100, ["TRANS"] = 0x200, ["INTERPOSE"] = 0x400,
        ["NODEFLIB"] = 0x800, ["NODUMP"] = 0x1000, ["CONFALT"] = 0x2000, ["ENDFILTEE"] = 0x4000, ["DISPRELDNE"] = 0x8000,
        ["DISPRELPND"] = 0x10000, ["NODIRECT"] = 0x20000, ["IGNMULDEF"] = 0x40000, ["NOKSYMS"] = 0x80000,
        ["NOHDR"] = 0x100000, ["EDITED"] = 0x200000, ["NORELOC"] = 0x400000, ["SYMINTPOSE"] = 0x800000,
        ["GLOBAUDIT"] = 0x1000000, ["SINGLETON"] = 0x2000000, ["STUB"] = 0x4000000, ["PIE"] = 0x8000000,
        ["KMOD"] = 0x10000000, ["WEAKFILTER"] = 0x20000000, ["NOCOMMON"] = 0x40000000,
    };

    /// <summary>The DT_FLAGS bits readelf names.</summary>
    public static readonly Dictionary<string, ulong> FlagsNames = new()
    {
        ["ORIGIN"] = 0x1, ["SYMBOLIC"] = 0x2, ["TEXTREL"] = 0x4, ["BIND_NOW"] = 0x8, ["STATIC_TLS"] = 0x10,
    };

    // Type and Bind are one word, or "<OS specific>: 10" and the like for values readelf does not name.
    [GeneratedRegex(@"^\s+(\d+): ([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+(<[^>]+>: \d+|\S+)\s+(<[^>]+>: \d+|\S+)\s+(\S+)\s+(\S+) ?(.*)$")]
    private static partial Regex SymbolLine();

    [GeneratedRegex(@" \(\d+\)$")]
    private static partial Regex VersionIndexSuffix();

    [GeneratedRegex(@"^\s+(0x[0-9a-f]+|[0-9a-f]{6}): Rev: (\d+)\s+Flags: (.+?)\s+Index: (\d+)\s+Cnt: (\d+)\s+Name: (.*)$")]
    private static partial Regex VerdefLine();

    [GeneratedRegex(@"^\s+0x[0-9a-f]+: Parent \d+: (.*)$")]
    private static partial Regex ParentLine();

    [GeneratedRegex(@"^\s+[0-9a-fx]+: Version: (\d+)\s+File: (.*?)\s+Cnt: (\d+)$")]
    private static partial Regex VerneedLine();

    [GeneratedRegex(@"^\s+0x[0-9a-f]+:\s+Name: (.*?)\s+Flags: (.+?)\s+Version: (\d+)$")]
    private static partial Regex VernauxLine();

    [GeneratedRegex(@"^ 0x([0-9a-f]+) \((\S+)\)\s+(.*)$")]
    private static partial Regex DynamicLine();

    // Owner (%-20s, may hold spaces), data size, type text, then the description after a tab.
    [GeneratedRegex(@"^  (.*?)\s+0x([0-9a-f]{8})\t([^\t]*)\t?(.*)$")]
    private static partial Regex NoteLine();

    [GeneratedRegex(@"^  \[\s*\d+\] (\S*)\s+(\S+)\s+[0-9a-f]{8}")]
    private static partial Regex SectionLine();

    [GeneratedRegex(@"^  (\S+)\s+0x[0-9a-f]+ 0x[0-9a-f]+")]
    private static partial Regex SegmentLine();
}
