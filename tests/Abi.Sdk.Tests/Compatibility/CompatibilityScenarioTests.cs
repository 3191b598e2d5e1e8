using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// The scenarios built by Fixtures/compat/build.sh, each checked against the target folder and compared with what
/// glibc's loader on this machine says (<c>LD_LIBRARY_PATH=target ldd -r app</c>), and with the expected problem.
/// </summary>
public class CompatibilityScenarioTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    private static string TargetDir => Path.Combine(Out, "target");

    private static (CompatibilityVerdict Verdict, LddReport Ldd) CheckBoth(string app, string? libraryPath)
    {
        using var target = libraryPath is null ? Target.Host() : Target.LibraryPaths([libraryPath]);
        var verdict = Checker.Check(app, target);
        var ldd = LddReport.Run(app, libraryPath);
        LddReport.AssertAgrees(ldd, verdict);
        return (verdict, ldd);
    }

    private static string App(string name) => Path.Combine(Out, "apps", name);

    [Fact]
    public void Missing_version_node_is_fatal_and_names_the_symbols_that_need_it()
    {
        var (v, _) = CheckBoth(App("app_version"), TargetDir);
        Assert.False(v.IsCompatible);
        var missing = Assert.Single(v.MissingVersions);
        Assert.Equal(("libver.so.1", "VER_2"), (missing.Library, missing.Version));
        Assert.Equal(["ver_b"], missing.Symbols);
        Assert.EndsWith("app_version", missing.RequiredBy.Object);
        Assert.Contains(v.MissingSymbols, s => s is { Name: "ver_b", Version: "VER_2", Library: "libver.so.1" });
    }

    [Fact]
    public void Symbol_moved_to_another_node_passes_the_version_check_but_does_not_bind()
    {
        var (v, _) = CheckBoth(App("app_moved"), TargetDir);
        Assert.Empty(v.MissingVersions); // MOVE_1 still exists: rpm and libsolv see nothing wrong
        var s = Assert.Single(v.MissingSymbols);
        Assert.Equal(("move_b", "MOVE_1", "libmove.so.1"), (s.Name, s.Version, s.Library));
    }

    [Fact]
    public void Unversioned_symbol_removed()
    {
        var (v, _) = CheckBoth(App("app_removed"), TargetDir);
        var s = Assert.Single(v.MissingSymbols);
        Assert.Equal(("plain_b", (string?)null), (s.Name, s.Version));
    }

    [Fact]
    public void Missing_library_is_reported_once_with_who_needs_it()
    {
        var (v, _) = CheckBoth(App("app_missing"), TargetDir);
        var m = Assert.Single(v.MissingLibraries);
        Assert.Equal("libgone.so.1", m.Name);
        Assert.EndsWith("app_missing", m.NeededBy.Object);
    }

    [Fact]
    public void Weak_undefined_symbol_absent_is_accepted()
    {
        var (v, ldd) = CheckBoth(App("app_weak"), TargetDir);
        Assert.True(v.IsCompatible);
        Assert.True(ldd.Accepts);
    }

    [Fact]
    public void Missing_weak_version_need_is_only_a_warning_and_a_weak_reference_to_it_stays_unbound()
    {
        // VER_2 is needed with VER_FLG_WEAK (set by build.sh): the loader prints "weak version `VER_2' not found"
        // and goes on; ver_b@VER_2 is referenced weakly, so it may stay 0.
        var (v, ldd) = CheckBoth(App("app_weakver"), TargetDir);
        Assert.True(v.IsCompatible);
        Assert.True(ldd.Accepts);
        Assert.Empty(v.MissingVersions);
        var weak = Assert.Single(v.MissingWeakVersions);
        Assert.Equal(("libver.so.1", "VER_2"), (weak.Library, weak.Version));
        Assert.Equal(["ver_b"], weak.Symbols);
        Assert.Single(ldd.WeakVersions);
    }

    [Fact]
    public void Weak_version_need_does_not_excuse_a_strong_reference()
    {
        var (v, _) = CheckBoth(App("app_weakver_strong"), TargetDir);
        Assert.False(v.IsCompatible);
        Assert.Empty(v.MissingVersions);
        Assert.Single(v.MissingWeakVersions);
        var s = Assert.Single(v.MissingSymbols);
        Assert.Equal(("ver_b", "VER_2", "libver.so.1"), (s.Name, s.Version, s.Library));
    }

    [Fact]
    public void Dependency_of_a_dependency_breaks_with_the_needed_chain()
    {
        var (v, _) = CheckBoth(App("app_deep"), TargetDir);
        var m = Assert.Single(v.MissingVersions);
        Assert.Equal(("libbase.so.1", "BASE_2"), (m.Library, m.Version));
        Assert.Equal("libmid.so.1", m.RequiredBy.Objects[0]);
        Assert.EndsWith("app_deep", m.RequiredBy.Objects[1]);
        Assert.Equal(["base_new"], m.Symbols);
    }

    [Fact]
    public void Unversioned_reference_binds_the_oldest_version_even_hidden_but_no_other_hidden_version()
    {
        // hid_a@HID_1 (index 2, hidden) binds an unversioned reference; hid_b@HID_2 (hidden) does not.
        var (v, _) = CheckBoth(App("app_hidden"), TargetDir);
        var s = Assert.Single(v.MissingSymbols);
        Assert.Equal("hid_b", s.Name);
    }

    [Fact]
    public void Every_scenario_is_accepted_against_the_libraries_it_was_linked_against()
    {
        foreach (var app in Directory.GetFiles(Path.Combine(Out, "apps")).Order(StringComparer.Ordinal))
        {
            var (v, _) = CheckBoth(app, Path.Combine(Out, "link"));
            Assert.True(v.IsCompatible, v.ToString());
        }
    }

    [Fact]
    public void Rpath_is_inherited_by_dependencies_runpath_is_not()
    {
        var (withRPath, _) = CheckBoth(Path.Combine(Out, "rpath", "app_rpath"), null);
        Assert.True(withRPath.IsCompatible);
        Assert.Contains(withRPath.LoadOrder, o => o.Name == "libdeep.so.1" && o.Path.Contains("/rpath/rp/", StringComparison.Ordinal));

        var (withRunPath, _) = CheckBoth(Path.Combine(Out, "rpath", "app_runpath"), null);
        var m = Assert.Single(withRunPath.MissingLibraries);
        Assert.Equal("libdeep.so.1", m.Name);
        Assert.Equal("librp.so.1", m.NeededBy.Object);
    }

    [Fact]
    public void Rpath_is_searched_before_the_library_path_runpath_after_it()
    {
        var ldpath = Path.Combine(Out, "ldpath");
        var (withRPath, _) = CheckBoth(Path.Combine(Out, "rpath", "app_rpath"), ldpath);
        Assert.True(withRPath.IsCompatible);

        var (withRunPath, _) = CheckBoth(Path.Combine(Out, "rpath", "app_runpath"), ldpath);
        Assert.Equal("rp_extra", Assert.Single(withRunPath.MissingSymbols).Name);
        Assert.Contains(withRunPath.LoadOrder, o => o.Name == "librp.so.1" && o.Path.Contains("/ldpath/", StringComparison.Ordinal));
    }

    [Fact]
    public void Copy_relocated_object_that_grew_is_flagged_as_the_loader_warns()
    {
        // ldd's trace mode does not perform copy relocations: run the program, as the loader then warns on stderr.
        var app = App("app_copy");
        var (v, _) = CheckBoth(app, TargetDir);
        Assert.True(v.IsCompatible);
        var change = Assert.Single(v.CopyRelocationSizeChanges);
        Assert.Equal(("data_table", 16UL, 32UL), (change.Name, change.LinkedSize, change.TargetSize));
        var env = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = TargetDir, ["LD_BIND_NOW"] = "1" };
        var (code, _, stderr) = Tools.Run(app, [], env);
        Assert.Equal(0, code);
        Assert.Contains("Symbol `data_table' has different size in shared object", stderr);

        var (linked, _) = CheckBoth(app, Path.Combine(Out, "link"));
        Assert.Empty(linked.CopyRelocationSizeChanges);
        Assert.DoesNotContain("different size", Tools.Run(app, [], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = Path.Combine(Out, "link") }).Stderr);
    }
}
