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
    public static TargetCpu Host => HostSubstitute.Value ?? HostCpu.Value;

    // Tests stand in another machine's CPU for this one's, in their own flow only (SubstituteHost).
    private static readonly AsyncLocal<TargetCpu?> HostSubstitute = new();

    /// <summary>
    /// Test hook: until the result is disposed, <see cref="Host"/> (and so every host target created meanwhile) is
    /// <paramref name="cpu"/> in the calling flow, as if this machine had that CPU.
    /// </summary>
    internal static IDisposable SubstituteHost(TargetCpu cpu)
    {
        var previous = HostSubstitute.Value;
        HostSubstitute.Value = new TargetCpu($"host ({cpu.Name})", cpu.X86IsaLevels, cpu.X86Platform, cpu.LegacyHardwareCapabilities, isHost: true);
        return new Restore(() => HostSubstitute.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>
    /// A CPU from its description: <c>host</c>, or a comma-separated list of one ISA level (<c>baseline</c> — also
    /// <c>x86-64</c>, <c>x86-64-v1</c>, <c>x86-64-baseline</c> — <c>x86-64-v2</c>, <c>x86-64-v3</c>,
    /// <c>x86-64-v4</c>), then optionally the AT_PLATFORM glibc substitutes on Intel CPUs (<c>platform=haswell</c>,
    /// <c>platform=xeon_phi</c>; <c>platform=x86_64</c> for none) and the important AT_HWCAP names of the legacy
    /// hwcaps search (<c>avx512_1</c>). An Intel Skylake-SP is <c>x86-64-v4,platform=haswell,avx512_1</c>, an AMD Zen 2
    /// <c>x86-64-v3</c>. Words are case-insensitive; the platform and hwcap names must fit the level as glibc derives
    /// them (haswell and xeon_phi need x86-64-v3, avx512_1 needs x86-64-v4 and no xeon_phi).
    /// </summary>
    /// <param name="text">The description.</param>
    /// <returns>The CPU; its <see cref="Name"/> is the description in this canonical form.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> has a word this syntax does not know, no level, two levels, or names that do not fit together.</exception>
    public static TargetCpu Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = text.Split(',', StringSplitOptions.TrimEntries).Select(w => w.ToLowerInvariant()).ToList();
        if (words is ["host"])
        {
            return Host;
        }

        int level = 0;
        string? platform = null;
        bool platformGiven = false;
        var hwcaps = new List<string>();
        foreach (var word in words)
        {
            int wordLevel = word switch
            {
                "baseline" or "x86-64" or "x86-64-v1" or "x86-64-baseline" => 1,
                "x86-64-v2" => 2,
                "x86-64-v3" => 3,
                "x86-64-v4" => 4,
                _ => 0,
            };
            if (wordLevel != 0)
            {
                if (level != 0)
                {
                    throw new FormatException($"CPU '{text}' names two ISA levels");
                }

                level = wordLevel;
            }
            else if (word.StartsWith("platform=", StringComparison.Ordinal))
            {
                if (platformGiven)
                {
                    throw new FormatException($"CPU '{text}' names two platforms");
                }

                platformGiven = true;
                platform = word["platform=".Length..] switch
                {
                    "haswell" => "haswell",
                    "xeon_phi" => "xeon_phi",
                    "x86_64" => null,
                    var other => throw new FormatException($"unknown platform '{other}' in CPU '{text}': expected haswell, xeon_phi or x86_64"),
                };
            }
            else if (word == "avx512_1")
            {
                if (!hwcaps.Contains(word))
                {
                    hwcaps.Add(word);
                }
            }
            else
            {
                throw new FormatException(word == "host"
                    ? $"CPU '{text}': host stands alone"
                    : $"unknown word '{word}' in CPU '{text}': expected host, or baseline, x86-64-v2, x86-64-v3 or x86-64-v4, then platform=NAME and hwcap names (avx512_1)");
            }
        }

        if (level == 0)
        {
            throw new FormatException($"CPU '{text}' names no ISA level: begin with baseline, x86-64-v2, x86-64-v3 or x86-64-v4");
        }

        if (platform is not null && level < 3)
        {
            throw new FormatException($"CPU '{text}': platform {platform} needs x86-64-v3 (glibc sets it only with AVX2, FMA, LZCNT and MOVBE)");
        }

        if (hwcaps.Count > 0 && (level < 4 || platform == "xeon_phi"))
        {
            throw new FormatException($"CPU '{text}': avx512_1 needs x86-64-v4 and is not set on Xeon Phi");
        }

        var levelName = level == 1 ? "baseline" : $"x86-64-v{level}";
        if (platform is null && hwcaps.Count == 0)
        {
            return level switch { 1 => Baseline, 2 => X86_64V2, 3 => X86_64V3, _ => X86_64V4 };
        }

        var name = levelName + (platform is null ? string.Empty : ",platform=" + platform) + string.Concat(hwcaps.Select(h => "," + h));
        return new TargetCpu(name, Levels(level), platform, [.. hwcaps], false);
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
