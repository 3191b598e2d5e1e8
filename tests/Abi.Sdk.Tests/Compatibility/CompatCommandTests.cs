using System.Text.Json;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary><c>abi compat</c>: exit codes 0/12/1 and one JSON object per binary per line, matching the loader's verdict.</summary>
public class CompatCommandTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    private static (int Code, string Stdout, string Stderr) Abi(params string[] args)
    {
        return CliRunner.Run(args);
    }

    [Fact]
    public void Json_lines_and_exit_code_12_when_the_loader_would_refuse_one()
    {
        Tools.Require("ldd", "libc-bin");
        var target = Path.Combine(Out, "target");
        var apps = new[] { "app_weak", "app_version", "app_missing" }.Select(a => Path.Combine(Out, "apps", a)).ToArray();
        var (code, stdout, stderr) = Abi(["compat", .. apps, "--lib-path", target, "--json"]);
        Assert.True(code == 12, stderr);
        LddReport.AssertJsonLinesAgree(stdout, apps, target);

    }

    [Fact]
    public void Exit_code_0_when_all_would_load_and_1_on_errors()
    {
        var link = Path.Combine(Out, "link");
        var (ok, stdout, _) = Abi("compat", Path.Combine(Out, "apps", "app_deep"), "--lib-path", link);
        Assert.Equal(0, ok);
        Assert.Contains(": compatible", stdout);

        var (noTarget, _, err) = Abi("compat", Path.Combine(Out, "apps", "app_deep"));
        Assert.Equal(1, noTarget);
        Assert.Contains("exactly one target", err);

        var (notElf, _, err2) = Abi("compat", Path.Combine(Paths.Fixtures, "compat", "build.sh"), "--lib-path", link);
        Assert.Equal(1, notElf);
        Assert.Contains("build.sh", err2);
    }
}
