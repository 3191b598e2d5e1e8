using System.Collections.Immutable;
using System.Runtime.Intrinsics.X86;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// The hardware-dependent subfolders glibc's loader tries in each search folder before the folder itself: the
/// <c>glibc-hwcaps/</c> subfolders (glibc 2.33 and later) of the ISA levels the CPU supports, then (before glibc 2.37)
/// the legacy combinations of <c>tls</c>, the platform and the important AT_HWCAP names. They depend on the CPU of
/// the machine that runs the program: the target's <see cref="TargetCpu"/>, for x86-64 programs only.
/// </summary>
internal static class HardwareCapabilities
{
    /// <summary>The subfolders for binaries of this class and machine under a loader of this glibc version on this CPU, in the loader's order.</summary>
    public static ImmutableArray<string> Subdirectories(ElfClass cls, ElfMachine machine, Version glibc, TargetCpu cpu)
    {
        if (cls != ElfClass.Elf64 || machine != ElfMachine.X86_64)
        {
            return []; // other machines' CPUs are not modelled (see docs/compatibility.md)
        }

        var result = ImmutableArray.CreateBuilder<string>();
        if (glibc >= new Version(2, 33))
        {
            // dl-hwcaps-subdirs: the supported x86-64 ISA levels, most capable first.
            foreach (var level in cpu.X86_64HwcapsLevels)
            {
                result.Add("glibc-hwcaps/" + level);
            }
        }

        if (glibc < new Version(2, 37))
        {
            // The important AT_HWCAP names by bit (x86_64, then avx512_1), the platform, then tls.
            var names = new List<string> { "x86_64" };
            names.AddRange(cpu.LegacyHardwareCapabilities);
            names.Add(cpu.X86Platform ?? "x86_64");
            names.Add("tls");
            result.AddRange(LegacyCombinations(names));
        }

        return result.ToImmutable();
    }

    /// <summary>This machine's CPU as glibc's loader sees it (x86-64 only; other machines get the baseline).</summary>
    public static TargetCpu DetectHost()
    {
        if (!X86Base.X64.IsSupported)
        {
            return new TargetCpu("host", ElfX86IsaLevels.None, null, [], isHost: true);
        }

        var (_, _, ecx1, _) = X86Base.CpuId(1, 0);
        var (_, _, ecxExt, _) = X86Base.CpuId(unchecked((int)0x80000001), 0);
        bool cx16 = (ecx1 & (1 << 13)) != 0, movbe = (ecx1 & (1 << 22)) != 0, f16c = (ecx1 & (1 << 29)) != 0;
        bool lahf = (ecxExt & 1) != 0;
        bool v2 = cx16 && lahf && Popcnt.IsSupported && Sse3.IsSupported && Sse41.IsSupported && Sse42.IsSupported && Ssse3.IsSupported;
        // get_isa_level's tests (glibc 2.36): v3 does not test BMI1/BMI2.
        bool v3 = v2 && Avx.IsSupported && Avx2.IsSupported && f16c && Fma.IsSupported && Lzcnt.IsSupported && movbe;
        bool v4 = v3 && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512CD.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;
        var levels = TargetCpu.Levels(v4 ? 4 : v3 ? 3 : v2 ? 2 : 1);
        var (platform, legacy) = X86_64LegacyNames();
        var name = $"host ({(v4 ? "x86-64-v4" : v3 ? "x86-64-v3" : v2 ? "x86-64-v2" : "baseline")}{(platform is null ? "" : ", " + platform)})";
        return new TargetCpu(name, levels, platform, legacy, isHost: true);
    }

    /// <summary>
    /// The legacy components glibc derives from CPUID: avx512_1 (an important AT_HWCAP name) on Intel CPUs with
    /// AVX-512 that are not Xeon Phi, and the platform glibc substitutes on Intel CPUs (haswell, xeon_phi).
    /// </summary>
    private static (string? Platform, ImmutableArray<string> Names) X86_64LegacyNames()
    {
        var (_, ebx0, ecx0, edx0) = X86Base.CpuId(0, 0);
        bool intel = ebx0 == 0x756e6547 && edx0 == 0x49656e69 && ecx0 == 0x6c65746e; // "GenuineIntel"
        var (_, ebx7, _, _) = X86Base.CpuId(7, 0);
        bool avx512er = Avx512F.IsSupported && (ebx7 & (1 << 27)) != 0, avx512pf = Avx512F.IsSupported && (ebx7 & (1 << 26)) != 0;
        var (_, _, ecx1, _) = X86Base.CpuId(1, 0);
        bool movbe = (ecx1 & (1 << 22)) != 0;

        var names = ImmutableArray.CreateBuilder<string>();
        string? platform = null;
        if (intel)
        {
            if (Avx512CD.IsSupported)
            {
                if (avx512er)
                {
                    if (avx512pf)
                    {
                        platform = "xeon_phi";
                    }
                }
                else if (Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported)
                {
                    names.Add("avx512_1");
                }
            }

            if (platform is null && Avx2.IsSupported && Fma.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Lzcnt.IsSupported && movbe && Popcnt.IsSupported)
            {
                platform = "haswell";
            }
        }

        return (platform, names.ToImmutable());
    }

    /// <summary>
    /// Every combination of the components, as _dl_important_hwcaps lists them: from all components down to none,
    /// counting down in binary with the last component as the highest bit, each path naming its components from the
    /// last to the first. The empty combination (the folder itself) is left out.
    /// </summary>
    internal static IEnumerable<string> LegacyCombinations(IReadOnlyList<string> components)
    {
        int count = components.Count;
        for (int mask = (1 << count) - 1; mask > 0; mask--)
        {
            var parts = new List<string>(count);
            for (int n = count - 1; n >= 0; n--)
            {
                if ((mask & (1 << n)) != 0)
                {
                    parts.Add(components[n]);
                }
            }

            yield return string.Join('/', parts);
        }
    }
}
