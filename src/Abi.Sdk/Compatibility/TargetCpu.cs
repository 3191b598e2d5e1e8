using System.Collections.Immutable;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// The CPU the target's programs run on, as glibc's loader sees it: the x86-64 ISA levels it supports (the
/// "CPU ISA level is lower than required" check and the <c>glibc-hwcaps</c> subfolders), the platform string and
/// the legacy hardware-capability names of the older hwcaps search. It is a property of the target, not of the
/// machine running the SDK: only <see cref="Host"/> reads this machine's CPUID; a foreign target takes
/// <see cref="Baseline"/> unless told otherwise (<see cref="Target.WithCpu"/>, <c>abi compat --cpu</c>), so a verdict
/// is the same on every machine that computes it. Immutable.
/// </summary>
public sealed class TargetCpu : IEquatable<TargetCpu>
{
    private static readonly Lazy<TargetCpu> HostCpu = new(HardwareCapabilities.DetectHost, LazyThreadSafetyMode.ExecutionAndPublication);

    internal TargetCpu(string name, ElfX86IsaLevels x86IsaLevels, string? x86Platform, ImmutableArray<string> legacyHardwareCapabilities, bool isHost)
    {
        Name = name;
        X86IsaLevels = x86IsaLevels;
        X86Platform = x86Platform;
        LegacyHardwareCapabilities = legacyHardwareCapabilities.IsDefault ? [] : legacyHardwareCapabilities;
        IsHost = isHost;
    }

    /// <summary>How the CPU was described: <c>x86-64-v3</c>, <c>baseline</c>, or <c>host (…)</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The x86-64 ISA levels the CPU supports, as glibc's <c>cpu_features-&gt;isa_1</c>: a set of
    /// <c>GNU_PROPERTY_X86_ISA_1_*</c> bits (baseline, v2, v3, v4), each level including the ones below it.
    /// </summary>
    public ElfX86IsaLevels X86IsaLevels { get; }

    /// <summary>
    /// The AT_PLATFORM string glibc substitutes on Intel CPUs for x86-64 programs (<c>haswell</c>, <c>xeon_phi</c>),
    /// or <see langword="null"/> for the machine's own (<c>x86_64</c>). Used by the legacy hwcaps search and <c>$PLATFORM</c>.
    /// </summary>
    public string? X86Platform { get; }

    /// <summary>The important AT_HWCAP names of the legacy (before glibc 2.37) subfolder search beyond the machine name (<c>avx512_1</c>).</summary>
    public ImmutableArray<string> LegacyHardwareCapabilities { get; }

    /// <summary>True when read from this machine's CPUID.</summary>
    public bool IsHost { get; }

    /// <summary>
    /// The documented default for every target but this machine: each architecture's baseline (x86-64: the
    /// x86-64-baseline level only, no <c>glibc-hwcaps</c> level subfolder, the plain <c>x86_64</c> platform).
    /// A binary marked as needing more is refused, as it would be on the oldest CPU the architecture allows.
    /// </summary>
    public static TargetCpu Baseline { get; } = new("baseline", ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_BASELINE, null, [], false);

    /// <summary>An x86-64-v2 CPU (Nehalem and later).</summary>
    public static TargetCpu X86_64V2 { get; } = new("x86-64-v2", Levels(2), null, [], false);

    /// <summary>An x86-64-v3 CPU (Haswell and later).</summary>
    public static TargetCpu X86_64V3 { get; } = new("x86-64-v3", Levels(3), null, [], false);

    /// <summary>An x86-64-v4 CPU (AVX-512: Skylake-SP and later).</summary>
    public static TargetCpu X86_64V4 { get; } = new("x86-64-v4", Levels(4), null, [], false);

    /// <summary>This machine's CPU, read from CPUID once, as glibc reads it. Only <see cref="Target.Host"/> and
    /// <see cref="Target.LibraryPaths"/> take it by default.</summary>
    public static TargetCpu Host => HostCpu.Value;

    /// <summary>
    /// A CPU from its description: <c>baseline</c> (or <c>x86-64</c>), <c>x86-64-v2</c>, <c>x86-64-v3</c>,
    /// <c>x86-64-v4</c>, or <c>host</c>.
    /// </summary>
    /// <param name="text">The description.</param>
    /// <returns>The CPU.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> names no CPU this model knows.</exception>
    public static TargetCpu Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "baseline" or "x86-64" or "x86-64-v1" or "x86-64-baseline" => Baseline,
            "x86-64-v2" => X86_64V2,
            "x86-64-v3" => X86_64V3,
            "x86-64-v4" => X86_64V4,
            "host" => Host,
            _ => throw new FormatException($"unknown CPU '{text}': expected baseline, x86-64-v2, x86-64-v3, x86-64-v4 or host"),
        };
    }

    /// <summary>The glibc-hwcaps level subfolder names this CPU supports for x86-64 programs, most capable first.</summary>
    public ImmutableArray<string> X86_64HwcapsLevels
    {
        get
        {
            var result = ImmutableArray.CreateBuilder<string>();
            if ((X86IsaLevels & ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V4) != 0)
            {
                result.Add("x86-64-v4");
            }

            if ((X86IsaLevels & ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V3) != 0)
            {
                result.Add("x86-64-v3");
            }

            if ((X86IsaLevels & ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V2) != 0)
            {
                result.Add("x86-64-v2");
            }

            return result.ToImmutable();
        }
    }

    internal static ElfX86IsaLevels Levels(int highest)
    {
        var levels = ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_BASELINE;
        if (highest >= 2)
        {
            levels |= ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V2;
        }

        if (highest >= 3)
        {
            levels |= ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V3;
        }

        if (highest >= 4)
        {
            levels |= ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V4;
        }

        return levels;
    }

    /// <inheritdoc/>
    public bool Equals(TargetCpu? other)
        => other is not null && X86IsaLevels == other.X86IsaLevels && X86Platform == other.X86Platform
           && LegacyHardwareCapabilities.SequenceEqual(other.LegacyHardwareCapabilities, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TargetCpu);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(X86IsaLevels, X86Platform, LegacyHardwareCapabilities.Length);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
