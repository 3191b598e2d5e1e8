using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>The dependency half of a package diff: which dependencies only one build declares, and what each means.</summary>
internal static class PackageDependencyDiff
{
    /// <summary>
    /// Lists the dependencies only one build declares, removed ones in the old build's order then added ones in the
    /// new build's, each once; adds one finding per change (<c>ABI3010</c>, <c>ABI3011</c> or <c>ABI3012</c>).
    /// </summary>
    public static ImmutableArray<DependencyChange> Compare(PackageContent oldPackage, PackageContent newPackage, PackageSet? newSet, string package, PackageComparer comparer, List<DistributionDiagnostic> diagnostics)
    {
        // Compared as rpm -qp prints them (name, operator, EVR): flag bits rpm does not print (interp, pre, find-requires)
        // are how a build declares a dependency, not a different one.
        var oldKeys = oldPackage.Dependencies.Select(Key).ToHashSet();
        var newKeys = newPackage.Dependencies.Select(Key).ToHashSet();
        var changes = ImmutableArray.CreateBuilder<DependencyChange>();
        var seen = new HashSet<(RpmDependencyKind, string, RpmSenseFlags, string)>();
        foreach (var d in oldPackage.Dependencies)
        {
            if (!newKeys.Contains(Key(d)) && seen.Add(Key(d)))
            {
                changes.Add(new DependencyChange(d.Kind, DependencyChangeKind.Removed, d));
            }
        }

        seen.Clear();
        foreach (var d in newPackage.Dependencies)
        {
            if (!oldKeys.Contains(Key(d)) && seen.Add(Key(d)))
            {
                changes.Add(new DependencyChange(d.Kind, DependencyChangeKind.Added, d));
            }
        }

        var newProvides = newPackage.Dependencies.Where(d => d.Kind == RpmDependencyKind.Provides).ToArray();
        PackageSet? self = null;
        foreach (var change in changes)
        {
            var d = change.Dependency;
            var kind = KindName(d.Kind);
            if (change.Change == DependencyChangeKind.Removed)
            {
                if (d.Kind == RpmDependencyKind.Provides)
                {
                    if (KeptBy(d, newProvides) is { } keeper)
                    {
                        comparer.Add(diagnostics, DistributionDiagnosticIds.DependencyChanged, null, package, null, package, kind, d, $"changed; still satisfied by '{keeper}'");
                    }
                    else
                    {
                        comparer.Add(diagnostics, DistributionDiagnosticIds.ProvideRemoved, null, package, null, package, d);
                    }
                }
                else
                {
                    comparer.Add(diagnostics, DistributionDiagnosticIds.DependencyChanged, null, package, null, package, kind, d, "removed");
                }

                continue;
            }

            if (d.Kind == RpmDependencyKind.Requires && newSet is not null && !d.IsRpmLib)
            {
                // Provided by the rebuild's set, or by the new build itself (its own capabilities and files).
                self ??= PackageSet.Create([newPackage.Record]);
                var providers = newSet.WhatProvides(d);
                if (providers.IsEmpty && self.WhatProvides(d).IsEmpty)
                {
                    comparer.Add(diagnostics, DistributionDiagnosticIds.RequirementUnmet, null, package, null, newPackage.Nevra.ToString(), d);
                    continue;
                }

                var by = providers.IsEmpty ? newPackage.Nevra.ToString() : providers[0].ToString();
                comparer.Add(diagnostics, DistributionDiagnosticIds.DependencyChanged, null, package, null, package, kind, d, $"added; provided by {by}");
                continue;
            }

            // New conflicts and obsoletes change what installs together; everything else added is noted only.
            var severity = d.Kind is RpmDependencyKind.Conflicts or RpmDependencyKind.Obsoletes ? AbiSeverity.NeedsReview : AbiSeverity.Compatible;
            var note = d.Kind == RpmDependencyKind.Requires && !d.IsRpmLib ? "added (not checked: no package set of the rebuild given)" : "added";
            comparer.Add(diagnostics, DistributionDiagnosticIds.DependencyChanged, severity, package, null, package, kind, d, note);
        }

        return changes.ToImmutable();
    }

    /// <summary>
    /// The new provide that keeps an old one, or null: the old provide is written as the requirement a consumer of it
    /// would write (see <see cref="AsRequirement"/>) and matched with rpm's range overlap.
    /// </summary>
    internal static RpmDependency? KeptBy(RpmDependency oldProvide, IEnumerable<RpmDependency> newProvides)
    {
        var requirement = AsRequirement(oldProvide);
        foreach (var p in newProvides)
        {
            if (requirement.Overlaps(p))
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>
    /// The requirement an old provide stands for. Unversioned (a SONAME, <c>libfoo.so.1(LIBFOO_1.0)(64bit)</c>, a
    /// plain name): the name, any version. <c>name = E:V-R</c>: <c>name &gt;= E:V</c>, release dropped, because every
    /// rebuild changes the release (<c>1.el9</c> becomes <c>1.el9.alma</c>) and consumers outside the source package
    /// require a version, at least, not one build. Another operator: the provide's own range.
    /// </summary>
    internal static RpmDependency AsRequirement(RpmDependency provide)
    {
        var version = provide.Version?.ToString();
        if (provide.Comparison == RpmSenseFlags.None || string.IsNullOrEmpty(version))
        {
            return new RpmDependency(RpmDependencyKind.Requires, provide.Name);
        }

        if (provide.Comparison == RpmSenseFlags.Equal)
        {
            var evr = provide.Version!;
            var text = string.IsNullOrEmpty(evr.Epoch) ? evr.Version : evr.Epoch + ":" + evr.Version;
            return new RpmDependency(RpmDependencyKind.Requires, provide.Name, RpmSenseFlags.GreaterOrEqual, Evr.Parse(text));
        }

        return new RpmDependency(RpmDependencyKind.Requires, provide.Name, provide.Comparison, provide.Version);
    }

    internal static (RpmDependencyKind, string, RpmSenseFlags, string) Key(RpmDependency d)
        => (d.Kind, d.Name, d.Comparison, d.Version?.ToString() ?? string.Empty);

    /// <summary>The spec-file word of a dependency kind.</summary>
    internal static string KindName(RpmDependencyKind kind) => kind switch
    {
        RpmDependencyKind.Provides => "Provides",
        RpmDependencyKind.Requires => "Requires",
        RpmDependencyKind.Conflicts => "Conflicts",
        RpmDependencyKind.Obsoletes => "Obsoletes",
        RpmDependencyKind.Recommends => "Recommends",
        RpmDependencyKind.Suggests => "Suggests",
        RpmDependencyKind.Supplements => "Supplements",
        RpmDependencyKind.Enhances => "Enhances",
        _ => "OrderWithRequires",
    };
}
