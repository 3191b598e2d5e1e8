using System.Xml.Linq;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
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
            var (exit, _, stderr) = Tools.Run(abidw, ["--out-file", abixml, Fixture(library)]);
            Assert.True(exit == 0, $"abidw failed ({exit}): {stderr}");
            var theirs = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var e in XDocument.Load(abixml).Descendants())
            {
                if (e.Name.LocalName is "class-decl" or "union-decl" or "enum-decl" or "typedef-decl"
                    && e.Attribute("name") is { } name && e.Attribute("filepath") is { } path && e.Attribute("is-declaration-only") is null)
                {
                    // Scoped as the model names it: ns::K.
                    var scopes = e.Ancestors().Where(a => a.Name.LocalName is "namespace-decl" or "class-decl" or "union-decl").Select(a => a.Attribute("name")?.Value).Reverse();
                    theirs.TryAdd(string.Concat(scopes.Select(x => x + "::")) + name.Value, path.Value);
                }
            }

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
