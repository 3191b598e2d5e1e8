using System.Collections.Immutable;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// A target's files with a package's files installed on top, in memory: the lower file system is only read, so the
/// target it belongs to stays as it was and can be shared. Files are placed where installing them would put them:
/// a folder of the package that the target has as a symbolic link (<c>/lib64</c> → <c>usr/lib64</c>) is followed,
/// as rpm follows it.
/// </summary>
internal sealed class OverlayFileSystem : TargetFileSystem
{
    private readonly TargetFileSystem _lower;
    private readonly MemoryFileSystem _upper;

    public OverlayFileSystem(TargetFileSystem lower, IEnumerable<TargetFile> files, string description)
    {
        _lower = lower;
        Description = description;
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        var placed = new List<TargetFile>();
        foreach (var file in files)
        {
            var path = MemoryFileSystem.Normalize(file.Path);
            if (path == "/")
            {
                continue;
            }

            var name = path[(path.LastIndexOf('/') + 1)..];
            var folder = InstalledFolder(MemoryFileSystem.ParentOf(path), folders);
            var installed = folder == "/" ? "/" + name : folder + "/" + name;
            if (file.IsDirectory && _lower.KindOf(installed, out _) != EntryKind.Missing)
            {
                continue; // the target already has it (as a folder, or a link to one, which rpm keeps)
            }

            placed.Add(file.WithPath(installed));
        }

        _upper = new MemoryFileSystem(placed, description);
        Entries = [.. placed.Select(f => (MemoryFileSystem.Normalize(f.Path), f.IsDirectory))];
    }

    /// <summary>The package's entries, by their installed paths.</summary>
    public ImmutableArray<(string Path, bool IsDirectory)> Entries { get; }

    public override bool IsHost => _lower.IsHost;

    public override string Description { get; }

    /// <summary>True when a resolved path is a regular file of the package, not of the target below.</summary>
    public bool IsPackageFile(string resolvedPath) => _upper.KindOf(resolvedPath, out _) == EntryKind.File;

    /// <summary>Where a folder of the package ends up: its longest existing ancestor resolved in the target, then the new folders.</summary>
    private string InstalledFolder(string folder, Dictionary<string, string> memo)
    {
        if (folder == "/")
        {
            return folder;
        }

        if (memo.TryGetValue(folder, out var known))
        {
            return known;
        }

        var installed = _lower.Resolve(folder, wantDirectory: true);
        if (installed is null)
        {
            var parent = InstalledFolder(MemoryFileSystem.ParentOf(folder), memo);
            var name = folder[(folder.LastIndexOf('/') + 1)..];
            installed = parent == "/" ? "/" + name : parent + "/" + name;
        }

        memo[folder] = installed;
        return installed;
    }

    protected override EntryKind Kind(string path, out string? linkTarget)
    {
        var upper = _upper.KindOf(path, out linkTarget);
        if (upper is EntryKind.File or EntryKind.Link)
        {
            return upper; // a file of the package replaces the target's
        }

        var lower = _lower.KindOf(path, out linkTarget);
        if (lower != EntryKind.Missing)
        {
            return lower;
        }

        linkTarget = null;
        return upper; // a folder only the package has, or nothing
    }

    public override IEnumerable<string> EnumerateNames(string directory)
        => _lower.EnumerateNames(directory).Concat(_upper.EnumerateNames(directory)).Distinct(StringComparer.Ordinal);

    public override Elf.ElfImage OpenElf(string resolvedPath)
        => IsPackageFile(resolvedPath) ? _upper.OpenElf(resolvedPath) : _lower.OpenElf(resolvedPath);

    public override string? PackageVersionOf(string resolvedPath)
        => IsPackageFile(resolvedPath) ? _upper.PackageVersionOf(resolvedPath) : _lower.PackageVersionOf(resolvedPath);
    public override ReadOnlyMemory<byte> ReadPrefix(string resolvedPath, int count)
        => IsPackageFile(resolvedPath) ? _upper.ReadPrefix(resolvedPath, count) : _lower.ReadPrefix(resolvedPath, count);

    protected override string ReadAllText(string resolvedPath)
        => IsPackageFile(resolvedPath) ? _upper.ReadResolvedText(resolvedPath) : _lower.ReadResolvedText(resolvedPath);
}
