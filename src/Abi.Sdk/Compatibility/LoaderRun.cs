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
    private readonly List<LibraryCandidate> _candidates = [];            // files the current search skipped
    private readonly LoaderAbi _abi;                                      // the loader the program picked
    private bool _stopped;                                                // a refused object ended the process start
    private readonly LinkMap _main;
    private LinkMap? _rtld;
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
        _abi = LoaderAbi.Of(image, _layout.GlibcVersion, target.KernelVersion);
        _main = new LinkMap(main, displayPath, main.Path, main.FileSystem, null, isMain: true);
        AddName(_main, displayPath);
        if (image.Soname is { } soname)
        {
            AddName(_main, soname);
        }

        _loaded.Add(_main);
        _scope.Add(_main);

        // The kernel maps the interpreter named by PT_INTERP; ld.so is then known by that path and its SONAME.
        if (image.Interpreter is { } interp)
        {
            MapInterpreter(interp);
        }

        NoteChecks();
    }

    /// <summary>
    /// execve's load of the interpreter: missing is "No such file or directory"; a file the kernel cannot run for the
    /// program (not ELF, another class or machine, unreadable, a folder) fails the exec. Then, before glibc 2.36, the
    /// loader itself stops on a kernel older than its C library was built for.
    /// </summary>
    private void MapInterpreter(string interp)
    {
        var (interpPath, isDirectory) = _target.ResolveEntry(_target.FileSystem, interp);
        if (interpPath is null)
        {
            _missingLibraries.Add(new MissingLibrary(interp, Chain(_main)));
            return;
        }

        var file = isDirectory ? null : _target.LoaderFileAt(_target.FileSystem, interpPath);
        var h = file?.Object?.Image.Header;
        string? why = isDirectory ? "a directory (EACCES)"
            : file!.Failure == FileFailure.PermissionDenied ? "Permission denied (EACCES)"
            : file.Failure is FileFailure.Fifo or FileFailure.NotRegular ? $"{file.Detail}, not a regular file (EACCES)"
            : file.Object is null ? $"not ELF the kernel can load (ELIBBAD: {file.Detail})"
            : h!.Class != _header.Class || h.DataEncoding != _header.DataEncoding || h.Machine != _header.Machine
                ? $"{h.Class} {h.Machine}, not the program's {_header.Class} {_header.Machine} (ELIBBAD)"
            : h.Type is not (ElfFileType.SharedObject or ElfFileType.Executable) ? $"an ELF file of type {h.Type} (ELIBBAD)"
            : null;
        if (why is not null)
        {
            Refuse(interp, new LibraryCandidate(interp, ObjectRejection.BadInterpreter, $"the kernel cannot run the interpreter: {why}"), _main);
            return;
        }

        var rtldSurface = file!.Object!;
        _rtld = new LinkMap(rtldSurface, interp, interp, _target.FileSystem, null, isMain: false);
        AddName(_rtld, interp);
        if (rtldSurface.Image.Soname is { } s)
        {
            AddName(_rtld, s);
        }

        _loaded.Add(_rtld);
        KernelTooOld(interp);
    }

    /// <summary>
    /// glibc before 2.36: ld.so refuses to start on a kernel older than the one its C library was configured for
    /// (--enable-kernel, which the C library's NT_GNU_ABI_TAG records): "FATAL: kernel too old".
    /// </summary>
    private void KernelTooOld(string interp)
    {
        if (!_abi.GlibcBefore(2, 36) || _abi.KernelVersion is not { } kernel
            || (_target.Resolve(_target.FileSystem, $"/{_layout.Lib}/libc.so.6") ?? _target.Resolve(_target.FileSystem, $"/usr/{_layout.Lib}/libc.so.6")) is not { } libcPath
            || _target.Surface(_target.FileSystem, libcPath) is not { } libc)
        {
            return;
        }

        ElfAbiTag? tag;
        try
        {
            tag = libc.Image.AbiTag;
        }
        catch (ElfFormatException)
        {
            return;
        }

        if (tag is { Os: ElfAbiTagOs.GNU_ABI_TAG_LINUX } && ObjectAcceptance.KernelCode(kernel) < ((Math.Min(tag.Major, 255u) << 16) | (Math.Min(tag.Minor, 255u) << 8) | Math.Min(tag.Patch, 255u)))
        {
            Refuse(interp, new LibraryCandidate(interp, ObjectRejection.KernelTooOld, $"FATAL: kernel too old (the target's C library needs Linux {tag.Major}.{tag.Minor}.{tag.Patch}; the kernel is {kernel})"), _main);
        }
    }

    /// <summary>What this run checks of every object, and against what.</summary>
    private void NoteChecks()
    {
        var release = _layout.GlibcVersion is { } g ? $"glibc {g.Major}.{g.Minor}" : "a current glibc";
        _checks.Add(new LoaderCheckResult(LoaderCheck.ObjectAcceptance, true,
            $"ELF class, byte order, machine and float ABI, OS ABI and ABI version, type and segments of every object, as the loader of {release} checks them"));
        if (!_abi.GlibcBefore(2, 36))
        {
            _checks.Add(new LoaderCheckResult(LoaderCheck.KernelVersion, true, $"nothing to check: the loader of {release} ignores NT_GNU_ABI_TAG notes"));
        }
        else if (_abi.KernelVersion is { } kernel)
        {
            _checks.Add(new LoaderCheckResult(LoaderCheck.KernelVersion, true, $"NT_GNU_ABI_TAG notes against the target's kernel {kernel}, as the loader of {release} does"));
        }
        else
        {
            _checks.Add(new LoaderCheckResult(LoaderCheck.KernelVersion, false,
                $"the target's kernel is unknown: the loader of {release} skips libraries whose NT_GNU_ABI_TAG asks for a newer kernel, and refuses to start on a kernel older than its C library's"));
        }
    }

    /// <summary>A refused file: the loader prints its error and the process start ends; nothing after it is loaded, checked or bound.</summary>
    private void Refuse(string name, LibraryCandidate refusal, LinkMap neededBy)
    {
        _refusedObjects.Add(new RefusedObject(name, refusal.Path, refusal.Reason, refusal.Message, Chain(neededBy)));
        _stopped = true;
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

    /// <summary>
    /// The object each name was added to, or null once a second object answers to it as well (then the first in load
    /// order is searched for): a name is hashed once per lookup, not once per loaded object.
    /// </summary>
    private readonly Dictionary<string, LinkMap?> _byName = new(StringComparer.Ordinal);

    private void AddName(LinkMap map, string name)
    {
        if (map.Names.Add(name))
        {
            _byName[name] = _byName.TryGetValue(name, out var other) && other != map ? null : map;
        }
    }

    private LinkMap? FindLoaded(string name)
    {
        if (!_byName.TryGetValue(name, out var only))
        {
            return null;
        }

        if (only is not null)
        {
            return only;
        }

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
        if (_stopped)
        {
            return;
        }

        foreach (var name in _target.Preload.Concat(_target.PreloadFileEntries))
        {
            // A preload refused is ignored like one not found ("cannot be preloaded (REASON): ignored").
            var (found, openedPath, fs, _) = Search(name, _main);
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
        for (int i = 0; i < _scope.Count && !_stopped; i++)
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
                if (_stopped)
                {
                    break;
                }

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
        var (found, openedPath, fs, refusal) = Search(needed, loader);
        if (refusal is not null)
        {
            // _dl_signal_error: fatal even in ldd's trace mode.
            Refuse(needed, refusal, loader);
            return null;
        }

        if (found is null)
        {
            // ldd's trace mode records a fake map so the name is reported once.
            _faked.Add(needed);
            _missingLibraries.Add(new MissingLibrary(needed, Chain(loader)) { Candidates = [.. _candidates] });
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
                AddName(m, name);
                return (m, false);
            }
        }

        var map = new LinkMap(found, name, openedPath, fs, loader, isMain: false);
        AddName(map, name);
        AddName(map, openedPath);
        if (found.Image.Soname is { } soname)
        {
            AddName(map, soname);
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
