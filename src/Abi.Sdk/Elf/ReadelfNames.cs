namespace Abi.Sdk.Elf;

/// <summary>The spellings GNU readelf uses, so that reports read like the tools distribution engineers know.</summary>
public static class ReadelfNames
{
    /// <summary>The symbol type as readelf's Type column spells it (IFUNC only for GNU and FreeBSD OS ABIs, as readelf does).</summary>
    /// <param name="type">The type.</param>
    /// <param name="osAbi">The file's OS ABI, which decides how OS-specific types are named.</param>
    /// <returns>NOTYPE, OBJECT, FUNC, SECTION, FILE, COMMON, TLS, IFUNC or a numeric form.</returns>
    public static string SymbolType(ElfSymbolType type, ElfOsAbi osAbi = ElfOsAbi.Gnu) => type switch
    {
        ElfSymbolType.NoType => "NOTYPE",
        ElfSymbolType.Object => "OBJECT",
        ElfSymbolType.Function => "FUNC",
        ElfSymbolType.Section => "SECTION",
        ElfSymbolType.File => "FILE",
        ElfSymbolType.Common => "COMMON",
        ElfSymbolType.Tls => "TLS",
        ElfSymbolType.GnuIndirectFunction when osAbi is ElfOsAbi.Gnu or ElfOsAbi.FreeBsd => "IFUNC",
        _ when (byte)type >= 10 && (byte)type <= 12 => $"<OS specific>: {(byte)type}",
        _ when (byte)type >= 13 => $"<processor specific>: {(byte)type}",
        _ => $"<unknown>: {(byte)type}",
    };

    /// <summary>The binding as readelf's Bind column spells it (UNIQUE only for the GNU OS ABI, as readelf does).</summary>
    /// <param name="binding">The binding.</param>
    /// <param name="osAbi">The file's OS ABI.</param>
    /// <returns>LOCAL, GLOBAL, WEAK, UNIQUE or a numeric form.</returns>
    public static string SymbolBinding(ElfSymbolBinding binding, ElfOsAbi osAbi = ElfOsAbi.Gnu) => binding switch
    {
        ElfSymbolBinding.Local => "LOCAL",
        ElfSymbolBinding.Global => "GLOBAL",
        ElfSymbolBinding.Weak => "WEAK",
        ElfSymbolBinding.GnuUnique when osAbi is ElfOsAbi.Gnu => "UNIQUE",
        _ when (byte)binding >= 10 && (byte)binding <= 12 => $"<OS specific>: {(byte)binding}",
        _ when (byte)binding >= 13 => $"<processor specific>: {(byte)binding}",
        _ => $"<unknown>: {(byte)binding}",
    };

    /// <summary>The visibility as readelf's Vis column spells it.</summary>
    /// <param name="visibility">The visibility.</param>
    /// <returns>DEFAULT, INTERNAL, HIDDEN or PROTECTED.</returns>
    public static string SymbolVisibility(ElfSymbolVisibility visibility) => visibility switch
    {
        ElfSymbolVisibility.Default => "DEFAULT",
        ElfSymbolVisibility.Internal => "INTERNAL",
        ElfSymbolVisibility.Hidden => "HIDDEN",
        _ => "PROTECTED",
    };

    /// <summary>The section index as readelf's Ndx column spells it.</summary>
    /// <param name="sectionIndex">st_shndx.</param>
    /// <returns>UND, ABS, COM or the decimal index.</returns>
    public static string SectionIndex(ElfSectionIndex sectionIndex) => sectionIndex switch
    {
        ElfSectionIndex.SHN_UNDEF => "UND",
        ElfSectionIndex.SHN_ABS => "ABS",
        ElfSectionIndex.SHN_COMMON => "COM",
        _ => ((ushort)sectionIndex).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The dynamic tag as <c>readelf -d</c> spells it in parentheses: the name of <see cref="ElfDynamicTag"/> without
    /// its <c>DT_</c> prefix, so the enum is the one table of names.
    /// </summary>
    /// <param name="tag">d_tag.</param>
    /// <param name="machine">e_machine, which names the processor-specific tags.</param>
    /// <returns>For example <c>NEEDED</c> or <c>GNU_HASH</c>; readelf's numeric form for tags it does not name.</returns>
    public static string DynamicTag(ElfDynamicTag tag, ElfMachine machine = ElfMachine.X86_64)
    {
        if (Enum.GetName(tag) is { } name)
        {
            return name["DT_".Length..];
        }

        long value = (long)tag;
        return (value, machine) switch
        {
            (0x70000000, ElfMachine.PowerPC) => "PPC_GOT",
            (0x70000001, ElfMachine.PowerPC) => "PPC_OPT",
            (0x70000000, ElfMachine.PowerPC64) => "PPC64_GLINK",
            (0x70000001, ElfMachine.PowerPC64) => "PPC64_OPD",
            (0x70000002, ElfMachine.PowerPC64) => "PPC64_OPDSZ",
            (0x70000003, ElfMachine.PowerPC64) => "PPC64_OPT",
            (0x70000001, ElfMachine.AArch64) => "AARCH64_BTI_PLT",
            (0x70000003, ElfMachine.AArch64) => "AARCH64_PAC_PLT",
            (0x70000005, ElfMachine.AArch64) => "AARCH64_VARIANT_PCS",
            (0x70000000, ElfMachine.X86_64) => "X86_64_PLT",
            (0x70000001, ElfMachine.X86_64) => "X86_64_PLTSZ",
            (0x70000003, ElfMachine.X86_64) => "X86_64_PLTENT",
            (>= 0x70000000 and <= 0x7fffffff, _) => $"Processor Specific: {value:x}",
            (>= 0x6000000d and <= 0x6ffff000, _) => $"Operating System specific: {value:x}",
            _ => $"<unknown>: {value:x}",
        };
    }

    /// <summary>The section type as <c>readelf -S</c> spells it.</summary>
    /// <param name="type">sh_type.</param>
    /// <param name="machine">e_machine, which names the processor-specific types.</param>
    /// <returns>For example <c>PROGBITS</c>, <c>GNU_HASH</c> or <c>VERSYM</c>.</returns>
    public static string SectionType(ElfSectionType type, ElfMachine machine = ElfMachine.X86_64)
    {
        switch (type)
        {
            case ElfSectionType.SHT_GNU_VERDEF: return "VERDEF";
            case ElfSectionType.SHT_GNU_VERNEED: return "VERNEED";
            case ElfSectionType.SHT_GNU_VERSYM: return "VERSYM";
            case ElfSectionType.SHT_SYMTAB_SHNDX: return "SYMTAB SECTION INDICES";
        }

        if (Enum.GetName(type) is { } name)
        {
            return name["SHT_".Length..];
        }

        uint value = (uint)type;
        return (value, machine) switch
        {
            (0x70000001, ElfMachine.X86_64) => "X86_64_UNWIND",
            (0x70000001, ElfMachine.Arm) => "ARM_EXIDX",
            (0x70000002, ElfMachine.Arm) => "ARM_PREEMPTMAP",
            (0x70000003, ElfMachine.Arm) => "ARM_ATTRIBUTES",
            (0x70000003, ElfMachine.AArch64) => "AARCH64_ATTRIBUTES",
            (>= 0x70000000 and <= 0x7fffffff, _) => $"LOPROC+{value - 0x70000000:x}",
            (>= 0x60000000 and <= 0x6fffffff, _) => $"LOOS+{value - 0x60000000:x}",
            (>= 0x80000000, _) => $"LOUSER+{value - 0x80000000:x}",
            _ => $"<unknown>: {value:x}",
        };
    }

    /// <summary>The segment type as <c>readelf -l</c> spells it.</summary>
    /// <param name="type">p_type.</param>
    /// <param name="machine">e_machine, which names the processor-specific types.</param>
    /// <returns>For example <c>LOAD</c>, <c>INTERP</c> or <c>GNU_PROPERTY</c>.</returns>
    public static string SegmentType(ElfSegmentType type, ElfMachine machine = ElfMachine.X86_64)
    {
        if (Enum.GetName(type) is { } name)
        {
            return name["PT_".Length..];
        }

        uint value = (uint)type;
        return (value, machine) switch
        {
            (0x70000001, ElfMachine.Arm) => "EXIDX",
            (0x70000002, ElfMachine.AArch64) => "AARCH64_MEMTAG_MTE",
            (0x70000003, ElfMachine.RiscV) => "RISCV_ATTRIBUTE",
            (>= 0x70000000 and <= 0x7fffffff, _) => $"LOPROC+{value - 0x70000000:x}",
            (>= 0x60000000 and <= 0x6fffffff, _) => $"LOOS+{value - 0x60000000:x}",
            _ => $"<unknown>: {value:x}",
        };
    }

    /// <summary>Version flags as <c>readelf -V</c> spells them: <c>none</c>, <c>BASE</c>, <c>WEAK</c>, <c>BASE | WEAK</c>, ….</summary>
    /// <param name="flags">vd_flags or vna_flags.</param>
    /// <returns>The spelled flags.</returns>
    public static string VersionFlags(ElfVersionFlags flags)
    {
        if (flags == ElfVersionFlags.None)
        {
            return "none";
        }

        var parts = new List<string>(4);
        if ((flags & ElfVersionFlags.Base) != 0)
        {
            parts.Add("BASE");
        }

        if ((flags & ElfVersionFlags.Weak) != 0)
        {
            parts.Add("WEAK");
        }

        if ((flags & ElfVersionFlags.Info) != 0)
        {
            parts.Add("INFO");
        }

        var unknown = (ushort)flags & ~0x7;
        if (unknown != 0)
        {
            parts.Add($"<unknown: {unknown:x}>");
        }

        return string.Join(" | ", parts);
    }

    /// <summary>The OS ABI as readelf's header dump spells it, for the values it names without machine context.</summary>
    /// <param name="osAbi">EI_OSABI.</param>
    /// <returns>For example <c>UNIX - System V</c> or <c>UNIX - GNU</c>.</returns>
    public static string OsAbi(ElfOsAbi osAbi) => osAbi switch
    {
        ElfOsAbi.None => "UNIX - System V",
        ElfOsAbi.HpUx => "UNIX - HP-UX",
        ElfOsAbi.NetBsd => "UNIX - NetBSD",
        ElfOsAbi.Gnu => "UNIX - GNU",
        ElfOsAbi.Solaris => "UNIX - Solaris",
        ElfOsAbi.FreeBsd => "UNIX - FreeBSD",
        ElfOsAbi.OpenBsd => "UNIX - OpenBSD",
        ElfOsAbi.Standalone => "Standalone App",
        _ => $"<unknown: {(byte)osAbi:x}>",
    };

    /// <summary>The machine as readelf's header dump names it, for the common architectures.</summary>
    /// <param name="machine">e_machine.</param>
    /// <returns>A readable name.</returns>
    public static string Machine(ElfMachine machine) => machine switch
    {
        ElfMachine.X86_64 => "Advanced Micro Devices X86-64",
        ElfMachine.I386 => "Intel 80386",
        ElfMachine.AArch64 => "AArch64",
        ElfMachine.Arm => "ARM",
        ElfMachine.PowerPC => "PowerPC",
        ElfMachine.PowerPC64 => "PowerPC64",
        ElfMachine.S390 => "IBM S/390",
        ElfMachine.RiscV => "RISC-V",
        ElfMachine.Mips => "MIPS R3000",
        ElfMachine.LoongArch => "LoongArch",
        ElfMachine.SparcV9 => "Sparc v9",
        ElfMachine.IA64 => "Intel IA-64",
        ElfMachine.Alpha => "Alpha",
        ElfMachine.FakeAlpha => "Digital Alpha (old)",
        _ => $"<unknown>: 0x{(ushort)machine:x}",
    };

    /// <summary>The OS of an ABI tag as <c>readelf -n</c> names it.</summary>
    /// <param name="os">The tag's OS word.</param>
    /// <returns>Linux, Hurd, Solaris, FreeBSD, NetBSD, Syllable, NaCl or Unknown.</returns>
    public static string AbiTagOs(ElfAbiTagOs os) => os switch
    {
        ElfAbiTagOs.GNU_ABI_TAG_LINUX => "Linux",
        ElfAbiTagOs.GNU_ABI_TAG_HURD => "Hurd",
        ElfAbiTagOs.GNU_ABI_TAG_SOLARIS => "Solaris",
        ElfAbiTagOs.GNU_ABI_TAG_FREEBSD => "FreeBSD",
        ElfAbiTagOs.GNU_ABI_TAG_NETBSD => "NetBSD",
        ElfAbiTagOs.GNU_ABI_TAG_SYLLABLE => "Syllable",
        ElfAbiTagOs.GNU_ABI_TAG_NACL => "NaCl",
        _ => "Unknown",
    };

    /// <summary>The x86-64 ISA levels as <c>readelf -n</c> (binutils 2.40) lists them: <c>x86-64-baseline, x86-64-v2</c>; empty for none.</summary>
    /// <param name="levels">The levels.</param>
    /// <returns>The spelled levels.</returns>
    public static string X86IsaLevels(ElfX86IsaLevels levels) => Bits((uint)levels, static bit => bit switch
    {
        0x1 => "x86-64-baseline",
        0x2 => "x86-64-v2",
        0x4 => "x86-64-v3",
        0x8 => "x86-64-v4",
        _ => null,
    }, "");

    /// <summary>The x86 control-flow protection as <c>readelf -n</c> lists it: <c>IBT, SHSTK</c>, or <c>&lt;None&gt;</c>.</summary>
    /// <param name="features">The features.</param>
    /// <returns>The spelled features.</returns>
    public static string X86Features(ElfX86Features1 features) => Bits((uint)features, static bit => bit switch
    {
        0x1 => "IBT",
        0x2 => "SHSTK",
        0x4 => "LAM_U48",
        0x8 => "LAM_U57",
        _ => null,
    }, "<None>");

    /// <summary>The x86 processor features as <c>readelf -n</c> lists them: <c>x86, XMM</c>, or <c>&lt;None&gt;</c>.</summary>
    /// <param name="features">The features.</param>
    /// <returns>The spelled features.</returns>
    public static string X86Features(ElfX86Features2 features) => Bits((uint)features, static bit => bit switch
    {
        0x1 => "x86",
        0x2 => "x87",
        0x4 => "MMX",
        0x8 => "XMM",
        0x10 => "YMM",
        0x20 => "ZMM",
        0x40 => "FXSR",
        0x80 => "XSAVE",
        0x100 => "XSAVEOPT",
        0x200 => "XSAVEC",
        0x400 => "TMM",
        0x800 => "MASK",
        _ => null,
    }, "<None>");

    /// <summary>The AArch64 features as <c>readelf -n</c> lists them: <c>BTI, PAC</c>.</summary>
    /// <param name="features">The features.</param>
    /// <returns>The spelled features.</returns>
    public static string AArch64Features(ElfAArch64Features1 features) => Bits((uint)features, static bit => bit switch
    {
        0x1 => "BTI",
        0x2 => "PAC",
        _ => null,
    }, "");

    /// <summary>
    /// A GNU property as one item of readelf's <c>Properties:</c> list, for example <c>x86 ISA needed: x86-64-baseline</c>
    /// or <c>AArch64 feature: BTI, PAC</c>; <see langword="null"/> for the properties this model keeps raw.
    /// </summary>
    /// <param name="property">The property.</param>
    /// <param name="machine">e_machine, which gives processor-specific types their meaning.</param>
    /// <param name="bigEndian">Whether the file is big-endian.</param>
    /// <returns>The spelled property, or <see langword="null"/>.</returns>
    public static string? GnuProperty(ElfGnuProperty property, ElfMachine machine, bool bigEndian = false)
    {
        bool x86 = machine is ElfMachine.X86_64 or ElfMachine.I386 or (ElfMachine)6;
        string? label = (property.Type, x86, machine) switch
        {
            (ElfGnuPropertyType.GNU_PROPERTY_X86_ISA_1_NEEDED, true, _) => "x86 ISA needed: ",
            (ElfGnuPropertyType.GNU_PROPERTY_X86_ISA_1_USED, true, _) => "x86 ISA used: ",
            (ElfGnuPropertyType.GNU_PROPERTY_X86_FEATURE_1_AND, true, _) => "x86 feature: ",
            (ElfGnuPropertyType.GNU_PROPERTY_X86_FEATURE_2_NEEDED, true, _) => "x86 feature needed: ",
            (ElfGnuPropertyType.GNU_PROPERTY_X86_FEATURE_2_USED, true, _) => "x86 feature used: ",
            (ElfGnuPropertyType.GNU_PROPERTY_AARCH64_FEATURE_1_AND, _, ElfMachine.AArch64) => "AArch64 feature: ",
            _ => null,
        };

        if (label is null)
        {
            return null;
        }

        var data = property.Data.Span;
        if (data.Length != 4)
        {
            return $"{label}<corrupt length: {data.Length:#x}> ";
        }

        uint value = new ElfEndian(bigEndian, false).U32(data, 0);
        return label + property.Type switch
        {
            ElfGnuPropertyType.GNU_PROPERTY_X86_ISA_1_NEEDED or ElfGnuPropertyType.GNU_PROPERTY_X86_ISA_1_USED => X86IsaLevels((ElfX86IsaLevels)value),
            ElfGnuPropertyType.GNU_PROPERTY_X86_FEATURE_1_AND => X86Features((ElfX86Features1)value),
            ElfGnuPropertyType.GNU_PROPERTY_AARCH64_FEATURE_1_AND => AArch64Features((ElfAArch64Features1)value),
            _ => X86Features((ElfX86Features2)value),
        };
    }

    /// <summary>readelf's bit lists: lowest bit first, comma-separated, <c>&lt;unknown: bit&gt;</c> for unnamed bits.</summary>
    private static string Bits(uint mask, Func<uint, string?> name, string none)
    {
        if (mask == 0)
        {
            return none;
        }

        var parts = new List<string>();
        while (mask != 0)
        {
            uint bit = mask & (~mask + 1);
            mask &= ~bit;
            parts.Add(name(bit) ?? $"<unknown: {bit:x}>");
        }

        return string.Join(", ", parts);
    }
}
