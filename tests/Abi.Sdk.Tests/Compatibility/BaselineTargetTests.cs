using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// Baselines as a target (<see cref="Target.FromBaselines"/>): for every scenario of Fixtures/compat, glibc's loader
/// gives the same verdict on the stubs of the target's libraries as on the libraries themselves (less what the
/// libraries themselves require, which a baseline does not record), and the checker on the baselines gives the
/// loader's verdict on the stubs.
/// </summary>
public sealed class BaselineTargetTests : IDisposable
{
    private static readonly string Out = Path.Combine(Paths.Fixtures, "compat", "out");
    private static readonly string TargetDir = Path.Combine(Out, "target");
    private readonly DirectoryInfo _stubs = Directory.CreateTempSubdirectory("abi-baseline-stubs-");

    public BaselineTargetTests()
    {
        foreach (var surface in TargetSurfaces())
        {
            File.WriteAllBytes(Path.Combine(_stubs.FullName, AbiStubLibrary.GetLibraryName(surface)), AbiStubLibrary.Create(surface));
        }
    }

    public void Dispose() => _stubs.Delete(recursive: true);

    public static TheoryData<string> Apps => new(Directory.GetFiles(Path.Combine(Out, "apps")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    private static List<AbiSurface> TargetSurfaces()
        => Directory.GetFiles(TargetDir).Order(StringComparer.Ordinal).Select(AbiSurface.Open).ToList();

    /// <summary>The target libraries' baselines, plus this machine's C library and dynamic loader (which the stubs of the scenario leave to the host).</summary>
    private static List<AbiSurface> Baselines()
    {
        var all = TargetSurfaces();
        all.Add(AbiSurface.Open("/lib/x86_64-linux-gnu/libc.so.6"));
        all.Add(AbiSurface.Open("/lib64/ld-linux-x86-64.so.2"));
        return all;
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void The_loader_and_the_checker_agree_on_stubs_as_the_loader_does_on_the_real_libraries(string appName)
    {
        Tools.Require("ldd", "libc-bin");
        if (!File.Exists("/lib64/ld-linux-x86-64.so.2") || !File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("the scenarios are x86-64 Debian-layout binaries; this machine has no /lib/x86_64-linux-gnu/libc.so.6");
        }

        var app = Path.Combine(Out, "apps", appName);
        var onReal = LddReport.Run(app, TargetDir);
        var onStubs = LddReport.Run(app, _stubs.FullName);

        // 1. The loader on stubs: the same libraries in the same order, the same problems of the program itself.
        //    What a target library requires is not in a baseline, so those problems disappear (app_deep's libmid).
        string context = $"\nldd on the real libraries:\n{onReal.Output}\nldd on the stubs:\n{onStubs.Output}";
        var appFile = Path.GetFileName(app);
        Assert.True(onReal.Loaded.Select(l => l.Name).SequenceEqual(onStubs.Loaded.Select(l => l.Name)), "load order differs" + context);
        Assert.True(onReal.MissingLibraries.SetEquals(onStubs.MissingLibraries), "missing libraries differ" + context);
        Assert.True(onReal.MissingVersions.Where(v => v.RequiredBy == appFile).ToHashSet().SetEquals(onStubs.MissingVersions), "missing versions differ" + context);
        Assert.True(onReal.MissingSymbols.Where(s => s.Object == appFile).ToHashSet().SetEquals(onStubs.MissingSymbols), "undefined symbols differ" + context);
        Assert.True(onReal.WeakVersions.Where(v => v.RequiredBy == appFile).ToHashSet().SetEquals(onStubs.WeakVersions), "weak versions differ" + context);
        if (appName != "app_deep")
        {
            Assert.Equal(onReal.Accepts, onStubs.Accepts);
        }

        // 2. The checker on the baselines says what the loader says on the stubs.
        using var target = Target.FromBaselines(Baselines());
        var verdict = Checker.Check(app, target);
        var ours = LddReport.FromVerdict(verdict);
        context = $"\nldd on the stubs:\n{onStubs.Output}\nAbi.Sdk on the baselines:\n{verdict}\nload order: {string.Join(", ", verdict.LoadOrder.Select(o => $"{o.Name}={o.Path}"))}";
        Assert.True(onStubs.Loaded.Select(l => l.Name).SequenceEqual(ours.Loaded.Select(l => l.Name)), "load order differs" + context);
        Assert.True(onStubs.MissingLibraries.SetEquals(ours.MissingLibraries), "missing libraries differ" + context);
        Assert.True(onStubs.MissingVersions.SetEquals(ours.MissingVersions), "missing versions differ" + context);
        Assert.True(onStubs.MissingSymbols.SetEquals(ours.MissingSymbols), "undefined symbols differ" + context);
        Assert.True(onStubs.WeakVersions.SetEquals(ours.WeakVersions), "weak versions differ" + context);
        Assert.Equal(onStubs.Accepts, verdict.IsCompatible);
        Assert.All(ours.Loaded, l => Assert.StartsWith("/usr/lib64/", l.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Copy_relocated_object_that_grew_is_flagged_from_the_baseline_size()
    {
        using var target = Target.FromBaselines(Baselines());
        var verdict = Checker.Check(Path.Combine(Out, "apps", "app_copy"), target);
        Assert.True(verdict.IsCompatible);
        var change = Assert.Single(verdict.CopyRelocationSizeChanges);
        Assert.Equal(("data_table", 16UL, 32UL), (change.Name, change.LinkedSize, change.TargetSize));
    }

    [Fact]
    public void A_baseline_that_cannot_be_a_stub_is_a_typed_error_when_the_check_reads_it_and_a_nameless_one_at_once()
    {
        var absurd = new AbiSurface("absurd.json", "libver.so.1", Sdk.Elf.ElfClass.Elf64, Sdk.Elf.ElfMachine.X86_64, [], [],
            [new AbiSymbol("huge", null, false, ElfSymbolType.Object, size: ulong.MaxValue)]);
        using var target = Target.FromBaselines([absurd, .. Baselines().Where(s => s.Soname != "libver.so.1")]);
        var ex = Assert.Throws<AbiBaselineFormatException>(() => Checker.Check(Path.Combine(Out, "apps", "app_version"), target));
        Assert.Equal("absurd.json", ex.FileName);

        var nameless = new AbiSurface(null, null, Sdk.Elf.ElfClass.Elf64, Sdk.Elf.ElfMachine.X86_64, [], [], []);
        Assert.Throws<ArgumentException>(() => Target.FromBaselines([nameless]));
    }

    [Fact]
    public void Elf32_baselines_are_stubs_in_usr_lib_that_ld_links_against_and_the_checker_reads()
    {
        var gcc = Tools.Require("gcc", "gcc");
        var ld = Tools.Require("ld", "binutils");
        static AbiSurface Foo(params string[] versions) => new(null, "libfoo32.so.1", Sdk.Elf.ElfClass.Elf32, Sdk.Elf.ElfMachine.I386, ["ld-linux.so.2"],
            [.. versions.Select(v => new AbiVersionNode(v, []))], [.. versions.Select((v, i) => new AbiSymbol("foo", v, i == versions.Length - 1, ElfSymbolType.Function))]);
        var loader = new AbiSurface(null, "ld-linux.so.2", Sdk.Elf.ElfClass.Elf32, Sdk.Elf.ElfMachine.I386, [], [new AbiVersionNode("GLIBC_2.0", [])],
            [new AbiSymbol("_dl_mcount", "GLIBC_2.0", true, ElfSymbolType.Function)]);
        var linked = Foo("FOO_1", "FOO_2");
        var dir = Directory.CreateDirectory(Path.Combine(_stubs.FullName, "elf32")).FullName;
        File.WriteAllBytes(Path.Combine(dir, "libfoo32.so"), AbiStubLibrary.Create(linked));
        File.WriteAllBytes(Path.Combine(dir, "ld-linux.so.2"), AbiStubLibrary.Create(loader));
        File.WriteAllText(Path.Combine(dir, "app.c"), "extern int foo(void);\nvoid _start(void) { foo(); for (;;) ; }\n");

        // No 32-bit C library is needed: the program is linked with ld alone against the ELF32 stub.
        var (code, _, err) = Tools.Run(gcc, ["-m32", "-fno-pie", "-c", "-o", Path.Combine(dir, "app.o"), Path.Combine(dir, "app.c")]);
        Assert.True(code == 0, err);
        var app = Path.Combine(dir, "app32");
        (code, _, err) = Tools.Run(ld, ["-m", "elf_i386", "-o", app, Path.Combine(dir, "app.o"), $"-L{dir}", "-lfoo32", "-dynamic-linker", "/lib/ld-linux.so.2"]);
        Assert.True(code == 0, "ld refused the ELF32 stub: " + err);

        using (var target = Target.FromBaselines([linked, loader]))
        {
            var verdict = Checker.Check(app, target);
            Assert.True(verdict.IsCompatible, verdict.ToString());
            Assert.Contains(verdict.LoadOrder, o => o.Name == "libfoo32.so.1" && o.Path == "/usr/lib/libfoo32.so.1");
        }

        using (var target = Target.FromBaselines([Foo("FOO_1"), loader]))
        {
            var verdict = Checker.Check(app, target);
            var missing = Assert.Single(verdict.MissingVersions);
            Assert.Equal(("libfoo32.so.1", "FOO_2"), (missing.Library, missing.Version));
        }
    }

    [Fact]
    public void A_library_a_baseline_needs_must_be_a_baseline_too()
    {
        // libmid needs libbase; without libbase's baseline the loader would not find it.
        var surfaces = TargetSurfaces().Where(s => s.Soname != "libbase.so.1").Append(AbiSurface.Open("/lib/x86_64-linux-gnu/libc.so.6")).Append(AbiSurface.Open("/lib64/ld-linux-x86-64.so.2"));
        using var target = Target.FromBaselines(surfaces, "baselines without libbase");
        var verdict = Checker.Check(Path.Combine(Out, "apps", "app_deep"), target);
        var missing = Assert.Single(verdict.MissingLibraries);
        Assert.Equal("libbase.so.1", missing.Name);
        Assert.Equal("libmid.so.1", missing.NeededBy.Object);
        Assert.Equal("baselines without libbase", target.Description);
    }

    [Fact]
    public void The_later_of_two_baselines_with_one_name_wins_and_baselines_read_from_json_work_alike()
    {
        // The link-time libver (VER_1, VER_2) then the target's (VER_1 only): the target's wins.
        var linked = AbiSurface.Open(Path.Combine(Out, "link", "libver.so.1"));
        var current = AbiSurface.Open(Path.Combine(TargetDir, "libver.so.1"));
        var app = Path.Combine(Out, "apps", "app_version");
        var host = new[] { AbiSurface.Open("/lib/x86_64-linux-gnu/libc.so.6"), AbiSurface.Open("/lib64/ld-linux-x86-64.so.2") };

        using (var target = Target.FromBaselines([linked, current, .. host]))
        {
            Assert.Equal("VER_2", Assert.Single(Checker.Check(app, target).MissingVersions).Version);
        }

        using (var target = Target.FromBaselines([current, linked, .. host]))
        {
            Assert.True(Checker.Check(app, target).IsCompatible);
        }

        // Through a JSON baseline file, as the CLI reads it.
        var json = Path.GetTempFileName();
        try
        {
            using (var stream = File.Create(json))
            {
                AbiBaseline.Write(current, stream);
            }

            using var target = Target.FromBaselines([AbiSurface.Open(json), .. host]);
            Assert.Equal("VER_2", Assert.Single(Checker.Check(app, target).MissingVersions).Version);
        }
        finally
        {
            File.Delete(json);
        }
    }
    /// <summary>JSON baselines of the target libraries and of this machine's libc and loader, written by <c>abi dump</c>.</summary>
    private string[] DumpBaselines()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_stubs.FullName, "json")).FullName;
        var libraries = Directory.GetFiles(TargetDir).Order(StringComparer.Ordinal).Append("/lib/x86_64-linux-gnu/libc.so.6").Append("/lib64/ld-linux-x86-64.so.2");
        var files = new List<string>();
        foreach (var library in libraries)
        {
            var json = Path.Combine(dir, Path.GetFileName(library) + ".json");
            var (code, _, stderr) = CliRunner.Run(["dump", library, "-o", json]);
            Assert.True(code == 0, stderr);
            files.Add(json);
        }

        return [.. files];
    }

    [Fact]
    public void Cli_compat_with_baselines_prints_the_loaders_verdict_on_stubs_and_exits_12_or_0()
    {
        Tools.Require("ldd", "libc-bin");
        var baselines = DumpBaselines();
        var apps = new[] { "app_weak", "app_version", "app_missing" }.Select(a => Path.Combine(Out, "apps", a)).ToArray();
        var (code, stdout, stderr) = CliRunner.Run(["compat", .. apps, "--baselines", .. baselines, "--json"]);
        Assert.True(code == 12, stderr);
        LddReport.AssertJsonLinesAgree(stdout, apps, _stubs.FullName);

        var (ok, text, _) = CliRunner.Run(["compat", apps[0], "--baselines", .. baselines]);
        Assert.Equal(0, ok);
        Assert.Contains(": compatible", text, StringComparison.Ordinal);

        var (twoTargets, _, err) = CliRunner.Run(["compat", apps[0], "--baselines", baselines[0], "--lib-path", TargetDir]);
        Assert.Equal(1, twoTargets);
        Assert.Contains("exactly one target", err, StringComparison.Ordinal);

        var (notBaseline, _, err2) = CliRunner.Run(["compat", apps[0], "--baselines", Path.Combine(Paths.Fixtures, "compat", "build.sh")]);
        Assert.Equal(1, notBaseline);
        Assert.Contains("build.sh", err2, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_stub_writes_each_baseline_as_a_library_named_after_its_soname()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var baselines = DumpBaselines();
        var outDir = Path.Combine(_stubs.FullName, "out", "nested");
        var (code, stdout, stderr) = CliRunner.Run(["stub", .. baselines, "-o", outDir]);
        Assert.True(code == 0, stderr);
        Assert.Equal(baselines.Length, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (var baseline in baselines)
        {
            var surface = AbiSurface.Open(baseline);
            var stub = Path.Combine(outDir, surface.Soname!);
            Assert.True(File.Exists(stub), stub);
            Assert.Equal(surface.Fingerprint, AbiSurface.Open(stub).Fingerprint);
            var (rc, dynamic, warnings) = Tools.Run(readelf, ["-d", "-W", stub]);
            Assert.True(rc == 0 && warnings.Length == 0, warnings);
            Assert.Contains($"Library soname: [{surface.Soname}]", dynamic, StringComparison.Ordinal);
        }

        var (bad, _, err) = CliRunner.Run(["stub", Path.Combine(Paths.Fixtures, "compat", "build.sh"), "-o", outDir]);
        Assert.Equal(1, bad);
        Assert.Contains("build.sh", err, StringComparison.Ordinal);
    }
}
