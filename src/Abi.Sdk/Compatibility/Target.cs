using System.Collections.Concurrent;
using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// One file of a target given by the caller, for example an entry of an RPM payload: a regular file whose bytes are
/// produced on demand, a symbolic link, or a directory. Paths are absolute inside the target (<c>/usr/lib64/libc.so.6</c>;
/// a leading <c>./</c> as cpio archives spell it is accepted).
/// </summary>
public sealed class TargetFile
{
    private readonly Func<ReadOnlyMemory<byte>>? _open;

    private TargetFile(string path, Func<ReadOnlyMemory<byte>>? open, string? linkTarget, bool isDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _open = open;
        LinkTarget = linkTarget;
        IsDirectory = isDirectory;
    }

    /// <summary>The path inside the target.</summary>
    public string Path { get; }

    /// <summary>The target of a symbolic link (relative to the link's folder, or absolute inside the target), else <see langword="null"/>.</summary>
    public string? LinkTarget { get; }

    /// <summary>True for a directory entry.</summary>
    public bool IsDirectory { get; }

    /// <summary>A regular file whose bytes are already in memory. The memory must not change afterwards.</summary>
    /// <param name="path">The path inside the target.</param>
    /// <param name="content">The file's bytes.</param>
    /// <returns>The file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static TargetFile FromBytes(string path, ReadOnlyMemory<byte> content) => new(path, () => content, null, false);

    /// <summary>A regular file whose bytes are produced when the checker first needs them, at most once.</summary>
    /// <param name="path">The path inside the target.</param>
    /// <param name="open">Produces the file's bytes.</param>
    /// <returns>The file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static TargetFile FromOpener(string path, Func<ReadOnlyMemory<byte>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return new(path, open, null, false);
    }

    /// <summary>A symbolic link.</summary>
    /// <param name="path">The link's path inside the target.</param>
    /// <param name="target">What it points to, as <c>readlink</c> returns it.</param>
    /// <returns>The link.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> or <paramref name="target"/> is empty.</exception>
    public static TargetFile Symlink(string path, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        return new(path, null, target, false);
    }

    /// <summary>A directory (directories are also implied by the paths of the files in them).</summary>
    /// <param name="path">The directory's path inside the target.</param>
    /// <returns>The directory entry.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static TargetFile Directory(string path) => new(path, null, null, true);

    internal ReadOnlyMemory<byte> OpenContent() => _open?.Invoke() ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>The same entry at another path (where installing it puts it).</summary>
    internal TargetFile WithPath(string path) => new(path, _open, LinkTarget, IsDirectory) { PackageVersion = PackageVersion };

    /// <summary>The version of the RPM package the file comes from (<c>2.34</c> of glibc-2.34-100.el9), when known.</summary>
    internal string? PackageVersion { get; private init; }

    /// <summary>The same entry, known to come from a package of this version.</summary>
    internal TargetFile WithPackageVersion(string version) => new(Path, _open, LinkTarget, IsDirectory) { PackageVersion = version };

    /// <inheritdoc/>
    public override string ToString() => LinkTarget is null ? Path : $"{Path} -> {LinkTarget}";
}

/// <summary>
/// The system a binary is checked against: where the dynamic loader would look for libraries and what it would find.
/// A target caches every library it reads (its symbols indexed once), so checking many binaries against one target
/// reads each library once. Thread-safe; dispose it to unmap the files it opened.
/// </summary>
public sealed partial class Target : IDisposable
{
    private readonly TargetFileSystem _fs;
    private readonly TargetFileSystem _hostFs;
    private readonly ConcurrentDictionary<(TargetFileSystem, string), Lazy<LoaderFile>> _surfaces = new();
    private readonly ConcurrentDictionary<(TargetFileSystem, string), string?> _resolved = new();
    private readonly ConcurrentDictionary<(TargetFileSystem, string), bool> _directories = new();
    private readonly ConcurrentDictionary<(ElfClass, ElfMachine), Lazy<TargetLayout>> _layouts = new();
    private readonly Lazy<ImmutableArray<string>> _configured;
    private int _disposed;

    private Target(TargetFileSystem fs, ImmutableArray<string> libraryPath, string description, ImmutableArray<string> preload = default, Target? lower = null, TargetCpu? cpu = null, Version? kernelVersion = null)
    {
        _fs = fs;
        _lower = lower;
        Cpu = cpu ?? lower?.Cpu ?? (fs.IsHost ? TargetCpu.Host : TargetCpu.Baseline);
        KernelVersion = kernelVersion ?? lower?.KernelVersion ?? (fs.IsHost ? HostKernelVersion() : null);
        Preload = preload.IsDefault ? [] : preload;
        _hostFs = lower?._hostFs ?? (fs.IsHost ? fs : new DiskFileSystem("/"));
        LibraryPath = libraryPath;
        Description = description;
        _configured = new(() => LdConfig.ReadConfiguredDirectories(_fs), LazyThreadSafetyMode.ExecutionAndPublication);
        _preloadFile = new(() => (_fs.ReadText("/etc/ld.so.preload") ?? string.Empty).Split([' ', '\t', '\n', '\r', ':'], StringSplitOptions.RemoveEmptyEntries).ToImmutableArray(), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>What the target is, for messages: the sysroot folder, "host", or the caller's description.</summary>
    public string Description { get; }

    /// <summary>Folders searched before the configured and default ones, as LD_LIBRARY_PATH is.</summary>
    public ImmutableArray<string> LibraryPath { get; }

    /// <summary>
    /// Objects preloaded before the program's DT_NEEDED, as LD_PRELOAD names them (a path, or a name searched as a
    /// DT_NEEDED of the program is); the target's own <c>/etc/ld.so.preload</c> is read as well, after them.
    /// </summary>
    public ImmutableArray<string> Preload { get; }

    /// <summary>
    /// The same system with objects preloaded as LD_PRELOAD preloads them: entered into the lookup scope right after
    /// the program, so their definitions interpose on every library's. A preload the loader cannot find is ignored
    /// (<see cref="CompatibilityVerdict.IgnoredPreloads"/>).
    /// </summary>
    /// <param name="objects">The LD_PRELOAD entries in order (entries of one LD_PRELOAD string are separated by spaces or colons).</param>
    /// <returns>A new target over the same files; it reads and caches its libraries on its own. Dispose it too.</returns>
    public Target WithPreload(IEnumerable<string> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var list = objects.SelectMany(o => o.Split([' ', ':'], StringSplitOptions.RemoveEmptyEntries)).ToImmutableArray();
        return new Target(_fs, LibraryPath, Description, list, cpu: Cpu, kernelVersion: KernelVersion);
    }

    /// <summary>
    /// The CPU the target's programs run on: its x86-64 ISA levels decide the "CPU ISA level is lower than required"
    /// check and the <c>glibc-hwcaps</c> subfolders searched. <see cref="TargetCpu.Host"/> for this machine
    /// (<see cref="Host"/>, <see cref="LibraryPaths"/>), <see cref="TargetCpu.Baseline"/> for every other target
    /// unless set with <see cref="WithCpu"/>.
    /// </summary>
    public TargetCpu Cpu { get; }

    /// <summary>
    /// The Linux kernel release the target runs (for the <c>NT_GNU_ABI_TAG</c> checks of loaders before glibc 2.36,
    /// and of static executables), or <see langword="null"/> when unknown: then those checks are not made and the
    /// verdict says so. This machine's own for <see cref="Host"/>; set with <see cref="WithKernel"/>.
    /// </summary>
    public Version? KernelVersion { get; }

    /// <summary>The same system on another CPU.</summary>
    /// <param name="cpu">The CPU (<see cref="TargetCpu.Parse"/>, <see cref="TargetCpu.X86_64V3"/>, …).</param>
    /// <returns>A new target over the same files; it reads and caches its libraries on its own. Dispose it too.</returns>
    public Target WithCpu(TargetCpu cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return new Target(_fs, LibraryPath, Description, Preload, cpu: cpu, kernelVersion: KernelVersion);
    }

    /// <summary>The same system running another kernel release.</summary>
    /// <param name="kernelVersion">The kernel release (<c>4.18.0</c>, <c>5.14.0</c>).</param>
    /// <returns>A new target over the same files; it reads and caches its libraries on its own. Dispose it too.</returns>
    public Target WithKernel(Version kernelVersion)
    {
        ArgumentNullException.ThrowIfNull(kernelVersion);
        return new Target(_fs, LibraryPath, Description, Preload, cpu: Cpu, kernelVersion: kernelVersion);
    }

    /// <summary>This machine's kernel release (uname -r up to the first non-numeric part).</summary>
    private static Version? HostKernelVersion()
        => OperatingSystem.IsLinux() && Environment.OSVersion.Version is { Major: > 0 } v ? new Version(v.Major, Math.Max(v.Minor, 0), Math.Max(v.Build, 0)) : null;

    /// <summary>The names of /etc/ld.so.preload: separated by white space or colons, read once.</summary>
    internal ImmutableArray<string> PreloadFileEntries => _preloadFile.Value;

    private readonly Lazy<ImmutableArray<string>> _preloadFile;

    /// <summary>True when the target is this machine's own file system.</summary>
    public bool IsHost => _fs.IsHost;

    /// <summary>
    /// The folders ld.so.conf names (with its <c>include</c> globs expanded), in ldconfig's order: the folders whose
    /// libraries ldconfig puts in ld.so.cache, before the loader's built-in default folders.
    /// </summary>
    public ImmutableArray<string> ConfiguredDirectories => _configured.Value;

    /// <summary>An unpacked distribution in a folder: only files inside it are seen, and links are followed inside it.</summary>
    /// <param name="root">The folder standing for the system's <c>/</c>.</param>
    /// <returns>The target.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    public static Target Sysroot(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!System.IO.Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"sysroot '{root}' does not exist");
        }

        var full = Path.GetFullPath(root);
        return new Target(new DiskFileSystem(full), [], full);
    }

    /// <summary>This machine as its loader sees it, with no LD_LIBRARY_PATH.</summary>
    /// <returns>The target.</returns>
    public static Target Host() => LibraryPaths([]);

    /// <summary>
    /// This machine with extra library folders searched first, as LD_LIBRARY_PATH is: then the host's configured
    /// (ld.so.conf) and default folders.
    /// </summary>
    /// <param name="directories">The folders, in search order. Relative folders are taken from the current directory.</param>
    /// <returns>The target.</returns>
    public static Target LibraryPaths(IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var dirs = directories.Where(d => d.Length > 0).Select(d => Path.GetFullPath(d)).ToImmutableArray();
        return new Target(new DiskFileSystem("/"), dirs, dirs.IsEmpty ? "host" : $"host with library path {string.Join(':', dirs)}");
    }

    /// <summary>
    /// A system made of the given files, from any source (for example the payloads of a set of RPM packages): nothing
    /// is written to disk, and a file's bytes are produced only when the loader model needs them.
    /// </summary>
    /// <param name="files">The files, links and folders of the system. When a path repeats, the last entry wins.</param>
    /// <param name="description">What the target is, for messages.</param>
    /// <returns>The target.</returns>
    public static Target FromFiles(IEnumerable<TargetFile> files, string description = "files")
    {
        ArgumentNullException.ThrowIfNull(files);
        return new Target(new MemoryFileSystem(files, description), [], description);
    }

    /// <summary>The loader's built-in folders and <c>$LIB</c>/<c>$PLATFORM</c> for binaries of this class and machine.</summary>
    /// <param name="elfClass">ELF32 or ELF64.</param>
    /// <param name="machine">The machine.</param>
    /// <returns>The layout.</returns>
    public TargetLayout LayoutFor(ElfClass elfClass, ElfMachine machine)
        => _layouts.GetOrAdd((elfClass, machine), k => new Lazy<TargetLayout>(() => LowerLayoutIfUnchanged(k.Item1, k.Item2) ?? TargetLayout.Detect(_fs, k.Item1, k.Item2, this))).Value;

    internal TargetFileSystem FileSystem => _fs;

    /// <summary>
    /// The last library seen to satisfy a reference (name, version name, version hash). Whether a reference is
    /// satisfied does not depend on the order of the lookup scope, only on which libraries are in it.
    /// </summary>
    internal SatisfierCache Satisfiers { get; } = new();

    internal TargetFileSystem HostFileSystem => _hostFs;

    /// <summary>Whether a folder exists in a file system (cached): most hardware-specific subfolders do not.</summary>
    internal bool DirectoryExists(TargetFileSystem fs, string path)
        => _directories.GetOrAdd((fs, path), static (k) => k.Item1.Resolve(k.Item2, wantDirectory: true) is not null);

    /// <summary>Resolves a path in a file system (cached).</summary>
    internal string? Resolve(TargetFileSystem fs, string path)
        => _resolved.GetOrAdd((fs, path), static (k) => k.Item1.Resolve(k.Item2));

    /// <summary>Resolves a path to a regular file or a directory (cached).</summary>
    internal (string? Path, bool IsDirectory) ResolveEntry(TargetFileSystem fs, string path)
        => _entries.GetOrAdd((fs, path), static (k) => k.Item1.ResolveEntry(k.Item2));

    private readonly ConcurrentDictionary<(TargetFileSystem, string), (string?, bool)> _entries = new();

    /// <summary>The indexed surface of the ELF file at a resolved path, read once; null when it is not ELF, is malformed or cannot be read.</summary>
    internal DynamicObject? Surface(TargetFileSystem fs, string resolvedPath) => LoaderFileAt(fs, resolvedPath).Object;

    /// <summary>The file at a resolved path as the loader meets it (its surface, or why it has none), read once.</summary>
    internal LoaderFile LoaderFileAt(TargetFileSystem fs, string resolvedPath)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_lower is not null && fs == _fs && !((OverlayFileSystem)fs).IsPackageFile(resolvedPath))
        {
            return _lower.LoaderFileAt(_lower._fs, resolvedPath); // read once, by the target below, for every check
        }

        return _surfaces.GetOrAdd((fs, resolvedPath), static (k) => new Lazy<LoaderFile>(() => LoaderFile.Open(k.Item1, k.Item2), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>Unmaps every file the target opened.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var lazy in _surfaces.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Description;
}

/// <summary>
/// What the loader of a target has built in for one ELF class and machine: its default folders (the "system search
/// path" <c>ld.so --help</c> prints), the expansions of <c>$LIB</c> and <c>$PLATFORM</c>, and the ld.so.cache
/// that ldconfig would build from ld.so.conf and those folders.
/// </summary>
public sealed class TargetLayout
{
    private readonly Lazy<FrozenCache> _cache;

    private TargetLayout(ImmutableArray<string> defaultDirectories, string lib, string platform, Version? glibcVersion, ImmutableArray<string> hardwareSubdirectories, Func<FrozenCache> cache, GlibcVersionSource glibcVersionSource = GlibcVersionSource.Unknown)
    {
        GlibcVersionSource = glibcVersionSource;
        DefaultDirectories = defaultDirectories;
        Lib = lib;
        Platform = platform;
        GlibcVersion = glibcVersion;
        HardwareSubdirectories = hardwareSubdirectories;
        _cache = new(cache, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// The release of the target's C library and loader (<c>2.36</c>): read from the release string in its
    /// <c>libc.so.6</c> ("… release version 2.36."), else the version of the RPM package that installs that file,
    /// else the newest <c>GLIBC_2.x</c> version node it defines (which can be newer than the release when a
    /// distribution backports a node, as RHEL 9's glibc 2.34 does with <c>GLIBC_2.35</c>); <see langword="null"/>
    /// when the target has no C library (the loader is then taken to be a current one). <see cref="GlibcVersionSource"/>
    /// says which. The loader's search for hardware-specific subfolders changed with glibc 2.33 and 2.37.
    /// </summary>
    public Version? GlibcVersion { get; }

    /// <summary>Where <see cref="GlibcVersion"/> was read from.</summary>
    public GlibcVersionSource GlibcVersionSource { get; }

    /// <summary>
    /// The subfolders the loader tries in every search folder (RPATH, library path, RUNPATH, default folders) before
    /// the folder itself, in its order: <c>glibc-hwcaps/x86-64-v4</c>, <c>…-v3</c>, <c>…-v2</c> as far as the CPU
    /// supports them (glibc 2.33 and later), then before glibc 2.37 the legacy combinations of <c>tls</c>, the platform
    /// and the AT_HWCAP names (<c>tls/x86_64/x86_64</c>, …, <c>x86_64</c>). They depend on the CPU that runs the
    /// program: the target's <see cref="Target.Cpu"/>, for x86-64 programs; empty for other machines.
    /// </summary>
    public ImmutableArray<string> HardwareSubdirectories { get; }

    /// <summary>The loader's built-in folders, searched last (<c>/lib64</c>, <c>/usr/lib64</c> on RHEL; the multiarch folders, <c>/lib</c>, <c>/usr/lib</c> on Debian).</summary>
    public ImmutableArray<string> DefaultDirectories { get; }

    /// <summary>The expansion of <c>$LIB</c>: <c>lib64</c>, <c>lib/x86_64-linux-gnu</c> or <c>lib</c>.</summary>
    public string Lib { get; }

    /// <summary>The expansion of <c>$PLATFORM</c> (AT_PLATFORM): <c>x86_64</c>, <c>aarch64</c>, <c>i686</c>, …</summary>
    public string Platform { get; }

    /// <summary>
    /// The ld.so.cache ldconfig would build: library name (SONAME, else file name) to path, first folder wins. The
    /// entries of <c>glibc-hwcaps</c> subfolders are kept apart; the loader prefers them (see <see cref="HardwareSubdirectories"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Cache => _cache.Value.Entries;

    /// <summary>
    /// _dl_load_cache_lookup: the entry of the most preferred supported glibc-hwcaps subfolder whose ISA level the
    /// CPU has (x86: dl_cache_hwcap_isa_level_compatible), else the plain entry.
    /// </summary>
    internal bool TryCacheLookup(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? path)
    {
        var cache = _cache.Value;
        foreach (var sub in HardwareSubdirectories)
        {
            if (cache.ByHwcaps.TryGetValue(sub, out var entries) && entries.TryGetValue(name, out var entry)
                && (cache.IsaCpu is null || IsaLevelCheck.CacheEntryCompatible(entry.IsaLevel, cache.IsaCpu)))
            {
                path = entry.Path;
                return true;
            }
        }

        return cache.Entries.TryGetValue(name, out path);
    }

    // IsaCpu: the CPU whose ISA levels the loader compares with an entry's (x86 only), or null.
    internal sealed record FrozenCache(IReadOnlyDictionary<string, string> Entries, IReadOnlyDictionary<string, Dictionary<string, HwcapsCacheEntry>> ByHwcaps, TargetCpu? IsaCpu);

    internal static string? MultiarchTriplet(ElfClass cls, ElfMachine machine) => (cls, machine) switch
    {
        (ElfClass.Elf64, ElfMachine.X86_64) => "x86_64-linux-gnu",
        (ElfClass.Elf32, ElfMachine.X86_64) => "x86_64-linux-gnux32",
        (ElfClass.Elf32, ElfMachine.I386) => "i386-linux-gnu",
        (ElfClass.Elf64, ElfMachine.AArch64) => "aarch64-linux-gnu",
        (ElfClass.Elf32, ElfMachine.Arm) => "arm-linux-gnueabihf",
        (ElfClass.Elf64, ElfMachine.PowerPC64) => "powerpc64le-linux-gnu",
        (ElfClass.Elf64, ElfMachine.S390) => "s390x-linux-gnu",
        (ElfClass.Elf64, ElfMachine.RiscV) => "riscv64-linux-gnu",
        (ElfClass.Elf64, ElfMachine.LoongArch) => "loongarch64-linux-gnu",
        (ElfClass.Elf64, ElfMachine.Mips) => "mips64el-linux-gnuabi64",
        _ => null,
    };

    private static string PlatformOf(ElfClass cls, ElfMachine machine) => (cls, machine) switch
    {
        (_, ElfMachine.X86_64) => "x86_64",
        (_, ElfMachine.I386) => "i686",
        (_, ElfMachine.AArch64) => "aarch64",
        (_, ElfMachine.PowerPC64) => "power8",
        (_, ElfMachine.S390) => "z13",
        (_, ElfMachine.Arm) => "v7l",
        (_, ElfMachine.RiscV) => "riscv64",
        _ => machine.ToString().ToLowerInvariant(),
    };

    internal static TargetLayout Detect(TargetFileSystem fs, ElfClass cls, ElfMachine machine, Target owner)
    {
        // Where the C library lives tells how this distribution built its loader: Debian's multiarch folders,
        // the lib64 folders of RHEL and SUSE, or plain lib.
        var triplet = MultiarchTriplet(cls, machine);
        ImmutableArray<string> dirs;
        string lib;
        string? libc;
        if (triplet is not null && (fs.Resolve($"/lib/{triplet}/libc.so.6") ?? fs.Resolve($"/usr/lib/{triplet}/libc.so.6")) is { } multiarchLibc)
        {
            dirs = [$"/lib/{triplet}", $"/usr/lib/{triplet}", "/lib", "/usr/lib"];
            lib = $"lib/{triplet}";
            libc = multiarchLibc;
        }
        else if (cls == ElfClass.Elf64 && (fs.Resolve("/lib64/libc.so.6") ?? fs.Resolve("/usr/lib64/libc.so.6")) is { } lib64Libc)
        {
            dirs = ["/lib64", "/usr/lib64"];
            lib = "lib64";
            libc = lib64Libc;
        }
        else if ((fs.Resolve("/lib/libc.so.6") ?? fs.Resolve("/usr/lib/libc.so.6")) is { } plainLibc)
        {
            dirs = ["/lib", "/usr/lib"];
            lib = "lib";
            libc = plainLibc;
        }
        else if (cls == ElfClass.Elf64 && (fs.Resolve("/usr/lib64", wantDirectory: true) ?? fs.Resolve("/lib64", wantDirectory: true)) is not null)
        {
            // No C library at all (a set of packages without glibc): the 64-bit libraries' folder tells how the
            // system they belong to built its loader, as RPM distributions do (lib64).
            dirs = ["/lib64", "/usr/lib64"];
            lib = "lib64";
            libc = null;
        }
        else
        {
            dirs = ["/lib", "/usr/lib"];
            lib = "lib";
            libc = null;
        }

        var (glibc, source) = libc is not null ? GlibcRelease.Of(owner.Surface(fs, libc), fs.PackageVersionOf(libc)) : (null, GlibcVersionSource.Unknown);
        var subdirs = HardwareCapabilities.Subdirectories(cls, machine, glibc ?? new Version(int.MaxValue, 0), owner.Cpu);
        TargetLayout? layout = null;
        layout = new TargetLayout(dirs, lib, PlatformOf(cls, machine), glibc, subdirs, () =>
        {
            var (plain, byHwcaps) = LdConfig.BuildCache(owner, owner.ConfiguredDirectories, layout!.DefaultDirectories, layout.HardwareSubdirectories, cls, machine);
            return new FrozenCache(plain, byHwcaps, IsaLevelCheck.AppliesTo(machine) ? owner.Cpu : null);
        }, source);
        return layout;
    }
}
