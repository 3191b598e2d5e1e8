using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Abi.Sdk.Tests.Compatibility;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>
/// What glibc's loader does with one binary placed at its installed path in an extracted set: the executable run with
/// <c>LD_LIBRARY_PATH=&lt;root&gt;/usr/lib64 LD_BIND_NOW=1</c>, and <c>ldd -r</c> under the same path (the only view of a
/// shared library, which cannot be run).
/// </summary>
/// <param name="Package">The package name the binary came from.</param>
/// <param name="Path">Its installed path.</param>
/// <param name="IsExecutable">True when it has a program interpreter (it was run).</param>
/// <param name="ExitCode">The run's exit status (executables only).</param>
/// <param name="RunOutput">The run's stdout and stderr (executables only).</param>
/// <param name="Ldd">What <c>ldd -r</c> says.</param>
internal sealed partial record LoaderResult(string Package, string Path, bool IsExecutable, int? ExitCode, string? RunOutput, LddReport Ldd)
{
    /// <summary>The loader accepts it: ldd -r finds nothing missing and, for an executable, the run exits 0.</summary>
    public bool Loads => Ldd.Accepts && (!IsExecutable || ExitCode == 0);

    /// <summary>The first problem ldd -r reports (a missing library stops the loader before versions and symbols).</summary>
    public (LoaderFailure Failure, string? Subject, string? SymbolVersion) Failure
        => Ldd.MissingLibraries.Order(StringComparer.Ordinal).FirstOrDefault() is { } library ? (LoaderFailure.MissingLibrary, library, null)
        : Ldd.MissingVersions.OrderBy(v => v.Version, StringComparer.Ordinal).FirstOrDefault() is { Version: not null } version ? (LoaderFailure.MissingVersion, version.Version, null)
        : Ldd.MissingSymbols.OrderBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault() is { Name: not null } symbol ? (LoaderFailure.UndefinedSymbol, symbol.Name, symbol.Version)
        : (LoaderFailure.None, null, null);

    /// <summary>The same problem as the run reports it (its error line), for executables; ldd's view for libraries.</summary>
    public (LoaderFailure Failure, string? Subject, string? SymbolVersion) RunFailure
    {
        get
        {
            if (!IsExecutable)
            {
                return Failure;
            }

            Match m;
            return (m = CannotOpen().Match(RunOutput!)).Success ? (LoaderFailure.MissingLibrary, m.Groups[1].Value, null)
                : (m = VersionNotFound().Match(RunOutput!)).Success ? (LoaderFailure.MissingVersion, m.Groups[1].Value, null)
                : (m = UndefinedSymbol().Match(RunOutput!)).Success ? (LoaderFailure.UndefinedSymbol, m.Groups[1].Value, m.Groups[2].Success ? m.Groups[2].Value : null)
                : (LoaderFailure.None, null, null);
        }
    }

    /// <summary>The loader's error line when it refused the binary (the run's for executables, ldd's for libraries).</summary>
    public string? ErrorLine => (IsExecutable ? RunOutput! : Ldd.Output).Split('\n')
        .Select(l => l.Trim())
        .FirstOrDefault(l => l.Contains("cannot open shared object file", StringComparison.Ordinal) || l.Contains("not found", StringComparison.Ordinal) || l.Contains("undefined symbol", StringComparison.Ordinal));

    /// <summary>Symbols the loader warns have a different size in the shared object than in the binary's copy.</summary>
    public ImmutableArray<string> SizeWarnings
        => [.. SizeWarning().Matches((RunOutput ?? string.Empty) + "\n" + Ldd.Output).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>True when the run and ldd -r tell the same story.</summary>
    public bool ViewsAgree => Failure == RunFailure && (!IsExecutable || (ExitCode == 0) == Ldd.Accepts);

    /// <summary>The result in the terms of <see cref="DistroFixtures"/>' table.</summary>
    public ExpectedLoad Outcome
    {
        get
        {
            var (failure, subject, version) = Failure;
            return new ExpectedLoad(Package, Path, failure, subject, version, SizeWarnings.FirstOrDefault());
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Outcome} (exit {ExitCode?.ToString() ?? "-"})\n{RunOutput}\n{Ldd.Output}";

    [GeneratedRegex(@"error while loading shared libraries: ([^:\s]+): cannot open shared object file")]
    private static partial Regex CannotOpen();

    [GeneratedRegex(@"version `([^']+)' not found")]
    private static partial Regex VersionNotFound();

    [GeneratedRegex(@"undefined symbol: ([^,\s]+)(?:, version (\S+))?")]
    private static partial Regex UndefinedSymbol();

    [GeneratedRegex(@"Symbol `([^']+)' has different size in shared object")]
    private static partial Regex SizeWarning();
}

/// <summary>
/// The loader ground truth of the distribution fixtures: extract a set of RPMs (rpm2cpio | cpio -idm) into a fresh
/// folder, place a binary at its installed path there (so RPATH $ORIGIN names the set's folders), and ask glibc's
/// loader. libc and ld.so are this machine's: the sets carry no glibc.
/// </summary>
internal sealed class LoaderTruth : IDisposable
{
    private LoaderTruth(string root) => Root = root;

    /// <summary>The extracted set.</summary>
    public string Root { get; }

    /// <summary>Extracts <paramref name="rpms"/> into a fresh temporary folder; skips when rpm2cpio or cpio is missing.</summary>
    /// <param name="rpms">The packages of the set (e.g. the rebuild, plus application packages).</param>
    /// <returns>The extracted set; dispose to delete it.</returns>
    public static LoaderTruth Extract(IEnumerable<string> rpms)
    {
        var root = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"loader-truth-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var truth = new LoaderTruth(root);
        try
        {
            foreach (var rpm in rpms)
            {
                ExtractInto(rpm, root);
            }

            return truth;
        }
        catch
        {
            truth.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The loader's verdict on every ELF file of <paramref name="packages"/>, each placed at its installed path in the
    /// set <paramref name="target"/> extracts to; sorted by package, then path.
    /// </summary>
    /// <param name="target">The set the binaries are loaded on.</param>
    /// <param name="packages">The packages whose binaries are judged (the reference's, or applications).</param>
    /// <returns>One result per ELF file.</returns>
    public static ImmutableArray<LoaderResult> Check(IEnumerable<string> target, IEnumerable<string> packages)
    {
        using var set = Extract(target);
        var results = new List<LoaderResult>();
        foreach (var package in packages)
        {
            var name = PackageName(package);
            var unpacked = Path.Combine(set.Root + ".judged", name);
            Directory.CreateDirectory(unpacked);
            try
            {
                ExtractInto(package, unpacked);
                foreach (var file in Directory.EnumerateFiles(unpacked, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    if (new FileInfo(file).LinkTarget is null && ElfKind(file) is { } executable)
                    {
                        results.Add(set.Load(name, file, "/" + Path.GetRelativePath(unpacked, file).Replace('\\', '/'), executable));
                    }
                }
            }
            finally
            {
                Directory.Delete(Path.Combine(set.Root + ".judged"), recursive: true);
            }
        }

        return [.. results.OrderBy(r => r.Package, StringComparer.Ordinal).ThenBy(r => r.Path, StringComparer.Ordinal)];
    }

    /// <summary>The loader's outcome for every reference binary and every application on the rebuild (README.md's tables).</summary>
    /// <returns>Sorted by package, then path; compare with <see cref="DistroFixtures.OnRebuild"/>.</returns>
    public static ImmutableArray<LoaderResult> OnRebuild()
        => Check(DistroFixtures.RebuildPackages, [.. DistroFixtures.ReferencePackages, .. DistroFixtures.AppPackages]);

    /// <summary>
    /// Loads <paramref name="binary"/> as if installed at <paramref name="installedPath"/> in this set: whatever the
    /// set has there is set aside meanwhile and put back afterwards.
    /// </summary>
    /// <param name="package">The package name, for the result.</param>
    /// <param name="binary">The ELF file.</param>
    /// <param name="installedPath">Its absolute installed path.</param>
    /// <param name="isExecutable">Run it (it has a program interpreter); else only <c>ldd -r</c>.</param>
    /// <returns>What the loader did.</returns>
    public LoaderResult Load(string package, string binary, string installedPath, bool isExecutable)
    {
        var placed = Root + installedPath;
        var aside = placed + ".loader-truth-aside";
        Directory.CreateDirectory(Path.GetDirectoryName(placed)!);
        bool existed = File.Exists(placed) || new FileInfo(placed).LinkTarget is not null;
        if (existed)
        {
            File.Move(placed, aside);
        }

        try
        {
            File.Copy(binary, placed);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(placed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            var libraryPath = Root + "/usr/lib64";
            int? exitCode = null;
            string? output = null;
            if (isExecutable)
            {
                var env = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = libraryPath, ["LD_BIND_NOW"] = "1", ["LD_PRELOAD"] = string.Empty };
                var (code, stdout, stderr) = Tools.Run(placed, [], env);
                (exitCode, output) = (code, stdout + stderr);
            }

            return new LoaderResult(package, installedPath, isExecutable, exitCode, output, LddReport.Run(placed, libraryPath));
        }
        finally
        {
            File.Delete(placed);
            if (existed)
            {
                File.Move(aside, placed);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>The package's name, as rpm reports it.</summary>
    internal static string PackageName(string rpm)
    {
        var (code, stdout, stderr) = Tools.Run(Tools.Require("rpm", "rpm"), ["-qp", "--qf", "%{NAME}", rpm]);
        Assert.True(code == 0, $"rpm -qp {rpm}: {stderr}");
        return stdout.Trim();
    }

    private static void ExtractInto(string rpm, string folder)
    {
        var rpm2cpio = Tools.Require("rpm2cpio", "rpm2cpio");
        var cpio = Tools.Require("cpio", "cpio");
        var (code, _, stderr) = Tools.Run("/bin/sh", ["-c", "\"$0\" \"$1\" | \"$2\" -idm --quiet", rpm2cpio, Path.GetFullPath(rpm), cpio], workingDirectory: folder);
        Assert.True(code == 0, $"rpm2cpio {rpm} | cpio -idm: {stderr}");
    }

    /// <summary>Null when <paramref name="file"/> is no ELF file; else whether it has a program interpreter (PT_INTERP), i.e. is run rather than loaded.</summary>
    private static bool? ElfKind(string file)
    {
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            return null;
        }

        // The fixtures are ELF64 little-endian (x86_64): e_phoff at 0x20, e_phentsize at 0x36, e_phnum at 0x38.
        var phoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0x20));
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x36));
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x38));
        for (int i = 0; i < phnum; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(phoff + (i * phentsize))) == 3)
            {
                return true;
            }
        }

        return false;
    }
}
