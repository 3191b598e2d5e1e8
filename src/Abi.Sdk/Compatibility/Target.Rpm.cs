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
            AddPayloadFiles(package, files, options, cancellationToken);
            progress?.Report(new OperationProgress(names.Count, inputs.Count, path));
        }

        return FromFiles(files, names.Count == 1 ? names[0] : $"{names.Count} packages");
    }

    /// <summary>
    /// The entries of a package's payload as target files: folders, links, ELF files and the loader's configuration
    /// whole, other files by their first bytes only; hard links share the data cpio stores on the last link.
    /// </summary>
    internal static void AddPayloadFiles(RpmPackage package, List<TargetFile> files, RpmPayloadOptions? options, CancellationToken cancellationToken)
    {
        // Hard links: every link but the last has no data in the archive; they share the inode's bytes.
        var pendingLinks = new Dictionary<uint, List<string>>();
        foreach (var entry in package.ReadPayload(options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.IsDirectory)
            {
                files.Add(TargetFile.Directory(entry.Path));
            }
            else if (entry.IsSymbolicLink && entry.LinkTarget is { Length: > 0 } link)
            {
                files.Add(TargetFile.Symlink(entry.Path, link));
            }
            else if (entry.IsRegularFile)
            {
                if (entry.Size == 0 && entry.LinkCount > 1)
                {
                    if (!pendingLinks.TryGetValue(entry.Inode, out var list))
                    {
                        pendingLinks[entry.Inode] = list = [];
                    }

                    list.Add(entry.Path);
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
                    bytes = ElfImage.IsElf(magic) ? Concat(magic, entry.ReadAllBytes()) : magic;
                }

                files.Add(TargetFile.FromBytes(entry.Path, bytes));
                if (entry.LinkCount > 1 && pendingLinks.Remove(entry.Inode, out var others))
                {
                    files.AddRange(others.Select(p => TargetFile.FromBytes(p, bytes)));
                }
            }
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
