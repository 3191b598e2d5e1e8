using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <content>
/// Filters (DT_FILTER, DT_AUXILIARY), as _dl_map_object_deps handles them: each filtee is searched as a dependency of
/// the filter (its RPATH/RUNPATH, its <c>$ORIGIN</c>) and put in the search list right before the filter, so a
/// lookup finds the filtee's definitions first. A standard filter's filtee must load; an auxiliary one's may not.
/// </content>
internal sealed partial class LoaderRun
{
    private readonly List<Filtee> _filtees = [];
    private readonly HashSet<LinkMap> _dependenciesMapped = new(ReferenceEqualityComparer.Instance);

    /// <summary>True for an object with DT_FILTER or DT_AUXILIARY entries: its dynamic entries are then walked in file order.</summary>
    private static bool IsFilter(LinkMap map)
        => map.Surface.Image.Dynamic is { } d && (!d.Filters.IsEmpty || !d.Auxiliaries.IsEmpty);

    /// <summary>
    /// The dependencies of a filter at <paramref name="position"/> in the search list, in the order of its dynamic
    /// entries: a DT_NEEDED is appended to the list; a filtee is inserted before the filter (after the filtees
    /// inserted before it), or moved there when it is already in the list after the filter. Returns true when the
    /// position now holds a filtee, which the loader processes next.
    /// </summary>
    private bool MapFilterDependencies(LinkMap map, int position)
    {
        var dyn = map.Surface.Image.Dynamic!;
        int needed = 0, filters = 0, auxiliaries = 0;
        int insert = position; // where the filter stands now: the next filtee goes there
        foreach (var entry in dyn.Entries)
        {
            if (_stopped)
            {
                break; // a refused object stops loading
            }

            switch (entry.Tag)
            {
                case ElfDynamicTag.DT_NEEDED when needed < dyn.Needed.Length:
                    MapNeeded(dyn.Needed[needed++], map);
                    break;
                case ElfDynamicTag.DT_FILTER when filters < dyn.Filters.Length:
                    insert = MapFiltee(dyn.Filters[filters++], FilterKind.Standard, map, insert);
                    break;
                case ElfDynamicTag.DT_AUXILIARY when auxiliaries < dyn.Auxiliaries.Length:
                    insert = MapFiltee(dyn.Auxiliaries[auxiliaries++], FilterKind.Auxiliary, map, insert);
                    break;
            }
        }

        return insert != position;
    }

    /// <summary>One DT_NEEDED of the breadth-first walk: mapped once, appended to the search list once.</summary>
    private void MapNeeded(string needed, LinkMap map)
    {
        var existing = FindLoaded(needed);
        if (existing is null && !_faked.Contains(needed))
        {
            existing = MapObject(needed, map);
        }

        if (existing is not null && !existing.InScope)
        {
            existing.InScope = true;
            _scope.Add(existing);
        }
    }

    /// <summary>One filtee; returns the filter's position afterwards.</summary>
    private int MapFiltee(string name, FilterKind kind, LinkMap filter, int insert)
    {
        LinkMap? filtee = FindLoaded(name);
        if (filtee is null && kind == FilterKind.Standard && !_faked.Contains(name))
        {
            filtee = MapObject(name, filter); // not found: a missing library, as for a DT_NEEDED ("cannot open shared object file")
        }
        else if (filtee is null && kind == FilterKind.Auxiliary)
        {
            // The loader catches the error of an auxiliary filtee and goes on without it (ldd still lists it as not found).
            var (found, openedPath, fs, _) = Search(name, filter); // a refused auxiliary filtee is an error the loader catches too
            filtee = found is null ? null : Adopt(found, name, openedPath!, fs!, filter).Map;
        }

        _filtees.Add(new Filtee(name, filtee?.Surface.Path, filter.Name, filter.Surface.Path, kind));
        if (filtee is null)
        {
            return insert;
        }

        if (filtee.InScope)
        {
            int at = _scope.IndexOf(filtee);
            if (at <= insert)
            {
                return insert; // already before the filter (or the filter itself): found early enough
            }

            _scope.RemoveAt(at);
        }

        filtee.InScope = true;
        _scope.Insert(insert, filtee);

        // The namespace's list of objects (ldd's order) has the filtee right before the filter too.
        _loaded.Remove(filtee);
        _loaded.Insert(_loaded.IndexOf(filter), filtee);
        return insert + 1;
    }
}
