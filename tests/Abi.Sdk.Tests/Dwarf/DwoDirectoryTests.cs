using System.Text.Json;
using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.Abi;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// Split DWARF whose <c>.dwo</c> files moved after the build (Fixtures/dwarf-gaps: split-v1/v2.so, DWARF 5, and
/// split4-v1/v2.so, GNU DWARF 4, each with its .dwo, built from split-v1.c/split-v2.c): with the folder given
/// (<c>abi diff --dwo-dir</c>, <c>--dwo-dir1</c>/<c>--dwo-dir2</c>, <see cref="AbiTypeGraph.Load(ElfImage, IEnumerable{string}?, IEnumerable{string}?)"/>)
/// the answer is the one with the files in place, which is abidiff's on the same sources built without split DWARF
/// (plain-v1/v2.so: abidiff 2.2 does not read .dwo files); without it, the report names each .dwo not found.
/// </summary>
public sealed class DwoDirectoryTests
{
    private static string Fixture(string name) => Path.Combine(Paths.Fixtures, "dwarf-gaps", name);

    [Theory]
    [InlineData("split-")]
    [InlineData("split4-")]
    public void Moved_dwo_files_are_found_in_the_folder_given(string prefix)
    {
        var inPlace = Changed(Fixture(prefix + "v1.so"), Fixture(prefix + "v2.so"), null);
        Assert.Equal(["f_s", "gs"], inPlace.Changed);
        Assert.Empty(inPlace.Missing);

        // abidiff on the same sources without split DWARF: the same changed function and variable.
        var abidiff = Abidiff.Require();
        var (exit, stdout, _) = Tools.Run(abidiff, ["--no-show-locs", Fixture("plain-v1.so"), Fixture("plain-v2.so")]);
        Assert.Equal(AbiExitCodes.AbiChange, exit & ~AbiExitCodes.IncompatibleChange);
        Assert.Contains("'function int f_s(S*)' has some indirect sub-type changes", stdout);
        Assert.Contains("'S gs' was changed", stdout);
        Assert.Equal(Changed(Fixture("plain-v1.so"), Fixture("plain-v2.so"), null).Changed, inPlace.Changed);

        var dir = Directory.CreateTempSubdirectory("abi-dwo-");
        try
        {
            var lib = Directory.CreateDirectory(Path.Combine(dir.FullName, "lib")).FullName;
            var dwo = Directory.CreateDirectory(Path.Combine(dir.FullName, "dwo")).FullName;
            foreach (var v in new[] { "v1", "v2" })
            {
                File.Copy(Fixture(prefix + v + ".so"), Path.Combine(lib, prefix + v + ".so"));
                File.Copy(Fixture($"{prefix}{v}.so-split-{v}.dwo"), Path.Combine(dwo, $"{prefix}{v}.so-split-{v}.dwo"));
            }

            var (v1, v2) = (Path.Combine(lib, prefix + "v1.so"), Path.Combine(lib, prefix + "v2.so"));
            var lost = Changed(v1, v2, null);
            Assert.Empty(lost.Changed);
            Assert.Equal([$"old: {prefix}v1.so-split-v1.dwo", $"new: {prefix}v2.so-split-v2.dwo"], lost.Missing.Select(m => m[..m.IndexOf(' ', 5)]));

            var found = Changed(v1, v2, [dwo]);
            Assert.Equal(inPlace.Changed, found.Changed);
            Assert.Empty(found.Missing);

            // The command: the same diagnostics as in place; without the folder, each .dwo not found is named.
            var (placeExit, placeText, _) = CliRunner.Run(["diff", Fixture(prefix + "v1.so"), Fixture(prefix + "v2.so")]);
            var (bothExit, bothText, stderr) = CliRunner.Run(["diff", "--dwo-dir", dwo, v1, v2]);
            Assert.True((bothExit & 3) == 0, stderr);
            Assert.Equal(placeExit, bothExit);
            Assert.Equal(Body(placeText), Body(bothText));
            var (oneExit, oneText, _) = CliRunner.Run(["diff", "--dwo-dir1", dwo, "--dwo-dir2", dwo, v1, v2]);
            Assert.Equal((placeExit, Body(placeText)), (oneExit, Body(oneText)));

            var (_, missingText, _) = CliRunner.Run(["diff", "--dwo-dir2", dwo, v1, v2]);
            Assert.Contains($"Types were partly compared: split DWARF old: {prefix}v1.so-split-v1.dwo (DWO id 0x", missingText);
            Assert.DoesNotContain("new: ", missingText);

            // JSON and SARIF name the same units as the text report: the .dwo files and DWO ids readelf cannot load.
            var (_, json, _) = CliRunner.Run(["diff", "--json", v1, v2]);
            var (_, sarif, _) = CliRunner.Run(["diff", "--sarif", v1, v2]);
            var (_, allText, _) = CliRunner.Run(["diff", v1, v2]);
            using var jsonDoc = JsonDocument.Parse(json);
            var jsonMissing = jsonDoc.RootElement.GetProperty("types").GetProperty("missingSplitUnits").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(allText.Split('\n').Where(l => l.StartsWith("Types were partly compared: split DWARF ", StringComparison.Ordinal)).Select(l => l["Types were partly compared: split DWARF ".Length..]), jsonMissing);
            Assert.Equal(2, jsonMissing.Count);
            using var sarifDoc = JsonDocument.Parse(sarif);
            var run = sarifDoc.RootElement.GetProperty("runs")[0];
            var notifications = run.GetProperty("invocations")[0].GetProperty("toolExecutionNotifications").EnumerateArray().ToList();
            Assert.All(notifications, n => Assert.Equal(("split-dwarf-unit-not-found", "warning"), (n.GetProperty("descriptor").GetProperty("id").GetString(), n.GetProperty("level").GetString())));
            Assert.Equal(jsonMissing.Select(m => "Types were partly compared: split DWARF " + m), notifications.Select(n => n.GetProperty("message").GetProperty("text").GetString()));
            Assert.Equal(jsonMissing, run.GetProperty("properties").GetProperty("types").GetProperty("missingSplitUnits").EnumerateArray().Select(e => e.GetString()));

            var readelf = Tools.Require("readelf", "binutils");
            foreach (var (side, library) in new[] { ("old", v1), ("new", v2) })
            {
                var (_, dump, warnings) = Tools.Run(readelf, ["--debug-dump=info", library]);
                var file = Regex.Match(warnings, @"Unable to load dwo file: \./(\S+)").Groups[1].Value;
                var id = Regex.Match(dump, @"(?:DWO ID:|DW_AT_GNU_dwo_id\s*:)\s+0x([0-9a-f]+)").Groups[1].Value.PadLeft(16, '0');
                Assert.NotEmpty(file);
                Assert.Single(jsonMissing, m => m.StartsWith($"{side}: {file} (DWO id 0x{id}, ", StringComparison.Ordinal));
            }

            // With every .dwo found, the reports have no trace of it.
            var (_, foundJson, _) = CliRunner.Run(["diff", "--json", "--dwo-dir", dwo, v1, v2]);
            var (_, foundSarif, _) = CliRunner.Run(["diff", "--sarif", "--dwo-dir", dwo, v1, v2]);
            Assert.DoesNotContain("missingSplitUnits", foundJson);
            Assert.DoesNotContain("invocations", foundSarif);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (List<string> Changed, List<string> Missing) Changed(string oldFile, string newFile, string[]? dwoDirs)
    {
        using var v1 = ElfImage.Open(oldFile);
        using var v2 = ElfImage.Open(newFile);
        var diff = AbiComparer.Default.Compare(AbiSurface.Of(v1), AbiSurface.Of(v2), AbiTypeGraph.Load(v1, null, dwoDirs), AbiTypeGraph.Load(v2, null, dwoDirs), TestContext.Current.CancellationToken);
        return ([.. diff.Diagnostics.Where(d => d.Symbol is not null && d.Id.StartsWith("ABI2", StringComparison.Ordinal)).Select(d => d.Symbol!.Name).Distinct().Order(StringComparer.Ordinal)],
            [.. diff.MissingSplitUnits]);
    }

    // The report without the lines naming the files compared.
    private static string Body(string text) => string.Join('\n', text.Split('\n').Where(l => !l.Contains(".so", StringComparison.Ordinal)));
}
