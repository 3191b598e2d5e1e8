using System.Runtime.InteropServices;

namespace Abi.Sdk.Rpm;

/// <summary>
/// Writes payload entries under a directory the way <c>cpio -idm</c> does, refusing anything that would land
/// outside it: <c>..</c> components, and writes through symbolic links (a link may point anywhere, as packages'
/// links do, but nothing is ever written through one).
/// </summary>
internal static partial class RpmExtractor
{
    public static int Extract(RpmPayloadReader reader, string directory, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var directories = new List<(string Path, UnixFileMode Mode, long Mtime)>();

        // Hard links: cpio stores the content with the last link of a set; the earlier names wait for it.
        var pendingLinks = new Dictionary<(uint Dev, uint Minor, uint Ino), List<(string Path, RpmPayloadEntry Entry)>>();
        int written = 0;
        while (reader.GetNextEntry() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var relative = SafeRelativePath(entry, reader);
            if (relative is null)
            {
                continue;
            }

            var target = Path.Join(root, relative);
            PrepareParents(root, relative, entry, reader);
            if (entry.IsDirectory)
            {
                if (IsSymlink(target))
                {
                    File.Delete(target);
                }

                Directory.CreateDirectory(target);
                directories.Add((target, entry.Permissions, entry.ModificationTime));
                written++;
                continue;
            }

            RemoveExisting(target);
            if (entry.IsSymbolicLink)
            {
                File.CreateSymbolicLink(target, entry.LinkTarget ?? string.Empty);
                written++;
                continue;
            }

            if (!entry.IsRegularFile)
            {
                // Device nodes, FIFOs and sockets are not created: that needs privileges and is never needed to inspect a package.
                continue;
            }

            var key = (entry.DevMajor, entry.DevMinor, entry.Inode);
            if (entry.LinkCount > 1)
            {
                if (!pendingLinks.TryGetValue(key, out var names))
                {
                    names = [];
                    pendingLinks[key] = names;
                }

                if (entry.Size == 0)
                {
                    names.Add((target, entry));
                    continue;
                }

                WriteFile(target, entry);
                foreach (var (other, otherEntry) in names)
                {
                    RemoveExisting(other);
                    Link(target, other);
                }

                pendingLinks.Remove(key);
                written += names.Count + 1;
                continue;
            }

            WriteFile(target, entry);
            written++;
        }

        // Links whose set never carried content are empty files, as cpio leaves them.
        foreach (var names in pendingLinks.Values)
        {
            string? first = null;
            foreach (var (path, entry) in names)
            {
                if (first is null)
                {
                    WriteFile(path, entry);
                    first = path;
                }
                else
                {
                    Link(first, path);
                }

                written++;
            }
        }

        // Directory modes last (deepest first), so a read-only directory does not block its own contents.
        foreach (var (path, mode, mtime) in directories.OrderByDescending(d => d.Path.Length))
        {
            SetMode(path, mode);
            Directory.SetLastWriteTimeUtc(path, DateTime.UnixEpoch.AddSeconds(mtime));
        }

        return written;
    }

    private static string? SafeRelativePath(RpmPayloadEntry entry, RpmPayloadReader reader)
    {
        var name = entry.Name;
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Unsafe(entry, reader, "contains a NUL byte");
        }

        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                throw Unsafe(entry, reader, "has a '..' component");
            }

            parts.Add(part);
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    private static void PrepareParents(string root, string relative, RpmPayloadEntry entry, RpmPayloadReader reader)
    {
        var current = root;
        var parts = relative.Split('/');
        for (int i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Join(current, parts[i]);
            if (IsSymlink(current))
            {
                throw Unsafe(entry, reader, $"would be written through the symbolic link '{current[(root.Length + 1)..]}'");
            }

            if (!Directory.Exists(current))
            {
                if (File.Exists(current))
                {
                    File.Delete(current);
                }

                Directory.CreateDirectory(current);
            }
        }
    }

    private static RpmFormatException Unsafe(RpmPayloadEntry entry, RpmPayloadReader reader, string why)
        => new(reader.FileName, entry.ArchiveOffset, $"refusing to extract '{entry.Name}': the path {why}");

    // File.GetAttributes reads the link itself (lstat), so a link to anywhere, or to nothing, is seen as a link.
    private static bool IsSymlink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    private static void RemoveExisting(string path)
    {
        if (IsSymlink(path) || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static void WriteFile(string path, RpmPayloadEntry entry)
    {
        using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            entry.DataStream.CopyTo(output, 1 << 16);
        }

        SetMode(path, entry.Permissions);
        File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch.AddSeconds(entry.ModificationTime));
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static void Link(string existing, string newPath)
    {
        if (link(existing, newPath) != 0)
        {
            // Fall back to a copy where hard links are not possible.
            File.Copy(existing, newPath);
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int link(string oldpath, string newpath);
}
