using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using static Abi.Sdk.Rpm.LinuxFileSystem;

namespace Abi.Sdk.Rpm;

/// <summary>
/// Writes payload entries under a directory the way <c>cpio -idm</c> does, but nothing can land outside it. Every
/// write, link, mode change and time change is resolved from a descriptor of the target, one path component at a
/// time with <c>O_NOFOLLOW</c>, at the moment it happens (not when the entry was read): a deferred write whose
/// parent a later entry replaced with a link fails instead of following it. Each entry is checked against the
/// header's file list as rpm does (path, mode, size, link target, content digest).
/// </summary>
internal sealed class RpmExtractor : IDisposable
{
    private const uint PermissionBits = 0x1ff;
    private const uint AllModeBits = 0xfff;

    private readonly RpmPayloadReader _reader;
    private readonly int _root;
    private readonly uint _modeMask;

    // The entry being written (or whose deferred write is being done), for error messages.
    private string _name = string.Empty;
    private long _offset;

    private RpmExtractor(RpmPayloadReader reader, int root, RpmPayloadOptions options)
    {
        _reader = reader;
        _root = root;
        _modeMask = options.PreserveSpecialModeBits ? AllModeBits : PermissionBits;
    }

    public static int Extract(RpmPayloadReader reader, string directory, RpmPayloadOptions options, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("safe RPM extraction needs Linux's openat/O_NOFOLLOW calls; stream the entries with RpmPackage.ReadPayload instead");
        }

        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);

        // The target itself is the caller's choice and may be reached through links; nothing below it is.
        int fd = Open(root, RootFlags, 0);
        if (fd < 0)
        {
            throw new IOException($"{root}: cannot open the extraction directory: {Describe(Errno)}");
        }

        using var extractor = new RpmExtractor(reader, fd, options);
        return extractor.Run(cancellationToken);
    }

    public void Dispose() => Close(_root);

    private int Run(CancellationToken cancellationToken)
    {
        var seen = new HashSet<int>();
        var directories = new List<Deferred>();

        // Hard links: cpio stores the content with the last link of a set; the earlier names wait for it.
        var pendingLinks = new Dictionary<(uint Dev, uint Minor, uint Ino), List<Deferred>>();
        int written = 0;
        while (_reader.GetNextEntry() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _name = entry.Name;
            _offset = entry.ArchiveOffset;
            var parts = SplitPath(entry);
            var file = parts is null ? null : CheckAgainstHeader(entry, seen);
            if (file is null || parts is null)
            {
                continue;
            }

            var item = new Deferred(parts, entry.Name, entry.ArchiveOffset, entry.Mode & _modeMask, entry.ModificationTime, file);
            if (entry.IsDirectory)
            {
                using (var parent = OpenParent(parts, create: true))
                {
                    EnsureDirectory(parent.Fd, parts[^1]);
                }

                directories.Add(item);
                written++;
            }
            else if (entry.IsSymbolicLink)
            {
                using var parent = OpenParent(parts, create: true);
                RemoveExisting(parent.Fd, parts[^1]);
                if (SymbolicLinkAt(entry.LinkTarget ?? string.Empty, parent.Fd, parts[^1]) != 0)
                {
                    throw Failed("create the symbolic link");
                }

                written++;
            }
            else if (!entry.IsRegularFile)
            {
                // Device nodes, FIFOs and sockets are not created: that needs privileges and is never needed to inspect a package.
            }
            else if (entry.LinkCount > 1)
            {
                var key = (entry.DevMajor, entry.DevMinor, entry.Inode);
                if (!pendingLinks.TryGetValue(key, out var names))
                {
                    names = [];
                    pendingLinks[key] = names;
                }

                if (entry.Size == 0)
                {
                    names.Add(item);
                    continue;
                }

                written += WriteLinkSet(item, entry.DataStream, names);
                pendingLinks.Remove(key);
            }
            else
            {
                using var parent = OpenParent(parts, create: true);
                WriteFile(parent.Fd, item, entry.DataStream);
                written++;
            }
        }

        // Links whose set never carried content are empty files, as cpio leaves them (the digest check still applies).
        foreach (var names in pendingLinks.Values)
        {
            written += WriteLinkSet(names[0], Stream.Null, names.Skip(1));
        }

        // Directory modes and times last (deepest first), so a read-only directory does not block its own contents;
        // one a later entry replaced (by a link or a file) is left alone: metadata is never applied through a link.
        foreach (var directory in directories.OrderByDescending(d => d.Parts.Length))
        {
            SetDirectoryMetadata(directory);
        }

        return written;
    }

    private RpmFile? CheckAgainstHeader(RpmPayloadEntry entry, HashSet<int> seen)
    {
        // rpm maps every archive entry to the header's file list (rpmfiArchiveReadHeader) and refuses one it cannot map.
        var file = entry.File ?? throw Refused(entry, "it is not in the package header's file list (rpm refuses it too)");
        if (file.IsGhost)
        {
            // rpm skips a %ghost that old rpm builds put in the payload.
            return null;
        }

        if (!seen.Add(file.Index))
        {
            throw Refused(entry, "it appears twice in the archive");
        }

        if (entry.Mode != file.Mode)
        {
            throw Refused(entry, $"its mode is {Octal(entry.Mode)} in the archive but {Octal(file.Mode)} in the header");
        }

        // Only one link of a hard-link set carries the content; the others are empty in the archive.
        if (entry.IsRegularFile && entry.Size != file.Size && !(entry.Size == 0 && entry.LinkCount > 1))
        {
            throw Refused(entry, $"it has {entry.Size} bytes in the archive but the header says {file.Size}");
        }

        if (entry.IsSymbolicLink && !string.Equals(entry.LinkTarget, file.LinkTarget, StringComparison.Ordinal))
        {
            throw Refused(entry, $"it links to '{entry.LinkTarget}' in the archive but to '{file.LinkTarget}' in the header");
        }

        return file;
    }

    private static string Octal(uint mode) => Convert.ToString(mode, 8);

    private string[]? SplitPath(RpmPayloadEntry entry)
    {
        var parts = new List<string>();
        foreach (var part in entry.Name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                throw Refused(entry, "the path has a '..' component");
            }

            parts.Add(part);
        }

        return parts.Count == 0 ? null : [.. parts];
    }

    /// <summary>Writes the content under one name and links the set's other names to it, each resolved now.</summary>
    private int WriteLinkSet(Deferred content, Stream data, IEnumerable<Deferred> others)
    {
        using var parent = OpenParent(content.Parts, create: true);
        WriteFile(parent.Fd, content, data);
        int written = 1;
        foreach (var other in others)
        {
            _name = other.Name;
            _offset = other.Offset;
            using var otherParent = OpenParent(other.Parts, create: true);
            RemoveExisting(otherParent.Fd, other.Parts[^1]);
            if (LinkAt(parent.Fd, content.Parts[^1], otherParent.Fd, other.Parts[^1], 0) != 0)
            {
                throw Failed($"create the hard link to '{content.Name}'");
            }

            written++;
        }

        return written;
    }

    private void WriteFile(int parent, Deferred item, Stream data)
    {
        _name = item.Name;
        _offset = item.Offset;
        var name = item.Parts[^1];
        RemoveExisting(parent, name);
        int fd = OpenAt(parent, name, CreateFlags, 0x180);
        if (fd < 0)
        {
            throw Failed("create the file");
        }

        using var hash = CreateHash(item.File);
        using (var output = new FileStream(new SafeFileHandle((nint)fd, ownsHandle: true), FileAccess.Write, bufferSize: 0))
        {
            var buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = data.Read(buffer)) > 0)
            {
                // The entry's stream ends at its size, which the header check tied to the header's size.
                total += n;
                if (total > item.File.Size)
                {
                    throw Refused(item, $"its content passes the {item.File.Size} bytes the header declares");
                }

                hash?.AppendData(buffer, 0, n);
                try
                {
                    output.Write(buffer, 0, n);
                }
                catch (IOException ex)
                {
                    // A full disk or a quota: say which package and entry.
                    throw Failed("write the content", ex.Message, ex);
                }
            }

            if (ChangeMode(fd, item.Mode) != 0 || SetTimes(fd, item.ModificationTime) != 0)
            {
                throw Failed("set the file's mode and time");
            }
        }

        if (hash is not null)
        {
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, item.File.Digest, StringComparison.OrdinalIgnoreCase))
            {
                UnlinkAt(parent, name, 0);
                throw Refused(item, $"its content's {item.File.DigestAlgorithm} digest is {actual}, the header says {item.File.Digest}");
            }
        }
    }

    private static IncrementalHash? CreateHash(RpmFile file)
    {
        if (file.Digest is null)
        {
            return null;
        }

        // Algorithms .NET cannot compute here (SHA-224, RIPEMD-160, SHA-3 without OpenSSL support) are not checked.
        HashAlgorithmName? name = file.DigestAlgorithm switch
        {
            RpmDigestAlgorithm.Md5 => HashAlgorithmName.MD5,
            RpmDigestAlgorithm.Sha1 => HashAlgorithmName.SHA1,
            RpmDigestAlgorithm.Sha256 => HashAlgorithmName.SHA256,
            RpmDigestAlgorithm.Sha384 => HashAlgorithmName.SHA384,
            RpmDigestAlgorithm.Sha512 => HashAlgorithmName.SHA512,
            RpmDigestAlgorithm.Sha3_256 when SHA3_256.IsSupported => HashAlgorithmName.SHA3_256,
            RpmDigestAlgorithm.Sha3_512 when SHA3_512.IsSupported => HashAlgorithmName.SHA3_512,
            _ => null,
        };
        return name is { } n ? IncrementalHash.CreateHash(n) : null;
    }

    private void SetDirectoryMetadata(Deferred directory)
    {
        _name = directory.Name;
        _offset = directory.Offset;
        using var parent = OpenParent(directory.Parts, create: false);
        if (parent.Fd < 0)
        {
            return;
        }

        int fd = OpenAt(parent.Fd, directory.Parts[^1], DirectoryMetadataFlags, 0);
        if (fd < 0)
        {
            if (Errno is ENOENT or ENOTDIR or ELOOP)
            {
                return;
            }

            throw Failed("open the directory to set its mode");
        }

        try
        {
            if (ChangeMode(fd, directory.Mode) != 0 || SetTimes(fd, directory.ModificationTime) != 0)
            {
                throw Failed("set the directory's mode and time");
            }
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>
    /// Opens the directory that holds the last of <paramref name="parts"/>, walking from the target one component at a
    /// time without following links. With <paramref name="create"/> missing directories are made, a file in the way is
    /// replaced and a link in the way is refused; without it, any of those gives a handle of -1.
    /// </summary>
    private DirectoryHandle OpenParent(string[] parts, bool create)
    {
        int current = _root;
        try
        {
            for (int i = 0; i < parts.Length - 1; i++)
            {
                int next = OpenAt(current, parts[i], WalkFlags, 0);
                if (next < 0)
                {
                    int errno = Errno;
                    var sofar = string.Join('/', parts[..(i + 1)]);
                    if (!create)
                    {
                        CloseIfOwned(current);
                        return new DirectoryHandle(-1, owned: false);
                    }

                    if (errno is ELOOP or ENOTDIR)
                    {
                        if (IsSymbolicLink(current, parts[i]))
                        {
                            RpmThrow.Format(_reader.FileName, _offset, $"refusing to extract '{_name}': the path would be written through the symbolic link '{sofar}'");
                        }

                        if (UnlinkAt(current, parts[i], 0) != 0)
                        {
                            throw Failed($"replace the file '{sofar}' with a directory");
                        }
                    }
                    else if (errno != ENOENT)
                    {
                        throw Failed($"open the directory '{sofar}'", errno);
                    }

                    if (MakeDirectoryAt(current, parts[i], 0x1ff) != 0 && Errno != EEXIST)
                    {
                        throw Failed($"create the directory '{sofar}'");
                    }

                    next = OpenAt(current, parts[i], WalkFlags, 0);
                    if (next < 0)
                    {
                        throw Failed($"open the directory '{sofar}'");
                    }
                }

                CloseIfOwned(current);
                current = next;
            }

            return new DirectoryHandle(current, owned: current != _root);
        }
        catch
        {
            CloseIfOwned(current);
            throw;
        }
    }

    private void CloseIfOwned(int fd)
    {
        if (fd != _root && fd >= 0)
        {
            Close(fd);
        }
    }

    private void EnsureDirectory(int parent, string name)
    {
        if (MakeDirectoryAt(parent, name, 0x1ff) == 0)
        {
            return;
        }

        if (Errno != EEXIST)
        {
            throw Failed("create the directory");
        }

        int fd = OpenAt(parent, name, WalkFlags, 0);
        if (fd >= 0)
        {
            Close(fd);
            return;
        }

        // A link or a file has the name: replace it, as cpio does.
        if (UnlinkAt(parent, name, 0) != 0 || MakeDirectoryAt(parent, name, 0x1ff) != 0)
        {
            throw Failed("replace what has the name with a directory");
        }
    }

    /// <summary>Removes a file or link (never followed) or an empty directory with the name; a missing name is fine.</summary>
    private void RemoveExisting(int parent, string name)
    {
        if (UnlinkAt(parent, name, 0) == 0 || Errno == ENOENT)
        {
            return;
        }

        // Linux says EISDIR for a directory (POSIX allows EPERM); like cpio, only an empty one is replaced.
        if (Errno is EISDIR or EPERM && UnlinkAt(parent, name, AtRemoveDir) == 0)
        {
            return;
        }

        throw Failed("remove what has the name");
    }

    private RpmFormatException Refused(RpmPayloadEntry entry, string why)
        => new(_reader.FileName, entry.ArchiveOffset, $"refusing to extract '{entry.Name}': {why}");

    private RpmFormatException Refused(Deferred item, string why)
        => new(_reader.FileName, item.Offset, $"refusing to extract '{item.Name}': {why}");

    private IOException Failed(string what) => Failed(what, Errno);

    private IOException Failed(string what, int errno) => Failed(what, Describe(errno), null);

    private IOException Failed(string what, string detail, Exception? inner)
        => new($"{_reader.FileName ?? "<memory>"}: offset 0x{_offset:x}: cannot extract '{_name}': {what}: {detail}", inner);

    /// <summary>An entry whose write (or metadata) is done later, with what it needs to resolve its path then.</summary>
    private sealed record Deferred(string[] Parts, string Name, long Offset, uint Mode, long ModificationTime, RpmFile File);

    /// <summary>A directory descriptor from <see cref="OpenParent"/>; the target's own descriptor is not closed.</summary>
    private readonly struct DirectoryHandle(int fd, bool owned) : IDisposable
    {
        public int Fd { get; } = fd;

        public void Dispose()
        {
            if (owned)
            {
                Close(Fd);
            }
        }
    }
}
