using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>What ldconfig reads and builds: the folders of /etc/ld.so.conf and the ld.so.cache made from them.</summary>
internal static class LdConfig
{
    private const int MaxIncludeDepth = 16;

    /// <summary>The folders /etc/ld.so.conf names, <c>include</c> globs expanded in place, duplicates dropped.</summary>
    public static ImmutableArray<string> ReadConfiguredDirectories(TargetFileSystem fs)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Parse(fs, "/etc/ld.so.conf", result, seen, [], 0);
        return [.. result];
    }

    private static void Parse(TargetFileSystem fs, string file, List<string> result, HashSet<string> seen, HashSet<string> including, int depth)
    {
        // A file that includes itself (directly or not) is read once per chain, not forever.
        if (depth > MaxIncludeDepth || !including.Add(file) || fs.ReadText(file) is not { } text)
        {
            return;
        }

        try
        {
            ParseLines(fs, file, text, result, seen, including, depth);
        }
        finally
        {
            including.Remove(file);
        }
    }

    private static void ParseLines(TargetFileSystem fs, string file, string text, List<string> result, HashSet<string> seen, HashSet<string> including, int depth)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw;
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("include", StringComparison.Ordinal) && line.Length > 7 && char.IsWhiteSpace(line[7]))
            {
                foreach (var pattern in line[8..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    // A relative pattern is relative to the folder of the file that includes it.
                    var absolute = pattern.StartsWith('/') ? pattern : Path.GetDirectoryName(file) + "/" + pattern;
                    foreach (var included in fs.Glob(absolute))
                    {
                        Parse(fs, included, result, seen, including, depth + 1);
                    }
                }

                continue;
            }

            if (line.StartsWith("hwcap", StringComparison.OrdinalIgnoreCase) && line.Length > 5 && char.IsWhiteSpace(line[5]))
            {
                continue; // hwcap lines name capability bits, not folders
            }

            // Old syntax "dir=TYPE"; trailing slashes do not make another folder.
            int eq = line.IndexOf('=');
            var dir = (eq > 0 ? line[..eq] : line).TrimEnd();
            dir = dir.Length > 1 ? dir.TrimEnd('/') : dir;
            if (dir.StartsWith('/') && seen.Add(dir))
            {
                result.Add(dir);
            }
        }
    }

    /// <summary>
    /// The cache ldconfig builds: every <c>lib*.so*</c> (and <c>ld-*.so*</c>) shared library of the configured folders
    /// then of the trusted default folders, keyed by SONAME (file name when it has none), pointing to the link named
    /// after the SONAME in the library's folder. The first folder that provides a name wins, as the loader's lookup
    /// in a cache sorted by priority finds it. The libraries of each folder's <c>glibc-hwcaps/NAME</c> subfolders
    /// are entered per NAME, for the subfolders the loader supports (<paramref name="hardwareSubdirectories"/>), each
    /// with the ISA level ldconfig records for it (the loader passes over an entry whose level the CPU lacks).
    /// </summary>
    public static (Dictionary<string, string> Plain, Dictionary<string, Dictionary<string, HwcapsCacheEntry>> ByHwcaps) BuildCache(
        Target target, ImmutableArray<string> configured, ImmutableArray<string> defaults, ImmutableArray<string> hardwareSubdirectories, ElfClass cls, ElfMachine machine)
    {
        var fs = target.FileSystem;
        var cache = new Dictionary<string, string>(StringComparer.Ordinal);
        var byHwcaps = new Dictionary<string, Dictionary<string, HwcapsCacheEntry>>(StringComparer.Ordinal);
        var seenDirs = new HashSet<string>(StringComparer.Ordinal);
        var listed = OpenInParallel(target, configured.Concat(defaults));
        foreach (var dir in configured.Concat(defaults))
        {
            var resolvedDir = fs.Resolve(dir, wantDirectory: true);
            if (resolvedDir is null || !seenDirs.Add(resolvedDir))
            {
                continue; // ldconfig skips a folder it has already scanned under another name
            }

            Scan(target, dir, resolvedDir, cls, machine, cache, listed.GetValueOrDefault(resolvedDir));
            foreach (var sub in hardwareSubdirectories)
            {
                if (sub.StartsWith("glibc-hwcaps/", StringComparison.Ordinal) && fs.Resolve(dir + "/" + sub, wantDirectory: true) is { } resolvedSub)
                {
                    if (!byHwcaps.TryGetValue(sub, out var entries))
                    {
                        byHwcaps[sub] = entries = new Dictionary<string, HwcapsCacheEntry>(StringComparer.Ordinal);
                    }

                    var scanned = new Dictionary<string, string>(StringComparer.Ordinal);
                    Scan(target, dir + "/" + sub, resolvedSub, cls, machine, scanned);
                    foreach (var (name, path) in scanned)
                    {
                        if (!entries.ContainsKey(name) && target.Resolve(fs, path) is { } real && target.Surface(fs, real) is { } library)
                        {
                            entries[name] = new HwcapsCacheEntry(path, IsaLevelCheck.AppliesTo(machine) ? IsaLevelCheck.CacheIsaLevel(library.Image) : 0);
                        }
                    }
                }
            }
        }

        return (cache, byHwcaps);
    }

    /// <summary>
    /// Lists the library names of each folder (once) and opens every file they name on every core: the surfaces land
    /// in the target's cache, where the scan in folder order then finds them. Which file wins a name does not depend
    /// on the order files are opened in, only on the scan's; the first check of a target waits for this scan (some
    /// 600 libraries on a desktop system), and the other cores would wait idle for it.
    /// </summary>
    private static Dictionary<string, List<string>> OpenInParallel(Target target, IEnumerable<string> dirs)
    {
        var fs = target.FileSystem;
        var listed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var paths = new List<string>();
        foreach (var dir in dirs)
        {
            if (fs.Resolve(dir, wantDirectory: true) is not { } resolvedDir || listed.ContainsKey(resolvedDir))
            {
                continue;
            }

            var names = LibraryNames(fs, resolvedDir);
            listed[resolvedDir] = names;
            paths.AddRange(names.Select(n => dir + "/" + n));
        }

        if (Environment.ProcessorCount > 1)
        {
            Parallel.ForEach(paths, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path =>
            {
                try
                {
                    if (target.Resolve(fs, path) is { } resolved)
                    {
                        _ = target.Surface(fs, resolved);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A file whose reading throws (a baseline that cannot be a stub): the target keeps the error, and
                    // the scan in order meets it again and raises it where a serial scan would, not wrapped.
                }
            });
        }

        return listed;
    }

    /// <summary>The library names of a folder, sorted ordinally: the scan's order never depends on the order the folder lists them in.</summary>
    private static List<string> LibraryNames(TargetFileSystem fs, string resolvedDir)
    {
        var names = fs.EnumerateNames(resolvedDir).Where(IsLibraryName).ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static void Scan(Target target, string dir, string resolvedDir, ElfClass cls, ElfMachine machine, Dictionary<string, string> cache, List<string>? listed = null)
    {
        var fs = target.FileSystem;
        var names = listed ?? LibraryNames(fs, resolvedDir);
        foreach (var name in names)
        {
            var path = dir + "/" + name;
            var resolved = target.Resolve(fs, path);
            if (resolved is null || target.Surface(fs, resolved) is not { } surface || !surface.IsLoadableLibraryFor(cls, machine))
            {
                continue;
            }

            var key = surface.Image.Soname ?? name;
            if (cache.ContainsKey(key))
            {
                continue;
            }

            var linkPath = dir + "/" + key;
            cache[key] = target.Resolve(fs, linkPath) is not null ? linkPath : path;
        }
    }

    private static bool IsLibraryName(string name)
        => (name.StartsWith("lib", StringComparison.Ordinal) || name.StartsWith("ld-", StringComparison.Ordinal)) && name.Contains(".so", StringComparison.Ordinal);
}

/// <summary>An ld.so.cache entry of a glibc-hwcaps subfolder: the path, and the ISA level ldconfig read (index of the highest GNU_PROPERTY_X86_ISA_1_NEEDED bit).</summary>
internal readonly record struct HwcapsCacheEntry(string Path, int IsaLevel);
