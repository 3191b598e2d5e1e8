using System.Collections.Concurrent;
using System.Collections.Frozen;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// The files of a target system as the loader sees them: absolute paths inside the target, symbolic links followed
/// inside it (an absolute link in an unpacked tree points into that tree, never to the host).
/// </summary>
internal abstract class TargetFileSystem
{
    private const int MaxLinkHops = 40; // the kernel's MAXSYMLINKS

    /// <summary>What a path is, without following a final symbolic link.</summary>
    internal enum EntryKind
    {
        Missing,
        File,
        Directory,
        Link,
    }

    /// <summary>True for the host's own root, where paths are the host's paths.</summary>
    public abstract bool IsHost { get; }

    /// <summary>A short description for messages.</summary>
    public abstract string Description { get; }

    protected abstract EntryKind Kind(string path, out string? linkTarget);

    /// <summary>What a path is (a final link not followed), for a file system layered over this one.</summary>
    internal EntryKind KindOf(string path, out string? linkTarget) => Kind(path, out linkTarget);

    /// <summary>The text of the file at a resolved path, for a file system layered over this one.</summary>
    internal string ReadResolvedText(string resolvedPath) => ReadAllText(resolvedPath);

    /// <summary>The names in <paramref name="directory"/> (already resolved), files and links alike.</summary>
    public abstract IEnumerable<string> EnumerateNames(string directory);

    /// <summary>Opens the ELF file at a resolved path.</summary>
    /// <exception cref="Elf.ElfFormatException">The file is not well-formed ELF.</exception>
    public abstract Elf.ElfImage OpenElf(string resolvedPath);

    /// <summary>The version of the package that installs the file at a resolved path (RPM targets), or null when unknown.</summary>
    public virtual string? PackageVersionOf(string resolvedPath) => null;

    /// <summary>Reads the text of the file at a resolved path.</summary>
    protected abstract string ReadAllText(string resolvedPath);

    /// <summary>
    /// The first <paramref name="count"/> bytes (or fewer, at the end) of the regular file at a resolved path: what the
    /// loader reads of a file that is not well-formed ELF, to say what it says of it.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read, or is not a regular file (<see cref="IO.NotRegularFileException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">Permission is denied.</exception>
    public abstract ReadOnlyMemory<byte> ReadPrefix(string resolvedPath, int count);

    /// <summary>
    /// Follows symbolic links component by component, as path resolution does, confined to this file system.
    /// Returns the canonical path of a regular file (or directory when <paramref name="wantDirectory"/>), else null.
    /// </summary>
    public string? Resolve(string path, bool wantDirectory = false)
    {
        var (resolved, isDirectory) = ResolveEntry(path);
        return resolved is not null && isDirectory == wantDirectory ? resolved : null;
    }

    /// <summary>
    /// Follows symbolic links as <see cref="Resolve"/> does and returns the canonical path of what the path names,
    /// a regular file or a directory alike (the loader opens a directory found under a library's name, and fails to
    /// read it), or null when nothing is there.
    /// </summary>
    public (string? Path, bool IsDirectory) ResolveEntry(string path)
    {
        if (!path.StartsWith('/'))
        {
            return default;
        }

        var pending = new Stack<string>();
        PushComponents(pending, path);
        var resolved = new List<string>();
        int hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            resolved.Add(part);
            var current = "/" + string.Join('/', resolved);
            switch (Kind(current, out var link))
            {
                case EntryKind.Missing:
                    return default;
                case EntryKind.File:
                    if (pending.Count > 0 && pending.Any(p => p is not ("" or ".")))
                    {
                        return default; // a file used as a directory
                    }

                    return (current, false);
                case EntryKind.Directory:
                    break;
                case EntryKind.Link:
                    if (++hops > MaxLinkHops || string.IsNullOrEmpty(link))
                    {
                        return default;
                    }

                    resolved.RemoveAt(resolved.Count - 1);
                    if (link.StartsWith('/'))
                    {
                        resolved.Clear();
                    }

                    PushComponents(pending, link);
                    break;
            }
        }

        return ("/" + string.Join('/', resolved), true);
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/');
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    /// <summary>Reads a text file (ld.so.conf and its includes), or null when absent.</summary>
    public string? ReadText(string path)
    {
        var resolved = Resolve(path);
        if (resolved is null)
        {
            return null;
        }

        return ReadAllText(resolved);
    }

    /// <summary>Expands a glob whose wildcards (<c>*</c>, <c>?</c>, <c>[…]</c>) may appear in any component, sorted as glob(3) sorts.</summary>
    public IEnumerable<string> Glob(string pattern)
    {
        var parts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { "/" };
        foreach (var part in parts)
        {
            var next = new List<string>();
            bool wild = part.IndexOfAny(['*', '?', '[']) >= 0;
            foreach (var dir in current)
            {
                var candidate = dir == "/" ? "/" + part : dir + "/" + part;
                if (!wild)
                {
                    next.Add(candidate);
                    continue;
                }

                var resolvedDir = Resolve(dir, wantDirectory: true);
                if (resolvedDir is null)
                {
                    continue;
                }

                var names = EnumerateNames(resolvedDir).Where(n => !n.StartsWith('.') && GlobMatch(part, n)).ToList();
                names.Sort(StringComparer.Ordinal);
                next.AddRange(names.Select(n => dir == "/" ? "/" + n : dir + "/" + n));
            }

            current = next;
        }

        return current.Where(p => Resolve(p) is not null);
    }

    internal static bool GlobMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        while (!pattern.IsEmpty)
        {
            char c = pattern[0];
            if (c == '*')
            {
                var rest = pattern[1..];
                for (int i = 0; i <= name.Length; i++)
                {
                    if (GlobMatch(rest, name[i..]))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (name.IsEmpty)
            {
                return false;
            }

            if (c == '[')
            {
                int close = pattern[1..].IndexOf(']');
                if (close >= 0)
                {
                    var set = pattern.Slice(1, close);
                    bool negate = !set.IsEmpty && set[0] is '!' or '^';
                    if (negate)
                    {
                        set = set[1..];
                    }

                    bool hit = false;
                    for (int i = 0; i < set.Length; i++)
                    {
                        if (i + 2 < set.Length && set[i + 1] == '-')
                        {
                            hit |= name[0] >= set[i] && name[0] <= set[i + 2];
                            i += 2;
                        }
                        else
                        {
                            hit |= name[0] == set[i];
                        }
                    }

                    if (hit == negate)
                    {
                        return false;
                    }

                    pattern = pattern[(close + 2)..];
                    name = name[1..];
                    continue;
                }
            }

            if (c != '?' && c != name[0])
            {
                return false;
            }

            pattern = pattern[1..];
            name = name[1..];
        }

        return name.IsEmpty;
    }
}

/// <summary>A folder on disk standing for the root of a system: the host's own "/" or an unpacked distribution.</summary>
internal sealed class DiskFileSystem : TargetFileSystem
{
    private readonly string _root; // without trailing slash; "" for the host
    private readonly ConcurrentDictionary<string, (EntryKind Kind, string? Link)> _kinds = new(StringComparer.Ordinal);

    public DiskFileSystem(string root)
    {
        var full = Path.GetFullPath(root).TrimEnd('/');
        _root = full;
    }

    public override bool IsHost => _root.Length == 0;

    public override string Description => IsHost ? "host" : _root;

    /// <summary>The host path of a path inside this root.</summary>
    public string HostPath(string path) => _root + path;

    protected override EntryKind Kind(string path, out string? linkTarget)
    {
        var entry = _kinds.GetOrAdd(path, static (p, root) =>
        {
            if (OperatingSystem.IsLinux())
            {
                return KindOnLinux(root + p);
            }

            var info = new FileInfo(root + p);
            try
            {
                if (info.LinkTarget is { } link)
                {
                    return (EntryKind.Link, link);
                }
            }
            catch (IOException)
            {
                return (EntryKind.Missing, null);
            }
            catch (UnauthorizedAccessException)
            {
                return (EntryKind.Missing, null);
            }

            if (info.Exists)
            {
                return (EntryKind.File, null);
            }

            return Directory.Exists(root + p) ? (EntryKind.Directory, null) : (EntryKind.Missing, null);
        }, _root);
        linkTarget = entry.Link;
        return entry.Kind;
    }

    /// <summary>
    /// One lstat (statx without following the last link) per path, and readlink for a link: what FileInfo's
    /// LinkTarget, Exists and Directory.Exists answer with a readlink, an lstat and a stat. Anything that cannot be
    /// examined is missing, as there.
    /// </summary>
    private static (EntryKind Kind, string? Link) KindOnLinux(string hostPath)
    {
        int type = IO.RegularFile.LinkStatType(hostPath);
        return type switch
        {
            -1 => (EntryKind.Missing, null),
            IO.RegularFile.LinkType => IO.RegularFile.ReadLinkTarget(hostPath) is { } link ? (EntryKind.Link, link) : (EntryKind.Missing, null),
            IO.RegularFile.DirectoryType => (EntryKind.Directory, null),
            _ => (EntryKind.File, null), // a regular file, or a FIFO, device or socket: FileInfo.Exists says true for them too
        };
    }

    public override IEnumerable<string> EnumerateNames(string directory)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(_root + directory).Select(p => Path.GetFileName(p)).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public override Elf.ElfImage OpenElf(string resolvedPath) => Elf.ElfImage.Open(_root + resolvedPath);

    public override ReadOnlyMemory<byte> ReadPrefix(string resolvedPath, int count)
    {
        using var stream = IO.RegularFile.OpenRead(_root + resolvedPath);
        var buffer = new byte[count];
        int read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        return buffer.AsMemory(0, read);
    }

    protected override string ReadAllText(string resolvedPath)
    {
        try
        {
            // Regular files only: a FIFO in place of ld.so.conf would block the read forever.
            using var reader = new StreamReader(IO.RegularFile.OpenRead(_root + resolvedPath));
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty; // ldconfig skips a configuration file it cannot read
        }
    }
}

/// <summary>Files given by the caller (for example read from RPM payloads): regular files with an opener, and links.</summary>
internal sealed class MemoryFileSystem : TargetFileSystem
{
    private readonly FrozenDictionary<string, TargetFile> _files;
    private readonly FrozenDictionary<string, string[]> _directories;
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _contents = new(StringComparer.Ordinal);

    public MemoryFileSystem(IEnumerable<TargetFile> files, string description)
    {
        Description = description;
        var map = new Dictionary<string, TargetFile>(StringComparer.Ordinal);
        var dirs = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var path = Normalize(file.Path);
            map[path] = file;
            // Every ancestor is a directory unless given as something else.
            var child = path;
            while (child != "/")
            {
                var parent = ParentOf(child);
                if (!dirs.TryGetValue(parent, out var names))
                {
                    dirs[parent] = names = new HashSet<string>(StringComparer.Ordinal);
                }

                names.Add(child[(child.LastIndexOf('/') + 1)..]);
                child = parent;
            }
        }

        _files = map.ToFrozenDictionary(StringComparer.Ordinal);
        _directories = dirs.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
    }

    public override bool IsHost => false;

    public override string Description { get; }

    internal static string Normalize(string path)
    {
        var trimmed = path.TrimStart('.');
        var parts = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "/" + string.Join('/', parts);
    }

    internal static string ParentOf(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    protected override EntryKind Kind(string path, out string? linkTarget)
    {
        linkTarget = null;
        if (_files.TryGetValue(path, out var file))
        {
            if (file.LinkTarget is { } link)
            {
                linkTarget = link;
                return EntryKind.Link;
            }

            return file.IsDirectory ? EntryKind.Directory : EntryKind.File;
        }

        return _directories.ContainsKey(path) ? EntryKind.Directory : EntryKind.Missing;
    }

    public override IEnumerable<string> EnumerateNames(string directory)
        => _directories.TryGetValue(directory, out var names) ? names : [];

    private ReadOnlyMemory<byte> Content(string resolvedPath) => _contents.GetOrAdd(resolvedPath, p => _files[p].OpenContent());

    public override Elf.ElfImage OpenElf(string resolvedPath) => Elf.ElfImage.Parse(Content(resolvedPath), resolvedPath);

    public override string? PackageVersionOf(string resolvedPath) => _files.TryGetValue(resolvedPath, out var file) ? file.PackageVersion : null;
    public override ReadOnlyMemory<byte> ReadPrefix(string resolvedPath, int count)
    {
        var content = Content(resolvedPath);
        return content.Length <= count ? content : content[..count];
    }

    protected override string ReadAllText(string resolvedPath) => System.Text.Encoding.UTF8.GetString(Content(resolvedPath).Span);
}
