using System.Collections.Immutable;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>One binary package of a <see cref="PackageCollection"/>: its file and what its headers say.</summary>
public sealed class PackageCollectionEntry
{
    internal PackageCollectionEntry(string path, RpmPackage package, PackageRecord record, string? repository)
    {
        Path = path;
        Package = package;
        Record = record;
        Repository = repository;
        Nevra = package.Nevra;
    }

    /// <summary>The <c>.rpm</c> file.</summary>
    public string Path { get; }

    /// <summary>The repository folder that listed the package, or <see langword="null"/> when it was found as a file.</summary>
    public string? Repository { get; }

    /// <summary>Name, epoch, version, release and architecture.</summary>
    public RpmNevra Nevra { get; }

    /// <summary>Its dependencies of every kind and its whole file list, from its header.</summary>
    public PackageRecord Record { get; }

    /// <summary>The package with its headers read; its payload is read later, once (<see cref="PackageContent.FromPackage"/>).</summary>
    internal RpmPackage Package { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Nevra} ({Path})";
}

/// <summary>
/// A package set given as folders of <c>.rpm</c> files, repositories and single <c>.rpm</c> files, merged (BaseOS
/// plus AppStream, for example). Only the packages' headers are read here: payloads are read once, later, by
/// <see cref="DistributionComparer"/>. A package that cannot be read is kept as a <see cref="PackageReadError"/> and
/// the others are still collected.
/// </summary>
/// <remarks>
/// An input is one of: a folder holding <c>repodata/repomd.xml</c> (a repository: its packages are those its
/// primary metadata lists, each at its <c>location href</c> relative to the folder); another folder (the
/// <c>*.rpm</c> files directly in it, not in subfolders: give each subfolder, or a repository, to take a tree); an
/// <c>.rpm</c> file. Source packages are left out: they are never installed.
/// </remarks>
public sealed class PackageCollection
{
    private readonly Lazy<PackageSet> _set;
    private readonly Dictionary<(string Name, string Arch), PackageCollectionEntry> _newest;

    private PackageCollection(ImmutableArray<string> inputs, ImmutableArray<PackageCollectionEntry> packages, ImmutableArray<PackageReadError> errors)
    {
        Inputs = inputs;
        Packages = packages;
        Errors = errors;
        _newest = [];
        foreach (var p in packages)
        {
            var key = (p.Nevra.Name, p.Nevra.Arch);
            // rpm's ordering of EVRs; of two equal builds the first input's is kept.
            if (!_newest.TryGetValue(key, out var known) || Evr.Compare(p.Record.Evr, known.Record.Evr) > 0)
            {
                _newest[key] = p;
            }
        }

        Newest = [.. _newest.Values.OrderBy(p => p.Nevra.Name, StringComparer.Ordinal).ThenBy(p => p.Nevra.Arch, StringComparer.Ordinal)];
        _set = new(() => PackageSet.Create(Packages.Select(p => p.Record)), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The inputs, as given.</summary>
    public ImmutableArray<string> Inputs { get; }

    /// <summary>Every binary package read, in input order (a repository's in its metadata's order, a folder's by file name).</summary>
    public ImmutableArray<PackageCollectionEntry> Packages { get; }

    /// <summary>The newest build (rpm's EVR order) of each name and architecture: what installing the set installs. Sorted by name, then architecture.</summary>
    public ImmutableArray<PackageCollectionEntry> Newest { get; }

    /// <summary>The packages that could not be read, and repository entries that were refused.</summary>
    public ImmutableArray<PackageReadError> Errors { get; }

    /// <summary>Every package read, as a package set (what libsolv's installcheck sees of the inputs).</summary>
    public PackageSet Set => _set.Value;

    /// <summary>The newest build of a name and architecture.</summary>
    /// <param name="name">The package name.</param>
    /// <param name="arch">The architecture.</param>
    /// <returns>The package, or <see langword="null"/> when the set has none.</returns>
    public PackageCollectionEntry? Find(string name, string arch) => _newest.GetValueOrDefault((name, arch));

    /// <summary>Collects the packages of one or more inputs, reading their headers.</summary>
    /// <param name="inputs">Folders of <c>.rpm</c> files, repositories (folders holding <c>repodata/repomd.xml</c>) and <c>.rpm</c> files.</param>
    /// <param name="progress">Receives one report per package file read, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between packages.</param>
    /// <returns>The collection; unreadable packages and refused repository entries are in <see cref="Errors"/>.</returns>
    /// <exception cref="FileNotFoundException">An input does not exist.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public static PackageCollection Open(IEnumerable<string> inputs, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var given = inputs.ToImmutableArray();
        var errors = new List<PackageReadError>();
        var files = new List<(string Path, string? Repository)>();
        foreach (var input in given)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            cancellationToken.ThrowIfCancellationRequested();
            if (File.Exists(input))
            {
                files.Add((input, null));
            }
            else if (Directory.Exists(input))
            {
                if (File.Exists(System.IO.Path.Combine(input, "repodata", "repomd.xml")))
                {
                    AddRepository(input, files, errors);
                }
                else
                {
                    files.AddRange(Directory.EnumerateFiles(input, "*.rpm", new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false })
                        .Order(StringComparer.Ordinal).Select(f => (f, (string?)null)));
                }
            }
            else
            {
                throw new FileNotFoundException($"'{input}' is neither a package file nor a folder", input);
            }
        }

        // Headers are small and independent: read them in parallel, keep the input order.
        var read = new (PackageCollectionEntry? Entry, PackageReadError? Error)[files.Count];
        int done = 0;
        Parallel.For(0, files.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var (path, repository) = files[i];
            read[i] = ReadHeader(path, repository);
            progress?.Report(new OperationProgress(Interlocked.Increment(ref done), files.Count, path));
        });

        var packages = ImmutableArray.CreateBuilder<PackageCollectionEntry>();
        foreach (var (entry, error) in read)
        {
            if (error is not null)
            {
                errors.Add(error);
            }
            else if (entry is not null)
            {
                packages.Add(entry);
            }
        }

        return new PackageCollection(given, packages.ToImmutable(), [.. errors]);
    }

    /// <summary>The error a failed read of a package (or of a repository's metadata) becomes: file, offset and reason of the reader's exception.</summary>
    internal static PackageReadError ErrorOf(string path, Exception ex) => ex switch
    {
        AbiSdkFormatException f => new PackageReadError(f.FileName ?? path, f.Offset, f.Reason),
        _ => new PackageReadError(path, null, ex.Message),
    };

    /// <summary>True for the exceptions a bad or unreadable input raises (as opposed to a bug or a cancellation).</summary>
    internal static bool IsInputError(Exception ex) => ex is AbiSdkFormatException or IOException or UnauthorizedAccessException;

    private static (PackageCollectionEntry?, PackageReadError?) ReadHeader(string path, string? repository)
    {
        try
        {
            var package = RpmPackage.Open(path);
            if (package.IsSource)
            {
                return (null, null);
            }

            return (new PackageCollectionEntry(path, package, PackageRecord.FromPackage(package), repository), null);
        }
        catch (Exception ex) when (IsInputError(ex))
        {
            return (null, ErrorOf(path, ex));
        }
    }

    private static void AddRepository(string folder, List<(string, string?)> files, List<PackageReadError> errors)
    {
        var root = System.IO.Path.GetFullPath(folder);
        ImmutableArray<PackageRecord> records;
        string primary;
        try
        {
            primary = RepositoryMetadata.FindPrimary(System.IO.Path.Combine(root, "repodata", "repomd.xml"));
            records = RepositoryMetadata.Open(folder);
        }
        catch (Exception ex) when (IsInputError(ex))
        {
            errors.Add(ErrorOf(System.IO.Path.Combine(folder, "repodata", "repomd.xml"), ex));
            return;
        }

        foreach (var record in records)
        {
            if (record.Arch == "src")
            {
                continue;
            }

            if (LocationOf(root, record.Location) is { } file)
            {
                files.Add((file, folder));
            }
            else
            {
                errors.Add(new PackageReadError(primary, null, $"package {record}: location href '{record.Location}' is not a file inside the repository (an absolute path or URL, or a path that leaves {root})"));
            }
        }
    }

    /// <summary>The file a <c>location href</c> names, or null when it is empty, absolute, a URL, or leaves the repository.</summary>
    internal static string? LocationOf(string root, string? href)
    {
        if (string.IsNullOrEmpty(href) || href.StartsWith('/') || href.Contains("://", StringComparison.Ordinal) || href.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, href));
        var prefix = root.EndsWith('/') ? root : root + "/";
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full : null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Newest.Length} packages ({Packages.Length} builds) from {string.Join(", ", Inputs)}; {Errors.Length} unreadable";
}
