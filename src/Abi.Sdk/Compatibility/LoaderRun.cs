using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// One simulated process start: the link maps, in load order. This file maps the objects (preload, DT_NEEDED breadth
/// first) and writes the verdict; the steps in between are in files named after them: LibrarySearch.cs (where a name
/// is found), VersionCheck.cs (dl-version.c) and SymbolBinding.cs (dl-lookup.c).
/// </summary>
internal sealed partial class LoaderRun
{
    private readonly Target _target;
    private readonly ElfHeader _header;
    private readonly TargetLayout _layout;
    private readonly string _binary;
    private readonly List<LinkMap> _loaded = [];      // GL(dl_ns)._ns_loaded: every object, in load order
    private readonly List<LinkMap> _scope = [];       // the main map's search list: the global lookup scope
    private readonly HashSet<string> _faked = new(StringComparer.Ordinal);
    private readonly HashSet<DynamicObject> _scopeSurfaces = new(ReferenceEqualityComparer.Instance);
    private readonly List<MissingLibrary> _missingLibraries = [];
    private readonly List<MissingVersion> _missingVersions = [];
    private readonly List<MissingVersion> _missingWeakVersions = [];
    private readonly List<MissingSymbol> _missingSymbols = [];
    private readonly List<CopyRelocationSizeChange> _sizeChanges = [];
    private readonly List<string> _ignoredPreloads = [];
    private readonly List<RefusedObject> _refusedObjects = [];           // open_verify's fatal refusals
    private readonly List<IsaLevelShortfall> _isaLevelShortfalls = [];   // dl_isa_level_check
    private readonly List<LoaderCheckResult> _checks = [];               // what this run did and did not check
    private readonly LinkMap _main;
    private readonly LinkMap? _rtld;
    private readonly bool _mainInTarget;

    // main: the binary, at its real path ($ORIGIN comes from /proc/self/exe).
    public LoaderRun(Target target, DynamicObject main, string displayPath, bool mainInTarget)
    {
        _target = target;
        _mainInTarget = mainInTarget;
        var image = main.Image;
        _header = image.Header;
        _binary = displayPath;
        _layout = target.LayoutFor(_header.Class, _header.Machine);
        _main = new LinkMap(main, displayPath, main.Path, main.FileSystem, null, isMain: true);
        _main.Names.Add(displayPath);
        if (image.Soname is { } soname)
        {
            _main.Names.Add(soname);
        }

        _loaded.Add(_main);
        _scope.Add(_main);

        // The kernel maps the interpreter named by PT_INTERP; ld.so is then known by that path and its SONAME.
        if (image.Interpreter is { } interp && target.Resolve(target.FileSystem, interp) is { } interpPath
            && target.Surface(target.FileSystem, interpPath) is { } rtldSurface && rtldSurface.Matches(_header))
        {
            _rtld = new LinkMap(rtldSurface, interp, interp, target.FileSystem, null, isMain: false);
            _rtld.Names.Add(interp);
            if (rtldSurface.Image.Soname is { } s)
            {
                _rtld.Names.Add(s);
            }

            _loaded.Add(_rtld);
        }
        else if (image.Interpreter is { } missing)
        {
            _missingLibraries.Add(new MissingLibrary(missing, Chain(_main)));
        }
    }

    private static NeededChain Chain(LinkMap map)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        for (var m = map; m is not null; m = m.Loader)
        {
            names.Add(m.Name);
        }

        return new NeededChain(names.ToImmutable());
    }

    private LinkMap? FindLoaded(string name)
    {
        foreach (var m in _loaded)
        {
            if (m.Names.Contains(name))
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>
    /// do_preload: LD_PRELOAD then /etc/ld.so.preload, each name mapped as a dependency of the program and put in
    /// the scope right after it (an object already loaded is not added twice); one that cannot be loaded is ignored.
    /// </summary>
    public void Preload()
    {
        foreach (var name in _target.Preload.Concat(_target.PreloadFileEntries))
        {
            var (found, openedPath, fs) = Search(name, _main);
            if (found is null)
            {
                _ignoredPreloads.Add(name);
                continue;
            }

            var (map, isNew) = Adopt(found, name, openedPath!, fs!, _main);
            if (isNew)
            {
                map.InScope = true;
                _scope.Add(map);
            }
        }
    }

    /// <summary>_dl_map_object_deps: breadth-first over DT_NEEDED, each name mapped once; filtees before their filter (Filtees.cs).</summary>
    public void LoadAll()
    {
        _main.InScope = true;
        for (int i = 0; i < _scope.Count; i++)
        {
            var map = _scope[i];
            if (!_dependenciesMapped.Add(map))
            {
                continue; // a filter, now behind its filtees
            }

            if (IsFilter(map))
            {
                if (MapFilterDependencies(map, i))
                {
                    i--; // its first filtee now stands here: processed next
                }

                continue;
            }

            foreach (var needed in map.Surface.Image.Needed)
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
        }
    }

    /// <summary>_dl_map_object: search for the file, reuse an object already loaded from the same file.</summary>
    private LinkMap? MapObject(string needed, LinkMap loader)
    {
        var (found, openedPath, fs) = Search(needed, loader);
        if (found is null)
        {
            // ldd's trace mode records a fake map so the name is reported once.
            _faked.Add(needed);
            _missingLibraries.Add(new MissingLibrary(needed, Chain(loader)));
            return null;
        }

        return Adopt(found, needed, openedPath!, fs!, loader).Map;
    }

    /// <summary>
    /// The object for a file found under <paramref name="name"/>: the one already loaded from that file (which
    /// now also answers to the name), or a new one known by the name, the path it was opened by and its SONAME.
    /// </summary>
    private (LinkMap Map, bool IsNew) Adopt(DynamicObject found, string name, string openedPath, TargetFileSystem fs, LinkMap loader)
    {
        foreach (var m in _loaded)
        {
            if (ReferenceEquals(m.Surface, found))
            {
                m.Names.Add(name);
                return (m, false);
            }
        }

        var map = new LinkMap(found, name, openedPath, fs, loader, isMain: false);
        map.Names.Add(name);
        map.Names.Add(openedPath);
        if (found.Image.Soname is { } soname)
        {
            map.Names.Add(soname);
        }

        _loaded.Add(map);
        return (map, true);
    }

    public CompatibilityVerdict Verdict()
    {
        var order = _scope.Select(m => new LoadedObject(m.Name, m.Surface.Path, m.Surface.Image.Soname, m.FileSystem != _target.FileSystem || (m.IsMain && !_mainInTarget))).ToImmutableArray();
        return new CompatibilityVerdict(_binary, true, order, [.. _missingLibraries], [.. _missingVersions], [.. _missingSymbols], [.. _missingWeakVersions], [.. _sizeChanges], [.. _ignoredPreloads],
            [.. _refusedObjects], [.. _isaLevelShortfalls], [.. _checks]) { Filtees = [.. _filtees], GlibcVersion = _layout.GlibcVersion, GlibcVersionSource = _layout.GlibcVersionSource };
    }
}
