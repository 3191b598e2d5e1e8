// The notebooks' CI steps (see .ci/pack-and-run-notebooks.sh):
//   dotnet run .ci/notebooks.cs -- prepare FEED SOURCE.ipynb COPY.ipynb
//     writes COPY with `#i "nuget: FEED"` before the notebook's `#r "nuget: Abi.Sdk..."` line, as a user adds it;
//   dotnet run .ci/notebooks.cs -- check VERSION EXECUTED.ipynb SOURCE.ipynb [EXECUTED.ipynb SOURCE.ipynb ...]
//     reads notebooks executed by dotnet-repl (its exit code does not reflect cell errors) and fails when a cell has
//     an error output or wrote to stderr, when the notebook did not load Abi.Sdk VERSION, when no output came from
//     the Abi.Sdk formatters, when a formatter's output is not what they promise (well-formed, every model string
//     escaped, each section's count equal to its rows shown plus those it says it left out), when its "CHECK ..."
//     lines differ from SOURCE.expected.txt, or when a rendered table lacks the lines SOURCE.expected.txt gives it;
//   dotnet run .ci/notebooks.cs -- dump EXECUTED.ipynb
//     prints each code cell's key and its formatter outputs as the check reads them (to write expected lines).
//
// SOURCE.expected.txt holds the CHECK lines, in order, and blocks for rendered tables:
//   HTML <key>             the key is the last line of a code cell's source (the expression it displays)
//     <line>               lines the cell's rendered output must contain, in this order (other lines may come
//     <line>               between); '*' matches any text. A rendered output reads as: the summary line, facts as
//                          "Name: value", "== Section title (N)", a table's header and rows as "a | b | c", and
//                          "… N more rows (T in all; …)" under a table cut at Formatter.ListExpansionLimit rows.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

if (args[0] == "prepare")
{
    var notebook = JsonNode.Parse(File.ReadAllText(args[2]))!;
    var inserted = 0;
    foreach (var cell in notebook["cells"]!.AsArray())
    {
        var source = cell!["source"]!.AsArray();
        var at = source.Select(l => (string?)l).ToList().FindIndex(l => l!.StartsWith("#r \"nuget: Abi.Sdk", StringComparison.Ordinal));
        if (at >= 0)
        {
            source.Insert(at, JsonValue.Create($"#i \"nuget: {args[1]}\"\n"));
            inserted++;
        }
    }

    if (inserted != 1)
    {
        Console.Error.WriteLine($"{args[2]}: expected one '#r \"nuget: Abi.Sdk' line, found {inserted}");
        return 1;
    }

    File.WriteAllText(args[3], notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    return 0;
}

if (args[0] == "dump")
{
    foreach (var cell in CodeCells(args[1]))
    {
        Console.WriteLine($"HTML {cell.Key}");
        foreach (var html in cell.Rendered)
        {
            var (lines, problems) = Render(html);
            lines.ForEach(l => Console.WriteLine("  " + l));
            problems.ForEach(p => Console.WriteLine("  !! " + p));
        }
    }

    return 0;
}

var version = args[1];
var failures = 0;
for (var i = 2; i + 1 < args.Length; i += 2)
{
    var (executed, source) = (args[i], args[i + 1]);
    var problems = new List<string>();
    var cells = CodeCells(executed);
    var texts = new List<string>();
    var tables = 0;
    var rendered = 0;
    foreach (var cell in cells)
    {
        problems.AddRange(cell.Errors);
        texts.AddRange(cell.Texts);
        tables += cell.Texts.Count(t => t.Contains("<table", StringComparison.Ordinal));
        foreach (var html in cell.Rendered)
        {
            rendered++;
            problems.AddRange(Render(html).Problems.Select(p => $"cell '{cell.Key}': {p}"));
        }
    }

    var all = string.Join("\n", texts);
    if (!all.Contains($"Abi.Sdk {version}", StringComparison.Ordinal))
    {
        problems.Add($"did not print 'Abi.Sdk {version}': the notebook did not use the package from the feed");
    }

    if (rendered == 0)
    {
        problems.Add("no cell was displayed by the Abi.Sdk formatters: the package's notebook extension did not load");
    }

    var checks = all.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("CHECK ", StringComparison.Ordinal)).ToList();
    var expectedPath = Path.ChangeExtension(source, ".expected.txt");
    var expectedLines = File.ReadAllLines(expectedPath);
    var expected = expectedLines.Where(l => l.StartsWith("CHECK ", StringComparison.Ordinal)).ToList();
    if (!checks.SequenceEqual(expected))
    {
        problems.Add($"CHECK lines differ from {expectedPath}:\n  got:      {string.Join("\n            ", checks)}\n  expected: {string.Join("\n            ", expected)}");
    }

    var blocks = 0;
    foreach (var (key, wanted) in HtmlBlocks(expectedLines))
    {
        blocks++;
        var matching = cells.Where(c => c.Key == key).ToList();
        if (matching.Count != 1)
        {
            problems.Add($"{expectedPath}: 'HTML {key}' names {matching.Count} cells whose last line is that; it must name one");
            continue;
        }

        var got = matching[0].Rendered.SelectMany(h => Render(h).Lines).ToList();
        if (got.Count == 0)
        {
            problems.Add($"cell '{key}' was not displayed by the Abi.Sdk formatters");
            continue;
        }

        // Each wanted line in order, anywhere after the previous one.
        var at = 0;
        foreach (var line in wanted)
        {
            var pattern = new Regex("^" + string.Join(".*", line.Split('*').Select(Regex.Escape)) + "$");
            var found = got.FindIndex(at, l => pattern.IsMatch(l));
            if (found < 0)
            {
                problems.Add($"cell '{key}': rendered output lacks (after line {at}) \"{line}\"; it reads:\n    {string.Join("\n    ", got)}");
                break;
            }

            at = found + 1;
        }
    }

    foreach (var problem in problems)
    {
        Console.Error.WriteLine($"{source}: {problem}");
    }

    Console.WriteLine(problems.Count == 0
        ? $"{source}: ok ({cells.Count} code cells, {tables} HTML tables, {rendered} formatter outputs, {checks.Count} checks, {blocks} rendered-table checks)"
        : $"{source}: FAILED");
    failures += problems.Count;
}

return failures == 0 ? 0 : 1;

static List<Cell> CodeCells(string executed)
{
    var cells = new List<Cell>();
    foreach (var cell in JsonNode.Parse(File.ReadAllText(executed))!["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code"))
    {
        var lines = string.Concat(cell!["source"]!.AsArray().Select(l => (string?)l)).Split('\n');
        var first = lines[0];
        var key = lines.Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "";
        var result = new Cell(key, [], [], []);
        foreach (var output in cell["outputs"]?.AsArray() ?? [])
        {
            var type = (string?)output!["output_type"];
            if (type == "error")
            {
                result.Errors.Add($"cell '{first}': {(string?)output["ename"]}: {(string?)output["evalue"]}");
            }
            else if (type == "stream")
            {
                var text = Join(output["text"]);
                if ((string?)output["name"] == "stderr" && text.Trim().Length > 0)
                {
                    result.Errors.Add($"cell '{first}' wrote to stderr: {text.Trim()}");
                }

                result.Texts.Add(text);
            }
            else if (output["data"] is JsonObject data)
            {
                var html = Join(data["text/html"]);
                result.Texts.Add(html);
                result.Texts.Add(Join(data["text/plain"]));
                if (html.StartsWith("<div class=\"abi-sdk\">", StringComparison.Ordinal))
                {
                    result.Rendered.Add(html);
                }
            }
        }

        cells.Add(result);
    }

    return cells;
}

// Reads one formatter output as a reader sees it, and checks what the formatters promise.
static (List<string> Lines, List<string> Problems) Render(string html)
{
    var lines = new List<string>();
    var problems = new List<string>();
    XElement root;
    try
    {
        root = XElement.Parse(html, LoadOptions.PreserveWhitespace);
    }
    catch (System.Xml.XmlException e)
    {
        return (lines, [$"formatter output is not well-formed: {e.Message}"]);
    }

    foreach (var cell in root.Descendants().Where(e => e.Name == "td" || e.Name == "th" || e.Name == "summary"))
    {
        if (cell.HasElements)
        {
            problems.Add($"markup inside a <{cell.Name}> (a model string was not escaped): {cell}");
        }
    }

    Walk(root);
    return (lines, problems);

    void Walk(XElement element)
    {
        foreach (var e in element.Elements())
        {
            var cls = (string?)e.Attribute("class");
            switch (e.Name.LocalName)
            {
                case "p" when cls is "abi-summary" or "abi-more":
                    lines.Add(e.Value);
                    break;
                case "details":
                    lines.Add("== " + e.Element("summary")?.Value);
                    Walk(e);
                    break;
                case "table" when cls == "abi-facts":
                    lines.AddRange(e.Descendants("tr").Select(r => $"{r.Element("th")?.Value}: {r.Element("td")?.Value}"));
                    break;
                case "table" when cls == "abi-table":
                    var headers = e.Element("thead")!.Descendants("th").Select(h => h.Value).ToList();
                    var rows = e.Element("tbody")!.Elements("tr").Select(r => r.Elements("td").Select(c => c.Value).ToList()).ToList();
                    lines.Add(string.Join(" | ", headers));
                    lines.AddRange(rows.Select(r => string.Join(" | ", r)));
                    if (rows.Any(r => r.Count != headers.Count))
                    {
                        problems.Add($"a row of the table '{string.Join(" | ", headers)}' has not {headers.Count} cells");
                    }

                    // A section's title counts every row: those shown and those the "more" line counts.
                    var more = e.ElementsAfterSelf().FirstOrDefault() is { Name.LocalName: "p" } p && (string?)p.Attribute("class") == "abi-more" ? p.Value : null;
                    var total = rows.Count;
                    if (more is not null)
                    {
                        var m = Regex.Match(more, @"^… (\d+) more rows? \((\d+) in all; Formatter\.ListExpansionLimit = (\d+)\)$");
                        if (!m.Success || int.Parse(m.Groups[1].Value) + rows.Count != int.Parse(m.Groups[2].Value) || rows.Count != int.Parse(m.Groups[3].Value))
                        {
                            problems.Add($"'{more}' does not add up with the {rows.Count} rows shown");
                        }
                        else
                        {
                            total = int.Parse(m.Groups[2].Value);
                        }
                    }

                    if (e.Parent is { Name.LocalName: "details" } d && Regex.Match(d.Element("summary")?.Value ?? "", @"\((\d+)\)$") is { Success: true } count &&
                        int.Parse(count.Groups[1].Value) != total)
                    {
                        problems.Add($"section '{d.Element("summary")?.Value}' holds {total} rows");
                    }

                    break;
                case "div":
                    Walk(e);
                    break;
            }
        }
    }
}

static IEnumerable<(string Key, List<string> Lines)> HtmlBlocks(string[] expected)
{
    string? key = null;
    var lines = new List<string>();
    foreach (var line in expected.Append("HTML "))
    {
        if (line.StartsWith("HTML ", StringComparison.Ordinal) || line.StartsWith("CHECK ", StringComparison.Ordinal))
        {
            if (key is not null)
            {
                yield return (key, lines);
            }

            (key, lines) = line.StartsWith("HTML ", StringComparison.Ordinal) && line.Length > 5 ? (line[5..].Trim(), new List<string>()) : (null, new List<string>());
        }
        else if (key is not null && line.StartsWith("  ", StringComparison.Ordinal))
        {
            lines.Add(line[2..]);
        }
    }
}

static string Join(JsonNode? node) => node switch
{
    null => "",
    JsonArray array => string.Concat(array.Select(l => (string?)l)),
    _ => (string?)node ?? "",
};

sealed record Cell(string Key, List<string> Errors, List<string> Texts, List<string> Rendered);
