using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Abi.Sdk.Distribution;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;
using static Abi.Sdk.Tests.Reporting.DistributionSamples;
using FixturePairTests = Abi.Sdk.Tests.Abi.FixturePairTests;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// The text, JSON, SARIF and HTML reports of package and distribution diffs, on hand-built models whose loader
/// problems and library diffs are real (see <see cref="DistributionSamples"/>).
/// </summary>
public class DistributionReportTests
{
    private static string Text(Action<TextWriter> write)
    {
        var w = new StringWriter { NewLine = "\n" };
        write(w);
        return w.ToString();
    }

    private static JsonElement Json(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        var bytes = stream.ToArray();
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no byte order mark");
        return JsonDocument.Parse(bytes).RootElement.Clone();
    }

    [Fact]
    public void Distribution_text_puts_the_verdict_and_counts_first_then_the_worst_problems()
    {
        var diff = SampleDistribution();
        var text = Text(diff.WriteText);
        var lines = text.Split('\n');
        var s = diff.Summary;

        // Kept beside the browser test's pages and screenshots, for a person to read.
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "reports")).FullName;
        File.WriteAllText(Path.Combine(folder, "distribution.txt"), text);
        File.WriteAllText(Path.Combine(folder, "package.txt"), Text(LibfixDiff().WriteText));
        Assert.Equal("Distribution diff: incompatible", lines[0]);
        Assert.Equal("  reference: ref/BaseOS, ref/AppStream", lines[1]);
        Assert.Equal($"  {s.Packages} packages, 2 applications, {s.Binaries} binaries checked: {s.Incompatible} incompatible, {s.Review} to review, {s.Compatible} compatible, 1 unreadable", lines[3]);
        Assert.Equal((9, 6, 4, 3, 4, 1), (s.Packages, s.Binaries, s.Incompatible, s.Review, s.Compatible, s.Unreadable));

        // Sections in order of harm; each package's findings that decide it, compatible ones only counted.
        int incompatible = Array.IndexOf(lines, "Incompatible (4):");
        int review = Array.IndexOf(lines, "To review (3):");
        int compatible = Array.FindIndex(lines, l => l.StartsWith("Compatible (4): ", StringComparison.Ordinal));
        int unreadable = Array.IndexOf(lines, "Unreadable (1):");
        Assert.True(incompatible > 0 && incompatible < review && review < compatible && compatible < unreadable, text);
        Assert.Equal("Compatible (4): 1 newer, 1 only in the rebuild, 1 same, 1 application", lines[compatible]);
        Assert.Equal("  alt/BaseOS/broken-1.0-1.x86_64.rpm: at offset 96: header index count 4294967295 exceeds the header size", lines[unreadable + 1]);
        Assert.Contains("  libgone.x86_64: 0.9-7 → (only in the reference)", lines);
        Assert.Contains("    ABI3001 incompatible: Package 'libgone-0.9-7.x86_64' is in the reference but not in the rebuild, and no rebuild package provides 'libgone'", lines);
        Assert.Contains("  zlib.x86_64: 1:1.2.11-41 → 1:1.2.11-40 (older)", lines);
        Assert.Contains("  application myapp-2.0-1.x86_64 (apps/myapp-2.0-1.x86_64.rpm)", lines);
        Assert.Contains("    cannot install: nothing provides libgone.so.1()(64bit) needed by myapp-2.0-1.x86_64", lines);
        Assert.Contains("    (and 3 compatible changes)", lines);
        Assert.Contains("  ABI3060 compatible: No package of the rebuild set owns /lib64, /lib, /bin or /sbin; the merged-/usr layout (/lib64 → usr/lib64, …) of the filesystem package was assumed", lines);

        // The worst first: the package with the most incompatible findings leads the incompatible section.
        Assert.StartsWith("  fix-tools.x86_64: 2.1-3 (same)", lines[incompatible + 1], StringComparison.Ordinal);
        Assert.DoesNotContain("bash", text, StringComparison.Ordinal);
    }

    /// <summary>The NEEDED chain the text report prints is the one the glibc loader names when it refuses the program.</summary>
    [Fact]
    public void Loader_problems_carry_the_chain_the_glibc_loader_reports()
    {
        var text = Text(SampleDistribution().WriteText);
        var deep = Binary("p", "/usr/bin/app_deep", Check("app_deep"));
        Assert.Equal(["ABI3041", "ABI3042"], deep.Diagnostics.Select(d => d.Id));
        Assert.All(deep.Diagnostics, d => Assert.Equal(["libmid.so.1", "/usr/bin/app_deep"], d.NeededBy!.Objects));
        Assert.Contains("      needed by: libmid.so.1 ← /usr/bin/app_deep", text.Split('\n'));
        var missing = Binary("p", "/usr/bin/app_missing", Check("app_missing")).Diagnostics.First();
        Assert.Equal("ABI3040", missing.Id);
        Assert.Contains("      needed by: /usr/bin/app_missing", text.Split('\n'));

        // glibc's ld.so on the same files: the object it names as requiring the missing piece is the chain's first.
        var app = Path.Combine(Paths.Fixtures, "compat", "out", "apps", "app_deep");
        var loader = Tools.Run(app, [], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = Path.Combine(Paths.Fixtures, "compat", "out", "target"), ["LD_BIND_NOW"] = "1" });
        Assert.NotEqual(0, loader.ExitCode);
        Assert.Contains("version `BASE_2' not found (required by ", loader.Stderr, StringComparison.Ordinal);
        Assert.Contains("libmid.so.1)", loader.Stderr, StringComparison.Ordinal);
        Assert.Contains("version 'BASE_2' not found in libbase.so.1 (required by libmid.so.1)", deep.Diagnostics[0].Message, StringComparison.Ordinal);
        var gone = Tools.Run(Path.Combine(Paths.Fixtures, "compat", "out", "apps", "app_missing"), [], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = Path.Combine(Paths.Fixtures, "compat", "out", "target") });
        Assert.Contains("libgone.so.1: cannot open shared object file", gone.Stderr, StringComparison.Ordinal);
        Assert.Contains("libgone.so.1", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Package_text_reads_like_abipkgdiff()
    {
        var diff = LibfixDiff();
        var lines = Text(diff.WriteText).Split('\n');
        Assert.Equal("Package diff: libfix-1.0-1.x86_64 → libfix-1.0-2.x86_64 (newer): incompatible", lines[0]);
        Assert.Equal("Dependencies changes summary: 1 Removed, 1 Added", lines[1]);
        Assert.Equal("Files changes summary: 1 Removed, 1 Added, 1 Type changed", lines[2]);
        Assert.Equal("Shared libraries summary: 2 compared, 2 with ABI changes, 1 private", lines[3]);
        Assert.Contains("  [D] Provides: libfix-data = 1.0-1", lines);
        Assert.Contains("  [A] Requires: libm.so.6()(64bit)", lines);
        Assert.Contains("  [C] /usr/lib64/libfix: directory → symbolic link", lines);
        Assert.Contains("  [D] /usr/share/doc/libfix/README", lines);
        Assert.Contains("================ changes of 'libfix.so.1' (/usr/lib64/libfix.so.1) ===============", lines);
        Assert.Contains("================ changes of 'libfix.so.1' (private) (/usr/lib64/libfix/plugins/libplug.so) ===============", lines);

        // Each library's section is abidiff's report of the pair, indented.
        var abidiff = Text(diff.Libraries[0].Diff.WriteText).Split('\n').Where(l => l.Length > 0).Select(l => "  " + l);
        Assert.All(abidiff, l => Assert.Contains(l, lines));
        Assert.Contains("    [D] bar@@LIBFIX_1.0 [ABI1001]", lines);
    }

    /// <summary>The removed symbols the package report lists for a library pair are abidiff's on the same two files.</summary>
    [Fact]
    public void Package_report_lists_the_symbols_abidiff_lists_as_removed()
    {
        var abidiff = Tools.Require("abidiff", "abigail-tools");
        var diff = LibfixDiff();
        var (_, stdout, _) = Tools.Run(abidiff, [FixturePairTests.Pair("symbol-removed", "v1"), FixturePairTests.Pair("symbol-removed", "v2")]);
        var theirs = stdout.Split('\n').Where(l => l.TrimStart().StartsWith("[D]", StringComparison.Ordinal)).Select(l => l.Split('\'').Length > 1 ? l.Split('\'')[1] : l).ToList();
        Assert.NotEmpty(theirs);
        var json = Json(diff.WriteJson);
        var ours = json.GetProperty("libraries")[0].GetProperty("abi").GetProperty("removed").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(theirs.Count, ours.Count);
        Assert.All(theirs, t => Assert.Contains(ours, o => t.Contains(o.Split('@')[0], StringComparison.Ordinal)));
    }

    [Fact]
    public void Distribution_json_has_the_verdicts_counts_chains_and_embedded_reports()
    {
        var diff = SampleDistribution();
        var json = Json(diff.WriteJson);
        Assert.Equal("incompatible", json.GetProperty("verdict").GetString());
        Assert.Equal(diff.ExitCode, json.GetProperty("exitCode").GetInt32());
        Assert.Equal(13, diff.ExitCode);
        var summary = json.GetProperty("summary");
        Assert.Equal(4, summary.GetProperty("incompatible").GetInt32());
        Assert.Equal(1, summary.GetProperty("unreadable").GetInt32());
        Assert.Equal(96, json.GetProperty("errors")[0].GetProperty("offset").GetInt64());

        var packages = json.GetProperty("packages").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(diff.Packages.Select(p => p.Name), json.GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(["compatible", "compatible", "review", "incompatible", "compatible", "incompatible", "incompatible", "review", "review"],
            json.GetProperty("packages").EnumerateArray().OrderBy(p => p.GetProperty("name").GetString(), StringComparer.Ordinal).Select(p => p.GetProperty("verdict").GetString()));
        Assert.Equal(JsonValueKind.Null, packages["libgone"].GetProperty("rebuild").ValueKind);
        Assert.Equal("older", packages["zlib"].GetProperty("move").GetString());
        Assert.Equal("zlib-1:1.2.11-41.x86_64", packages["zlib"].GetProperty("reference").GetString());

        var tools = packages["fix-tools"];
        var chains = tools.GetProperty("diagnostics").EnumerateArray().Select(d => string.Join(" ← ", d.GetProperty("neededBy").EnumerateArray().Select(o => o.GetString()))).ToList();
        Assert.Contains("libmid.so.1 ← /usr/bin/app_deep", chains);
        var binary = tools.GetProperty("binaries")[0];
        Assert.Equal("/usr/bin/app_deep", binary.GetProperty("path").GetString());
        Assert.False(binary.GetProperty("check").GetProperty("compatible").GetBoolean());

        // The embedded library diff is abi diff --json's object, unchanged.
        var library = packages["libfix"].GetProperty("diff").GetProperty("libraries")[0];
        using var alone = new MemoryStream();
        diff.Packages.Single(p => p.Name == "libfix").Diff!.Libraries[0].Diff.WriteJson(alone);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(alone.ToArray()), JsonNode.Parse(library.GetProperty("abi").GetRawText())));
        var abiFinding = packages["libfix"].GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("id").GetString() == "ABI1001");
        Assert.Equal("bar@@LIBFIX_1.0", abiFinding.GetProperty("oldSymbol").GetString());

        // Hostile names survive as data.
        Assert.True(packages.ContainsKey(EvilName));
        Assert.Equal(EvilPath, packages[EvilName].GetProperty("diff").GetProperty("files")[0].GetProperty("path").GetString());

        var apps = json.GetProperty("applications");
        Assert.False(apps[0].GetProperty("installable").GetBoolean());
        Assert.Equal(["nothing provides libgone.so.1()(64bit) needed by myapp-2.0-1.x86_64"], apps[0].GetProperty("installProblems").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("compatible", apps[1].GetProperty("verdict").GetString());
    }

    [Fact]
    public void Package_json_spells_changes_and_marks_private_libraries()
    {
        var json = Json(LibfixDiff().WriteJson);
        Assert.Equal("libfix-1.0-1.x86_64", json.GetProperty("old").GetString());
        Assert.Equal("newer", json.GetProperty("move").GetString());
        Assert.Equal("incompatible", json.GetProperty("verdict").GetString());
        Assert.Equal(12, json.GetProperty("exitCode").GetInt32());
        Assert.Equal(["provides removed libfix-data = 1.0-1", "requires added libm.so.6()(64bit)"],
            json.GetProperty("dependencies").EnumerateArray().Select(d => $"{d.GetProperty("kind").GetString()} {d.GetProperty("change").GetString()} {d.GetProperty("dependency").GetString()}"));
        var retyped = json.GetProperty("files")[0];
        Assert.Equal(("typeChanged", "directory", "symbolic link"), (retyped.GetProperty("change").GetString(), retyped.GetProperty("oldType").GetString(), retyped.GetProperty("newType").GetString()));
        Assert.Equal([false, true], json.GetProperty("libraries").EnumerateArray().Select(l => l.GetProperty("private").GetBoolean()));
    }

    [Fact]
    public void Sarif_has_one_result_per_finding_located_by_package_and_path()
    {
        var diff = SampleDistribution();
        var log = Json(diff.WriteSarif);
        Assert.Equal("2.1.0", log.GetProperty("version").GetString());
        var run = Assert.Single(log.GetProperty("runs").EnumerateArray());
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.Equal(rules.Order(StringComparer.Ordinal), rules);
        Assert.Equal(rules.Distinct().Count(), rules.Count);
        Assert.Superset(DistributionDiagnosticIds.All.Select(d => d.Id).ToHashSet(), rules.ToHashSet());
        Assert.Superset(global::Abi.Sdk.Abi.AbiDiagnosticIds.All.Select(d => d.Id).ToHashSet(), rules.ToHashSet());

        var all = diff.Diagnostics.Concat(diff.Packages.SelectMany(p => p.Diagnostics)).Concat(diff.Applications.SelectMany(a => a.Diagnostics)).ToList();
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(all.Count, results.Count);
        for (int i = 0; i < all.Count; i++)
        {
            var d = all[i];
            var r = results[i];
            Assert.Equal(d.Id, r.GetProperty("ruleId").GetString());
            Assert.Equal(d.Id, rules[r.GetProperty("ruleIndex").GetInt32()]);
            Assert.Equal(d.Severity switch { global::Abi.Sdk.Abi.AbiSeverity.Incompatible => "error", global::Abi.Sdk.Abi.AbiSeverity.NeedsReview => "warning", _ => "note" }, r.GetProperty("level").GetString());
            Assert.Equal(d.Message, r.GetProperty("message").GetProperty("text").GetString());
            var chain = r.GetProperty("properties").GetProperty("neededBy").EnumerateArray().Select(o => o.GetString()!).ToList();
            Assert.Equal(d.NeededBy?.Objects.ToList() ?? [], chain);
            if (d.Package is null && d.Path is null)
            {
                Assert.False(r.TryGetProperty("locations", out _));
                continue;
            }

            var location = Assert.Single(r.GetProperty("locations").EnumerateArray());
            if (d.Package is not null)
            {
                var logical = location.GetProperty("logicalLocations")[0];
                Assert.Equal((d.Package, "package"), (logical.GetProperty("name").GetString(), logical.GetProperty("kind").GetString()));
            }

            if (d.Path is not null)
            {
                var uri = location.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()!;
                Assert.True(Uri.IsWellFormedUriString(uri, UriKind.Relative), uri);
                Assert.Equal(d.Path, Uri.UnescapeDataString(uri));
            }
        }

        var invocation = Assert.Single(run.GetProperty("invocations").EnumerateArray());
        Assert.False(invocation.GetProperty("executionSuccessful").GetBoolean());
        var note = Assert.Single(invocation.GetProperty("toolExecutionNotifications").EnumerateArray());
        Assert.Equal("error", note.GetProperty("level").GetString());
        Assert.Equal("ABI3090", note.GetProperty("associatedRule").GetProperty("id").GetString());
        var physical = note.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("alt/BaseOS/broken-1.0-1.x86_64.rpm", physical.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(96, physical.GetProperty("region").GetProperty("byteOffset").GetInt64());
    }

    [Fact]
    public void Package_sarif_locates_every_finding_in_the_old_package()
    {
        var diff = LibfixDiff();
        var run = Json(diff.WriteSarif).GetProperty("runs")[0];
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(diff.Diagnostics.Select(d => d.Id), results.Select(r => r.GetProperty("ruleId").GetString()));
        Assert.All(results, r => Assert.Equal("libfix-1.0-1.x86_64", r.GetProperty("locations")[0].GetProperty("logicalLocations")[0].GetProperty("name").GetString()));
        var removed = results.First(r => r.GetProperty("ruleId").GetString() == "ABI1001").GetProperty("locations")[0];
        Assert.Equal("/usr/lib64/libfix.so.1", removed.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(("bar@@LIBFIX_1.0", "function"), (removed.GetProperty("logicalLocations")[1].GetProperty("name").GetString(), removed.GetProperty("logicalLocations")[1].GetProperty("kind").GetString()));
        Assert.True(run.GetProperty("invocations")[0].GetProperty("executionSuccessful").GetBoolean());
    }

    [Fact]
    public void Html_is_self_contained_and_escapes_every_name_and_path()
    {
        var html = Text(SampleDistribution().WriteHtml);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);

        // Nothing fetched: no external reference of any kind, and a policy that forbids it.
        Assert.DoesNotContain("http://", html.Replace("https://github.com/abi-sdk/abi-sdk/blob/main/docs/diagnostics/", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(" src=\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.Contains("content=\"default-src 'none'", html, StringComparison.Ordinal);
        Assert.Equal(1, html.Split("<script>").Length - 1);

        // Hostile text only as character references.
        Assert.DoesNotContain("<script>window", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("evil&lt;script&gt;window.__pwned=1&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<code>libmid.so.1</code> ← <code>/usr/bin/app_deep</code>", html, StringComparison.Ordinal);

        // Stream and writer give the same page, UTF-8 without a byte order mark.
        using var stream = new MemoryStream();
        SampleDistribution().WriteHtml(stream);
        Assert.Equal(html, Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal((byte)'<', stream.ToArray()[0]);
    }

    /// <summary>A terminal must not run an escape sequence hidden in a package's file name: the text shows control characters as \xNN.</summary>
    [Fact]
    public void Text_shows_control_characters_in_names_as_escapes()
    {
        var nevra = Nevra("term\u001b]0;owned\u0007", "1", "1");
        var finding = Finding(DistributionDiagnosticIds.FileRemoved, nevra.ToString(), "/usr/bin/x\u001b[2J\r", nevra, "/usr/bin/x\u001b[2J\r");
        var diff = new PackageDiff(nevra, nevra, EvrMove.Same, [], [], [], [finding]);
        var text = Text(diff.WriteText);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.DoesNotContain('\r', text);
        Assert.Contains("term\\x1b]0;owned\\x07-1-1.x86_64: '/usr/bin/x\\x1b[2J\\x0d' is not in the rebuild's package", text, StringComparison.Ordinal);
    }

    /// <summary>A custom rule's help URI is linked only when it is a web address: a <c>javascript:</c> URI is no link.</summary>
    [Fact]
    public void Html_links_only_web_help_pages()
    {
        var rule = new global::Abi.Sdk.Abi.AbiDiagnosticDescriptor("MY001", "Custom", "{0}", global::Abi.Sdk.Abi.AbiChangeCategory.Changed, global::Abi.Sdk.Abi.AbiSeverity.NeedsReview, "javascript:alert(1)");
        var nevra = Nevra("p", "1", "1");
        var diff = new PackageDiff(nevra, nevra, EvrMove.Same, [], [], [], [new DistributionDiagnostic(rule, rule.DefaultSeverity, "custom") { Package = nevra.ToString() }]);
        var html = Text(diff.WriteHtml);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
        Assert.Contains("<code>MY001</code>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://github.com/abi-sdk/abi-sdk/blob/main/docs/diagnostics/ABI3001.md\"", Text(SampleDistribution().WriteHtml), StringComparison.Ordinal);
    }

    /// <summary>
    /// On the real package pairs of the sample distribution (PackageComparer over rpmbuild-made RPMs): every writer
    /// runs, the text names the comparer's verdict and each library section, SARIF has one result per finding, and the
    /// JSON's dependency changes are rpm's spellings of the diff's.
    /// </summary>
    [Fact]
    public void Reports_of_real_package_pairs()
    {
        int pairs = 0;
        foreach (var diff in RealPackageDiffs())
        {
            pairs++;
            var text = Text(diff.WriteText);
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "reports")).FullName, $"pkgdiff-{diff.Old.Name}.txt"), text);
            Assert.StartsWith($"Package diff: {diff.Old} → {diff.New} ({DistributionReportModel.MoveName(diff.Move)}): {Verdicts.Name(diff.Verdict)}\n", text, StringComparison.Ordinal);
            foreach (var library in diff.Libraries.Where(l => !l.Diff.Diagnostics.IsEmpty))
            {
                Assert.Contains($"'{library.Diff.Old.Soname ?? Path.GetFileName(library.OldPath)}'{(library.IsPrivate ? " (private)" : string.Empty)}", text, StringComparison.Ordinal);
            }

            var json = Json(diff.WriteJson);
            Assert.Equal(diff.Dependencies.Select(d => d.Dependency.ToString()), json.GetProperty("dependencies").EnumerateArray().Select(d => d.GetProperty("dependency").GetString()));
            Assert.Equal(diff.Diagnostics.Length, Json(diff.WriteSarif).GetProperty("runs")[0].GetProperty("results").GetArrayLength());
            Assert.Contains(diff.Old.ToString(), Text(diff.WriteHtml), StringComparison.Ordinal);
        }

        Assert.True(pairs >= 5, $"only {pairs} pairs");
    }

    [Fact]
    public void Escape_replaces_the_five_markup_characters()
    {
        Assert.Equal("a&amp;b&lt;c&gt;d&quot;e&#39;f ← é", DistributionHtmlReport.Escape("a&b<c>d\"e'f ← é"));
        Assert.Equal(string.Empty, DistributionHtmlReport.Escape(null));
    }
}
