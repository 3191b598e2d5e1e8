using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// Baselines with types: a format-2 baseline (abi dump) records the type graph behind the exported symbols, so that a
/// diff against it gives the ABI2xxx diagnostics a diff of the two libraries gives; abidw's ABIXML is read with its
/// types, and abidiff given the same ABIXML agrees on what changed; version-1 baselines still read.
/// </summary>
public sealed partial class BaselineTypesTests
{
    private static string Fixture(string pair, string file) => Path.Combine(Paths.Fixtures, "abi-types", pair, file);

    private static (AbiSurface, AbiTypeGraph) FromElf(string path)
    {
        using var image = ElfImage.Open(path);
        return (AbiSurface.Of(image), AbiTypeGraph.Load(image));
    }

    /// <summary>abi dump of a library, read back: written to memory and parsed as a file would be.</summary>
    private static AbiBaselineContents Dump(string path)
    {
        var (surface, types) = FromElf(path);
        using var stream = new MemoryStream();
        AbiBaseline.Write(surface, types, stream);
        return AbiBaseline.ParseWithTypes(stream.ToArray(), Path.GetFileName(path) + ".json");
    }

    private static AbiDiff Compare((AbiSurface Surface, AbiTypeGraph Types) old, (AbiSurface Surface, AbiTypeGraph Types) @new) =>
        AbiComparer.Default.Compare(old.Surface, @new.Surface, old.Types, @new.Types, TestContext.Current.CancellationToken);

    /// <summary>The type diagnostics as comparable facts: ID, symbol, path.</summary>
    private static string[] TypeFacts(AbiDiff diff) =>
        [.. diff.Diagnostics.Where(d => d.Id.StartsWith("ABI2", StringComparison.Ordinal))
            .Select(d => $"{d.Id} {d.Symbol?.Name} {d.MessageArguments[1]}").Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(TypeDiffTests.Cases), MemberType = typeof(TypeDiffTests))]
    public void Diff_against_dumped_baselines_equals_the_diff_of_the_libraries(string pair, string[] expected, int exitCode)
    {
        var elf = Compare(FromElf(Fixture(pair, "v1.so")), FromElf(Fixture(pair, "v2.so")));
        var oldDump = Dump(Fixture(pair, "v1.so"));
        var newDump = Dump(Fixture(pair, "v2.so"));
        var baselineVsElf = Compare((oldDump.Surface, oldDump.Types), FromElf(Fixture(pair, "v2.so")));
        var baselineVsBaseline = Compare((oldDump.Surface, oldDump.Types), (newDump.Surface, newDump.Types));

        Assert.True(oldDump.Types.HasDebugInfo, oldDump.Types.UnavailableReason);
        Assert.True(baselineVsElf.TypesCompared && baselineVsBaseline.TypesCompared);
        Assert.Equal(expected.Length, TypeFacts(elf).Length + elf.Diagnostics.Count(d => !d.Id.StartsWith("ABI2", StringComparison.Ordinal)));
        Assert.Equal(TypeFacts(elf), TypeFacts(baselineVsElf));
        Assert.Equal(TypeFacts(elf), TypeFacts(baselineVsBaseline));
        Assert.Equal(exitCode, baselineVsElf.ExitCode);
        Assert.Equal(exitCode, baselineVsBaseline.ExitCode);
    }

    [Theory]
    [InlineData("vtable-changed", "v1.so")]
    [InlineData("cycle", "v2.so")]
    [InlineData("member-offset-changed", "v1.dwarf4.so")]
    public void Format_2_round_trips_byte_for_byte_with_the_same_graph(string pair, string file)
    {
        var (surface, types) = FromElf(Fixture(pair, file));
        using var first = new MemoryStream();
        AbiBaseline.Write(surface, types, first);
        var back = AbiBaseline.ParseWithTypes(first.ToArray(), file);
        using var second = new MemoryStream();
        AbiBaseline.Write(back.Surface, back.Types, second);
        Assert.Equal(Encoding.UTF8.GetString(first.ToArray()), Encoding.UTF8.GetString(second.ToArray()));
        Assert.Equal(types.Types.Select(t => $"{t.Kind} {t.Spelling} {t.Size}"), back.Types.Types.Select(t => $"{t.Kind} {t.Spelling} {t.Size}"));
        Assert.Equal(types.Functions.Values.Select(f => f.Spelling).Order(), back.Types.Functions.Values.Select(f => f.Spelling).Order());

        using var doc = JsonDocument.Parse(first.ToArray());
        Assert.Equal(2, doc.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.Equal(types.Types.Length, doc.RootElement.GetProperty("types").GetProperty("graph").GetArrayLength());
    }

    [Fact]
    public void A_format_1_baseline_still_reads_and_says_types_were_not_compared()
    {
        var path = Path.Combine(Paths.Fixtures, "baselines", "member-offset-changed-v1.format1.json");
        var contents = AbiBaseline.OpenWithTypes(path);
        Assert.Equal(AbiSurface.Open(path).Symbols, contents.Surface.Symbols);
        Assert.False(contents.Types.HasDebugInfo);
        Assert.Contains("format version 1", contents.Types.UnavailableReason);

        var diff = Compare((contents.Surface, contents.Types), FromElf(Fixture("member-offset-changed", "v2.so")));
        Assert.False(diff.TypesCompared);
        Assert.StartsWith("the old library: the baseline is format version 1", diff.TypesNotComparedReason);
        Assert.DoesNotContain(diff.Diagnostics, d => d.Id.StartsWith("ABI2", StringComparison.Ordinal));
        var text = new StringWriter();
        diff.WriteText(text);
        Assert.Contains("Types were not compared: the old library: the baseline is format version 1", text.ToString());
    }

    [Fact]
    public void A_library_without_debug_information_dumps_format_2_without_types_and_says_why()
    {
        var (surface, types) = FromElf(FixturePairTests.Pair("symbol-removed", "v1"));
        Assert.False(types.HasDebugInfo);
        using var stream = new MemoryStream();
        AbiBaseline.Write(surface, types, stream);
        using var doc = JsonDocument.Parse(stream.ToArray());
        Assert.Equal(2, doc.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.StartsWith("no debug information", doc.RootElement.GetProperty("types").GetProperty("unavailable").GetString());

        var back = AbiBaseline.ParseWithTypes(stream.ToArray(), "v1.json");
        Assert.False(back.Types.HasDebugInfo);
        Assert.StartsWith("the baseline records no types: no debug information", back.Types.UnavailableReason);
        var written = AbiBaseline.ParseWithTypes(Encoding.UTF8.GetBytes(WriteWithoutTypes(surface)), "plain.json");
        Assert.Equal("the baseline records no types: it was written without them", written.Types.UnavailableReason);
    }

    private static string WriteWithoutTypes(AbiSurface surface)
    {
        using var stream = new MemoryStream();
        AbiBaseline.Write(surface, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The installed libc dumped with its types (libc6-dbg) compares equal to libc with its debug information: no diagnostic at all.</summary>
    [Fact]
    public void Libc_baseline_with_types_compares_equal_to_libc()
    {
        var (image, _) = LibcDebugInfo.Open();
        using var owned = image;
        var surface = AbiSurface.Of(image);
        var graph = AbiTypeGraph.Load(image);
        using var stream = new MemoryStream();
        AbiBaseline.Write(surface, graph, stream);
        var back = AbiBaseline.ParseWithTypes(stream.ToArray(), "libc.so.6");
        Assert.Equal(graph.Types.Length, back.Types.Types.Length);
        Assert.Equal(graph.Functions.Count, back.Types.Functions.Count);
        var diff = AbiComparer.Default.Compare(back.Surface, surface, back.Types, graph, TestContext.Current.CancellationToken);
        Assert.True(diff.TypesCompared);
        Assert.Empty(diff.Diagnostics);
    }

    private static (int Exit, string Stdout, string Stderr) Cli(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "abi.dll");
        var dotnet = Tools.Find("dotnet") ?? Path.Combine(Path.GetDirectoryName(Environment.ProcessPath!)!, "dotnet");
        return Tools.Run(dotnet, [dll, .. args]);
    }

    [Fact]
    public void Cli_dump_records_types_and_diff_reads_them()
    {
        var dir = Directory.CreateTempSubdirectory("abi-dump-types-");
        try
        {
            var baseline = Path.Combine(dir.FullName, "v1.json");
            Assert.Equal(0, Cli("dump", Fixture("member-offset-changed", "v1.so"), "-o", baseline).Exit);
            var diff = Cli("diff", baseline, Fixture("member-offset-changed", "v2.so"));
            Assert.Equal(12, diff.Exit);
            Assert.Contains("f → parameter 1 (struct S *) → struct S → member b: offset 4 → 8 [ABI2002 incompatible]", diff.Stdout);

            var symbolsOnly = Path.Combine(dir.FullName, "v1.symbols.json");
            Assert.Equal(0, Cli("dump", "--no-types", Fixture("member-offset-changed", "v1.so"), "-o", symbolsOnly).Exit);
            Assert.Contains("Types were not compared: the old library: the baseline records no types: it was written without them", Cli("diff", symbolsOnly, Fixture("member-offset-changed", "v2.so")).Stdout);

            var noDebug = Cli("dump", FixturePairTests.Pair("symbol-removed", "v1"), "-o", Path.Combine(dir.FullName, "nodebug.json"));
            Assert.Equal(0, noDebug.Exit);
            Assert.StartsWith("abi dump: types not recorded: no debug information", noDebug.Stderr);

            var v1 = Cli("diff", Path.Combine(Paths.Fixtures, "baselines", "member-offset-changed-v1.format1.json"), Fixture("member-offset-changed", "v2.so"));
            Assert.Equal(0, v1.Exit);
            Assert.Contains("Types were not compared: the old library: the baseline is format version 1", v1.Stdout);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    // ---- ABIXML (abidw) ----

    private static string AbidwOut(string library, string output, params string[] extra)
    {
        var abidw = Tools.Require("abidw", "abigail-tools");
        var (exit, _, stderr) = Tools.Run(abidw, ["--no-show-locs", "--out-file", output, .. extra, library]);
        Assert.True(exit == 0, $"abidw failed ({exit}): {stderr}");
        return output;
    }

    /// <summary>The exported functions and variables abidiff says changed, by declared name.</summary>
    private static SortedSet<string> AbidiffChanged(string old, string @new, out int exit)
    {
        var (code, stdout, stderr) = Tools.Run(Abidiff.Require(), ["--no-show-locs", old, @new]);
        Assert.True((code & 3) == 0, $"abidiff failed ({code}): {stderr}");
        exit = code;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in ChangedDeclaration().Matches(stdout))
        {
            names.Add(m.Groups["fn"].Success ? m.Groups["fn"].Value : m.Groups["var"].Value);
        }

        return names;
    }

    [GeneratedRegex(@"^\s+\[C\] '(?:function|method)[^(]*?(?<fn>[\w:~]+)\(|^\s+\[C\] '[^']*? (?<var>[\w:]+)' was changed", RegexOptions.Multiline)]
    private static partial Regex ChangedDeclaration();

    private static SortedSet<string> OursChanged(AbiDiff diff, AbiTypeGraph names) => new(
        diff.Diagnostics.Where(d => d.Id.StartsWith("ABI2", StringComparison.Ordinal))
            .Select(d => (d.Symbol!.IsFunction ? names.Functions : names.Variables)[d.Symbol.Name].Name), StringComparer.Ordinal);

    /// <summary>
    /// For every pair: abidw's ABIXML of v1 (written now) against v2 reports the changed functions and variables,
    /// and the exit class, that the two libraries do, and that abidiff reports given the same ABIXML. Where abidiff
    /// says less, <see cref="TypeDiffTests.SaysMore"/> gives the reason (the same as between the libraries).
    /// </summary>
    [Theory]
    [MemberData(nameof(TypeDiffTests.Cases), MemberType = typeof(TypeDiffTests))]
    public void Abixml_baseline_reports_what_the_libraries_and_abidiff_report(string pair, string[] expected, int exitCode)
    {
        _ = expected;
        var dir = Directory.CreateTempSubdirectory("abi-abixml-");
        try
        {
            var abi = AbidwOut(Fixture(pair, "v1.so"), Path.Combine(dir.FullName, "v1.abi"));
            var xml = AbiBaseline.OpenWithTypes(abi);
            Assert.True(xml.Types.HasDebugInfo);
            var newSide = FromElf(Fixture(pair, "v2.so"));
            var fromXml = Compare((xml.Surface, xml.Types), newSide);
            var fromElf = Compare(FromElf(Fixture(pair, "v1.so")), newSide);
            Assert.True(fromXml.TypesCompared);

            // The same symbols and IDs as library against library (paths may spell types as abidw declares them).
            Assert.Equal(fromElf.Diagnostics.Select(d => $"{d.Id} {d.Symbol?.Name ?? d.Subject}").Order(StringComparer.Ordinal),
                fromXml.Diagnostics.Select(d => $"{d.Id} {d.Symbol?.Name ?? d.Subject}").Order(StringComparer.Ordinal));
            Assert.Equal(exitCode, fromXml.ExitCode);

            var theirs = AbidiffChanged(abi, Fixture(pair, "v2.so"), out int exit);
            var ours = OursChanged(fromXml, newSide.Item2);
            Assert.Equal(OursChanged(fromElf, newSide.Item2), ours);
            if (TypeDiffTests.SaysMore.TryGetValue(pair, out var why))
            {
                Assert.True(theirs.IsSubsetOf(ours), $"abidiff names {string.Join(", ", theirs)}, Abi.Sdk {string.Join(", ", ours)} ({why})");
                return;
            }

            Assert.Equal(theirs, ours);
            Assert.Equal(exit & 4, fromXml.ExitCode & 4);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Abixml_types_follow_abidw()
    {
        var dir = Directory.CreateTempSubdirectory("abi-abixml-");
        try
        {
            var abi = AbidwOut(Fixture("vtable-changed", "v1.so"), Path.Combine(dir.FullName, "v1.abi"));
            var types = AbiBaseline.OpenWithTypes(abi).Types;
            var use = types.Functions["_Z3useP1C"];
            Assert.Equal("function int use(struct C *)", use.Spelling);
            var c = use.Type.Parameters[0].Target!;
            Assert.Equal(16UL, c.Size);
            Assert.Equal([("_vptr.C", 0UL), ("x", 64UL)], c.Members.Select(m => (m.Name!, m.BitOffset)));
            Assert.Equal([("f", 0L), ("g", 1L)], c.VirtualFunctions.Select(v => (v.Name, v.Slot)));
            Assert.Equal("C::f", types.Functions["_ZN1C1fEv"].Name);

            // Enum: no size in ABIXML, its underlying type's; the enumerators in order.
            abi = AbidwOut(Fixture("enumerator-value-changed", "v2.so"), Path.Combine(dir.FullName, "e.abi"));
            var e = AbiBaseline.OpenWithTypes(abi).Types.Functions["f"].Type.Parameters[0];
            Assert.Equal((AbiTypeKind.Enum, "E", (ulong?)4), (e.Kind, e.Name, e.Size));
            Assert.Equal(FromElf(Fixture("enumerator-value-changed", "v2.so")).Item2.Functions["f"].Type.Parameters[0].Enumerators, e.Enumerators);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    /// <summary>
    /// abidw of the installed libc with libc6-dbg: read without error; as many exported functions, variables and
    /// symbols as abidw wrote; and against libc itself with its debug information, no type change.
    /// </summary>
    [Fact]
    public void Abixml_of_libc_reads_and_compares_equal_to_libc_with_debug_information()
    {
        var (image, location) = LibcDebugInfo.Open();
        using var owned = image;
        var dir = Directory.CreateTempSubdirectory("abi-abixml-");
        try
        {
            var root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(location.Path)))!;
            var abi = AbidwOut(LibcDebugInfo.Libc, Path.Combine(dir.FullName, "libc.abi"), "--debug-info-dir", root);
            var xml = AbiBaseline.OpenWithTypes(abi);
            var doc = XDocument.Load(abi);
            var elfSymbols = doc.Descendants("elf-symbol").Where(s => (string?)s.Attribute("is-defined") != "no").ToList();
            // abidw lists an alias both as its own elf-symbol and in its main symbol's alias attribute.
            Assert.Equal(elfSymbols.Select(s => ((string)s.Attribute("name")!, (string?)s.Attribute("version"))).Distinct().Count(), xml.Surface.Symbols.Length);
            var names = xml.Surface.Symbols.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            Assert.All(elfSymbols.SelectMany(s => ((string?)s.Attribute("alias"))?.Split(',') ?? []), a => Assert.Contains(a.Split('@')[0], names));
            foreach (var (element, declared) in new[] { ("function-decl", xml.Types.Functions), ("var-decl", xml.Types.Variables) })
            {
                var ids = doc.Descendants(element).Select(d => (string?)d.Attribute("elf-symbol-id")).OfType<string>().Select(id => id.Split('@')[0]).ToHashSet(StringComparer.Ordinal);
                Assert.All(ids, id => Assert.True(declared.ContainsKey(id), $"{element} {id} not declared"));
                Assert.True(declared.Count >= ids.Count, $"{element}: {declared.Count} declared, abidw {ids.Count}");
            }

            var surface = AbiSurface.Of(image);
            var graph = AbiTypeGraph.Load(image);
            var diff = AbiComparer.Default.Compare(xml.Surface, surface, xml.Types, graph, TestContext.Current.CancellationToken);
            Assert.True(diff.TypesCompared, diff.TypesNotComparedReason);
            var typeChanges = diff.Diagnostics.Where(d => d.Id.StartsWith("ABI2", StringComparison.Ordinal)).ToList();
            var unexplained = new List<string>();
            var byCause = new Dictionary<string, int>();
            foreach (var d in typeChanges)
            {
                var path = (string)d.MessageArguments[1]!;
                var cause = LibcDifferences.FirstOrDefault(c => c.Applies(d.Id, path)).Why;
                if (cause is null)
                {
                    unexplained.Add($"{d.Id} {d.Symbol?.Name}: {path}");
                }
                else
                {
                    byCause[cause] = byCause.GetValueOrDefault(cause) + 1;
                }
            }

            foreach (var (why, n) in byCause)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{n,4} {why}");
            }

            Assert.True(unexplained.Count == 0, $"{unexplained.Count} type changes, e.g.\n{string.Join("\n", unexplained.Take(20))}");

            // Most exported functions are compared and agree: the differences above concern a few types.
            var changed = typeChanges.Select(d => d.Symbol!.Name).ToHashSet(StringComparer.Ordinal);
            Assert.True(xml.Types.Functions.Count > 2000 && changed.Count < xml.Types.Functions.Count / 8, $"{changed.Count} of {xml.Types.Functions.Count} functions differ");
        }
        finally
        {
            dir.Delete(true);
        }
    }

    /// <summary>
    /// Where abidw's ABIXML of libc and libc's own debug information differ in what they say, not in the library:
    /// each with the reason. Everything else must compare equal. (Function pointers whose parameters differ between
    /// units only in a typedef's name, sigval_t for __sigval_t, or in a parameter's own restrict, 23 diagnostics once,
    /// are no longer reported: abidiff 2.2 calls such changes harmless, Fixtures/abi-types/harmless-changes.)
    /// </summary>
    private static readonly (Func<string, string, bool> Applies, string Why)[] LibcDifferences =
    [
        ((id, path) => path.Contains("_IO_lock_t", StringComparison.Ordinal) && id is "ABI2014" or "ABI2001",
            "glibc declares _IO_lock_t as void in its public header and as a 16-byte struct inside libio: abidw keeps one struct _IO_FILE for the whole library (the public one), Abi.Sdk each function's own unit's"),
        ((id, path) => id == "ABI2012" && path.StartsWith("__memmove_sse2_unaligned → return type", StringComparison.Ordinal),
            "an assembly ifunc variant: abidw and Abi.Sdk match different DIEs to it"),
        ((id, path) => id == "ABI2001" && path.Contains("[] → ", StringComparison.Ordinal),
            "a variable declared T[] and defined T[N]: abidw records the declaration's type, Abi.Sdk the definition's"),
    ];

    // ---- hostile input ----

    private static AbiBaselineFormatException Rejects(byte[] bytes)
    {
        var ex = Assert.Throws<AbiBaselineFormatException>(() => AbiBaseline.ParseWithTypes(bytes, "bad.abi"));
        Assert.Equal("bad.abi", ex.FileName);
        return ex;
    }

    private static string Abixml(string body) =>
        $"<abi-corpus version='2.1' architecture='elf-amd-x86_64'><elf-function-symbols><elf-symbol name='f' type='func-type' binding='global-binding' visibility='default-visibility' is-defined='yes'/></elf-function-symbols><abi-instr address-size='64' path='a.c' language='LANG_C11'>{body}</abi-instr></abi-corpus>";

    [Fact]
    public void Abixml_well_formed_minimal_corpus_reads()
    {
        var c = AbiBaseline.ParseWithTypes(Encoding.UTF8.GetBytes(Abixml(
            "<type-decl name='int' size-in-bits='32' id='t1'/><function-decl name='f' elf-symbol-id='f'><parameter type-id='t2'/><return type-id='t1'/></function-decl><typedef-decl name='I' type-id='t1' id='t2'/>")), "ok.abi");
        Assert.Equal("function int f(I)", c.Types.Functions["f"].Spelling);
        Assert.Equal(4UL, c.Types.Functions["f"].Type.Parameters[0].Size);
    }

    [Fact]
    public void Truncated_abixml_is_a_typed_error()
    {
        var full = Encoding.UTF8.GetBytes(Abixml("<type-decl name='int' size-in-bits='32' id='t1'/><function-decl name='f' elf-symbol-id='f'><return type-id='t1'/></function-decl>"));
        for (int cut = 40; cut < full.Length - 1; cut += 17)
        {
            var ex = Rejects(full[..cut]);
            Assert.Contains("ABIXML", ex.Message);
        }
    }

    [Fact]
    public void Dtd_entity_expansion_is_refused()
    {
        const string laughs = "<?xml version='1.0'?><!DOCTYPE abi-corpus [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]>";
        var ex = Rejects(Encoding.UTF8.GetBytes(laughs + Abixml("<type-decl name='&c;' id='t1'/>")));
        Assert.Contains("DTD", ex.Message);
        ex = Rejects(Encoding.UTF8.GetBytes("<!DOCTYPE abi-corpus SYSTEM 'file:///etc/passwd'>" + Abixml(string.Empty)));
        Assert.Contains("DTD", ex.Message);
    }

    [Fact]
    public void Deep_nesting_is_a_typed_error()
    {
        int depth = AbiXmlTypeReader.MaxDepth + 10;
        var inside = string.Concat(Enumerable.Repeat("<namespace-decl name='n'>", depth)) + string.Concat(Enumerable.Repeat("</namespace-decl>", depth));
        var ex = Rejects(Encoding.UTF8.GetBytes(Abixml(inside)));
        Assert.Contains($"deeper than {AbiXmlTypeReader.MaxDepth}", ex.Message);
        Assert.True(ex.Offset > 0, "the line is named");

        // Outside abi-instr too, where the symbol reader walks.
        var outside = "<abi-corpus>" + string.Concat(Enumerable.Repeat("<x>", depth)) + string.Concat(Enumerable.Repeat("</x>", depth)) + "</abi-corpus>";
        Assert.Contains("deeper than", Rejects(Encoding.UTF8.GetBytes(outside)).Message);
    }

    /// <summary>
    /// A graph no compiler writes (found by CI's fuzzing of baselines): a function type that is its own return and
    /// parameter type, and a chain of function types that each take the next twice. Spelling within the depth bound
    /// alone would make 2^48 parts; the work bound ends it with "…", and the comparison and the writer finish too.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    public void Function_types_that_double_at_every_level_are_spelled_within_a_bound(int chain)
    {
        var graph = new StringBuilder("""{"kind":"void"}""");
        for (int i = 1; i <= chain; i++)
        {
            int next = i == chain ? 1 : i + 1; // the last one refers back to the first: a cycle through functions only
            graph.Append($$""",{"kind":"function","target":{{next}},"parameters":[{{next}},{{next}}]}""");
        }

        var json = $$"""
            {"format":"abi-sdk-baseline","formatVersion":2,"fingerprint":"00000000000000000000000000000000","file":"f.so",
             "soname":null,"class":"ELF64","machine":62,"needed":[],"versions":[],
             "symbols":[{"name":"f","version":null,"default":false,"kind":"function","binding":"global","visibility":"default","size":1}],
             "types":{"debugFile":"f.so","graph":[{{graph}}],
                      "functions":[{"symbol":"f","name":"f","linkage":"f","type":1}],"variables":[]} }
            """;
        var read = AbiBaseline.ParseWithTypes(Encoding.UTF8.GetBytes(json), "f.json");
        var spelling = Assert.Single(read.Types.Functions.Values).Spelling;
        Assert.Contains("…", spelling);
        Assert.True(spelling.Length < 1 << 19, $"spelling of {spelling.Length} characters");

        var report = AbiComparer.Default.Compare(read.Surface, read.Surface, read.Types, read.Types, TestContext.Current.CancellationToken);
        Assert.Empty(report.Diagnostics);
        AbiBaseline.Write(read.Surface, read.Types, Stream.Null);
    }

    /// <summary>A "functions" or "variables" entry that is not an object is a typed error (found by fuzzing: .NET's JsonElement threw InvalidOperationException).</summary>
    [Theory]
    [InlineData("functions")]
    [InlineData("variables")]
    public void A_declaration_that_is_not_an_object_is_a_typed_error(string property)
    {
        var other = property == "functions" ? "variables" : "functions";
        var json = $$"""
            {"format":"abi-sdk-baseline","formatVersion":2,"fingerprint":"00000000000000000000000000000000","file":"f.so",
             "soname":null,"class":"ELF64","machine":62,"needed":[],"versions":[],"symbols":[],
             "types":{"debugFile":"f.so","graph":[{"kind":"void"}],"{{other}}":[],"{{property}}":[2]} }
            """;
        var ex = Assert.Throws<AbiBaselineFormatException>(() => AbiBaseline.ParseWithTypes(Encoding.UTF8.GetBytes(json), "f.json"));
        Assert.Contains($"a \"{property}\" entry is Number, expected an object", ex.Message);
    }

    [Fact]
    public void Huge_attribute_is_a_typed_error()
    {
        var huge = new string('x', AbiBaseline.MaxTokenSize + 16);
        var ex = Rejects(Encoding.UTF8.GetBytes(Abixml($"<type-decl name='{huge}' id='t1'/>")));
        Assert.Contains($"longer than {AbiBaseline.MaxTokenSize} bytes", ex.Message);
    }

    [Theory]
    [InlineData("<type-decl name='int' size-in-bits='many' id='t1'/>", "size-in-bits 'many' is not a number")]
    [InlineData("<enum-decl name='E' id='t1'><enumerator name='A' value='x'/></enum-decl>", "enumerator value 'x'")]
    [InlineData("<class-decl name='S' size-in-bits='32' is-struct='yes' id='t1'><data-member layout-offset-in-bits='-'><var-decl name='a' type-id='t1'/></data-member></class-decl>", "layout-offset-in-bits")]
    public void Bad_abixml_values_are_typed_errors_naming_the_line(string body, string reason)
    {
        var ex = Rejects(Encoding.UTF8.GetBytes(Abixml(body)));
        Assert.Contains(reason, ex.Message);
        Assert.Contains("line 1", ex.Message);
    }

    [Theory]
    [InlineData("{\"graph\": [], \"functions\": [], \"variables\": []}", "is empty")]
    [InlineData("{\"graph\": [{\"kind\": \"pointer\"}], \"functions\": [], \"variables\": []}", "has no target")]
    [InlineData("{\"graph\": [{\"kind\": \"pointer\", \"target\": 7}], \"functions\": [], \"variables\": []}", "not a type index")]
    [InlineData("{\"graph\": [{\"kind\": \"blob\"}], \"functions\": [], \"variables\": []}", "unknown kind 'blob'")]
    [InlineData("{\"graph\": [{\"kind\": \"void\"}], \"functions\": [{\"symbol\": \"f\", \"type\": 0}], \"variables\": []}", "not a function type")]
    [InlineData("{\"graph\": [{\"kind\": \"struct\", \"members\": [[\"a\"]]}], \"functions\": [], \"variables\": []}", "array of 3 to 4 values")]
    [InlineData("{\"unavailable\": \"\"}", "non-empty string")]
    [InlineData("[]", "expected an object")]
    public void Bad_recorded_types_are_typed_errors(string types, string reason)
    {
        var json = $"{{\"format\": \"abi-sdk-baseline\", \"formatVersion\": 2, \"soname\": null, \"class\": \"ELF64\", \"machine\": 62, \"needed\": [], \"versions\": [], \"symbols\": [], \"types\": {types}}}";
        var ex = Assert.Throws<AbiBaselineFormatException>(() => AbiBaseline.ParseWithTypes(Encoding.UTF8.GetBytes(json), "bad.json"));
        Assert.Contains(reason, ex.Message);
        Assert.Equal("bad.json", ex.FileName);

        // The symbol-level reader does not read the types.
        Assert.Empty(AbiBaseline.Parse(Encoding.UTF8.GetBytes(json), "bad.json").Symbols);
    }
}
