using System.Collections.Immutable;

namespace Abi.Sdk.Elf;

/// <summary>
/// A GNU symbol version as a symbol's <c>.gnu.version</c> entry names it: either a version this file defines
/// (<see cref="ElfVersionDefinition"/>, from <c>.gnu.version_d</c>) or one it requires from another file
/// (<see cref="ElfVersionRequirement"/>, from <c>.gnu.version_r</c>).
/// </summary>
public abstract class ElfSymbolVersion
{
    private readonly byte[] _nameUtf8;

    private protected ElfSymbolVersion(string name, int index, uint hash, ElfVersionFlags flags, uint nameOffset)
    {
        NameOffset = nameOffset;
        Name = name;
        _nameUtf8 = System.Text.Encoding.UTF8.GetBytes(name);
        Index = index;
        Hash = hash;
        Flags = flags;
    }

    /// <summary>The version's name, for example <c>GLIBC_2.34</c>.</summary>
    public string Name { get; }

    /// <summary>The version index that <c>.gnu.version</c> entries use to name it (vd_ndx or vna_other).</summary>
    public int Index { get; }

    /// <summary>The ELF hash of <see cref="Name"/> as stored in the file (ld.so compares it before the name).</summary>
    public uint Hash { get; }

    /// <summary>vd_flags or vna_flags.</summary>
    public ElfVersionFlags Flags { get; }

    /// <summary>The name's UTF-8 bytes, encoded once: to compare with symbol names or write the name without allocating.</summary>
    public ReadOnlySpan<byte> NameUtf8 => _nameUtf8;

    /// <summary>The name's offset in the dynamic string table (readelf compares it with a symbol's st_name).</summary>
    internal uint NameOffset { get; }

    /// <summary>Whether the file that must provide this version is known: true for requirements.</summary>
    public abstract bool IsRequirement { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A version node this file defines (an <c>Elf_Verdef</c> with its first <c>Elf_Verdaux</c> as name).</summary>
public sealed class ElfVersionDefinition : ElfSymbolVersion
{
    internal ElfVersionDefinition(string name, int index, uint hash, ElfVersionFlags flags, ImmutableArray<string> predecessors, uint nameOffset, ushort structureVersion)
        : base(name, index, hash, flags, nameOffset)
    {
        Predecessors = predecessors;
        StructureVersion = structureVersion;
    }

    /// <summary>vd_version, the structure's revision (1; readelf's <c>Rev:</c>).</summary>
    public ushort StructureVersion { get; }

    /// <summary>The names of the version nodes this one inherits from (the further <c>Elf_Verdaux</c> entries).</summary>
    public ImmutableArray<string> Predecessors { get; }

    /// <summary>VER_FLG_BASE: the definition naming the file itself, not a version node of its interface.</summary>
    public bool IsBase => (Flags & ElfVersionFlags.Base) != 0;

    /// <inheritdoc/>
    public override bool IsRequirement => false;
}

/// <summary>A version this file requires from another (an <c>Elf_Vernaux</c>).</summary>
public sealed class ElfVersionRequirement : ElfSymbolVersion
{
    internal ElfVersionRequirement(string name, int index, uint hash, ElfVersionFlags flags, string fileName, uint nameOffset)
        : base(name, index, hash, flags, nameOffset)
    {
        FileName = fileName;
    }

    /// <summary>The DT_NEEDED name of the file that must define this version (vn_file), for example <c>libc.so.6</c>.</summary>
    public string FileName { get; }

    /// <summary>VER_FLG_WEAK: ld.so loads the file even when this version is missing.</summary>
    public bool IsWeak => (Flags & ElfVersionFlags.Weak) != 0;

    /// <inheritdoc/>
    public override bool IsRequirement => true;
}

/// <summary>The versions required from one file (an <c>Elf_Verneed</c> with its <c>Elf_Vernaux</c> entries).</summary>
public sealed class ElfVersionNeed
{
    internal ElfVersionNeed(string fileName, ushort version, ImmutableArray<ElfVersionRequirement> versions)
    {
        FileName = fileName;
        StructureVersion = version;
        Versions = versions;
    }

    /// <summary>The file that must provide the versions (vn_file).</summary>
    public string FileName { get; }

    /// <summary>vn_version, the structure's revision (1).</summary>
    public ushort StructureVersion { get; }

    /// <summary>The required versions, in file order.</summary>
    public ImmutableArray<ElfVersionRequirement> Versions { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{FileName}: {string.Join(", ", Versions.Select(v => v.Name))}";
}
