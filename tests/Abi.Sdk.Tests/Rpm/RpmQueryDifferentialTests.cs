using System.Text;
using System.Text.RegularExpressions;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>Our queries against <c>rpm -qp</c>, one rpm process per query over all packages.</summary>
public partial class RpmQueryDifferentialTests
{
    public static TheoryData<string> Queries() =>
        ["--provides", "--requires", "--conflicts", "--obsoletes", "--recommends", "--suggests", "--supplements", "--enhances", "--list"];

    [Theory]
    [MemberData(nameof(Queries))]
    public void FixturesMatchRpmQp(string query) => Compare(query, RpmTestData.FixturePackages);

    [Theory]
    [MemberData(nameof(Queries))]
    public void CorpusMatchesRpmQp(string query) => Compare(query, RpmTestData.CorpusPackages());

    [Fact]
    public void FileAttributesMatchRpmQueryFormat()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var packages = RpmTestData.AllPackages(includeCorpus: true);
        const string format = "[%{FILENAMES}\t%{FILESIZES}\t%{LONGFILESIZES}\t%{FILEMODES}\t%{FILEFLAGS}\t%{FILEDIGESTS}\t%{FILELINKTOS}\t%{FILEUSERNAME}\t%{FILEGROUPNAME}\t%{FILEMTIMES}\t%{FILECLASS}\t%{FILECOLORS}\t%{FILEREQUIRE}\t%{FILEPROVIDE}\t%{FILELANGS}\n]";
        var (accepted, expected) = RunRpm(rpm, ["-qp", "--qf", format], packages);
        var actual = new StringBuilder();
        foreach (var path in accepted)
        {
            var package = RpmPackage.Open(path);
            var h = package.Header;
            string Col(RpmTag tag, object? value) => h.Contains(tag) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty : "(none)";
            foreach (var f in package.Files)
            {
                actual.Append(f.Path).Append('\t').Append(Col(RpmTag.FileSizes, f.Size)).Append('\t').Append(f.Size).Append('\t')
                    .Append(Col(RpmTag.FileModes, f.Mode)).Append('\t').Append(Col(RpmTag.FileFlags, (int)f.Flags)).Append('\t')
                    .Append(Col(RpmTag.FileDigests, f.Digest)).Append('\t').Append(Col(RpmTag.FileLinkTos, f.LinkTarget)).Append('\t')
                    .Append(Col(RpmTag.FileUserName, f.UserName)).Append('\t').Append(Col(RpmTag.FileGroupName, f.GroupName)).Append('\t')
                    .Append(Col(RpmTag.FileMtimes, f.ModificationTime)).Append('\t').Append(f.Class).Append('\t').Append(Col(RpmTag.FileColors, f.Color)).Append('\t')
                    .Append(string.Join(' ', f.Dependencies.Where(d => d.Kind == RpmDependencyKind.Requires).Select(d => d.ToString()))).Append('\t')
                    .Append(string.Join(' ', f.Dependencies.Where(d => d.Kind == RpmDependencyKind.Provides).Select(d => d.ToString()))).Append('\t')
                    .Append(Col(RpmTag.FileLangs, f.Language)).Append('\n');
            }
        }

        AssertSameLines(expected, actual.ToString());
    }

    [Fact]
    public void PackageMetadataMatchesRpmQueryFormat()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var packages = RpmTestData.AllPackages(includeCorpus: true);
        const string format = "%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SUMMARY}|%{LICENSE}|%{BUILDTIME}|%{SOURCERPM}|%{URL}|%{VENDOR}|%{PAYLOADCOMPRESSOR}|%{FILEDIGESTALGO}\n";
        var (accepted, expected) = RunRpm(rpm, ["-qp", "--qf", format], packages);
        var actual = new StringBuilder();
        foreach (var path in accepted)
        {
            var p = RpmPackage.Open(path);
            actual.Append(p.Name).Append('|').Append(p.Epoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)").Append('|')
                .Append(p.Version).Append('|').Append(p.Release).Append('|').Append(p.Arch).Append('|').Append(p.Summary).Append('|')
                .Append(p.License).Append('|').Append(p.BuildTime?.ToUnixTimeSeconds()).Append('|').Append(p.SourceRpm ?? "(none)").Append('|')
                .Append(p.Url ?? "(none)").Append('|').Append(p.Vendor ?? "(none)").Append('|')
                .Append(p.Header.GetString(RpmTag.PayloadCompressor) ?? "(none)").Append('|')
                .Append(p.Header.GetInteger(RpmTag.FileDigestAlgo)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)").Append('\n');
        }

        AssertSameLines(expected, actual.ToString());
    }

    [Fact]
    public void PackagesRpmRefusesStillParseOrFailTyped()
    {
        // rpm 4.18 refuses some signed packages (an OpenPGP parser without ECDSA); we do not verify signatures,
        // so we may read them, but anything we cannot read must fail with our typed error.
        foreach (var path in RpmTestData.AllPackages(includeCorpus: true))
        {
            try
            {
                var p = RpmPackage.Open(path);
                _ = p.Provides;
                _ = p.Files;
            }
            catch (RpmFormatException ex)
            {
                Assert.Equal(path, ex.FileName);
            }
        }
    }

    private static void Compare(string query, IReadOnlyList<string> packages)
    {
        var rpm = Tools.Require("rpm", "rpm");
        var (accepted, expected) = RunRpm(rpm, ["-qp", query], packages);
        Assert.NotEmpty(accepted);
        var args = new List<string> { "rpm" };
        args.AddRange(accepted);
        args.Add(query);
        var (code, stdout, stderr) = AbiCli.Run([.. args]);
        Assert.True(code == 0, stderr);
        AssertSameLines(expected, stdout);
    }

    /// <summary>Runs rpm once over all packages; returns the packages it accepted and its output.</summary>
    internal static (List<string> Accepted, string Stdout) RunRpm(string rpm, string[] arguments, IReadOnlyList<string> packages)
    {
        var (_, stdout, stderr) = Tools.Run(rpm, [.. arguments, .. packages]);
        var refused = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in RefusedPackage().Matches(stderr))
        {
            refused.Add(m.Groups[1].Value);
        }

        return (packages.Where(p => !refused.Contains(p)).ToList(), stdout);
    }

    internal static void AssertSameLines(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Min(e.Length, a.Length); i++)
        {
            Assert.True(e[i] == a[i], $"line {i + 1} differs:\n rpm: {e[i]}\n abi: {a[i]}");
        }

        Assert.Equal(e.Length, a.Length);
    }

    [GeneratedRegex(@"^error: (.+?): (?:not an rpm package|.*BAD|.*read failed|.*ended unexpectedly)", RegexOptions.Multiline)]
    private static partial Regex RefusedPackage();
}
