using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// A target made of RPM packages (read in place) gives the loader's verdict: the scenario libraries and this
/// machine's glibc are packaged with rpmbuild into /usr/lib64 (with /lib64 a symlink to it as in RHEL's filesystem
/// package, and a symlink and a hard link among the libraries, as real library packages have), and every scenario's verdict against the packages equals <c>ldd -r</c> with the same libraries.
/// </summary>
public class RpmTargetTests : IClassFixture<RpmTargetTests.Packages>
{
    private readonly Packages _packages;

    public RpmTargetTests(Packages packages) => _packages = packages;

    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    public sealed class Packages : IDisposable
    {
        public Packages()
        {
            if (Tools.Find("rpmbuild") is null)
            {
                return;
            }

            Root = Directory.CreateTempSubdirectory("abi-rpm-target-").FullName;
            var libc = "/lib/x86_64-linux-gnu/libc.so.6";
            var loader = "/lib64/ld-linux-x86-64.so.2";
            var libs = Directory.GetFiles(Path.Combine(Out, "target"), "*.so.1").Order(StringComparer.Ordinal).ToList();
            var install = new List<string> { "mkdir -p %{buildroot}/usr/lib64" };
            foreach (var lib in libs)
            {
                install.Add($"install -m 755 {lib} %{{buildroot}}/usr/lib64/");
            }

            // A development symlink and a hard link, as library packages carry them.
            install.Add("ln -s libver.so.1 %{buildroot}/usr/lib64/libver.so");
            install.Add("ln %{buildroot}/usr/lib64/libplain.so.1 %{buildroot}/usr/lib64/libplain-compat.so.1");
            Build("scenario-libs", install, ["/usr/lib64/*"]);
            Build("host-glibc", ["mkdir -p %{buildroot}/usr/lib64", $"install -m 755 $(readlink -f {libc}) %{{buildroot}}/usr/lib64/libc.so.6", $"install -m 755 $(readlink -f {loader}) %{{buildroot}}/usr/lib64/ld-linux-x86-64.so.2", "ln -s usr/lib64 %{buildroot}/lib64"], ["/usr/lib64/*", "/lib64"]);
            Rpms = [.. Directory.GetFiles(Path.Combine(Root, "RPMS"), "*.rpm", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        }

        public string? Root { get; }

        public IReadOnlyList<string> Rpms { get; } = [];

        private void Build(string name, IEnumerable<string> install, IEnumerable<string> files)
        {
            var spec = Path.Combine(Root!, name + ".spec");
            File.WriteAllText(spec, $"""
                Name: {name}
                Version: 1
                Release: 1
                Summary: Abi.Sdk compatibility target fixture
                License: MIT
                AutoReqProv: no
                %define debug_package %{"{"}nil{"}"}
                %define __strip /bin/true
                %define __brp_strip %{"{"}nil{"}"}
                %description
                Fixture.
                %install
                {string.Join("\n", install)}
                %files
                {string.Join("\n", files)}
                """);
            var (code, _, stderr) = Tools.Run("rpmbuild", ["--quiet", "--define", $"_topdir {Root}", "-bb", spec]);
            Assert.True(code == 0, stderr);
        }

        public void Dispose()
        {
            if (Root is not null)
            {
                Directory.Delete(Root, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("app_version")]
    [InlineData("app_moved")]
    [InlineData("app_removed")]
    [InlineData("app_missing")]
    [InlineData("app_weak")]
    [InlineData("app_deep")]
    [InlineData("app_hidden")]
    public void Verdict_against_packages_equals_the_loader_with_the_same_libraries(string app)
    {
        Tools.Require("rpmbuild", "rpm");
        using var target = Target.FromRpms(_packages.Rpms, cancellationToken: TestContext.Current.CancellationToken);
        var verdict = Checker.Check(Path.Combine(Out, "apps", app), target);
        var ldd = LddReport.Run(Path.Combine(Out, "apps", app), Path.Combine(Out, "target"));
        var ours = LddReport.FromVerdict(verdict);
        Assert.Equal(ldd.Accepts, verdict.IsCompatible);
        Assert.True(ldd.MissingLibraries.SetEquals(ours.MissingLibraries), $"missing libraries differ\n{ldd.Output}\n{verdict}");
        Assert.True(ldd.MissingVersions.SetEquals(ours.MissingVersions), $"missing versions differ\n{ldd.Output}\n{verdict}");
        Assert.True(ldd.MissingSymbols.SetEquals(ours.MissingSymbols), $"missing symbols differ\n{ldd.Output}\n{verdict}");
        Assert.All(verdict.LoadOrder.Skip(1), o => Assert.StartsWith("/usr/lib64/", o.Path));
    }

    [Fact]
    public async Task FromRpmsAsync_gives_the_loaders_verdicts_as_FromRpms_does()
    {
        Tools.Require("rpmbuild", "rpm");
        var ct = TestContext.Current.CancellationToken;
        using var sync = Target.FromRpms(_packages.Rpms, cancellationToken: ct);
        using var target = await Target.FromRpmsAsync(_packages.Rpms, cancellationToken: ct);
        Assert.Equal(sync.Description, target.Description);
        foreach (var app in new[] { "app_version", "app_moved", "app_removed", "app_missing", "app_weak", "app_deep", "app_hidden" })
        {
            var verdict = Checker.Check(Path.Combine(Out, "apps", app), target);
            var ldd = LddReport.Run(Path.Combine(Out, "apps", app), Path.Combine(Out, "target"));
            Assert.Equal(ldd.Accepts, verdict.IsCompatible);
            Assert.True(ldd.MissingVersions.SetEquals(LddReport.FromVerdict(verdict).MissingVersions), $"{app}: missing versions differ\n{ldd.Output}\n{verdict}");
            Assert.Equal(Checker.Check(Path.Combine(Out, "apps", app), sync).ToString(), verdict.ToString());
        }

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Target.FromRpmsAsync(_packages.Rpms, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Symlinks_and_hard_links_inside_packages_resolve()
    {
        Tools.Require("rpmbuild", "rpm");
        using var target = Target.FromRpms(_packages.Rpms, cancellationToken: TestContext.Current.CancellationToken);
        var verdict = Checker.Check(Path.Combine(Out, "apps", "app_removed"), target);
        Assert.Contains(verdict.LoadOrder, o => o.Name == "libc.so.6" && o.Path == "/usr/lib64/libc.so.6");
    }

    [Fact]
    public void Abi_compat_rpms_exits_12_when_the_loader_would_refuse()
    {
        Tools.Require("rpmbuild", "rpm");
        var (code, stdout, stderr) = CliRunner.Run(["compat", Path.Combine(Out, "apps", "app_version"), "--json", "--rpms", .. _packages.Rpms]);
        Assert.True(code == 12, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.False(json.RootElement.GetProperty("compatible").GetBoolean());
        var missing = Assert.Single(json.RootElement.GetProperty("missingVersions").EnumerateArray().ToList());
        Assert.Equal("libver.so.1", missing.GetProperty("library").GetString());
        Assert.Equal("VER_2", missing.GetProperty("version").GetString());
    }
}
