using System.Collections.Immutable;

namespace Abi.Sdk.Elf;

/// <summary>
/// What a stub shared library holds, in ELF terms: the header's class, byte order, machine and OS ABI, the dynamic
/// section's SONAME and DT_NEEDED entries, the exported symbols and the GNU version definitions and needs.
/// <see cref="ElfStubWriter"/> lays it out as a loadable shared object with no code and no data.
/// </summary>
public sealed record ElfStubDefinition
{
    /// <summary>ELFCLASS32 or ELFCLASS64.</summary>
    public required ElfClass Class { get; init; }

    /// <summary>The byte order.</summary>
    public required ElfDataEncoding DataEncoding { get; init; }

    /// <summary>e_machine.</summary>
    public required ElfMachine Machine { get; init; }

    /// <summary>EI_OSABI: <see cref="ElfOsAbi.Gnu"/> when a symbol is STT_GNU_IFUNC or STB_GNU_UNIQUE, which readelf and the loader only read as such under it.</summary>
    public ElfOsAbi OsAbi { get; init; }

    /// <summary>e_flags, or <see langword="null"/> for what a loader of <see cref="Machine"/> expects from a library of the usual Linux ABI (<see cref="ElfStubWriter.DefaultMachineFlags"/>).</summary>
    public uint? Flags { get; init; }

    /// <summary>DT_SONAME, or <see langword="null"/> for none.</summary>
    public string? Soname { get; init; }

    /// <summary>DT_NEEDED, in order.</summary>
    public ImmutableArray<string> Needed { get; init; } = [];

    /// <summary>The dynamic symbols, in the order a GNU hash chain lists them when they share a bucket.</summary>
    public ImmutableArray<ElfStubSymbol> Symbols { get; init; } = [];

    /// <summary><c>.gnu.version_d</c>: the version definitions, usually index 1 with <see cref="ElfVersionFlags.Base"/> naming the file, then the version nodes.</summary>
    public ImmutableArray<ElfStubVersionDefinition> VersionDefinitions { get; init; } = [];

    /// <summary><c>.gnu.version_r</c>: the versions required from other files.</summary>
    public ImmutableArray<ElfStubVersionNeed> VersionNeeds { get; init; } = [];

    /// <summary>A label for errors (the baseline file the definition came from), or <see langword="null"/>.</summary>
    public string? Label { get; init; }
}

/// <summary>Where a stub symbol's value points.</summary>
public enum ElfStubSymbolPlacement
{
    /// <summary>A distinct address in the zero-filled area (<c>.bss</c>); data keeps its size there.</summary>
    ZeroFilled,

    /// <summary>An offset in the thread-local zero-filled area (<c>.tbss</c>, PT_TLS).</summary>
    ThreadLocal,

    /// <summary>SHN_ABS with value 0, as a linker writes version-node marker symbols.</summary>
    Absolute,
}

/// <summary>A dynamic symbol of a stub.</summary>
/// <param name="Name">st_name's string.</param>
/// <param name="Type">The symbol type.</param>
/// <param name="Binding">The binding.</param>
/// <param name="Visibility">The visibility.</param>
/// <param name="Size">st_size.</param>
/// <param name="Placement">Which section the value points into.</param>
/// <param name="VersionIndex">The <c>.gnu.version</c> entry without the hidden bit: 0 local, 1 global (unversioned), else a definition's or need's index.</param>
/// <param name="IsHidden">The hidden bit (0x8000): a non-default version, <c>name@VER</c> rather than <c>name@@VER</c>.</param>
public sealed record ElfStubSymbol(
    string Name,
    ElfSymbolType Type,
    ElfSymbolBinding Binding,
    ElfSymbolVisibility Visibility,
    ulong Size,
    ElfStubSymbolPlacement Placement,
    ushort VersionIndex,
    bool IsHidden);

/// <summary>A version definition (<c>Elf_Verdef</c> with its <c>Elf_Verdaux</c> names).</summary>
/// <param name="Index">vd_ndx, the index <c>.gnu.version</c> entries name it by.</param>
/// <param name="Flags">vd_flags.</param>
/// <param name="Name">The first Verdaux name.</param>
/// <param name="Predecessors">The further Verdaux names: the nodes this one inherits from.</param>
public sealed record ElfStubVersionDefinition(ushort Index, ElfVersionFlags Flags, string Name, ImmutableArray<string> Predecessors);

/// <summary>The versions required from one file (an <c>Elf_Verneed</c>).</summary>
/// <param name="FileName">vn_file, the DT_NEEDED name of the file.</param>
/// <param name="Versions">Its <c>Elf_Vernaux</c> entries.</param>
public sealed record ElfStubVersionNeed(string FileName, ImmutableArray<ElfStubVersionRequirement> Versions);

/// <summary>One required version (an <c>Elf_Vernaux</c>).</summary>
/// <param name="Name">vna_name.</param>
/// <param name="Index">vna_other, the index <c>.gnu.version</c> entries name it by.</param>
/// <param name="Flags">vna_flags.</param>
public sealed record ElfStubVersionRequirement(string Name, ushort Index, ElfVersionFlags Flags);

/// <summary>A stub definition (or its LibObjectFile model) cannot be written as a loadable ELF file.</summary>
public sealed class ElfStubException : ArgumentException
{
    /// <summary>Creates the error.</summary>
    /// <param name="label">The definition's <see cref="ElfStubDefinition.Label"/>.</param>
    /// <param name="reason">What does not fit.</param>
    public ElfStubException(string? label, string reason)
        : base(label is null ? reason : $"{label}: {reason}")
    {
        Label = label;
        Reason = reason;
    }

    /// <summary>The definition's label, or <see langword="null"/>.</summary>
    public string? Label { get; }

    /// <summary>What does not fit, for example a symbol whose size overflows the address space.</summary>
    public string Reason { get; }
}
