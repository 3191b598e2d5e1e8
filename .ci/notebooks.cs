// The notebooks' CI steps (see .ci/pack-and-run-notebooks.sh):
//   dotnet run .ci/notebooks.cs -- prepare FEED SOURCE.ipynb COPY.ipynb
//     writes COPY with `#i "nuget: FEED"` before the notebook's `#r "nuget: Abi.Sdk..."` line, as a user adds it;
//   dotnet run .ci/notebooks.cs -- check VERSION EXECUTED.ipynb SOURCE.ipynb [EXECUTED.ipynb SOURCE.ipynb ...]
//     reads notebooks executed by dotnet-repl (its exit code does not reflect cell errors) and fails when a cell has
//     an error output or wrote to stderr, when the notebook did not load Abi.Sdk VERSION, when no table rendered as
//     an HTML table, or when its "CHECK ..." lines differ from SOURCE.expected.txt.
using System.Text.Json;
using System.Text.Json.Nodes;

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

var version = args[1];
var failures = 0;
for (var i = 2; i + 1 < args.Length; i += 2)
{
    var (executed, source) = (args[i], args[i + 1]);
    var problems = new List<string>();
    var cells = JsonNode.Parse(File.ReadAllText(executed))!["cells"]!.AsArray();
    var texts = new List<string>();
    var tables = 0;
    foreach (var cell in cells.Where(c => (string?)c!["cell_type"] == "code"))
    {
        var outputs = cell!["outputs"]?.AsArray() ?? [];
        var first = string.Concat(cell["source"]!.AsArray().Select(l => (string?)l)).Split('\n')[0];
        foreach (var output in outputs)
        {
            var type = (string?)output!["output_type"];
            if (type == "error")
            {
                problems.Add($"cell '{first}': {(string?)output["ename"]}: {(string?)output["evalue"]}");
            }
            else if (type == "stream")
            {
                var text = Join(output["text"]);
                if ((string?)output["name"] == "stderr" && text.Trim().Length > 0)
                {
                    problems.Add($"cell '{first}' wrote to stderr: {text.Trim()}");
                }

                texts.Add(text);
            }
            else if (output["data"] is JsonObject data)
            {
                var html = Join(data["text/html"]);
                tables += html.Contains("<table") ? 1 : 0;
                texts.Add(html);
                texts.Add(Join(data["text/plain"]));
            }
        }
    }

    var all = string.Join("\n", texts);
    if (!all.Contains($"Abi.Sdk {version}", StringComparison.Ordinal))
    {
        problems.Add($"did not print 'Abi.Sdk {version}': the notebook did not use the package from the feed");
    }

    if (tables == 0)
    {
        problems.Add("no cell rendered an HTML table");
    }

    var checks = all.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("CHECK ", StringComparison.Ordinal)).ToList();
    var expectedPath = Path.ChangeExtension(source, ".expected.txt");
    var expected = File.ReadAllLines(expectedPath).Where(l => l.Length > 0).ToList();
    if (!checks.SequenceEqual(expected))
    {
        problems.Add($"CHECK lines differ from {expectedPath}:\n  got:      {string.Join("\n            ", checks)}\n  expected: {string.Join("\n            ", expected)}");
    }

    foreach (var problem in problems)
    {
        Console.Error.WriteLine($"{source}: {problem}");
    }

    Console.WriteLine(problems.Count == 0 ? $"{source}: ok ({cells.Count} cells, {tables} tables, {checks.Count} checks)" : $"{source}: FAILED");
    failures += problems.Count;
}

return failures == 0 ? 0 : 1;

static string Join(JsonNode? node) => node switch
{
    null => "",
    JsonArray array => string.Concat(array.Select(l => (string?)l)),
    _ => (string?)node ?? "",
};
