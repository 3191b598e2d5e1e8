using System.Collections.Immutable;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Dwarf;

/// <summary>How the DWARF of a file was found.</summary>
public enum DebugInfoSource
{
    /// <summary>The file itself carries <c>.debug_info</c>.</summary>
    InFile,
    /// <summary>A separate debug file named by the build-id: <c>.build-id/NN/REST.debug</c> under a debug root.</summary>
    BuildId,
    /// <summary>A separate debug file named by <c>.gnu_debuglink</c>, its CRC-32 checked.</summary>
    DebugLink,
}

/// <summary>Where a file's DWARF lives.</summary>
/// <param name="Path">The file holding the DWARF: a path on disk, or the installed path of a file of <see cref="FileSet"/>.</param>
/// <param name="Source">How it was found.</param>
public sealed record DebugInfoLocation(string Path, DebugInfoSource Source)
{
    /// <summary>The set the file is in (for example <c>-debuginfo</c> packages read in memory); <see langword="null"/> for a file on disk.</summary>
    public DebugFileSet? FileSet { get; init; }
}

/// <summary>
/// Finds the DWARF of an ELF file as gdb and libabigail do: in the file; else a separate debug file by build-id under
/// each debug root; else by <c>.gnu_debuglink</c> next to the file, in its <c>.debug</c> folder, or under each debug
/// root followed by the file's folder — a candidate counts only when its CRC-32 matches the link's.
/// </summary>
public sealed class DebugInfoLocator
{
    /// <summary>The system's debug root, where distributions install separate debug files.</summary>
    public static ImmutableArray<string> DefaultDebugRoots { get; } = ["/usr/lib/debug"];

    /// <summary>Creates a locator.</summary>
    /// <param name="debugRoots">The debug roots, searched in order (as abidiff's <c>--d1</c>); <see langword="null"/> for <see cref="DefaultDebugRoots"/>.</param>
    public DebugInfoLocator(IEnumerable<string>? debugRoots = null)
    {
        DebugRoots = debugRoots is null ? DefaultDebugRoots : [.. debugRoots];
    }

    /// <summary>Creates a locator that also looks in a set of debug files that are not on disk.</summary>
    /// <param name="debugRoots">The debug roots on disk, searched first; <see langword="null"/> for <see cref="DefaultDebugRoots"/>, empty for none.</param>
    /// <param name="files">The set (for example <c>-debuginfo</c> packages), searched by build-id after the roots.</param>
    public DebugInfoLocator(IEnumerable<string>? debugRoots, DebugFileSet files)
        : this(debugRoots)
    {
        ArgumentNullException.ThrowIfNull(files);
        Files = files;
    }

    /// <summary>The debug roots, in search order.</summary>
    public ImmutableArray<string> DebugRoots { get; }

    /// <summary>The set of debug files searched by build-id after the roots, or <see langword="null"/>.</summary>
    public DebugFileSet? Files { get; }

    /// <summary>Finds the file holding <paramref name="image"/>'s DWARF.</summary>
    /// <param name="image">The file (its <see cref="ElfImage.FileName"/> is used to find debug links and to report the in-file case).</param>
    /// <returns>The location, or <see langword="null"/> when no DWARF was found.</returns>
    /// <exception cref="ElfFormatException">A candidate debug file is not well-formed ELF.</exception>
    public DebugInfoLocation? Locate(ElfImage image) => Locate(image, null);

    /// <summary>
    /// As <see cref="Locate(ElfImage)"/>; <paramref name="rejected"/> receives each file found at a build-id path but
    /// not taken, with why (not readable as ELF, another build-id), so that "not found" can name what was there.
    /// </summary>
    internal DebugInfoLocation? Locate(ElfImage image, List<string>? rejected)
    {
        ArgumentNullException.ThrowIfNull(image);
        if ((image.FindSection(".debug_info") ?? image.FindSection(".zdebug_info")) is { } info && info.Type != ElfSectionType.SHT_NOBITS && info.Size > 0)
        {
            return new DebugInfoLocation(image.FileName ?? string.Empty, DebugInfoSource.InFile);
        }

        if (image.BuildIdHex is { Length: > 2 } id)
        {
            foreach (var root in DebugRoots)
            {
                var candidate = Path.Combine(root, ".build-id", id[..2], id[2..] + ".debug");
                if (File.Exists(candidate) && HasBuildId(candidate, image.BuildId, rejected))
                {
                    return new DebugInfoLocation(candidate, DebugInfoSource.BuildId);
                }
            }
        }

        if (Files is not null && image.BuildIdHex is { } hex && DebugFileSet.BuildIdPath(hex) is { } installed
            && Files.TryGetFile(installed, out var content, out var resolved) && HasBuildId(content, Files.Describe(resolved), image.BuildId))
        {
            return new DebugInfoLocation(resolved, DebugInfoSource.BuildId) { FileSet = Files };
        }

        if (image.DebugLink is { } link && image.FileName is { } fileName)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? ".";
            var candidates = new List<string> { Path.Combine(dir, link.FileName), Path.Combine(dir, ".debug", link.FileName) };
            foreach (var root in DebugRoots)
            {
                candidates.Add(Path.Combine(root, dir.TrimStart('/'), link.FileName));
            }

            var self = Path.GetFullPath(fileName);
            foreach (var candidate in candidates)
            {
                if (File.Exists(candidate) && Path.GetFullPath(candidate) != self && link.Matches(candidate))
                {
                    return new DebugInfoLocation(candidate, DebugInfoSource.DebugLink);
                }
            }
        }

        if (Files is not null && image.DebugLink is { } setLink && image.FileName is { } installedName && installedName.StartsWith('/')
            && FindByDebugLink(Files, installedName, setLink) is { } linked)
        {
            return new DebugInfoLocation(linked, DebugInfoSource.DebugLink) { FileSet = Files };
        }

        return null;
    }

    /// <summary>
    /// A debug link looked up in a set, by the installed path of the linking file, with the rules used on disk: next
    /// to it, in its <c>.debug</c> folder, then under the debug root followed by its folder; only a file whose CRC-32
    /// is the link's, and never the file itself.
    /// </summary>
    private static string? FindByDebugLink(DebugFileSet files, string installedPath, ElfDebugLink link)
    {
        if (link.FileName.Length == 0 || link.FileName.Contains('/', StringComparison.Ordinal))
        {
            return null; // a link names a file, not a path (gdb and libdw take the base name too)
        }

        string dir = DebugFileSet.DirectoryOf(DebugFileSet.Combine("/", installedPath));
        string self = DebugFileSet.Combine("/", installedPath);
        foreach (var candidate in (string[])[DebugFileSet.Combine(dir, link.FileName), DebugFileSet.Combine(dir, ".debug/" + link.FileName), DebugFileSet.Combine(DebugFileSet.DebugRoot + dir, link.FileName)])
        {
            if (candidate != self && files.TryGetFile(candidate, out var content, out var resolved) && resolved != self
                && System.IO.Hashing.Crc32.HashToUInt32(content.Span) == link.Crc32)
            {
                return resolved;
            }
        }

        return null;
    }

    /// <summary>Finds a supplementary file: the recorded name (relative to the linking file's folder), re-rooted under each root, then by build-id.</summary>
    internal static string? FindSupplementary(string? linkingFile, DwarfSupplementaryLink link, ImmutableArray<string> roots)
    {
        var candidates = new List<string>();
        if (Path.IsPathRooted(link.FileName))
        {
            candidates.Add(link.FileName);
        }
        else if (linkingFile is not null)
        {
            candidates.Add(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(linkingFile)) ?? ".", link.FileName));
        }

        string id = Convert.ToHexStringLower(link.BuildId.AsSpan());
        foreach (var root in roots)
        {
            if (id.Length > 2)
            {
                candidates.Add(Path.Combine(root, ".build-id", id[..2], id[2..] + ".debug"));
            }

            // An unpacked debug package keeps the installed layout under its own root.
            foreach (var prefix in DefaultDebugRoots)
            {
                if (link.FileName.StartsWith(prefix + "/", StringComparison.Ordinal))
                {
                    candidates.Add(Path.Combine(root, link.FileName[(prefix.Length + 1)..]));
                }
            }
        }

        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate) && (link.BuildId.IsEmpty || HasBuildId(candidate, link.BuildId, null)))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Where a skeleton's split unit may be, in search order (see <see cref="DwarfFile.GetSplitUnit"/>): packages
    /// first, then the <c>.dwo</c> under comp_dir, the file's folder and the extra folders. A recorded name is used under
    /// a folder only when it stays inside that folder; otherwise only its file name is.
    /// </summary>
    internal static IEnumerable<(string Path, bool Package)> SplitCandidates(string? fileName, string? dwoName, string? compDir, ImmutableArray<string> directories)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? fileDir = fileName is null ? null : Path.GetDirectoryName(Path.GetFullPath(fileName));
        if (fileName is not null)
        {
            string package = Path.GetFileName(fileName) + ".dwp";
            foreach (var dir in (IEnumerable<string?>)[fileDir, .. directories])
            {
                if (dir is not null && Inside(dir, package) is { } p && seen.Add(p) && File.Exists(p))
                {
                    yield return (p, true);
                }
            }
        }

        if (string.IsNullOrEmpty(dwoName) || dwoName.Contains('\0', StringComparison.Ordinal))
        {
            yield break;
        }

        string baseName = Path.GetFileName(dwoName);
        string? relative = Path.IsPathRooted(dwoName) ? null : dwoName;
        // comp_dir is where the compiler ran; a relative comp_dir (a prefix map made it ".") means the file's folder.
        string? compFolder = string.IsNullOrEmpty(compDir) ? null : Path.IsPathRooted(compDir) ? compDir : fileDir is null ? null : Path.Combine(fileDir, compDir);
        foreach (var dir in (IEnumerable<string?>)[compFolder, fileDir, .. directories])
        {
            if (dir is null)
            {
                continue;
            }

            foreach (var name in (IEnumerable<string?>)[relative, baseName])
            {
                if (!string.IsNullOrEmpty(name) && Inside(dir, name) is { } p && seen.Add(p) && File.Exists(p))
                {
                    yield return (p, false);
                }
            }
        }
    }

    /// <summary><paramref name="name"/> under <paramref name="dir"/>, or <see langword="null"/> when it would leave the folder.</summary>
    private static string? Inside(string dir, string name)
    {
        string root = Path.GetFullPath(dir);
        string full = Path.GetFullPath(Path.Combine(root, name));
        string prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) && full.Length > prefix.Length ? full : null;
    }

    /// <summary>
    /// The supplementary file of a file of a set: the recorded name (relative to the linking file's folder), then by
    /// build-id; only a file whose build-id is the recorded one.
    /// </summary>
    internal static (ReadOnlyMemory<byte> Content, string Path)? FindSupplementary(DebugFileSet files, string linkingPath, DwarfSupplementaryLink link)
    {
        var candidates = new List<string> { DebugFileSet.Combine(DebugFileSet.DirectoryOf(linkingPath), link.FileName) };
        if (DebugFileSet.BuildIdPath(Convert.ToHexStringLower(link.BuildId.AsSpan())) is { } byId)
        {
            candidates.Add(byId);
        }

        foreach (var candidate in candidates)
        {
            if (files.TryGetFile(candidate, out var content, out var resolved) && (link.BuildId.IsEmpty || HasBuildId(content, files.Describe(resolved), link.BuildId)))
            {
                return (content, resolved);
            }
        }

        return null;
    }

    private static bool HasBuildId(ReadOnlyMemory<byte> content, string label, ImmutableArray<byte> buildId)
    {
        try
        {
            using var image = ElfImage.Parse(content, label);
            return image.BuildId.IsEmpty || image.BuildId.AsSpan().SequenceEqual(buildId.AsSpan());
        }
        catch (ElfFormatException)
        {
            return false;
        }
    }

    private static bool HasBuildId(string path, ImmutableArray<byte> buildId, List<string>? rejected)
    {
        try
        {
            using var image = ElfImage.Open(path);
            // A file without a build-id note cannot be checked; take it, as libdw does.
            if (image.BuildId.IsEmpty || image.BuildId.AsSpan().SequenceEqual(buildId.AsSpan()))
            {
                return true;
            }

            rejected?.Add($"{path}: its build-id is {image.BuildIdHex}");
            return false;
        }
        catch (ElfFormatException ex)
        {
            // Skipped as libdw skips it (another root may hold the file), but said when nothing else is found.
            rejected?.Add(ex.Message);
            return false;
        }
    }
}
