using System.Text.Json;
using Abi.Sdk.Distribution;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;
using static Abi.Sdk.Tests.Reporting.DistributionSamples;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// The HTML report in a real browser (Debian's chromium, headless, driven over the DevTools protocol): it loads with
/// no console error, no exception and no request; typing in the filter box hides exactly the rows whose package, path
/// and IDs lack the text; clicking a column header sorts; a problem expands to its NEEDED chain; hostile names stay
/// text. Screenshots are written next to the test assembly (reports/*.png) for a person to look at.
/// </summary>
public class DistributionHtmlBrowserTests
{
    private static string OutputFolder => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "reports")).FullName;

    private static string WritePage(string name, Action<TextWriter> write)
    {
        var path = Path.Combine(OutputFolder, name);
        using (var w = new StreamWriter(path))
        {
            write(w);
        }

        return path;
    }

    private static async Task<HeadlessChromium> OpenAsync(string file, string fragment = "")
    {
        var chromium = HeadlessChromium.Find();
        if (chromium is null)
        {
            Assert.Skip("reference tool 'chromium' is not installed (apt-get install chromium); .ci/run installs it");
        }

        var browser = await HeadlessChromium.StartAsync(chromium!);
        await browser.SendAsync("Runtime.enable");
        await browser.SendAsync("Log.enable");
        await browser.SendAsync("Page.enable");
        await browser.SendAsync("Network.enable");
        await browser.NavigateAsync(new Uri(file).AbsoluteUri + fragment);
        return browser;
    }

    /// <summary>The package names of the visible rows of one verdict's table, in page order.</summary>
    private static async Task<List<string>> VisibleAsync(HeadlessChromium browser, string section) =>
        [.. (await browser.EvaluateAsync($"Array.from(document.querySelectorAll('#{section} tbody tr:not([hidden])')).map(r => r.cells[0].textContent)")).EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<List<string>> AllVisibleAsync(HeadlessChromium browser) =>
        [.. (await browser.EvaluateAsync("Array.from(document.querySelectorAll('table.report tbody tr')).filter(r => r.offsetParent !== null).map(r => r.cells[0].textContent)")).EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Report_opens_cleanly_filters_sorts_and_expands_in_chromium()
    {
        var diff = SampleDistribution();
        var file = WritePage("distribution.html", diff.WriteHtml);
        await using var browser = await OpenAsync(file);

        // Every package and application is a row, in its verdict's table.
        Assert.Equal(["fix-tools", "myapp", "libfix", "libgone"], await VisibleAsync(browser, "incompatible"));
        Assert.Equal(3, (await VisibleAsync(browser, "review")).Count);
        Assert.Equal(["almalinux-logos", "libadds", "bash", "goodapp"], await VisibleAsync(browser, "compatible"));

        // Typing in the filter: only the rows whose package, path, ID or NEEDED chain has the text stay visible.
        await browser.ClickAsync("#filter");
        await browser.TypeAsync("libmid");
        Assert.Equal(["fix-tools"], await AllVisibleAsync(browser));
        Assert.Equal("1 of 11 rows", (await browser.EvaluateAsync("document.getElementById('shown').textContent")).GetString());
        Assert.Equal("0", (await browser.EvaluateAsync("document.querySelector('#review h2 .count').textContent")).GetString());
        await browser.EvaluateAsync("(() => { const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()");
        await browser.ClickAsync("#filter");
        await browser.TypeAsync("ABI3040");
        Assert.Equal(["fix-tools", "myapp"], await AllVisibleAsync(browser));
        await browser.EvaluateAsync("(() => { const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()");
        await browser.ClickAsync("#filter");
        await browser.TypeAsync("/usr/lib64/libadds");
        Assert.Equal(["libadds"], await AllVisibleAsync(browser));
        await browser.EvaluateAsync("(() => { const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()");
        Assert.Equal(11, (await AllVisibleAsync(browser)).Count);

        // Clicking the Package header sorts the table by name; a second click reverses it. Findings sort as numbers.
        await browser.ClickAsync("#compatible th:nth-child(1)");
        Assert.Equal(["almalinux-logos", "bash", "goodapp", "libadds"], await VisibleAsync(browser, "compatible"));
        Assert.Equal("ascending", (await browser.EvaluateAsync("document.querySelector('#compatible th').getAttribute('aria-sort')")).GetString());
        await browser.ClickAsync("#compatible th:nth-child(1)");
        Assert.Equal(["libadds", "goodapp", "bash", "almalinux-logos"], await VisibleAsync(browser, "compatible"));
        await browser.ClickAsync("#incompatible th:nth-child(5)");
        var findings = (await browser.EvaluateAsync("Array.from(document.querySelectorAll('#incompatible tbody tr')).map(r => +r.cells[4].textContent)")).EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(findings.Order(), findings);
        Assert.Equal([1, 3, 3, 4], findings);

        // A problem expands to its findings and NEEDED chain.
        Assert.False((await browser.EvaluateAsync("document.querySelector('#incompatible tr:has(code) details').open")).GetBoolean());
        var row = "Array.from(document.querySelectorAll('#incompatible tbody tr')).find(r => r.cells[0].textContent === 'fix-tools')";
        await browser.EvaluateAsync($"{row}.id = 'tools'");
        await browser.ClickAsync("#tools summary");
        Assert.True((await browser.EvaluateAsync("document.querySelector('#tools details').open")).GetBoolean());
        var chains = (await browser.EvaluateAsync("Array.from(document.querySelectorAll('#tools .chain')).map(c => c.textContent)")).EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("NEEDED chain: libmid.so.1 ← /usr/bin/app_deep", chains);

        // Hostile names are text: no injected element ran or exists, and the name reads as written.
        Assert.Equal(JsonValueKind.Undefined, (await browser.EvaluateAsync("window.__pwned")).ValueKind);
        Assert.Equal(1, (await browser.EvaluateAsync("document.scripts.length")).GetInt32());
        Assert.Equal(0, (await browser.EvaluateAsync("document.images.length")).GetInt32());
        Assert.Contains(EvilName, await VisibleAsync(browser, "review"));

        await browser.ClickAsync("#filter");
        await browser.TypeAsync("libfix");
        await browser.EvaluateAsync("document.querySelectorAll('tbody tr:not([hidden]) details').forEach(d => d.open = true)");
        await File.WriteAllBytesAsync(Path.Combine(OutputFolder, "distribution-filtered.png"), await browser.ScreenshotAsync(), TestContext.Current.CancellationToken);
        await browser.EvaluateAsync("(() => { const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); window.scrollTo(0, 0); })()");
        await File.WriteAllBytesAsync(Path.Combine(OutputFolder, "distribution.png"), await browser.ScreenshotAsync(fullPage: true), TestContext.Current.CancellationToken);

        Assert.Empty(browser.Problems());
        Assert.DoesNotContain(browser.Events, e => e.Method == "Network.requestWillBeSent" && !e.Params.GetProperty("request").GetProperty("url").GetString()!.StartsWith("file:", StringComparison.Ordinal));
    }

    /// <summary>A link to the page with <c>#filter=TEXT</c> opens it filtered (and the box shows the text).</summary>
    [Fact]
    public async Task A_filter_in_the_address_applies_on_load()
    {
        var file = WritePage("distribution-fragment.html", SampleDistribution().WriteHtml);
        await using var browser = await OpenAsync(file, "#filter=abi3001");
        Assert.Equal(["libgone"], await AllVisibleAsync(browser));
        Assert.Equal("abi3001", (await browser.EvaluateAsync("document.getElementById('filter').value")).GetString());
        Assert.Empty(browser.Problems());
    }

    [Fact]
    public async Task Package_diff_page_opens_cleanly_with_its_changes()
    {
        var file = WritePage("package.html", LibfixDiff().WriteHtml);
        await using var browser = await OpenAsync(file);
        Assert.Equal(["libfix"], await AllVisibleAsync(browser));
        Assert.Equal("Package diff libfix-1.0-1.x86_64 → libfix-1.0-2.x86_64: incompatible", (await browser.EvaluateAsync("document.querySelector('h1').textContent")).GetString());
        await browser.ClickAsync("#incompatible summary");
        var text = (await browser.EvaluateAsync("document.querySelector('#incompatible details').innerText")).GetString()!;
        Assert.Contains("/usr/lib64/libfix/plugins/libplug.so private", text, StringComparison.Ordinal);
        Assert.Contains("directory → symbolic link /usr/lib64/libfix", text, StringComparison.Ordinal);
        Assert.Contains("Requires: libm.so.6()(64bit)", text, StringComparison.Ordinal);
        await File.WriteAllBytesAsync(Path.Combine(OutputFolder, "package.png"), await browser.ScreenshotAsync(fullPage: true), TestContext.Current.CancellationToken);
        Assert.Empty(browser.Problems());
    }
}
