using System.Globalization;
using System.Text;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

public class EvrTests
{
    public static TheoryData<string, string, int> RpmVectors()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var line in File.ReadLines(Path.Combine(Paths.Fixtures, "rpm", "rpmvercmp-vectors.tsv")))
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var f = line.Split('\t');
            data.Add(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RpmVectors))]
    public void RpmVerCmpMatchesRpmsOwnVectors(string a, string b, int expected)
    {
        Assert.Equal(expected, Evr.RpmVerCmp(a, b));
        Assert.Equal(expected, Evr.Compare(a.AsSpan(), b.AsSpan()));
        Assert.Equal(expected, Evr.Compare(Evr.Parse(a), Evr.Parse(b)));
    }

    [Fact]
    public void ParseSplitsAsRpmDoes()
    {
        var e = Evr.Parse("1:2.34-231.el9_7.2");
        Assert.Equal("1", e.Epoch);
        Assert.Equal("2.34", e.Version);
        Assert.Equal("231.el9_7.2", e.Release);
        Assert.Equal("1:2.34-231.el9_7.2", e.ToString());

        var noEpoch = Evr.Parse("a:1-2-3");
        Assert.Null(noEpoch.Epoch);
        Assert.Equal("a:1-2", noEpoch.Version);
        Assert.Equal("3", noEpoch.Release);

        var emptyEpoch = Evr.Parse(":1.0");
        Assert.Equal("0", emptyEpoch.Epoch);
        Assert.Null(emptyEpoch.Release);
        Assert.True(Evr.Parse("2.34-231.el9_7.2") > Evr.Parse("2.34-125.el9_5.1"));
        Assert.True(Evr.Parse("1.0") == Evr.Parse("1_0"));
        Assert.Equal(Evr.Parse("01.0").GetHashCode(), Evr.Parse("1_0").GetHashCode());
    }

    [Fact]
    public void TextAfterANulIsIgnoredAsInC()
    {
        Assert.Equal(0, Evr.Compare("1.0\0-9".AsSpan(), "1.0".AsSpan()));
        Assert.Equal(0, Evr.RpmVerCmp("2\0x", "2"));
        Assert.Equal("1.0", Evr.Parse("1.0\0-9").ToString());
        Assert.Equal(-1, Evr.Compare("1:1\0".AsSpan(), "1:2".AsSpan()));
    }

    /// <summary>Thousands of generated EVR pairs compared by rpm itself in ONE process (a Lua loop) and by us.</summary>
    [Fact]
    public void RandomizedDifferentialAgainstRpmVercmp()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var random = new Random(20261125);
        var pairs = new List<(string A, string B)>();
        for (int i = 0; i < 6000; i++)
        {
            var a = RandomEvr(random);
            // Half the pairs are near-misses of each other, where the interesting cases are.
            var b = random.Next(2) == 0 ? RandomEvr(random) : Mutate(random, a);
            pairs.Add((a, b));
        }

        // One rpm process for all pairs: each rpm start costs ~50 ms, so the pairs go through a file read by a Lua loop.
        var input = Path.Combine(Path.GetTempPath(), $"abi-vercmp-{Environment.ProcessId}-{Guid.NewGuid():N}.tsv");
        File.WriteAllLines(input, pairs.Select(p => p.A + "\t" + p.B));
        (int code, string stdout, string stderr) result;
        try
        {
            result = Tools.Run(rpm, ["--eval", RpmVercmpLua(input)]);
        }
        finally
        {
            File.Delete(input);
        }

        var (code, stdout, stderr) = result;
        Assert.True(code == 0, stderr);
        var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(pairs.Count, results.Length);
        var mismatches = new List<string>();
        for (int i = 0; i < pairs.Count; i++)
        {
            int expected = int.Parse(results[i], CultureInfo.InvariantCulture);
            int actual = Evr.Compare(pairs[i].A.AsSpan(), pairs[i].B.AsSpan());
            int viaObjects = Evr.Compare(Evr.Parse(pairs[i].A), Evr.Parse(pairs[i].B));
            if (expected != actual || expected != viaObjects)
            {
                mismatches.Add($"{pairs[i].A} vs {pairs[i].B}: rpm {expected}, span {actual}, objects {viaObjects}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
    }

    /// <summary>An rpm --eval argument whose Lua loop prints rpm.vercmp(a, b) for each tab-separated line of <paramref name="file"/>.</summary>
    internal static string RpmVercmpLua(string file)
        => "%{lua: for line in io.lines([==[" + file + "]==]) do local a, b = line:match(\"^(.-)\\t(.*)$\") print(rpm.vercmp(a, b)) print(\"\\n\") end}";

    internal static string RandomEvr(Random r)
    {
        var sb = new StringBuilder();
        if (r.Next(4) == 0)
        {
            sb.Append(r.Next(3) == 0 ? "0" : string.Empty).Append(r.Next(0, 12)).Append(':');
        }

        AppendPart(r, sb);
        if (r.Next(3) != 0)
        {
            sb.Append('-');
            AppendPart(r, sb);
        }

        return sb.ToString();
    }

    private static void AppendPart(Random r, StringBuilder sb)
    {
        const string letters = "abcxyzABZ";
        const string separators = "._+~^~^";
        int segments = r.Next(1, 5);
        for (int i = 0; i < segments; i++)
        {
            switch (r.Next(6))
            {
                case 0:
                case 1:
                    sb.Append(r.Next(2) == 0 ? "0" : string.Empty).Append(r.Next(0, 30));
                    break;
                case 2:
                    sb.Append(letters[r.Next(letters.Length)]);
                    if (r.Next(2) == 0)
                    {
                        sb.Append(letters[r.Next(letters.Length)]);
                    }

                    break;
                case 3:
                    sb.Append(r.NextInt64(1, long.MaxValue).ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(separators[r.Next(separators.Length)]);
                    break;
            }

            if (i + 1 < segments && r.Next(3) != 0)
            {
                sb.Append(separators[r.Next(separators.Length)]);
            }
        }
    }

    private static string Mutate(Random r, string s)
    {
        if (s.Length == 0)
        {
            return "0";
        }

        var chars = new StringBuilder(s);
        int at = r.Next(chars.Length);
        const string pool = "0123456789.~^_abz-:";
        switch (r.Next(3))
        {
            case 0:
                chars[at] = pool[r.Next(pool.Length)];
                break;
            case 1:
                chars.Insert(at, pool[r.Next(pool.Length)]);
                break;
            default:
                chars.Remove(at, 1);
                break;
        }

        return chars.Length == 0 ? "1" : chars.ToString();
    }
}
