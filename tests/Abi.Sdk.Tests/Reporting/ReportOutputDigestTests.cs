using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// What <c>abi symbols</c> and <c>abi diff</c> print for the real library pairs, as text, JSON and SARIF, is
/// byte for byte what the tool printed before the JSON writers were rewritten for speed: each case's SHA-256 and
/// exit code were recorded from that build by <c>Fixtures/reports/record-output-digests.sh</c>
/// (<c>real-library-outputs.txt</c>). The built tool runs as a process, as a user runs it.
/// </summary>
public partial class ReportOutputDigestTests
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";

    // The pairs of RealLibraryTests, with the same skip reasons (CI installs them all).
    private static readonly (string A, string B, string Packages)[] Pairs =
    [
        ("libLLVM-15.so.1", "libLLVM-16.so.1", "libllvm15 libllvm16"),
        ("libtinfo.so.5", "libtinfo.so.6", "libtinfo5"),
        ("libboost_filesystem.so.1.74.0", "libboost_filesystem.so.1.81.0", "libboost-filesystem1.74.0 libboost-filesystem1.81.0"),
    ];

    private static string DigestFile => Path.Combine(Paths.Fixtures, "reports", "real-library-outputs.txt");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadAllLines(DigestFile))
        {
            if (line.Length > 0 && line[0] != '#')
            {
                data.Add(line);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_is_the_recorded_output(string line)
    {
        var fields = line.Split(' ');
        var (digest, exitCode, command, rest) = (fields[0], int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), fields[2], fields[3..]);
        var names = rest.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        foreach (var name in names.Where(n => n != "libc.so.6"))
        {
            var (a, b, packages) = Pairs.Single(p => p.A == name || p.B == name);
            Abi.RealLibraryTests.Require(a, b, packages);
        }

        var arguments = rest.Select(a => a.StartsWith("--", StringComparison.Ordinal) ? a : Lib + a);
        var (exit, stdout, stderr) = Tools.RunBytes("dotnet", [Path.Combine(AppContext.BaseDirectory, "abi.dll"), command, .. arguments]);

        Assert.True(exit == exitCode, $"exit {exit}, recorded {exitCode}: {stderr}");
        if (rest.Contains("--sarif"))
        {
            // The recorded digest has the package version replaced, as the script replaces it.
            stdout = Encoding.UTF8.GetBytes(SemanticVersion().Replace(Encoding.UTF8.GetString(stdout), "${1}\"VERSION\""));
        }

        Assert.Equal(digest, Convert.ToHexStringLower(SHA256.HashData(stdout)));
    }

    [GeneratedRegex("(?m)^(\\s*\"semanticVersion\": )\"[^\"]*\"")]
    private static partial Regex SemanticVersion();
}
