using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// A real pair with debug information: two point releases of Debian 12's glibc 2.36 (the installed libc6 + libc6-dbg,
/// and the other version the machine's apt sources offer, fetched by tests/tools/fetch-glibc-point-release.sh). The
/// type-level <c>abi diff</c> of each library, old with its own debug root, new with the system's, agrees with
/// <c>abidiff --d1 OLD-ROOT --d2 /usr/lib/debug</c> on which functions and variables changed and on the exit class.
/// </summary>
public sealed partial class GlibcPointReleaseTests(ITestOutputHelper output)
{
    private const string SystemLibraries = "/lib/x86_64-linux-gnu";
    private const string SystemDebugRoot = "/usr/lib/debug";

    // libc and the loader carry the same struct pthread; libm's exports are plain math functions, several of them
    // IFUNCs whose resolver DIE sits at the symbol's address (it must not stand in for the function).
    [Theory]
    [InlineData("libc.so.6")]
    [InlineData("ld-linux-x86-64.so.2")]
    [InlineData("libm.so.6")]
    public void Type_diff_agrees_with_abidiff_on_the_changed_functions_and_variables(string library)
    {
        var root = PointGlibc.Root();
        var abidiff = Abidiff.Require();
        string oldFile = Path.Combine(root, "lib/x86_64-linux-gnu", library), newFile = Path.Combine(SystemLibraries, library);
        string oldDebug = Path.Combine(root, "usr/lib/debug");
        using var oldImage = ElfImage.Open(oldFile);
        using var newImage = ElfImage.Open(newFile);
        if (new DebugInfoLocator([SystemDebugRoot]).Locate(newImage) is null)
        {
            Assert.Skip("libc6-dbg is not installed (apt-get install libc6-dbg); .ci/run installs it");
        }

        // Both debug files are found by build-id under their own root: the fetched one is not the system's.
        Assert.Equal(DebugInfoSource.BuildId, new DebugInfoLocator([oldDebug]).Locate(oldImage)?.Source);
        Assert.NotEqual(oldImage.BuildIdHex, newImage.BuildIdHex);

        var (exit, stdout, stderr) = Tools.Run(abidiff, ["--no-show-locs", "--d1", oldDebug, "--d2", SystemDebugRoot, oldFile, newFile]);
        Assert.True((exit & 3) == 0, $"abidiff failed ({exit}): {stderr}");
        var theirs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in ChangedDeclaration().Matches(stdout))
        {
            theirs.Add(m.Groups["fn"].Success ? m.Groups["fn"].Value : m.Groups["var"].Value);
        }

        var oldGraph = AbiTypeGraph.Load(oldImage, [oldDebug]);
        var newGraph = AbiTypeGraph.Load(newImage, [SystemDebugRoot]);
        var diff = AbiComparer.Default.Compare(AbiSurface.Of(oldImage), AbiSurface.Of(newImage), oldGraph, newGraph, TestContext.Current.CancellationToken);
        Assert.True(diff.TypesCompared, diff.TypesNotComparedReason);
        var ours = new SortedSet<string>(diff.Diagnostics.Where(d => d.Id.StartsWith("ABI2", StringComparison.Ordinal))
            .Select(d => (d.Symbol!.IsFunction ? oldGraph.Functions : oldGraph.Variables)[d.Symbol.Name].Name), StringComparer.Ordinal);
        output.WriteLine($"{library}: abidiff exit {exit}, changed [{string.Join(", ", theirs)}]; Abi.Sdk exit {diff.ExitCode}, changed [{string.Join(", ", ours)}]");
        foreach (var d in diff.Diagnostics)
        {
            output.WriteLine($"  {d.Id} {d.Message}");
        }

        Assert.Equal(theirs, ours);

        // Symbols: a point release adds and removes none (abidiff's "symbols not referenced by debug info" lists and
        // its function/variable summaries are empty, and so are ours).
        Assert.DoesNotContain(diff.Diagnostics, d => d.Id is "ABI1001" or "ABI1002" or "ABI1003");
        Assert.Empty(Abidiff.Parse(exit, stdout).Removed);

        // The exit class: both see a change, or neither. abidiff 2.2 sets only its ABI-change bit (4) for type changes;
        // Abi.Sdk's defaults call a member removed from or retyped in a struct that exported declarations reach
        // (struct pthread here) incompatible (12), as they do for the fixture pairs (TypeDiffTests).
        Assert.Equal(exit & 4, diff.ExitCode & 4);
        Assert.Equal(ours.Count == 0 ? 0 : 12, diff.ExitCode);
    }

    [GeneratedRegex(@"^\s+\[C\] '(?:function|method)[^(]*?(?<fn>[\w:~]+)\(|^\s+\[C\] '[^']*? (?<var>[\w:]+)' was changed", RegexOptions.Multiline)]
    private static partial Regex ChangedDeclaration();
}

/// <summary>The other point release of the installed glibc (libc6 + libc6-dbg), unpacked by tests/tools/fetch-glibc-point-release.sh (fetched once, then cached).</summary>
internal static class PointGlibc
{
    private static readonly Lazy<string?> Folder = new(() =>
    {
        var script = Path.Combine(Paths.RepositoryRoot, "tests", "tools", "fetch-glibc-point-release.sh");
        var (code, stdout, _) = Tools.Run("bash", [script]);
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return code == 0 && last is not null && File.Exists(Path.Combine(last, "lib/x86_64-linux-gnu/libc.so.6")) ? last : null;
    });

    public static string Root()
    {
        if (Folder.Value is null)
        {
            Assert.Skip("Debian's other glibc point release could not be fetched (tests/tools/fetch-glibc-point-release.sh needs the machine's Debian archive)");
        }

        return Folder.Value!;
    }
}
