using System.Collections.Immutable;

namespace Abi.Sdk.Rpm;

/// <summary>Reads dependency tag triples as rpm's <c>rpmdsNew</c> and the <c>*NEVRS</c> query extensions do.</summary>
internal static class RpmDependencies
{
    public static (RpmTag Name, RpmTag Version, RpmTag Flags) Tags(RpmDependencyKind kind) => kind switch
    {
        RpmDependencyKind.Provides => (RpmTag.ProvideName, RpmTag.ProvideVersion, RpmTag.ProvideFlags),
        RpmDependencyKind.Requires => (RpmTag.RequireName, RpmTag.RequireVersion, RpmTag.RequireFlags),
        RpmDependencyKind.Conflicts => (RpmTag.ConflictName, RpmTag.ConflictVersion, RpmTag.ConflictFlags),
        RpmDependencyKind.Obsoletes => (RpmTag.ObsoleteName, RpmTag.ObsoleteVersion, RpmTag.ObsoleteFlags),
        RpmDependencyKind.Recommends => (RpmTag.RecommendName, RpmTag.RecommendVersion, RpmTag.RecommendFlags),
        RpmDependencyKind.Suggests => (RpmTag.SuggestName, RpmTag.SuggestVersion, RpmTag.SuggestFlags),
        RpmDependencyKind.Supplements => (RpmTag.SupplementName, RpmTag.SupplementVersion, RpmTag.SupplementFlags),
        RpmDependencyKind.Enhances => (RpmTag.EnhanceName, RpmTag.EnhanceVersion, RpmTag.EnhanceFlags),
        RpmDependencyKind.OrderWithRequires => (RpmTag.OrderName, RpmTag.OrderVersion, RpmTag.OrderFlags),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static ImmutableArray<RpmDependency> Read(RpmHeader header, RpmDependencyKind kind)
    {
        var (n, v, f) = Tags(kind);
        var result = Read(header, kind, n, v, f, strongFilter: null);
        if (!result.IsEmpty)
        {
            return result;
        }

        // Before rpm 4.12 weak dependencies lived in OLDSUGGESTS/OLDENHANCES, split by RPMSENSE_STRONG;
        // rpm still reports them under the new kinds when the new tags are absent.
        return kind switch
        {
            RpmDependencyKind.Recommends => Read(header, kind, RpmTag.OldSuggestsName, RpmTag.OldSuggestsVersion, RpmTag.OldSuggestsFlags, strongFilter: true),
            RpmDependencyKind.Suggests => Read(header, kind, RpmTag.OldSuggestsName, RpmTag.OldSuggestsVersion, RpmTag.OldSuggestsFlags, strongFilter: false),
            RpmDependencyKind.Supplements => Read(header, kind, RpmTag.OldEnhancesName, RpmTag.OldEnhancesVersion, RpmTag.OldEnhancesFlags, strongFilter: true),
            RpmDependencyKind.Enhances => Read(header, kind, RpmTag.OldEnhancesName, RpmTag.OldEnhancesVersion, RpmTag.OldEnhancesFlags, strongFilter: false),
            _ => result,
        };
    }

    private static ImmutableArray<RpmDependency> Read(RpmHeader header, RpmDependencyKind kind, RpmTag nameTag, RpmTag versionTag, RpmTag flagsTag, bool? strongFilter)
    {
        var names = header.GetStringArray(nameTag);
        if (names.IsEmpty)
        {
            return [];
        }

        var nameBytes = header.GetStringArrayBytes(nameTag);
        var versions = header.GetStringArray(versionTag);
        var versionBytes = header.GetStringArrayBytes(versionTag);
        var flags = header.GetIntegers(flagsTag);
        if (!versions.IsEmpty && versions.Length != names.Length)
        {
            RpmThrow.Format(header.FileName, header.DataFileOffset((int)versionTag), $"{versionTag} has {versions.Length} entries but {nameTag} has {names.Length}");
        }

        if (!flags.IsEmpty && flags.Length != names.Length)
        {
            RpmThrow.Format(header.FileName, header.DataFileOffset((int)flagsTag), $"{flagsTag} has {flags.Length} entries but {nameTag} has {names.Length}");
        }

        var builder = ImmutableArray.CreateBuilder<RpmDependency>(names.Length);
        for (int i = 0; i < names.Length; i++)
        {
            var senseFlags = flags.IsEmpty ? RpmSenseFlags.None : (RpmSenseFlags)(uint)flags[i];
            if (strongFilter is { } strong && ((senseFlags & RpmSenseFlags.Strong) != 0) != strong)
            {
                continue;
            }

            var evr = versions.IsEmpty ? null : versions[i];
            builder.Add(new RpmDependency(kind, names[i], senseFlags, string.IsNullOrEmpty(evr) ? null : Evr.Parse(evr), nameBytes[i], versions.IsEmpty ? default : versionBytes[i]));
        }

        return builder.ToImmutable();
    }
}
