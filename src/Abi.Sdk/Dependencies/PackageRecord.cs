using System.Collections.Immutable;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Dependencies;

/// <summary>
/// One package as a package set sees it: identity, dependencies and files. Built from an RPM header (everything)
/// or from repository metadata (<c>primary.xml</c>, which carries only the files under <c>/etc</c>, in <c>bin/</c>
/// folders and <c>/usr/lib/sendmail</c>: see docs/dependencies.md).
/// </summary>
public sealed class PackageRecord
{
    /// <summary>Creates a record.</summary>
    /// <param name="name">The package name.</param>
    /// <param name="evr">Epoch, version and release.</param>
    /// <param name="arch">The architecture (<c>x86_64</c>, <c>noarch</c>, …).</param>
    /// <param name="dependencies">Every dependency, of every kind.</param>
    /// <param name="files">The file paths the package carries (directories included).</param>
    /// <param name="location">Where it came from: an RPM path or a repository location.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public PackageRecord(string name, Evr evr, string arch, IEnumerable<RpmDependency> dependencies, IEnumerable<string> files, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(evr);
        ArgumentNullException.ThrowIfNull(arch);
        ArgumentNullException.ThrowIfNull(dependencies);
        ArgumentNullException.ThrowIfNull(files);
        Name = name;
        Evr = evr;
        Arch = arch;
        Dependencies = [.. dependencies];
        Files = [.. files];
        Location = location;
    }

    /// <summary>The package name.</summary>
    public string Name { get; }

    /// <summary>Epoch, version and release.</summary>
    public Evr Evr { get; }

    /// <summary>The architecture.</summary>
    public string Arch { get; }

    /// <summary>Every dependency, of every kind, in the order read.</summary>
    public ImmutableArray<RpmDependency> Dependencies { get; }

    /// <summary>The file paths the package carries.</summary>
    public ImmutableArray<string> Files { get; }

    /// <summary>Where the record came from (an RPM path or a repository location), if known.</summary>
    public string? Location { get; }

    /// <summary>The dependencies of one kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Those dependencies, in order.</returns>
    public IEnumerable<RpmDependency> Of(RpmDependencyKind kind) => Dependencies.Where(d => d.Kind == kind);

    /// <summary>Provides.</summary>
    public IEnumerable<RpmDependency> Provides => Of(RpmDependencyKind.Provides);

    /// <summary>Requires.</summary>
    public IEnumerable<RpmDependency> Requires => Of(RpmDependencyKind.Requires);

    /// <summary>name-[epoch:]version-release.arch, as rpm and libsolv print a package.</summary>
    /// <returns>The NEVRA.</returns>
    public override string ToString() => $"{Name}-{Evr}.{Arch}";

    /// <summary>The record of an RPM package read from its header: all dependencies and all files.</summary>
    /// <param name="package">The package.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="package"/> is null.</exception>
    public static PackageRecord FromPackage(RpmPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var kinds = new[]
        {
            RpmDependencyKind.Provides, RpmDependencyKind.Requires, RpmDependencyKind.Conflicts, RpmDependencyKind.Obsoletes,
            RpmDependencyKind.Recommends, RpmDependencyKind.Suggests, RpmDependencyKind.Supplements, RpmDependencyKind.Enhances,
        };
        var dependencies = kinds.SelectMany(k => package.GetDependencies(k));
        return new PackageRecord(package.Name, package.Evr, package.IsSource ? "src" : package.Arch, dependencies, package.Files.Select(f => f.Path), package.FileName);
    }
}
