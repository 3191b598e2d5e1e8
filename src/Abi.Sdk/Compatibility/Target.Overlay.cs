using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <content>A target with packages installed on top of it, in memory (<see cref="CompatibilityChecker.CheckPackages"/>).</content>
public sealed partial class Target
{
    private readonly Target? _lower; // on a target with packages installed on top: the target they are installed on

    /// <summary>
    /// This target with <paramref name="files"/> installed on top: a new, short-lived target whose own files are only
    /// those; every other file, and the library read from it, comes from this target, which does not change.
    /// <paramref name="libraryPath"/>, when given, replaces the folders searched as LD_LIBRARY_PATH is.
    /// </summary>
    internal Target WithInstalled(IEnumerable<TargetFile> files, string description, IEnumerable<string>? libraryPath = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        System.Collections.Immutable.ImmutableArray<string> path = libraryPath is null ? LibraryPath : [.. libraryPath];
        return new Target(new OverlayFileSystem(_fs, files, description), path, description, Preload, this);
    }

    /// <summary>
    /// On a target with packages installed on top: the layout of the target below when the packages change nothing
    /// ldconfig or the layout detection reads (the configured folders, a <c>libc.so.6</c>, a file in a folder the cache
    /// scans or in place of one), else null: the layout and its cache are then built anew, as ldconfig run after
    /// installing the packages would build them.
    /// </summary>
    private TargetLayout? LowerLayoutIfUnchanged(ElfClass elfClass, ElfMachine machine)
    {
        if (_lower is null || !ConfiguredDirectories.SequenceEqual(_lower.ConfiguredDirectories, StringComparer.Ordinal))
        {
            return null;
        }

        var files = ((OverlayFileSystem)_fs).Entries.Where(e => !e.IsDirectory).Select(e => e.Path).ToList();
        if (files.Any(p => p.EndsWith("/libc.so.6", StringComparison.Ordinal)))
        {
            return null;
        }

        var layout = _lower.LayoutFor(elfClass, machine);
        var scanned = new HashSet<string>(StringComparer.Ordinal);
        var scannedBelow = new List<string>();
        foreach (var dir in ConfiguredDirectories.Concat(layout.DefaultDirectories))
        {
            var hwcaps = layout.HardwareSubdirectories.Where(s => s.StartsWith("glibc-hwcaps/", StringComparison.Ordinal));
            foreach (var folder in hwcaps.Select(s => dir + "/" + s).Prepend(dir))
            {
                if (_fs.Resolve(folder, wantDirectory: true) is { } here)
                {
                    scanned.Add(here);
                }

                if (_lower._fs.Resolve(folder, wantDirectory: true) is { } below)
                {
                    scannedBelow.Add(below);
                }
            }
        }

        foreach (var path in files)
        {
            if (scanned.Contains(MemoryFileSystem.ParentOf(path)) || scannedBelow.Any(f => f == path || f.StartsWith(path + "/", StringComparison.Ordinal)))
            {
                return null;
            }
        }

        return layout;
    }
}
