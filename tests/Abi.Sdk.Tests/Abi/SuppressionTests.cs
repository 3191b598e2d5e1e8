using Abi.Sdk.Abi;

namespace Abi.Sdk.Tests.Abi;

public class SuppressionTests
{
    private static string Write(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"abi-suppr-{Guid.NewGuid():n}.ini");
        File.WriteAllText(path, text);
        return path;
    }

    private static AbiDiff Diff(string pair, string suppressions)
        => FixturePairTests.Diff(pair, AbiComparer.Default.WithSuppressions(AbiSuppressionFile.Parse(suppressions, "test.suppr").Suppressions));

    /// <summary>The same suppression file given to abidiff and to Abi.Sdk hides the same symbols.</summary>
    [Theory]
    [InlineData("symbol-removed", "[suppress_function]\n  symbol_name = bar\n")]
    [InlineData("symbol-removed", "[suppress_function]\n  symbol_name_regexp = ^ba\n")]
    [InlineData("symbol-removed", "[suppress_function]\n  name_regexp = ^b\n  change_kind = deleted-function\n")]
    [InlineData("symbol-removed", "[suppress_function]\n  name_regexp = ^b\n  change_kind = added-function\n")]
    [InlineData("symbol-removed", "[suppress_function]\n  symbol_version = LIBFIX_1.0\n")]
    [InlineData("symbol-removed", "[suppress_function]\n  symbol_version_regexp = ^LIBFIX_2\n")]
    [InlineData("symbol-removed", "[suppress_variable]\n  symbol_name = bar\n")]
    [InlineData("symbol-added", "[suppress_function]\n  label = new things are fine\n  change_kind = added-function\n")]
    [InlineData("symbol-moved", "# comment\n; another\n[suppress_function]\n  symbol_name_not_regexp = ^foo$\n")]
    [InlineData("version-node-removed", "[suppress_function]\n  soname_regexp = ^libfix\\.so\n  symbol_name = bar\n")]
    [InlineData("version-node-removed", "[suppress_function]\n  soname_regexp = ^libother\n  symbol_name = bar\n")]
    public void Suppressed_symbols_match_abidiff(string pair, string text)
    {
        Abidiff.Require();
        var file = Write(text);
        try
        {
            var reference = Abidiff.Run(FixturePairTests.Pair(pair, "v1"), FixturePairTests.Pair(pair, "v2"), "--suppressions", file);
            var diff = Diff(pair, text);
            Assert.Equal(reference.Removed, diff.RemovedSymbols.Select(s => s.Spelling).Order(StringComparer.Ordinal));
            Assert.Equal(reference.Added, diff.AddedSymbols.Select(s => s.Spelling).Order(StringComparer.Ordinal));
            if (pair != "symbol-moved" && pair != "version-node-removed")
            {
                // Those two also change version nodes, which abidiff does not report.
                Assert.Equal(reference.ExitCode, diff.ExitCode);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Suppress_file_hides_every_change_of_a_matching_file()
    {
        var diff = Diff("version-node-removed", "[suppress_file]\n  soname_regexp = ^libfix\n");
        Assert.Empty(diff.Diagnostics);
        Assert.Equal(0, diff.ExitCode);
        Assert.Equal(2, diff.SuppressedDiagnostics.Length);
        Assert.Empty(diff.RemovedSymbols);
    }

    [Fact]
    public void Unknown_keys_and_sections_are_reported_not_ignored()
    {
        var file = AbiSuppressionFile.Parse("[suppress_function]\n  nmae = foo\n  parameter = '0 int\n[suppress_type]\n  name = t\n[whatever]\n  x = y\n", "s.suppr");
        Assert.Collection(file.Warnings,
            w => { Assert.Equal(2, w.Line); Assert.Contains("unknown key 'nmae'", w.Message); },
            w => { Assert.Equal(6, w.Line); Assert.Contains("unknown section [whatever]", w.Message); });
        Assert.Equal([AbiSuppressionKind.Function, AbiSuppressionKind.Type], file.Suppressions.Select(s => s.Kind));
        Assert.All(file.Suppressions, s => Assert.True(s.NeedsDebugInfo));

        // A section that needs debug info never matches an ELF symbol alone (this pair has no debug information).
        var diff = FixturePairTests.Diff("symbol-removed", AbiComparer.Default.WithSuppressions(file.Suppressions));
        Assert.Single(diff.RemovedSymbols);
    }

    [Fact]
    public void Suppression_files_round_trip()
    {
        const string text = "[suppress_function]\n  label = \" padded \"\n  name_regexp = ^foo\n  change_kind = deleted-function,added-function\n  symbol_version = V1\n\n[suppress_variable]\n  symbol_name_regexp = ^table$\n  drop = yes\n\n[suppress_file]\n  file_name_regexp = libfix\\.so\n  soname_not_regexp = ^libc\\.\n";
        var first = AbiSuppressionFile.Parse(text, "a");
        var written = first.ToText();
        var second = AbiSuppressionFile.Parse(written, "b");
        Assert.Equal(first.Suppressions.Select(s => (s.Kind, string.Join(";", s.Properties))), second.Suppressions.Select(s => (s.Kind, string.Join(";", s.Properties))));
        Assert.Equal(written, second.ToText());
        Assert.Equal(" padded ", first.Suppressions[0].Label);
        Assert.Empty(first.Warnings);
    }

    [Theory]
    [InlineData("name = x\n", "outside a section")]
    [InlineData("[suppress_function\n", "without ']'")]
    [InlineData("[suppress_function]\n  just words\n", "expected 'key = value'")]
    [InlineData("[suppress_function]\n  name_regexp = (unclosed\n", "invalid regular expression")]
    [InlineData("[suppress_function]\n  change_kind = sideways\n", "unknown change_kind")]
    public void Malformed_suppression_files_raise_one_typed_error(string text, string reason)
    {
        var ex = Assert.Throws<AbiConfigurationFormatException>(() => AbiSuppressionFile.Parse(text, "bad.suppr"));
        Assert.Contains(reason, ex.Message);
        Assert.Equal("bad.suppr", ex.FileName);
    }
}
