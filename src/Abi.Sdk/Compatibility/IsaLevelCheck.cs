using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// The x86 ISA-level marks (GNU_PROPERTY_X86_ISA_1_NEEDED) as glibc's loader and ldconfig read them (the readers are
/// in the Elf layer: <see cref="ElfImage.LoaderX86IsaNeeded"/>, <see cref="ElfImage.LdconfigX86IsaLevel"/>), and what
/// each does with them.
/// </summary>
internal static class IsaLevelCheck
{
    /// <summary>The first glibc release whose loader checks ISA levels and searches glibc-hwcaps.</summary>
    public static readonly Version FirstCheckingRelease = new(2, 33);

    /// <summary>True for the machines whose glibc loader makes the check (sysdeps/x86: i386, x86-64, x32).</summary>
    public static bool AppliesTo(ElfMachine machine) => machine is ElfMachine.X86_64 or ElfMachine.I386;

    /// <summary>The ISA levels the loader takes an object to need (<see cref="ElfImage.LoaderX86IsaNeeded"/>).</summary>
    public static ElfX86IsaLevels LoaderNeeded(ElfImage image) => image.LoaderX86IsaNeeded();

    /// <summary>The ISA level ldconfig stores in a cache entry (<see cref="ElfImage.LdconfigX86IsaLevel"/>).</summary>
    public static int CacheIsaLevel(ElfImage image) => image.LdconfigX86IsaLevel();

    /// <summary>dl_cache_hwcap_isa_level_compatible: the level bit of a cache entry is one the CPU has.</summary>
    public static bool CacheEntryCompatible(int cacheIsaLevel, TargetCpu cpu)
    {
        uint bit = cacheIsaLevel is >= 0 and < 32 ? 1u << cacheIsaLevel : 0;
        return bit != 0 && ((uint)cpu.X86IsaLevels & bit) == bit;
    }
}

/// <content>The ISA-level check of the loaded objects (dl_isa_level_check, run once everything is mapped).</content>
internal sealed partial class LoaderRun
{
    /// <summary>
    /// Every object of the program's search list but ld.so whose GNU_PROPERTY_X86_ISA_1_NEEDED is not a subset of the
    /// target CPU's levels is a shortfall ("CPU ISA level is lower than required"; the loader stops at the first one
    /// in initialization order, the verdict names them all). Made by x86 loaders of glibc 2.33 and later.
    /// </summary>
    public void CheckIsaLevels()
    {
        var cpu = _target.Cpu;
        if (!IsaLevelCheck.AppliesTo(_header.Machine))
        {
            _checks.Add(new LoaderCheckResult(LoaderCheck.IsaLevel, false, $"not applicable: not an x86 binary ({_header.Machine}); glibc checks ISA levels on x86 only"));
            return;
        }

        if (_layout.GlibcVersion is { } glibc && glibc < IsaLevelCheck.FirstCheckingRelease)
        {
            _checks.Add(new LoaderCheckResult(LoaderCheck.IsaLevel, false, $"the target's loader is glibc {glibc}, older than 2.33, the first to check ISA levels"));
            return;
        }

        foreach (var map in _scope)
        {
            if (_rtld is not null && ReferenceEquals(map.Surface, _rtld.Surface))
            {
                continue; // ld.so is not checked: it would not have started
            }

            var needed = map.Surface.LoaderIsaNeeded;
            if ((needed & cpu.X86IsaLevels) != needed)
            {
                _isaLevelShortfalls.Add(new IsaLevelShortfall(map.Name, map.IsMain ? _binary : map.OpenedPath, needed, cpu.X86IsaLevels, Chain(map)));
            }
        }

        var loader = _layout.GlibcVersion is { } v ? $"glibc {v}" : "a current glibc";
        _checks.Add(new LoaderCheckResult(LoaderCheck.IsaLevel, true, $"every object against the target's CPU {cpu.Name} ({IsaLevelNames.Highest(cpu.X86IsaLevels)}; the loader is {loader})"));
    }
}
