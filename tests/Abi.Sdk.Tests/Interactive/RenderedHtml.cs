using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Abi.Sdk.Tests.Interactive;

/// <summary>
/// A notebook output of the Abi.Sdk formatters read back as a reader sees it: the summary line, the facts, and each
/// table with its section title, headers, rows (cell text after HTML decoding) and the "… N more rows" line.
/// Parsing it as XML also proves it is well-formed and that no cell holds markup: every model string was escaped.
/// </summary>
internal sealed partial record RenderedHtml(string? Summary, IReadOnlyDictionary<string, string> Facts, IReadOnlyList<RenderedTable> Tables)
{
    public static RenderedHtml Parse(string html)
    {
        Assert.StartsWith("<div class=\"abi-sdk\">", html, StringComparison.Ordinal);
        var root = XElement.Parse(html, LoadOptions.PreserveWhitespace);
        var summary = root.Elements("p").FirstOrDefault(p => (string?)p.Attribute("class") == "abi-summary")?.Value;
        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        var tables = new List<RenderedTable>();
        foreach (var table in root.Descendants("table"))
        {
            foreach (var cell in table.Descendants().Where(e => e.Name == "td" || e.Name == "th"))
            {
                Assert.False(cell.HasElements, $"a cell holds markup: {cell}");
            }

            if ((string?)table.Attribute("class") == "abi-facts")
            {
                foreach (var row in table.Descendants("tr"))
                {
                    facts.Add(row.Element("th")!.Value, row.Element("td")!.Value);
                }

                continue;
            }

            var headers = table.Element("thead")!.Descendants("th").Select(h => h.Value).ToList();
            var rows = table.Element("tbody")!.Elements("tr").Select(r => (IReadOnlyList<string>)r.Elements("td").Select(c => c.Value).ToList()).ToList();
            Assert.All(rows, r => Assert.Equal(headers.Count, r.Count));
            var more = table.ElementsAfterSelf().FirstOrDefault() is { Name.LocalName: "p" } p && (string?)p.Attribute("class") == "abi-more" ? p.Value : null;
            var title = table.Parent is { Name.LocalName: "details" } details ? details.Element("summary")!.Value : null;
            var parsed = new RenderedTable(title, headers, rows, more);
            if (title is not null && TitleCount().Match(title) is { Success: true } m)
            {
                // The count in the title is every row: those shown and those the "more" line counts.
                Assert.Equal(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), parsed.Total);
            }

            tables.Add(parsed);
        }

        return new RenderedHtml(summary, facts, tables);
    }

    /// <summary>The table in the section whose title starts with <paramref name="title"/> (<c>Removed symbols</c> finds <c>Removed symbols (3)</c>).</summary>
    public RenderedTable Section(string title) =>
        Assert.Single(Tables, t => t.Title is not null && (t.Title == title || t.Title.StartsWith(title + " (", StringComparison.Ordinal)));

    public bool HasSection(string title) => Tables.Any(t => t.Title is not null && t.Title.StartsWith(title + " (", StringComparison.Ordinal));

    [GeneratedRegex(@"\((\d+)\)$")]
    private static partial Regex TitleCount();
}

internal sealed partial record RenderedTable(string? Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, string? More)
{
    /// <summary>The rows shown plus those the "… N more rows (T in all; …)" line counts.</summary>
    public int Total => More is null ? Rows.Count : int.Parse(MoreLine().Match(More).Groups[2].Value, CultureInfo.InvariantCulture);

    /// <summary>The cells of one column, by header.</summary>
    public IEnumerable<string> Column(string header)
    {
        var i = Headers.ToList().IndexOf(header);
        Assert.True(i >= 0, $"no column '{header}' in {string.Join(", ", Headers)}");
        return Rows.Select(r => r[i]);
    }

    /// <summary>The rows as tuples of the named columns, for set and sequence comparisons.</summary>
    public IEnumerable<string> Join(params string[] headers)
    {
        var indexes = headers.Select(h => Headers.ToList().IndexOf(h)).ToList();
        Assert.DoesNotContain(-1, indexes);
        return Rows.Select(r => string.Join(" | ", indexes.Select(i => r[i])));
    }

    [GeneratedRegex(@"^… (\d+) more rows? \((\d+) in all; Formatter\.ListExpansionLimit = (\d+)\)$")]
    internal static partial Regex MoreLine();
}
