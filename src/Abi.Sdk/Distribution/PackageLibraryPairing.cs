using System.Text;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>
/// Pairs each shared library of an old build with its counterpart in the new build, as abipkgdiff does: the same
/// path, else the same SONAME, else a SONAME that differs only by its version suffix (so a SONAME bump is reported
/// as the ABI1010 of the pair rather than as a library gone). Also says which libraries are private DSOs.
/// </summary>
internal sealed class PackageLibraryPairing
{
    /// <summary>The loader's default folders (glibc's trusted directories on the usual targets).</summary>
    private static readonly string[] DefaultFolders = ["/lib64", "/usr/lib64", "/lib", "/usr/lib"];

    private readonly HashSet<string> _oldLibraryPaths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RpmFile> _oldFiles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _publicFolders = new(DefaultFolders, StringComparer.Ordinal);

    public PackageLibraryPairing(PackageContent oldPackage, PackageContent newPackage)
    {
        var olds = oldPackage.ElfFiles.Where(IsLibrary).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var news = newPackage.ElfFiles.Where(IsLibrary).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var counterpart = new PackageElfFile?[olds.Count];
        var used = new HashSet<PackageElfFile>(ReferenceEqualityComparer.Instance);

        // Three passes, so that a path match is never taken by an earlier library's looser match.
        for (int i = 0; i < olds.Count; i++)
        {
            counterpart[i] = Take(news.Where(n => n.Path == olds[i].Path));
        }

        for (int i = 0; i < olds.Count; i++)
        {
            if (counterpart[i] is null && olds[i].Soname is { } soname)
            {
                counterpart[i] = Take(Preferred(olds[i], news.Where(n => n.Soname == soname)));
            }
        }

        for (int i = 0; i < olds.Count; i++)
        {
            if (counterpart[i] is null)
            {
                var stem = Stem(olds[i]);
                counterpart[i] = Take(Preferred(olds[i], news.Where(n => Stem(n) == stem)));
            }
        }

        Pairs = [.. olds.Select((o, i) => (o, counterpart[i]))];
        foreach (var o in olds)
        {
            _oldLibraryPaths.Add(o.Path);
        }

        foreach (var f in oldPackage.Files)
        {
            _oldFiles.TryAdd(f.Path, f);
        }

        foreach (var folder in ConfiguredFolders(oldPackage))
        {
            _publicFolders.Add(folder);
        }

        PackageElfFile? Take(IEnumerable<PackageElfFile> candidates)
        {
            foreach (var c in candidates)
            {
                if (used.Add(c))
                {
                    return c;
                }
            }

            return null;
        }
    }

    /// <summary>Every library of the old build, by path, with its counterpart or null.</summary>
    public IReadOnlyList<(PackageElfFile Old, PackageElfFile? New)> Pairs { get; }

    /// <summary>
    /// A shared library: an ET_DYN object with a dynamic section that has a SONAME, or whose name has <c>.so</c> and
    /// that lies in a library folder (a PIE executable is ET_DYN too, and is not a library).
    /// </summary>
    internal static bool IsLibrary(PackageElfFile file)
    {
        if (!file.IsSharedObject)
        {
            return false;
        }

        if (file.Soname is not null)
        {
            return true;
        }

        var name = Path.GetFileName(file.Path);
        return name.Contains(".so", StringComparison.Ordinal) && InLibraryFolder(file.Path);
    }

    private static bool InLibraryFolder(string path)
    {
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
        {
            if (segment is "lib" or "lib64" or "lib32" or "libx32")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The SONAME (else the file name) without the version after <c>.so</c>: <c>libd.so.1</c> → <c>libd.so</c>.</summary>
    internal static string Stem(PackageElfFile file)
    {
        var name = file.Soname ?? Path.GetFileName(file.Path);
        int at = name.IndexOf(".so.", StringComparison.Ordinal);
        return at < 0 ? name : name[..(at + 3)];
    }

    /// <summary>Candidates with the old library's file name first, then those in the same folder, then by path.</summary>
    private static IEnumerable<PackageElfFile> Preferred(PackageElfFile old, IEnumerable<PackageElfFile> candidates)
    {
        var name = Path.GetFileName(old.Path);
        var folder = Path.GetDirectoryName(old.Path);
        return candidates
            .OrderBy(c => Path.GetFileName(c.Path) == name ? 0 : 1)
            .ThenBy(c => Path.GetDirectoryName(c.Path) == folder ? 0 : 1)
            .ThenBy(c => c.Path, StringComparer.Ordinal);
    }

    /// <summary>
    /// Whether the removal of an old path is the library pairing's to report: the path is an old shared library, or a
    /// symbolic link (through links) to one.
    /// </summary>
    public bool CoversRemoval(string path, RpmFile file)
    {
        for (int hops = 0; hops < 16; hops++)
        {
            if (_oldLibraryPaths.Contains(path))
            {
                return true;
            }

            if (!file.IsSymbolicLink || string.IsNullOrEmpty(file.LinkTarget))
            {
                return false;
            }

            path = Resolve(path, file.LinkTarget);
            if (_oldLibraryPaths.Contains(path))
            {
                return true;
            }

            if (!_oldFiles.TryGetValue(path, out file!))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// A private DSO: a library outside the loader's search path, that is outside its default folders (and their
    /// <c>glibc-hwcaps</c> subfolders) and outside the folders the old build's own <c>/etc/ld.so.conf*</c> files name.
    /// </summary>
    public bool IsPrivate(PackageElfFile library)
    {
        var folder = Path.GetDirectoryName(library.Path) ?? "/";
        if (_publicFolders.Contains(folder))
        {
            return false;
        }

        // glibc-hwcaps/<level> under a searched folder is searched before it (glibc 2.33 and later).
        var parent = Path.GetDirectoryName(folder);
        return !(parent is not null && Path.GetFileName(parent) == "glibc-hwcaps" && Path.GetDirectoryName(parent) is { } top && _publicFolders.Contains(top));
    }

    /// <summary>The absolute folders named by the package's <c>/etc/ld.so.conf</c> and <c>/etc/ld.so.conf.d/*.conf</c> files.</summary>
    private static IEnumerable<string> ConfiguredFolders(PackageContent package)
    {
        foreach (var file in package.InstalledFiles)
        {
            if (file.IsDirectory || file.LinkTarget is not null
                || !(file.Path == "/etc/ld.so.conf" || (file.Path.StartsWith("/etc/ld.so.conf.d/", StringComparison.Ordinal) && file.Path.EndsWith(".conf", StringComparison.Ordinal))))
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(file.OpenContent().Span);
            foreach (var raw in text.Split('\n'))
            {
                var line = raw;
                int hash = line.IndexOf('#', StringComparison.Ordinal);
                if (hash >= 0)
                {
                    line = line[..hash];
                }

                line = line.Trim();
                if (line.StartsWith("include", StringComparison.Ordinal) || line.StartsWith("hwcap", StringComparison.Ordinal))
                {
                    continue;
                }

                // ldconfig separates folders by white space, ':' or ','.
                foreach (var token in line.Split([' ', '\t', ':', ',', '='], StringSplitOptions.RemoveEmptyEntries))
                {
                    if (token.StartsWith('/'))
                    {
                        yield return token.Length > 1 ? token.TrimEnd('/') : token;
                    }
                }
            }
        }
    }

    /// <summary>A link target resolved against the link's folder, <c>.</c> and <c>..</c> folded.</summary>
    private static string Resolve(string linkPath, string target)
    {
        var full = target.StartsWith('/') ? target : (Path.GetDirectoryName(linkPath) ?? "/") + "/" + target;
        var parts = new List<string>();
        foreach (var segment in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(segment);
        }

        return "/" + string.Join('/', parts);
    }
}
