using System.Collections.Immutable;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>
/// The debug files of <c>-debuginfo</c> packages (and of the packages that carry their dwz files), read in memory
/// without extracting anything: each payload is read once, and what it installs under <c>/usr/lib/debug</c> is kept —
/// regular files as bytes, symbolic links as their targets (the <c>.build-id/NN/REST.debug</c> links). Give it to
/// <see cref="DebugInfoLocator"/> to find a library's debug file by build-id, and open what it finds with
/// <see cref="DwarfFile.Open(DebugInfoLocation, DwarfReaderOptions?)"/>: the dwz file under <c>/usr/lib/debug/.dwz</c>
/// that the debug file's <c>.gnu_debugaltlink</c> names is then found in the same set.
/// </summary>
/// <remarks>
/// It lives in <c>Abi.Sdk.Distribution</c> because it joins two format areas that do not depend on each other: RPM
/// payloads (<c>Abi.Sdk.Rpm</c>) and DWARF (<c>Abi.Sdk.Dwarf</c>, which defines <see cref="DebugFileSet"/>).
/// Links are followed inside the set only (at most 40 in a row, as the kernel does); a link that leaves the set, loops,
/// or leads nowhere finds nothing.
/// </remarks>
public sealed class RpmDebugFiles : DebugFileSet
{
    private const int MaxLinkHops = 40;
    private readonly Dictionary<string, (ReadOnlyMemory<byte> Content, string Package)> _files;
    private readonly Dictionary<string, string> _links;

    private RpmDebugFiles(Dictionary<string, (ReadOnlyMemory<byte>, string)> files, Dictionary<string, string> links, ImmutableArray<string> packages)
    {
        _files = files;
        _links = links;
        Packages = packages;
    }

    /// <summary>The packages read, in the order given.</summary>
    public ImmutableArray<string> Packages { get; }

    /// <summary>The installed paths of the regular files kept, sorted.</summary>
    public ImmutableArray<string> Files => [.. _files.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Reads the payloads of <paramref name="packages"/> (a <c>-debuginfo</c> package, and the one with the dwz file if it is another).</summary>
    /// <param name="packages">The <c>.rpm</c> files.</param>
    /// <param name="options">Payload limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels between payload entries.</param>
    /// <returns>The set.</returns>
    /// <exception cref="RpmFormatException">A package is malformed or over the payload limits.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static RpmDebugFiles Read(IEnumerable<string> packages, RpmPayloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var files = new Dictionary<string, (ReadOnlyMemory<byte>, string)>(StringComparer.Ordinal);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        var read = ImmutableArray.CreateBuilder<string>();
        foreach (var path in packages)
        {
            var package = RpmPackage.Open(path);
            using var payload = package.OpenPayload(options);
            // cpio stores a set of hard links' bytes with the last of them; the others wait for it by inode.
            var waiting = new Dictionary<uint, List<string>>();
            while (payload.GetNextEntry() is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string installed = Combine("/", entry.Path);
                if (!installed.StartsWith(DebugRoot + "/", StringComparison.Ordinal))
                {
                    continue;
                }

                if (entry.IsSymbolicLink && entry.LinkTarget is { } target)
                {
                    links[installed] = target;
                }
                else if (entry.IsRegularFile && entry.Size == 0 && entry.LinkCount > 1)
                {
                    (waiting.TryGetValue(entry.Inode, out var list) ? list : waiting[entry.Inode] = []).Add(installed);
                }
                else if (entry.IsRegularFile && entry.Size > 0)
                {
                    var bytes = entry.ReadAllBytes();
                    files[installed] = (bytes, path);
                    if (entry.LinkCount > 1 && waiting.Remove(entry.Inode, out var others))
                    {
                        foreach (var other in others)
                        {
                            files[other] = (bytes, path);
                        }
                    }
                }
            }

            read.Add(path);
        }

        return new RpmDebugFiles(files, links, read.ToImmutable());
    }

    /// <inheritdoc/>
    public override bool TryGetFile(string path, out ReadOnlyMemory<byte> content, out string resolvedPath)
    {
        ArgumentNullException.ThrowIfNull(path);
        string current = Combine("/", path);
        for (int hop = 0; hop <= MaxLinkHops; hop++)
        {
            if (_files.TryGetValue(current, out var file))
            {
                content = file.Content;
                resolvedPath = current;
                return true;
            }

            if (!_links.TryGetValue(current, out var target))
            {
                break;
            }

            current = Combine(DirectoryOf(current), target);
        }

        content = default;
        resolvedPath = string.Empty;
        return false;
    }

    /// <inheritdoc/>
    public override string Describe(string path)
        => _files.TryGetValue(path, out var file) ? $"{file.Package}:{path}" : path;

    /// <inheritdoc/>
    public override string ToString() => $"debug files of {string.Join(", ", Packages.Select(Path.GetFileName))}: {_files.Count} files, {_links.Count} links";
}
