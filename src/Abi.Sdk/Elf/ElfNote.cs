using System.Collections.Immutable;

namespace Abi.Sdk.Elf;

/// <summary>
/// n_type of a note. The meaning of a type depends on the note's owner (<see cref="ElfNote.Name"/>): these are the
/// types of the <c>GNU</c> owner (and <c>FDO</c> for packaging metadata); other owners reuse the numbers.
/// </summary>
public enum ElfNoteType : uint
{
    /// <summary>The OS and the oldest kernel ABI the object runs on (<see cref="ElfAbiTag"/>).</summary>
    NT_GNU_ABI_TAG = 1,
    /// <summary>Synthetic hardware capabilities (the vDSO's).</summary>
    NT_GNU_HWCAP = 2,
    /// <summary>The build-id: a unique identifier of the build's output.</summary>
    NT_GNU_BUILD_ID = 3,
    /// <summary>The version of gold that linked the object.</summary>
    NT_GNU_GOLD_VERSION = 4,
    /// <summary>GNU program properties (<see cref="ElfGnuProperties"/>).</summary>
    NT_GNU_PROPERTY_TYPE_0 = 5,
    /// <summary>Build attributes of a range of code (annobin).</summary>
    NT_GNU_BUILD_ATTRIBUTE_OPEN = 0x100,
    /// <summary>Build attributes of a function (annobin).</summary>
    NT_GNU_BUILD_ATTRIBUTE_FUNC = 0x101,
    /// <summary>Packaging metadata, a JSON document (owner <c>FDO</c>).</summary>
    NT_FDO_PACKAGING_METADATA = 0xcafe1a7e,
}

/// <summary>One note of a PT_NOTE segment or SHT_NOTE section.</summary>
/// <param name="Name">The owner (n_name without its NUL), for example <c>GNU</c>, <c>FDO</c> or <c>stapsdt</c>.</param>
/// <param name="Type">n_type, whose meaning depends on the owner.</param>
/// <param name="Descriptor">The descriptor's bytes in the image's memory (valid while the image is).</param>
/// <param name="Offset">The file offset of the note's header.</param>
public readonly record struct ElfNote(string Name, ElfNoteType Type, ReadOnlyMemory<byte> Descriptor, long Offset)
{
    /// <summary>Whether the owner is <c>GNU</c>, for which <see cref="Type"/> has the names of <see cref="ElfNoteType"/>.</summary>
    public bool IsGnu => Name == "GNU";
}

/// <summary>The operating system of an NT_GNU_ABI_TAG note, as binutils names it.</summary>
public enum ElfAbiTagOs : uint
{
    /// <summary>Linux.</summary>
    GNU_ABI_TAG_LINUX = 0,
    /// <summary>GNU Hurd.</summary>
    GNU_ABI_TAG_HURD = 1,
    /// <summary>Solaris.</summary>
    GNU_ABI_TAG_SOLARIS = 2,
    /// <summary>FreeBSD.</summary>
    GNU_ABI_TAG_FREEBSD = 3,
    /// <summary>NetBSD.</summary>
    GNU_ABI_TAG_NETBSD = 4,
    /// <summary>Syllable.</summary>
    GNU_ABI_TAG_SYLLABLE = 5,
    /// <summary>Native Client.</summary>
    GNU_ABI_TAG_NACL = 6,
}

/// <summary>
/// The NT_GNU_ABI_TAG note (<c>.note.ABI-tag</c>): the operating system and the oldest kernel version the object
/// supports. glibc's loader refuses an object whose kernel version is newer than the running kernel's.
/// </summary>
/// <param name="Os">The operating system.</param>
/// <param name="Major">The kernel's major version.</param>
/// <param name="Minor">The kernel's minor version.</param>
/// <param name="Patch">The kernel's patch level.</param>
public sealed record ElfAbiTag(ElfAbiTagOs Os, uint Major, uint Minor, uint Patch)
{
    /// <summary>As <c>file</c> prints it: <c>Linux 3.2.0</c>.</summary>
    /// <returns>The OS and version.</returns>
    public override string ToString() => $"{ReadelfNames.AbiTagOs(Os)} {Major}.{Minor}.{Patch}";
}

/// <summary>pr_type of a GNU property. Types from 0xc0000000 to 0xdfffffff are processor-specific: the same number means different things on x86 and AArch64.</summary>
public enum ElfGnuPropertyType : uint
{
    /// <summary>The stack size the program needs.</summary>
    GNU_PROPERTY_STACK_SIZE = 1,
    /// <summary>No copy relocation on protected data symbols.</summary>
    GNU_PROPERTY_NO_COPY_ON_PROTECTED = 2,
    /// <summary>Features the object needs, ORed over its inputs (bit 0: indirect external access).</summary>
    GNU_PROPERTY_1_NEEDED = 0xb0008000,
    /// <summary>AArch64 features all inputs have (<see cref="ElfAArch64Features1"/>); on x86 this number is an obsolete ISA property.</summary>
    GNU_PROPERTY_AARCH64_FEATURE_1_AND = 0xc0000000,
    /// <summary>x86 control-flow protection all inputs have (<see cref="ElfX86Features1"/>).</summary>
    GNU_PROPERTY_X86_FEATURE_1_AND = 0xc0000002,
    /// <summary>x86 processor features the object needs (<see cref="ElfX86Features2"/>).</summary>
    GNU_PROPERTY_X86_FEATURE_2_NEEDED = 0xc0008001,
    /// <summary>The x86-64 ISA levels the object needs (<see cref="ElfX86IsaLevels"/>).</summary>
    GNU_PROPERTY_X86_ISA_1_NEEDED = 0xc0008002,
    /// <summary>x86 processor features the object uses (<see cref="ElfX86Features2"/>).</summary>
    GNU_PROPERTY_X86_FEATURE_2_USED = 0xc0010001,
    /// <summary>The x86-64 ISA levels the object uses (<see cref="ElfX86IsaLevels"/>).</summary>
    GNU_PROPERTY_X86_ISA_1_USED = 0xc0010002,
}

/// <summary>The x86-64 micro-architecture levels of GNU_PROPERTY_X86_ISA_1_NEEDED and _USED.</summary>
[Flags]
public enum ElfX86IsaLevels : uint
{
    /// <summary>No level.</summary>
    None = 0,
    /// <summary>x86-64-baseline: CMOV, CX8, FPU, FXSR, MMX, OSFXSR, SCE, SSE, SSE2.</summary>
    GNU_PROPERTY_X86_ISA_1_BASELINE = 0x1,
    /// <summary>x86-64-v2: adds CMPXCHG16B, LAHF-SAHF, POPCNT, SSE3, SSE4.1, SSE4.2, SSSE3.</summary>
    GNU_PROPERTY_X86_ISA_1_V2 = 0x2,
    /// <summary>x86-64-v3: adds AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE, OSXSAVE.</summary>
    GNU_PROPERTY_X86_ISA_1_V3 = 0x4,
    /// <summary>x86-64-v4: adds AVX512F, AVX512BW, AVX512CD, AVX512DQ, AVX512VL.</summary>
    GNU_PROPERTY_X86_ISA_1_V4 = 0x8,
}

/// <summary>The x86 control-flow protection of GNU_PROPERTY_X86_FEATURE_1_AND.</summary>
[Flags]
public enum ElfX86Features1 : uint
{
    /// <summary>No feature.</summary>
    None = 0,
    /// <summary>Indirect branch tracking (CET IBT).</summary>
    GNU_PROPERTY_X86_FEATURE_1_IBT = 0x1,
    /// <summary>Shadow stack (CET SHSTK).</summary>
    GNU_PROPERTY_X86_FEATURE_1_SHSTK = 0x2,
    /// <summary>Linear address masking, 48-bit user pointers.</summary>
    GNU_PROPERTY_X86_FEATURE_1_LAM_U48 = 0x4,
    /// <summary>Linear address masking, 57-bit user pointers.</summary>
    GNU_PROPERTY_X86_FEATURE_1_LAM_U57 = 0x8,
}

/// <summary>The x86 processor features of GNU_PROPERTY_X86_FEATURE_2_NEEDED and _USED.</summary>
[Flags]
public enum ElfX86Features2 : uint
{
    /// <summary>No feature.</summary>
    None = 0,
    /// <summary>x86 instructions.</summary>
    GNU_PROPERTY_X86_FEATURE_2_X86 = 0x1,
    /// <summary>x87 instructions.</summary>
    GNU_PROPERTY_X86_FEATURE_2_X87 = 0x2,
    /// <summary>MMX registers.</summary>
    GNU_PROPERTY_X86_FEATURE_2_MMX = 0x4,
    /// <summary>XMM registers.</summary>
    GNU_PROPERTY_X86_FEATURE_2_XMM = 0x8,
    /// <summary>YMM registers.</summary>
    GNU_PROPERTY_X86_FEATURE_2_YMM = 0x10,
    /// <summary>ZMM registers.</summary>
    GNU_PROPERTY_X86_FEATURE_2_ZMM = 0x20,
    /// <summary>FXSAVE/FXRSTOR.</summary>
    GNU_PROPERTY_X86_FEATURE_2_FXSR = 0x40,
    /// <summary>XSAVE.</summary>
    GNU_PROPERTY_X86_FEATURE_2_XSAVE = 0x80,
    /// <summary>XSAVEOPT.</summary>
    GNU_PROPERTY_X86_FEATURE_2_XSAVEOPT = 0x100,
    /// <summary>XSAVEC.</summary>
    GNU_PROPERTY_X86_FEATURE_2_XSAVEC = 0x200,
    /// <summary>AMX tile registers.</summary>
    GNU_PROPERTY_X86_FEATURE_2_TMM = 0x400,
    /// <summary>AVX-512 mask registers.</summary>
    GNU_PROPERTY_X86_FEATURE_2_MASK = 0x800,
}

/// <summary>The AArch64 features of GNU_PROPERTY_AARCH64_FEATURE_1_AND.</summary>
[Flags]
public enum ElfAArch64Features1 : uint
{
    /// <summary>No feature.</summary>
    None = 0,
    /// <summary>Branch target identification.</summary>
    GNU_PROPERTY_AARCH64_FEATURE_1_BTI = 0x1,
    /// <summary>Pointer authentication of return addresses.</summary>
    GNU_PROPERTY_AARCH64_FEATURE_1_PAC = 0x2,
    /// <summary>Guarded control stack.</summary>
    GNU_PROPERTY_AARCH64_FEATURE_1_GCS = 0x4,
}

/// <summary>One GNU property of an NT_GNU_PROPERTY_TYPE_0 note, raw.</summary>
/// <param name="Type">pr_type; processor-specific types depend on e_machine.</param>
/// <param name="Data">pr_data, without padding (valid while the image is).</param>
public readonly record struct ElfGnuProperty(ElfGnuPropertyType Type, ReadOnlyMemory<byte> Data);

/// <summary>
/// The GNU properties of an object (<c>.note.gnu.property</c>, PT_GNU_PROPERTY): every property raw, and the ones the
/// loader acts on decoded for the file's machine. A typed value is <see langword="null"/> when the property is absent
/// or its data is not the 4 bytes it must be (readelf then prints a corrupt length).
/// </summary>
public sealed class ElfGnuProperties
{
    internal static readonly ElfGnuProperties Empty = new([], ElfMachine.None, default);

    internal ElfGnuProperties(ImmutableArray<ElfGnuProperty> properties, ElfMachine machine, ElfEndian endian)
    {
        Properties = properties;
        bool x86 = machine is ElfMachine.X86_64 or ElfMachine.I386 or (ElfMachine)6; // EM_IAMCU
        foreach (var p in properties)
        {
            if (p.Data.Length != 4)
            {
                continue;
            }

            uint value = endian.U32(p.Data.Span, 0);
            switch (p.Type)
            {
                case ElfGnuPropertyType.GNU_PROPERTY_X86_ISA_1_NEEDED when x86: X86IsaNeeded = (ElfX86IsaLevels)value; break;
                case ElfGnuPropertyType.GNU_PROPERTY_X86_ISA_1_USED when x86: X86IsaUsed = (ElfX86IsaLevels)value; break;
                case ElfGnuPropertyType.GNU_PROPERTY_X86_FEATURE_1_AND when x86: X86Features = (ElfX86Features1)value; break;
                case ElfGnuPropertyType.GNU_PROPERTY_X86_FEATURE_2_NEEDED when x86: X86FeaturesNeeded = (ElfX86Features2)value; break;
                case ElfGnuPropertyType.GNU_PROPERTY_X86_FEATURE_2_USED when x86: X86FeaturesUsed = (ElfX86Features2)value; break;
                case ElfGnuPropertyType.GNU_PROPERTY_AARCH64_FEATURE_1_AND when machine == ElfMachine.AArch64: AArch64Features = (ElfAArch64Features1)value; break;
            }
        }
    }

    /// <summary>Every property, in note order.</summary>
    public ImmutableArray<ElfGnuProperty> Properties { get; }

    /// <summary>GNU_PROPERTY_X86_ISA_1_NEEDED: the ISA levels a CPU must have to run the object.</summary>
    public ElfX86IsaLevels? X86IsaNeeded { get; }

    /// <summary>GNU_PROPERTY_X86_ISA_1_USED: the ISA levels the object's code uses.</summary>
    public ElfX86IsaLevels? X86IsaUsed { get; }

    /// <summary>GNU_PROPERTY_X86_FEATURE_1_AND: the control-flow protection (IBT, SHSTK) every input was built with.</summary>
    public ElfX86Features1? X86Features { get; }

    /// <summary>GNU_PROPERTY_X86_FEATURE_2_NEEDED.</summary>
    public ElfX86Features2? X86FeaturesNeeded { get; }

    /// <summary>GNU_PROPERTY_X86_FEATURE_2_USED.</summary>
    public ElfX86Features2? X86FeaturesUsed { get; }

    /// <summary>GNU_PROPERTY_AARCH64_FEATURE_1_AND: BTI and PAC, when every input was built with them.</summary>
    public ElfAArch64Features1? AArch64Features { get; }
}
