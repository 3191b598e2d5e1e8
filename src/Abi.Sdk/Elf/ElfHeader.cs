namespace Abi.Sdk.Elf;

/// <summary>The ELF file header (e_ident and the Ehdr fields a reader of dynamic objects needs).</summary>
public sealed class ElfHeader
{
    internal ElfHeader(ElfClass @class, ElfDataEncoding data, ElfOsAbi osAbi, byte abiVersion, ElfFileType type, ElfMachine machine, uint version, ulong entry, uint flags)
    {
        Class = @class;
        DataEncoding = data;
        OsAbi = osAbi;
        AbiVersion = abiVersion;
        Type = type;
        Machine = machine;
        Version = version;
        Entry = entry;
        Flags = flags;
    }

    /// <summary>ELF32 or ELF64.</summary>
    public ElfClass Class { get; }

    /// <summary>Little- or big-endian.</summary>
    public ElfDataEncoding DataEncoding { get; }

    /// <summary>EI_OSABI.</summary>
    public ElfOsAbi OsAbi { get; }

    /// <summary>EI_ABIVERSION.</summary>
    public byte AbiVersion { get; }

    /// <summary>e_type. ET_DYN covers both shared libraries and PIE executables: see <see cref="ElfImage.IsPositionIndependentExecutable"/>.</summary>
    public ElfFileType Type { get; }

    /// <summary>e_machine.</summary>
    public ElfMachine Machine { get; }

    /// <summary>e_version (1 for every current file).</summary>
    public uint Version { get; }

    /// <summary>e_entry, the entry point address (0 for most libraries).</summary>
    public ulong Entry { get; }

    /// <summary>e_flags, processor specific.</summary>
    public uint Flags { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Class} {DataEncoding} {Type} {Machine}";
}

/// <summary>A program header (segment).</summary>
/// <param name="Type">p_type.</param>
/// <param name="Flags">p_flags.</param>
/// <param name="Offset">p_offset, where the segment's bytes start in the file.</param>
/// <param name="VirtualAddress">p_vaddr.</param>
/// <param name="PhysicalAddress">p_paddr.</param>
/// <param name="FileSize">p_filesz.</param>
/// <param name="MemorySize">p_memsz.</param>
/// <param name="Alignment">p_align.</param>
public readonly record struct ElfSegment(ElfSegmentType Type, ElfSegmentFlags Flags, ulong Offset, ulong VirtualAddress, ulong PhysicalAddress, ulong FileSize, ulong MemorySize, ulong Alignment);

/// <summary>A section header.</summary>
/// <param name="Index">The section's index in the section header table.</param>
/// <param name="Name">sh_name resolved in the section-name string table.</param>
/// <param name="Type">sh_type.</param>
/// <param name="Flags">sh_flags.</param>
/// <param name="Address">sh_addr.</param>
/// <param name="Offset">sh_offset.</param>
/// <param name="Size">sh_size.</param>
/// <param name="Link">sh_link.</param>
/// <param name="Info">sh_info.</param>
/// <param name="Alignment">sh_addralign.</param>
/// <param name="EntrySize">sh_entsize.</param>
public sealed record ElfSection(int Index, string Name, ElfSectionType Type, ElfSectionFlags Flags, ulong Address, ulong Offset, ulong Size, uint Link, uint Info, ulong Alignment, ulong EntrySize);
