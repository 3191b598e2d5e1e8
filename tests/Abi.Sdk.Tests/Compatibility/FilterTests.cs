using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// Filters (DT_FILTER, DT_AUXILIARY) against this machine's loader: <c>ldd -r</c> for what is loaded and what is
/// missing, and a real run with LD_BIND_NOW=1 for whose definition wins (the fixtures' program prints the who() it
/// bound) and whether a missing filtee stops the program. Fixtures: Fixtures/loader-filter/make-fixtures.sh.
/// </summary>
public class FilterTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "loader-filter", "out");

    private static string Lib => Path.Combine(Out, "lib");

    private static string FilteeFolder => Path.Combine(Out, "filtee");

    private static string App(string name) => Path.Combine(Out, "apps", name);

    private static void RequireX86_64Glibc()
    {
        Tools.Require("ldd", "libc-bin");
        if (!File.Exists("/lib64/ld-linux-x86-64.so.2") || !System.Runtime.Intrinsics.X86.X86Base.X64.IsSupported)
        {
            Assert.Skip("needs an x86-64 machine with glibc");
        }
    }

    /// <summary>Runs the program as the loader starts it with immediate binding: exit code, stdout, stderr.</summary>
    private static (int Code, string Stdout, string Stderr) RunBound(string app, string libraryPath)
        => Tools.Run(app, [], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = libraryPath, ["LD_BIND_NOW"] = "1" });

    /// <summary>The file whose definition of <paramref name="symbol"/> a lookup in the verdict's load order finds first.</summary>
    private static string Winner(CompatibilityVerdict verdict, string symbol)
    {
        foreach (var o in verdict.LoadOrder.Skip(1))
        {
            using var image = ElfImage.Open(o.Path);
            var table = image.DynamicSymbols;
            for (int i = 1; i < table.Count; i++)
            {
                if (table[i].Name == symbol && table[i].IsDefined && table[i].Binding is ElfSymbolBinding.Global or ElfSymbolBinding.Weak)
                {
                    return Path.GetFileName(o.Path);
                }
            }
        }

        return "(none)";
    }

    private static void AssertFilteeBeforeFilter(CompatibilityVerdict verdict, string filter)
    {
        var names = verdict.LoadOrder.Select(o => o.Name).ToList();
        Assert.True(names.IndexOf("libfiltee.so.1") == names.IndexOf(filter) - 1, $"the filtee is not right before {filter}: {string.Join(", ", names)}");
    }

    [Theory]
    [InlineData("app_filter", "libfilter.so.1", FilterKind.Standard)]
    [InlineData("app_aux", "libaux.so.1", FilterKind.Auxiliary)]
    public void A_filtee_found_is_loaded_before_its_filter_and_its_definitions_win(string app, string filter, FilterKind kind)
    {
        RequireX86_64Glibc();
        var path = App(app);
        var libraryPath = $"{Lib}:{FilteeFolder}";
        using var target = Target.LibraryPaths([Lib, FilteeFolder]);
        var verdict = Checker.Check(path, target);

        LddReport.AssertAgrees(LddReport.Run(path, libraryPath), verdict);
        Assert.True(verdict.IsCompatible, verdict.ToString());
        Assert.Equal(
            new Filtee("libfiltee.so.1", LddReport.Real(Path.Combine(FilteeFolder, "libfiltee.so.1")), filter, LddReport.Real(Path.Combine(Lib, filter)), kind),
            Assert.Single(verdict.Filtees));
        AssertFilteeBeforeFilter(verdict, filter);

        var (code, stdout, stderr) = RunBound(path, libraryPath);
        Assert.True(code == 0, stderr);
        Assert.Equal("filtee 1", stdout.Trim());
        Assert.Equal("libfiltee.so.1", Winner(verdict, "who"));
    }

    [Fact]
    public void A_missing_standard_filtee_stops_the_program_as_a_missing_library()
    {
        RequireX86_64Glibc();
        var path = App("app_filter");
        using var target = Target.LibraryPaths([Lib]);
        var verdict = Checker.Check(path, target);

        // ldd lists it "not found"; the loader stops with the DT_NEEDED message, naming the filtee.
        LddReport.AssertAgrees(LddReport.Run(path, Lib), verdict);
        var missing = Assert.Single(verdict.MissingLibraries);
        Assert.Equal("libfiltee.so.1", missing.Name);
        Assert.Equal(["libfilter.so.1", path], missing.NeededBy.Objects);
        var filtee = Assert.Single(verdict.Filtees);
        Assert.Null(filtee.Path);
        Assert.Equal(FilterKind.Standard, filtee.Kind);

        var (code, stdout, stderr) = RunBound(path, Lib);
        Assert.Equal(127, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("error while loading shared libraries: libfiltee.so.1: cannot open shared object file: No such file or directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_auxiliary_filtee_is_ignored_and_the_filter_serves()
    {
        RequireX86_64Glibc();
        var path = App("app_aux");
        using var target = Target.LibraryPaths([Lib]);
        var verdict = Checker.Check(path, target);

        Assert.True(verdict.IsCompatible, verdict.ToString());
        var filtee = Assert.Single(verdict.Filtees);
        Assert.Equal(new Filtee("libfiltee.so.1", null, "libaux.so.1", LddReport.Real(Path.Combine(Lib, "libaux.so.1")), FilterKind.Auxiliary), filtee);

        // ldd's trace mode fakes an entry for every object it cannot find, the auxiliary filtee too ("not found"),
        // although a real start ignores it: everything else agrees.
        var ldd = LddReport.Run(path, Lib);
        Assert.Equal(["libfiltee.so.1"], ldd.MissingLibraries);
        Assert.Empty(ldd.MissingSymbols);
        Assert.Empty(ldd.MissingVersions);
        Assert.Equal(ldd.Loaded, LddReport.FromVerdict(verdict).Loaded);

        var (code, stdout, stderr) = RunBound(path, Lib);
        Assert.True(code == 0, stderr);
        Assert.Equal("filter 1", stdout.Trim());
        Assert.Equal("libaux.so.1", Winner(verdict, "who"));

        // The reports say so.
        var text = new StringWriter();
        global::Abi.Sdk.Reporting.CompatibilityTextReport.Write(verdict, text);
        Assert.Contains("  note: libfiltee.so.1: auxiliary filtee of libaux.so.1 not found: ignored", text.ToString(), StringComparison.Ordinal);
        using var json = new MemoryStream();
        global::Abi.Sdk.Reporting.CompatibilityJsonReport.Write(verdict, json);
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        var entry = Assert.Single(doc.RootElement.GetProperty("filtees").EnumerateArray());
        Assert.Equal("auxiliary", entry.GetProperty("kind").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, entry.GetProperty("path").ValueKind);
        Assert.Equal("releaseString", doc.RootElement.GetProperty("glibcVersionSource").GetString());
    }

    [Fact]
    public void A_filtee_is_searched_with_the_filters_runpath()
    {
        RequireX86_64Glibc();
        var path = App("app_filter_rp");
        using var target = Target.LibraryPaths([Lib]); // the filtee's folder only through $ORIGIN/../filtee of the filter
        var verdict = Checker.Check(path, target);

        LddReport.AssertAgrees(LddReport.Run(path, Lib), verdict);
        Assert.True(verdict.IsCompatible, verdict.ToString());
        Assert.Equal(LddReport.Real(Path.Combine(FilteeFolder, "libfiltee.so.1")), Assert.Single(verdict.Filtees).Path);
        AssertFilteeBeforeFilter(verdict, "libfilterrp.so.1");

        var (code, stdout, stderr) = RunBound(path, Lib);
        Assert.True(code == 0, stderr);
        Assert.Equal("filtee 1", stdout.Trim());
    }

    [Fact]
    public void A_filtee_already_needed_after_its_filter_moves_before_it()
    {
        RequireX86_64Glibc();
        var path = App("app_also_needed"); // DT_NEEDED libfilter.so.1, libfiltee.so.1
        var libraryPath = $"{Lib}:{FilteeFolder}";
        using var target = Target.LibraryPaths([Lib, FilteeFolder]);
        var verdict = Checker.Check(path, target);

        LddReport.AssertAgrees(LddReport.Run(path, libraryPath), verdict);
        AssertFilteeBeforeFilter(verdict, "libfilter.so.1");
        var (code, stdout, stderr) = RunBound(path, libraryPath);
        Assert.True(code == 0, stderr);
        Assert.Equal("filtee 1 7", stdout.Trim());
        Assert.Equal("libfiltee.so.1", Winner(verdict, "who"));

        // Without it: missing (as the program's DT_NEEDED and as the filtee), and its symbol undefined, as ldd -r says.
        using var without = Target.LibraryPaths([Lib]);
        var missing = Checker.Check(path, without);
        LddReport.AssertAgrees(LddReport.Run(path, Lib), missing);
        Assert.Equal(127, RunBound(path, Lib).Code);
    }

    [Fact]
    public void Filter_names_are_read_from_the_dynamic_section_as_readelf_shows_them()
    {
        var readelf = Tools.Require("readelf", "binutils");
        foreach (var (file, tag) in new[] { ("libfilter.so.1", "FILTER"), ("libaux.so.1", "AUXILIARY"), ("libfilterrp.so.1", "FILTER") })
        {
            var path = Path.Combine(Lib, file);
            var (_, stdout, _) = Tools.Run(readelf, ["-d", "-W", path]);
            var expected = stdout.Split('\n').Where(l => l.Contains($"({tag})", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf('[') + 1)..l.LastIndexOf(']')]).ToList();
            using var image = ElfImage.Open(path);
            Assert.Equal(expected, tag == "FILTER" ? image.Dynamic!.Filters : image.Dynamic!.Auxiliaries);
            Assert.Empty(tag == "FILTER" ? image.Dynamic!.Auxiliaries : image.Dynamic!.Filters);
        }
    }
}
