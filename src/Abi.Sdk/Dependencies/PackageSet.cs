using System.Collections.Immutable;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Dependencies;

/// <summary>What one line of installcheck's explanation says.</summary>
public enum InstallProblemKind
{
    /// <summary>No package of a compatible architecture provides the requirement: "nothing provides R needed by P".</summary>
    NothingProvides,

    /// <summary>Providers exist but none can be installed: "package P requires R, but none of the providers can be installed".</summary>
    NoInstallableProvider,

    /// <summary>A package of the same name has a better architecture: "P has inferior architecture".</summary>
    InferiorArchitecture,
}

/// <summary>
/// One line of why a package cannot be installed from its set, as libsolv's installcheck words it. A package's
/// explanation can name other packages (the requirement drags in a package that cannot be installed either):
/// <see cref="Uninstallable"/> is the package the explanation is about, <see cref="Package"/> the one the line names.
/// </summary>
/// <param name="Package">The package the line is about.</param>
/// <param name="Requirement">The requirement that cannot be met; null for <see cref="InstallProblemKind.InferiorArchitecture"/>.</param>
/// <param name="Kind">What the line says.</param>
public sealed record InstallProblem(PackageRecord Package, RpmDependency? Requirement, InstallProblemKind Kind)
{
    /// <summary>The package that cannot be installed (installcheck's "can't install" heading); <see cref="Package"/> unless the line follows a requirement.</summary>
    public PackageRecord Uninstallable { get; init; } = Package;

    /// <summary>For a versioned or rich requirement nothing provides, the packages that provide its (first) name in another version: installcheck's "(we have …)" lines.</summary>
    public ImmutableArray<PackageRecord> Available { get; init; } = [];

    /// <summary>True when no package of a compatible architecture provides the requirement at all.</summary>
    public bool NothingProvides => Kind == InstallProblemKind.NothingProvides;

    /// <summary>The line as libsolv's installcheck words it (without the "(we have …)" lines).</summary>
    /// <returns>The sentence.</returns>
    public override string ToString() => Kind switch
    {
        InstallProblemKind.NothingProvides => $"nothing provides {Requirement} needed by {Package}",
        InstallProblemKind.NoInstallableProvider => $"package {Package} requires {Requirement}, but none of the providers can be installed",
        _ => $"{Package} has inferior architecture",
    };
}

/// <summary>
/// An index over a set of packages (a repository, a distribution, a folder of RPMs): which packages provide a
/// dependency (names with version ranges, file paths, rich dependencies), and which packages cannot be installed
/// because some requirement cannot be met from the set.
/// </summary>
public sealed class PackageSet
{
    private readonly Dictionary<string, List<(PackageRecord Package, RpmDependency Provide)>> _provides = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PackageRecord>> _files = new(StringComparer.Ordinal);

    private PackageSet(ImmutableArray<PackageRecord> packages)
    {
        Packages = packages;
        foreach (var package in packages)
        {
            foreach (var provide in package.Provides)
            {
                if (!_provides.TryGetValue(provide.Name, out var list))
                {
                    _provides[provide.Name] = list = [];
                }

                list.Add((package, provide));
            }

            foreach (var file in package.Files)
            {
                if (!_files.TryGetValue(file, out var list))
                {
                    _files[file] = list = [];
                }

                if (list.Count == 0 || !ReferenceEquals(list[^1], package))
                {
                    list.Add(package);
                }
            }
        }
    }

    /// <summary>The packages, in the order given.</summary>
    public ImmutableArray<PackageRecord> Packages { get; }

    /// <summary>Creates a set from package records.</summary>
    /// <param name="packages">The packages.</param>
    /// <returns>The indexed set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="packages"/> is null.</exception>
    public static PackageSet Create(IEnumerable<PackageRecord> packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        return new PackageSet([.. packages]);
    }

    /// <summary>
    /// Creates a set from RPM files and repositories: each path is an <c>.rpm</c> file, a folder holding
    /// <c>repodata/repomd.xml</c>, a <c>repomd.xml</c>, or a <c>primary.xml</c> (compressed or not).
    /// </summary>
    /// <param name="paths">The inputs.</param>
    /// <returns>The indexed set.</returns>
    /// <exception cref="RpmFormatException">An RPM file is malformed.</exception>
    /// <exception cref="RepositoryFormatException">Repository metadata is malformed.</exception>
    /// <exception cref="IOException">An input cannot be read.</exception>
    public static PackageSet Load(IEnumerable<string> paths) => Load(paths, null, CancellationToken.None);

    /// <summary>
    /// Creates a set from RPM files and repositories, reporting each input as it is read: each path is an
    /// <c>.rpm</c> file, a folder holding <c>repodata/repomd.xml</c>, a <c>repomd.xml</c>, or a <c>primary.xml</c>.
    /// </summary>
    /// <param name="paths">The inputs.</param>
    /// <param name="progress">Receives one report per input read, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between inputs.</param>
    /// <returns>The indexed set.</returns>
    /// <exception cref="RpmFormatException">An RPM file is malformed.</exception>
    /// <exception cref="RepositoryFormatException">Repository metadata is malformed.</exception>
    /// <exception cref="IOException">An input cannot be read.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public static PackageSet Load(IEnumerable<string> paths, IProgress<OperationProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var inputs = paths as IReadOnlyCollection<string> ?? [.. paths];
        var packages = new List<PackageRecord>();
        int done = 0;
        foreach (var path in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsRpmFile(path))
            {
                packages.Add(CheckedRecord(RpmPackage.Open(path), path));
            }
            else
            {
                packages.AddRange(RepositoryMetadata.Open(path));
            }

            progress?.Report(new OperationProgress(++done, inputs.Count, path));
        }

        return Create(packages);
    }

    /// <summary>
    /// <see cref="Load(IEnumerable{string}, IProgress{OperationProgress}?, CancellationToken)"/> with asynchronous
    /// file reads: RPM headers through <see cref="RpmPackage.ReadAsync"/>, repository metadata read into memory
    /// asynchronously before it is parsed. The result is the same set.
    /// </summary>
    /// <param name="paths">The inputs: <c>.rpm</c> files, folders holding <c>repodata/repomd.xml</c>, <c>repomd.xml</c> or <c>primary.xml</c> files.</param>
    /// <param name="progress">Receives one report per input read, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between inputs and during reads.</param>
    /// <returns>The indexed set.</returns>
    /// <exception cref="RpmFormatException">An RPM file is malformed.</exception>
    /// <exception cref="RepositoryFormatException">Repository metadata is malformed.</exception>
    /// <exception cref="IOException">An input cannot be read.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public static async Task<PackageSet> LoadAsync(IEnumerable<string> paths, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var inputs = paths as IReadOnlyCollection<string> ?? [.. paths];
        var packages = new List<PackageRecord>();
        int done = 0;
        foreach (var path in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsRpmFile(path))
            {
                RpmPackage package;
                await using (var stream = IO.RegularFile.OpenRead(path, 1 << 14))
                {
                    package = await RpmPackage.ReadAsync(stream, path, cancellationToken).ConfigureAwait(false);
                }

                packages.Add(CheckedRecord(package, path));
            }
            else
            {
                packages.AddRange(await RepositoryMetadata.OpenAsync(path, RepositoryMetadata.DefaultMaxDecompressedSize, cancellationToken).ConfigureAwait(false));
            }

            progress?.Report(new OperationProgress(++done, inputs.Count, path));
        }

        return Create(packages);
    }

    private static bool IsRpmFile(string path) => File.Exists(path) && path.EndsWith(".rpm", StringComparison.Ordinal);

    private static PackageRecord CheckedRecord(RpmPackage package, string path)
    {
        var record = PackageRecord.FromPackage(package);
        foreach (var d in record.Dependencies)
        {
            if (d.IsRich && RepositoryMetadata.RichDependencyError(d.Name, d.Kind) is { } reason)
            {
                throw new RpmFormatException(path, 0, $"{d.Kind}: {reason}");
            }
        }

        return record;
    }

    /// <summary>The packages that provide <paramref name="requirement"/>: by name and version range, by file path, or (rich) by evaluating the expression.</summary>
    /// <param name="requirement">A requirement (or any dependency to look up).</param>
    /// <returns>The providers, without duplicates, in set order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="requirement"/> is null.</exception>
    public ImmutableArray<PackageRecord> WhatProvides(RpmDependency requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        return [.. Providers(requirement, _ => true)];
    }

    /// <summary>
    /// Finds the packages that cannot be installed from this set, as libsolv's <c>installcheck</c> does, and explains
    /// each line for line as it does: a package is installable when each of its requirements is provided by some
    /// installable package the architecture policy allows. Conflicts and obsoletes are not weighed (see docs/package-sets.md).
    /// </summary>
    /// <param name="architecture">
    /// The target architecture (<c>x86_64</c>, <c>aarch64</c>, …) with libsolv's policy: the architectures it installs,
    /// packages of an inferior architecture when the name exists in a better one, and packages of another architecture
    /// not checked when their name exists for this one. Null checks every binary package with no policy.
    /// </param>
    /// <returns>The lines of every uninstallable package, grouped by <see cref="InstallProblem.Uninstallable"/> in set order, each group in libsolv's order.</returns>
    public ImmutableArray<InstallProblem> CheckInstallability(string? architecture = null) => new InstallCheck(this, architecture).Run();

    private IEnumerable<PackageRecord> Providers(RpmDependency requirement, Func<PackageRecord, bool> allowed)
    {
        if (requirement.IsRich)
        {
            return Evaluate(RichDependency.Parse(requirement.Name, requirement.Kind), allowed) ?? [];
        }

        return SimpleProviders(requirement, allowed);
    }

    internal IEnumerable<PackageRecord> SimpleProviders(RpmDependency requirement, Func<PackageRecord, bool> allowed)
    {
        var seen = new HashSet<PackageRecord>(ReferenceEqualityComparer.Instance);
        if (_provides.TryGetValue(requirement.Name, out var provides))
        {
            foreach (var (package, provide) in provides)
            {
                if (allowed(package) && requirement.Overlaps(provide) && seen.Add(package))
                {
                    yield return package;
                }
            }
        }

        if (requirement.Name.StartsWith('/') && _files.TryGetValue(requirement.Name, out var owners))
        {
            foreach (var package in owners)
            {
                if (allowed(package) && seen.Add(package))
                {
                    yield return package;
                }
            }
        }
    }

    /// <summary>
    /// The packages through which a rich expression can hold, or null when it cannot. For a requirement,
    /// conditionals hold when their condition can be left uninstalled; <c>with</c>/<c>without</c> need one package.
    /// </summary>
    internal List<PackageRecord>? Evaluate(RichDependency expression, Func<PackageRecord, bool> allowed)
    {
        if (expression is RichSimpleDependency simple)
        {
            var list = SimpleProviders(simple.Dependency, allowed).ToList();
            return list.Count > 0 ? list : null;
        }

        var operation = (RichOperation)expression;
        var operands = operation.Operands;
        List<PackageRecord>? Eval(int i) => Evaluate(operands[i], allowed);
        switch (operation.Operator)
        {
            case RichOperator.And:
                var all = new List<PackageRecord>();
                for (int i = 0; i < operands.Length; i++)
                {
                    if (Eval(i) is not { } part)
                    {
                        return null;
                    }

                    all.AddRange(part);
                }

                return all;
            case RichOperator.Or:
                var any = new List<PackageRecord>();
                for (int i = 0; i < operands.Length; i++)
                {
                    any.AddRange(Eval(i) ?? []);
                }

                return any.Count > 0 ? any : null;
            case RichOperator.If:
                // A if B [else C]: B may stay uninstalled, so without else it always holds.
                return Eval(0) ?? (operands.Length > 2 ? Eval(2) : []);
            case RichOperator.Unless:
                // A unless B [else C]: A, or B installed (and then C).
                return Eval(0) ?? (operands.Length > 2 ? (Eval(1) is { } b && Eval(2) is { } c ? [.. b, .. c] : null) : Eval(1));
            case RichOperator.Else:
                return Eval(0);
            case RichOperator.With:
                var with = Eval(0)?.Intersect(Eval(1) ?? [], PackageIdentity.Instance).ToList();
                return with is { Count: > 0 } ? with : null;
            case RichOperator.Without:
                var without = Eval(0)?.Except(Eval(1) ?? [], PackageIdentity.Instance).ToList();
                return without is { Count: > 0 } ? without : null;
            default:
                return null;
        }
    }

    private sealed class PackageIdentity : IEqualityComparer<PackageRecord>
    {
        public static readonly PackageIdentity Instance = new();

        public bool Equals(PackageRecord? x, PackageRecord? y) => ReferenceEquals(x, y);

        public int GetHashCode(PackageRecord obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
