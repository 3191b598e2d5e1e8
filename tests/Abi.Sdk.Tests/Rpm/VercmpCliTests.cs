using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

public class VercmpCliTests
{
    [Theory]
    [InlineData("1.0", "2.0", "-1")]
    [InlineData("1:1.0", "2.0", "1")]
    [InlineData("1.0-1", "1.0", "1")]
    [InlineData("1.0~rc1", "1.0", "-1")]
    [InlineData("2.34-231.el9_7.2", "2.34-125.el9_5.1", "1")]
    public void PrintsWhatRpmPrints(string a, string b, string expected)
    {
        var (code, stdout, stderr) = AbiCli.Run(["vercmp", a, b]);
        Assert.True(code == 0, stderr);
        Assert.Equal(expected + "\n", stdout);
        if (Tools.Find("rpm") is { } rpm)
        {
            var (_, rpmOut, _) = Tools.Run(rpm, ["--eval", $"%{{lua: print(rpm.vercmp(\"{a}\", \"{b}\"))}}"]);
            Assert.Equal(expected, rpmOut.Trim());
        }
    }

    [Fact]
    public void StdinPairsMatchRpm()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var random = new Random(7);
        var pairs = Enumerable.Range(0, 2000).Select(_ => (EvrTests.RandomEvr(random), EvrTests.RandomEvr(random))).ToList();
        var input = string.Join('\n', pairs.Select(p => p.Item1 + "\t" + p.Item2)) + "\n";
        var (code, stdout, stderr) = AbiCli.Run(["vercmp", "--stdin"], input);
        Assert.True(code == 0, stderr);

        var file = Path.Combine(Path.GetTempPath(), $"abi-vercmp-cli-{Guid.NewGuid():N}.tsv");
        File.WriteAllText(file, input);
        try
        {
            var (rc, expected, err) = Tools.Run(rpm, ["--eval", EvrTests.RpmVercmpLua(file)]);
            Assert.True(rc == 0, err);
            Assert.Equal(expected.Split('\n', StringSplitOptions.RemoveEmptyEntries), stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
