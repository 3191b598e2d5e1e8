using Abi.Sdk.Dependencies;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dependencies;

/// <summary>
/// <c>abi installcheck</c> against libsolv's installcheck built with rpm semantics (tests/tools/build-libsolv-rpm.sh:
/// Debian's libsolv-tools is built Debian-flavoured), line for line and exit status, over the fixture repositories
/// (rpmbuild + createrepo_c ones, and pseudo-random ones from Fixtures/repo-random/build.py) for several architectures.
/// </summary>
public class InstallCheckDifferentialTests
{
    /// <summary>The rpm-flavoured installcheck: $ABI_LIBSOLV_RPM_INSTALLCHECK, else where the build script puts it.</summary>
    private static string RpmInstallcheck()
    {
        var path = Environment.GetEnvironmentVariable("ABI_LIBSOLV_RPM_INSTALLCHECK") is { Length: > 0 } set
            ? set
            : Path.Combine(Paths.RepositoryRoot, "tests", "tools", ".cache", "libsolv-rpm", "bin", "installcheck");
        if (!File.Exists(path))
        {
            Assert.Skip($"rpm-flavoured libsolv installcheck not built ({path}): run tests/tools/build-libsolv-rpm.sh (.ci/run does)");
        }

        return path;
    }

    public static TheoryData<string, string> Runs()
    {
        var data = new TheoryData<string, string>();
        string[] repos = ["repo-arch", "repo-arch/without-rpm", "repo", .. Enumerable.Range(1, 6).Select(i => $"repo-random/seed-{i}")];
        foreach (var repo in repos)
        {
            foreach (var arch in new[] { "x86_64", "i686", "aarch64", "ppc64", "noarch" })
            {
                data.Add(repo, arch);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Abi_installcheck_prints_what_libsolv_prints(string repo, string arch)
    {
        var installcheck = RpmInstallcheck();
        var folder = Path.Combine(Paths.Fixtures, repo);
        var (expectedCode, expected, stderr) = Tools.Run(installcheck, [arch, Path.Combine(folder, "repodata", "primary.xml.gz")]);
        Assert.True(expectedCode is 0 or 1, $"installcheck failed with {expectedCode}: {stderr}");
        var (code, actual, ourStderr) = CliRunner.Run(["installcheck", "--arch", arch, folder]);
        Assert.Equal(expected, actual);
        Assert.True(code == expectedCode, $"exit status {code}, installcheck's {expectedCode}: {ourStderr}");
    }

    [Fact]
    public void Foreign_architecture_providers_are_nothing_and_other_architectures_of_a_requested_name_are_not_checked()
    {
        // What the rpm-flavoured installcheck prints for this repository (Abi_installcheck_prints_what_libsolv_prints compares all of it).
        var set = PackageSet.Load([Path.Combine(Paths.Fixtures, "repo-arch")]);
        var problems = set.CheckInstallability("x86_64");
        var foreign = Assert.Single(problems, p => p.Uninstallable.Name == "app-foreign");
        Assert.Equal(InstallProblemKind.NothingProvides, foreign.Kind);
        Assert.DoesNotContain(problems, p => p.Uninstallable.Name == "multi" && p.Uninstallable.Arch == "i686");
        Assert.Contains(problems, p => p.Kind == InstallProblemKind.InferiorArchitecture && p.Package.ToString() == "multi-marker-1.0-1.i686");
        var twice = problems.Where(p => p.Uninstallable.Name == "app-twice").Select(p => p.ToString()).ToList();
        Assert.Equal(["nothing provides libtwice needed by app-twice-1.0-1.x86_64", "nothing provides libzz needed by app-twice-1.0-1.x86_64"], twice);
    }
}
