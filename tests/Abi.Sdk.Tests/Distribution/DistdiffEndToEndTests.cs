using System.Text.Json;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Distribution;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>
/// The whole question on the bundled sample distribution, as README's first command asks it: every package and
/// application gets the verdict Fixtures/distro/README.md intends (each of which DistroFixtureTests ties to glibc's
/// loader, rpm, abipkgdiff and installcheck), and the <c>abi distdiff</c>/<c>abi pkgdiff</c> shells print what the
/// library decides, with the documented exit codes.
/// </summary>
public sealed class DistdiffEndToEndTests
{
    private static DistributionDiff Compare(Target? baseSystem)
        => (DistributionComparer.Default with { BaseSystem = baseSystem })
            .Compare(PackageCollection.Open([DistroFixtures.Reference]), PackageCollection.Open([DistroFixtures.Rebuild]), DistroFixtures.AppPackages);

    [Fact]
    public void Every_package_and_application_gets_its_intended_verdict()
    {
        using var host = Target.Host();
        var diff = Compare(host);
        foreach (var expected in DistroFixtures.Packages)
        {
            var package = Assert.Single(diff.Packages, p => p.Name == expected.Name);
            Assert.True(expected.Verdict == package.Verdict, $"{expected.Name} ({expected.Drift}): {package.Verdict}, intended {expected.Verdict}\n{string.Join('\n', package.Diagnostics)}");
            Assert.Equal(expected.DiffVerdict, package.Diff?.Verdict);
        }

        foreach (var expected in DistroFixtures.Applications)
        {
            var app = Assert.Single(diff.Applications, a => a.Package.Name == expected.Name);
            Assert.True(expected.Verdict == app.Verdict, $"{expected.Name}: {app.Verdict}, intended {expected.Verdict}\n{string.Join('\n', app.Diagnostics)}");
            Assert.Equal(expected.InstallableOnRebuild, app.IsInstallable);
        }

        Assert.Equal(Verdict.Incompatible, diff.Verdict);
        Assert.Equal(12, diff.ExitCode);
        Assert.Empty(diff.Errors);
    }

    [Fact]
    public void Distdiff_prints_what_the_library_decides_and_exits_with_its_code()
    {
        string[] args = ["distdiff", DistroFixtures.Reference, "--against", DistroFixtures.Rebuild, "--app", .. DistroFixtures.AppPackages, "--base-sysroot", "/"];
        using var host = Target.Sysroot("/");
        var diff = Compare(host);

        var (code, stdout, stderr) = AbiCli.Run([.. args, "--json"]);
        Assert.True(code == 12, stderr);
        Assert.Equal("", stderr); // redirected: no progress line
        using var written = new MemoryStream();
        diff.WriteJson(written);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(written.ToArray()), stdout);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("incompatible", json.RootElement.GetProperty("verdict").GetString());

        var text = AbiCli.Run(args);
        Assert.Equal(12, text.ExitCode);
        var expectedText = new StringWriter { NewLine = "\n" };
        diff.WriteText(expectedText);
        Assert.Equal(expectedText.ToString(), text.Stdout);

        Assert.Equal(2, AbiCli.Run([.. args, "--json", "--sarif"]).ExitCode);
    }

    [Fact]
    public void Distdiff_writes_the_html_report_and_says_when_a_package_is_unreadable()
    {
        var dir = Directory.CreateTempSubdirectory("abi-distdiff-");
        try
        {
            // The rebuild plus one truncated package: its error is reported, the rest compared, bit 1 added.
            var rebuild = Directory.CreateDirectory(Path.Combine(dir.FullName, "rebuild")).FullName;
            foreach (var rpm in DistroFixtures.RebuildPackages)
            {
                File.Copy(rpm, Path.Combine(rebuild, Path.GetFileName(rpm)));
            }

            var good = File.ReadAllBytes(DistroFixtures.RebuildPackages[0]);
            File.WriteAllBytes(Path.Combine(rebuild, "truncated-1.0-1.x86_64.rpm"), good[..200]);
            var html = Path.Combine(dir.FullName, "report.html");
            var (code, stdout, stderr) = AbiCli.Run(["distdiff", DistroFixtures.Reference, "--against", rebuild, "--html", html, "--base-sysroot", "/"]);
            Assert.True(code == 13, $"{code}: {stderr}\n{stdout}");
            Assert.Contains("truncated-1.0-1.x86_64.rpm", stdout);
            Assert.Contains("1 unreadable", stdout);
            var page = File.ReadAllText(html);
            Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("truncated-1.0-1.x86_64.rpm", page);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Pkgdiff_prints_the_package_diff_with_abidiffs_exit_bits()
    {
        foreach (var expected in DistroFixtures.Packages.Where(p => p.RebuildEvr is not null))
        {
            var oldRpm = DistroFixtures.Package(DistroFixtures.Reference, expected.Name)!;
            var newRpm = DistroFixtures.Package(DistroFixtures.Rebuild, expected.Name)!;
            var diff = PackageComparer.Default.Compare(oldRpm, newRpm, TestContext.Current.CancellationToken);
            var (code, stdout, stderr) = AbiCli.Run(["pkgdiff", oldRpm, newRpm]);
            Assert.True(diff.ExitCode == code, $"{expected.Name}: {code} {stderr}");
            var text = new StringWriter { NewLine = "\n" };
            diff.WriteText(text);
            Assert.Equal(text.ToString(), stdout);
        }

        var sarif = AbiCli.Run(["pkgdiff", DistroFixtures.Package(DistroFixtures.Reference, "libb")!, DistroFixtures.Package(DistroFixtures.Rebuild, "libb")!, "--sarif"]);
        Assert.Equal(12, sarif.ExitCode);
        using var log = JsonDocument.Parse(sarif.Stdout);
        Assert.Contains(log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray(), r => r.GetProperty("ruleId").GetString() == "ABI1002");
    }
}
