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

    [Fact]
    public void Verdicts_of_many_binaries_come_in_the_order_given_and_an_error_stops_where_a_serial_run_would()
    {
        // The checks run on every core; the output must be what one check after the other prints: each binary's
        // verdict as `abi compat` prints it for that binary alone, in the order given.
        var target = Path.Combine(Out, "target");
        var apps = Directory.GetFiles(Path.Combine(Out, "apps")).Order(StringComparer.Ordinal).ToArray();
        var many = Enumerable.Range(0, 12).SelectMany(r => r % 2 == 0 ? apps : Enumerable.Reverse(apps)).ToArray();
        var alone = apps.ToDictionary(a => a, a => Abi("compat", a, "--lib-path", target).Stdout, StringComparer.Ordinal);
        var (code, stdout, stderr) = Abi(["compat", .. many, "--lib-path", target]);
        Assert.True(code is 0 or 12, stderr);
        Assert.Equal(string.Concat(many.Select(a => alone[a])), stdout);

        // A file that is not ELF in the middle: the verdicts before it, then the error, nothing after it.
        var notElf = Path.Combine(Paths.Fixtures, "compat", "build.sh");
        var (failed, partial, error) = Abi(["compat", .. many[..30], notElf, .. many[30..], "--lib-path", target]);
        Assert.Equal(1, failed);
        Assert.Contains("build.sh", error);
        Assert.Equal(string.Concat(many[..30].Select(a => alone[a])), partial);
    }
}
