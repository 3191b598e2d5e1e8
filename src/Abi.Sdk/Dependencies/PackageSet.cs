using System.Collections.Immutable;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Dependencies;

/// <summary>Why a package cannot be installed from its set.</summary>
/// <param name="Package">The package.</param>
/// <param name="Requirement">The requirement that cannot be met.</param>
/// <param name="NothingProvides">True when no package of the set provides it at all; false when providers exist but none is installable.</param>
public sealed record InstallProblem(PackageRecord Package, RpmDependency Requirement, bool NothingProvides)
{
    /// <summary>The problem as libsolv's installcheck words it.</summary>
    /// <returns>The sentence.</returns>
    public override string ToString() => NothingProvides
        ? $"nothing provides {Requirement.ToString()} needed by {Package}"
        : $"package {Package} requires {Requirement.ToString()}, but none of the providers can be installed";
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
            if (File.Exists(path) && path.EndsWith(".rpm", StringComparison.Ordinal))
            {
                var record = PackageRecord.FromPackage(RpmPackage.Open(path));
                foreach (var d in record.Dependencies)
                {
                    if (d.IsRich && RepositoryMetadata.RichDependencyError(d.Name, d.Kind) is { } reason)
                    {
                        throw new RpmFormatException(path, 0, $"{d.Kind}: {reason}");
                    }
                }

                packages.Add(record);
            }
            else
            {
                packages.AddRange(RepositoryMetadata.ReadPackages(path));
            }

            progress?.Report(new OperationProgress(++done, inputs.Count, path));
        }

        return Create(packages);
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
    /// Finds the packages that cannot be installed from this set, as libsolv's <c>installcheck</c> does: a package is
    /// installable when each of its requirements is provided by some installable package of a compatible architecture.
    /// Conflicts and obsoletes are not weighed (see docs/dependencies.md).
    /// </summary>
    /// <param name="architecture">The target architecture (<c>x86_64</c>, <c>aarch64</c>, …); packages of other architectures are not checked. Null checks every binary package.</param>
    /// <returns>For each uninstallable package, in set order, the requirements that cannot be met.</returns>
    public ImmutableArray<InstallProblem> CheckInstallability(string? architecture = null)
    {
        var candidates = Packages.Where(p => p.Arch is not ("src" or "nosrc") && (architecture is null || IsCompatible(p.Arch, architecture))).ToList();
        var installable = new HashSet<PackageRecord>(candidates, ReferenceEqualityComparer.Instance);
        var problems = new Dictionary<PackageRecord, List<InstallProblem>>(ReferenceEqualityComparer.Instance);

        // The greatest fixpoint: drop packages with a requirement no remaining package meets, until nothing changes.
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var package in candidates)
            {
                if (!installable.Contains(package))
                {
                    continue;
                }

                foreach (var requirement in package.Requires)
                {
                    if (requirement.Name.StartsWith("rpmlib(", StringComparison.Ordinal))
                    {
                        continue; // rpm itself provides these; libsolv ignores them too
                    }

                    if (Satisfied(requirement, p => installable.Contains(p)))
                    {
                        continue;
                    }

                    installable.Remove(package);
                    changed = true;
                    if (!problems.TryGetValue(package, out var list))
                    {
                        problems[package] = list = [];
                    }

                    list.Add(new InstallProblem(package, requirement, !Satisfied(requirement, p => p.Arch is not ("src" or "nosrc"))));
                }
            }
        }

        return [.. candidates.Where(problems.ContainsKey).SelectMany(p => problems[p])];
    }

    private static bool IsCompatible(string packageArch, string target)
    {
        if (packageArch == "noarch" || packageArch == target)
        {
            return true;
        }

        return target switch
        {
            "x86_64" => packageArch is "i686" or "i586" or "i486" or "i386" or "athlon",
            "x86_64_v2" or "x86_64_v3" or "x86_64_v4" => packageArch is "x86_64" or "i686" or "i586" or "i486" or "i386",
            "i686" => packageArch is "i586" or "i486" or "i386",
            "ppc64" => packageArch is "ppc",
            "s390x" => packageArch is "s390",
            _ => false,
        };
    }

    private bool Satisfied(RpmDependency requirement, Func<PackageRecord, bool> allowed) => Providers(requirement, allowed).Any();

    private IEnumerable<PackageRecord> Providers(RpmDependency requirement, Func<PackageRecord, bool> allowed)
    {
        if (requirement.IsRich)
        {
            return Evaluate(RichDependency.Parse(requirement.Name, requirement.Kind), allowed) ?? [];
        }

        return SimpleProviders(requirement, allowed);
    }

    private IEnumerable<PackageRecord> SimpleProviders(RpmDependency requirement, Func<PackageRecord, bool> allowed)
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
    private List<PackageRecord>? Evaluate(RichDependency expression, Func<PackageRecord, bool> allowed)
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
