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
    /// <summary>A fixture of the pair: vN.so, or vN.o in a folder of relocatable objects.</summary>
    public static string Pair(string name, string version)
    {
        var dir = Path.Combine(Paths.Fixtures, "abi", name);
        return Path.Combine(dir, version + (File.Exists(Path.Combine(dir, "relocatable")) ? ".o" : ".so"));
    }

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
        { "linker-absolute", [], 0 },
        { "absolute-data-removed", ["ABI1001:abs_entry", "ABI1001:abs_limit"], 12 },
        { "alias-added", ["ABI1003:zalias"], 4 },
        { "alias-added-first", ["ABI1003:aalias"], 4 },
        { "relocatable", ["ABI1001:bar", "ABI1003:baz", "ABI1007:table", "ABI1008:thing"], 12 },
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
        ["alias-added-first"] = "a new alias listed before its existing target in .dynsym: abidiff reports no change at all (0), while it lists the same alias placed after its target (alias-added) as added; Abi.Sdk lists a new name as added in both orders (4)",
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
            if (name == "alias-added-first")
            {
                Assert.Empty(reference.Removed);
                Assert.Empty(reference.Added);
                Assert.Equal(0, reference.ExitCode);
                Assert.Empty(removed);
                Assert.Equal(["aalias"], added);
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

    /// <summary>
    /// abidiff keeps function and variable symbols apart: data that became a function is a removed variable and an
    /// added function there. The lists say the same; the diagnostic is one kind change, not a removal and an addition.
    /// </summary>
    [Fact]
    public void Kind_change_is_listed_removed_and_added_as_abidiff_lists_it_and_reported_once_as_ABI1008()
    {
        var reference = Abidiff.Run(Pair("symbol-kind-changed", "v1"), Pair("symbol-kind-changed", "v2"));
        Assert.Equal(["thing@@LIBFIX_1.0"], reference.Removed);
        Assert.Equal(["thing@@LIBFIX_1.0"], reference.Added);
        var diff = Diff("symbol-kind-changed");
        Assert.Equal(reference.Removed, diff.RemovedSymbols.Select(s => s.Spelling));
        Assert.Equal(reference.Added, diff.AddedSymbols.Select(s => s.Spelling));
        var d = Assert.Single(diff.Diagnostics);
        Assert.Equal("ABI1008", d.Id);
        Assert.Contains("abidiff lists", d.Message);
    }

    /// <summary>
    /// Relocatable objects have no dynamic symbols: the pair is compared by .symtab, as abidiff compares it, and a file
    /// with no symbol table at all is refused with one clear error instead of an empty "no change".
    /// </summary>
    [Fact]
    public void Relocatable_objects_are_compared_by_symbol_table_and_a_file_without_symbols_is_refused()
    {
        var reference = Abidiff.Run(Pair("relocatable", "v1"), Pair("relocatable", "v2"));
        Assert.Equal(["bar", "thing"], reference.Removed);
        Assert.Equal(["baz", "thing"], reference.Added);
        var diff = Diff("relocatable");
        Assert.Equal(reference.Removed, diff.RemovedSymbols.Select(s => s.Spelling));
        Assert.Equal(reference.Added, diff.AddedSymbols.Select(s => s.Spelling));

        var objcopy = Tools.Require("objcopy", "binutils");
        var dir = Directory.CreateTempSubdirectory("abi-rel-");
        try
        {
            var stripped = Path.Combine(dir.FullName, "stripped.o");
            var (code, _, stderr) = Tools.Run(objcopy, ["--strip-all", Pair("relocatable", "v1"), stripped]);
            Assert.True(code == 0, stderr);
            using (var image = ElfImage.Open(stripped))
            {
                var ex = Assert.Throws<ElfFormatException>(() => AbiSurface.Of(image));
                Assert.Contains("no symbols to compare", ex.Message);
            }

            var cli = CliRunner.Run(["diff", stripped, Pair("relocatable", "v2")]);
            Assert.Equal(1, cli.ExitCode);
            Assert.Equal("", cli.Stdout);
            Assert.StartsWith($"abi: {stripped}: ", Assert.Single(cli.Stderr.TrimEnd('\n').Split('\n')));

            cli = CliRunner.Run(["diff", Pair("relocatable", "v1"), Pair("relocatable", "v2")]);
            Assert.Equal(reference.ExitCode, cli.ExitCode);
            Assert.Contains("'thing'", cli.Stdout);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
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
