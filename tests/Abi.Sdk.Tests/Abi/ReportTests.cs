using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

public class ReportTests
{
    private static JsonElement Sarif(AbiDiff diff)
    {
        using var stream = new MemoryStream();
        diff.WriteSarif(stream);
        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    /// <summary>The SARIF 2.1.0 schema's required properties and enumerations, checked on every fixture pair.</summary>
    [Theory]
    [MemberData(nameof(FixturePairTests.Cases), MemberType = typeof(FixturePairTests))]
    public void Sarif_has_the_required_2_1_0_shape(string name, string[] expected, int exitCode)
    {
        _ = exitCode;
        var diff = FixturePairTests.Diff(name);
        var log = Sarif(diff);
        Assert.Equal("2.1.0", log.GetProperty("version").GetString());
        Assert.StartsWith("https://", log.GetProperty("$schema").GetString());
        var run = Assert.Single(log.GetProperty("runs").EnumerateArray());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("abi", driver.GetProperty("name").GetString());
        var rules = driver.GetProperty("rules").EnumerateArray().ToArray();
        var ruleIds = rules.Select(r => r.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(ruleIds.Distinct().Count(), ruleIds.Length);
        Assert.All(rules, r =>
        {
            Assert.False(string.IsNullOrEmpty(r.GetProperty("shortDescription").GetProperty("text").GetString()));
            Assert.Contains(r.GetProperty("defaultConfiguration").GetProperty("level").GetString(), new[] { "none", "note", "warning", "error" });
            Assert.True(Uri.IsWellFormedUriString(r.GetProperty("helpUri").GetString(), UriKind.Absolute));
        });

        var results = run.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, results.Length);
        for (int i = 0; i < results.Length; i++)
        {
            var r = results[i];
            var id = r.GetProperty("ruleId").GetString()!;
            Assert.Equal(expected[i].Split(':')[0], id);
            Assert.Equal(id, ruleIds[r.GetProperty("ruleIndex").GetInt32()]);
            Assert.False(string.IsNullOrEmpty(r.GetProperty("message").GetProperty("text").GetString()));
            Assert.Contains(r.GetProperty("level").GetString(), new[] { "none", "note", "warning", "error" });
            var location = Assert.Single(r.GetProperty("locations").EnumerateArray());
            Assert.EndsWith(Path.GetFileName(FixturePairTests.Pair(name, "v2")), location.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
            Assert.Equal(expected[i].Split(':', 2)[1], Assert.Single(location.GetProperty("logicalLocations").EnumerateArray()).GetProperty("name").GetString());
        }
    }

    [Fact]
    public void Json_report_spells_removed_and_added_as_abidiff()
    {
        var diff = FixturePairTests.Diff("symbol-moved");
        using var stream = new MemoryStream();
        diff.WriteJson(stream);
        var json = JsonDocument.Parse(stream.ToArray()).RootElement;
        Assert.Equal(["bar@@LIBFIX_1.0"], json.GetProperty("removed").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(json.GetProperty("added").EnumerateArray());
        Assert.Equal(12, json.GetProperty("exitCode").GetInt32());
        Assert.Equal(["ABI1002", "ABI1005"], json.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
    }

    [Fact]
    public void Text_report_reads_like_abidiff()
    {
        var diff = FixturePairTests.Diff("symbol-removed");
        var writer = new StringWriter();
        diff.WriteText(writer);
        var text = writer.ToString();
        Assert.Contains("1 Removed symbol:", text);
        Assert.Contains("  [D] bar@@LIBFIX_1.0 [ABI1001]", text);
    }

    private static (int Exit, string Stdout, string Stderr) Abi(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "abi.dll");
        var dotnet = Tools.Find("dotnet") ?? Path.Combine(Path.GetDirectoryName(Environment.ProcessPath!)!, "dotnet");
        return Tools.Run(dotnet, [dll, .. args]);
    }

    [Fact]
    public void Cli_diff_exit_codes_follow_abidiff()
    {
        string P(string n, string v) => FixturePairTests.Pair(n, v);
        Assert.Equal(0, Abi("diff", P("unchanged", "v1"), P("unchanged", "v2")).Exit);
        Assert.Equal(4, Abi("diff", P("symbol-added", "v1"), P("symbol-added", "v2")).Exit);
        var removed = Abi("diff", "--json", P("symbol-removed", "v1"), P("symbol-removed", "v2"));
        Assert.Equal(12, removed.Exit);
        Assert.Equal(["bar@@LIBFIX_1.0"], JsonDocument.Parse(removed.Stdout).RootElement.GetProperty("removed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, Abi("diff", P("unchanged", "v1")).Exit);
        Assert.Equal(2, Abi("diff", "--json", "--sarif", P("unchanged", "v1"), P("unchanged", "v2")).Exit);
        var missing = Abi("diff", P("unchanged", "v1"), "/nonexistent/lib.so");
        Assert.Equal(1, missing.Exit);
        Assert.StartsWith("abi: ", missing.Stderr);
    }

    [Fact]
    public void Cli_dump_writes_a_baseline_that_diff_reads()
    {
        var dir = Directory.CreateTempSubdirectory("abi-dump-");
        try
        {
            var baseline = Path.Combine(dir.FullName, "v1.json");
            var suppr = Path.Combine(dir.FullName, "s.suppr");
            File.WriteAllText(suppr, "[suppress_function]\n  symbol_name = bar\n  bogus = 1\n");
            Assert.Equal(0, Abi("dump", FixturePairTests.Pair("symbol-removed", "v1"), "-o", baseline).Exit);
            Assert.Equal(12, Abi("diff", baseline, FixturePairTests.Pair("symbol-removed", "v2")).Exit);
            var suppressed = Abi("diff", "--suppressions", suppr, baseline, FixturePairTests.Pair("symbol-removed", "v2"));
            Assert.Equal(0, suppressed.Exit);
            Assert.Contains("unknown key 'bogus'", suppressed.Stderr);
            var sarif = Abi("diff", "--sarif", baseline, FixturePairTests.Pair("symbol-removed", "v2"));
            Assert.Equal("2.1.0", JsonDocument.Parse(sarif.Stdout).RootElement.GetProperty("version").GetString());
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
