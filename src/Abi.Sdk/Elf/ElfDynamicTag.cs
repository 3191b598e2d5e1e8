namespace Abi.Sdk.Elf;

/// <summary>
/// d_tag of a dynamic section entry, named as the gABI and glibc's <c>elf.h</c> name it. Processor-specific tags
/// (DT_LOPROC to DT_HIPROC, whose meaning depends on e_machine) are not named and keep their number.
/// </summary>
public enum ElfDynamicTag : long
{
    /// <summary>Marks the end of the dynamic section.</summary>
    DT_NULL = 0,
    /// <summary>A needed library (string table offset).</summary>
    DT_NEEDED = 1,
    /// <summary>Size in bytes of the PLT relocations.</summary>
    DT_PLTRELSZ = 2,
    /// <summary>Address of the PLT and/or GOT.</summary>
    DT_PLTGOT = 3,
    /// <summary>Address of the SysV symbol hash table.</summary>
    DT_HASH = 4,
    /// <summary>Address of the dynamic string table.</summary>
    DT_STRTAB = 5,
    /// <summary>Address of the dynamic symbol table.</summary>
    DT_SYMTAB = 6,
    /// <summary>Address of the Rela relocations.</summary>
    DT_RELA = 7,
    /// <summary>Total size of the Rela relocations.</summary>
    DT_RELASZ = 8,
    /// <summary>Size of one Rela relocation.</summary>
    DT_RELAENT = 9,
    /// <summary>Size of the string table.</summary>
    DT_STRSZ = 10,
    /// <summary>Size of one symbol table entry.</summary>
    DT_SYMENT = 11,
    /// <summary>Address of the init function.</summary>
    DT_INIT = 12,
    /// <summary>Address of the termination function.</summary>
    DT_FINI = 13,
    /// <summary>The shared object's name (string table offset).</summary>
    DT_SONAME = 14,
    /// <summary>Library search path, searched before LD_LIBRARY_PATH (deprecated by DT_RUNPATH).</summary>
    DT_RPATH = 15,
    /// <summary>Start symbol search here.</summary>
    DT_SYMBOLIC = 16,
    /// <summary>Address of the Rel relocations.</summary>
    DT_REL = 17,
    /// <summary>Total size of the Rel relocations.</summary>
    DT_RELSZ = 18,
    /// <summary>Size of one Rel relocation.</summary>
    DT_RELENT = 19,
    /// <summary>Type of the PLT relocations: DT_REL or DT_RELA.</summary>
    DT_PLTREL = 20,
    /// <summary>For debugging; the loader stores <c>r_debug</c> here.</summary>
    DT_DEBUG = 21,
    /// <summary>Relocations may modify a non-writable segment.</summary>
    DT_TEXTREL = 22,
    /// <summary>Address of the PLT relocations.</summary>
    DT_JMPREL = 23,
    /// <summary>Process relocations of the object now.</summary>
    DT_BIND_NOW = 24,
    /// <summary>Array of initialisation functions.</summary>
    DT_INIT_ARRAY = 25,
    /// <summary>Array of termination functions.</summary>
    DT_FINI_ARRAY = 26,
    /// <summary>Size of DT_INIT_ARRAY.</summary>
    DT_INIT_ARRAYSZ = 27,
    /// <summary>Size of DT_FINI_ARRAY.</summary>
    DT_FINI_ARRAYSZ = 28,
    /// <summary>Library search path, searched after LD_LIBRARY_PATH.</summary>
    DT_RUNPATH = 29,
    /// <summary>Flags for the object (<see cref="ElfDynamicFlags"/>).</summary>
    DT_FLAGS = 30,
    /// <summary>Array of pre-initialisation functions (the same value as DT_ENCODING).</summary>
    DT_PREINIT_ARRAY = 32,
    /// <summary>Size of DT_PREINIT_ARRAY.</summary>
    DT_PREINIT_ARRAYSZ = 33,
    /// <summary>Address of SHT_SYMTAB_SHNDX for the dynamic symbols.</summary>
    DT_SYMTAB_SHNDX = 34,
    /// <summary>Total size of the RELR relative relocations.</summary>
    DT_RELRSZ = 35,
    /// <summary>Address of the RELR relative relocations.</summary>
    DT_RELR = 36,
    /// <summary>Size of one RELR entry.</summary>
    DT_RELRENT = 37,
    /// <summary>Prelink timestamp.</summary>
    DT_GNU_PRELINKED = 0x6ffffdf5,
    /// <summary>Size of the prelink conflict section.</summary>
    DT_GNU_CONFLICTSZ = 0x6ffffdf6,
    /// <summary>Size of the prelink library list.</summary>
    DT_GNU_LIBLISTSZ = 0x6ffffdf7,
    /// <summary>Checksum (Solaris).</summary>
    DT_CHECKSUM = 0x6ffffdf8,
    /// <summary>PLT padding size (Solaris).</summary>
    DT_PLTPADSZ = 0x6ffffdf9,
    /// <summary>Move table entry size (Solaris).</summary>
    DT_MOVEENT = 0x6ffffdfa,
    /// <summary>Move table size (Solaris).</summary>
    DT_MOVESZ = 0x6ffffdfb,
    /// <summary>Feature selection (Solaris).</summary>
    DT_FEATURE_1 = 0x6ffffdfc,
    /// <summary>Flags for the following DT_* entry (Solaris).</summary>
    DT_POSFLAG_1 = 0x6ffffdfd,
    /// <summary>Size of the syminfo table.</summary>
    DT_SYMINSZ = 0x6ffffdfe,
    /// <summary>Size of one syminfo entry.</summary>
    DT_SYMINENT = 0x6ffffdff,
    /// <summary>Address of the GNU symbol hash table.</summary>
    DT_GNU_HASH = 0x6ffffef5,
    /// <summary>TLS descriptor PLT entry.</summary>
    DT_TLSDESC_PLT = 0x6ffffef6,
    /// <summary>TLS descriptor GOT entry.</summary>
    DT_TLSDESC_GOT = 0x6ffffef7,
    /// <summary>Prelink conflict section.</summary>
    DT_GNU_CONFLICT = 0x6ffffef8,
    /// <summary>Prelink library list.</summary>
    DT_GNU_LIBLIST = 0x6ffffef9,
    /// <summary>Configuration information.</summary>
    DT_CONFIG = 0x6ffffefa,
    /// <summary>Dependency auditing.</summary>
    DT_DEPAUDIT = 0x6ffffefb,
    /// <summary>Object auditing.</summary>
    DT_AUDIT = 0x6ffffefc,
    /// <summary>PLT padding.</summary>
    DT_PLTPAD = 0x6ffffefd,
    /// <summary>Move table.</summary>
    DT_MOVETAB = 0x6ffffefe,
    /// <summary>Syminfo table.</summary>
    DT_SYMINFO = 0x6ffffeff,
    /// <summary>Address of the symbol version table (<c>.gnu.version</c>).</summary>
    DT_VERSYM = 0x6ffffff0,
    /// <summary>Number of leading relative Rela relocations.</summary>
    DT_RELACOUNT = 0x6ffffff9,
    /// <summary>Number of leading relative Rel relocations.</summary>
    DT_RELCOUNT = 0x6ffffffa,
    /// <summary>State flags (<see cref="ElfDynamicFlags1"/>).</summary>
    DT_FLAGS_1 = 0x6ffffffb,
    /// <summary>Address of the version definitions.</summary>
    DT_VERDEF = 0x6ffffffc,
    /// <summary>Number of version definitions.</summary>
    DT_VERDEFNUM = 0x6ffffffd,
    /// <summary>Address of the version requirements.</summary>
    DT_VERNEED = 0x6ffffffe,
    /// <summary>Number of version requirements.</summary>
    DT_VERNEEDNUM = 0x6fffffff,
    /// <summary>Shared object to load before self (an auxiliary filter).</summary>
    DT_AUXILIARY = 0x7ffffffd,
    /// <summary>Like DT_NEEDED (Solaris).</summary>
    DT_USED = 0x7ffffffe,
    /// <summary>Shared object to get values from (a standard filter).</summary>
    DT_FILTER = 0x7fffffff,
}

/// <summary>DT_FLAGS.</summary>
[Flags]
public enum ElfDynamicFlags : ulong
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>The object may use <c>$ORIGIN</c>.</summary>
    DF_ORIGIN = 0x1,
    /// <summary>Symbol resolution starts at the object itself.</summary>
    DF_SYMBOLIC = 0x2,
    /// <summary>Relocations may modify a non-writable segment.</summary>
    DF_TEXTREL = 0x4,
    /// <summary>Process all relocations at load time.</summary>
    DF_BIND_NOW = 0x8,
    /// <summary>The object uses the static TLS model.</summary>
    DF_STATIC_TLS = 0x10,
}

/// <summary>DT_FLAGS_1.</summary>
[Flags]
public enum ElfDynamicFlags1 : ulong
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>Process all relocations at load time.</summary>
    DF_1_NOW = 0x1,
    /// <summary>Make the object's symbols global.</summary>
    DF_1_GLOBAL = 0x2,
    /// <summary>Set RTLD_GROUP.</summary>
    DF_1_GROUP = 0x4,
    /// <summary>Never unload the object.</summary>
    DF_1_NODELETE = 0x8,
    /// <summary>Load the filtees immediately.</summary>
    DF_1_LOADFLTR = 0x10,
    /// <summary>Run this object's initialisers first.</summary>
    DF_1_INITFIRST = 0x20,
    /// <summary>The object cannot be dlopen'ed.</summary>
    DF_1_NOOPEN = 0x40,
    /// <summary><c>$ORIGIN</c> must be handled.</summary>
    DF_1_ORIGIN = 0x80,
    /// <summary>Direct binding.</summary>
    DF_1_DIRECT = 0x100,
    /// <summary>Trans (Solaris).</summary>
    DF_1_TRANS = 0x200,
    /// <summary>The object interposes on all others but the executable.</summary>
    DF_1_INTERPOSE = 0x400,
    /// <summary>Ignore the default library search path.</summary>
    DF_1_NODEFLIB = 0x800,
    /// <summary>The object cannot be dldump'ed.</summary>
    DF_1_NODUMP = 0x1000,
    /// <summary>Configuration alternative created.</summary>
    DF_1_CONFALT = 0x2000,
    /// <summary>The filtee terminates the filter's search.</summary>
    DF_1_ENDFILTEE = 0x4000,
    /// <summary>Displacement relocations were done at build time.</summary>
    DF_1_DISPRELDNE = 0x8000,
    /// <summary>Displacement relocations are pending at run time.</summary>
    DF_1_DISPRELPND = 0x10000,
    /// <summary>The object has no direct bindings.</summary>
    DF_1_NODIRECT = 0x20000,
    /// <summary>Ignore multiple definitions.</summary>
    DF_1_IGNMULDEF = 0x40000,
    /// <summary>No kernel symbols.</summary>
    DF_1_NOKSYMS = 0x80000,
    /// <summary>No ELF header.</summary>
    DF_1_NOHDR = 0x100000,
    /// <summary>The object was modified after it was built.</summary>
    DF_1_EDITED = 0x200000,
    /// <summary>No relocations.</summary>
    DF_1_NORELOC = 0x400000,
    /// <summary>Individual symbols may interpose.</summary>
    DF_1_SYMINTPOSE = 0x800000,
    /// <summary>Global auditing is required.</summary>
    DF_1_GLOBAUDIT = 0x1000000,
    /// <summary>Singleton symbols are used.</summary>
    DF_1_SINGLETON = 0x2000000,
    /// <summary>A stub object.</summary>
    DF_1_STUB = 0x4000000,
    /// <summary>The linker's mark of a position-independent executable.</summary>
    DF_1_PIE = 0x8000000,
    /// <summary>A kernel module.</summary>
    DF_1_KMOD = 0x10000000,
    /// <summary>A weak filter.</summary>
    DF_1_WEAKFILTER = 0x20000000,
    /// <summary>No common symbols.</summary>
    DF_1_NOCOMMON = 0x40000000,
}
