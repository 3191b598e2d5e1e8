namespace Abi.Sdk.Elf;

/// <summary>
/// sh_type, named as the gABI and glibc's <c>elf.h</c> name it. Processor-specific types (SHT_LOPROC to
/// SHT_HIPROC, whose meaning depends on e_machine) are not named and keep their number.
/// </summary>
public enum ElfSectionType : uint
{
    /// <summary>Unused section header.</summary>
    SHT_NULL = 0,
    /// <summary>Program data.</summary>
    SHT_PROGBITS = 1,
    /// <summary>Symbol table.</summary>
    SHT_SYMTAB = 2,
    /// <summary>String table.</summary>
    SHT_STRTAB = 3,
    /// <summary>Relocations with addends.</summary>
    SHT_RELA = 4,
    /// <summary>SysV symbol hash table.</summary>
    SHT_HASH = 5,
    /// <summary>Dynamic linking information.</summary>
    SHT_DYNAMIC = 6,
    /// <summary>Notes.</summary>
    SHT_NOTE = 7,
    /// <summary>Occupies no bytes in the file (.bss, or a placeholder in a separate debug file).</summary>
    SHT_NOBITS = 8,
    /// <summary>Relocations without addends.</summary>
    SHT_REL = 9,
    /// <summary>Reserved.</summary>
    SHT_SHLIB = 10,
    /// <summary>Dynamic symbol table.</summary>
    SHT_DYNSYM = 11,
    /// <summary>Array of constructors.</summary>
    SHT_INIT_ARRAY = 14,
    /// <summary>Array of destructors.</summary>
    SHT_FINI_ARRAY = 15,
    /// <summary>Array of pre-constructors.</summary>
    SHT_PREINIT_ARRAY = 16,
    /// <summary>Section group.</summary>
    SHT_GROUP = 17,
    /// <summary>Extended section indices.</summary>
    SHT_SYMTAB_SHNDX = 18,
    /// <summary>RELR relative relocations.</summary>
    SHT_RELR = 19,
    /// <summary>Object attributes.</summary>
    SHT_GNU_ATTRIBUTES = 0x6ffffff5,
    /// <summary>GNU-style symbol hash table.</summary>
    SHT_GNU_HASH = 0x6ffffff6,
    /// <summary>Prelink library list.</summary>
    SHT_GNU_LIBLIST = 0x6ffffff7,
    /// <summary>Checksum for DSO content.</summary>
    SHT_CHECKSUM = 0x6ffffff8,
    /// <summary>Version definitions (<c>.gnu.version_d</c>).</summary>
    SHT_GNU_VERDEF = 0x6ffffffd,
    /// <summary>Version requirements (<c>.gnu.version_r</c>).</summary>
    SHT_GNU_VERNEED = 0x6ffffffe,
    /// <summary>Symbol version table (<c>.gnu.version</c>).</summary>
    SHT_GNU_VERSYM = 0x6fffffff,
}

/// <summary>sh_flags.</summary>
[Flags]
public enum ElfSectionFlags : ulong
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>Writable.</summary>
    SHF_WRITE = 0x1,
    /// <summary>Occupies memory during execution.</summary>
    SHF_ALLOC = 0x2,
    /// <summary>Executable.</summary>
    SHF_EXECINSTR = 0x4,
    /// <summary>Might be merged.</summary>
    SHF_MERGE = 0x10,
    /// <summary>Contains NUL-terminated strings.</summary>
    SHF_STRINGS = 0x20,
    /// <summary>sh_info holds a section index.</summary>
    SHF_INFO_LINK = 0x40,
    /// <summary>Preserve order after combining.</summary>
    SHF_LINK_ORDER = 0x80,
    /// <summary>Non-standard OS-specific handling required.</summary>
    SHF_OS_NONCONFORMING = 0x100,
    /// <summary>Member of a section group.</summary>
    SHF_GROUP = 0x200,
    /// <summary>Holds thread-local data.</summary>
    SHF_TLS = 0x400,
    /// <summary>Compressed.</summary>
    SHF_COMPRESSED = 0x800,
    /// <summary>Not to be garbage-collected by the linker.</summary>
    SHF_GNU_RETAIN = 0x200000,
    /// <summary>Excluded unless referenced or allocated (Solaris).</summary>
    SHF_EXCLUDE = 0x80000000,
}

/// <summary>
/// The special section indexes a symbol's st_shndx can hold instead of a section header index; any other value is
/// the index of the section the symbol is defined in.
/// </summary>
public enum ElfSectionIndex : ushort
{
    /// <summary>Undefined: the symbol is a reference.</summary>
    SHN_UNDEF = 0,
    /// <summary>Absolute value, not affected by relocation.</summary>
    SHN_ABS = 0xfff1,
    /// <summary>Common symbol, not yet allocated.</summary>
    SHN_COMMON = 0xfff2,
    /// <summary>The real index is in SHT_SYMTAB_SHNDX.</summary>
    SHN_XINDEX = 0xffff,
}
