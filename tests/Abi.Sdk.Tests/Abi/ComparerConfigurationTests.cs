using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Tests.Abi;

public class ComparerConfigurationTests
{
    /// <summary>A user rule, as a Roslyn analyzer would be: no symbol of the plugin API may change at all.</summary>
    private sealed class FrozenPluginApiRule : AbiRule
    {
        public static readonly AbiDiagnosticDescriptor Changed = new("PLUGIN001", "Plugin API changed", "Plugin API symbol '{0}' changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible, "https://example.invalid/PLUGIN001");

        public override ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; } = [Changed];

        public override void Analyze(AbiComparisonContext context)
        {
            foreach (var s in context.RemovedSymbols.Concat(context.AddedSymbols))
            {
                if (s.Name.StartsWith("ba", StringComparison.Ordinal))
                {
                    context.Report(AbiDiagnostic.Create(Changed, null, s, null, s));
                }
            }
        }
    }

    private sealed class RogueRule : AbiRule
    {
        public override ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; } = [];

        public override void Analyze(AbiComparisonContext context) =>
            context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.SonameChanged, "SONAME", null, null, "a", "b"));
    }

    [Fact]
    public void User_rules_report_their_own_diagnostics()
    {
        var comparer = AbiComparer.Default.WithRules(new FrozenPluginApiRule());
        var diff = FixturePairTests.Diff("symbol-added", comparer);
        Assert.Equal(["ABI1003:bar@@LIBFIX_1.0", "PLUGIN001:bar@@LIBFIX_1.0"], diff.Diagnostics.Select(d => $"{d.Id}:{d.Subject}"));
        Assert.Equal(12, diff.ExitCode);
        Assert.Contains(FrozenPluginApiRule.Changed, comparer.SupportedDiagnostics);

        // The user rule's severity is configurable like a built-in one.
        var relaxed = FixturePairTests.Diff("symbol-added", comparer.WithSeverity("PLUGIN001", AbiSeverity.NeedsReview));
        Assert.Equal(4, relaxed.ExitCode);
    }

    [Fact]
    public void A_rule_cannot_report_a_diagnostic_it_does_not_declare()
    {
        var comparer = AbiComparer.Default.WithRules(new RogueRule());
        var ex = Assert.Throws<ArgumentException>(() => FixturePairTests.Diff("unchanged", comparer));
        Assert.Contains("SupportedDiagnostics", ex.Message);
    }

    [Fact]
    public void Severities_change_from_code_and_none_suppresses()
    {
        var strict = FixturePairTests.Diff("symbol-added", AbiComparer.Default.WithSeverity("ABI1003", AbiSeverity.Incompatible));
        Assert.Equal(12, strict.ExitCode);
        Assert.Equal(AbiSeverity.Incompatible, Assert.Single(strict.Diagnostics).Severity);

        var quiet = FixturePairTests.Diff("symbol-added", AbiComparer.Default.WithSeverity("ABI1003", AbiSeverity.None));
        Assert.Empty(quiet.Diagnostics);
        Assert.Single(quiet.SuppressedDiagnostics);
        Assert.Empty(quiet.AddedSymbols);
        Assert.Equal(0, quiet.ExitCode);
    }

    [Fact]
    public void Severities_load_from_a_settings_file_and_round_trip()
    {
        var json = "{\n  // comments are allowed\n  \"diagnostics\": { \"ABI1006\": \"incompatible\", \"ABI1005\": \"none\", \"PLUGIN001\": \"warning\" }\n}";
        var config = AbiSeverityConfiguration.Parse(Encoding.UTF8.GetBytes(json), "settings.json");
        Assert.Equal(AbiSeverity.Incompatible, config.Overrides["ABI1006"]);
        Assert.Equal(AbiSeverity.NeedsReview, config.Overrides["PLUGIN001"]);
        var back = AbiSeverityConfiguration.Parse(Encoding.UTF8.GetBytes(config.ToJson()), "again.json");
        Assert.Equal(config.Overrides.OrderBy(p => p.Key), back.Overrides.OrderBy(p => p.Key));

        var diff = FixturePairTests.Diff("default-version-changed", AbiComparer.Default.WithSeverities(config));
        Assert.Equal(["ABI1006"], diff.Diagnostics.Select(d => d.Id));
        Assert.Equal(12, diff.ExitCode);
    }

    [Theory]
    [InlineData("[]", "expected StartObject")]
    [InlineData("{\"severities\": {}}", "unknown property")]
    [InlineData("{\"diagnostics\": {\"ABI1001\": \"fatal\"}}", "unknown severity")]
    [InlineData("{\"diagnostics\": {\"ABI1001\": ", "malformed JSON")]
    public void Malformed_settings_raise_one_typed_error(string json, string reason)
    {
        var ex = Assert.Throws<AbiConfigurationFormatException>(() => AbiSeverityConfiguration.Parse(Encoding.UTF8.GetBytes(json), "s.json"));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Every_built_in_descriptor_has_a_stable_id_and_a_help_page()
    {
        var ids = AbiDiagnosticIds.All.Select(d => d.Id).ToArray();
        Assert.Equal(ids.Distinct().Count(), ids.Length);
        Assert.All(AbiDiagnosticIds.All, d => Assert.Matches("^ABI1[0-9]{3}$", d.Id));
        Assert.Equal(AbiBuiltInRules.All.SelectMany(r => r.SupportedDiagnostics).Select(d => d.Id).Order(), ids.Order());
        var docs = Path.Combine(TestSupport.Paths.RepositoryRoot, "docs", "diagnostics");
        var index = File.ReadAllText(Path.Combine(docs, "README.md"));
        foreach (var d in AbiDiagnosticIds.All)
        {
            var page = Path.Combine(docs, d.Id + ".md");
            Assert.True(File.Exists(page), $"missing help page {page}");
            Assert.StartsWith($"# {d.Id}: {d.Title}", File.ReadAllText(page));
            Assert.EndsWith($"/docs/diagnostics/{d.Id}.md", d.HelpUri);
            Assert.Contains($"[{d.Id}]({d.Id}.md)", index);
        }
    }

    [Fact]
    public void Surface_constructor_rejects_duplicate_keys()
    {
        var s = new AbiSymbol("x", "V1", true, ElfSymbolType.Function);
        Assert.Throws<ArgumentException>(() => new AbiSurface(null, null, ElfClass.Elf64, ElfMachine.X86_64, [], [], [s, s]));
    }

    [Fact]
    public void Unversioned_old_symbol_binds_to_the_default_version()
    {
        AbiSurface Make(params AbiSymbol[] symbols) => new("lib", "lib.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [], [.. symbols]);
        var old = Make(new AbiSymbol("f", null, false, ElfSymbolType.Function));
        var hiddenOnly = Make(new AbiSymbol("f", "V1", false, ElfSymbolType.Function));
        var withDefault = Make(new AbiSymbol("f", "V1", false, ElfSymbolType.Function), new AbiSymbol("f", "V2", true, ElfSymbolType.Function));

        // An unversioned reference cannot bind a hidden version: removed, and f@V1 is new (abidiff says the same).
        Assert.Equal(["ABI1001", "ABI1003"], AbiComparer.Default.Compare(old, hiddenOnly, TestContext.Current.CancellationToken).Diagnostics.Select(d => d.Id));
        var diff = AbiComparer.Default.Compare(old, withDefault, TestContext.Current.CancellationToken);
        Assert.Empty(diff.RemovedSymbols);
        Assert.Equal(["f@V1"], diff.AddedSymbols.Select(s => s.Spelling));
    }
}
