namespace Abi.Sdk.Elf;

/// <summary>EI_CLASS: the file's word size.</summary>
public enum ElfClass : byte
{
    /// <summary>ELFCLASS32.</summary>
    Elf32 = 1,
    /// <summary>ELFCLASS64.</summary>
    Elf64 = 2,
}

/// <summary>EI_DATA: the byte order of the file's structures.</summary>
public enum ElfDataEncoding : byte
{
    /// <summary>ELFDATA2LSB, little-endian.</summary>
    LittleEndian = 1,
    /// <summary>ELFDATA2MSB, big-endian.</summary>
    BigEndian = 2,
}

/// <summary>EI_OSABI. Only the values a Linux distribution meets are named; others keep their number.</summary>
public enum ElfOsAbi : byte
{
    /// <summary>ELFOSABI_NONE (System V).</summary>
    None = 0,
    /// <summary>ELFOSABI_HPUX.</summary>
    HpUx = 1,
    /// <summary>ELFOSABI_NETBSD.</summary>
    NetBsd = 2,
    /// <summary>ELFOSABI_GNU (also called ELFOSABI_LINUX): set by the linker when GNU extensions such as IFUNC or UNIQUE are used.</summary>
    Gnu = 3,
    /// <summary>ELFOSABI_SOLARIS.</summary>
    Solaris = 6,
    /// <summary>ELFOSABI_FREEBSD.</summary>
    FreeBsd = 9,
    /// <summary>ELFOSABI_OPENBSD.</summary>
    OpenBsd = 12,
    /// <summary>ELFOSABI_ARM_AEABI.</summary>
    ArmAeabi = 64,
    /// <summary>ELFOSABI_ARM.</summary>
    Arm = 97,
    /// <summary>ELFOSABI_STANDALONE.</summary>
    Standalone = 255,
}

/// <summary>e_type.</summary>
public enum ElfFileType : ushort
{
    /// <summary>ET_NONE.</summary>
    None = 0,
    /// <summary>ET_REL: a relocatable object.</summary>
    Relocatable = 1,
    /// <summary>ET_EXEC: a position-dependent executable.</summary>
    Executable = 2,
    /// <summary>ET_DYN: a shared object or a position-independent executable (see <see cref="ElfImage.IsPositionIndependentExecutable"/>).</summary>
    SharedObject = 3,
    /// <summary>ET_CORE.</summary>
    Core = 4,
}

/// <summary>e_machine. The architectures Linux distributions build for are named; others keep their number.</summary>
public enum ElfMachine : ushort
{
    /// <summary>EM_NONE.</summary>
    None = 0,
    /// <summary>EM_SPARC.</summary>
    Sparc = 2,
    /// <summary>EM_386.</summary>
    I386 = 3,
    /// <summary>EM_68K.</summary>
    M68K = 4,
    /// <summary>EM_MIPS.</summary>
    Mips = 8,
    /// <summary>EM_PARISC.</summary>
    Parisc = 15,
    /// <summary>EM_SPARC32PLUS.</summary>
    Sparc32Plus = 18,
    /// <summary>EM_PPC.</summary>
    PowerPC = 20,
    /// <summary>EM_PPC64.</summary>
    PowerPC64 = 21,
    /// <summary>EM_S390 (s390 and s390x).</summary>
    S390 = 22,
    /// <summary>EM_ARM.</summary>
    Arm = 40,
    /// <summary>EM_SH.</summary>
    SuperH = 42,
    /// <summary>EM_SPARCV9.</summary>
    SparcV9 = 43,
    /// <summary>EM_IA_64.</summary>
    IA64 = 50,
    /// <summary>EM_X86_64.</summary>
    X86_64 = 62,
    /// <summary>EM_AARCH64.</summary>
    AArch64 = 183,
    /// <summary>EM_RISCV.</summary>
    RiscV = 243,
    /// <summary>EM_BPF.</summary>
    Bpf = 247,
    /// <summary>EM_LOONGARCH.</summary>
    LoongArch = 258,
    /// <summary>EM_FAKE_ALPHA (glibc's name; binutils' EM_OLD_ALPHA): Alpha's number in the ELF registry, which Linux does not use.</summary>
    FakeAlpha = 41,
    /// <summary>EM_ALPHA (the unofficial number Linux uses).</summary>
    Alpha = 0x9026,
}

/// <summary>ELF{32,64}_ST_TYPE: what a symbol names.</summary>
public enum ElfSymbolType : byte
{
    /// <summary>STT_NOTYPE.</summary>
    NoType = 0,
    /// <summary>STT_OBJECT: a variable or other data object.</summary>
    Object = 1,
    /// <summary>STT_FUNC: a function.</summary>
    Function = 2,
    /// <summary>STT_SECTION.</summary>
    Section = 3,
    /// <summary>STT_FILE.</summary>
    File = 4,
    /// <summary>STT_COMMON: an uninitialised common block.</summary>
    Common = 5,
    /// <summary>STT_TLS: a thread-local storage object.</summary>
    Tls = 6,
    /// <summary>STT_GNU_IFUNC: an indirect function whose resolver picks the implementation at load time.</summary>
    GnuIndirectFunction = 10,
}

/// <summary>ELF{32,64}_ST_BIND: the symbol's linkage.</summary>
public enum ElfSymbolBinding : byte
{
    /// <summary>STB_LOCAL.</summary>
    Local = 0,
    /// <summary>STB_GLOBAL.</summary>
    Global = 1,
    /// <summary>STB_WEAK.</summary>
    Weak = 2,
    /// <summary>STB_GNU_UNIQUE: one definition per process, whatever the lookup scope.</summary>
    GnuUnique = 10,
}

/// <summary>ELF{32,64}_ST_VISIBILITY.</summary>
public enum ElfSymbolVisibility : byte
{
    /// <summary>STV_DEFAULT: visible and preemptible.</summary>
    Default = 0,
    /// <summary>STV_INTERNAL.</summary>
    Internal = 1,
    /// <summary>STV_HIDDEN.</summary>
    Hidden = 2,
    /// <summary>STV_PROTECTED: visible, not preemptible.</summary>
    Protected = 3,
}

/// <summary>vd_flags and vna_flags of GNU symbol versioning.</summary>
[Flags]
public enum ElfVersionFlags : ushort
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>VER_FLG_BASE: the version definition of the file itself (named after its SONAME).</summary>
    Base = 0x1,
    /// <summary>VER_FLG_WEAK: a weak version reference; ld.so does not refuse to load when it is missing.</summary>
    Weak = 0x2,
    /// <summary>VER_FLG_INFO: informational only, ld.so ignores it.</summary>
    Info = 0x4,
}
