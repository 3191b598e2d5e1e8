using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// What glibc's loader says in trace mode (<c>ldd -r</c>: LD_TRACE_LOADED_OBJECTS, LD_WARN, LD_BIND_NOW), parsed into
/// the same terms as a <see cref="CompatibilityVerdict"/>: file names, not paths, so relative and absolute spellings agree.
/// </summary>
internal sealed partial record LddReport(
    IReadOnlyList<(string Name, string Path)> Loaded,
    IReadOnlySet<string> MissingLibraries,
    IReadOnlySet<(string Library, string Version, string RequiredBy)> MissingVersions,
    IReadOnlySet<(string Name, string? Version, string Object)> MissingSymbols,
    IReadOnlySet<(string Library, string Version, string RequiredBy)> WeakVersions,
    IReadOnlySet<string> IgnoredPreloads,
    string Output)
{
    public bool Accepts => MissingLibraries.Count == 0 && MissingVersions.Count == 0 && MissingSymbols.Count == 0;

    public static LddReport Run(string binary, string? libraryPath = null, string? preload = null)
    {
        var ldd = Tools.Require("ldd", "libc-bin");
        var env = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = libraryPath ?? string.Empty, ["LD_PRELOAD"] = preload ?? string.Empty };
        var (_, stdout, stderr) = Tools.Run(ldd, ["-r", binary], env);
        return Parse(stdout + "\n" + stderr);
    }

    public static LddReport Parse(string output, Func<string, string>? realPath = null)
    {
        realPath ??= Real;
        var loaded = new List<(string, string)>();
        var missingLibraries = new HashSet<string>(StringComparer.Ordinal);
        var versions = new HashSet<(string, string, string)>();
        var weak = new HashSet<(string, string, string)>();
        var symbols = new HashSet<(string, string?, string)>();
        var ignored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            Match m;
            if ((m = PreloadIgnored().Match(line)).Success)
            {
                ignored.Add(m.Groups[1].Value);
            }
            else if ((m = NotFound().Match(line)).Success)
            {
                missingLibraries.Add(m.Groups[1].Value);
            }
            else if ((m = Arrow().Match(line)).Success)
            {
                loaded.Add((m.Groups[1].Value, realPath(m.Groups[2].Value)));
            }
            else if ((m = VersionMissing().Match(line)).Success)
            {
                var entry = (Path.GetFileName(m.Groups[2].Value), m.Groups[4].Value, Path.GetFileName(m.Groups[5].Value));
                (m.Groups[3].Success ? weak : versions).Add(entry);
            }
            else if ((m = Undefined().Match(line)).Success)
            {
                symbols.Add((m.Groups[1].Value, m.Groups[2].Success ? m.Groups[2].Value : null, Path.GetFileName(m.Groups[3].Value)));
            }
        }

        return new LddReport(loaded, missingLibraries, versions, symbols, weak, ignored, output);
    }

    /// <summary>The verdict in ldd's terms.</summary>
    public static LddReport FromVerdict(CompatibilityVerdict verdict)
    {
        var loaded = verdict.LoadOrder.Skip(1).Where(o => !o.Name.StartsWith('/')).Select(o => (o.Name, o.Path)).ToList();
        return new LddReport(
            loaded,
            verdict.MissingLibraries.Select(m => m.Name).ToHashSet(StringComparer.Ordinal),
            verdict.MissingVersions.Select(m => (m.Library, m.Version, Path.GetFileName(m.RequiredBy.Object))).ToHashSet(),
            verdict.MissingSymbols.Select(m => (m.Name, m.Version, Path.GetFileName(m.ReferencedBy.Object))).ToHashSet(),
            verdict.MissingWeakVersions.Select(m => (m.Library, m.Version, Path.GetFileName(m.RequiredBy.Object))).ToHashSet(),
            verdict.IgnoredPreloads.ToHashSet(StringComparer.Ordinal),
            verdict.ToString());
    }

    /// <summary>Asserts the verdict says what the loader says: libraries found where it finds them, the same problems.</summary>
    public static void AssertAgrees(LddReport ldd, CompatibilityVerdict verdict)
    {
        var ours = FromVerdict(verdict);
        string context = $"\nldd said:\n{ldd.Output}\nAbi.Sdk said:\n{verdict}\nload order: {string.Join(", ", verdict.LoadOrder.Select(o => $"{o.Name}={o.Path}"))}";
        Assert.True(ldd.MissingLibraries.SetEquals(ours.MissingLibraries), "missing libraries differ" + context);
        Assert.True(ldd.MissingVersions.SetEquals(ours.MissingVersions), "missing versions differ" + context);
        Assert.True(ldd.MissingSymbols.SetEquals(ours.MissingSymbols), "undefined symbols differ" + context);
        Assert.True(ldd.WeakVersions.SetEquals(ours.WeakVersions), "weak versions differ" + context);
        Assert.True(ldd.IgnoredPreloads.SetEquals(ours.IgnoredPreloads), "ignored preloads differ" + context);
        Assert.True(ldd.Loaded.SequenceEqual(ours.Loaded), "load order or paths differ" + context);
        Assert.Equal(ldd.Accepts, verdict.IsCompatible);
    }

    /// <summary>Asserts <c>abi compat --json</c> printed one line per binary, in order, each saying what <c>LD_LIBRARY_PATH=libraryPath ldd -r</c> says.</summary>
    public static void AssertJsonLinesAgree(string stdout, IReadOnlyList<string> binaries, string libraryPath)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(binaries.Count, lines.Length);
        for (int i = 0; i < binaries.Count; i++)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(lines[i]);
            Assert.Equal(binaries[i], doc.RootElement.GetProperty("binary").GetString());
            AssertJsonLineAgrees(Run(binaries[i], libraryPath), doc.RootElement);
        }
    }

    /// <summary>Asserts one line of <c>abi compat --json</c> says what the loader says.</summary>
    public static void AssertJsonLineAgrees(LddReport reference, System.Text.Json.JsonElement o)
    {
        Assert.Equal(reference.Accepts, o.GetProperty("compatible").GetBoolean());
        Assert.Equal(reference.MissingLibraries.Order(), o.GetProperty("missingLibraries").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal(
            reference.MissingVersions.Select(v => $"{v.Library} {v.Version}").Order(),
            o.GetProperty("missingVersions").EnumerateArray().Select(e => $"{e.GetProperty("library").GetString()} {e.GetProperty("version").GetString()}").Order());
        Assert.Equal(
            reference.MissingSymbols.Select(s => $"{s.Name} {s.Version}").Order(),
            o.GetProperty("missingSymbols").EnumerateArray().Select(e => $"{e.GetProperty("name").GetString()} {e.GetProperty("version").GetString()}").Order());
        Assert.Equal(
            reference.WeakVersions.Select(v => $"{v.Library} {v.Version}").Order(),
            o.GetProperty("missingWeakVersions").EnumerateArray().Select(e => $"{e.GetProperty("library").GetString()} {e.GetProperty("version").GetString()}").Order());
    }

    /// <summary>realpath(3): the loader identifies a file by what the path finally names.</summary>
    public static string Real(string path)
    {
        var p = RealPath(path, IntPtr.Zero);
        if (p == IntPtr.Zero)
        {
            return path;
        }

        try
        {
            return Marshal.PtrToStringUTF8(p)!;
        }
        finally
        {
            Free(p);
        }
    }

    [DllImport("libc", EntryPoint = "realpath", CharSet = CharSet.Ansi)]
    private static extern IntPtr RealPath(string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);

    [GeneratedRegex(@"ERROR: ld\.so: object '([^']+)' from \S+ cannot be preloaded")]
    private static partial Regex PreloadIgnored();

    [GeneratedRegex(@"^(\S+) => not found$")]
    private static partial Regex NotFound();

    [GeneratedRegex(@"^(\S+) => (\S+) \(0x[0-9a-f]+\)$")]
    private static partial Regex Arrow();

    [GeneratedRegex(@"^(\S+): (\S+): (weak )?version `([^']+)' not found \(required by (\S+)\)$")]
    private static partial Regex VersionMissing();

    [GeneratedRegex(@"^undefined symbol: ([^,\s]+)(?:, version (\S+))?\s+\((\S+)\)$")]
    private static partial Regex Undefined();
}
