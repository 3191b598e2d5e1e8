using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// Differential tests against abidiff on real library pairs from apt: the same removed (and added) symbols, spelled
/// the same way (abidiff lists one symbol per alias group; see <see cref="Abidiff.Result.AssertSameSymbols"/>), and
/// the same exit code. libLLVM-15/16 is compared with a committed digest of abidiff's answer
/// instead, because abidiff needs minutes for it (see docs/perf-abi.md).
/// </summary>
public class RealLibraryTests
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";

    public static TheoryData<string, string, string> Pairs => new()
    {
        { "libtinfo.so.5", "libtinfo.so.6", "libtinfo5" },
        { "libncurses.so.5", "libncurses.so.6", "libncurses5" },
        { "libboost_filesystem.so.1.74.0", "libboost_filesystem.so.1.81.0", "libboost-filesystem1.74.0 libboost-filesystem1.81.0" },
    };

    public static (string Old, string New) Require(string oldName, string newName, string packages)
    {
        var (o, n) = (Lib + oldName, Lib + newName);
        if (!File.Exists(o) || !File.Exists(n))
        {
            Assert.Skip($"{oldName} and {newName} are not both installed (apt-get install {packages}); .ci/run installs them");
        }

        return (o, n);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Removed_and_added_symbols_and_exit_code_match_abidiff(string oldName, string newName, string packages)
    {
        Abidiff.Require();
        var (o, n) = Require(oldName, newName, packages);
        var reference = Abidiff.Run(o, n);
        using var oldImage = ElfImage.Open(o);
        using var newImage = ElfImage.Open(n);
        var diff = AbiComparer.Default.Compare(AbiSurface.Of(oldImage), AbiSurface.Of(newImage), TestContext.Current.CancellationToken);

        Assert.NotEmpty(reference.Removed);
        Abidiff.Result.AssertSameSymbols(reference.Removed, reference.RemovedAliases, diff.RemovedSymbols.Select(s => s.Spelling));
        Abidiff.Result.AssertSameSymbols(reference.Added, reference.AddedAliases, diff.AddedSymbols.Select(s => s.Spelling));
        Assert.Equal(reference.ExitCode, diff.ExitCode);
        Assert.Contains(diff.Diagnostics, d => d.Id == "ABI1010");
    }

    [Fact]
    public void Tinfo_symbols_moved_to_renamed_version_nodes_are_named_as_moves()
    {
        var (o, n) = Require("libtinfo.so.5", "libtinfo.so.6", "libtinfo5");
        var diff = AbiComparer.Default.Compare(AbiSurface.Open(o), AbiSurface.Open(n), TestContext.Current.CancellationToken);

        // abidiff lists baudrate@@NCURSES_TINFO_5.0.19991023 as removed and nothing more; the name is still there,
        // at NCURSES6_TINFO_5.0.19991023, so a program linked against .so.5 fails with "version ... not found".
        var moved = Assert.Single(diff.Diagnostics, d => d.Id == "ABI1002" && d.OldSymbol!.Name == "baudrate");
        Assert.Equal("baudrate@@NCURSES_TINFO_5.0.19991023", moved.OldSymbol!.Spelling);
        Assert.Equal("baudrate@@NCURSES6_TINFO_5.0.19991023", moved.NewSymbol!.Spelling);
        Assert.Contains(diff.Diagnostics, d => d.Id == "ABI1004" && d.Subject == "NCURSES_TINFO_5.0.19991023");
    }

    [Fact]
    public void Llvm_15_to_16_matches_the_recorded_abidiff_answer()
    {
        var (o, n) = Require("libLLVM-15.so.1", "libLLVM-16.so.1", "libllvm15 libllvm16");
        var summary = Path.Combine(TestSupport.Paths.Fixtures, "abi", "llvm-15-16.abidiff-summary.txt");
        if (!File.Exists(summary))
        {
            Assert.Skip("abidiff's answer for libLLVM-15/16 is not recorded; run tests/Abi.Sdk.Tests/Fixtures/abi/record-llvm-abidiff.sh");
        }

        var expected = File.ReadAllLines(summary)
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        using var oldImage = ElfImage.Open(o);
        using var newImage = ElfImage.Open(n);
        var diff = AbiComparer.Default.Compare(AbiSurface.Of(oldImage), AbiSurface.Of(newImage), TestContext.Current.CancellationToken);
        var removed = diff.RemovedSymbols.Select(s => s.Spelling).ToArray();
        var added = diff.AddedSymbols.Select(s => s.Spelling).ToArray();

        Assert.Equal(int.Parse(expected["exit"]), diff.ExitCode);
        Assert.Equal(int.Parse(expected["removed.count"]), removed.Length);
        Assert.Equal(expected["removed.sha256"], Digest(removed));
        Assert.Equal(int.Parse(expected["added.count"]), added.Length);
        Assert.Equal(expected["added.sha256"], Digest(added));
    }

    /// <summary>SHA-256 of the sorted names, one per line: what the summary file records of abidiff's lists.</summary>
    public static string Digest(IEnumerable<string> names)
    {
        var text = string.Concat(names.Order(StringComparer.Ordinal).Select(s => s + "\n"));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
