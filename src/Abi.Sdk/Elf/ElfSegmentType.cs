namespace Abi.Sdk.Elf;

/// <summary>
/// p_type, named as the gABI and glibc's <c>elf.h</c> name it. Processor-specific types (PT_LOPROC to PT_HIPROC,
/// whose meaning depends on e_machine) are not named and keep their number.
/// </summary>
public enum ElfSegmentType : uint
{
    /// <summary>Unused program header.</summary>
    PT_NULL = 0,
    /// <summary>Loadable segment.</summary>
    PT_LOAD = 1,
    /// <summary>Dynamic linking information.</summary>
    PT_DYNAMIC = 2,
    /// <summary>Program interpreter path.</summary>
    PT_INTERP = 3,
    /// <summary>Notes.</summary>
    PT_NOTE = 4,
    /// <summary>Reserved.</summary>
    PT_SHLIB = 5,
    /// <summary>The program header table itself.</summary>
    PT_PHDR = 6,
    /// <summary>Thread-local storage template.</summary>
    PT_TLS = 7,
    /// <summary>The <c>.eh_frame_hdr</c> section.</summary>
    PT_GNU_EH_FRAME = 0x6474e550,
    /// <summary>Stack executability (its flags).</summary>
    PT_GNU_STACK = 0x6474e551,
    /// <summary>Read-only after relocation.</summary>
    PT_GNU_RELRO = 0x6474e552,
    /// <summary>The <c>.note.gnu.property</c> section.</summary>
    PT_GNU_PROPERTY = 0x6474e553,
    /// <summary>The SFrame stack trace section.</summary>
    PT_GNU_SFRAME = 0x6474e554,
}

/// <summary>p_flags.</summary>
[Flags]
public enum ElfSegmentFlags : uint
{
    /// <summary>No access.</summary>
    None = 0,
    /// <summary>Executable.</summary>
    PF_X = 0x1,
    /// <summary>Writable.</summary>
    PF_W = 0x2,
    /// <summary>Readable.</summary>
    PF_R = 0x4,
}
