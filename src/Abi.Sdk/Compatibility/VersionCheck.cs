using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <content>Version check: every version a loaded object needs must be defined by the object that provides it (dl-version.c).</content>
internal sealed partial class LoaderRun
{
    /// <summary>_dl_check_map_versions for every loaded object.</summary>
    public void CheckVersions()
    {
        if (_stopped)
        {
            return; // the loader stopped at a refused object
        }

        foreach (var map in _loaded)
        {
            var image = map.Surface.Image;
            foreach (var need in image.VersionNeeds)
            {
                var provider = FindLoaded(need.FileName);
                if (provider is null)
                {
                    continue; // a missing library, already reported
                }

                if (!provider.Surface.HasVersionDefinitions)
                {
                    continue; // "no version information available": a warning
                }

                foreach (var version in need.Versions)
                {
                    if (provider.Surface.DefinesVersion(version.Name, version.Hash))
                    {
                        continue;
                    }

                    var problem = new MissingVersion(need.FileName, provider.Surface.Path, version.Name, SymbolsOfVersion(map.Surface, version.Index & 0x7fff), Chain(map));
                    (version.IsWeak ? _missingWeakVersions : _missingVersions).Add(problem);
                }
            }
        }
    }

    private static ImmutableArray<string> SymbolsOfVersion(DynamicObject surface, int index)
    {
        var table = surface.Image.DynamicSymbols;
        var names = ImmutableArray.CreateBuilder<string>();
        for (int i = 1; i < table.Count; i++)
        {
            var s = table[i];
            if (s.VersionIndex == index && !s.IsDefined)
            {
                names.Add(s.Name);
            }
        }

        return names.ToImmutable();
    }
}
