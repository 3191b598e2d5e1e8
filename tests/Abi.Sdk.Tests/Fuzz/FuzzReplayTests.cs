using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Fuzz;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Fuzz;

/// <summary>
/// Replays every committed fuzz input (tests/Abi.Sdk.Fuzz/seeds and regressions) through its target without
/// instrumentation: only the SDK's documented format errors may escape, and no input may hang or over-allocate.
/// </summary>
public sealed class FuzzReplayTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Committed_inputs_raise_only_documented_errors(string target)
    {
        var files = FuzzInputs.Files(FuzzInputs.CommittedFolders(target)).ToList();
        Assert.NotEmpty(files);
        var failures = files.Select(f => (File: f, Failure: FuzzInputs.Replay(target, f)))
            .Where(r => r.Failure is not null)
            .Select(r => $"{Path.GetRelativePath(AppContext.BaseDirectory, r.File)}: {r.Failure}")
            .ToList();
        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeds_are_valid_input_for_their_target(string target)
    {
        // A seed that the reader refuses would only fuzz the first check; every seed must read cleanly.
        foreach (string file in FuzzInputs.Files([FuzzInputs.CommittedFolders(target)[0]]))
        {
            var error = Record.Exception(() => FuzzTargets.All[target](File.ReadAllBytes(file)));
            Assert.True(error is null, $"{Path.GetFileName(file)}: {error}");
        }
    }

    [Fact]
    public void An_exported_symbol_without_a_name_is_left_out_of_the_surface_and_refused_as_a_symbol()
    {
        // Found by the elf target: a version marker's name offset pointing at an empty string. The loader looks
        // symbols up by name, so the surface leaves it out; asked for directly, it is an ELF format error at its entry.
        string file = Path.Combine(AppContext.BaseDirectory, "regressions", "elf", "exported-symbol-without-name");
        string readelf = Tools.Require("readelf", "binutils");
        var line = Tools.Run(readelf, ["-W", "--dyn-syms", file]).Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("20:", StringComparison.Ordinal));
        Assert.Equal(["20:", "0000000000000000", "0", "OBJECT", "GLOBAL", "DEFAULT", "ABS", "@@VERS_2.1"], line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        using var image = ElfImage.Parse(File.ReadAllBytes(file), "x.so");
        var surface = AbiSurface.Of(image);
        Assert.NotEmpty(surface.Symbols);
        Assert.DoesNotContain(surface.Symbols, s => s.Name.Length == 0);

        var error = Assert.Throws<ElfFormatException>(() => AbiSymbol.FromElf(image.DynamicSymbols[20]));
        Assert.Equal("dynamic symbol 20 is exported but has no name", error.Reason);
        var section = image.Sections.Single(s => s.Name == ".dynsym");
        Assert.Equal((long)section.Offset + (20 * (long)section.EntrySize), error.Offset);
    }

    [Fact]
    public void The_openpgp_seeds_verify_as_rpm_verifies_them()
    {
        // The rpm-verify target checks signatures against the seed keys: they must really verify (as rpm -Kv says after
        // rpmkeys --import), or the target would only ever explore the NOKEY path.
        string rpm = Tools.Require("rpm", "rpm");
        string rpmkeys = Tools.Require("rpmkeys", "rpm");
        string keys = Path.Combine(AppContext.BaseDirectory, "keys");
        var keyFiles = Directory.GetFiles(keys, "*.asc").Order(StringComparer.Ordinal).ToArray();
        var packages = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "seeds", "rpm-verify"), "*.rpm").Order(StringComparer.Ordinal).ToArray();
        var db = Directory.CreateTempSubdirectory("abi-fuzz-rpmdb-");
        try
        {
            Assert.Equal(0, Tools.Run(rpmkeys, ["--dbpath", db.FullName, "--import", .. keyFiles]).ExitCode);
            var expected = Tools.Run(rpm, ["--dbpath", db.FullName, "-Kv", .. packages], new Dictionary<string, string> { ["LC_ALL"] = "C" });
            Assert.Equal(0, expected.ExitCode);
            Assert.Equal(2, expected.Stdout.Split('\n').Count(l => l.Contains(" Signature, key ID ", StringComparison.Ordinal) && l.EndsWith(": OK", StringComparison.Ordinal)));

            var actual = CliRunner.Run(["rpm", "--verify", "-v", .. keyFiles.SelectMany(k => new[] { "--key", k }), .. packages]);
            Assert.Equal(expected.Stdout, actual.Stdout);
            Assert.Equal(expected.ExitCode, actual.ExitCode);
        }
        finally
        {
            db.Delete(true);
        }
    }
}
