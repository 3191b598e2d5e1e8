using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// Preloaded objects (LD_PRELOAD through <see cref="Target.WithPreload"/>, and the target's /etc/ld.so.preload):
/// they enter the scope right after the program, a DT_NEEDED name they already answer is not loaded again, and one
/// that cannot be found is ignored — compared with <c>LD_PRELOAD=… ldd -r</c> and with the loader in a chroot.
/// </summary>
public class PreloadTests
{
    private static string Out => Path.Combine(Paths.Fixtures, "compat", "out");

    [Fact]
    public void A_preloaded_release_answers_the_needed_name_and_a_missing_preload_is_ignored()
    {
        var app = Path.Combine(Out, "apps", "app_moved");
        var good = Path.Combine(Out, "link", "libmove.so.1");
        var preload = $"{good} libnothing.so";
        using var baseTarget = Target.LibraryPaths([Path.Combine(Out, "target")]);
        using var target = baseTarget.WithPreload([preload]);
        Assert.Equal([good, "libnothing.so"], target.Preload);

        var verdict = Checker.Check(app, target);
        var ldd = LddReport.Run(app, Path.Combine(Out, "target"), preload);
        LddReport.AssertAgrees(ldd, verdict);
        Assert.True(verdict.IsCompatible, verdict.ToString());
        Assert.Equal(["libnothing.so"], verdict.IgnoredPreloads);
        Assert.Equal(good, verdict.LoadOrder[1].Path);
        Assert.DoesNotContain(verdict.LoadOrder, o => o.Path.Contains("/target/", StringComparison.Ordinal));
    }

    [Fact]
    public void Abi_compat_preload_accepts_and_warns_about_the_ignored_preload()
    {
        var app = Path.Combine(Out, "apps", "app_moved");
        var (code, stdout, stderr) = CliRunner.Run(["compat", app, "--lib-path", Path.Combine(Out, "target")]);
        Assert.True(code == 12, stdout + stderr);
        (code, stdout, stderr) = CliRunner.Run(["compat", app, "--lib-path", Path.Combine(Out, "target"), "--preload", $"{Path.Combine(Out, "link", "libmove.so.1")}:libnothing.so"]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains($"{app}: compatible", stdout, StringComparison.Ordinal);
        Assert.Contains("warning: preload libnothing.so cannot be loaded: ignored", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run(["compat", app, "--lib-path", Path.Combine(Out, "target"), "--preload", "libnothing.so", "--json"]);
        Assert.True(code == 12, stdout + stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal(["libnothing.so"], json.RootElement.GetProperty("ignoredPreloads").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void A_preload_by_name_is_searched_like_a_needed_library_and_comes_first_in_the_scope()
    {
        var app = Path.Combine(Out, "apps", "app_moved");
        var path = $"{Path.Combine(Out, "target")}:{Path.Combine(Out, "link")}";
        using var baseTarget = Target.LibraryPaths(path.Split(':'));
        using var target = baseTarget.WithPreload(["libver.so.1"]);
        var verdict = Checker.Check(app, target);
        var ldd = LddReport.Run(app, path, "libver.so.1");
        LddReport.AssertAgrees(ldd, verdict);
        Assert.Equal("libver.so.1", verdict.LoadOrder[1].Name);
        Assert.Equal("move_b", Assert.Single(verdict.MissingSymbols).Name);
    }

    [Fact]
    public void Etc_ld_so_preload_of_a_sysroot_is_read_as_the_loader_in_a_chroot_reads_it()
    {
        var ldconfig = Tools.Require("ldconfig", "libc-bin");
        if (!File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("needs an x86_64 Debian-layout glibc on this machine");
        }

        var root = SysrootTests.BuildSysroot();
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "opt/preload"));
            File.Copy(Path.Combine(Out, "link", "libmove.so.1"), Path.Combine(root, "opt/preload/libmove.so.1"));
            File.WriteAllText(Path.Combine(root, "etc/ld.so.preload"), "/opt/preload/libmove.so.1\n/opt/missing/libgone.so.1\n");
            var (code, _, err) = Tools.Run(ldconfig, ["-r", root]);
            Assert.True(code == 0, err);

            using var sysroot = Target.Sysroot(root);
            Assert.Equal(["/opt/preload/libmove.so.1", "/opt/missing/libgone.so.1"], sysroot.PreloadFileEntries);
            var verdict = Checker.Check(Path.Combine(root, "apps", "app_moved"), sysroot);
            var ldd = ChrootTrace.Run(ChrootTrace.Build(), root, "/apps/app_moved");
            LddReport.AssertAgrees(ldd, verdict);
            Assert.True(verdict.IsCompatible, verdict.ToString());
            Assert.Equal(["/opt/missing/libgone.so.1"], verdict.IgnoredPreloads);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
