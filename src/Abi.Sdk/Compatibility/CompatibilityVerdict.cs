using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// The objects that brought a problem in, innermost first: the object with the unmet need, the object that
/// loaded it (its DT_NEEDED), and so on up to the checked binary.
/// </summary>
/// <param name="Objects">The object names (DT_NEEDED names; the checked binary by its path), innermost first.</param>
public sealed record NeededChain(ImmutableArray<string> Objects)
{
    /// <summary>The object with the need (the first of <see cref="Objects"/>).</summary>
    public string Object => Objects.IsEmpty ? string.Empty : Objects[0];

    /// <inheritdoc/>
    public override string ToString() => string.Join(" ← ", Objects);

    /// <inheritdoc/>
    public bool Equals(NeededChain? other) => other is not null && Objects.SequenceEqual(other.Objects);

    /// <inheritdoc/>
    public override int GetHashCode() => Objects.Aggregate(0, (h, s) => HashCode.Combine(h, s));
}

/// <summary>A DT_NEEDED library the loader finds nowhere on its search path: "error while loading shared libraries: NAME: cannot open shared object file".</summary>
/// <param name="Name">The DT_NEEDED name.</param>
/// <param name="NeededBy">The object that needs it, then its loaders.</param>
public sealed record MissingLibrary(string Name, NeededChain NeededBy)
{
    /// <summary>
    /// Files the search found under the name and passed over, in search order, each with the reason the loader
    /// skipped it (another ELF class, another machine or float ABI, an unreadable file, …): why a library that
    /// exists is still missing. Empty when nothing of that name exists on the search path.
    /// </summary>
    public ImmutableArray<LibraryCandidate> Candidates { get; init; } = [];

    /// <inheritdoc/>
    public bool Equals(MissingLibrary? other) => other is not null && Name == other.Name && NeededBy.Equals(other.NeededBy) && Candidates.SequenceEqual(other.Candidates);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, NeededBy);

    /// <inheritdoc/>
    public override string ToString() => Candidates.IsEmpty
        ? $"{Name}: not found (needed by {NeededBy})"
        : $"{Name}: not found (needed by {NeededBy}; skipped {string.Join(", ", Candidates)})";
}

/// <summary>
/// Why the loader did not take a file (the checks of <c>open_verify</c> and <c>_dl_map_object_from_fd</c>). The
/// first group is skipped (the search goes on to the next folder, as for a file of another ELF class); the
/// second is refused (loading stops with the loader's error). <see cref="ObjectRejections.IsFatal"/> tells which.
/// </summary>
public enum ObjectRejection
{
    /// <summary>Skipped: another ELF class (32/64-bit).</summary>
    WrongClass,

    /// <summary>Skipped: <c>elf_machine_matches_host</c> is false: another machine, or <c>e_flags</c> of another ABI (ARM soft-float on hard-float, RISC-V float ABI, MIPS ABI or NaN mode).</summary>
    WrongMachine,

    /// <summary>Skipped (glibc before 2.36): an <c>NT_GNU_ABI_TAG</c> note for another OS or a newer kernel than the target's.</summary>
    AbiTagMismatch,

    /// <summary>Skipped: the file exists but cannot be opened (permissions, I/O error).</summary>
    Unreadable,

    /// <summary>Refused: not ELF ("invalid ELF header"), or an ELF header that is not well-formed.</summary>
    InvalidElfHeader,

    /// <summary>Refused: "ELF file data encoding not little-endian" (or big-endian).</summary>
    WrongByteOrder,

    /// <summary>Refused: "ELF file version ident does not match current one" / "ELF file version does not match current one".</summary>
    WrongElfVersion,

    /// <summary>Refused: "ELF file OS ABI invalid".</summary>
    InvalidOsAbi,

    /// <summary>Refused: "ELF file ABI version invalid".</summary>
    InvalidAbiVersion,

    /// <summary>Refused: "nonzero padding in e_ident".</summary>
    NonzeroPadding,

    /// <summary>Refused: "only ET_DYN and ET_EXEC can be loaded".</summary>
    NotLoadable,

    /// <summary>Refused: "ELF file's phentsize not the expected size".</summary>
    WrongProgramHeaderSize,

    /// <summary>Refused: "cannot read file data" / "file too short" (a folder, a truncated file).</summary>
    CannotRead,

    /// <summary>Refused: "cannot dynamically load executable" (an ET_EXEC as a dependency).</summary>
    Executable,

    /// <summary>Refused: "cannot dynamically load position-independent executable" (DF_1_PIE as a dependency, glibc 2.30 and later).</summary>
    PositionIndependentExecutable,

    /// <summary>Refused: "object file has no loadable segments" (no PT_LOAD).</summary>
    NoLoadableSegments,

    /// <summary>Refused: "object file has no dynamic section" (no or an empty PT_DYNAMIC: a separate debug file, for one).</summary>
    NoDynamicSection,

    /// <summary>
    /// Refused: the loader of glibc before 2.36 stops with "FATAL: kernel too old" when the target's kernel is older than
    /// the one its C library was built for (the C library's NT_GNU_ABI_TAG).
    /// </summary>
    KernelTooOld,

    /// <summary>Refused by the kernel: the program's interpreter (PT_INTERP) exists but is not an ELF file it can run for the program (execve fails).</summary>
    BadInterpreter,
}

/// <summary>Helpers for <see cref="ObjectRejection"/>.</summary>
public static class ObjectRejections
{
    /// <summary>True when the loader stops with an error; false when it skips the file and searches on.</summary>
    /// <param name="rejection">The reason.</param>
    /// <returns>Whether it is fatal.</returns>
    public static bool IsFatal(this ObjectRejection rejection)
        => rejection is not (ObjectRejection.WrongClass or ObjectRejection.WrongMachine or ObjectRejection.AbiTagMismatch or ObjectRejection.Unreadable);
}

/// <summary>A file the library search looked at and did not take.</summary>
/// <param name="Path">Its path in the target.</param>
/// <param name="Reason">Why.</param>
/// <param name="Message">The loader's words, with the detail (<c>ELF class ELFCLASS32</c>, <c>EF_ARM_ABI_FLOAT_SOFT</c>, <c>Permission denied</c>).</param>
public sealed record LibraryCandidate(string Path, ObjectRejection Reason, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// A file the loader opened for a name and refused, which stops the program: "error while loading shared
/// libraries: PATH: invalid ELF header" and the other fatal checks of <c>open_verify</c>.
/// </summary>
/// <param name="Name">The name it was searched for (a DT_NEEDED name, the interpreter, a filtee).</param>
/// <param name="Path">The file refused.</param>
/// <param name="Reason">Why (a fatal <see cref="ObjectRejection"/>).</param>
/// <param name="Message">The loader's message.</param>
/// <param name="NeededBy">The object that needs it, then its loaders.</param>
public sealed record RefusedObject(string Name, string Path, ObjectRejection Reason, string Message, NeededChain NeededBy)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Path}: {Message} (needed by {NeededBy})";
}

/// <summary>
/// An object marked (GNU_PROPERTY_X86_ISA_1_NEEDED) as needing an x86-64 ISA level the target's CPU lacks: glibc's
/// loader stops with "OBJECT: CPU ISA level is lower than required" (glibc 2.33 and later; the program and every
/// object loaded with it, ld.so excepted).
/// </summary>
/// <param name="Object">The object (the program's path or the DT_NEEDED name).</param>
/// <param name="Path">Where it was loaded from.</param>
/// <param name="Needed">The levels it needs.</param>
/// <param name="Supported">The levels the target's CPU supports (<see cref="TargetCpu.X86IsaLevels"/>).</param>
/// <param name="NeededBy">The object, then its loaders.</param>
public sealed record IsaLevelShortfall(string Object, string Path, Elf.ElfX86IsaLevels Needed, Elf.ElfX86IsaLevels Supported, NeededChain NeededBy)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Object}: CPU ISA level is lower than required (needs {IsaLevelNames.Highest(Needed)}, target has {IsaLevelNames.Highest(Supported)})";
}

/// <summary>Names of x86-64 ISA levels.</summary>
public static class IsaLevelNames
{
    /// <summary>The name of the highest level in a set: <c>x86-64-v3</c>, <c>x86-64-baseline</c>, <c>none</c>.</summary>
    /// <param name="levels">The set.</param>
    /// <returns>The name.</returns>
    public static string Highest(Elf.ElfX86IsaLevels levels)
        => (levels & Elf.ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V4) != 0 ? "x86-64-v4"
         : (levels & Elf.ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V3) != 0 ? "x86-64-v3"
         : (levels & Elf.ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V2) != 0 ? "x86-64-v2"
         : (levels & Elf.ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_BASELINE) != 0 ? "x86-64-baseline"
         : "none";
}

/// <summary>The checks the loader makes that a verdict covers, to say what was and was not checked.</summary>
public enum LoaderCheck
{
    /// <summary>open_verify's checks of each object (class, byte order, machine and ABI flags, OS ABI, type).</summary>
    ObjectAcceptance,

    /// <summary>The search for every DT_NEEDED, filtee and the interpreter.</summary>
    LibrarySearch,

    /// <summary>Version needs (_dl_check_map_versions).</summary>
    VersionNeeds,

    /// <summary>Symbol binding of every relocation (LD_BIND_NOW).</summary>
    SymbolBinding,

    /// <summary>The x86-64 ISA level of the program and every object against the target's CPU.</summary>
    IsaLevel,

    /// <summary>NT_GNU_ABI_TAG kernel versions against the target's kernel.</summary>
    KernelVersion,
}

/// <summary>Whether one check was made for a verdict, and on what.</summary>
/// <param name="Check">The check.</param>
/// <param name="Performed">True when it was made.</param>
/// <param name="Detail">What it was made against, or why not (a static executable; no kernel given for the target; …).</param>
public sealed record LoaderCheckResult(LoaderCheck Check, bool Performed, string Detail)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Check}: {(Performed ? "checked" : "not checked")} ({Detail})";
}

/// <summary>A version node a loaded library does not define: "version `VERSION' not found (required by OBJECT)".</summary>
/// <param name="Library">The DT_NEEDED name of the library that should define it (vn_file).</param>
/// <param name="LibraryPath">Where that library was found.</param>
/// <param name="Version">The version node.</param>
/// <param name="Symbols">The requiring object's symbols bound to that node.</param>
/// <param name="RequiredBy">The object with the requirement, then its loaders.</param>
public sealed record MissingVersion(string Library, string LibraryPath, string Version, ImmutableArray<string> Symbols, NeededChain RequiredBy)
{
    /// <inheritdoc/>
    public bool Equals(MissingVersion? other) => other is not null && Library == other.Library && LibraryPath == other.LibraryPath && Version == other.Version && Symbols.SequenceEqual(other.Symbols) && RequiredBy.Equals(other.RequiredBy);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Library, Version, RequiredBy);

    /// <inheritdoc/>
    public override string ToString() => $"{Library}: {Version} (needed by {RequiredBy})";
}

/// <summary>A non-weak reference no object in the lookup scope satisfies: "undefined symbol: NAME, version VERSION".</summary>
/// <param name="Name">The symbol name.</param>
/// <param name="Version">The version the reference requires, or <see langword="null"/> for an unversioned reference.</param>
/// <param name="Library">The library the version requirement names (vn_file), or <see langword="null"/> when unversioned.</param>
/// <param name="ReferencedBy">The object with the reference, then its loaders.</param>
public sealed record MissingSymbol(string Name, string? Version, string? Library, NeededChain ReferencedBy)
{
    /// <inheritdoc/>
    public override string ToString() => Version is null ? $"{Name} (referenced by {ReferencedBy})" : $"{Name}@{Version} from {Library} (referenced by {ReferencedBy})";
}

/// <summary>
/// A copy relocation whose object has another size in the library the loader binds it to than in the executable
/// (the size it was linked against): the loader copies the library's size and warns "Symbol `NAME' has different
/// size in shared object, consider re-linking" when it is larger. Not fatal; the program may misbehave.
/// </summary>
/// <param name="Name">The object's name.</param>
/// <param name="Version">Its version, if any.</param>
/// <param name="LinkedSize">The size in the executable.</param>
/// <param name="TargetSize">The size in the library.</param>
/// <param name="DefinedIn">The library path.</param>
public sealed record CopyRelocationSizeChange(string Name, string? Version, ulong LinkedSize, ulong TargetSize, string DefinedIn);

/// <summary>One object in the loader's load order (its global lookup scope).</summary>
/// <param name="Name">The DT_NEEDED name it was loaded by (the checked binary: its path).</param>
/// <param name="Path">Its path in the target (or on the host for the binary and what <c>$ORIGIN</c> finds next to it).</param>
/// <param name="Soname">Its DT_SONAME.</param>
/// <param name="FromHost">True when read from the host rather than the target: the checked binary and its <c>$ORIGIN</c> bundle.</param>
public sealed record LoadedObject(string Name, string Path, string? Soname, bool FromHost);

/// <summary>How a filter names its filtee.</summary>
public enum FilterKind
{
    /// <summary>DT_FILTER (<c>ld --filter</c>): the filtee must load, else the program stops ("cannot open shared object file").</summary>
    Standard,

    /// <summary>DT_AUXILIARY (<c>ld --auxiliary</c>): a filtee the loader cannot find is ignored, and the filter's own definitions serve.</summary>
    Auxiliary,
}

/// <summary>
/// A filtee: an object a filter (an object with DT_FILTER or DT_AUXILIARY) names, loaded as a dependency of the
/// filter and put right before it in the lookup scope, so the filtee's definitions win over the filter's.
/// </summary>
/// <param name="Name">The name the filter gives (searched as a DT_NEEDED of the filter is).</param>
/// <param name="Path">Where it was found, or <see langword="null"/> when not found (a missing standard filtee is also in <see cref="CompatibilityVerdict.MissingLibraries"/>; a missing auxiliary one is ignored).</param>
/// <param name="Filter">The filter's name in the load order (its DT_NEEDED name; the checked binary: its path).</param>
/// <param name="FilterPath">Where the filter was loaded from.</param>
/// <param name="Kind">DT_FILTER or DT_AUXILIARY.</param>
public sealed record Filtee(string Name, string? Path, string Filter, string FilterPath, FilterKind Kind)
{
    /// <inheritdoc/>
    public override string ToString()
        => $"{Name} => {Path ?? (Kind == FilterKind.Auxiliary ? "not found, ignored" : "not found")} ({(Kind == FilterKind.Auxiliary ? "auxiliary filtee" : "filtee")} of {Filter})";
}

/// <summary>
/// What the dynamic loader would decide for one binary on one target, and why: every problem with the chain of
/// DT_NEEDED that brought it in. Immutable.
/// </summary>
public sealed class CompatibilityVerdict
{
    internal CompatibilityVerdict(
        string binary,
        bool isDynamic,
        ImmutableArray<LoadedObject> loadOrder,
        ImmutableArray<MissingLibrary> missingLibraries,
        ImmutableArray<MissingVersion> missingVersions,
        ImmutableArray<MissingSymbol> missingSymbols,
        ImmutableArray<MissingVersion> missingWeakVersions,
        ImmutableArray<CopyRelocationSizeChange> sizeChanges,
        ImmutableArray<string> ignoredPreloads = default,
        ImmutableArray<RefusedObject> refusedObjects = default,
        ImmutableArray<IsaLevelShortfall> isaLevelShortfalls = default,
        ImmutableArray<LoaderCheckResult> checks = default)
    {
        IgnoredPreloads = ignoredPreloads.IsDefault ? [] : ignoredPreloads;
        RefusedObjects = refusedObjects.IsDefault ? [] : refusedObjects;
        IsaLevelShortfalls = isaLevelShortfalls.IsDefault ? [] : isaLevelShortfalls;
        Checks = checks.IsDefault ? [] : checks;
        Binary = binary;
        IsDynamic = isDynamic;
        LoadOrder = loadOrder;
        MissingLibraries = missingLibraries;
        MissingVersions = missingVersions;
        MissingSymbols = missingSymbols;
        MissingWeakVersions = missingWeakVersions;
        CopyRelocationSizeChanges = sizeChanges;
    }

    /// <summary>The checked binary's path.</summary>
    public string Binary { get; }

    /// <summary>False for a static binary: the loader is not involved and it is accepted.</summary>
    public bool IsDynamic { get; }

    /// <summary>
    /// True when the loader would load and bind everything: no missing library, version or symbol, no refused
    /// object and no object needing an ISA level the target's CPU lacks.
    /// </summary>
    public bool IsCompatible => MissingLibraries.IsEmpty && MissingVersions.IsEmpty && MissingSymbols.IsEmpty && RefusedObjects.IsEmpty && IsaLevelShortfalls.IsEmpty;

    /// <summary>Files the loader opened and refused, which stops the program (invalid ELF header, OS ABI invalid, …).</summary>
    public ImmutableArray<RefusedObject> RefusedObjects { get; }

    /// <summary>Objects needing an x86-64 ISA level the target's CPU lacks ("CPU ISA level is lower than required").</summary>
    public ImmutableArray<IsaLevelShortfall> IsaLevelShortfalls { get; }

    /// <summary>What was and was not checked, and against what (for a static executable: no library search, but the ISA level and the kernel).</summary>
    public ImmutableArray<LoaderCheckResult> Checks { get; }

    /// <summary>
    /// The filtees of every filter loaded (DT_FILTER, DT_AUXILIARY), in the order the loader meets them: which object
    /// is a filtee of which, and where it was found. Each found filtee stands before its filter in <see cref="LoadOrder"/>.
    /// </summary>
    public ImmutableArray<Filtee> Filtees { get; internal init; } = [];

    /// <summary>
    /// The target's glibc release the check applied (<see cref="TargetLayout.GlibcVersion"/>: which hardware-specific
    /// subfolders the loader searches), or <see langword="null"/> when the target has no C library.
    /// </summary>
    public Version? GlibcVersion { get; internal init; }

    /// <summary>Where <see cref="GlibcVersion"/> was read from; <see cref="Compatibility.GlibcVersionSource.NewestVersionNode"/> is a guess.</summary>
    public GlibcVersionSource GlibcVersionSource { get; internal init; }

    /// <summary>The objects loaded, breadth-first as the loader loads them: the symbol lookup order.</summary>
    public ImmutableArray<LoadedObject> LoadOrder { get; }

    /// <summary>DT_NEEDED libraries found nowhere.</summary>
    public ImmutableArray<MissingLibrary> MissingLibraries { get; }

    /// <summary>Non-weak version nodes a loaded library lacks (fatal).</summary>
    public ImmutableArray<MissingVersion> MissingVersions { get; }

    /// <summary>Non-weak references nothing binds (fatal with immediate binding; with lazy binding, when first called).</summary>
    public ImmutableArray<MissingSymbol> MissingSymbols { get; }

    /// <summary>Weak version needs a library lacks: the loader only warns.</summary>
    public ImmutableArray<MissingVersion> MissingWeakVersions { get; }

    /// <summary>Copy relocations whose object changed size (a warning, not a refusal).</summary>
    public ImmutableArray<CopyRelocationSizeChange> CopyRelocationSizeChanges { get; }

    /// <summary>
    /// Objects named by LD_PRELOAD (<see cref="Target.Preload"/>) or the target's <c>/etc/ld.so.preload</c> that the
    /// loader cannot load: it prints an error, ignores them and goes on (not a refusal).
    /// </summary>
    public ImmutableArray<string> IgnoredPreloads { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        if (IsCompatible)
        {
            return $"{Binary}: compatible";
        }

        var parts = RefusedObjects.Select(r => r.ToString())
            .Concat(IsaLevelShortfalls.Select(i => i.ToString()))
            .Concat(MissingLibraries.Select(m => m.ToString()))
            .Concat(MissingVersions.Select(m => $"version {m}"))
            .Concat(MissingSymbols.Select(m => $"undefined symbol {m}"));
        return $"{Binary}: incompatible: {string.Join("; ", parts)}";
    }
}
