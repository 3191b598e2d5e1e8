using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Compatibility;

/// <content>A target made of RPM packages, read in place.</content>
public sealed partial class Target
{
    /// <summary>
    /// A foreign system made of RPM packages: their payloads are read without extracting anything to disk. ELF files,
    /// the loader's configuration (<c>/etc/ld.so.conf</c> and its includes), symbolic links and folders are kept; other
    /// files only by their first bytes (the loader sees they exist and are not ELF); hard links share the data cpio
    /// stores on the last link.
    /// </summary>
    /// <param name="rpmPaths">The packages.</param>
    /// <param name="options">Payload limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives one report per package read, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between packages and entries.</param>
    /// <returns>The target.</returns>
    /// <exception cref="RpmFormatException">A package is malformed or over the payload limits.</exception>
    /// <exception cref="IOException">A package cannot be read.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public static Target FromRpms(IEnumerable<string> rpmPaths, RpmPayloadOptions? options = null, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpmPaths);
        var inputs = rpmPaths as IReadOnlyCollection<string> ?? [.. rpmPaths];
        var files = new List<TargetFile>();
        var names = new List<string>();
        foreach (var path in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var package = RpmPackage.Open(path);
            names.Add(package.Nevra.ToString());
            int first = files.Count;
            AddPayloadFiles(package, files, options, cancellationToken);
            MarkPackageOfLibc(files, first, package);
            progress?.Report(new OperationProgress(names.Count, inputs.Count, path));
        }

        return FromFiles(files, names.Count == 1 ? names[0] : $"{names.Count} packages");
    }

    /// <summary>
    /// <see cref="FromRpms"/> with asynchronous reads: each package's headers and payload are read from the file with
    /// <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/> through the decompressor
    /// (<see cref="RpmPayloadReader.GetNextEntryAsync"/>). The target is the same.
    /// </summary>
    /// <param name="rpmPaths">The packages.</param>
    /// <param name="options">Payload limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives one report per package read, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between packages and entries, and during reads.</param>
    /// <returns>The target.</returns>
    /// <exception cref="RpmFormatException">A package is malformed or over the payload limits.</exception>
    /// <exception cref="IOException">A package cannot be read.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public static async Task<Target> FromRpmsAsync(IEnumerable<string> rpmPaths, RpmPayloadOptions? options = null, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpmPaths);
        var inputs = rpmPaths as IReadOnlyCollection<string> ?? [.. rpmPaths];
        var files = new List<TargetFile>();
        var names = new List<string>();
        foreach (var path in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stream = IO.RegularFile.OpenRead(path, 1 << 16);
            RpmPackage package;
            try
            {
                package = await RpmPackage.ReadAsync(stream, path, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            names.Add(package.Nevra.ToString());
            int first = files.Count;
            var pendingLinks = new Dictionary<uint, List<string>>();
            using (var reader = package.OpenPayload(stream, leaveOpen: false, options))
            {
                while (await reader.GetNextEntryAsync(cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    if (AddUnlessData(entry, files, pendingLinks))
                    {
                        continue;
                    }

                    ReadOnlyMemory<byte> bytes;
                    if (IsLoaderConfig(entry.Path))
                    {
                        bytes = await entry.ReadAllBytesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        var magic = new byte[(int)Math.Min(entry.Size, 4)];
                        await entry.DataStream.ReadExactlyAsync(magic, cancellationToken).ConfigureAwait(false);
                        bytes = ElfImage.IsElf(magic) ? Concat(magic, await entry.ReadAllBytesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)) : magic;
                    }

                    AddData(entry, bytes, files, pendingLinks);
                }
            }

            MarkPackageOfLibc(files, first, package);
            progress?.Report(new OperationProgress(names.Count, inputs.Count, path));
        }

        return FromFiles(files, names.Count == 1 ? names[0] : $"{names.Count} packages");
    }

    /// <summary>
    /// Marks the <c>libc.so.6</c> files a package added (from index <paramref name="first"/>) with the package's
    /// version: the glibc release when the file's release string cannot be read (<see cref="GlibcVersionSource.PackageVersion"/>).
    /// </summary>
    internal static void MarkPackageOfLibc(List<TargetFile> files, int first, RpmPackage package)
    {
        for (int i = first; i < files.Count; i++)
        {
            if (files[i] is { IsDirectory: false, LinkTarget: null } file && file.Path.EndsWith("/libc.so.6", StringComparison.Ordinal))
            {
                files[i] = file.WithPackageVersion(package.Version);
            }
        }
    }

    /// <summary>
    /// The entries of a package's payload as target files: folders, links, ELF files and the loader's configuration
    /// whole, other files by their first bytes only; hard links share the data cpio stores on the last link.
    /// </summary>
    internal static void AddPayloadFiles(RpmPackage package, List<TargetFile> files, RpmPayloadOptions? options, CancellationToken cancellationToken)
    {
        using var reader = package.OpenPayload(options);
        AddPayloadFiles(reader, files, cancellationToken);
    }

    /// <summary>The same, from a payload reader the caller opened (over a stream it hashes, for example).</summary>
    internal static void AddPayloadFiles(RpmPayloadReader reader, List<TargetFile> files, CancellationToken cancellationToken)
        => AddPayloadFiles(reader, files, null, cancellationToken);

    /// <summary>
    /// The same, with the data of each ELF file read by <paramref name="readElf"/> (given the entry and its first
    /// bytes, already read; it reads the rest): a cache streams a large file to disk rather than into an array.
    /// </summary>
    internal static void AddPayloadFiles(RpmPayloadReader reader, List<TargetFile> files, Func<RpmPayloadEntry, byte[], ReadOnlyMemory<byte>>? readElf, CancellationToken cancellationToken)
    {
        var pendingLinks = new Dictionary<uint, List<string>>();
        while (reader.GetNextEntry() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (AddUnlessData(entry, files, pendingLinks))
            {
                continue;
            }

            ReadOnlyMemory<byte> bytes;
            if (IsLoaderConfig(entry.Path))
            {
                bytes = entry.ReadAllBytes();
            }
            else
            {
                // Other files matter to the loader only when ELF; of the rest it sees that they exist and are
                // not ELF, so their first bytes are kept and the data is not read.
                var magic = new byte[(int)Math.Min(entry.Size, 4)];
                entry.DataStream.ReadExactly(magic);
                bytes = !ElfImage.IsElf(magic) ? magic : readElf is null ? Concat(magic, entry.ReadAllBytes()) : readElf(entry, magic);
            }

            AddData(entry, bytes, files, pendingLinks);
        }
    }

    /// <summary>Adds a folder or symbolic link, or defers a hard link without data; true unless the entry's data is wanted.</summary>
    private static bool AddUnlessData(RpmPayloadEntry entry, List<TargetFile> files, Dictionary<uint, List<string>> pendingLinks)
    {
        if (entry.IsDirectory)
        {
            files.Add(TargetFile.Directory(entry.Path));
            return true;
        }

        if (entry.IsSymbolicLink && entry.LinkTarget is { Length: > 0 } link)
        {
            files.Add(TargetFile.Symlink(entry.Path, link));
            return true;
        }

        if (!entry.IsRegularFile)
        {
            return true;
        }

        // Hard links: every link but the last has no data in the archive; they share the inode's bytes.
        if (entry.Size == 0 && entry.LinkCount > 1)
        {
            if (!pendingLinks.TryGetValue(entry.Inode, out var list))
            {
                pendingLinks[entry.Inode] = list = [];
            }

            list.Add(entry.Path);
            return true;
        }

        return false;
    }

    private static void AddData(RpmPayloadEntry entry, ReadOnlyMemory<byte> bytes, List<TargetFile> files, Dictionary<uint, List<string>> pendingLinks)
    {
        files.Add(TargetFile.FromBytes(entry.Path, bytes));
        if (entry.LinkCount > 1 && pendingLinks.Remove(entry.Inode, out var others))
        {
            files.AddRange(others.Select(p => TargetFile.FromBytes(p, bytes)));
        }
    }

    private static byte[] Concat(byte[] head, byte[] rest)
    {
        var all = new byte[head.Length + rest.Length];
        head.CopyTo(all, 0);
        rest.CopyTo(all, head.Length);
        return all;
    }

    private static bool IsLoaderConfig(string path) => path == "/etc/ld.so.conf" || path.StartsWith("/etc/ld.so.conf.d/", StringComparison.Ordinal);
}
