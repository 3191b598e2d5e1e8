using System.Collections.Immutable;
using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>
/// Compares two builds of one package, as abipkgdiff and rpmdiff do (the library behind <c>abi pkgdiff</c>): the EVR
/// move, rpm's nine dependency kinds with range semantics, the file lists, and the ABI of every shared-library pair
/// with <see cref="LibraryComparer"/> (the rules, suppressions and severities of <c>abi diff</c>). Immutable and
/// thread-safe. The rules are in docs/distribution.md, section "Package diff".
/// </summary>
public sealed class PackageComparer
{
    private PackageComparer(AbiComparer libraryComparer) => LibraryComparer = libraryComparer;

    /// <summary>Libraries compared with <see cref="AbiComparer.Default"/>, default severities everywhere.</summary>
    public static PackageComparer Default { get; } = new(AbiComparer.Default);

    /// <summary>Compares each library pair; its rules, suppressions and severity overrides are those of <c>abi diff</c>.</summary>
    public AbiComparer LibraryComparer { get; }

    /// <summary>
    /// The severity overrides, for the <c>ABI1xxx</c> findings of library pairs and the <c>ABI3xxx</c> findings of
    /// the package alike: <see cref="LibraryComparer"/>'s, so one settings file configures both.
    /// </summary>
    public AbiSeverityConfiguration Severities => LibraryComparer.Severities;

    /// <summary>A comparer that compares library pairs (and takes severity overrides) with <paramref name="comparer"/>.</summary>
    /// <param name="comparer">The library comparer, for example <c>AbiComparer.Default.WithSuppressions(…).WithSeverities(…)</c>.</param>
    /// <returns>The new comparer.</returns>
    public PackageComparer WithLibraryComparer(AbiComparer comparer)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        return new(comparer);
    }

    /// <summary>Reads two package files (<see cref="PackageContent.Read"/>) and compares them.</summary>
    /// <param name="oldRpmPath">The old (reference) build.</param>
    /// <param name="newRpmPath">The new (rebuild) build.</param>
    /// <param name="cancellationToken">Cancels between payload entries and between library pairs.</param>
    /// <returns>The diff.</returns>
    /// <exception cref="RpmFormatException">A package is malformed (the exception names the file).</exception>
    /// <exception cref="Elf.ElfFormatException">An ELF file of a payload is malformed.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public PackageDiff Compare(string oldRpmPath, string newRpmPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(oldRpmPath);
        ArgumentNullException.ThrowIfNull(newRpmPath);
        var oldPackage = PackageContent.Read(oldRpmPath, cancellationToken: cancellationToken);
        var newPackage = PackageContent.Read(newRpmPath, cancellationToken: cancellationToken);
        return Compare(oldPackage, newPackage, null, cancellationToken);
    }

    /// <summary>Compares two builds of a package.</summary>
    /// <param name="oldPackage">The old (reference) build.</param>
    /// <param name="newPackage">The new (rebuild) build.</param>
    /// <param name="newSet">
    /// The rebuild's whole package set, against which requirements only the new build declares are checked
    /// (<c>ABI3011</c>); <see langword="null"/> leaves that check out (the new requirements are noted as <c>ABI3012</c>).
    /// </param>
    /// <param name="cancellationToken">Cancels between library pairs.</param>
    /// <returns>The diff.</returns>
    /// <exception cref="Elf.ElfFormatException">A library's dynamic tables are malformed.</exception>
    public PackageDiff Compare(PackageContent oldPackage, PackageContent newPackage, PackageSet? newSet = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(oldPackage);
        ArgumentNullException.ThrowIfNull(newPackage);
        var diagnostics = new List<DistributionDiagnostic>();
        var package = oldPackage.Nevra.ToString();

        int order = Evr.Compare(newPackage.Nevra.Evr, oldPackage.Nevra.Evr);
        var move = order == 0 ? EvrMove.Same : order > 0 ? EvrMove.Newer : EvrMove.Older;
        if (move == EvrMove.Older)
        {
            Add(diagnostics, DistributionDiagnosticIds.PackageDowngraded, null, package, null,
                oldPackage.Nevra.Name, oldPackage.Nevra.EvrText, newPackage.Nevra.EvrText);
        }

        var dependencies = PackageDependencyDiff.Compare(oldPackage, newPackage, newSet, package, this, diagnostics);
        var libraries = new PackageLibraryPairing(oldPackage, newPackage);
        var files = CompareFiles(oldPackage, newPackage, libraries, package, diagnostics);
        var libraryChanges = CompareLibraries(libraries, package, diagnostics, cancellationToken);

        var sorted = diagnostics
            .OrderByDescending(d => d.Severity)
            .ThenBy(d => d.Path, StringComparer.Ordinal)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ThenBy(d => d.Message, StringComparer.Ordinal)
            .ToImmutableArray();
        return new PackageDiff(oldPackage.Nevra, newPackage.Nevra, move, dependencies, files, libraryChanges, sorted);
    }

    /// <summary>The severity of a finding: the configured override of its ID, else <paramref name="severity"/> (the finding's own default).</summary>
    internal AbiSeverity Configured(AbiDiagnosticDescriptor descriptor, AbiSeverity severity)
        => Severities.Overrides.TryGetValue(descriptor.Id, out var configured) ? configured : severity;

    /// <summary>Adds a finding at its configured severity (none drops it); <paramref name="severity"/> overrides the descriptor's default.</summary>
    internal void Add(List<DistributionDiagnostic> diagnostics, AbiDiagnosticDescriptor descriptor, AbiSeverity? severity, string package, string? path, params object?[] args)
        => Add(diagnostics, descriptor, severity, lower: false, package, path, args);

    /// <summary>As above; <paramref name="lower"/> lowers the configured severity one step (a private DSO's finding).</summary>
    private void Add(List<DistributionDiagnostic> diagnostics, AbiDiagnosticDescriptor descriptor, AbiSeverity? severity, bool lower, string package, string? path, params object?[] args)
    {
        var effective = Configured(descriptor, severity ?? descriptor.DefaultSeverity);
        if (effective == AbiSeverity.None)
        {
            return;
        }

        var message = string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, args);
        diagnostics.Add(new DistributionDiagnostic(descriptor, lower ? Lower(effective) : effective, message) { Package = package, Path = path });
    }

    private ImmutableArray<FileChange> CompareFiles(PackageContent oldPackage, PackageContent newPackage, PackageLibraryPairing libraries, string package, List<DistributionDiagnostic> diagnostics)
    {
        var oldFiles = ByPath(oldPackage.Files);
        var newFiles = ByPath(newPackage.Files);
        var changes = new List<FileChange>();
        foreach (var (path, file) in oldFiles)
        {
            if (!newFiles.TryGetValue(path, out var other))
            {
                changes.Add(new FileChange(path, FileChangeKind.Removed, file, null));

                // A shared library's removal is the library pairing's to report (ABI3030, or its ABI diff when it
                // moved or changed SONAME), and so is that of a link to it (the SONAME link, the -devel link).
                if (!libraries.CoversRemoval(path, file))
                {
                    Add(diagnostics, DistributionDiagnosticIds.FileRemoved, null, package, path, package, path);
                }
            }
            else if (FileType(file) != FileType(other))
            {
                changes.Add(new FileChange(path, FileChangeKind.TypeChanged, file, other));
                Add(diagnostics, DistributionDiagnosticIds.FileTypeChanged, null, package, path, package, path, TypeName(file), TypeName(other));
            }
        }

        foreach (var (path, file) in newFiles)
        {
            if (!oldFiles.ContainsKey(path))
            {
                changes.Add(new FileChange(path, FileChangeKind.Added, null, file));
            }
        }

        changes.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return [.. changes];
    }

    private ImmutableArray<LibraryChange> CompareLibraries(PackageLibraryPairing libraries, string package, List<DistributionDiagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var changes = ImmutableArray.CreateBuilder<LibraryChange>();
        foreach (var (old, counterpart) in libraries.Pairs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool isPrivate = libraries.IsPrivate(old);
            if (counterpart is null)
            {
                Add(diagnostics, DistributionDiagnosticIds.LibraryRemoved, null, isPrivate, package, old.Path, package, old.Path, old.Soname ?? "none");
                continue;
            }

            var diff = LibraryComparer.Compare(old.Surface, counterpart.Surface, cancellationToken);
            changes.Add(new LibraryChange(old.Path, counterpart.Path, isPrivate, diff));
            foreach (var d in diff.Diagnostics)
            {
                // The library comparer already applied severity overrides and suppressions.
                var severity = isPrivate ? Lower(d.Severity) : d.Severity;
                var message = isPrivate ? $"{old.Path} (private): {d.Message}" : $"{old.Path}: {d.Message}";
                diagnostics.Add(new DistributionDiagnostic(d.Descriptor, severity, message) { Package = package, Path = old.Path, LibraryDiagnostic = d });
            }
        }

        return changes.ToImmutable();
    }

    /// <summary>One step down for a private DSO: incompatible becomes needs-review, needs-review compatible.</summary>
    private static AbiSeverity Lower(AbiSeverity severity) => severity switch
    {
        AbiSeverity.Incompatible => AbiSeverity.NeedsReview,
        AbiSeverity.NeedsReview => AbiSeverity.Compatible,
        _ => severity,
    };

    private static Dictionary<string, RpmFile> ByPath(ImmutableArray<RpmFile> files)
    {
        var map = new Dictionary<string, RpmFile>(files.Length, StringComparer.Ordinal);
        foreach (var f in files)
        {
            map.TryAdd(f.Path, f);
        }

        return map;
    }

    /// <summary>The file type bits of the mode (S_IFMT).</summary>
    internal static uint FileType(RpmFile file) => file.Mode & 0xf000;

    private static string TypeName(RpmFile file) => FileType(file) switch
    {
        0x8000 => "a regular file",
        0x4000 => "a folder",
        0xa000 => "a symbolic link",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0x1000 => "a FIFO",
        0xc000 => "a socket",
        var t => "of type 0" + Convert.ToString((int)t, 8),
    };
}
