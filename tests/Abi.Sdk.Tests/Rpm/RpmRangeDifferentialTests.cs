using System.Globalization;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>Range matching against rpm's own rpmdsCompare, reached through its Python binding in one process.</summary>
public class RpmRangeDifferentialTests
{
    private const string Script = """
        import sys, rpm
        for line in open(sys.argv[1]):
            n1, f1, e1, n2, f2, e2 = line.rstrip("\n").split("\t")
            a = rpm.ds((n1, int(f1), e1), rpm.RPMTAG_PROVIDENAME)
            b = rpm.ds((n2, int(f2), e2), rpm.RPMTAG_REQUIRENAME)
            print(1 if a.Compare(b) else 0)
        """;

    [Fact]
    public void RandomizedRangesMatchRpmdsCompare()
    {
        var python = Tools.Require("/usr/bin/python3", "python3");
        var (probe, _, _) = Tools.Run(python, ["-c", "import rpm"]);
        if (probe != 0)
        {
            Assert.Skip("rpm's Python binding is not installed (apt-get install python3-rpm); .ci/run installs it");
        }

        var random = new Random(424242);
        RpmSenseFlags[] senses = [RpmSenseFlags.Less, RpmSenseFlags.Greater, RpmSenseFlags.Equal, RpmSenseFlags.LessOrEqual, RpmSenseFlags.GreaterOrEqual, RpmSenseFlags.None];
        var cases = new List<(RpmDependency Provide, RpmDependency Require)>();
        for (int i = 0; i < 4000; i++)
        {
            var e1 = EvrTests.RandomEvr(random);
            var e2 = random.Next(3) == 0 ? EvrTests.RandomEvr(random) : Near(random, e1);
            var f1 = senses[random.Next(senses.Length)];
            var f2 = senses[random.Next(senses.Length)];
            cases.Add((new RpmDependency(RpmDependencyKind.Provides, "foo", f1, Evr.Parse(e1)), new RpmDependency(RpmDependencyKind.Requires, "foo", f2, Evr.Parse(e2))));
        }

        var input = Path.Combine(Path.GetTempPath(), $"abi-ranges-{Guid.NewGuid():N}.tsv");
        var script = Path.Combine(Path.GetTempPath(), $"abi-ranges-{Guid.NewGuid():N}.py");
        File.WriteAllLines(input, cases.Select(c => string.Join('\t', "foo", ((uint)c.Provide.Flags).ToString(CultureInfo.InvariantCulture), c.Provide.Version!.ToString(), "foo", ((uint)c.Require.Flags).ToString(CultureInfo.InvariantCulture), c.Require.Version!.ToString())));
        File.WriteAllText(script, Script);
        try
        {
            var (code, stdout, stderr) = Tools.Run(python, [script, input]);
            Assert.True(code == 0, stderr);
            var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(cases.Count, results.Length);
            var mismatches = new List<string>();
            for (int i = 0; i < cases.Count; i++)
            {
                bool expected = results[i] == "1";
                if (cases[i].Require.IsSatisfiedBy(cases[i].Provide) != expected)
                {
                    mismatches.Add($"P: {cases[i].Provide} R: {cases[i].Require}: rpm says {expected}");
                }
            }

            Assert.True(mismatches.Count == 0, string.Join('\n', mismatches.Take(20)));
        }
        finally
        {
            File.Delete(input);
            File.Delete(script);
        }
    }

    private static string Near(Random r, string evr)
    {
        // Same version with the release or epoch added, dropped or changed: where rpm's special rules live.
        var e = Evr.Parse(evr);
        var epoch = r.Next(4) switch { 0 => null, 1 => "0", 2 => "1", _ => e.Epoch };
        var release = r.Next(3) switch { 0 => null, 1 => "1", _ => e.Release };
        var text = (epoch is null ? string.Empty : epoch + ":") + e.Version + (release is null ? string.Empty : "-" + release);
        return text.Length == 0 ? "1" : text;
    }
}
