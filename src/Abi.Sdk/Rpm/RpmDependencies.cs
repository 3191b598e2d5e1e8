using System.Collections.Immutable;
using System.Runtime.InteropServices;

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

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static ImmutableArray<RpmDependency> Read(RpmHeader header, RpmDependencyKind kind, RpmTag nameTag, RpmTag versionTag, RpmTag flagsTag, bool? strongFilter)
    {
        // Names and versions are sliced and decoded from the header in place (one NUL scan per array).
        if (!header.TryGetStrings(nameTag, out var names))
        {
            return [];
        }

        bool hasVersions = header.TryGetStrings(versionTag, out var versions);
        bool hasFlags = header.TryGetIntegers(flagsTag, out var flags);
        if (hasVersions && versions.Count != names.Count)
        {
            RpmThrow.Format(header.FileName, header.DataFileOffset((int)versionTag), $"{versionTag} has {versions.Count} entries but {nameTag} has {names.Count}");
        }

        if (hasFlags && flags.Count != names.Count)
        {
            RpmThrow.Format(header.FileName, header.DataFileOffset((int)flagsTag), $"{flagsTag} has {flags.Count} entries but {nameTag} has {names.Count}");
        }

        var result = new RpmDependency[names.Count];
        var blob = names.Blob;
        // The flags byte-swapped in one pass (what (uint)flags[i] gives), in stack memory for the usual short lists.
        Span<uint> senses = result.Length <= 256 ? stackalloc uint[256] : new uint[result.Length];
        senses = senses[..result.Length];
        if (hasFlags)
        {
            flags.CopyLow32(0, senses);
        }
        else
        {
            senses.Clear();
        }

        int n = 0;
        for (int i = 0; i < result.Length; i++)
        {
            var senseFlags = (RpmSenseFlags)senses[i];
            if (strongFilter is { } strong && ((senseFlags & RpmSenseFlags.Strong) != 0) != strong)
            {
                continue;
            }

            // Names and EVRs repeat across packages (libc.so.6(GLIBC_2.34)(64bit), rpmlib(...) <= 4.0.4-1): short ASCII
            // ones come from the process's bounded intern table.
            Evr? evr = null;
            int versionStart = 0, versionLength = 0;
            if (hasVersions)
            {
                versionStart = versions.Start(i);
                versionLength = versions.Length(i);
                if (versionLength != 0)
                {
                    evr = versions.IsAscii ? RpmInternTable.Evr(blob.AsSpan(versionStart, versionLength)) : Evr.Parse(versions.Decode(i));
                }
            }

            // The name's position found once, for both its text and its bytes (DecodeInterned, inlined).
            int nameStart = names.Start(i), nameLength = names.Length(i);
            string name = nameLength == 0 ? string.Empty
                : names.IsAscii ? RpmInternTable.Ascii(blob.AsSpan(nameStart, nameLength))
                : names.Decode(i);
            result[n++] = new RpmDependency(kind, name, senseFlags, evr, blob, nameStart, nameLength, versionStart, versionLength);
        }

        if (n < result.Length)
        {
            Array.Resize(ref result, n);
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }
}
