using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// x86 ISA levels against the real loader on CPUs of each level under qemu-user (Fixtures/loader-isa): the "CPU ISA
/// level is lower than required" check of the program and its dependencies, the glibc-hwcaps folder the loader picks
/// (through a library path, and through ld.so.cache in a sysroot), a glibc 2.31 loader that does neither, static
/// executables, and verdicts that do not depend on the machine computing them.
/// </summary>
public class IsaLevelTests
{
    private const string Rtld = "/lib64/ld-linux-x86-64.so.2";

    private static string Out => Path.Combine(Paths.Fixtures, "loader-isa", "out");

    /// <summary>qemu's CPU models, and how a user describes each to the SDK (TCG in Debian 12's qemu has no AVX-512: no v4 model).</summary>
    public static TheoryData<string, string> Models => new()
    {
        { "qemu64", "baseline" },
        { "Nehalem", "x86-64-v2" },
        { "Haswell", "x86-64-v3,platform=haswell" },
    };

    private static string RequireQemu()
    {
        var qemu = Tools.Require("qemu-x86_64", "qemu-user");
        if (!File.Exists(Rtld) || !System.Runtime.Intrinsics.X86.X86Base.X64.IsSupported)
        {
            Assert.Skip("needs an x86-64 machine with glibc");
        }

        return qemu;
    }

    /// <summary>Runs a program under qemu on a CPU model; the environment reaches the guest only (-E). TCG's warnings are dropped.</summary>
    private static (int Code, string Stderr) Run(string model, IEnumerable<string> program, IDictionary<string, string>? environment = null, IEnumerable<string>? qemuOptions = null)
    {
        var args = new List<string> { "-cpu", model };
        args.AddRange(qemuOptions ?? []);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            args.AddRange(["-E", $"{k}={v}"]);
        }

        args.AddRange(program);
        var (code, _, err) = Tools.Run(RequireQemu(), args);
        var lines = err.Split('\n').Where(l => !l.StartsWith("qemu-x86_64: warning", StringComparison.Ordinal));
        return (code, string.Join('\n', lines));
    }

    /// <summary>The object the loader named in "OBJECT: CPU ISA level is lower than required", or null when it did not refuse.</summary>
    private static string? Refused(int code, string stderr)
    {
        const string message = ": CPU ISA level is lower than required";
        var line = stderr.Split('\n').FirstOrDefault(l => l.EndsWith(message, StringComparison.Ordinal));
        if (line is not null)
        {
            Assert.Equal(127, code);
        }

        return line?[..^message.Length];
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_levels_of_a_cpu_are_the_ones_the_loader_sees_on_it(string model, string description)
    {
        var (code, diagnostics, stderr) = Tools.Run(RequireQemu(), ["-cpu", model, Rtld, "--list-diagnostics"]);
        Assert.True(code == 0, stderr);
        var cpu = TargetCpu.Parse(description);
        Assert.Equal($"x86.cpu_features.isa_1=0x{(uint)cpu.X86IsaLevels:x}", diagnostics.Split('\n').Single(l => l.StartsWith("x86.cpu_features.isa_1=", StringComparison.Ordinal)));
        Assert.Equal($"dl_platform=\"{cpu.X86Platform ?? "x86_64"}\"", diagnostics.Split('\n').Single(l => l.StartsWith("dl_platform=", StringComparison.Ordinal)));
    }

    [Fact]
    public void This_machines_cpu_is_the_one_its_loader_sees()
    {
        RequireQemu();
        var (code, diagnostics, err) = Tools.Run(Rtld, ["--list-diagnostics"]);
        Assert.True(code == 0, err);
        Assert.Equal($"x86.cpu_features.isa_1=0x{(uint)TargetCpu.Host.X86IsaLevels:x}", diagnostics.Split('\n').Single(l => l.StartsWith("x86.cpu_features.isa_1=", StringComparison.Ordinal)));
        Assert.Equal($"dl_platform=\"{TargetCpu.Host.X86Platform ?? "x86_64"}\"", diagnostics.Split('\n').Single(l => l.StartsWith("dl_platform=", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_marked_program_or_dependency_is_refused_as_the_loader_refuses_it(string model, string description)
    {
        var cpu = TargetCpu.Parse(description);
        foreach (var app in new[] { "app", "app-v2", "app-v3", "app-v4" })
        {
            foreach (var lib in new[] { "lib", "lib-v2", "lib-v3", "lib-v4" })
            {
                var program = Path.Combine(Out, "apps", app);
                var dir = Path.Combine(Out, lib);
                var (code, stderr) = Run(model, [program], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = dir });
                using var host = Target.LibraryPaths([dir]);
                using var target = host.WithCpu(cpu);
                var verdict = Checker.Check(program, target);
                var refused = Refused(code, stderr);
                var what = $"{app} with {lib} on {model}: loader exit {code} {stderr}; verdict {verdict}";
                Assert.True(refused is null == verdict.IsCompatible, what);
                if (refused is null)
                {
                    Assert.True(code == 0, what);
                    continue;
                }

                // The loader stops at the first object in initialization order (dependencies first); the verdict names them all.
                Assert.Contains(verdict.IsaLevelShortfalls, s => s.Path == refused);
                var first = verdict.IsaLevelShortfalls.FirstOrDefault(s => s.Object != program) ?? verdict.IsaLevelShortfalls[0];
                Assert.Equal(refused, first.Path);
                Assert.Equal(cpu.X86IsaLevels, first.Supported);
                Assert.Contains(LevelOf(first.Path == program ? app : lib), IsaLevelNames.Highest(first.Needed));
                Assert.Contains(verdict.Checks, c => c.Check == LoaderCheck.IsaLevel && c.Performed);
            }
        }
    }

    private static string LevelOf(string name) => name[^2..];

    [Fact]
    public void The_mark_is_read_as_the_loader_reads_it_not_as_readelf_does()
    {
        // The property note's segment declared 4-aligned: the loader skips it; readelf and ldconfig still see v3.
        var program = Path.Combine(Out, "apps", "app");
        var dir = Path.Combine(Out, "lib-v3-note4");
        var (code, stderr) = Run("qemu64", [program], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = dir });
        Assert.True(code == 0, stderr);
        using var host = Target.LibraryPaths([dir]);
        using var target = host.WithCpu(TargetCpu.Baseline);
        var verdict = Checker.Check(program, target);
        Assert.True(verdict.IsCompatible, verdict.ToString());

        using var image = ElfImage.Open(Path.Combine(dir, "libisa.so.1"));
        var (_, notes, _) = Tools.Run(Tools.Require("readelf", "binutils"), ["-n", Path.Combine(dir, "libisa.so.1")]);
        Assert.Contains("x86 ISA needed: x86-64-v3", notes, StringComparison.Ordinal);
        Assert.Equal(ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V3, image.GnuProperties.X86IsaNeeded);
        Assert.Equal(ElfX86IsaLevels.None, IsaLevelCheck.LoaderNeeded(image));
        Assert.Equal(2, IsaLevelCheck.CacheIsaLevel(image));
    }

    [Fact]
    public void An_x86_64_v4_object_runs_where_this_machines_loader_says_it_does()
    {
        // qemu's TCG has no AVX-512: the one v4 CPU to ask may be this machine's own.
        RequireQemu();
        var program = Path.Combine(Out, "apps", "app-v4");
        var dir = Path.Combine(Out, "lib-v4");
        var (code, _, stderr) = Tools.Run(program, [], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = dir });
        using var target = Target.LibraryPaths([dir]);
        var verdict = Checker.Check(program, target);
        Assert.Equal(Refused(code, stderr) is null, verdict.IsCompatible);
        Assert.Equal((TargetCpu.Host.X86IsaLevels & ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V4) != 0, verdict.IsCompatible);
    }

    /// <summary>The libhw file the loader opened last (LD_DEBUG=libs "trying file="): the one it took.</summary>
    private static string? Chosen(string stderr)
        => stderr.Split('\n').Where(l => l.Contains("trying file=", StringComparison.Ordinal) && l.Contains("libhw.so.1", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("trying file=", StringComparison.Ordinal) + 12)..].Trim()).LastOrDefault();

    [Theory]
    [MemberData(nameof(Models))]
    public void The_glibc_hwcaps_folder_of_a_library_path_is_the_one_the_loader_picks(string model, string description)
    {
        var cpu = TargetCpu.Parse(description);
        var program = Path.Combine(Out, "apps", "app-hw");
        foreach (var tree in new[] { "hw-ok", "hw" })
        {
            var dir = Path.Combine(Out, tree);
            var (code, stderr) = Run(model, [program], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = dir, ["LD_DEBUG"] = "libs" });
            using var host = Target.LibraryPaths([dir]);
            using var target = host.WithCpu(cpu);
            var verdict = Checker.Check(program, target);
            var chosen = Chosen(stderr);
            Assert.NotNull(chosen);
            Assert.Equal(chosen, verdict.LoadOrder.Single(o => o.Name == "libhw.so.1").Path);

            // Found through the folder search, a library marked above its folder's level is not passed over: refused.
            var refused = Refused(code, stderr);
            Assert.Equal(refused is null, verdict.IsCompatible);
            Assert.Equal(refused, verdict.IsaLevelShortfalls.SingleOrDefault()?.Path);
        }
    }

    private static string BuildSysroot(string tree)
    {
        var root = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"isa-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var multiarch = Path.Combine(root, "usr/lib/x86_64-linux-gnu");
        Directory.CreateDirectory(multiarch);
        Directory.CreateDirectory(Path.Combine(root, "lib/x86_64-linux-gnu"));
        Directory.CreateDirectory(Path.Combine(root, "lib64"));
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "apps"));
        File.Copy(LddReport.Real("/lib/x86_64-linux-gnu/libc.so.6"), Path.Combine(root, "lib/x86_64-linux-gnu/libc.so.6"));
        File.Copy(LddReport.Real(Rtld), Path.Combine(root, "lib64", "ld-linux-x86-64.so.2"));
        File.WriteAllText(Path.Combine(root, "etc/ld.so.conf"), string.Empty);
        foreach (var file in Directory.GetFiles(Path.Combine(Out, tree), "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(multiarch, Path.GetRelativePath(Path.Combine(Out, tree), file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        File.Copy(Path.Combine(Out, "apps", "app-hw"), Path.Combine(root, "apps", "app-hw"));
        return root;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_cache_entry_of_a_sysroot_is_the_one_the_loader_picks_passing_over_levels_the_cpu_lacks(string model, string description)
    {
        var ldconfig = Tools.Require("ldconfig", "libc-bin");
        RequireQemu();
        if (!File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("needs an x86_64 Debian-layout glibc on this machine");
        }

        var cpu = TargetCpu.Parse(description);
        foreach (var tree in new[] { "hw-ok", "hw" })
        {
            var root = BuildSysroot(tree);
            try
            {
                var (lc, _, lerr) = Tools.Run(ldconfig, ["-r", root]);
                Assert.True(lc == 0, lerr);

                // qemu -L: the loader's opens (ld.so.cache, libraries) are looked up in the sysroot first.
                var (code, stderr) = Run(model, [Path.Combine(root, "apps", "app-hw")], new Dictionary<string, string> { ["LD_DEBUG"] = "libs" }, ["-L", root]);
                Assert.Contains("search cache=/etc/ld.so.cache", stderr, StringComparison.Ordinal);
                using var sysroot = Target.Sysroot(root);
                using var target = sysroot.WithCpu(cpu);
                var verdict = Checker.CheckInstalled("/apps/app-hw", target);
                var path = verdict.LoadOrder.Single(o => o.Name == "libhw.so.1").Path;
                Assert.Equal(Chosen(stderr), path);
                Assert.Equal(Refused(code, stderr) is null, verdict.IsCompatible);
                Assert.True(verdict.IsCompatible, verdict.ToString());
                Assert.Equal(path.Contains("x86-64-v3", StringComparison.Ordinal) ? 3 : path.Contains("x86-64-v2", StringComparison.Ordinal) ? 2 : 1, code);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static string OldGlibc() => global::Abi.Sdk.Tests.Compatibility.OldGlibc.Root();

    [Fact]
    public void A_glibc_2_31_loader_checks_no_isa_level_and_searches_no_glibc_hwcaps_folder()
    {
        RequireQemu();
        var root = OldGlibc();
        var oldRtld = Path.Combine(root, "lib", "x86_64-linux-gnu", "ld-2.31.so");
        var marked = Path.Combine(Out, "apps", "app-rpath-v3");
        using var old = Target.Sysroot(root);

        // Marked x86-64-v3 with a v3 dependency, on a baseline CPU: 2.31 runs it, 2.36 refuses it.
        var (code, stderr) = Run("qemu64", [oldRtld, marked]);
        Assert.True(code == 0, stderr);
        var verdict = Checker.Check(marked, old);
        Assert.True(verdict.IsCompatible, verdict.ToString());
        Assert.Empty(verdict.IsaLevelShortfalls);
        Assert.Contains(verdict.Checks, c => c.Check == LoaderCheck.IsaLevel && !c.Performed && c.Detail.Contains("older than 2.33", StringComparison.Ordinal));

        var (newCode, newErr) = Run("qemu64", [Rtld, marked]);
        using var host = Target.Host();
        using var baseline = host.WithCpu(TargetCpu.Baseline);
        var onNew = Checker.Check(marked, baseline);
        Assert.Equal(Refused(newCode, newErr), onNew.IsaLevelShortfalls.FirstOrDefault(s => s.Object != marked)?.Path);

        // On an x86-64-v3 CPU 2.31 takes the plain library; 2.36 the glibc-hwcaps/x86-64-v3 one.
        var hw = Path.Combine(Out, "apps", "app-hw-rpath");
        var (oldHw, _) = Run("Haswell", [oldRtld, hw]);
        using var oldV3 = old.WithCpu(TargetCpu.X86_64V3);
        Assert.Equal(Path.Combine(Out, "hw-ok", "libhw.so.1"), Checker.Check(hw, oldV3).LoadOrder.Single(o => o.Name == "libhw.so.1").Path);
        Assert.Equal(1, oldHw);
        var (newHw, _) = Run("Haswell", [Rtld, hw]);
        using var v3 = host.WithCpu(TargetCpu.X86_64V3);
        Assert.Equal(Path.Combine(Out, "hw-ok", "glibc-hwcaps", "x86-64-v3", "libhw.so.1"), Checker.Check(hw, v3).LoadOrder.Single(o => o.Name == "libhw.so.1").Path);
        Assert.Equal(3, newHw);
    }

    private static string BuildStatic(string flag, string mark)
    {
        var gcc = Tools.Require("gcc", "gcc");
        var dir = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"isa-static-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var output = Path.Combine(dir, $"static{flag}-{mark}");
        var (code, _, err) = Tools.Run(gcc, [flag, "-Os", "-s", $"-Wl,-z,{mark}", "-o", output, Path.Combine(Out, "..", "src", "static.c")]);
        Assert.True(code == 0, err);
        return output;
    }

    [Theory]
    [InlineData("-static")]
    [InlineData("-static-pie")]
    public void A_static_executable_marked_above_the_cpu_runs_and_the_verdict_says_what_was_not_checked(string flag)
    {
        RequireQemu();
        var program = BuildStatic(flag, "x86-64-v3");
        var (code, stderr) = Run("Nehalem", [program]);
        Assert.True(code == 0, stderr);

        // ldd: no loader is involved.
        var (_, lddOut, lddErr) = Tools.Run(Tools.Require("ldd", "libc-bin"), [program]);
        Assert.Matches("statically linked|not a dynamic executable", lddOut + lddErr);

        // The kernel-version check went with glibc 2.36: a kernel older than the ABI tag's runs it.
        var (oldKernel, oldErr) = Run("Nehalem", [program], qemuOptions: ["-r", "2.6.32"]);
        Assert.True(oldKernel == 0, oldErr);

        using var sysroot = Target.Sysroot(Path.GetDirectoryName(program)!);
        using var v2 = sysroot.WithCpu(TargetCpu.X86_64V2);
        using var target = v2.WithKernel(new Version(2, 6, 32));
        var verdict = Checker.Check(program, target);
        Assert.False(verdict.IsDynamic);
        Assert.True(verdict.IsCompatible, verdict.ToString());
        var isa = verdict.Checks.Single(c => c.Check == LoaderCheck.IsaLevel);
        Assert.False(isa.Performed);
        Assert.Contains("marked x86-64-v3", isa.Detail, StringComparison.Ordinal);
        Assert.Contains("lacks", isa.Detail, StringComparison.Ordinal);
        Assert.False(verdict.Checks.Single(c => c.Check == LoaderCheck.KernelVersion).Performed);
        Assert.All(verdict.Checks.Where(c => c.Check is LoaderCheck.LibrarySearch or LoaderCheck.VersionNeeds or LoaderCheck.SymbolBinding),
            c => Assert.StartsWith("not applicable", c.Detail, StringComparison.Ordinal));

        var text = new StringWriter { NewLine = "\n" };
        CompatibilityTextReport.Write(verdict, text);
        Assert.StartsWith($"{program}: compatible (statically linked)\n", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("  not checked ISA level: ", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_static_glibc_2_36_program_names_its_release_and_has_no_kernel_check()
    {
        RequireQemu();
        const string ldconfig = "/sbin/ldconfig"; // Debian's is static-pie
        if (!File.Exists(ldconfig))
        {
            Assert.Skip("needs Debian's static /sbin/ldconfig");
        }

        var (code, stderr) = Run("qemu64", [ldconfig, "--version"], qemuOptions: ["-r", "2.6.32"]);
        Assert.True(code == 0, stderr);
        using var sysroot = Target.Sysroot("/");
        using var target = sysroot.WithKernel(new Version(2, 6, 32));
        var verdict = Checker.Check(ldconfig, target);
        Assert.False(verdict.IsDynamic);
        Assert.True(verdict.IsCompatible);
        Assert.Matches(@"^not checked: its glibc 2\.\d+, its startup has no kernel-version check", verdict.Checks.Single(c => c.Check == LoaderCheck.KernelVersion).Detail);
    }

    private static string Describe(CompatibilityVerdict verdict)
    {
        var text = new StringWriter { NewLine = "\n" };
        CompatibilityTextReport.Write(verdict, text);
        return text + string.Join("\n", verdict.LoadOrder.Select(o => o.Path));
    }

    private static string CheckAll(Func<Target> make, string app)
    {
        using var target = make();
        return string.Join("\n", new[] { "app-hw", "app-v2", app }.Select(a =>
        {
            using var image = ElfImage.Open(Path.Combine(Out, "apps", a));
            return Describe(target.IsHost ? Checker.Check(Path.Combine(Out, "apps", a), target) : Checker.CheckAt(image, "/apps/" + a, target));
        }));
    }

    [Fact]
    public void Verdicts_for_foreign_targets_do_not_depend_on_the_machine_that_computes_them()
    {
        var files = Directory.GetFiles(Path.Combine(Out, "hw-ok"), "*", SearchOption.AllDirectories)
            .Select(f => TargetFile.FromBytes("/usr/lib64/" + Path.GetRelativePath(Path.Combine(Out, "hw-ok"), f), File.ReadAllBytes(f)))
            .Append(TargetFile.FromBytes("/usr/lib64/libisa.so.1", File.ReadAllBytes(Path.Combine(Out, "lib-v3", "libisa.so.1"))))
            .ToList();
        if (!File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            Assert.Skip("needs an x86_64 Debian-layout glibc on this machine");
        }

        var sysroot = BuildSysroot("hw-ok");
        File.Copy(Path.Combine(Out, "lib-v3", "libisa.so.1"), Path.Combine(sysroot, "usr/lib/x86_64-linux-gnu/libisa.so.1"));
        string Foreign() => CheckAll(() => Target.FromFiles(files, "files"), "app-v3") + "\n--\n" + CheckAll(() => Target.Sysroot(sysroot), "app-v3");
        string Host() => CheckAll(() => Target.LibraryPaths([Path.Combine(Out, "hw-ok"), Path.Combine(Out, "lib-v3")]), "app-v3");

        string foreignOnV2, foreignOnV4, hostOnV2, hostOnV4;
        using (TargetCpu.SubstituteHost(TargetCpu.X86_64V2))
        {
            foreignOnV2 = Foreign();
            hostOnV2 = Host();
        }

        using (TargetCpu.SubstituteHost(TargetCpu.Parse("x86-64-v4,platform=haswell,avx512_1")))
        {
            foreignOnV4 = Foreign();
            hostOnV4 = Host();
        }

        Directory.Delete(sysroot, recursive: true);
        Assert.Equal(foreignOnV2, foreignOnV4);
        Assert.NotEqual(hostOnV2, hostOnV4);
        Assert.Contains("glibc-hwcaps/x86-64-v2/libhw.so.1", hostOnV2, StringComparison.Ordinal);
        Assert.Contains("glibc-hwcaps/x86-64-v3/libhw.so.1", hostOnV4, StringComparison.Ordinal);
        Assert.Contains("CPU ISA level is lower than required", hostOnV2, StringComparison.Ordinal);
        Assert.DoesNotContain("CPU ISA level is lower than required", hostOnV4, StringComparison.Ordinal);
    }

    [Fact]
    public void The_loaders_reading_of_the_mark_agrees_with_readelf_on_this_machines_libraries()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var folder = "/usr/lib/x86_64-linux-gnu";
        if (!Directory.Exists(folder))
        {
            Assert.Skip("needs an x86_64 Debian-layout library folder");
        }

        var files = Directory.GetFiles(folder, "*.so*").Where(f => !Directory.Exists(f)).Order(StringComparer.Ordinal).Take(400).ToList();
        int marked = 0;
        foreach (var file in files)
        {
            ElfImage image;
            try
            {
                image = ElfImage.Open(file);
            }
            catch (ElfFormatException)
            {
                continue; // linker scripts named .so
            }

            using (image)
            {
                var (_, notes, _) = Tools.Run(readelf, ["-n", file]);
                var line = notes.Split('\n').FirstOrDefault(l => l.Contains("x86 ISA needed:", StringComparison.Ordinal));
                var expected = ElfX86IsaLevels.None;
                foreach (var name in line?[(line.IndexOf("x86 ISA needed:", StringComparison.Ordinal) + 15)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [])
                {
                    expected |= name switch
                    {
                        "x86-64-baseline" => ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_BASELINE,
                        "x86-64-v2" => ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V2,
                        "x86-64-v3" => ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V3,
                        "x86-64-v4" => ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V4,
                        _ => throw new InvalidOperationException($"{file}: readelf says {line}"),
                    };
                }

                marked += expected == ElfX86IsaLevels.None ? 0 : 1;
                Assert.True(expected == IsaLevelCheck.LoaderNeeded(image), $"{file}: readelf {expected}, loader's reading {IsaLevelCheck.LoaderNeeded(image)}");
                int highest = expected == ElfX86IsaLevels.None ? 0 : 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)expected);
                Assert.True(highest == IsaLevelCheck.CacheIsaLevel(image), $"{file}: ldconfig's reading {IsaLevelCheck.CacheIsaLevel(image)}, expected {highest}");
            }
        }

        Assert.True(marked > 0, "no library of this machine carries an ISA mark");
    }

    [Fact]
    public void A_distribution_verdict_names_the_shortfall_as_ABI3045()
    {
        var app = Path.Combine(Out, "apps", "app-v2");
        var lib = Path.Combine(Out, "lib-v3");
        using var host = Target.LibraryPaths([lib]);
        using var target = host.WithCpu(TargetCpu.X86_64V2);
        var verdict = Checker.Check(app, target);
        var problem = global::Abi.Sdk.Distribution.DistributionComparer.Problems(verdict, "pkg", "/usr/bin/app").Single().Diagnostic;
        Assert.Equal("ABI3045", problem.Id);
        Assert.Equal($"/usr/bin/app: {lib}/libisa.so.1: CPU ISA level is lower than required (needs x86-64-v3, the CPU has x86-64-v2)", problem.Message);
        Assert.Equal(["libisa.so.1", app], problem.NeededBy!.Objects);
    }

    [Theory]
    [InlineData("baseline", "baseline", 1)]
    [InlineData("x86-64", "baseline", 1)]
    [InlineData(" X86-64-V2 ", "x86-64-v2", 3)]
    [InlineData("x86-64-v3", "x86-64-v3", 7)]
    [InlineData("x86-64-v3,platform=haswell", "x86-64-v3,platform=haswell", 7)]
    [InlineData("x86-64-v4, platform=haswell, avx512_1", "x86-64-v4,platform=haswell,avx512_1", 15)]
    [InlineData("x86-64-v4,platform=x86_64", "x86-64-v4", 15)]
    [InlineData("x86-64-v3,platform=xeon_phi", "x86-64-v3,platform=xeon_phi", 7)]
    public void Cpu_descriptions_parse_to_their_canonical_name_and_levels(string text, string name, uint levels)
    {
        var cpu = TargetCpu.Parse(text);
        Assert.Equal(name, cpu.Name);
        Assert.Equal(levels, (uint)cpu.X86IsaLevels);
        Assert.False(cpu.IsHost);
    }

    [Theory]
    [InlineData("")]
    [InlineData("skylake")]
    [InlineData("x86-64-v5")]
    [InlineData("x86-64-v2,x86-64-v3")]
    [InlineData("platform=haswell")]
    [InlineData("x86-64-v2,platform=haswell")]
    [InlineData("x86-64-v3,avx512_1")]
    [InlineData("x86-64-v4,platform=xeon_phi,avx512_1")]
    [InlineData("x86-64-v4,platform=zen")]
    [InlineData("host,x86-64-v2")]
    [InlineData("x86-64-v3,sse5")]
    public void Unknown_or_inconsistent_cpu_descriptions_are_refused(string text)
        => Assert.Throws<FormatException>(() => TargetCpu.Parse(text));

    [Fact]
    public void Abi_compat_takes_the_cpu_and_reports_the_shortfall()
    {
        var app = Path.Combine(Out, "apps", "app");
        var lib = Path.Combine(Out, "lib-v3");
        var (code, stdout, stderr) = CliRunner.Run(["compat", "--lib-path", lib, "--cpu", "x86-64-v2", app]);
        Assert.True(code == 12, stdout + stderr);
        Assert.Contains($"CPU ISA level is lower than required: {lib}/libisa.so.1 needs x86-64-v3, the target's CPU has x86-64-v2 (needed by {app})", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run(["compat", "--lib-path", lib, "--cpu", "x86-64-v3", "--json", app]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("{\"check\":\"isaLevel\",\"performed\":true", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run(["compat", "--lib-path", lib, "--cpu", "x86-64-v2", "--json", app]);
        Assert.Equal(12, code);
        Assert.Contains("\"isaLevelShortfalls\":[{\"object\":\"libisa.so.1\"", stdout, StringComparison.Ordinal);
        Assert.Contains("\"needed\":\"x86-64-v3\",\"targetLevel\":\"x86-64-v2\"", stdout, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run(["compat", "--lib-path", lib, "--cpu", "pentium", app]);
        Assert.Equal(1, code);
        Assert.Contains("--cpu: unknown word 'pentium'", stderr, StringComparison.Ordinal);
    }
}
