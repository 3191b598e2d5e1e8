using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Build.Tests;

/// <summary>
/// Two published versions of Microsoft.ML.OnnxRuntime (1.31.1 as the baseline, 1.32.0's Linux native libraries
/// packed as the new package): what <c>dotnet pack</c> reports for each library is what <c>abi diff --json</c>
/// reports for the same two files. ONNX Runtime defines a version node per release (VERS_1.31.1, VERS_1.32.0),
/// so its exports move nodes every release.
/// </summary>
/// <remarks>
/// The two packages (about 160 MB each) are downloaded once by tests/tools/fetch-nuget-natives.sh into
/// tests/tools/.cache/nuget (ignored by git) with the machine's NuGet sources: about 15 s each on the CI machine the
/// first time, nothing later; the pack with validation itself takes about 25 s there.
/// </remarks>
public sealed class RealPackageTests(PackageWorkspace workspace)
{
    private const string Id = "Microsoft.ML.OnnxRuntime";

    [Fact]
    public void Pack_reports_what_abi_diff_reports_for_each_library_of_two_onnxruntime_releases()
    {
        var script = Path.Combine(PackageWorkspace.RepositoryRoot, "tests", "tools", "fetch-nuget-natives.sh");
        var (fetchCode, fetchOut, fetchErr) = Tools.Run("bash", [script, Id, "1.31.1", "1.32.0"]);
        Assert.True(fetchCode == 0, $"{fetchOut}\n{fetchErr}");
        var cache = fetchOut.Trim().Split('\n')[^1];
        var lower = Id.ToLowerInvariant();
        var oldRoot = Path.Combine(cache, lower, "1.31.1");
        var newRoot = Path.Combine(cache, lower, "1.32.0");
        var baseline = Path.Combine(oldRoot, $"{lower}.1.31.1.nupkg");

        // The new package: 1.32.0's Linux native libraries at the same places.
        var natives = Directory.EnumerateFiles(Path.Combine(newRoot, "runtimes"), "*.so", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(newRoot, f).Replace('\\', '/'))
            .Where(p => p.StartsWith("runtimes/linux-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(natives);
        var folder = workspace.NewProjectFolder("onnxruntime");
        var xml = workspace.PackageProject("Fixture.OnnxRuntime.Natives", "1.32.0",
            natives.Select(p => (p[..(p.LastIndexOf('/') + 1)], Path.Combine(newRoot, p))),
            $"<EnableNativeAbiValidation>true</EnableNativeAbiValidation><NativeAbiBaselinePackagePath>{baseline}</NativeAbiBaselinePackagePath><NativeAbiSarifFile>{Path.Combine(folder, "abi.sarif")}</NativeAbiSarifFile>");
        var (code, output) = workspace.Run(folder, xml, "pack");

        // What the build reported, by library: (ID, message) from the SARIF log the build wrote.
        using var sarif = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "abi.sarif")));
        var built = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Select(r => (Id: r.GetProperty("ruleId").GetString()!, Message: r.GetProperty("message").GetProperty("text").GetString()!))
            .ToList();

        // What abi diff reports on the same two files (the baseline's from inside its package).
        var expected = new List<(string Id, string Message)>();
        using var zip = ZipFile.OpenRead(baseline);
        foreach (var path in natives)
        {
            var oldFile = Path.Combine(folder, "old-" + path.Replace('/', '_'));
            zip.GetEntry(path)!.ExtractToFile(oldFile);
            var (diffCode, json, err) = CliRunner.Run(["diff", oldFile, Path.Combine(newRoot, path), "--json"]);
            Assert.True(diffCode is 0 or 4 or 12, err);
            using var doc = JsonDocument.Parse(json);
            foreach (var d in doc.RootElement.GetProperty("diagnostics").EnumerateArray())
            {
                var severity = d.GetProperty("severity").GetString();
                if (severity != "none")
                {
                    expected.Add((d.GetProperty("id").GetString()!, $"{path}: {d.GetProperty("message").GetString()}"));
                }
            }
        }

        Assert.Equal(expected.Order(), built.Order());
        Assert.Contains(expected, e => e.Id is "ABI1002" or "ABI1004");

        // An incompatible finding fails the pack, and each appears as an MSBuild diagnostic with its ID.
        Assert.NotEqual(0, code);
        foreach (var (id, message) in expected.Where(e => e.Id is "ABI1001" or "ABI1002" or "ABI1004"))
        {
            Assert.Matches(new Regex($"error {id}: {Regex.Escape(message)}"), output);
        }
    }
}
