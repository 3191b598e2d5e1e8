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
    /// <inheritdoc/>
    public override string ToString() => $"{Name}: not found (needed by {NeededBy})";
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
        ImmutableArray<string> ignoredPreloads = default)
    {
        IgnoredPreloads = ignoredPreloads.IsDefault ? [] : ignoredPreloads;
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

    /// <summary>True when the loader would load and bind everything: no missing library, version or symbol.</summary>
    public bool IsCompatible => MissingLibraries.IsEmpty && MissingVersions.IsEmpty && MissingSymbols.IsEmpty;

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

        var parts = MissingLibraries.Select(m => m.ToString())
            .Concat(MissingVersions.Select(m => $"version {m}"))
            .Concat(MissingSymbols.Select(m => $"undefined symbol {m}"));
        return $"{Binary}: incompatible: {string.Join("; ", parts)}";
    }
}
