using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;
using FixturePairTests = Abi.Sdk.Tests.Abi.FixturePairTests;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// Keeps docs/reports.md and docs/schemas true: the JSON the writers emit on real inputs (the fixture library pairs,
/// the loader fixtures, a missing preload, package and distribution diffs built from them) validates against the
/// committed schema, every property in the schema is emitted, and the document's table lists exactly the schema's
/// properties with their types. A schema may embed another by <c>$ref</c> (a file name under docs/schemas): the
/// embedded object is validated against that file, and what it emits counts for that file's table.
/// </summary>
public partial class ReportSchemaTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    public static TheoryData<string> Schemas =>
    [
        "abi-diff.schema.json", "abi-diff.sarif.schema.json", "compatibility-verdict.schema.json", "package-diff.schema.json",
        "distribution-diff.schema.json", "distribution-diagnostic.schema.json", "distribution-diff.sarif.schema.json",
    ];

    private static JsonElement LoadSchema(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.RepositoryRoot, "docs", "schemas", name))).RootElement.Clone();

    /// <summary>The schema whose documents are emitted to observe a schema: itself, or for an embedded-only schema the documents that embed it.</summary>
    private static string[] Roots(string schemaName) => schemaName switch
    {
        "distribution-diagnostic.schema.json" => ["package-diff.schema.json", "distribution-diff.schema.json"],
        _ => [schemaName],
    };

    private static byte[] WriteTypeDiff(string v1, string v2, string schemaName)
    {
        using var i1 = global::Abi.Sdk.Elf.ElfImage.Open(v1);
        using var i2 = global::Abi.Sdk.Elf.ElfImage.Open(v2);
        var diff = AbiComparer.Default.Compare(AbiSurface.Of(i1), AbiSurface.Of(i2), AbiTypeGraph.Load(i1), AbiTypeGraph.Load(i2));
        using var stream = new MemoryStream();
        if (schemaName == "abi-diff.schema.json")
        {
            diff.WriteJson(stream);
        }
        else
        {
            diff.WriteSarif(stream);
        }

        return stream.ToArray();
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Emitted_json_matches_the_schema_and_the_documentation(string schemaName)
    {
        var schema = LoadSchema(schemaName);
        var documented = SchemaPaths(schema, string.Empty).ToDictionary(p => p.Path, p => p.Type, StringComparer.Ordinal);

        var observedBySchema = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var errors = new List<string>();
        int documents = 0;
        foreach (var root in Roots(schemaName))
        {
            var rootSchema = LoadSchema(root);
            foreach (var json in Emitted(root))
            {
                using var instance = JsonDocument.Parse(json);
                Validate(instance.RootElement, rootSchema, string.Empty, Observed(observedBySchema, root), errors, observedBySchema);
                documents++;
            }
        }

        var observed = Observed(observedBySchema, schemaName);
        Assert.True(documents > 10, $"only {documents} documents");
        Assert.True(errors.Count == 0, string.Join("\n", errors.Distinct().Take(20)));
        Assert.Equal(documented.Keys.Order(StringComparer.Ordinal), observed.Order(StringComparer.Ordinal));

        // The table in docs/reports.md: the same properties, with the same types.
        var table = DocumentedTable(schemaName);
        Assert.Equal(documented.OrderBy(p => p.Key, StringComparer.Ordinal), table.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    /// <summary>The checker is not vacuous: a property the schema does not know, a wrong type and a missing property are caught.</summary>
    [Fact]
    public void The_validator_reports_unknown_properties_wrong_types_and_missing_ones()
    {
        using var schemaDocument = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.RepositoryRoot, "docs", "schemas", "compatibility-verdict.schema.json")));
        using var instance = JsonDocument.Parse("""
            {"binary":"a","compatible":"yes","missingLibraries":[],"missingVersions":[{"library":"l","version":"V","requiredBy":"a","extra":1}],
             "refusedObjects":[],"skippedCandidates":[],
             "missingSymbols":[],"missingWeakVersions":[],"copyRelocationSizeChanges":[],"filtees":[],"glibcVersion":null,"glibcVersionSource":"unknown"}
            """);
        var errors = new List<string>();
        Validate(instance.RootElement, schemaDocument.RootElement, string.Empty, [], errors);
        Assert.Equal(["checks: missing", "compatible: string, expected boolean", "ignoredPreloads: missing", "isaLevelShortfalls: missing", "missingVersions[].extra: not in the schema"], errors.Order(StringComparer.Ordinal));
    }

    /// <summary>An object embedded by <c>$ref</c> is checked against its own schema, and its properties count for that schema.</summary>
    [Fact]
    public void The_validator_follows_references_into_embedded_reports()
    {
        using var stream = new MemoryStream();
        DistributionSamples.LibfixDiff().WriteJson(stream);
        var document = System.Text.Json.Nodes.JsonNode.Parse(stream.ToArray())!;
        document["libraries"]![0]!["abi"]!["extra"] = 1;
        document["diagnostics"]![0]!["neededBy"] = "libx.so.1";
        using var instance = JsonDocument.Parse(document.ToJsonString());
        var errors = new List<string>();
        var observedBySchema = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        Validate(instance.RootElement, LoadSchema("package-diff.schema.json"), string.Empty, [], errors, observedBySchema);
        Assert.Equal(
            ["diagnostics[] (distribution-diagnostic.schema.json): neededBy: string, expected array of string", "libraries[].abi (abi-diff.schema.json): extra: not in the schema"],
            errors.Distinct().Order(StringComparer.Ordinal));
        Assert.Contains("removed", observedBySchema["abi-diff.schema.json"]);
        Assert.Contains("neededBy", observedBySchema["distribution-diagnostic.schema.json"]);
    }

    private static IEnumerable<string> Emitted(string schemaName)
    {
        switch (schemaName)
        {
            case "abi-diff.schema.json" or "abi-diff.sarif.schema.json":
                foreach (var row in FixturePairTests.Cases)
                {
                    var diff = FixturePairTests.Diff(row.Data.Item1);
                    using var stream = new MemoryStream();
                    if (schemaName == "abi-diff.schema.json")
                    {
                        diff.WriteJson(stream);
                    }
                    else
                    {
                        diff.WriteSarif(stream);
                    }

                    yield return Encoding.UTF8.GetString(stream.ToArray());
                }

                // Pairs with debug information (type changes) and without (types asked for, not compared).
                foreach (var pair in new[] { "member-offset-changed", "vtable-changed", "unchanged" })
                {
                    yield return Encoding.UTF8.GetString(WriteTypeDiff(Path.Combine(Paths.Fixtures, "abi-types", pair, "v1.so"), Path.Combine(Paths.Fixtures, "abi-types", pair, "v2.so"), schemaName));
                }

                yield return Encoding.UTF8.GetString(WriteTypeDiff(FixturePairTests.Pair("symbol-removed", "v1"), FixturePairTests.Pair("symbol-removed", "v2"), schemaName));

                // A split DWARF pair whose .dwo files stayed behind: types partly compared, the units not found listed.
                var alone = Directory.CreateTempSubdirectory("abi-schema-dwo-");
                try
                {
                    foreach (var v in new[] { "v1", "v2" })
                    {
                        File.Copy(Path.Combine(Paths.Fixtures, "dwarf-gaps", $"split-{v}.so"), Path.Combine(alone.FullName, $"split-{v}.so"));
                    }

                    yield return Encoding.UTF8.GetString(WriteTypeDiff(Path.Combine(alone.FullName, "split-v1.so"), Path.Combine(alone.FullName, "split-v2.so"), schemaName));
                }
                finally
                {
                    alone.Delete(recursive: true);
                }

                break;
            case "package-diff.schema.json":
                foreach (var diff in DistributionSamples.PackageDiffs())
                {
                    using var stream = new MemoryStream();
                    diff.WriteJson(stream);
                    yield return Encoding.UTF8.GetString(stream.ToArray());
                }

                break;
            case "distribution-diff.schema.json":
                foreach (var diff in DistributionSamples.Distributions())
                {
                    using var stream = new MemoryStream();
                    diff.WriteJson(stream);
                    yield return Encoding.UTF8.GetString(stream.ToArray());
                }

                break;
            case "distribution-diff.sarif.schema.json":
                foreach (var diff in DistributionSamples.Distributions())
                {
                    using var stream = new MemoryStream();
                    diff.WriteSarif(stream);
                    yield return Encoding.UTF8.GetString(stream.ToArray());
                }

                foreach (var diff in DistributionSamples.PackageDiffs())
                {
                    using var stream = new MemoryStream();
                    diff.WriteSarif(stream);
                    yield return Encoding.UTF8.GetString(stream.ToArray());
                }

                break;
            default:
                var apps = Directory.GetFiles(Path.Combine(Out, "apps")).Order(StringComparer.Ordinal).ToList();
                using (var target = Target.LibraryPaths([Path.Combine(Out, "target")]))
                using (var preloading = target.WithPreload(["libnothing.so"]))
                {
                    // An x86-64-v3 library on an x86-64-v2 CPU: an ISA-level shortfall and the checks made.
                    var isa = Path.Combine(Paths.Fixtures, "loader-isa", "out");
                    using var marked = Target.LibraryPaths([Path.Combine(isa, "lib-v3")]);
                    using var onV2 = marked.WithCpu(TargetCpu.X86_64V2);

                    // And filters: a filtee found, an auxiliary filtee missing.
                    var filters = Path.Combine(Paths.Fixtures, "loader-filter", "out");
                    using var withFiltee = Target.LibraryPaths([Path.Combine(filters, "lib"), Path.Combine(filters, "filtee")]);
                    using var withoutFiltee = Target.LibraryPaths([Path.Combine(filters, "lib")]);
                    var verdicts = apps.Select(a => CompatibilityChecker.Check(a, target)).Append(CompatibilityChecker.Check(apps[0], preloading))
                        .Append(CompatibilityChecker.Check(Path.Combine(filters, "apps", "app_filter"), withFiltee))
                        .Append(CompatibilityChecker.Check(Path.Combine(filters, "apps", "app_aux"), withoutFiltee))
                        .Append(CompatibilityChecker.Check(Path.Combine(isa, "apps", "app"), onV2)).ToList();

                    // A library of another class skipped (a skipped candidate), and a text file under a library's name (refused).
                    var accept = Path.Combine(Paths.Fixtures, "loader-accept", "x86_64");
                    foreach (var candidate in new[] { "elf32.so", "text.so" })
                    {
                        using var files = Target.FromFiles([TargetFile.FromBytes("/usr/lib64/libanswer.so", File.ReadAllBytes(Path.Combine(accept, candidate)))]);
                        verdicts.Add(CompatibilityChecker.Check(Path.Combine(accept, "main"), files));
                    }

                    using var stream = new MemoryStream();
                    verdicts.WriteJson(stream);
                    foreach (var line in Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        yield return line;
                    }
                }

                break;
        }
    }

    /// <summary>Every property path in a schema (<c>a.b</c>, <c>a[].b</c>) with its type as the document spells it.</summary>
    private static IEnumerable<(string Path, string Type)> SchemaPaths(JsonElement schema, string prefix)
    {
        if (!schema.TryGetProperty("properties", out var properties))
        {
            yield break;
        }

        foreach (var p in properties.EnumerateObject())
        {
            var path = prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}";
            yield return (path, TypeName(p.Value));
            var nested = p.Value;
            var nestedPath = path;
            if (Types(nested).SequenceEqual(["array"]))
            {
                nested = nested.GetProperty("items");
                nestedPath += "[]";
            }

            foreach (var child in SchemaPaths(nested, nestedPath))
            {
                yield return child;
            }
        }
    }

    private static string[] Types(JsonElement schema)
    {
        var type = schema.GetProperty("type");
        return type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!];
    }

    private static string TypeName(JsonElement schema)
    {
        var types = Types(schema);
        return types.SequenceEqual(["array"]) ? $"array of {TypeName(schema.GetProperty("items"))}" : string.Join(" or ", types);
    }

    private static HashSet<string> Observed(Dictionary<string, HashSet<string>> bySchema, string schemaName)
    {
        if (!bySchema.TryGetValue(schemaName, out var set))
        {
            bySchema[schemaName] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        return set;
    }

    /// <summary>The schema file an object property embeds: its <c>$ref</c>, or the <c>$ref</c> of one of its <c>anyOf</c> branches (a nullable embedded object).</summary>
    private static string? Reference(JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var direct))
        {
            return direct.GetString();
        }

        return schema.TryGetProperty("anyOf", out var anyOf)
            ? anyOf.EnumerateArray().Select(a => a.TryGetProperty("$ref", out var r) ? r.GetString() : null).FirstOrDefault(r => r is not null)
            : null;
    }

    /// <summary>
    /// Validates the subset of JSON Schema the committed schemas use: type, properties, required, additionalProperties:
    /// false, items, enum, const, and <c>$ref</c> to another committed schema (directly or in an <c>anyOf</c> with null).
    /// </summary>
    private static void Validate(JsonElement value, JsonElement schema, string path, HashSet<string> observed, List<string> errors, Dictionary<string, HashSet<string>>? observedBySchema = null)
    {
        var kind = value.ValueKind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => value.TryGetInt64(out _) || value.TryGetUInt64(out _) ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };
        var label = path.Length == 0 ? "(root)" : path;
        if (!Types(schema).Contains(kind))
        {
            errors.Add($"{label}: {kind}, expected {TypeName(schema)}");
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => a.GetString() == value.GetString()))
        {
            errors.Add($"{label}: '{value}' is not one of {allowed}");
        }

        if (schema.TryGetProperty("const", out var constant) && constant.GetString() != value.GetString())
        {
            errors.Add($"{label}: '{value}', expected '{constant}'");
        }

        if (kind == "object" && Reference(schema) is { } reference)
        {
            // An embedded report object: checked against its own schema, its properties observed for that schema's table.
            var inner = new List<string>();
            Validate(value, LoadSchema(reference), string.Empty, Observed(observedBySchema ?? [], reference), inner, observedBySchema);
            errors.AddRange(inner.Select(e => $"{label} ({reference}): {e}"));
        }
        else if (kind == "array")
        {
            foreach (var item in value.EnumerateArray())
            {
                Validate(item, schema.GetProperty("items"), path + "[]", observed, errors, observedBySchema);
            }
        }
        else if (kind == "object")
        {
            var properties = schema.GetProperty("properties");
            foreach (var p in value.EnumerateObject())
            {
                var child = path.Length == 0 ? p.Name : $"{path}.{p.Name}";
                if (properties.TryGetProperty(p.Name, out var propertySchema))
                {
                    observed.Add(child);
                    Validate(p.Value, propertySchema, child, observed, errors, observedBySchema);
                }
                else
                {
                    errors.Add($"{child}: not in the schema");
                }
            }

            foreach (var required in schema.GetProperty("required").EnumerateArray())
            {
                if (!value.TryGetProperty(required.GetString()!, out _))
                {
                    errors.Add($"{(path.Length == 0 ? string.Empty : path + ".")}{required.GetString()}: missing");
                }
            }
        }
    }

    /// <summary>The rows of the table that follows <c>&lt;!-- schema: NAME --&gt;</c> in docs/reports.md: path → type.</summary>
    private static Dictionary<string, string> DocumentedTable(string schemaName)
    {
        var lines = File.ReadAllLines(Path.Combine(Paths.RepositoryRoot, "docs", "reports.md"));
        int start = Array.IndexOf(lines, $"<!-- schema: {schemaName} -->");
        Assert.True(start >= 0, $"docs/reports.md has no table marked <!-- schema: {schemaName} -->");
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => l.StartsWith('|')))
        {
            if (TableRow().Match(line) is { Success: true } m)
            {
                Assert.True(rows.TryAdd(m.Groups[1].Value, m.Groups[2].Value.Trim()), $"{m.Groups[1].Value} documented twice");
            }
        }

        return rows;
    }

    [GeneratedRegex(@"^\| `([^`]+)` \| ([^|]+) \|")]
    private static partial Regex TableRow();
}
