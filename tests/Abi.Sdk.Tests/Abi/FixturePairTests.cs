using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// One fixture pair per change kind (tests/Abi.Sdk.Tests/Fixtures/abi, rebuilt by its build.sh): the expected
/// diagnostics asserted, and abidiff run on the same pair for the removed/added lists and the exit-code class.
/// </summary>
public class FixturePairTests
{
    public static string Pair(string name, string version) => Path.Combine(Paths.Fixtures, "abi", name, version + ".so");

    public static AbiDiff Diff(string name, AbiComparer? comparer = null)
    {
        using var v1 = ElfImage.Open(Pair(name, "v1"));
        using var v2 = ElfImage.Open(Pair(name, "v2"));
        return (comparer ?? AbiComparer.Default).Compare(AbiSurface.Of(v1), AbiSurface.Of(v2));
    }

    // Case, expected diagnostics (ID:subject, in report order), expected exit code.
    public static TheoryData<string, string[], int> Cases => new()
    {
        { "unchanged", [], 0 },
        { "symbol-removed", ["ABI1001:bar@@LIBFIX_1.0"], 12 },
        { "symbol-moved", ["ABI1002:bar@@LIBFIX_1.0", "ABI1005:LIBFIX_2.0"], 12 },
        { "symbol-added", ["ABI1003:bar@@LIBFIX_1.0"], 4 },
        { "version-node-removed", ["ABI1001:bar@@LIBFIX_2.0", "ABI1004:LIBFIX_2.0"], 12 },
        { "version-node-added", ["ABI1003:bar@@LIBFIX_2.0", "ABI1005:LIBFIX_2.0"], 4 },
        { "default-version-changed", ["ABI1005:LIBFIX_2.0", "ABI1006:foo@@LIBFIX_1.0"], 4 },
        { "object-size-changed", ["ABI1007:table@@LIBFIX_1.0"], 12 },
        { "symbol-kind-changed", ["ABI1008:thing@@LIBFIX_1.0"], 12 },
        { "binding-changed", ["ABI1009:bar@@LIBFIX_1.0"], 4 },
        { "soname-changed", ["ABI1010:SONAME"], 12 },
        { "class-changed", ["ABI1011:ELF class", "ABI1012:machine"], 12 },
        { "needed-added", ["ABI1013:libm.so.6"], 4 },
        { "needed-removed", ["ABI1014:libm.so.6"], 4 },
        { "visibility-changed", ["ABI1015:bar@@LIBFIX_1.0"], 4 },
        { "versioning-added", ["ABI1005:LIBFIX_1.0"], 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pair_reports_the_expected_diagnostics(string name, string[] expected, int exitCode)
    {
        var diff = Diff(name);
        Assert.Equal(expected, diff.Diagnostics.Select(d => $"{d.Id}:{d.Subject}"));
        Assert.Equal(exitCode, diff.ExitCode);
        Assert.All(diff.Diagnostics, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
    }

    /// <summary>
    /// Where Abi.Sdk deliberately says more than abidiff (which, without debug info, compares only which ELF symbols
    /// exist, by function and variable), with the reason. Everything else must match abidiff exactly.
    /// </summary>
    public static readonly Dictionary<string, string> SaysMore = new()
    {
        ["default-version-changed"] = "abidiff sees foo@LIBFIX_1.0 still present and foo@@LIBFIX_2.0 as not new: no change (0); Abi.Sdk reports the new node and the default moving (needs review, 4)",
        ["object-size-changed"] = "abidiff ignores st_size without debug info (0); a grown object breaks copy-relocated executables: incompatible (12)",
        ["binding-changed"] = "abidiff ignores binding (0); Abi.Sdk: needs review (4)",
        ["visibility-changed"] = "abidiff ignores visibility (0); Abi.Sdk: needs review (4)",
        ["needed-added"] = "abidiff ignores DT_NEEDED (0); Abi.Sdk: needs review (4)",
        ["needed-removed"] = "abidiff ignores DT_NEEDED (0); Abi.Sdk: needs review (4)",
        ["versioning-added"] = "abidiff matches foo to foo@@LIBFIX_1.0 and reports nothing (0); Abi.Sdk also reports the new version node (4)",
        ["symbol-kind-changed"] = "abidiff keeps functions and variables apart, so an object becoming a function is a removed variable plus an added function; Abi.Sdk names it a kind change (ABI1008) and lists nothing removed; both say incompatible (12)",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pair_matches_abidiff(string name, string[] expected, int exitCode)
    {
        _ = expected;
        _ = exitCode;
        var reference = Abidiff.Run(Pair(name, "v1"), Pair(name, "v2"));
        var diff = Diff(name);
        var removed = diff.RemovedSymbols.Select(s => s.Spelling).Order(StringComparer.Ordinal).ToArray();
        var added = diff.AddedSymbols.Select(s => s.Spelling).Order(StringComparer.Ordinal).ToArray();
        if (SaysMore.TryGetValue(name, out var why))
        {
            Assert.True(diff.ExitCode >= reference.ExitCode, why);
            if (name == "symbol-kind-changed")
            {
                Assert.Equal(["thing@@LIBFIX_1.0"], reference.Removed);
                Assert.Equal(["thing@@LIBFIX_1.0"], reference.Added);
                Assert.Empty(removed);
                Assert.Equal(reference.ExitCode, diff.ExitCode);
            }
            else
            {
                Assert.Equal(reference.Removed, removed);
                Assert.Equal(reference.Added, added);
            }

            return;
        }

        Assert.Equal(reference.Removed, removed);
        Assert.Equal(reference.Added, added);
        Assert.Equal(reference.ExitCode, diff.ExitCode);
    }

    [Fact]
    public void Moved_symbol_is_named_for_what_it_is_while_abidiff_only_sees_a_removal()
    {
        var reference = Abidiff.Run(Pair("symbol-moved", "v1"), Pair("symbol-moved", "v2"));
        Assert.Equal(["bar@@LIBFIX_1.0"], reference.Removed);
        Assert.Empty(reference.Added);

        var diff = Diff("symbol-moved");
        var moved = Assert.Single(diff.Diagnostics, d => d.Descriptor == AbiDiagnosticIds.SymbolVersionRemoved);
        Assert.Equal("bar@@LIBFIX_1.0", moved.OldSymbol!.Spelling);
        Assert.Equal("bar@@LIBFIX_2.0", moved.NewSymbol!.Spelling);
        Assert.Contains("LIBFIX_1.0", moved.Message);
        Assert.Contains("bar@@LIBFIX_2.0", moved.Message);
        Assert.Equal(AbiSeverity.Incompatible, moved.Severity);
    }

    [Fact]
    public void Default_version_change_keeps_the_old_version_bound()
    {
        var diff = Diff("default-version-changed");
        var pair = Assert.Single(diff.MatchedSymbols);
        Assert.Equal("foo@@LIBFIX_1.0", pair.Old.Spelling);
        Assert.Equal("foo@LIBFIX_1.0", pair.New.Spelling);
        var d = Assert.Single(diff.Diagnostics, d => d.Id == "ABI1006");
        Assert.Equal("foo@@LIBFIX_2.0", d.NewSymbol!.Spelling);
    }

    [Fact]
    public void Version_markers_are_not_part_of_the_surface()
    {
        using var image = ElfImage.Open(Pair("symbol-moved", "v2"));
        var surface = AbiSurface.Of(image);
        Assert.Equal(["bar@@LIBFIX_2.0", "foo@@LIBFIX_1.0"], surface.Symbols.Select(s => s.Spelling).Order(StringComparer.Ordinal));
        Assert.Equal(["LIBFIX_1.0", "LIBFIX_2.0"], surface.Versions.Select(v => v.Name));
        Assert.Equal(["LIBFIX_1.0"], surface.Versions[1].Predecessors);
        Assert.Equal("libfix.so.1", surface.Soname);
    }

    [Fact]
    public void Fingerprint_is_equal_for_equal_surfaces_and_differs_otherwise()
    {
        var a = Diff("unchanged");
        Assert.Equal(a.Old.Fingerprint, a.New.Fingerprint);
        var b = Diff("object-size-changed");
        Assert.NotEqual(b.Old.Fingerprint, b.New.Fingerprint);
        var c = Diff("binding-changed");
        Assert.NotEqual(c.Old.Fingerprint, c.New.Fingerprint);
        Assert.True(AbiFingerprint.TryParse(a.Old.Fingerprint.ToString(), out var parsed));
        Assert.Equal(a.Old.Fingerprint, parsed);
    }
}
