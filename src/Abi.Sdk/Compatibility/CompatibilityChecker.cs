using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// Predicts glibc's dynamic loader (ld.so) without running anything: loads DT_NEEDED breadth-first with the
/// loader's search order, checks version needs as <c>_dl_check_map_versions</c> does, and binds every symbol the
/// relocations look up with the rules of <c>do_lookup_x</c>/<c>check_match</c>. See docs/compatibility.md.
/// </summary>
public static class CompatibilityChecker
{


    /// <summary>Checks the binary at <paramref name="path"/> (read from this machine) against <paramref name="target"/>.</summary>
    /// <param name="path">An ELF executable or shared library on this machine.</param>
    /// <param name="target">The system it should run on.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ElfFormatException">The binary is not well-formed ELF.</exception>
    /// <exception cref="IOException">The binary cannot be read.</exception>
    public static CompatibilityVerdict Check(string path, Target target)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(target);
        var hostFs = target.HostFileSystem;
        var absolute = Path.GetFullPath(path);
        var resolved = hostFs.Resolve(absolute) ?? throw new FileNotFoundException($"'{path}' does not exist or is not a regular file", path);
        using var image = ElfImage.Open(absolute);
        return Check(image, path, resolved, hostFs, target);
    }

    /// <summary>
    /// Checks an ELF image already in memory against <paramref name="target"/>. <c>$ORIGIN</c> of the binary is the
    /// folder of <paramref name="path"/> on this machine.
    /// </summary>
    /// <param name="image">The binary.</param>
    /// <param name="path">Its path on this machine (its name in the verdict, and its <c>$ORIGIN</c>).</param>
    /// <param name="target">The system it should run on.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ElfFormatException">The binary is malformed.</exception>
    public static CompatibilityVerdict Check(ElfImage image, string path, Target target)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(target);
        var absolute = Path.GetFullPath(path);
        var resolved = target.HostFileSystem.Resolve(absolute) ?? absolute;
        return Check(image, path, resolved, target.HostFileSystem, target);
    }

    /// <summary>
    /// Checks a binary that is part of the target itself, for example <c>/usr/bin/app</c> of an unpacked tree or of a
    /// package in <see cref="Target.FromRpms"/>: it is read from the target, and its <c>$ORIGIN</c> (its bundled
    /// libraries) lies in the target too.
    /// </summary>
    /// <param name="path">The binary's absolute path inside the target; links are followed inside the target.</param>
    /// <param name="target">The system it is installed in.</param>
    /// <returns>The verdict; <see cref="CompatibilityVerdict.Binary"/> is <paramref name="path"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not absolute.</exception>
    /// <exception cref="FileNotFoundException">The target has no regular file at <paramref name="path"/>.</exception>
    /// <exception cref="ElfFormatException">The file is not well-formed ELF.</exception>
    public static CompatibilityVerdict CheckInstalled(string path, Target target)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(target);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"'{path}' is not an absolute path inside the target", nameof(path));
        }

        var fs = target.FileSystem;
        var resolved = target.Resolve(fs, path) ?? throw new FileNotFoundException($"'{path}' is not a regular file in {target.Description}", path);
        if (target.Surface(fs, resolved) is { } surface)
        {
            return Check(surface, path, target);
        }

        // Not readable as ELF: open it again to raise the reader's own error (file, offset, reason).
        using var image = fs.OpenElf(resolved);
        return Check(image, path, resolved, fs, target);
    }

    /// <summary>
    /// Checks every ELF executable and shared library an RPM package installs, as installed in
    /// <paramref name="target"/> — a target that contains the package, such as <see cref="Target.FromRpms"/> given the
    /// package with the system's packages. Ghost files, and files that are not ELF executables or shared objects, are
    /// skipped; static executables get a verdict with <see cref="CompatibilityVerdict.IsDynamic"/> false.
    /// </summary>
    /// <param name="package">The package.</param>
    /// <param name="target">A system the package is installed in.</param>
    /// <returns>One verdict per ELF file, in the package's file order.</returns>
    /// <exception cref="ArgumentException">A regular file of the package is not in the target: the package is not part of it.</exception>
    public static ImmutableArray<CompatibilityVerdict> CheckPackage(RpmPackage package, Target target)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(target);
        var fs = target.FileSystem;
        var verdicts = ImmutableArray.CreateBuilder<CompatibilityVerdict>();
        foreach (var file in package.Files)
        {
            if (!file.IsRegularFile || file.IsGhost)
            {
                continue;
            }

            var resolved = target.Resolve(fs, file.Path)
                ?? throw new ArgumentException($"{file.Path} of {package.Nevra} is not in {target.Description}: build the target with the package", nameof(target));
            if (target.Surface(fs, resolved) is { Image.Header.Type: ElfFileType.Executable or ElfFileType.SharedObject } surface)
            {
                verdicts.Add(Check(surface, file.Path, target));
            }
        }

        return verdicts.ToImmutable();
    }

    private static CompatibilityVerdict Check(ElfImage image, string displayPath, string resolvedPath, TargetFileSystem fs, Target target)
        // A program started by the kernel gets its $ORIGIN from /proc/self/exe: the real path of the file.
        => Check(DynamicObject.ForImage(fs, resolvedPath, image), displayPath, target, mainInTarget: fs == target.FileSystem && !fs.IsHost);

    private static CompatibilityVerdict Check(DynamicObject main, string displayPath, Target target, bool mainInTarget = true)
    {
        if (main.Image.Dynamic is null)
        {
            return new CompatibilityVerdict(displayPath, false, [], [], [], [], [], []);
        }

        var run = new LoaderRun(target, main, displayPath, mainInTarget);
        run.Preload();
        run.LoadAll();
        run.CheckVersions();
        run.BindSymbols();
        return run.Verdict();
    }

    /// <summary>One simulated process start: the link maps, in load order.</summary>
    private sealed class LoaderRun
    {
        private readonly Target _target;
        private readonly ElfHeader _header;
        private readonly TargetLayout _layout;
        private readonly string _binary;
        private readonly List<Map> _loaded = [];      // GL(dl_ns)._ns_loaded: every object, in load order
        private readonly List<Map> _scope = [];       // the main map's search list: the global lookup scope
        private readonly HashSet<string> _faked = new(StringComparer.Ordinal);
        private readonly HashSet<DynamicObject> _scopeSurfaces = new(ReferenceEqualityComparer.Instance);
        private readonly List<MissingLibrary> _missingLibraries = [];
        private readonly List<MissingVersion> _missingVersions = [];
        private readonly List<MissingVersion> _missingWeakVersions = [];
        private readonly List<MissingSymbol> _missingSymbols = [];
        private readonly List<CopyRelocationSizeChange> _sizeChanges = [];
        private readonly List<string> _ignoredPreloads = [];
        private readonly Map _main;
        private readonly Map? _rtld;
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
            _main = new Map(main, displayPath, main.Path, null, isMain: true);
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
                _rtld = new Map(rtldSurface, interp, interp, null, isMain: false);
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

        private sealed class Map(DynamicObject surface, string name, string openedPath, Map? loader, bool isMain)
        {
            public DynamicObject Surface { get; } = surface;

            /// <summary>$ORIGIN: the folder of the path the file was opened by (l_name), links not followed.</summary>
            public string Origin { get; } = FolderOf(openedPath);
            public string Name { get; } = name;
            public Map? Loader { get; } = loader;
            public bool IsMain { get; } = isMain;
            public bool InScope { get; set; }
            public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
        }

        private static NeededChain Chain(Map map)
        {
            var names = ImmutableArray.CreateBuilder<string>();
            for (var m = map; m is not null; m = m.Loader)
            {
                names.Add(m.Name);
            }

            return new NeededChain(names.ToImmutable());
        }

        private Map? FindLoaded(string name)
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
                var (found, openedPath) = Search(name, _main);
                if (found is null)
                {
                    _ignoredPreloads.Add(name);
                    continue;
                }

                var (map, isNew) = Adopt(found, name, openedPath!, _main);
                if (isNew)
                {
                    map.InScope = true;
                    _scope.Add(map);
                }
            }
        }

        /// <summary>_dl_map_object_deps: breadth-first over DT_NEEDED, each name mapped once.</summary>
        public void LoadAll()
        {
            _main.InScope = true;
            for (int i = 0; i < _scope.Count; i++)
            {
                var map = _scope[i];
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
        private Map? MapObject(string needed, Map loader)
        {
            var (found, openedPath) = Search(needed, loader);
            if (found is null)
            {
                // ldd's trace mode records a fake map so the name is reported once.
                _faked.Add(needed);
                _missingLibraries.Add(new MissingLibrary(needed, Chain(loader)));
                return null;
            }

            return Adopt(found, needed, openedPath!, loader).Map;
        }

        /// <summary>
        /// The object for a file found under <paramref name="name"/>: the one already loaded from that file (which
        /// now also answers to the name), or a new one known by the name, the path it was opened by and its SONAME.
        /// </summary>
        private (Map Map, bool IsNew) Adopt(DynamicObject found, string name, string openedPath, Map loader)
        {
            foreach (var m in _loaded)
            {
                if (ReferenceEquals(m.Surface, found))
                {
                    m.Names.Add(name);
                    return (m, false);
                }
            }

            var map = new Map(found, name, openedPath, loader, isMain: false);
            map.Names.Add(name);
            map.Names.Add(openedPath);
            if (found.Image.Soname is { } soname)
            {
                map.Names.Add(soname);
            }

            _loaded.Add(map);
            return (map, true);
        }

        private (DynamicObject? Surface, string? OpenedPath) Search(string rawName, Map loader)
        {
            var name = rawName;
            var fs = _target.FileSystem;
            if (name.Contains('$'))
            {
                (name, var originRelative) = Expand(name, loader);
                if (originRelative)
                {
                    fs = loader.Surface.FileSystem;
                }
            }

            if (name.Contains('/'))
            {
                var path = name.StartsWith('/') ? name : fs.IsHost ? Path.GetFullPath(name) : "/" + name;
                return TryFile(fs, path);
            }


            var dyn = loader.Surface.Image.Dynamic!;
            bool loaderHasRunPath = dyn.RunPath is not null;
            if (!loaderHasRunPath)
            {
                // DT_RPATH of the loader, of its loader, and on up; then the executable's.
                bool didMain = false;
                for (var l = loader; l is not null; l = l.Loader)
                {
                    // cache_rpath reads a library's DT_RPATH even when it also has DT_RUNPATH; only the
                    // executable's RPATH is dropped when it has a RUNPATH (_dl_init_paths).
                    var ldyn = l.Surface.Image.Dynamic!;
                    if (ldyn.RPath is { } rpath && !(l.IsMain && ldyn.RunPath is not null))
                    {
                        if (SearchPath(rpath, l, name) is { Surface: not null } hit)
                        {
                            return hit;
                        }

                        didMain |= l.IsMain;
                    }
                }

                if (!didMain && _main.Surface.Image.Dynamic is { RunPath: null, RPath: { } mainRPath } && SearchPath(mainRPath, _main, name) is { Surface: not null } mainHit)
                {
                    return mainHit;
                }
            }

            foreach (var dir in _target.LibraryPath)
            {
                if (TryFolder(_target.FileSystem, dir, name) is { Surface: not null } hit)
                {
                    return hit;
                }
            }

            if (dyn.RunPath is { } runpath && SearchPath(runpath, loader, name) is { Surface: not null } runHit)
            {
                return runHit;
            }

            if ((dyn.Flags1 & ElfDynamicFlags1.DF_1_NODEFLIB) != 0)
            {
                return default;
            }

            if (_layout.TryCacheLookup(name, out var cached) && TryFile(_target.FileSystem, cached) is { Surface: not null } cacheHit)
            {
                return cacheHit;
            }

            foreach (var dir in _layout.DefaultDirectories)
            {
                if (TryFolder(_target.FileSystem, dir, name) is { Surface: not null } hit)
                {
                    return hit;
                }
            }

            return default;
        }

        private static string FolderOf(string path)
        {
            int slash = path.LastIndexOf('/');
            return slash <= 0 ? "/" : path[..slash];
        }

        private static string Join(string dir, string name) => dir.EndsWith('/') ? dir + name : dir + "/" + name;

        private (DynamicObject? Surface, string? OpenedPath) SearchPath(string path, Map owner, string name)
        {
            foreach (var element in path.Split(':'))
            {
                if (element.Length == 0)
                {
                    continue; // an empty element means the current directory of the process; not modelled
                }

                var fs = _target.FileSystem;
                var dir = element;
                if (dir.Contains('$'))
                {
                    (dir, bool originRelative) = Expand(dir, owner);
                    if (originRelative)
                    {
                        fs = owner.Surface.FileSystem;
                    }
                }

                if (!dir.StartsWith('/'))
                {
                    continue; // relative to the process's current directory; not modelled
                }

                if (TryFolder(fs, dir, name) is { Surface: not null } hit)
                {
                    return hit;
                }
            }

            return default;
        }

        /// <summary>_dl_dst_substitute: $ORIGIN, $LIB, $PLATFORM, braced or not.</summary>
        private (string Value, bool OriginRelative) Expand(string text, Map owner)
        {
            var sb = new System.Text.StringBuilder(text.Length + 32);
            bool origin = false;
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] != '$')
                {
                    sb.Append(text[i]);
                    continue;
                }

                var rest = text.AsSpan(i + 1);
                if (Token(rest, "ORIGIN", out int len))
                {
                    // A path that starts at $ORIGIN lies in the file system the object came from.
                    origin |= sb.Length == 0;
                    sb.Append(owner.Origin);
                    i += len;
                }
                else if (Token(rest, "LIB", out len))
                {
                    sb.Append(_layout.Lib);
                    i += len;
                }
                else if (Token(rest, "PLATFORM", out len))
                {
                    sb.Append(_layout.Platform);
                    i += len;
                }
                else
                {
                    sb.Append('$');
                }
            }

            return (sb.ToString(), origin);
        }

        private static bool Token(ReadOnlySpan<char> rest, string name, out int length)
        {
            if (rest.StartsWith(name, StringComparison.Ordinal) && (rest.Length == name.Length || !(char.IsAsciiLetterOrDigit(rest[name.Length]) || rest[name.Length] == '_')))
            {
                length = name.Length;
                return true;
            }

            if (rest.Length >= name.Length + 2 && rest[0] == '{' && rest[1..].StartsWith(name, StringComparison.Ordinal) && rest[name.Length + 1] == '}')
            {
                length = name.Length + 2;
                return true;
            }

            length = 0;
            return false;
        }

        /// <summary>open_path over one search folder: its hardware-specific subfolders first, then the folder itself.</summary>
        private (DynamicObject? Surface, string? OpenedPath) TryFolder(TargetFileSystem fs, string dir, string name)
        {
            foreach (var sub in _layout.HardwareSubdirectories)
            {
                var folder = Join(dir, sub);
                if (_target.DirectoryExists(fs, folder) && TryFile(fs, Join(folder, name)) is { Surface: not null } hit)
                {
                    return hit;
                }
            }

            return TryFile(fs, Join(dir, name));
        }

        /// <summary>open_verify: a file that exists and is ELF of the executable's class, byte order and machine.</summary>
        private (DynamicObject? Surface, string? OpenedPath) TryFile(TargetFileSystem fs, string path)
        {
            var resolved = _target.Resolve(fs, path);
            if (resolved is null)
            {
                return default;
            }

            var surface = _target.Surface(fs, resolved);
            return surface is not null && surface.Matches(_header) && surface.Image.Dynamic is not null ? (surface, path) : default;
        }

        /// <summary>_dl_check_map_versions for every loaded object.</summary>
        public void CheckVersions()
        {
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

        /// <summary>Relocation processing with immediate binding (LD_BIND_NOW): every looked-up symbol of every object.</summary>
        public void BindSymbols()
        {
            foreach (var m in _scope)
            {
                _scopeSurfaces.Add(m.Surface);
            }

            foreach (var map in _loaded)
            {
                if (!map.InScope && map != _rtld)
                {
                    continue;
                }

                var surface = map.Surface;
                var table = surface.Image.DynamicSymbols;
                bool symbolic = (surface.Image.Dynamic!.Flags & ElfDynamicFlags.DF_SYMBOLIC) != 0;
                var references = surface.References;
                var satisfiers = map.IsMain ? null : surface.Satisfiers;
                for (int r = 0; r < references.Length; r++)
                {
                    var reference = references[r];
                    var symbol = table[reference.SymbolIndex];
                    if (!reference.IsCopy && symbol.Binding == ElfSymbolBinding.Weak)
                    {
                        continue; // bound or left 0, a weak reference never refuses the load
                    }

                    if (satisfiers is not null && satisfiers[r] is { } known && _scopeSurfaces.Contains(known))
                    {
                        continue;
                    }

                    var name = symbol.Name;
                    DynamicObject.VersionSlot version = default;
                    if (surface.HasVersionTable)
                    {
                        version = surface.VersionOf(symbol.VersionIndex);
                    }

                    bool versioned = version.Hash != 0;
                    var key = (name, versioned ? version.Name : null, versioned ? version.Hash : 0u);
                    if (!reference.IsCopy && !symbolic && _target.Satisfiers.TryGetValue(key, out var seen) && _scopeSurfaces.Contains(seen))
                    {
                        if (satisfiers is not null)
                        {
                            satisfiers[r] = seen;
                        }

                        continue;
                    }

                    var (defMap, defIndex) = Lookup(name, symbol.NameUtf8, versioned ? version : null, reference.IsCopy, symbolic ? map : null);
                    if (defMap is null)
                    {
                        if (symbol.Binding != ElfSymbolBinding.Weak)
                        {
                            _missingSymbols.Add(new MissingSymbol(name, versioned ? version.Name : null, versioned ? version.FileName : null, Chain(map)));
                        }

                        continue;
                    }

                    if (satisfiers is not null)
                    {
                        satisfiers[r] = defMap.Surface;
                    }

                    if (!reference.IsCopy)
                    {
                        _target.Satisfiers[key] = defMap.Surface;
                    }

                    if (reference.IsCopy)
                    {
                        var def = defMap.Surface.Image.DynamicSymbols[defIndex];
                        if (def.Size != symbol.Size)
                        {
                            _sizeChanges.Add(new CopyRelocationSizeChange(name, versioned ? version.Name : null, symbol.Size, def.Size, defMap.Surface.Path));
                        }
                    }
                }
            }
        }

        /// <summary>do_lookup_x over the scope: the first object whose definition check_match accepts and that binds globally.</summary>
        private (Map? Map, int Index) Lookup(string name, ReadOnlySpan<byte> utf8, DynamicObject.VersionSlot? version, bool isCopy, Map? symbolicSelf)
        {
            uint hash = GnuHashTable.Hash(utf8);
            if (symbolicSelf is not null && Match(symbolicSelf.Surface, name, utf8, hash, version) is int selfIndex && selfIndex > 0 && Binds(symbolicSelf.Surface, selfIndex))
            {
                return (symbolicSelf, selfIndex);
            }

            foreach (var map in _scope)
            {
                if (isCopy && map.IsMain)
                {
                    continue; // a copy relocation never binds to the executable itself
                }

                int index = Match(map.Surface, name, utf8, hash, version);
                if (index > 0 && Binds(map.Surface, index))
                {
                    return (map, index);
                }
            }

            return (null, 0);
        }

        /// <summary>Hidden and internal definitions are local; local bindings are ignored; weak, global and unique bind.</summary>
        private static bool Binds(DynamicObject surface, int index)
        {
            var s = surface.Image.DynamicSymbols[index];
            if (s.Visibility is ElfSymbolVisibility.Hidden or ElfSymbolVisibility.Internal)
            {
                return false;
            }

            return s.Binding is ElfSymbolBinding.Global or ElfSymbolBinding.Weak or ElfSymbolBinding.GnuUnique;
        }

        /// <summary>check_match over one object's definitions of the name, with the num_versions rule for unversioned references.</summary>
        private static int Match(DynamicObject surface, string name, ReadOnlySpan<byte> utf8, uint hash, DynamicObject.VersionSlot? version)
        {
            var table = surface.Image.DynamicSymbols;
            scoped ReadOnlySpan<int> candidates;
            Span<int> buffer = stackalloc int[16];
            if (surface.GnuHash is { } gnu)
            {
                // As ld.so: bloom filter, bucket, chain; then the same first filters and the name.
                int n = gnu.Candidates(hash, buffer, out bool overflow);
                if (overflow)
                {
                    candidates = surface.Definitions.TryGetValue(name, out var all) ? all : [];
                }
                else
                {
                    int kept = 0;
                    for (int i = 0; i < n; i++)
                    {
                        var s = table[buffer[i]];
                        if (DynamicObject.IsDefinition(s) && s.NameEquals(utf8))
                        {
                            buffer[kept++] = buffer[i];
                        }
                    }

                    candidates = buffer[..kept];
                }
            }
            else if (surface.Definitions.TryGetValue(name, out var indexed))
            {
                candidates = indexed;
            }
            else
            {
                return 0;
            }

            int numVersions = 0, versionedIndex = 0;
            foreach (int index in candidates)
            {
                if (!surface.HasVersionTable)
                {
                    return index; // the object has no versioning: any definition is accepted
                }

                ushort versym = table[index].VersionSymbol;
                int ndx = versym & 0x7fff;
                bool hidden = (versym & 0x8000) != 0;
                if (version is { } wanted)
                {
                    var have = surface.VersionOf(ndx);
                    if ((have.Hash != wanted.Hash || have.Name != wanted.Name) && (have.Hash != 0 || hidden))
                    {
                        continue; // not the version we want, and not an unversioned default
                    }

                    return index;
                }

                if (ndx >= 3)
                {
                    // An unversioned reference takes a versioned definition only if it is the only non-hidden one.
                    if (!hidden && numVersions++ == 0)
                    {
                        versionedIndex = index;
                    }

                    continue;
                }

                return index; // local, global or the first (oldest) version: the "old binary" rule
            }

            return numVersions == 1 ? versionedIndex : 0;
        }

        public CompatibilityVerdict Verdict()
        {
            var order = _scope.Select(m => new LoadedObject(m.Name, m.Surface.Path, m.Surface.Image.Soname, m.Surface.FileSystem != _target.FileSystem || (m.IsMain && !_mainInTarget))).ToImmutableArray();
            return new CompatibilityVerdict(_binary, true, order, [.. _missingLibraries], [.. _missingVersions], [.. _missingSymbols], [.. _missingWeakVersions], [.. _sizeChanges], [.. _ignoredPreloads]);
        }
    }
}
