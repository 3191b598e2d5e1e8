using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// libabigail suppression files applied to the type-level diff (ABI2xxx), against abidiff 2.2 on the same files: the
/// pairs of tests/Abi.Sdk.Tests/Fixtures/abi-suppress (make-fixtures.sh; v1/v2 in C, each function reaching one type
/// that changes in one way, and cxx-v1/cxx-v2 in C++ for references and member functions). Each row is a suppression
/// file; abidiff (with --redundant, so that its redundancy filter, which has nothing to do with suppressions, does not
/// hide functions) and Abi.Sdk must name the same changed functions and variables and agree on whether there is a change.
/// </summary>
public partial class TypeSuppressionTests
{
    private static string Fixture(string file) => Path.Combine(Paths.Fixtures, "abi-suppress", file);

    private const string P = "[suppress_type]\n";
    private const string F = "[suppress_function]\n";
    private const string V = "[suppress_variable]\n";

    // Pair ("" for the C pair, "cxx-" for the C++ one), suppression file. Every property is covered; rows marked
    // "no match" are properties that select nothing on this pair, so that everything stays reported.
    public static TheoryData<string, string> Cases => new()
    {
        { "", "" },
        { "", P + "name = S\n" },
        { "", P + "label = a comment\nname = S\ndrop = yes\n" },
        { "", P + "name_regexp = ^[SM]$\n" },
        { "", P + "name_not_regexp = ^[SM]$\n" },                           // pointer types are named "S*": they match
        { "", P + "name = S*\n" },
        { "", P + "name = int[4]\n" },
        { "", P + "name = int\n" },                                         // also the typedef T of int, and R's size
        { "", P + "name = T\n" },
        { "", P + "name = nope\n" },                                        // no match
        { "", P + "type_kind = class\n" },
        { "", P + "type_kind = struct\n" },
        { "", P + "type_kind = union\n" },
        { "", P + "type_kind = enum\n" },                                   // a renumbering is not hidden by kind alone
        { "", P + "type_kind = enum\nchanged_enumerators = E_B\n" },
        { "", P + "type_kind = enum\nchanged_enumerators = E_A\n" },         // no match
        { "", P + "type_kind = array\n" },
        { "", P + "type_kind = typedef\n" },
        { "", P + "type_kind = builtin\n" },
        { "", P + "name = R\ntype_kind = union\n" },                         // no match
        { "", P + "name = S\nhas_data_member_inserted_at = end\n" },
        { "", P + "name = P\nhas_data_member_inserted_at = end\n" },         // no match: c is in the padding
        { "", P + "name = P\nhas_data_member_inserted_at = 8\n" },
        { "", P + "name = P\nhas_data_member_inserted_at = 16\n" },          // no match
        { "", P + "name = M\nhas_data_member_inserted_at = 32\n" },
        { "", P + "name = M\nhas_data_member_inserted_at = offset_after(a)\n" },
        { "", P + "name = M\nhas_data_member_inserted_at = offset_of(b)\n" },
        { "", P + "name = P\nhas_data_member_inserted_at = offset_after(a)\n" }, // no match
        { "", P + "name = S\nhas_data_member_inserted_at = offset_of(nope)\n" }, // no match
        { "", P + "name = S\nhas_data_member_inserted_at = offset_after(b)\n" },
        { "", P + "name = R\nhas_data_member_inserted_at = 0\n" },           // nothing inserted, nothing deleted
        { "", P + "name = D\nhas_data_member_inserted_at = 0\n" },           // no match: b was deleted
        { "", P + "name = U\nhas_data_member_inserted_at = 64\n" },          // unions ignore the insertion keys
        { "", P + "name = P\nhas_data_member_inserted_between = {8, 16}\n" },
        { "", P + "name = P\nhas_data_member_inserted_between = {16, end}\n" }, // no match
        { "", P + "name = M\nhas_data_member_inserted_between = {0, 31}\n" },   // no match
        { "", P + "name = S\nhas_data_member_inserted_between = {end, end}\n" },
        { "", P + "name = S\nhas_data_members_inserted_between = {{0, 8}, {64, end}}\n" },
        { "", P + "name = S\nhas_data_members_inserted_between = {{0, 8}, {65, end}}\n" }, // no match
        { "", P + "name = R\naccessed_through = pointer\n" },
        { "", P + "name = R\naccessed_through = reference\n" },             // no match in C
        { "", P + "name = R\naccessed_through = direct\n" },                // abidiff: no restriction
        { "", P + "name = V\n" },                                           // gp hidden; gv keeps its symbol size change
        { "", P + "name = S\nsoname_regexp = ^libsup\\.so\n" },
        { "", P + "name = S\nsoname_regexp = ^libother\n" },                // no match
        { "", P + "name = S\nfile_name_regexp = v[12]\\.so$\n" },
        { "", P + "name = S\nfile_name_not_regexp = v[12]\\.so$\n" },       // no match
        { "", F + "name = f_s\n" },
        { "", F + "name_regexp = ^f_[sp]$\n" },
        { "", F + "name_not_regexp = ^f_[sp]$\n" },
        { "", F + "name = f_s\nchange_kind = function-subtype-change\n" },
        { "", F + "name = f_s\nchange_kind = added-function\n" },           // no match
        { "", F + "name = f_s\ndrop = yes\n" },
        { "", F + "symbol_name = f_s\n" },
        { "", F + "name = f_s\nsymbol_version = X\n" },                     // no match
        { "", F + "parameter = '0 S*\n" },
        { "", F + "parameter = '0 /^[SM]\\\\*$/\n" },                  // the INI reader turns \\ into \
        { "", F + "parameter = '0 /^[SM]\\*$/\n" },                    // ... and \* into *: ^[SM]*$ matches no S*
        { "", F + "parameter = '0 int\n" },
        { "", F + "parameter = '0 int[4]*\n" },
        { "", F + "parameter = '1 int\n" },                                 // no match: no second parameter
        { "", F + "return_type_name = T\n" },
        { "", F + "return_type_regexp = ^in\n" },
        { "", F + "return_type_name = long int\n" },                        // no match: T on both sides
        { "", F + "label = new is fine\nchange_kind = added-function\n" },  // a label is enough to select every function
        { "", F + "change_kind = added-function\n" },                      // no match: abidiff drops the section
        { "", F + "name = f_gone\n" },                                     // a removed function, by its declaration
        { "", F + "name_regexp = ^f_\nchange_kind = deleted-function\n" },
        { "", F + "parameter = '0 int\nchange_kind = added-function\n" },
        { "", F + "return_type_name = long int\nchange_kind = added-function\n" }, // no match
        { "", V + "name = gone_var\nchange_kind = deleted-variable\n" },
        { "", V + "type_name = long int\n" },                              // R's member a: data members are variables
        { "", V + "name = R::a\n" },
        { "", V + "name = a\n" },                                          // no match: member names are qualified
        { "", V + "name_regexp = ::a$\ntype_name = int\n" },
        { "", V + "name = M::b\n" },                                       // b moved: M goes, with its inserted z
        { "", V + "symbol_name_not_regexp = ^g\n" },                       // members have no symbol: every one matches
        { "", V + "name = gp\n" },
        { "", V + "name = gv\n" },                                          // also its symbol size change
        { "", V + "symbol_name = gv\n" },
        { "", V + "type_name = V*\n" },
        { "", V + "type_name = V\n" },
        { "", V + "type_name_regexp = ^V\n" },
        { "", V + "name_regexp = ^g\nchange_kind = variable-subtype-change\n" },
        { "", V + "name_regexp = ^g\nchange_kind = added-variable\n" },     // no match
        // source_location_not_in / _regexp: S, P, T in sup-a.h, M, U in include/sup-b.h, the rest in v1.c/v2.c;
        // the same rows on the DWARF 4 build (its line table joins directories differently).
        { "", P + "source_location_not_in = sup-a.h\n" },                   // everything but S, P, T (and pointers)
        { "", P + "source_location_not_in = sup-a.h, sup-b.h\n" },
        { "", P + "source_location_not_in = include/sup-b.h\n" },            // the whole path as libdw writes it
        { "", P + "source_location_not_in = ./sup-a.h\n" },
        { "", P + "source_location_not_in = nope.h\n" },                     // every type with a location
        { "", P + "name = S\nsource_location_not_in = sup-a.h\n" },         // no match
        { "", P + "name = S\nsource_location_not_in = v1.c\n" },
        { "", P + "name = S*\nsource_location_not_in = v1.c\n" },           // no match: a pointer has no location
        { "", P + "name = int\nsource_location_not_in = v1.c\n" },          // no match: neither has a base type
        { "", P + "type_kind = typedef\nsource_location_not_in = sup-b.h\n" },
        { "", P + "source_location_not_regexp = include/\n" },
        { "", P + "source_location_not_regexp = ^\\./\n" },                // keeps sup-a.h and v1.c: only M, U go
        { "", P + "source_location_not_regexp = sup-.\\.h$\n" },
        { "", P + "name_regexp = ^[SMU]$\nsource_location_not_regexp = sup-a\n" },
        { "", V + "name = gp\n" + P + "source_location_not_in = v1.c\n" },
        { "dw4-", P + "source_location_not_in = sup-a.h\n" },
        { "dw4-", P + "source_location_not_in = include/sup-b.h\n" },
        { "dw4-", P + "source_location_not_in = ./sup-a.h\n" },
        { "dw4-", P + "source_location_not_regexp = include/\n" },
        { "dw4-", P + "source_location_not_regexp = ^\\./\n" },
        { "dw4-", P + "name = S\nsource_location_not_in = v1.c\n" },
        { "cxx-", "" },
        { "cxx-", P + "name = ns::Q\naccessed_through = reference\n" },
        { "cxx-", P + "name = ns::Q\naccessed_through = pointer\n" },
        { "cxx-", P + "name = ns::Q\naccessed_through = reference-or-pointer\n" },
        { "cxx-", P + "name = Q\n" },                                       // no match: names are qualified
        { "cxx-", P + "name_regexp = ^ns::Q\n" },
        { "cxx-", P + "type_kind = class\n" },
        { "cxx-", F + "name = ns::K::g\n" },
        { "cxx-", F + "name_regexp = ^ns::\n" },
        { "cxx-", F + "parameter = '0 ns::Q*\n" },                          // 'this' is not counted
        { "cxx-", F + "parameter = '0 ns::Q&\n" },
        { "cxx-", F + "parameter = '1 int\n" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Suppressions_hide_the_type_changes_abidiff_hides(string pair, string suppressions)
    {
        var abidiff = Abidiff.Require();
        var file = Path.Combine(Path.GetTempPath(), $"abi-type-suppr-{Guid.NewGuid():n}.ini");
        File.WriteAllText(file, suppressions);
        try
        {
            var (old, @new) = (Fixture(pair + "v1.so"), Fixture(pair + "v2.so"));
            var (exit, stdout, stderr) = Tools.Run(abidiff, ["--no-show-locs", "--redundant", "--suppressions", file, old, @new]);
            Assert.True((exit & 3) == 0, $"abidiff failed ({exit}): {stderr}");
            var theirs = new SortedSet<string>(StringComparer.Ordinal);
            foreach (Match m in ChangedDeclaration().Matches(stdout))
            {
                var prefix = m.Groups["kind"].Value switch { "D" => "-", "A" => "+", _ => string.Empty };
                theirs.Add(prefix + (m.Groups["fn"].Success ? m.Groups["fn"].Value : m.Groups["var"].Value));
            }

            var parsed = AbiSuppressionFile.Load(file);
            var (diff, oldTypes, newTypes) = Diff(old, @new, parsed);
            var ours = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var d in diff.Diagnostics.Where(d => d.Symbol is not null))
            {
                var (prefix, graph) = d.Id switch { "ABI1001" => ("-", oldTypes), "ABI1003" => ("+", newTypes), _ => (string.Empty, oldTypes) };
                ours.Add(prefix + ((d.Symbol!.IsFunction ? graph.Functions : graph.Variables).TryGetValue(d.Symbol.Name, out var decl) ? decl.Name : d.Symbol.Name));
            }

            Assert.True(theirs.SetEquals(ours), $"abidiff: {string.Join(" ", theirs)}\nAbi.Sdk: {string.Join(" ", ours)}\n{diff}");

            // The exit class: abidiff 2.2 sets only its ABI-change bit for type changes, and its incompatible bit for
            // a removed function or variable; Abi.Sdk also sets the incompatible one for layouts old programs
            // misread (TypeDiffTests says why).
            Assert.Equal(exit & AbiExitCodes.AbiChange, diff.ExitCode & AbiExitCodes.AbiChange);
            Assert.True((exit & AbiExitCodes.IncompatibleChange) == 0 || (diff.ExitCode & AbiExitCodes.IncompatibleChange) != 0, $"abidiff {exit}, Abi.Sdk {diff.ExitCode}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (AbiDiff Diff, AbiTypeGraph OldTypes, AbiTypeGraph NewTypes) Diff(string oldFile, string newFile, AbiSuppressionFile suppressions)
    {
        using var v1 = ElfImage.Open(oldFile);
        using var v2 = ElfImage.Open(newFile);
        var oldTypes = AbiTypeGraph.Load(v1);
        var newTypes = AbiTypeGraph.Load(v2);
        var comparer = AbiComparer.Default.WithSuppressions(suppressions.Suppressions);
        return (comparer.Compare(AbiSurface.Of(v1), AbiSurface.Of(v2), oldTypes, newTypes, TestContext.Current.CancellationToken), oldTypes, newTypes);
    }

    // "[C] 'function int f(S*)' has...", "[C] 'V* gp' was changed", and the removed/added declarations "[D] 'function
    // int f_gone(int)'    {f_gone}", "[D] 'int gone_var'    {gone_var}".
    [GeneratedRegex(@"^\s+\[(?<kind>[CDA])\] '(?:function|method)[^(]*?(?<fn>[\w:~]+)\(|^\s+\[C\] '[^']*? (?<var>[\w:]+)' was changed|^\s+\[(?<kind>[DA])\] '[^'(]*? (?<var>[\w:]+)'\s", RegexOptions.Multiline)]
    private static partial Regex ChangedDeclaration();

    /// <summary>The <c>abi</c> tool, run as a user would, hides what abidiff hides and exits the same way.</summary>
    [Theory]
    [InlineData("[suppress_type]\n  name_not_regexp = ^$\n[suppress_variable]\n  name_regexp = ^g\n[suppress_function]\n  name_regexp = ^f_(gone|new)$\n")]
    [InlineData("[suppress_type]\n  name = S\n  has_data_member_inserted_at = end\n")]
    [InlineData("[suppress_function]\n  name_not_regexp = ^f_s$\n[suppress_variable]\n  name_regexp = .\n")]
    public void Abi_diff_with_suppressions_exits_as_abidiff_does(string suppressions)
    {
        var abidiff = Abidiff.Require();
        var file = Path.Combine(Path.GetTempPath(), $"abi-type-suppr-{Guid.NewGuid():n}.ini");
        File.WriteAllText(file, suppressions);
        try
        {
            var (theirs, stdout, _) = Tools.Run(abidiff, ["--no-show-locs", "--redundant", "--suppressions", file, Fixture("v1.so"), Fixture("v2.so")]);
            var (ours, text, stderr) = CliRunner.Run(["diff", "--suppressions", file, Fixture("v1.so"), Fixture("v2.so")]);
            Assert.True((ours & 3) == 0, stderr);
            Assert.Equal(theirs & AbiExitCodes.AbiChange, ours & AbiExitCodes.AbiChange);
            Assert.True((theirs & AbiExitCodes.IncompatibleChange) == 0 || (ours & AbiExitCodes.IncompatibleChange) != 0, $"abidiff {theirs}, abi {ours}");
            foreach (var name in new[] { "f_s", "f_e", "gv" })
            {
                Assert.Equal(stdout.Contains($" {name}(", StringComparison.Ordinal) || stdout.Contains($" {name}'", StringComparison.Ordinal), text.Contains(name, StringComparison.Ordinal));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Suppressed_type_changes_leave_the_reports_and_the_exit_code()
    {
        var suppressions = AbiSuppressionFile.Parse("[suppress_type]\n  name_not_regexp = ^[SM]$\n[suppress_variable]\n  name = gv\n", "t.suppr");
        var (diff, _, _) = Diff(Fixture("v1.so"), Fixture("v2.so"), suppressions);
        Assert.All(diff.Diagnostics, d => Assert.True(d.Symbol!.Name is "f_s" or "f_m" or "f_p" or "f_gone" or "f_new" or "gone_var", d.ToString()));
        Assert.Contains(diff.SuppressedDiagnostics, d => d.Id == "ABI2007");
        Assert.Contains(diff.SuppressedDiagnostics, d => d.Id == "ABI1007" && d.Symbol!.Name == "gv");

        var text = new StringWriter();
        diff.WriteText(text);
        Assert.DoesNotContain("f_e", text.ToString());
        var json = new MemoryStream();
        diff.WriteJson(json);
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        Assert.DoesNotContain(doc.RootElement.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("id").GetString() == "ABI2007");
        var sarif = new MemoryStream();
        diff.WriteSarif(sarif);
        using var log = System.Text.Json.JsonDocument.Parse(sarif.ToArray());
        Assert.DoesNotContain(log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray(), r => r.GetProperty("ruleId").GetString() == "ABI2007");

        // The walks that suppressions read hold both type graphs; the diff keeps none of them alive.
        Assert.All(diff.Diagnostics.Concat(diff.SuppressedDiagnostics), d => Assert.Null(d.TypeChange));

        var all = AbiSuppressionFile.Parse("[suppress_type]\n  name_not_regexp = ^$\n[suppress_variable]\n  name_regexp = ^g\n[suppress_function]\n  name_regexp = ^f_(gone|new)$\n", "t.suppr");
        Assert.Equal(0, Diff(Fixture("v1.so"), Fixture("v2.so"), all).Diff.ExitCode);
    }

    [Fact]
    public void Type_keys_are_parsed_and_bad_values_are_typed_errors()
    {
        var file = AbiSuppressionFile.Parse(
            "[suppress_type]\n  name = S\n  has_size_change = yes\n[suppress_type]\n  accessed_through = pointer\n[suppress_function]\n  change_kind = all\n[suppress_function]\n  label = everything\n", "s.suppr");
        Assert.Collection(file.Warnings,
            w => { Assert.Equal(3, w.Line); Assert.Contains("not supported", w.Message); },
            w => { Assert.Equal(4, w.Line); Assert.Contains("ignored", w.Message); },
            w => { Assert.Equal(6, w.Line); Assert.Contains("ignored", w.Message); },
            w => { Assert.Equal(8, w.Line); Assert.Contains("every function or variable the debug information declares", w.Message); });
        Assert.Equal([AbiSuppressionKind.Type, AbiSuppressionKind.Function], file.Suppressions.Select(s => s.Kind));
        Assert.Contains("[suppress_type]\n  name = S\n", file.ToText());

        foreach (var bad in new[]
        {
            "[suppress_type]\n name = S\n type_kind = struc\n",
            "[suppress_type]\n name = S\n accessed_through = pointr\n",
            "[suppress_type]\n name = S\n has_data_member_inserted_at = offset_of b\n",
            "[suppress_type]\n name = S\n has_data_member_inserted_between = {8}\n",
            "[suppress_type]\n name = S\n has_data_members_inserted_between = {8, 16}\n",
            "[suppress_function]\n parameter = 0 int\n",
        })
        {
            var ex = Assert.Throws<AbiConfigurationFormatException>(() => AbiSuppressionFile.Parse(bad, "bad.suppr"));
            Assert.Contains("bad.suppr", ex.Message);
        }
    }
}
