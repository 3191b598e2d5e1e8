using Abi.Sdk.Elf;
using System.Text;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;
using FixturePairTests = Abi.Sdk.Tests.Abi.FixturePairTests;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// A library user writes exactly what the <c>abi</c> tool prints: the tool only chooses the report and the stream.
/// Each case runs the built tool as a process and the library's writer in this process, on the same real inputs.
/// </summary>
public class LibraryReportsMatchCliTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    [Theory]
    [InlineData("symbol-moved")]
    [InlineData("soname-changed")]
    [InlineData("class-changed")]
    public void Abi_diff_reports(string pair)
    {
        var v1 = FixturePairTests.Pair(pair, "v1");
        var v2 = FixturePairTests.Pair(pair, "v2");
        // The tool also asks for the types behind the symbols; these fixtures have no debug information, which the report says.
        using var i1 = ElfImage.Open(v1);
        using var i2 = ElfImage.Open(v2);
        var diff = AbiComparer.Default.Compare(AbiSurface.Of(i1), AbiSurface.Of(i2), AbiTypeGraph.Load(i1), AbiTypeGraph.Load(i2), TestContext.Current.CancellationToken);

        AssertSameAsTool(["diff", v1, v2], Text(diff.WriteText));
        AssertSameAsTool(["diff", v1, v2, "--json"], Bytes(diff.WriteJson));
        AssertSameAsTool(["diff", v1, v2, "--sarif"], Bytes(diff.WriteSarif));
    }

    [Theory]
    [InlineData("member-offset-changed")]
    [InlineData("vtable-changed")]
    public void Abi_diff_reports_type_changes(string pair)
    {
        var v1 = Path.Combine(Paths.Fixtures, "abi-types", pair, "v1.so");
        var v2 = Path.Combine(Paths.Fixtures, "abi-types", pair, "v2.so");
        using var i1 = ElfImage.Open(v1);
        using var i2 = ElfImage.Open(v2);
        var diff = AbiComparer.Default.Compare(AbiSurface.Of(i1), AbiSurface.Of(i2), AbiTypeGraph.Load(i1), AbiTypeGraph.Load(i2), TestContext.Current.CancellationToken);
        Assert.True(diff.TypesCompared);

        AssertSameAsTool(["diff", v1, v2], Text(diff.WriteText));
        AssertSameAsTool(["diff", v1, v2, "--json"], Bytes(diff.WriteJson));
        AssertSameAsTool(["diff", v1, v2, "--sarif"], Bytes(diff.WriteSarif));

        // --no-types: the symbol-level diff alone, byte for byte what a caller without types gets.
        var symbols = AbiComparer.Default.Compare(AbiSurface.Of(i1), AbiSurface.Of(i2), TestContext.Current.CancellationToken);
        var (exit, stdout, _) = CliRunner.Run(["diff", v1, v2, "--no-types"]);
        Assert.Equal(Text(symbols.WriteText), stdout);
        Assert.Equal(0, exit);
    }

    [Fact]
    public void Compatibility_verdicts_as_text_and_json_lines()
    {
        var apps = Directory.GetFiles(Path.Combine(Out, "apps")).Order(StringComparer.Ordinal).ToArray();
        var targetDir = Path.Combine(Out, "target");
        using var target = Target.LibraryPaths([targetDir]);
        var verdicts = apps.Select(a => CompatibilityChecker.Check(a, target)).ToList();
        Assert.Contains(verdicts, v => !v.IsCompatible);

        AssertSameAsTool(["compat", .. apps, "--lib-path", targetDir], Text(verdicts.WriteText));
        AssertSameAsTool(["compat", .. apps, "--lib-path", targetDir, "--json"], Bytes(verdicts.WriteJson));

        // One verdict at a time is the same as the sequence.
        Assert.Equal(Text(verdicts.WriteText), string.Concat(verdicts.Select(v => Text(v.WriteText))));
    }

    [Fact]
    public void Installcheck_text()
    {
        var repo = Path.Combine(Paths.Fixtures, "repo");
        var problems = PackageSet.Load([repo]).CheckInstallability("x86_64");
        Assert.False(problems.IsEmpty);
        AssertSameAsTool(["installcheck", "--arch", "x86_64", repo], Text(problems.WriteText));
    }

    private static void AssertSameAsTool(string[] arguments, string library)
    {
        var (_, stdout, stderr) = CliRunner.Run(arguments);
        Assert.True(stdout.Length > 0, stderr);
        Assert.Equal(stdout, library);
    }

    private static string Text(Action<TextWriter> write)
    {
        var writer = new StringWriter { NewLine = "\n" };
        write(writer);
        return writer.ToString();
    }

    private static string Bytes(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
