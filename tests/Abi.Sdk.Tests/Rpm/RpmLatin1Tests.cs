using System.Text;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>
/// Header strings that are not UTF-8 (Fixtures/rpm-latin1/build.sh: Latin-1 "caf\xe9" in the name, provides,
/// requires, conflicts, obsoletes, recommends and paths), compared byte for byte with what <c>rpm -qp</c> prints.
/// </summary>
public class RpmLatin1Tests
{
    private static string Package => Path.Combine(Paths.Fixtures, "rpm-latin1", "abi-latin1-1.0-1.noarch.rpm");

    private static byte[] Rpm(params string[] arguments)
    {
        var rpm = Tools.Require("rpm", "rpm");
        var (code, stdout, stderr) = Tools.RunBytes(rpm, ["-qp", .. arguments, Package]);
        Assert.True(code == 0, $"rpm -qp failed: {stderr}");
        return stdout;
    }

    private static byte[] Lines(IEnumerable<ReadOnlyMemory<byte>> lines)
    {
        var result = new List<byte>();
        foreach (var line in lines)
        {
            result.AddRange(line.Span);
            result.Add((byte)'\n');
        }

        return [.. result];
    }

    [Theory]
    [InlineData("--provides")]
    [InlineData("--requires")]
    [InlineData("--conflicts")]
    [InlineData("--obsoletes")]
    [InlineData("--recommends")]
    [InlineData("--list")]
    public void Abi_rpm_writes_the_bytes_rpm_writes(string query)
    {
        var expected = Rpm(query);
        Assert.Contains((byte)0xe9, expected);
        var (code, actual, stderr) = Tools.RunBytes("dotnet", [Path.Combine(AppContext.BaseDirectory, "abi.dll"), "rpm", query, Package]);
        Assert.True(code == 0, stderr);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    [Fact]
    public void Header_byte_views_are_the_bytes_rpm_prints()
    {
        var package = RpmPackage.Open(Package);
        var h = package.Header;
        byte[] nameAndSummary = [.. h.GetStringBytes(RpmTag.Name).Span, (byte)'|', .. h.GetStringBytes(RpmTag.Summary).Span];
        Assert.Equal(Rpm("--qf", "%{NAME}|%{SUMMARY}"), nameAndSummary);
        Assert.Equal(Rpm("--qf", "[%{REQUIRENAME}\n]"), Lines(h.GetStringArrayBytes(RpmTag.RequireName)));
        Assert.Equal(Rpm("--qf", "[%{BASENAMES}\n]"), Lines(h.GetStringArrayBytes(RpmTag.BaseNames)));
        Assert.Equal(Rpm("--qf", "[%{PROVIDENAME}\n]"), Lines(package.Provides.Select(d => d.NameBytes)));
        Assert.Equal(Rpm("--qf", "[%{PROVIDEVERSION}\n]"), Lines(package.Provides.Select(d => d.VersionBytes)));
        Assert.Equal(Rpm("-l"), Lines(package.Files.Select(f => f.PathBytes)));
    }

    [Fact]
    public void Strings_that_are_not_utf8_read_as_latin1_not_as_replacement_characters()
    {
        var package = RpmPackage.Open(Package);
        Assert.Equal("abi-caf\u00e9", package.Name);
        Assert.Equal("abi-caf\u00e9", RpmHeader.DecodeString(package.Header.GetStringBytes(RpmTag.Name).Span));
        Assert.Contains(package.Provides, d => d.Name == "caf\u00e9-feature");
        Assert.Contains(package.Files, f => f.Path == "/usr/share/abi-caf\u00e9/caf\u00e9.txt");
        Assert.DoesNotContain('\ufffd', package.Name + string.Concat(package.Requires.Select(d => d.Name)) + string.Concat(package.Files.Select(f => f.Path)));

        // The rpm text, re-encoded as Latin-1, is what rpm printed.
        var requires = Rpm("--requires");
        Assert.Equal(Encoding.Latin1.GetString(requires), string.Concat(package.Requires.Select(d => d.ToString() + "\n")));
    }

    [Fact]
    public void Valid_utf8_strings_decode_as_utf8_and_dependencies_made_from_text_keep_utf8_bytes()
    {
        Assert.Equal("caf\u00e9", RpmHeader.DecodeString("caf\u00e9"u8));
        var dependency = RpmDependency.Parse("caf\u00e9 >= 1.0");
        Assert.Equal("caf\u00e9 >= 1.0"u8.ToArray(), dependency.ToBytes());
    }
}
