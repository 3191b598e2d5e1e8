using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// Our type-level diff on every pair of the matrix, held to abidiff's committed answer (abidiff-expected.tsv): the
/// same changed functions and variables and the same exit class in every variant, except where a row of
/// <see cref="Exceptions"/> says why — each checked against the files, so that a stale one fails — and one answer per
/// change kind, whatever the variant.
/// </summary>
public sealed partial class AbiTypesMatrixTests
{
    /// <summary>One pair of the matrix: a row of abidiff-expected.tsv.</summary>
    public sealed record MatrixRow(string Language, string Kind, string Variant, string Directory)
    {
        public override string ToString() => $"{Language} {Kind} {Variant}";
    }

    /// <summary>An answer: the functions and variables reported, as <c>[A|D|C] qualified-name</c>, and the exit code.</summary>
    public sealed record MatrixAnswer(SortedSet<string> Reported, int Exit)
    {
        public override string ToString() => $"exit {Exit}: {string.Join(", ", Reported)}";
    }

    /// <summary>
    /// A known difference between our answer and abidiff 2.2's: where it applies (checked on the files, not only by
    /// name), why, and exactly what it explains (our answer and abidiff's). A row it applies to must differ from
    /// abidiff as it says, and it must explain at least one row.
    /// </summary>
    public sealed record MatrixException(string Id, string Reason, Func<MatrixRow, bool> Applies, Func<MatrixAnswer, MatrixAnswer, bool> Explains);

    private static readonly string[] VtableOnlyOursAdded = ["[C] shape::~shape", "[C] use"];
    private static readonly string[] VtableOnlyOursReordered = ["[C] shape::perimeter", "[C] shape::~shape", "[C] use"];

    /// <summary>Where we report more or less than abidiff 2.2, and why.</summary>
    public static readonly MatrixException[] Exceptions =
    [
        new("zstd-unreadable-by-abidiff",
            "objcopy --compress-debug-sections=zstd compressed a DWARF section of this pair (it leaves one alone when zstd does not shrink it) " +
            "and abidiff 2.2 reads DWARF through elfutils 0.188's libdw, which cannot decompress zstd (eu-readelf: 'invalid DWARF'): " +
            "abidiff sees no types and compares ELF symbols only; we decompress zstd and report the type change",
            row => row.Variant.EndsWith("-zstd", StringComparison.Ordinal) && (HasZstdDebugSection(row, "old.so") || HasZstdDebugSection(row, "new.so")),
            (ours, theirs) => !theirs.Reported.Any(r => r.StartsWith("[C]", StringComparison.Ordinal)) && theirs.Reported.IsSubsetOf(ours.Reported)
                && ours.Reported.Any(r => r.StartsWith("[C]", StringComparison.Ordinal))),
        new("dwz-multifile-unresolved-by-abidiff",
            "dwz -m moved DIEs and strings into common.debug, named relatively by .gnu_debugaltlink; elfutils 0.188's libdw (abidiff 2.2's " +
            "reader) does not find it (eu-readelf: 'no alternative debug link found'), so abidw writes an empty corpus and abidiff reports " +
            "nothing (exit 0); we open the multifile beside the file and report the change",
            row => row.Variant.EndsWith("-dwz", StringComparison.Ordinal) && (LibdwMissesAltFile(row, "old.so") || LibdwMissesAltFile(row, "new.so")),
            (ours, theirs) => theirs.Exit == 0 && theirs.Reported.Count == 0 && ours.Reported.Count > 0),
        new("added-enumerator-filtered-by-abidiff",
            "abidiff filters an added enumerator out by default (exit 0); we report ABI2009, compatible (exit 4), since old programs may be handed the new value",
            row => row.Kind == "enumerator_added",
            (ours, theirs) => theirs.Exit == 0 && theirs.Reported.Count == 0 && ours.Exit == AbiExitCodes.AbiChange && ours.Reported.SetEquals(["[C] use"])),
        new("vtable-change-reported-once-by-abidiff",
            "abidiff reports a vtable change once, on the first virtual method, and filters the destructors and use(const shape&) as redundant; " +
            "we name every exported function whose types reach struct shape (ABI2015)",
            row => row.Kind == "virtual_function_added",
            (ours, theirs) => theirs.Reported.IsProperSubsetOf(ours.Reported) && ours.Reported.Except(theirs.Reported).SequenceEqual(VtableOnlyOursAdded)
                && ExitClassAgrees(ours.Exit, theirs.Exit)),
        new("vtable-reorder-reported-once-by-abidiff",
            "abidiff reports the reordered vtable once, on shape::area, and filters shape::perimeter, the destructors and use(const shape&) " +
            "as redundant; we name every exported function whose types reach struct shape (ABI2015)",
            row => row.Kind == "virtual_functions_reordered",
            (ours, theirs) => theirs.Reported.IsProperSubsetOf(ours.Reported) && ours.Reported.Except(theirs.Reported).SequenceEqual(VtableOnlyOursReordered)
                && ExitClassAgrees(ours.Exit, theirs.Exit)),
    ];

    /// <summary>
    /// The exit class: both see a change (bit 4) or neither, and where abidiff calls a change incompatible (bit 8) so
    /// do we. Our defaults also call a layout change incompatible where abidiff 2.2 sets bit 4 only (a settings file
    /// can lower ABI2xxx to needs-review), so our bit 8 alone is not a disagreement.
    /// </summary>
    private static bool ExitClassAgrees(int ours, int theirs)
        => (ours & AbiExitCodes.AbiChange) == (theirs & AbiExitCodes.AbiChange)
            && ((theirs & AbiExitCodes.IncompatibleChange) == 0 || (ours & AbiExitCodes.IncompatibleChange) != 0);

    /// <summary>
    /// Every pair through <see cref="AbiComparer"/> with types, as <c>abi diff</c> runs it (the separate debug files
    /// found under the roots abidiff was given as <c>--d1</c>/<c>--d2</c>): the changed functions and variables and the
    /// exit class agree with abidiff's committed answer, or an exception says why; and every variant of a change kind
    /// gets the same diagnostics.
    /// </summary>
    [Fact]
    public void Our_type_diff_agrees_with_abidiff_on_every_pair_or_says_why()
    {
        var matrix = Matrix.Get();
        Tools.Require("eu-readelf", "elfutils");
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var byKind = new Dictionary<string, (MatrixRow Row, string Answer)>(StringComparer.Ordinal);
        int agreed = 0, explained = 0;
        var rows = File.ReadAllLines(Path.Combine(Folder, "abidiff-expected.tsv")).Skip(1).ToList();
        Assert.Equal(432, rows.Count);
        foreach (var line in rows)
        {
            var f = line.Split('\t');
            var row = new MatrixRow(f[0], f[1], f[2], Path.Combine(matrix, $"{f[0]}-{f[1]}", f[2]));
            var theirs = new MatrixAnswer(ParseAbidiff(f[4]), int.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture));
            var (ours, diagnostics, notCompared) = RunOurs(row);
            if (notCompared is not null)
            {
                failures.Add($"{row}: types not compared: {notCompared}");
                continue;
            }

            // The variant must not change our answer: the same diagnostics, messages and exit code as the first variant.
            string key = $"{row.Language} {row.Kind}";
            if (!byKind.TryAdd(key, (row, diagnostics)) && byKind[key].Answer != diagnostics)
            {
                failures.Add($"{row}: our answer differs from {byKind[key].Row.Variant}'s:\n{diagnostics}\n  vs\n{byKind[key].Answer}");
            }

            var applicable = Exceptions.Where(e => e.Applies(row)).ToList();
            bool agrees = ours.Reported.SetEquals(theirs.Reported) && ExitClassAgrees(ours.Exit, theirs.Exit);
            if (agrees)
            {
                agreed++;
                if (applicable.Count > 0)
                {
                    failures.Add($"{row}: agrees with abidiff ({ours}), so exception {string.Join(", ", applicable.Select(e => e.Id))} is stale for it");
                }

                continue;
            }

            var reason = applicable.FirstOrDefault(e => e.Explains(ours, theirs));
            if (reason is null)
            {
                failures.Add($"{row}: we answer {ours}, abidiff {theirs}" + (applicable.Count > 0 ? $" (not as exception {string.Join(", ", applicable.Select(e => e.Id))} says)" : " (no exception applies)"));
                continue;
            }

            explained++;
            used[reason.Id] = used.GetValueOrDefault(reason.Id) + 1;
            output.WriteLine($"{row}: we answer {ours}, abidiff {theirs}: {reason.Id}");
        }

        foreach (var e in Exceptions.Where(e => !used.ContainsKey(e.Id)))
        {
            failures.Add($"exception {e.Id} explains no row: remove it");
        }

        output.WriteLine($"{agreed} pairs agree with abidiff, {explained} differ as an exception says " +
            $"({string.Join(", ", used.Select(u => $"{u.Key}: {u.Value}"))}); {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(30)));
        Assert.Equal(432, agreed + explained);
    }

    /// <summary>Our diff of a pair, as <c>abi diff [--d1 R --d2 R] old.so new.so</c> computes it.</summary>
    private static (MatrixAnswer Answer, string Diagnostics, string? NotCompared) RunOurs(MatrixRow row)
    {
        string[]? roots = row.Variant.EndsWith("-buildid", StringComparison.Ordinal) ? [Path.Combine(row.Directory, "debug")]
            : row.Variant.EndsWith("-debuglink", StringComparison.Ordinal) ? [row.Directory]
            : null;
        string oldPath = Path.Combine(row.Directory, "old.so"), newPath = Path.Combine(row.Directory, "new.so");
        using var oldImage = ElfImage.Open(oldPath);
        using var newImage = ElfImage.Open(newPath);
        var oldTypes = AbiTypeGraph.Load(oldImage, roots);
        var newTypes = AbiTypeGraph.Load(newImage, roots);
        var diff = AbiComparer.Default.Compare(AbiSurface.Open(oldPath), AbiSurface.Open(newPath), oldTypes, newTypes, TestContext.Current.CancellationToken);
        if (!diff.TypesCompared)
        {
            return (new MatrixAnswer([], diff.ExitCode), string.Empty, diff.TypesNotComparedReason);
        }

        var reported = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var d in diff.Diagnostics)
        {
            // Symbols the debug information describes; abidiff lists the others (vtables, typeinfo) apart, unquoted.
            string mark = d.Id == AbiDiagnosticIds.SymbolRemoved.Id ? "[D]" : d.Id == AbiDiagnosticIds.SymbolAdded.Id ? "[A]" : "[C]";
            if (d.Symbol is { } symbol && (Declaration(oldTypes, symbol) ?? Declaration(newTypes, symbol)) is { } declaration)
            {
                reported.Add($"{mark} {declaration.Name}");
            }
        }

        string all = string.Join('\n', diff.Diagnostics.Select(d => $"  {d.Id} {d.Severity} {d.Symbol?.Name}: {d.Message}").Order(StringComparer.Ordinal)) + $"\n  exit {diff.ExitCode}";
        return (new MatrixAnswer(reported, diff.ExitCode), all, null);
    }

    private static AbiDeclaration? Declaration(AbiTypeGraph graph, AbiSymbol symbol)
        => (symbol.IsFunction ? graph.Functions : graph.Variables).GetValueOrDefault(symbol.Name);

    /// <summary>abidiff's reported declarations (<c>[C] 'function int use(s*)'</c>) as <c>[C] use</c>.</summary>
    private static SortedSet<string> ParseAbidiff(string reported)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in reported.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = AbidiffItem().Match(item);
            Assert.True(m.Success, $"cannot parse abidiff's '{item}'");
            string decl = m.Groups["decl"].Value;
            var name = decl.StartsWith("function ", StringComparison.Ordinal) || decl.StartsWith("method ", StringComparison.Ordinal)
                ? FunctionName().Match(decl) : VariableName().Match(decl);
            Assert.True(name.Success, $"cannot find the name in abidiff's '{item}'");
            set.Add($"[{m.Groups["mark"].Value}] {name.Groups["name"].Value}");
        }

        return set;
    }

    [GeneratedRegex(@"^\[(?<mark>[ACD])\] '(?<decl>[^']*)'$")]
    private static partial Regex AbidiffItem();

    [GeneratedRegex(@"(?<name>[\w:~]+)\(")]
    private static partial Regex FunctionName();

    [GeneratedRegex(@"(?<name>[\w:]+)(?:\[[^\]]*\])*$")]
    private static partial Regex VariableName();

    /// <summary>A .debug_* section of the file is SHF_COMPRESSED with ELFCOMPRESS_ZSTD (2) in its Elf64_Chdr.</summary>
    private static bool HasZstdDebugSection(MatrixRow row, string file)
    {
        string path = Path.Combine(row.Directory, file);
        using var image = ElfImage.Open(path);
        using var stream = File.OpenRead(path);
        Span<byte> type = stackalloc byte[4];
        foreach (var s in image.Sections)
        {
            if (s.Name.StartsWith(".debug_", StringComparison.Ordinal) && (s.Flags & ElfSectionFlags.SHF_COMPRESSED) != 0)
            {
                stream.Position = (long)s.Offset;
                stream.ReadExactly(type);
                if (BinaryPrimitives.ReadUInt32LittleEndian(type) == 2)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>elfutils' libdw (abidiff's reader) cannot find the file's dwz multifile: eu-readelf says so.</summary>
    private static bool LibdwMissesAltFile(MatrixRow row, string file)
    {
        var (_, _, stderr) = Tools.Run(Tools.Require("eu-readelf", "elfutils"), ["--debug-dump=info", Path.Combine(row.Directory, file)],
            new Dictionary<string, string> { ["LC_ALL"] = "C" }, workingDirectory: row.Directory);
        return stderr.Contains("no alternative debug link found", StringComparison.Ordinal);
    }
}
