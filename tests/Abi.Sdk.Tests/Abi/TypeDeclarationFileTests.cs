using System.Xml.Linq;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// <see cref="AbiType.DeclarationFile"/>, what <c>[suppress_type] source_location_not_in/_regexp</c> match: every named
/// type of the suppression pair (Fixtures/abi-suppress; S, P, T in sup-a.h, M, U in include/sup-b.h), from DWARF 5 and
/// DWARF 4 line tables, is declared in the file abidw writes as its <c>filepath</c>; a baseline (format 2) and abidw's
/// ABIXML carry it back.
/// </summary>
public class TypeDeclarationFileTests
{
    private static string Fixture(string file) => Path.Combine(Paths.Fixtures, "abi-suppress", file);

    [Theory]
    [InlineData("v1.so")]
    [InlineData("v2.so")]
    [InlineData("dw4-v1.so")]
    [InlineData("cxx-v1.so")]
    public void Declaration_files_are_abidws_filepaths(string library)
    {
        var abidw = Tools.Require("abidw", "abigail-tools");
        var dir = Directory.CreateTempSubdirectory("abi-declfile-");
        try
        {
            var abixml = Path.Combine(dir.FullName, "lib.abi");
            var theirs = Abidw(abidw, Fixture(library), abixml);

            using var image = ElfImage.Open(Fixture(library));
            var graph = AbiTypeGraph.Load(image);
            var ours = Files(graph);
            Assert.NotEmpty(theirs);
            foreach (var (name, path) in theirs)
            {
                Assert.True(ours.TryGetValue(name, out var mine) && mine == path, $"{name}: abidw {path}, Abi.Sdk {mine ?? "(none)"}");
            }

            Assert.All(graph.Types.Where(t => t.Kind is AbiTypeKind.Pointer or AbiTypeKind.Base or AbiTypeKind.Array or AbiTypeKind.Function), t => Assert.Null(t.DeclarationFile));

            // A baseline keeps them, and so does abidw's ABIXML read as one.
            var baseline = Path.Combine(dir.FullName, "lib.json");
            AbiBaseline.Write(AbiSurface.Of(image), graph, baseline);
            Assert.Equal(ours, Files(AbiBaseline.OpenWithTypes(baseline).Types));
            var fromXml = Files(AbiBaseline.OpenWithTypes(abixml).Types);
            foreach (var (name, path) in theirs)
            {
                Assert.Equal(path, fromXml.GetValueOrDefault(name));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Units inside a DWARF package (<c>NAME.dwp</c>): each declaration file is read from the line table the package's
    /// unit index names for the unit (its DW_SECT_LINE contribution: gcc's DWARF 4 packed by binutils' dwp, version 2
    /// index, and gcc's DWARF 5 packed by llvm-dwp, version 5 index), or, where the package has none (clang's DWARF 5,
    /// llvm-dwp), from the skeleton's line table. abidw reads no .dwp, so the reference is abidw's <c>filepath</c> on
    /// the same units built without split DWARF. The second unit of pkg4/pkg5 (pkg.c, defining Q and K) has a line
    /// table of its own whose file indexes name other files in the first unit's (v1.c).
    /// </summary>
    [Theory]
    [InlineData("abi-suppress", "pkg4.so", "pkg4-plain.so", "K")]
    [InlineData("abi-suppress", "pkg5.so", "pkg5-plain.so", "K")]
    [InlineData("dwarf", "c-dwp5.so", "c-dwp5-plain.so", "color_t")]
    public void Declaration_files_of_package_units_are_abidws_filepaths_without_split_dwarf(string folder, string package, string plain, string secondUnitType)
    {
        var abidw = Tools.Require("abidw", "abigail-tools");
        var dir = Directory.CreateTempSubdirectory("abi-declfile-dwp-");
        try
        {
            var theirs = Abidw(abidw, Path.Combine(Paths.Fixtures, folder, plain), Path.Combine(dir.FullName, "plain.abi"));
            Assert.Contains(secondUnitType, theirs.Keys);

            var library = Path.Combine(Paths.Fixtures, folder, package);
            Assert.True(File.Exists(library + ".dwp"));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(library)!, Path.GetFileName(library) + "-*.dwo"));
            using var image = ElfImage.Open(library);
            var graph = AbiTypeGraph.Load(image);
            Assert.Empty(graph.MissingSplitUnits);
            var ours = Files(graph);
            foreach (var (name, path) in theirs)
            {
                Assert.True(ours.TryGetValue(name, out var mine) && mine == path, $"{name}: abidw {path}, Abi.Sdk {mine ?? "(none)"}");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A graph loaded without declaration files (what <c>abi diff</c> builds when no suppression names a source
    /// location) has the same types and declarations, only no files: its baseline equals the full one with the files
    /// taken out, and the pair's diff is the same. Only the location properties make a suppression read them.
    /// </summary>
    [Theory]
    [InlineData("v1.so", "v2.so")]
    [InlineData("dw4-v1.so", "dw4-v2.so")]
    [InlineData("cxx-v1.so", "cxx-v2.so")]
    public void A_graph_without_declaration_files_differs_only_in_its_files(string oldLibrary, string newLibrary)
    {
        using var oldImage = ElfImage.Open(Fixture(oldLibrary));
        using var newImage = ElfImage.Open(Fixture(newLibrary));
        var full = AbiTypeGraph.Load(oldImage);
        var bare = AbiTypeGraph.Load(oldImage, null, null, declarationFiles: false);
        Assert.Contains(full.Types, t => t.DeclarationFile is not null);
        Assert.All(bare.Types, t => Assert.Null(t.DeclarationFile));
        Assert.Equal(WithoutFiles(Baseline(oldImage, full)), Baseline(oldImage, bare));

        var newFull = AbiTypeGraph.Load(newImage);
        var newBare = AbiTypeGraph.Load(newImage, null, null, declarationFiles: false);
        var oldSurface = AbiSurface.Of(oldImage);
        var newSurface = AbiSurface.Of(newImage);
        var withFiles = new StringWriter();
        AbiComparer.Default.Compare(oldSurface, newSurface, full, newFull, TestContext.Current.CancellationToken).WriteText(withFiles);
        var withoutFiles = new StringWriter();
        AbiComparer.Default.Compare(oldSurface, newSurface, bare, newBare, TestContext.Current.CancellationToken).WriteText(withoutFiles);
        Assert.Equal(withFiles.ToString(), withoutFiles.ToString());
    }

    [Theory]
    [InlineData("source_location_not_in = sup-a.h\n", true)]
    [InlineData("source_location_not_regexp = sup-.*\n", true)]
    [InlineData("name = S\n", false)]
    [InlineData("file_name_regexp = v1.*\n", false)]
    public void Only_location_properties_read_declaration_files(string property, bool reads)
    {
        var file = AbiSuppressionFile.Parse("[suppress_type]\n" + property);
        Assert.Equal(reads, Assert.Single(file.Suppressions).ReadsDeclarationFiles);
    }

    private static string Baseline(ElfImage image, AbiTypeGraph graph)
    {
        var stream = new MemoryStream();
        AbiBaseline.Write(AbiSurface.Of(image), graph, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string WithoutFiles(string baseline)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(baseline, @"""files"": \[[^\]]*\],\s*", string.Empty, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(5));
        return System.Text.RegularExpressions.Regex.Replace(text, @",""file"":\d+", string.Empty, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_baseline_without_files_still_reads_and_a_bad_file_index_is_a_typed_error()
    {
        using var image = ElfImage.Open(Fixture("v1.so"));
        var graph = AbiTypeGraph.Load(image);
        var stream = new MemoryStream();
        AbiBaseline.Write(AbiSurface.Of(image), graph, stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("\"files\"", text);

        // Written before declaration files were recorded: no "files", no "file".
        var old = System.Text.RegularExpressions.Regex.Replace(text, @"""files"": \[[^\]]*\],\s*", string.Empty);
        old = System.Text.RegularExpressions.Regex.Replace(old, @",""file"":\d+", string.Empty);
        Assert.DoesNotMatch(@"""file"":\d", old);
        var read = AbiBaseline.ParseWithTypes(System.Text.Encoding.UTF8.GetBytes(old), "old.json").Types;
        Assert.Equal(graph.Types.Length, read.Types.Length);
        Assert.All(read.Types, t => Assert.Null(t.DeclarationFile));

        var bad = System.Text.RegularExpressions.Regex.Replace(text, @",""file"":\d+", ",\"file\":99", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(5));
        var ex = Assert.Throws<AbiBaselineFormatException>(() => AbiBaseline.ParseWithTypes(System.Text.Encoding.UTF8.GetBytes(bad), "bad.json"));
        Assert.Contains("bad.json", ex.Message);
    }

    /// <summary>abidw's <c>filepath</c> of every named type it defines (scoped as the model names it: ns::K).</summary>
    private static SortedDictionary<string, string> Abidw(string abidw, string library, string abixml)
    {
        var (exit, _, stderr) = Tools.Run(abidw, ["--out-file", abixml, library]);
        Assert.True(exit == 0, $"abidw failed ({exit}): {stderr}");
        var theirs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in XDocument.Load(abixml).Descendants())
        {
            if (e.Name.LocalName is "class-decl" or "union-decl" or "enum-decl" or "typedef-decl"
                && e.Attribute("name") is { } name && e.Attribute("filepath") is { } path && e.Attribute("is-declaration-only") is null)
            {
                var scopes = e.Ancestors().Where(a => a.Name.LocalName is "namespace-decl" or "class-decl" or "union-decl").Select(a => a.Attribute("name")?.Value).Reverse();
                theirs.TryAdd(string.Concat(scopes.Select(x => x + "::")) + name.Value, path.Value);
            }
        }

        return theirs;
    }

    private static SortedDictionary<string, string?> Files(AbiTypeGraph graph)
    {
        var files = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var t in graph.Types)
        {
            if (t.Name is { } name && t.Kind is AbiTypeKind.Struct or AbiTypeKind.Class or AbiTypeKind.Union or AbiTypeKind.Enum or AbiTypeKind.Typedef)
            {
                files.TryAdd(name, t.DeclarationFile);
            }
        }

        return files;
    }
}
