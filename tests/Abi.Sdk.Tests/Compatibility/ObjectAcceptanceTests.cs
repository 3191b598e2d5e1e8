using System.Text.Json;
using System.Text.RegularExpressions;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// Which files the loader takes, skips or refuses under a library's name (open_verify, _dl_map_object_from_fd), and
/// I/O that is not absence. Each scenario lays out a program that searches $ORIGIN/first then $ORIGIN/second for
/// libanswer.so (Fixtures/loader-accept, built by its make-fixtures.sh), puts a candidate in first and the good
/// library (or nothing) in second, and compares the verdict with what the real loader does in trace mode: this
/// machine's glibc 2.36 natively, the foreign architectures' loaders under qemu-user with the cross C libraries as
/// the system, and Debian 11's glibc 2.31 under qemu-x86_64 with a faked kernel release.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class ObjectAcceptanceTests : IDisposable
{
    private const string Library = "libanswer.so";
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"abi-sdk-accept-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public ObjectAcceptanceTests()
    {
        Directory.CreateDirectory(_work);
        File.SetUnixFileMode(_work, (UnixFileMode)0x1ed); // 0755: an unprivileged loader must reach it
    }

    public void Dispose()
    {
        foreach (var f in Directory.EnumerateFileSystemEntries(_work, "*", SearchOption.AllDirectories))
        {
            if (File.Exists(f))
            {
                File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        Directory.Delete(_work, recursive: true);
    }

    private static string Fixture(string arch, string file) => Path.Combine(Paths.Fixtures, "loader-accept", arch, file);

    /// <summary>DIR/main, DIR/first/libanswer.so = <paramref name="first"/> (a fixture file, or null), DIR/second/libanswer.so = the good library when <paramref name="second"/>.</summary>
    private string Layout(string arch, string? first, bool second)
    {
        var dir = Path.Combine(_work, $"{arch}-{first ?? "none"}-{second}");
        Directory.CreateDirectory(Path.Combine(dir, "first"));
        Directory.CreateDirectory(Path.Combine(dir, "second"));
        Copy(Fixture(arch, "main"), Path.Combine(dir, "main"));
        if (first is not null)
        {
            Copy(Fixture(arch, first), Path.Combine(dir, "first", Library));
        }

        if (second)
        {
            Copy(Fixture(arch, Library), Path.Combine(dir, "second", Library));
        }

        foreach (var d in new[] { dir, Path.Combine(dir, "first"), Path.Combine(dir, "second") })
        {
            File.SetUnixFileMode(d, (UnixFileMode)0x1ed);
        }

        return dir;
    }

    private static void Copy(string from, string to)
    {
        File.Copy(from, to, overwrite: true);
        File.SetUnixFileMode(to, (UnixFileMode)0x1ed);
    }

    /// <summary>What the loader said of libanswer.so in trace mode.</summary>
    private sealed record LoaderSays(string? LoadedFrom, bool NotFound, string? RefusedObject, string? Message, string Output)
    {
        public static LoaderSays Parse(string output)
        {
            var error = ErrorLine().Match(output);
            if (error.Success)
            {
                return new LoaderSays(null, false, error.Groups[1].Value, error.Groups[2].Value.Trim(), output);
            }

            var arrow = Regex.Match(output, @"^\s*libanswer\.so => (\S+) \(", RegexOptions.Multiline);
            return new LoaderSays(arrow.Success ? LddReport.Real(arrow.Groups[1].Value) : null, Regex.IsMatch(output, @"^\s*libanswer\.so => not found", RegexOptions.Multiline), null, null, output);
        }
    }

    [GeneratedRegex(@"error while loading shared libraries: (\S+): (.*)$", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();

    /// <summary>The verdict says of libanswer.so what the loader said: taken from the same file, not found (with the skipped candidate listed), or the same file refused in the same words.</summary>
    private static void AssertSame(LoaderSays loader, CompatibilityVerdict verdict, string? skipped = null, ObjectRejection? skipReason = null)
    {
        var context = $"\nloader said:\n{loader.Output}\nAbi.Sdk said:\n{verdict}";
        if (loader.RefusedObject is not null)
        {
            var refused = Assert.Single(verdict.RefusedObjects);
            Assert.True(refused.Reason.IsFatal(), context);
            Assert.StartsWith(loader.Message!, refused.Message, StringComparison.Ordinal);
            // open_verify names the file, _dl_map_object_from_fd the name it was searched for.
            Assert.True(loader.RefusedObject == refused.Name || LddReport.Real(loader.RefusedObject) == LddReport.Real(refused.Path), "refused object differs" + context);
            Assert.False(verdict.IsCompatible);
            return;
        }

        Assert.Empty(verdict.RefusedObjects);
        if (loader.NotFound)
        {
            var missing = Assert.Single(verdict.MissingLibraries, m => m.Name == Library);
            if (skipped is not null)
            {
                var candidate = Assert.Single(missing.Candidates);
                Assert.Equal(LddReport.Real(skipped), LddReport.Real(candidate.Path));
                Assert.False(candidate.Reason.IsFatal());
                if (skipReason is { } reason)
                {
                    Assert.Equal(reason, candidate.Reason);
                }
            }

            return;
        }

        Assert.True(loader.LoadedFrom is not null, "the loader loaded nothing" + context);
        Assert.DoesNotContain(verdict.MissingLibraries, m => m.Name == Library);
        var loaded = Assert.Single(verdict.LoadOrder, o => o.Name == Library);
        Assert.Equal(loader.LoadedFrom, LddReport.Real(loaded.Path));
    }

    // ---- x86-64, this machine's loader (glibc 2.36) ----

    /// <summary>
    /// The native loader in ldd's trace mode on a program. The variables are set by env(1) for the program alone:
    /// in the environment of a wrapper (timeout, setpriv) they would trace the wrapper instead.
    /// </summary>
    private static LoaderSays RunNative(string program, string? asUser = null, int timeoutSeconds = 60)
    {
        string[] traced = ["env", "LD_TRACE_LOADED_OBJECTS=1", "LD_BIND_NOW=1", "LD_WARN=yes", "LD_LIBRARY_PATH=", program];
        string[] command = asUser is null ? traced : ["setpriv", $"--reuid={asUser}", $"--regid={asUser}", "--clear-groups", .. traced];
        var (_, stdout, stderr) = Tools.Run("timeout", [timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), .. command]);
        return LoaderSays.Parse(stdout + "\n" + stderr);
    }

    public static TheoryData<string, bool> NativeCandidates => new()
    {
        { "elf32.so", true }, { "elf32.so", false },
        { "text.so", true }, { "short-text.so", true }, { "truncated.so", true },
        { "osabi-freebsd.so", true }, { "abiversion-5.so", true }, { "abiversion-4.so", true }, { "abiversion-3.so", true },
        { "pie.so", true }, { "exec.so", true }, { "relocatable.so", true },
        { "abi-tag.so", true },
    };

    [Theory]
    [MemberData(nameof(NativeCandidates))]
    public void NativeLoaderTakesSkipsOrRefusesAsTheVerdictSays(string candidate, bool goodCopyAfter)
    {
        Tools.Require("ldd", "libc-bin");
        var dir = Layout("x86_64", candidate, goodCopyAfter);
        var main = Path.Combine(dir, "main");
        var loader = RunNative(main);
        using var target = Target.Host();
        var verdict = CompatibilityChecker.Check(main, target);
        AssertSame(loader, verdict, skipped: Path.Combine(dir, "first", Library));

        // ldd -r (the same trace mode, through the ldd script) agrees wherever it lists libraries.
        var ldd = LddReport.Run(main);
        if (loader.RefusedObject is null)
        {
            LddReport.AssertAgrees(ldd, verdict);
        }
        else
        {
            Assert.Contains($"{loader.RefusedObject}: {loader.Message}", ldd.Output, StringComparison.Ordinal);
            Assert.Empty(ldd.Loaded);
        }
    }

    [Fact]
    public void ADirectoryUnderTheNameIsRefusedNotMissing()
    {
        var dir = Layout("x86_64", null, true);
        Directory.CreateDirectory(Path.Combine(dir, "first", Library));
        var main = Path.Combine(dir, "main");
        var loader = RunNative(main);
        Assert.NotNull(loader.RefusedObject); // "cannot read file data: Error 21"
        using var target = Target.Host();
        var verdict = CompatibilityChecker.Check(main, target);
        AssertSame(loader, verdict);
        Assert.Equal(ObjectRejection.CannotRead, verdict.RefusedObjects[0].Reason);
        Assert.Empty(verdict.MissingLibraries);
    }

    [Fact]
    public void AFifoUnderTheNameIsRefusedNotMissing()
    {
        var mkfifo = Tools.Require("mkfifo", "coreutils");
        var dir = Layout("x86_64", null, true);
        var fifo = Path.Combine(dir, "first", Library);
        Assert.Equal(0, Tools.Run(mkfifo, [fifo]).ExitCode);

        // The loader's open(2) blocks on a FIFO with no writer: it never gets past the name.
        var (code, _, _) = Tools.Run("timeout", ["5", "env", "LD_TRACE_LOADED_OBJECTS=1", Path.Combine(dir, "main")]);
        Assert.Equal(CliRunner.TimedOut, code);

        using var target = Target.Host();
        var verdict = CompatibilityChecker.Check(Path.Combine(dir, "main"), target);
        var refused = Assert.Single(verdict.RefusedObjects);
        Assert.Equal(ObjectRejection.CannotRead, refused.Reason);
        Assert.Equal(fifo, refused.Path);
        Assert.Contains("FIFO", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A file its user cannot read: the loader skips it (EACCES) and searches on. The loader runs as an unprivileged
    /// user, and so does the SDK (the <c>abi</c> tool, run as that user): as root both read it.
    /// </summary>
    [Fact]
    public void AnUnreadableFileIsSkippedAsItsUserSeesIt()
    {
        bool root = Environment.UserName == "root";
        var setpriv = root ? Tools.Require("setpriv", "util-linux") : null;
        string? user = root ? "65534" : null;
        foreach (bool second in new[] { true, false })
        {
            var dir = Layout("x86_64", Library, second);
            var unreadable = Path.Combine(dir, "first", Library);
            File.SetUnixFileMode(unreadable, UnixFileMode.None);
            var main = Path.Combine(dir, "main");
            var loader = RunNative(main, asUser: user);
            Assert.Null(loader.RefusedObject);
            Assert.Equal(second, loader.LoadedFrom is not null);

            var (code, stdout, stderr) = user is null
                ? CliRunner.Run(["compat", "--json", "--lib-path", $"{dir}/first:{dir}/second", main])
                : Tools.Run(setpriv!, [$"--reuid={user}", $"--regid={user}", "--clear-groups", "dotnet", Path.Combine(AppContext.BaseDirectory, "abi.dll"), "compat", "--json", "--lib-path", $"{dir}/first:{dir}/second", main],
                    new Dictionary<string, string> { ["HOME"] = _work, ["DOTNET_CLI_HOME"] = _work, ["DOTNET_NOLOGO"] = "1" });
            Assert.True(code is 0 or 12, stderr);
            using var json = JsonDocument.Parse(stdout);
            var o = json.RootElement;
            Assert.Equal(second, o.GetProperty("compatible").GetBoolean());
            Assert.Empty(o.GetProperty("refusedObjects").EnumerateArray());
            if (second)
            {
                Assert.Empty(o.GetProperty("missingLibraries").EnumerateArray());
            }
            else
            {
                Assert.True(loader.NotFound, loader.Output);
                Assert.Equal([Library], o.GetProperty("missingLibraries").EnumerateArray().Select(e => e.GetString()));
                var skipped = Assert.Single(o.GetProperty("skippedCandidates").EnumerateArray());
                Assert.Equal(unreadable, skipped.GetProperty("path").GetString());
                Assert.Equal(nameof(ObjectRejection.Unreadable), skipped.GetProperty("reason").GetString());
                Assert.Equal("Permission denied", skipped.GetProperty("message").GetString());
            }
        }
    }

    /// <summary>
    /// The interpreter is the kernel's to load: a program whose PT_INTERP names a text file, an ARM library or a
    /// directory fails to exec (ELIBBAD, EACCES), one whose interpreter is missing is "not found" (ENOENT).
    /// </summary>
    [Theory]
    [InlineData("text", "Accessing a corrupted shared library")]
    [InlineData("arm", "Accessing a corrupted shared library")]
    [InlineData("directory", "Permission denied")]
    [InlineData("missing", "not found")]
    public void AnInterpreterTheKernelCannotRunIsRefused(string interpreter, string kernelSays)
    {
        var sh = Tools.Require("sh", "dash");
        var dir = Path.Combine(_work, $"interp-{interpreter}");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ed);
        var interp = Path.Combine(dir, "ld.so");
        var main = Path.Combine(dir, "main");
        var bytes = File.ReadAllBytes(Fixture("x86_64", "interp-main"));
        var placeholder = System.Text.Encoding.ASCII.GetBytes("/" + string.Concat(Enumerable.Repeat("abi-sdk-interpreter-placeholder/", 6)) + "ld.so");
        int at = bytes.AsSpan().IndexOf(placeholder);
        Assert.True(at > 0 && interp.Length < placeholder.Length, "the placeholder holds the path");
        placeholder.AsSpan().Clear();
        System.Text.Encoding.ASCII.GetBytes(interp).CopyTo(placeholder, 0);
        placeholder.CopyTo(bytes, at);
        File.WriteAllBytes(main, bytes);
        File.SetUnixFileMode(main, (UnixFileMode)0x1ed);
        switch (interpreter)
        {
            case "text":
                File.WriteAllText(interp, string.Join('\n', Enumerable.Range(1, 50)));
                File.SetUnixFileMode(interp, (UnixFileMode)0x1ed);
                break;
            case "arm":
                Copy(Fixture("arm", Library), interp);
                break;
            case "directory":
                Directory.CreateDirectory(interp);
                break;
        }

        var (code, _, stderr) = Tools.Run(sh, ["-c", $"exec {main}"]);
        Assert.NotEqual(0, code);
        Assert.Contains(kernelSays, stderr, StringComparison.Ordinal);

        using var target = Target.Host();
        var verdict = CompatibilityChecker.Check(main, target);
        Assert.False(verdict.IsCompatible);
        if (interpreter == "missing")
        {
            Assert.Contains(verdict.MissingLibraries, m => m.Name == interp);
            Assert.Empty(verdict.RefusedObjects);
        }
        else
        {
            var refused = Assert.Single(verdict.RefusedObjects);
            Assert.Equal(ObjectRejection.BadInterpreter, refused.Reason);
            Assert.Equal(interp, refused.Name);
            Assert.Contains(kernelSays == "Permission denied" ? "EACCES" : "ELIBBAD", refused.Message, StringComparison.Ordinal);
        }
    }

    // ---- foreign architectures, their own loaders under qemu-user ----

    private static LoaderSays RunEmulated(string qemu, string sysroot, string program)
    {
        var (_, stdout, stderr) = Tools.Run("timeout", ["120", qemu, "-L", sysroot, "-E", "LD_TRACE_LOADED_OBJECTS=1", "-E", "LD_BIND_NOW=1", "-E", "LD_WARN=yes", "-U", "LD_LIBRARY_PATH", program]);
        return LoaderSays.Parse(stdout + "\n" + stderr);
    }

    public static TheoryData<string, string, string, string, string, bool, ObjectRejection?> ForeignCandidates => new()
    {
        // A soft-float (armel) library on a hard-float (armhf) system: skipped.
        { "arm", "qemu-arm", "/usr/arm-linux-gnueabihf", "libc6-armhf-cross", "soft-float.so", true, ObjectRejection.WrongMachine },
        { "arm", "qemu-arm", "/usr/arm-linux-gnueabihf", "libc6-armhf-cross", "soft-float.so", false, ObjectRejection.WrongMachine },
        // An AArch64 library in an armhf folder: another class, skipped.
        { "arm", "qemu-arm", "/usr/arm-linux-gnueabihf", "libc6-armhf-cross", "aarch64.so", true, ObjectRejection.WrongClass },
        { "arm", "qemu-arm", "/usr/arm-linux-gnueabihf", "libc6-armhf-cross", "aarch64.so", false, ObjectRejection.WrongClass },
        // An OS ABI, and an ABI version, the loader does not accept: refused.
        { "arm", "qemu-arm", "/usr/arm-linux-gnueabihf", "libc6-armhf-cross", "osabi-freebsd.so", true, null },
        { "arm", "qemu-arm", "/usr/arm-linux-gnueabihf", "libc6-armhf-cross", "abiversion-5.so", true, null },
        { "arm", "qemu-arm", "/usr/arm-linux-gnueabihf", "libc6-armhf-cross", "abiversion-3.so", true, null },
        // RISC-V: a soft-float (lp64) library for the lp64d loader: skipped.
        { "riscv64", "qemu-riscv64", "/usr/riscv64-linux-gnu", "libc6-riscv64-cross", "soft-float.so", true, ObjectRejection.WrongMachine },
        { "riscv64", "qemu-riscv64", "/usr/riscv64-linux-gnu", "libc6-riscv64-cross", "soft-float.so", false, ObjectRejection.WrongMachine },
        // MIPS: a 2008-NaN library for the legacy-NaN loader: skipped.
        { "mips64el", "qemu-mips64el", "/usr/mips64el-linux-gnuabi64", "libc6-mips64el-cross", "nan2008.so", true, ObjectRejection.WrongMachine },
        { "mips64el", "qemu-mips64el", "/usr/mips64el-linux-gnuabi64", "libc6-mips64el-cross", "nan2008.so", false, ObjectRejection.WrongMachine },
        // MIPS: a soft-float library (PT_MIPS_ABIFLAGS) for a double-float program: skipped.
        { "mips64el", "qemu-mips64el", "/usr/mips64el-linux-gnuabi64", "libc6-mips64el-cross", "soft-float.so", true, ObjectRejection.WrongMachine },
        { "mips64el", "qemu-mips64el", "/usr/mips64el-linux-gnuabi64", "libc6-mips64el-cross", "soft-float.so", false, ObjectRejection.WrongMachine },
    };

    [Theory]
    [MemberData(nameof(ForeignCandidates))]
    public void EmulatedLoaderTakesSkipsOrRefusesAsTheVerdictSays(string arch, string qemu, string sysroot, string package, string candidate, bool goodCopyAfter, ObjectRejection? skipReason)
    {
        var emulator = Tools.Require(qemu, "qemu-user");
        Tools.Require(Path.Combine(sysroot, "lib", "libc.so.6"), package);
        var dir = Layout(arch, candidate, goodCopyAfter);
        var main = Path.Combine(dir, "main");
        var loader = RunEmulated(emulator, sysroot, main);
        using var target = Target.Sysroot(sysroot);
        var verdict = CompatibilityChecker.Check(main, target);
        AssertSame(loader, verdict, skipped: Path.Combine(dir, "first", Library), skipReason: skipReason);
        if (skipReason is null)
        {
            Assert.NotNull(loader.RefusedObject);
        }
        else
        {
            Assert.Null(loader.RefusedObject);
            Assert.Equal(goodCopyAfter, loader.LoadedFrom is not null);
        }
    }

    /// <summary>EI_ABIVERSION 2 with ELFOSABI_GNU is below the ARM loader's LIBC_ABI_MAX (3): taken, where 3 is refused.</summary>
    [Fact]
    public void EmulatedArmLoaderTakesAnAbiVersionBelowItsMaximum()
    {
        var emulator = Tools.Require("qemu-arm", "qemu-user");
        Tools.Require("/usr/arm-linux-gnueabihf/lib/libc.so.6", "libc6-armhf-cross");
        var dir = Layout("arm", "abiversion-2.so", true);
        var main = Path.Combine(dir, "main");
        var loader = RunEmulated(emulator, "/usr/arm-linux-gnueabihf", main);
        Assert.Equal(LddReport.Real(Path.Combine(dir, "first", Library)), loader.LoadedFrom);
        using var target = Target.Sysroot("/usr/arm-linux-gnueabihf");
        AssertSame(loader, CompatibilityChecker.Check(main, target));
    }

    // ---- the kernel: NT_GNU_ABI_TAG under glibc 2.31 (checked) and 2.36 (not) ----

    private static string OldGlibc()
    {
        Tools.Require("qemu-x86_64", "qemu-user");
        return global::Abi.Sdk.Tests.Compatibility.OldGlibc.Root();
    }

    [Theory]
    [InlineData("4.19.0", true)]
    [InlineData("4.19.0", false)]
    [InlineData("6.1.0", true)]
    [InlineData("5.10.0", false)]
    public void AbiTagNewerThanTheKernelIsSkippedBefore236(string kernel, bool goodCopyAfter)
    {
        var root = OldGlibc();
        var dir = Layout("x86_64", "abi-tag.so", goodCopyAfter);
        var main = Path.Combine(dir, "main");
        var (_, stdout, stderr) = Tools.Run("timeout", ["120", "qemu-x86_64", "-r", kernel, "-L", root, "-E", "LD_TRACE_LOADED_OBJECTS=1", "-E", "LD_BIND_NOW=1", Path.Combine(root, "lib", "x86_64-linux-gnu", "ld-2.31.so"), main]);
        var loader = LoaderSays.Parse(stdout + "\n" + stderr);

        using var system = Target.Sysroot(root);
        using var target = system.WithKernel(Version.Parse(kernel));
        var verdict = CompatibilityChecker.Check(main, target);
        AssertSame(loader, verdict, skipped: Path.Combine(dir, "first", Library), skipReason: ObjectRejection.AbiTagMismatch);
        Assert.Contains(verdict.Checks, c => c is { Check: LoaderCheck.KernelVersion, Performed: true });
        bool newer = Version.Parse(kernel) < new Version(5, 10, 0);
        Assert.Equal(newer ? (goodCopyAfter ? Path.Combine(dir, "second", Library) : null) : Path.Combine(dir, "first", Library), loader.LoadedFrom is null ? null : loader.LoadedFrom);
    }

    /// <summary><c>abi compat --kernel</c> gives the target's kernel: the JSON names the skipped candidate as the loader skips it.</summary>
    [Fact]
    public void CompatCommandTakesTheKernel()
    {
        var root = OldGlibc();
        var dir = Layout("x86_64", "abi-tag.so", false);
        var main = Path.Combine(dir, "main");
        var (_, stdout, stderr) = Tools.Run("timeout", ["120", "qemu-x86_64", "-r", "4.19.0", "-L", root, "-E", "LD_TRACE_LOADED_OBJECTS=1", Path.Combine(root, "lib", "x86_64-linux-gnu", "ld-2.31.so"), main]);
        Assert.True(LoaderSays.Parse(stdout + "\n" + stderr).NotFound, stdout + stderr);

        var (code, json, err) = CliRunner.Run(["compat", "--json", "--sysroot", root, "--kernel", "4.19.0-27-amd64", main]);
        Assert.True(code == 12, err);
        using var doc = JsonDocument.Parse(json);
        var skipped = Assert.Single(doc.RootElement.GetProperty("skippedCandidates").EnumerateArray());
        Assert.Equal(nameof(ObjectRejection.AbiTagMismatch), skipped.GetProperty("reason").GetString());
        Assert.Equal(Path.Combine(dir, "first", Library), skipped.GetProperty("path").GetString());

        Assert.Equal(0, CliRunner.Run(["compat", "--sysroot", root, "--kernel", "6.1.0", main]).ExitCode);
        Assert.Equal(1, CliRunner.Run(["compat", "--sysroot", root, "--kernel", "six", main]).ExitCode);
    }

    [Fact]
    public void WithTheKernelUnknownTheVerdictSaysTheAbiTagWasNotChecked()
    {
        var root = OldGlibc();
        var dir = Layout("x86_64", "abi-tag.so", true);
        using var target = Target.Sysroot(root);
        var verdict = CompatibilityChecker.Check(Path.Combine(dir, "main"), target);
        var check = Assert.Single(verdict.Checks, c => c.Check == LoaderCheck.KernelVersion);
        Assert.False(check.Performed);
        var text = new StringWriter();
        verdict.WriteText(text);
        Assert.Contains("not checked kernel version: ", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Glibc236LoaderIgnoresTheAbiTag()
    {
        Tools.Require("qemu-x86_64", "qemu-user");
        var dir = Layout("x86_64", "abi-tag.so", true);
        var main = Path.Combine(dir, "main");
        var (_, stdout, stderr) = Tools.Run("timeout", ["120", "qemu-x86_64", "-r", "4.19.0", "-E", "LD_TRACE_LOADED_OBJECTS=1", "/lib64/ld-linux-x86-64.so.2", main]);
        var loader = LoaderSays.Parse(stdout + "\n" + stderr);
        Assert.Equal(LddReport.Real(Path.Combine(dir, "first", Library)), loader.LoadedFrom);
        using var host = Target.Host();
        using var target = host.WithKernel(new Version(4, 19, 0));
        var verdict = CompatibilityChecker.Check(main, target);
        AssertSame(loader, verdict);
    }

    [Fact]
    public void Glibc231LoaderRefusesAKernelOlderThanItsCLibrary()
    {
        var root = OldGlibc();
        var dir = Layout("x86_64", null, true);
        var main = Path.Combine(dir, "main");
        var (code, stdout, stderr) = Tools.Run("timeout", ["120", "qemu-x86_64", "-r", "3.1.0", "-L", root, Path.Combine(root, "lib", "x86_64-linux-gnu", "ld-2.31.so"), "--list", main]);
        Assert.NotEqual(0, code);
        Assert.Contains("FATAL: kernel too old", stdout + stderr, StringComparison.Ordinal);

        using var system = Target.Sysroot(root);
        using var old = system.WithKernel(new Version(3, 1, 0));
        var refused = Assert.Single(CompatibilityChecker.Check(main, old).RefusedObjects);
        Assert.Equal(ObjectRejection.KernelTooOld, refused.Reason);
        Assert.StartsWith("FATAL: kernel too old", refused.Message, StringComparison.Ordinal);

        using var current = system.WithKernel(new Version(3, 2, 0));
        Assert.Empty(CompatibilityChecker.Check(main, current).RefusedObjects);
    }
}
