using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>Why a file of the target could not be read as ELF at all, before any of the loader's checks.</summary>
internal enum FileFailure
{
    /// <summary>Read, and parsed as ELF.</summary>
    None,

    /// <summary>Read, but not well-formed ELF to this SDK's reader: the loader's own checks (on the bytes) say why.</summary>
    Malformed,

    /// <summary>open(2) fails with EACCES: the loader goes on to the next folder.</summary>
    PermissionDenied,

    /// <summary>A FIFO: the loader's open(2) blocks until a writer opens it.</summary>
    Fifo,

    /// <summary>A device or socket: not a regular file.</summary>
    NotRegular,

    /// <summary>Any other I/O error.</summary>
    IoError,
}

/// <summary>
/// One file of a target as the loader meets it: the parsed object when it is ELF this SDK can read, else what went
/// wrong and the bytes the loader would have read. Read once per target and shared by every check.
/// </summary>
internal sealed class LoaderFile : IDisposable
{
    /// <summary>What is read of a file that does not parse: the loader reads the header and program headers, notes at most.</summary>
    private const int PrefixLength = 64 * 1024;

    private LoaderFile(DynamicObject? obj, ReadOnlyMemory<byte> bytes, FileFailure failure, string? detail)
    {
        Object = obj;
        Bytes = bytes;
        Failure = failure;
        Detail = detail;
    }

    /// <summary>The parsed object, or null.</summary>
    public DynamicObject? Object { get; }

    /// <summary>The file's bytes (all of them when parsed; a prefix when <see cref="FileFailure.Malformed"/>).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public FileFailure Failure { get; }

    /// <summary>The reader's or the system's message when <see cref="Failure"/> is not None.</summary>
    public string? Detail { get; }

    /// <summary>Opens a regular file (already resolved) of a file system the way the loader opens it.</summary>
    public static LoaderFile Open(TargetFileSystem fs, string path)
    {
        try
        {
            var obj = DynamicObject.Open(fs, path);
            return new LoaderFile(obj, obj.Image.Memory, FileFailure.None, null);
        }
        catch (ElfFormatException ex)
        {
            try
            {
                return new LoaderFile(null, fs.ReadPrefix(path, PrefixLength), FileFailure.Malformed, ex.Message);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                return Failed(again);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(ex);
        }
    }

    private static LoaderFile Failed(Exception ex) => ex switch
    {
        UnauthorizedAccessException => new LoaderFile(null, default, FileFailure.PermissionDenied, "Permission denied"),
        IO.NotRegularFileException { IsFifo: true } n => new LoaderFile(null, default, FileFailure.Fifo, n.What),
        IO.NotRegularFileException n => new LoaderFile(null, default, FileFailure.NotRegular, n.What),
        _ => new LoaderFile(null, default, FileFailure.IoError, ex.Message),
    };

    public void Dispose() => Object?.Dispose();
}

/// <summary>What the loader does with a file found under a name: takes it, skips it and searches on, or stops.</summary>
internal enum AcceptanceOutcome
{
    Accept,
    Skip,
    Refuse,
}

/// <summary>The loader's decision on one file, with its reason and words.</summary>
internal readonly record struct AcceptanceDecision(AcceptanceOutcome Outcome, ObjectRejection Reason, string Message)
{
    public static readonly AcceptanceDecision Accepted = new(AcceptanceOutcome.Accept, default, string.Empty);

    public static AcceptanceDecision Skip(ObjectRejection reason, string message) => new(AcceptanceOutcome.Skip, reason, message);

    public static AcceptanceDecision Refuse(ObjectRejection reason, string message) => new(AcceptanceOutcome.Refuse, reason, message);
}

/// <summary>
/// The loader a program runs with, as far as the checks of every object it loads go: glibc builds one loader per ABI,
/// and the program picks it (PT_INTERP), so an armhf program has the hard-float loader and a lp64d program the
/// double-float one. The release decides the checks that came and went (the ABI-tag kernel check before 2.36, the
/// refusal of PIEs as dependencies from 2.30).
/// </summary>
internal sealed record LoaderAbi(
    ElfClass Class,
    ElfDataEncoding Data,
    ElfMachine Machine,
    uint Flags,
    bool ArmHardFloat,
    int MipsFpAbi,
    Version? GlibcVersion,
    Version? KernelVersion)
{
    private const uint EfArmAbiFloatHard = 0x400;
    private const uint EfRiscvFloatAbi = 0x6;
    private const uint EfRiscvFloatAbiDouble = 0x4;

    /// <summary>The loader of a program: its class, byte order, machine and float ABI.</summary>
    public static LoaderAbi Of(ElfImage program, Version? glibcVersion, Version? kernelVersion)
    {
        var h = program.Header;
        // An EABI5 program says hard or soft float in its flags; an older one by the loader it names.
        bool hard = (h.Flags & EfArmAbiFloatHard) != 0 || (program.Interpreter?.Contains("armhf", StringComparison.Ordinal) ?? false);
        int fpAbi = h.Machine == ElfMachine.Mips ? ObjectAcceptance.MipsFpAbi(program.Memory.Span, h.Class, h.DataEncoding) : -1;
        return new LoaderAbi(h.Class, h.DataEncoding, h.Machine, h.Flags, hard, fpAbi, glibcVersion, kernelVersion);
    }

    /// <summary>Releases are compared as glibc's: an unknown release is a current loader.</summary>
    public bool GlibcBefore(int major, int minor) => GlibcVersion is { } v && (v.Major < major || (v.Major == major && v.Minor < minor));

    /// <summary>RISC-V: the loader's float ABI (glibc builds lp64d and lp64 loaders only).</summary>
    public uint RiscvFloatAbi => (Flags & EfRiscvFloatAbi) == EfRiscvFloatAbiDouble ? EfRiscvFloatAbiDouble : 0;

    /// <summary>LIBC_ABI_MAX of the loader's libc-abis list: EI_ABIVERSION below it is accepted with ELFOSABI_GNU.</summary>
    public int LibcAbiMax => Machine switch
    {
        // UNIQUE, IFUNC, ABSOLUTE (ABSOLUTE from 2.28)
        ElfMachine.X86_64 or ElfMachine.I386 or ElfMachine.PowerPC or ElfMachine.PowerPC64 or ElfMachine.Sparc or ElfMachine.SparcV9 or ElfMachine.Sparc32Plus
            => GlibcBefore(2, 28) ? 3 : 4,
        // MIPS_PLT, UNIQUE, MIPS_O32_FP64, ABSOLUTE, MIPS_XHASH (XHASH from 2.31)
        ElfMachine.Mips => GlibcBefore(2, 31) ? 5 : 6,
        // UNIQUE, ABSOLUTE, and IFUNC listed after ABSOLUTE for RISC-V
        ElfMachine.RiscV => 4,
        _ => GlibcBefore(2, 28) ? 2 : 3,
    };
}

/// <summary>
/// The checks glibc's loader makes of a file found under a name before it maps it (<c>open_verify</c>), and those of
/// mapping it (<c>_dl_map_object_from_fd</c>): which files it skips, searching on in the next folder, and which it
/// refuses, stopping the program with "error while loading shared libraries: PATH: MESSAGE".
/// </summary>
internal static class ObjectAcceptance
{
    private const byte ElfOsAbiSysv = 0, ElfOsAbiGnu = 3, ElfOsAbiArmAeabi = 97;
    private const uint PtLoad = 1, PtDynamic = 2, PtNote = 4, PtMipsAbiFlags = 0x70000003;
    private const uint EfArmEabiMask = 0xff000000, EfArmEabiVer5 = 0x05000000, EfArmAbiFloatSoft = 0x200, EfArmAbiFloatHard = 0x400;
    private const uint EfMipsAbi2 = 0x20, EfMipsNan2008 = 0x400, EfMipsFp64 = 0x200;
    private const uint EfPpc64Abi = 0x3;

    /// <summary>The loader's decision on a file (already resolved to a regular file).</summary>
    public static AcceptanceDecision Check(LoaderFile file, LoaderAbi abi)
    {
        switch (file.Failure)
        {
            case FileFailure.PermissionDenied:
                // open_path: EACCES is not an error; the search goes on.
                return AcceptanceDecision.Skip(ObjectRejection.Unreadable, "Permission denied");
            case FileFailure.Fifo:
                return AcceptanceDecision.Refuse(ObjectRejection.CannotRead, "a FIFO: the loader's open(2) blocks until a writer opens it");
            case FileFailure.NotRegular:
                return AcceptanceDecision.Refuse(ObjectRejection.CannotRead, $"cannot read file data ({file.Detail}, not a regular file)");
            case FileFailure.IoError:
                return AcceptanceDecision.Refuse(ObjectRejection.CannotRead, $"cannot read file data ({file.Detail})");
        }

        var decision = CheckBytes(file.Bytes.Span, abi);
        if (decision.Outcome != AcceptanceOutcome.Accept)
        {
            return decision;
        }

        if (file.Object is not { } obj)
        {
            // The loader's checks pass but the file does not parse: it would map it and fail on what is broken.
            return AcceptanceDecision.Refuse(ObjectRejection.CannotRead, $"cannot read file data ({file.Detail})");
        }

        // _dl_map_object_from_fd, after mapping: a PIE is not a library (glibc 2.30 and later).
        if (!abi.GlibcBefore(2, 30) && obj.Image.Dynamic is { } dyn && (dyn.Flags1 & ElfDynamicFlags1.DF_1_PIE) != 0)
        {
            return AcceptanceDecision.Refuse(ObjectRejection.PositionIndependentExecutable, "cannot dynamically load position-independent executable");
        }

        return AcceptanceDecision.Accepted;
    }

    /// <summary>The checks made on the file's first bytes, program headers and notes.</summary>
    internal static AcceptanceDecision CheckBytes(ReadOnlySpan<byte> file, LoaderAbi abi)
    {
        bool is64 = abi.Class == ElfClass.Elf64;
        int ehdrSize = is64 ? 64 : 52;
        if (file.Length < ehdrSize)
        {
            // read(2) returned less than a header with errno 0.
            return AcceptanceDecision.Refuse(ObjectRejection.CannotRead, "file too short");
        }

        var ident = file[..16];
        byte osabi = ident[7], abiVersion = ident[8];
        bool magic = ident[0] == 0x7f && ident[1] == (byte)'E' && ident[2] == (byte)'L' && ident[3] == (byte)'F';
        bool osabiValid = osabi is ElfOsAbiSysv or ElfOsAbiGnu || (abi.Machine == ElfMachine.Arm && osabi == ElfOsAbiArmAeabi);
        bool abiVersionValid = abiVersion == 0
            || (osabi == ElfOsAbiGnu && abiVersion < abi.LibcAbiMax)
            || (abi.Machine == ElfMachine.Mips && osabi == ElfOsAbiSysv && abiVersion < 6);
        bool padding = ident[9..].IndexOfAnyExcept((byte)0) < 0;
        if (!magic || ident[4] != (byte)abi.Class || ident[5] != (byte)abi.Data || ident[6] != 1 || !osabiValid || !abiVersionValid || !padding)
        {
            if (!magic)
            {
                return AcceptanceDecision.Refuse(ObjectRejection.InvalidElfHeader, "invalid ELF header");
            }

            if (ident[4] != (byte)abi.Class)
            {
                // Not an error: a folder may hold the other class's libraries.
                return AcceptanceDecision.Skip(ObjectRejection.WrongClass, $"wrong ELF class: {ClassName(ident[4])}");
            }

            if (ident[5] != (byte)abi.Data)
            {
                return AcceptanceDecision.Refuse(ObjectRejection.WrongByteOrder, abi.Data == ElfDataEncoding.BigEndian ? "ELF file data encoding not big-endian" : "ELF file data encoding not little-endian");
            }

            if (ident[6] != 1)
            {
                return AcceptanceDecision.Refuse(ObjectRejection.WrongElfVersion, "ELF file version ident does not match current one");
            }

            if (!osabiValid)
            {
                return AcceptanceDecision.Refuse(ObjectRejection.InvalidOsAbi, "ELF file OS ABI invalid");
            }

            if (!abiVersionValid)
            {
                return AcceptanceDecision.Refuse(ObjectRejection.InvalidAbiVersion, "ELF file ABI version invalid");
            }

            return AcceptanceDecision.Refuse(ObjectRejection.NonzeroPadding, "nonzero padding in e_ident");
        }

        bool big = abi.Data == ElfDataEncoding.BigEndian;
        var e = new ElfEndian(big, is64); // the Elf layer's decoding, in the loader's byte order
        ushort U16(ReadOnlySpan<byte> s) => e.U16(s, 0);
        uint U32(ReadOnlySpan<byte> s) => e.U32(s, 0);
        ulong U64(ReadOnlySpan<byte> s) => e.U64(s, 0);
        ulong Word(ReadOnlySpan<byte> s) => e.Word(s, 0);

        ushort type = U16(file[16..]);
        var machine = (ElfMachine)U16(file[18..]);
        uint version = U32(file[20..]);
        ulong phoff = Word(file[(is64 ? 32 : 28)..]);
        uint flags = U32(file[(is64 ? 48 : 36)..]);
        ushort phentsize = U16(file[(is64 ? 54 : 42)..]);
        ushort phnum = U16(file[(is64 ? 56 : 44)..]);
        if (version != 1)
        {
            return AcceptanceDecision.Refuse(ObjectRejection.WrongElfVersion, "ELF file version does not match current one");
        }

        if (MachineMismatch(machine, flags, abi) is { } why)
        {
            return AcceptanceDecision.Skip(ObjectRejection.WrongMachine, why);
        }

        if (type is not (2 or 3))
        {
            return AcceptanceDecision.Refuse(ObjectRejection.NotLoadable, "only ET_DYN and ET_EXEC can be loaded");
        }

        int phdrSize = is64 ? 56 : 32;
        if (phentsize != phdrSize)
        {
            return AcceptanceDecision.Refuse(ObjectRejection.WrongProgramHeaderSize, "ELF file's phentsize not the expected size");
        }

        ulong phEnd = phoff + ((ulong)phnum * (ulong)phdrSize);
        if (phEnd > (ulong)file.Length || phEnd < phoff)
        {
            return AcceptanceDecision.Refuse(ObjectRejection.CannotRead, "cannot read file data");
        }

        var phdrs = file.Slice((int)phoff, phnum * phdrSize);
        int loads = 0;
        bool dynamic = false, emptyDynamic = false;
        for (int i = 0; i < phnum; i++)
        {
            var ph = phdrs.Slice(i * phdrSize, phdrSize);
            uint ptype = U32(ph);
            ulong offset = is64 ? U64(ph[8..]) : U32(ph[4..]);
            ulong filesz = is64 ? U64(ph[32..]) : U32(ph[16..]);
            ulong align = is64 ? U64(ph[48..]) : U32(ph[28..]);
            switch (ptype)
            {
                case PtLoad:
                    loads++;
                    break;
                case PtDynamic:
                    dynamic = true;
                    emptyDynamic = filesz == 0;
                    break;
                case PtNote when abi.GlibcBefore(2, 36):
                    if (AbiTagMismatch(file, offset, filesz, align, abi, U32) is { } tag)
                    {
                        return tag;
                    }

                    break;
            }
        }

        if (machine == ElfMachine.Mips && MipsFpAbiMismatch(file, abi) is { } fp)
        {
            return AcceptanceDecision.Skip(ObjectRejection.WrongMachine, fp);
        }

        // _dl_map_object_from_fd.
        if (loads == 0)
        {
            return AcceptanceDecision.Refuse(ObjectRejection.NoLoadableSegments, "object file has no loadable segments");
        }

        if (type != 3)
        {
            return AcceptanceDecision.Refuse(ObjectRejection.Executable, "cannot dynamically load executable");
        }

        if (!dynamic || emptyDynamic)
        {
            return AcceptanceDecision.Refuse(ObjectRejection.NoDynamicSection, "object file has no dynamic section");
        }

        return AcceptanceDecision.Accepted;
    }

    private static string ClassName(byte cls) => cls switch
    {
        1 => "ELFCLASS32",
        2 => "ELFCLASS64",
        _ => $"ELFCLASS{cls}",
    };

    /// <summary>elf_machine_matches_host, for the loader the program picked: why the file is another machine's or ABI's, or null.</summary>
    private static string? MachineMismatch(ElfMachine machine, uint flags, LoaderAbi abi)
    {
        bool sameMachine = machine == abi.Machine
            || (abi.Machine == ElfMachine.Mips && machine == (ElfMachine)10) // EM_MIPS_RS3_LE
            || (abi.Machine == ElfMachine.S390 && machine == (ElfMachine)0xa390); // EM_S390_OLD
        if (!sameMachine)
        {
            return $"another machine ({machine})";
        }

        switch (abi.Machine)
        {
            case ElfMachine.Arm:
                // Debian's loaders (the armel/armhf distributions) skip an EABI5 object of the other float ABI.
                if ((flags & EfArmEabiMask) == EfArmEabiVer5)
                {
                    if (abi.ArmHardFloat && (flags & EfArmAbiFloatSoft) != 0)
                    {
                        return "soft-float ABI (EF_ARM_ABI_FLOAT_SOFT); the loader is hard-float";
                    }

                    if (!abi.ArmHardFloat && (flags & EfArmAbiFloatHard) != 0)
                    {
                        return "hard-float ABI (EF_ARM_ABI_FLOAT_HARD); the loader is soft-float";
                    }
                }

                break;
            case ElfMachine.RiscV:
                if ((flags & 0x6) != abi.RiscvFloatAbi)
                {
                    return $"float ABI {RiscvFloatName(flags & 0x6)}; the loader's is {RiscvFloatName(abi.RiscvFloatAbi)}";
                }

                break;
            case ElfMachine.Mips:
                if (abi.Class == ElfClass.Elf32 && (flags & EfMipsAbi2) != (abi.Flags & EfMipsAbi2))
                {
                    return (flags & EfMipsAbi2) != 0 ? "n32 ABI; the loader is o32" : "o32 ABI; the loader is n32";
                }

                if ((flags & EfMipsNan2008) != (abi.Flags & EfMipsNan2008))
                {
                    return (flags & EfMipsNan2008) != 0 ? "2008 NaN encoding; the loader's is legacy" : "legacy NaN encoding; the loader's is 2008";
                }

                if ((flags & EfMipsFp64) != 0)
                {
                    return "the old O32 FP64 ABI (EF_MIPS_FP64), which Linux does not support";
                }

                break;
            case ElfMachine.PowerPC64:
                if ((flags & EfPpc64Abi) != 0 && (flags & EfPpc64Abi) != ((abi.Flags & EfPpc64Abi) == 0 ? (abi.Data == ElfDataEncoding.LittleEndian ? 2u : 1u) : abi.Flags & EfPpc64Abi))
                {
                    return $"ELFv{flags & EfPpc64Abi} ABI; the loader's is another";
                }

                break;
        }

        return null;
    }

    private static string RiscvFloatName(uint abi) => abi switch
    {
        0 => "soft",
        2 => "single",
        4 => "double",
        _ => "quad",
    };

    /// <summary>
    /// glibc before 2.36: a PT_NOTE segment's NT_GNU_ABI_TAG note for another OS than Linux, or a kernel newer than the
    /// one running, makes the loader skip the file.
    /// </summary>
    private static AcceptanceDecision? AbiTagMismatch(ReadOnlySpan<byte> file, ulong offset, ulong size, ulong align, LoaderAbi abi, Func<ReadOnlySpan<byte>, uint> u32)
    {
        if (size < 32)
        {
            return null;
        }

        if (align < 4)
        {
            align = 4;
        }
        else if (align != 4 && align != 8)
        {
            return null;
        }

        if (offset > (ulong)file.Length || size > (ulong)file.Length - offset)
        {
            return AcceptanceDecision.Refuse(ObjectRejection.CannotRead, "cannot read file data");
        }

        var notes = file.Slice((int)offset, (int)size);
        while (!(u32(notes) == 4 && u32(notes[4..]) == 16 && u32(notes[8..]) == 1 && notes[12..16].SequenceEqual("GNU\0"u8)))
        {
            ulong namesz = u32(notes), descsz = u32(notes[4..]);
            ulong next = AlignUp(12 + namesz, align) + AlignUp(descsz, align);
            if (size - 32 < next)
            {
                return null;
            }

            size -= next;
            notes = notes[(int)next..];
        }

        uint os = u32(notes[16..]);
        uint tag = ((u32(notes[20..]) & 0xff) << 16) | ((u32(notes[24..]) & 0xff) << 8) | (u32(notes[28..]) & 0xff);
        var tagText = $"{u32(notes[20..])}.{u32(notes[24..])}.{u32(notes[28..])}";
        if (os != 0)
        {
            return AcceptanceDecision.Skip(ObjectRejection.AbiTagMismatch, $"ABI tag for another OS ({ReadelfNames.AbiTagOs((ElfAbiTagOs)os)} {tagText})");
        }

        if (abi.KernelVersion is { } kernel && KernelCode(kernel) < tag)
        {
            return AcceptanceDecision.Skip(ObjectRejection.AbiTagMismatch, $"ABI tag Linux {tagText} is newer than the kernel {kernel}");
        }

        return null;
    }

    private static ulong AlignUp(ulong value, ulong align) => (value + align - 1) & ~(align - 1);

    /// <summary>The kernel release as the loader encodes it (_dl_discover_osversion): a byte each for three parts.</summary>
    internal static uint KernelCode(Version kernel)
        => ((uint)Math.Clamp(kernel.Major, 0, 255) << 16) | ((uint)Math.Clamp(kernel.Minor, 0, 255) << 8) | (uint)Math.Clamp(kernel.Build, 0, 255);

    /// <summary>The fp_abi of a MIPS file's PT_MIPS_ABIFLAGS, or -1 without one (or when it cannot be read).</summary>
    internal static int MipsFpAbi(ReadOnlySpan<byte> file, ElfClass cls, ElfDataEncoding data)
        => MipsAbiFlags(file, cls, data, out var fpAbi, out _) ? fpAbi : -1;

    private static bool MipsAbiFlags(ReadOnlySpan<byte> file, ElfClass cls, ElfDataEncoding data, out int fpAbi, out uint flags2)
    {
        fpAbi = -1;
        flags2 = 0;
        bool is64 = cls == ElfClass.Elf64, big = data == ElfDataEncoding.BigEndian;
        int phdrSize = is64 ? 56 : 32;
        if (file.Length < (is64 ? 64 : 52))
        {
            return false;
        }

        ulong phoff = is64 ? Read64(file[32..], big) : Read32(file[28..], big);
        int phnum = new ElfEndian(big, is64).U16(file, is64 ? 56 : 44);
        for (int i = 0; i < phnum; i++)
        {
            ulong at = phoff + (ulong)(i * phdrSize);
            if (at + (ulong)phdrSize > (ulong)file.Length)
            {
                return false;
            }

            var ph = file.Slice((int)at, phdrSize);
            if (Read32(ph, big) != PtMipsAbiFlags)
            {
                continue;
            }

            ulong offset = is64 ? Read64(ph[8..], big) : Read32(ph[4..], big);
            ulong size = is64 ? Read64(ph[32..], big) : Read32(ph[16..], big);
            if (size < 24 || offset + 24 > (ulong)file.Length)
            {
                fpAbi = int.MaxValue; // malformed: rejected
                return true;
            }

            var flagsBlock = file.Slice((int)offset, 24);
            fpAbi = flagsBlock[7];
            flags2 = Read32(flagsBlock[20..], big);
            return true;
        }

        return false;
    }

    private static uint Read32(ReadOnlySpan<byte> s, bool big) => new ElfEndian(big, false).U32(s, 0);

    private static ulong Read64(ReadOnlySpan<byte> s, bool big) => new ElfEndian(big, true).U64(s, 0);

    // Per Val_GNU_MIPS_ABI_FP_* value: the FPU modes it can run in (single, soft, FR=0, FR=1, FRE).
    private static readonly (bool Single, bool Soft, bool Fr0, bool Fr1, bool Fre)[] MipsModes =
    [
        (true, true, true, true, true),      // any
        (false, false, true, false, true),   // double
        (true, false, false, false, false),  // single
        (false, true, false, false, false),  // soft
        (false, false, false, false, false), // old FP64
        (false, false, true, true, true),    // FPXX
        (false, false, false, true, false),  // FP64
        (false, false, false, true, true),   // FP64A
    ];

    /// <summary>
    /// elf_machine_reject_phdr_p of MIPS, against the program only: a file whose FP ABI shares no FPU mode with the
    /// program's (soft-float in a hard-float program), or whose ABI flags are malformed, is skipped.
    /// </summary>
    private static string? MipsFpAbiMismatch(ReadOnlySpan<byte> file, LoaderAbi abi)
    {
        if (!MipsAbiFlags(file, abi.Class, abi.Data, out int fpAbi, out uint flags2))
        {
            fpAbi = -1;
        }
        else if (fpAbi == int.MaxValue)
        {
            return "malformed PT_MIPS_ABIFLAGS";
        }
        else if (flags2 != 0)
        {
            return $"unknown MIPS.abiflags flags2 {flags2}";
        }
        else if (fpAbi >= MipsModes.Length)
        {
            return $"unknown FP ABI {fpAbi}";
        }

        var mine = fpAbi < 0 ? (true, true, true, false, true) : MipsModes[fpAbi];
        var theirs = abi.MipsFpAbi < 0 || abi.MipsFpAbi >= MipsModes.Length ? (true, true, true, false, true) : MipsModes[abi.MipsFpAbi];
        bool any = (mine.Item1 && theirs.Item1) || (mine.Item2 && theirs.Item2) || (mine.Item3 && theirs.Item3) || (mine.Item4 && theirs.Item4) || (mine.Item5 && theirs.Item5);
        return any ? null : $"FP ABI {MipsFpName(fpAbi)}; the program's is {MipsFpName(abi.MipsFpAbi)}";
    }

    private static string MipsFpName(int fpAbi) => fpAbi switch
    {
        -1 => "unspecified",
        0 => "any",
        1 => "double-float",
        2 => "single-float",
        3 => "soft-float",
        4 => "old FP64",
        5 => "FPXX",
        6 => "FP64",
        7 => "FP64A",
        _ => fpAbi.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
