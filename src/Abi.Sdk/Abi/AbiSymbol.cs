using Abi.Sdk.Elf;

namespace Abi.Sdk.Abi;

/// <summary>What an exported symbol is, as the dynamic linker and a copy relocation see it.</summary>
public enum AbiSymbolKind : byte
{
    /// <summary>STT_NOTYPE: a defined symbol without a type (old linkers' <c>_end</c>, assembler labels).</summary>
    NoType = 0,

    /// <summary>STT_OBJECT: data; executables may copy-relocate it, so its size is ABI.</summary>
    Object = 1,

    /// <summary>STT_FUNC: code.</summary>
    Function = 2,

    /// <summary>STT_COMMON: a tentative definition (data).</summary>
    Common = 5,

    /// <summary>STT_TLS: thread-local data; its size is ABI.</summary>
    Tls = 6,

    /// <summary>STT_GNU_IFUNC: a function whose address a resolver picks at load time.</summary>
    IndirectFunction = 10,
}

/// <summary>The binding of an exported symbol (local symbols are not exported).</summary>
public enum AbiSymbolBinding : byte
{
    /// <summary>STB_GLOBAL.</summary>
    Global = 1,

    /// <summary>STB_WEAK.</summary>
    Weak = 2,

    /// <summary>STB_GNU_UNIQUE: one definition per process, whatever the lookup scope.</summary>
    Unique = 10,
}

/// <summary>The visibility of an exported symbol (hidden and internal symbols are not exported).</summary>
public enum AbiSymbolVisibility : byte
{
    /// <summary>STV_DEFAULT: preemptible.</summary>
    Default = 0,

    /// <summary>STV_PROTECTED: exported but bound locally inside the library.</summary>
    Protected = 3,
}

/// <summary>
/// One exported symbol of a library's ABI surface: a name at a version (the default <c>name@@VER</c>, a hidden
/// <c>name@VER</c>, or unversioned <c>name</c>) with the attributes a program linked against it depends on.
/// Immutable.
/// </summary>
public sealed class AbiSymbol : IEquatable<AbiSymbol>, IComparable<AbiSymbol>
{
    private string? _spelling;

    /// <summary>Creates a symbol.</summary>
    /// <param name="name">The symbol name.</param>
    /// <param name="version">The version node name, or <see langword="null"/> when unversioned.</param>
    /// <param name="isDefaultVersion">True for <c>name@@VER</c>; ignored (false) when <paramref name="version"/> is null.</param>
    /// <param name="kind">The symbol kind.</param>
    /// <param name="binding">The binding.</param>
    /// <param name="visibility">The visibility.</param>
    /// <param name="size">st_size.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public AbiSymbol(string name, string? version, bool isDefaultVersion, AbiSymbolKind kind, AbiSymbolBinding binding = AbiSymbolBinding.Global, AbiSymbolVisibility visibility = AbiSymbolVisibility.Default, ulong size = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Version = string.IsNullOrEmpty(version) ? null : version;
        IsDefaultVersion = Version is not null && isDefaultVersion;
        Kind = kind;
        Binding = binding;
        Visibility = visibility;
        Size = size;
    }

    /// <summary>The symbol name.</summary>
    public string Name { get; }

    /// <summary>The version node, or <see langword="null"/> for an unversioned symbol.</summary>
    public string? Version { get; }

    /// <summary>True for the default version (<c>name@@VER</c>), which unversioned references and new links bind to.</summary>
    public bool IsDefaultVersion { get; }

    /// <summary>The symbol kind.</summary>
    public AbiSymbolKind Kind { get; }

    /// <summary>The binding.</summary>
    public AbiSymbolBinding Binding { get; }

    /// <summary>The visibility.</summary>
    public AbiSymbolVisibility Visibility { get; }

    /// <summary>st_size: for data (<see cref="IsData"/>) the bytes a copy relocation copies; for code only informative.</summary>
    public ulong Size { get; }

    /// <summary>True for functions (plain or indirect).</summary>
    public bool IsFunction => Kind is AbiSymbolKind.Function or AbiSymbolKind.IndirectFunction;

    /// <summary>True for data whose size is ABI: objects, TLS and common symbols.</summary>
    public bool IsData => Kind is AbiSymbolKind.Object or AbiSymbolKind.Tls or AbiSymbolKind.Common;

    /// <summary>The name as abidiff and <c>readelf --dyn-syms -W</c> spell it: <c>name@@VER</c>, <c>name@VER</c> or <c>name</c>.</summary>
    public string Spelling => _spelling ??= Version is null ? Name : string.Concat(Name, IsDefaultVersion ? "@@" : "@", Version);

    /// <summary>Writes <see cref="Spelling"/> without building the string.</summary>
    /// <param name="writer">The destination.</param>
    public void WriteSpelling(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_spelling is { } spelled)
        {
            writer.Write(spelled);
            return;
        }

        writer.Write(Name);
        if (Version is not null)
        {
            writer.Write(IsDefaultVersion ? "@@" : "@");
            writer.Write(Version);
        }
    }

    /// <summary>Whether <paramref name="other"/> names the same interface: the same name and version.</summary>
    /// <param name="other">The other symbol.</param>
    /// <returns>True when name and version are equal.</returns>
    public bool HasSameKey(AbiSymbol other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && string.Equals(Version, other.Version, StringComparison.Ordinal);

    /// <summary>Builds the surface entry for an exported ELF symbol.</summary>
    /// <param name="symbol">A defined, exported dynamic symbol.</param>
    /// <returns>The ABI symbol.</returns>
    /// <exception cref="ElfFormatException">The symbol's name cannot be read.</exception>
    public static AbiSymbol FromElf(ElfSymbol symbol)
    {
        var version = symbol.Version;
        return new AbiSymbol(symbol.Name, version?.Name, version is not null && !symbol.IsVersionHidden, MapKind(symbol.Type), MapBinding(symbol.Binding), symbol.Visibility == ElfSymbolVisibility.Protected ? AbiSymbolVisibility.Protected : AbiSymbolVisibility.Default, symbol.Size);
    }

    internal static AbiSymbolKind MapKind(ElfSymbolType type) => type switch
    {
        ElfSymbolType.Object => AbiSymbolKind.Object,
        ElfSymbolType.Function => AbiSymbolKind.Function,
        ElfSymbolType.Common => AbiSymbolKind.Common,
        ElfSymbolType.Tls => AbiSymbolKind.Tls,
        ElfSymbolType.GnuIndirectFunction => AbiSymbolKind.IndirectFunction,
        _ => AbiSymbolKind.NoType,
    };

    private static AbiSymbolBinding MapBinding(ElfSymbolBinding binding) => binding switch
    {
        ElfSymbolBinding.Weak => AbiSymbolBinding.Weak,
        ElfSymbolBinding.GnuUnique => AbiSymbolBinding.Unique,
        _ => AbiSymbolBinding.Global,
    };

    /// <summary>Orders by name, then version (unversioned first), ordinally: the order of surfaces and reports.</summary>
    /// <param name="other">The other symbol.</param>
    /// <returns>The ordering.</returns>
    public int CompareTo(AbiSymbol? other)
    {
        if (other is null)
        {
            return 1;
        }

        int c = string.CompareOrdinal(Name, other.Name);
        return c != 0 ? c : string.CompareOrdinal(Version, other.Version);
    }

    /// <inheritdoc/>
    public bool Equals(AbiSymbol? other) =>
        other is not null && HasSameKey(other) && IsDefaultVersion == other.IsDefaultVersion && Kind == other.Kind
        && Binding == other.Binding && Visibility == other.Visibility && Size == other.Size;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AbiSymbol);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Version, IsDefaultVersion, Kind, Binding, Visibility, Size);

    /// <summary>The abidiff spelling, <see cref="Spelling"/>.</summary>
    /// <returns>The spelling.</returns>
    public override string ToString() => Spelling;
}
