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
    public static string SectionIndex(ushort sectionIndex) => sectionIndex switch
    {
        ElfSymbol.SectionUndefined => "UND",
        ElfSymbol.SectionAbsolute => "ABS",
        ElfSymbol.SectionCommon => "COM",
        _ => sectionIndex.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

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
        _ => $"<unknown>: 0x{(ushort)machine:x}",
    };
}
