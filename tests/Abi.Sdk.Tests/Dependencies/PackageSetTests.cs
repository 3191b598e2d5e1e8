using System.Text.RegularExpressions;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dependencies;

/// <summary>Installability over package sets, compared with libsolv's installcheck on the same repository.</summary>
public partial class PackageSetTests
{
    private static string Repo => Path.Combine(Paths.Fixtures, "repo");

    private static string Primary => Path.Combine(Repo, "repodata", "primary.xml.gz");

    /// <summary>
    /// The packages installcheck reports. Debian builds libsolv for Debian's architecture names, so an rpm-md
    /// repository is only checked when asked for "noarch" (the fixtures are noarch).
    /// </summary>
    private static SortedSet<string> Reference(string primary)
    {
        var installcheck = Tools.Require("installcheck", "libsolv-tools");
        var (code, stdout, _) = Tools.Run(installcheck, ["noarch", primary]);
        Assert.True(code is 0 or 1, $"installcheck failed with {code}");
        return new SortedSet<string>(CantInstall().Matches(stdout).Select(m => m.Groups[1].Value), StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^can't install (\S+):", RegexOptions.Multiline)]
    private static partial Regex CantInstall();

    private static SortedSet<string> Ours(PackageSet set)
        => new(set.CheckInstallability("noarch").Select(p => p.Uninstallable.ToString()).Distinct(), StringComparer.Ordinal);

    [Fact]
    public void Repository_metadata_agrees_with_installcheck()
    {
        var expected = Reference(Primary);
        Assert.Contains("app-missing-version-1.0-1.noarch", expected);
        Assert.Equal(expected, Ours(PackageSet.Load([Repo])));
    }

    [Fact]
    public async Task LoadAsync_agrees_with_installcheck_for_repositories_and_rpm_files()
    {
        Tools.Require("rpm", "rpm");
        var expected = Reference(Primary);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(expected, Ours(await PackageSet.LoadAsync([Repo], cancellationToken: ct)));
        Assert.Equal(expected, Ours(await PackageSet.LoadAsync([Path.Combine(Repo, "repodata", "repomd.xml")], cancellationToken: ct)));
        var rpms = Directory.GetFiles(Path.Combine(Repo, "rpms"), "*.rpm").Order(StringComparer.Ordinal).ToArray();
        var fromFiles = await PackageSet.LoadAsync(rpms, cancellationToken: ct);
        Assert.Equal(expected, Ours(fromFiles));
        Assert.Equal(PackageSet.Load(rpms).Packages.Select(p => p.ToString()), fromFiles.Packages.Select(p => p.ToString()));

        // The stream and memory verbs of the metadata reader read the same packages as the file verb.
        var fromFile = RepositoryMetadata.Open(Primary).Select(p => p.ToString()).ToList();
        await using var stream = File.OpenRead(Primary);
        Assert.Equal(fromFile, (await RepositoryMetadata.ReadAsync(stream, Primary, cancellationToken: ct)).Select(p => p.ToString()));
        Assert.Equal(fromFile, RepositoryMetadata.Parse(File.ReadAllBytes(Primary), Primary).Select(p => p.ToString()));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PackageSet.LoadAsync([Repo], cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RepositoryMetadata.ReadAsync(File.OpenRead(Primary), Primary, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Rpm_files_agree_with_installcheck_on_their_repository()
    {
        Tools.Require("rpm", "rpm");
        var expected = Reference(Primary);
        var set = PackageSet.Load(Directory.GetFiles(Path.Combine(Repo, "rpms"), "*.rpm"));
        Assert.Equal(expected, Ours(set));
    }

    [Fact]
    public void Problems_name_the_requirement_as_installcheck_does()
    {
        var set = PackageSet.Load([Repo]);
        var problems = set.CheckInstallability("noarch").Select(p => p.ToString()).ToList();
        Assert.Contains("nothing provides libfoo.so.1(FOO_2.0)(64bit) needed by app-missing-version-1.0-1.noarch", problems);
        Assert.Contains("nothing provides libbar.so.2()(64bit) needed by app-missing-soname-1.0-1.noarch", problems);
        Assert.Contains("nothing provides /usr/bin/no-such-tool needed by app-file-broken-1.0-1.noarch", problems);
        Assert.Contains("package app-transitive-1.0-1.noarch requires app-missing-soname, but none of the providers can be installed", problems);
    }

    [Fact]
    public void What_provides_resolves_names_ranges_files_and_rich_dependencies()
    {
        var set = PackageSet.Load([Repo]);
        string Names(string dep) => string.Join(",", set.WhatProvides(RpmDependency.Parse(dep)).Select(p => p.Name));
        Assert.Equal("libfoo", Names("libfoo.so.1(FOO_1.0)(64bit)"));
        Assert.Equal("libfoo", Names("libfoo >= 0.9"));
        Assert.Equal("", Names("libfoo >= 2.0"));
        Assert.Equal("libbaz", Names("libbaz = 1:2.5-3"));
        Assert.Equal("", Names("libbaz = 2.5-3"));
        Assert.Equal("libfoo", Names("/usr/bin/foo-tool"));
        Assert.Equal("libfoo,libbaz", Names("(libfoo or libbaz)"));
        Assert.Equal("", Names("(libfoo with libbaz)"));
    }

    [Fact]
    public void Abi_installcheck_lists_what_installcheck_lists()
    {
        var expected = Reference(Primary);
        var (code, stdout, stderr) = CliRunner.Run(["installcheck", Repo]);
        Assert.True(code == 1, stderr);
        Assert.Equal(expected, new SortedSet<string>(CantInstall().Matches(stdout).Select(m => m.Groups[1].Value), StringComparer.Ordinal));
    }

    [Fact]
    public void Primary_xml_with_a_dtd_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"abi-primary-{Guid.NewGuid():N}.xml");
        File.WriteAllText(path, """
            <?xml version="1.0"?>
            <!DOCTYPE metadata [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
            <metadata xmlns="http://linux.duke.edu/metadata/common"><package><name>&x;</name></package></metadata>
            """);
        try
        {
            var ex = Assert.Throws<RepositoryFormatException>(() => RepositoryMetadata.Open(path));
            Assert.Equal(path, ex.FileName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_decompression_bomb_stops_at_the_cap()
    {
        using var bomb = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(bomb, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var header = "<?xml version=\"1.0\"?><metadata xmlns=\"http://linux.duke.edu/metadata/common\">"u8.ToArray();
            gz.Write(header);
            var spaces = new byte[1 << 20];
            Array.Fill(spaces, (byte)' ');
            for (int i = 0; i < 64; i++)
            {
                gz.Write(spaces);
            }
        }

        bomb.Position = 0;
        var ex = Assert.Throws<RepositoryFormatException>(() => RepositoryMetadata.Read(bomb, "bomb.xml.gz", maxDecompressedSize: 1 << 20));
        Assert.Contains("more than", ex.Reason);
    }
}

/// <summary>Long operations report progress per input and stop when cancelled.</summary>
public class PackageSetProgressTests
{
    private sealed class Collect : IProgress<OperationProgress>
    {
        public List<OperationProgress> Reports { get; } = [];

        public void Report(OperationProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Loading_rpms_reports_each_package_and_honours_cancellation()
    {
        var rpms = Directory.GetFiles(Path.Combine(Paths.Fixtures, "repo", "rpms"), "*.rpm").Order(StringComparer.Ordinal).ToArray();
        var progress = new Collect();
        var set = PackageSet.Load(rpms, progress, TestContext.Current.CancellationToken);
        Assert.Equal(rpms.Length, set.Packages.Length);
        Assert.Equal(Enumerable.Range(1, rpms.Length), progress.Reports.Select(r => r.Completed));
        Assert.All(progress.Reports, r => Assert.Equal(rpms.Length, r.Total));
        Assert.Equal(rpms[^1], progress.Reports[^1].Current);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => PackageSet.Load(rpms, null, cancelled.Token));
    }
}
