using System.Collections.Immutable;
using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Interactive;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.Abi;
using Abi.Sdk.Tests.Compatibility;
using Abi.Sdk.Tests.Elf;
using Abi.Sdk.Tests.Rpm;
using Abi.Sdk.Tests.TestSupport;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Interactive;

/// <summary>
/// The notebook formatters (src/Abi.Sdk.Interactive), registered as a kernel registers them, on real files: each
/// table holds exactly the rows the reference tool prints (readelf, rpm, abidiff, ldd) or, where the model is the
/// answer, the rows the model holds; every model string is escaped and every table bounded.
/// </summary>
public sealed class NotebookFormatterTests
{
    private const string Html = "text/html";
    private const int AllRows = 1_000_000;

    private static readonly Lazy<Task> Registered = new(() => new AbiSdkKernelExtension().OnLoadAsync(new CompositeKernel()));

    private static string Libversioned => Path.Combine(Paths.Fixtures, "elf", "libversioned.so");

    private static async Task<string> Display(object value)
    {
        await Registered.Value;
        return value.ToDisplayString(Html);
    }

    private static RenderedHtml Render(Action<TextWriter> write)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        write(writer);
        return RenderedHtml.Parse(writer.ToString());
    }

    private static ReadelfOutput Readelf(string path)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var (code, stdout, stderr) = Tools.Run(readelf, ["-W", "--dyn-syms", "-V", "-d", path]);
        Assert.True(code == 0, stderr);
        return ReadelfOutput.Parse(stdout);
    }

    private static IEnumerable<string> ReadelfRows(IEnumerable<ReadelfOutput.Symbol> symbols) => symbols.Select(s =>
        string.Join(" | ", s.Num.ToString(CultureInfo.InvariantCulture), s.Value.ToString("x16", CultureInfo.InvariantCulture),
            s.Size.ToString(CultureInfo.InvariantCulture), s.Type, s.Bind, s.Vis, s.Ndx, s.Name));

    [Fact]
    public async Task The_kernel_extension_gives_results_and_their_parts_an_html_table()
    {
        using var image = ElfImage.Open(Libversioned);
        var fixture = Path.Combine(Paths.Fixtures, "abi", "symbol-removed");
        var diff = AbiComparer.Default.Compare(AbiSurface.Open(Path.Combine(fixture, "v1.so")), AbiSurface.Open(Path.Combine(fixture, "v2.so")), TestContext.Current.CancellationToken);
        var package = RpmPackage.Open(RpmTestData.FixturePackages.First(p => p.Contains("abi-deps", StringComparison.Ordinal) && p.EndsWith(".noarch.rpm", StringComparison.Ordinal)));
        object[] values =
        [
            image, image.DynamicSymbols, image.DynamicSymbols.Where(s => s.IsDefined), image.DynamicSymbols[1], image.VersionDefinitions,
            image.VersionNeeds, image.Sections, diff, diff.Diagnostics, diff.Diagnostics.Where(d => d.Severity == AbiSeverity.Incompatible),
            diff.RemovedSymbols, diff.Old, new[] { diff.Old, diff.New }, package, package.Requires, package.Files, new List<RpmPackage> { package },
            AbiDiagnosticIds.All,
        ];
        foreach (var value in values)
        {
            var html = await Display(value);
            Assert.True(html.StartsWith("<div class=\"abi-sdk\">", StringComparison.Ordinal), $"{value.GetType()} was not formatted by Abi.Sdk.Interactive: {html[..Math.Min(200, html.Length)]}");
            RenderedHtml.Parse(html);
        }

        // Plain text (what a script prints) is the one-line ToString().
        Assert.Equal(diff.ToString(), diff.ToDisplayString("text/plain"));
        Assert.Equal(image.ToString(), image.ToDisplayString("text/plain"));
    }

    [Fact]
    public async Task Elf_image_report_shows_the_symbols_and_version_nodes_readelf_shows()
    {
        var reference = Readelf(Libversioned);
        using var image = ElfImage.Open(Libversioned);
        var report = RenderedHtml.Parse(await Display(image));

        Assert.StartsWith(Libversioned + ": ", report.Summary);
        var soname = reference.Dynamic.Single(d => d.Type == "SONAME").Value;
        Assert.Equal($"Library soname: [{report.Facts["SONAME"]}]", soname);
        Assert.Equal(reference.Dynamic.Where(d => d.Type == "NEEDED").Select(d => d.Value[(d.Value.IndexOf('[') + 1)..^1]), report.Facts["Needed"].Split(", "));

        // The .dynsym entries as readelf --dyn-syms -W prints them: the first ListExpansionLimit rows, then a count.
        var symbols = report.Section("Dynamic symbols");
        Assert.Equal(["Num", "Value", "Size", "Type", "Bind", "Vis", "Ndx", "Name"], symbols.Headers);
        Assert.True(reference.Symbols.Count > Formatter.ListExpansionLimit);
        Assert.Equal(ReadelfRows(reference.Symbols.Take(Formatter.ListExpansionLimit)), symbols.Rows.Select(r => string.Join(" | ", r)));
        Assert.Equal(reference.Symbols.Count, symbols.Total);
        var everySymbol = Render(w => AbiFormatters.Write(image, w, AllRows)).Section("Dynamic symbols");
        Assert.Equal(ReadelfRows(reference.Symbols), everySymbol.Rows.Select(r => string.Join(" | ", r)));

        // Version definitions as readelf -V: index, name, flags, parents; and how many defined symbols each holds,
        // counted from readelf's symbol names (name@VERS or name@@VERS, defined; the node's own marker has no @).
        var definitions = report.Section("Version definitions");
        var expected = reference.Definitions.Select(d =>
        {
            var held = reference.Symbols.Count(s => s.Ndx != "UND" && s.Name.Contains('@') && s.Name[(s.Name.LastIndexOf('@') + 1)..] == d.Name);
            return string.Join(" | ", d.Index, d.Name, d.Flags, string.Join(", ", d.Parents), held);
        });
        Assert.Equal(expected, definitions.Join("Index", "Name", "Flags", "Predecessors", "Symbols"));
        Assert.Contains("2 | VERS_1.0 | none |  | 4", definitions.Join("Index", "Name", "Flags", "Predecessors", "Symbols"));

        // Version needs: one row per file, its versions as readelf -V lists them.
        var needs = report.Section("Version needs");
        Assert.Equal(reference.Needs.Select(n => n.File + " | " + string.Join(", ", n.Versions.Select(v => v.Flags == "WEAK" ? v.Name + " (weak)" : v.Name))),
            needs.Join("File", "Versions"));
    }

    [Fact]
    public async Task A_symbol_query_renders_the_rows_it_yields()
    {
        var reference = Readelf(Libversioned);
        using var image = ElfImage.Open(Libversioned);

        var table = Assert.Single(RenderedHtml.Parse(await Display(image.DynamicSymbols.Where(s => s.IsDefined && !s.IsVersionMarker))).Tables);
        var defined = reference.Symbols.Where(s => s.Ndx != "UND" && s.Name.Contains('@'));
        Assert.Equal(ReadelfRows(defined), table.Rows.Select(r => string.Join(" | ", r)));
        Assert.Equal("frob@VERS_1.0", Assert.Single(table.Column("Name"), n => n.StartsWith("frob@", StringComparison.Ordinal) && !n.StartsWith("frob@@", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Abi_diff_of_a_fixture_pair_summarises_then_lists_what_abidiff_lists()
    {
        Abidiff.Require();
        var dir = Path.Combine(Paths.Fixtures, "abi", "symbol-removed");
        var (o, n) = (Path.Combine(dir, "v1.so"), Path.Combine(dir, "v2.so"));
        var reference = Abidiff.Run(o, n);
        var diff = AbiComparer.Default.Compare(AbiSurface.Open(o), AbiSurface.Open(n), TestContext.Current.CancellationToken);

        Assert.Equal($"{o} → {n}: 1 incompatible", diff.ToString());
        var report = RenderedHtml.Parse(await Display(diff));
        Assert.Equal(diff.ToString(), report.Summary);
        var counts = report.Tables[0];
        Assert.Null(counts.Title);
        Assert.Equal(["Id", "Title", "Severity", "Count"], counts.Headers);
        Assert.Equal(["ABI1001 | Symbol removed | incompatible | 1"], counts.Rows.Select(r => string.Join(" | ", r)));
        Assert.Equal(["ABI1001 | incompatible | bar@@LIBFIX_1.0 | Symbol 'bar@@LIBFIX_1.0' was removed"], report.Section("Incompatible").Rows.Select(r => string.Join(" | ", r)));
        Abidiff.Result.AssertSameSymbols(reference.Removed, reference.RemovedAliases, report.Section("Removed symbols").Column("Symbol"));
        Assert.Equal(reference.ExitCode, diff.ExitCode);
        Assert.False(report.HasSection("Added symbols"));
    }

    [Fact]
    public void Abi_diff_of_a_real_pair_holds_every_diagnostic_and_the_symbols_abidiff_lists()
    {
        Abidiff.Require();
        var (o, n) = RealLibraryTests.Require("libtinfo.so.5", "libtinfo.so.6", "libtinfo5");
        var reference = Abidiff.Run(o, n);
        var diff = AbiComparer.Default.Compare(AbiSurface.Open(o), AbiSurface.Open(n), TestContext.Current.CancellationToken);
        var report = Render(w => AbiFormatters.Write(diff, w, AllRows));

        Assert.Matches(@"^\S+libtinfo\.so\.5 → \S+libtinfo\.so\.6: \d+ incompatible(, \d+ needs-review)?(, \d+ compatible)?$", report.Summary);
        Abidiff.Result.AssertSameSymbols(reference.Removed, reference.RemovedAliases, report.Section("Removed symbols").Column("Symbol"));
        Abidiff.Result.AssertSameSymbols(reference.Added, reference.AddedAliases, report.Section("Added symbols").Column("Symbol"));

        // Every diagnostic once, in the model's order within its severity, with the columns the model holds; the
        // counts by ID add up to them.
        foreach (var severity in new[] { AbiSeverity.Incompatible, AbiSeverity.NeedsReview, AbiSeverity.Compatible })
        {
            var title = severity == AbiSeverity.NeedsReview ? "Needs review" : severity.ToString();
            var held = diff.Diagnostics.Where(d => d.Severity == severity).Select(d => $"{d.Id} | {AbiSeverities.Name(d.Severity)} | {d.Subject} | {d.Message}").ToList();
            Assert.Equal(held, report.HasSection(title) ? report.Section(title).Rows.Select(r => string.Join(" | ", r)) : []);
        }

        Assert.True(report.HasSection("Incompatible") && report.HasSection("Compatible"));
        var counts = report.Tables[0];
        Assert.Equal(diff.Diagnostics.Length, counts.Column("Count").Sum(c => int.Parse(c, CultureInfo.InvariantCulture)));
        Assert.Contains("ABI1010 | SONAME changed | incompatible | 1", counts.Rows.Select(r => string.Join(" | ", r)));
        Assert.Equal([o, n], report.Section("Libraries").Column("File"));
    }

    [Fact]
    public async Task Compatibility_verdict_report_says_what_the_loader_says()
    {
        var output = Path.Combine(Paths.Fixtures, "compat", "out");
        var app = Path.Combine(output, "apps", "app_version");
        var targetDir = Path.Combine(output, "target");
        using var target = Target.LibraryPaths([targetDir]);
        var verdict = Checker.Check(app, target);
        var ldd = LddReport.Run(app, targetDir);
        var report = RenderedHtml.Parse(await Display(verdict));

        Assert.Equal($"{app}: incompatible: 1 missing version, 1 undefined symbol; {verdict.LoadOrder.Length} objects loaded", report.Summary);
        var versions = report.Section("Missing versions");
        Assert.Equal(["Library", "Version", "Required by", "Symbols", "Found at"], versions.Headers);
        Assert.Equal(ldd.MissingVersions.Select(m => $"{m.Library} | {m.Version} | {m.RequiredBy}").Order(StringComparer.Ordinal),
            versions.Rows.Select(r => $"{r[0]} | {r[1]} | {Path.GetFileName(r[2].Split(" ← ")[0])}").Order(StringComparer.Ordinal));
        Assert.Equal("ver_b", Assert.Single(versions.Column("Symbols")));
        Assert.Equal(ldd.MissingSymbols.Select(m => $"{m.Name} | {m.Version}").Order(StringComparer.Ordinal),
            report.Section("Undefined symbols").Join("Symbol", "Version").Order(StringComparer.Ordinal));
        Assert.False(report.HasSection("Missing libraries"));

        // The load order after the program itself, as ldd lists the objects it loads.
        var loaded = report.Section("Load order").Rows.Skip(1).Where(r => !r[0].StartsWith('/')).Select(r => (r[0], LddReport.Real(r[1])));
        Assert.Equal(ldd.Loaded.Select(l => (l.Name, l.Path)), loaded);
    }

    [Fact]
    public async Task Rpm_package_report_lists_what_rpm_query_lists()
    {
        var rpm = Tools.Require("rpm", "rpm");
        foreach (var path in RpmTestData.FixturePackages.Where(p => !p.EndsWith(".src.rpm", StringComparison.Ordinal)))
        {
            var package = RpmPackage.Open(path);
            var report = RenderedHtml.Parse(await Display(package));
            var (_, header, _) = Tools.Run(rpm, ["-qp", "--nosignature", "--nodigest", "--qf", "%{NEVRA}\n%{SUMMARY}\n%{LICENSE}", path]);
            var lines = header.Split('\n');
            Assert.Equal($"{lines[0]}: {lines[1]}", report.Summary);
            Assert.Equal(lines[2], report.Facts["License"]);

            foreach (var (kind, query) in new[] { ("Provides", "--provides"), ("Requires", "--requires"), ("Conflicts", "--conflicts"), ("Obsoletes", "--obsoletes"), ("Recommends", "--recommends"), ("Suggests", "--suggests"), ("Supplements", "--supplements"), ("Enhances", "--enhances") })
            {
                var (_, listed, _) = Tools.Run(rpm, ["-qp", "--nosignature", "--nodigest", query, path]);
                var expected = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
                if (expected.Count == 0)
                {
                    Assert.False(report.HasSection(kind), $"{path}: {kind}");
                    continue;
                }

                var table = report.Section(kind);
                Assert.True(table.Rows.Count == Math.Min(expected.Count, Formatter.ListExpansionLimit), $"{path}: {kind}");
                Assert.Equal(expected.Count, table.Total);
                Assert.Equal(expected.Take(table.Rows.Count), table.Column("Dependency"));
            }

            // Files as rpm's perms format, owner, size and name give them.
            var (_, files, _) = Tools.Run(rpm, ["-qp", "--nosignature", "--nodigest", "--qf", "[%{FILEMODES:perms} | %{FILEUSERNAME} | %{FILEGROUPNAME} | %{FILESIZES} | %{FILENAMES}\n]", path]);
            var fileRows = files.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var all = Render(w => AbiFormatters.Write(package, w, AllRows));
            if (fileRows.Length == 0)
            {
                Assert.False(all.HasSection("Files"));
                continue;
            }

            Assert.Equal(fileRows, all.Section("Files").Join("Mode", "User", "Group", "Size", "Path"));
        }
    }

    [Fact]
    public async Task Hostile_names_are_escaped_everywhere_they_are_shown()
    {
        const string script = "<script>alert('x')</script>";
        const string amp = "a&b\"c'<d>";
        var symbols = ImmutableArray.Create(
            new AbiSymbol(script, "V_1", isDefaultVersion: true, ElfSymbolType.Function),
            new AbiSymbol(amp, "V_1", isDefaultVersion: true, ElfSymbolType.Object, size: 8),
            new AbiSymbol("ctl\u0001\u001b[31m", "V_1", isDefaultVersion: true, ElfSymbolType.Function));
        var surface = new AbiSurface("<b>old</b>.so", "lib<i>x</i>.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [new AbiVersionNode("V_1", [])], symbols);
        var empty = new AbiSurface("new.so", "lib<i>x</i>.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [new AbiVersionNode("V_1", [])], []);
        var diff = AbiComparer.Default.Compare(surface, empty, TestContext.Current.CancellationToken);

        var html = await Display(diff);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", html, StringComparison.Ordinal);
        var report = RenderedHtml.Parse(html);
        Assert.Equal([$"{script}@@V_1", $"{amp}@@V_1", "ctl^A^[[31m@@V_1"], report.Section("Removed symbols").Column("Symbol").Order(StringComparer.Ordinal));
        Assert.StartsWith("<b>old</b>.so → new.so: ", report.Summary);

        // The same names in a real ELF file (a stub library written from the surface), through the image report.
        using var image = ElfImage.Parse(AbiStubLibrary.Create(surface), "stub.so");
        var imageHtml = await Display(image);
        Assert.DoesNotContain("<script", imageHtml, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"{script}@@V_1", RenderedHtml.Parse(imageHtml).Section("Dynamic symbols").Column("Name"));
        Assert.Equal("lib<i>x</i>.so.1", RenderedHtml.Parse(imageHtml).Facts["SONAME"]);

        // An RPM dependency name, as a package could carry it.
        var dependency = new RpmDependency(RpmDependencyKind.Requires, "<img src=x onerror=alert(1)>", RpmSenseFlags.GreaterOrEqual, Evr.Parse("1.0"));
        var dependencyHtml = await Display(new[] { dependency });
        Assert.DoesNotContain("<img", dependencyHtml, StringComparison.Ordinal);
        Assert.Equal(dependency.ToString(), Assert.Single(RenderedHtml.Parse(dependencyHtml).Tables[0].Column("Dependency")));
    }

    [Fact]
    public void Large_tables_show_the_first_rows_and_count_the_rest()
    {
        const int count = 200_000;
        var symbols = Enumerable.Range(0, count).Select(i => new AbiSymbol($"s{i:D6}", "V_1", isDefaultVersion: true, ElfSymbolType.Function)).ToImmutableArray();
        var surface = new AbiSurface("big.so", "big.so", ElfClass.Elf64, ElfMachine.X86_64, [], [new AbiVersionNode("V_1", [])], symbols);

        var report = Render(w => AbiFormatters.Write(surface, w, rowLimit: 20));
        var table = report.Section("Symbols");
        Assert.Equal($"Symbols ({count})", table.Title);
        Assert.Equal(symbols.Take(20).Select(s => s.Spelling), table.Column("Symbol"));
        Assert.Equal($"… {count - 20} more rows ({count} in all; Formatter.ListExpansionLimit = 20)", table.More);

        // A lazy query is enumerated once: the first rows written, the rest only counted.
        var enumerations = 0;
        IEnumerable<AbiSymbol> Query()
        {
            enumerations++;
            foreach (var s in symbols)
            {
                yield return s;
            }
        }

        var lazy = Render(w => AbiFormatters.WriteRows(Query(), Columns.Symbols, w, rowLimit: 5));
        Assert.Equal(1, enumerations);
        Assert.Equal(5, lazy.Tables[0].Rows.Count);
        Assert.Equal(count, lazy.Tables[0].Total);

        // One enormous name (a hostile string table can hold megabytes) is cut, and says by how much.
        var longName = new string('x', 100_000);
        var cell = Assert.Single(Assert.Single(Render(w => AbiFormatters.WriteRows([new AbiSymbol(longName, null, false, ElfSymbolType.Function)], Columns.Symbols, w, 5)).Tables).Rows)[0];
        Assert.Equal(new string('x', HtmlReport.MaxCellLength) + $"… ({100_000 - HtmlReport.MaxCellLength} more characters)", cell);
    }

    [Fact]
    public void Result_types_print_a_useful_line_in_scripts()
    {
        var reference = Readelf(Libversioned);
        using var image = ElfImage.Open(Libversioned);
        var soname = reference.Dynamic.Single(d => d.Type == "SONAME").Value;
        Assert.Equal($"{Libversioned} ({image.Header}, SONAME {soname[(soname.IndexOf('[') + 1)..^1]})", image.ToString());
        Assert.Equal($"{reference.Symbols.Count} entries (the null symbol included)", image.DynamicSymbols.ToString());

        var same = AbiSurface.Of(image);
        Assert.Equal($"{Libversioned} → {Libversioned}: no ABI change", AbiComparer.Default.Compare(same, same, TestContext.Current.CancellationToken).ToString());
    }
}
