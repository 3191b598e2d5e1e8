using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Distribution;

namespace Abi.Sdk.Tests.Distribution;

public class DistributionDiagnosticIdsTests
{
    private static readonly string Docs = Path.Combine(TestSupport.Paths.RepositoryRoot, "docs", "diagnostics");

    [Fact]
    public void Every_distribution_descriptor_has_a_stable_id_and_a_help_page()
    {
        var ids = DistributionDiagnosticIds.All.Select(d => d.Id).ToArray();
        Assert.Equal(ids.Distinct().Count(), ids.Length);
        Assert.All(DistributionDiagnosticIds.All, d => Assert.Matches("^ABI3[0-9]{3}$", d.Id));

        // All is documented as "in ID order"; reports and the index rely on it.
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);

        // The two families share reports (a package diff lists ABI1xxx next to ABI3xxx): an ID names one thing.
        Assert.Empty(ids.Intersect(AbiDiagnosticIds.All.Select(d => d.Id)));

        var index = File.ReadAllText(Path.Combine(Docs, "README.md"));
        foreach (var d in DistributionDiagnosticIds.All)
        {
            var page = Path.Combine(Docs, d.Id + ".md");
            Assert.True(File.Exists(page), $"missing help page {page}");
            var lines = File.ReadAllLines(page);
            Assert.Equal($"# {d.Id}: {d.Title}", lines[0]);
            Assert.EndsWith($"/docs/diagnostics/{d.Id}.md", d.HelpUri);
            Assert.Contains($"[{d.Id}]({d.Id}.md)", index);
        }
    }

    [Fact]
    public void The_index_row_of_each_distribution_descriptor_states_its_default_severity_and_category()
    {
        var index = File.ReadAllText(Path.Combine(Docs, "README.md"));
        foreach (var d in DistributionDiagnosticIds.All)
        {
            var row = Regex.Match(index, $@"^\| \[{d.Id}\]\({d.Id}\.md\) \| (?<title>[^|]+) \| `(?<severity>[a-z-]+)` \| (?<category>[a-z]+) \|$", RegexOptions.Multiline);
            Assert.True(row.Success, $"no index row for {d.Id}");
            Assert.Equal(d.Title, row.Groups["title"].Value.Trim());
            Assert.Equal(AbiSeverities.Name(d.DefaultSeverity), row.Groups["severity"].Value);
            Assert.Equal(d.Category.ToString().ToLowerInvariant(), row.Groups["category"].Value);

            // The page's table says the same as the index and who reports the finding.
            var page = File.ReadAllText(Path.Combine(Docs, d.Id + ".md"));
            Assert.Matches($@"\| `{Regex.Escape(AbiSeverities.Name(d.DefaultSeverity))}` \| {d.Category.ToString().ToLowerInvariant()} \| `abi (pkgdiff|distdiff)`( and `abi distdiff`)? \|", page);
        }
    }
}
