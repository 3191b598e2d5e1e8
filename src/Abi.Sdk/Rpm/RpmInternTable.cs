using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Abi.Sdk.Rpm;

/// <summary>
/// Short ASCII header values that repeat from package to package (dependency names such as
/// <c>libc.so.6(GLIBC_2.34)(64bit)</c>, their EVRs, owners, directories, architectures, licenses) decoded once per
/// process instead of once per header: a fixed-size, direct-mapped table keyed by the value's bytes.
/// </summary>
/// <remarks>
/// Bounded: <see cref="Slots"/> references to values of at most <see cref="MaxLength"/> bytes, whatever the input.
/// Thread-safe without locks: a slot holds one immutable value and a hit is confirmed by comparing its text with the
/// bytes, so a race or a collision costs only a miss (the value is then decoded and replaces the slot's).
/// Only ASCII is cached: for it the text is the bytes widened, which makes the comparison exact.
/// </remarks>
internal static class RpmInternTable
{
    /// <summary>The number of slots of each table (a power of two).</summary>
    internal const int Slots = 4096;

    /// <summary>Longer values (paths, digests, file classes, descriptions) are rarely repeated and are not cached.</summary>
    internal const int MaxLength = 64;

    private static readonly string?[] s_strings = new string?[Slots];
    private static readonly Evr?[] s_evrs = new Evr?[Slots];

    /// <summary>The string of ASCII <paramref name="ascii"/> (the caller has checked it is ASCII).</summary>
    public static string Ascii(ReadOnlySpan<byte> ascii)
    {
        if (ascii.Length > MaxLength)
        {
            return Encoding.Latin1.GetString(ascii);
        }

        ref string? slot = ref MemoryMarshal.GetArrayDataReference(s_strings);
        slot = ref Unsafe.Add(ref slot, (int)(Hash(ascii) & (Slots - 1)));
        var cached = slot;
        if (cached is not null && System.Text.Ascii.Equals(ascii, cached))
        {
            return cached;
        }

        var text = Encoding.Latin1.GetString(ascii);
        slot = text;
        return text;
    }

    /// <summary>The EVR of ASCII <paramref name="ascii"/> (the caller has checked it is ASCII and not empty).</summary>
    public static Evr Evr(ReadOnlySpan<byte> ascii)
    {
        if (ascii.Length > MaxLength)
        {
            return Rpm.Evr.Parse(Encoding.Latin1.GetString(ascii));
        }

        ref Evr? slot = ref MemoryMarshal.GetArrayDataReference(s_evrs);
        slot = ref Unsafe.Add(ref slot, (int)(Hash(ascii) & (Slots - 1)));
        var cached = slot;
        if (cached is not null && System.Text.Ascii.Equals(ascii, cached.ToString()))
        {
            return cached;
        }

        var evr = Rpm.Evr.Parse(Encoding.Latin1.GetString(ascii));
        slot = evr;
        return evr;
    }

    /// <summary>Empties both tables (benchmarks measure the cold case with it: a scan meeting each value for the first time).</summary>
    internal static void Clear()
    {
        Array.Clear(s_strings);
        Array.Clear(s_evrs);
    }

    /// <summary>A hash of at most <see cref="MaxLength"/> bytes, eight at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong K = 0x9E3779B97F4A7C15;
        ref byte b = ref MemoryMarshal.GetReference(bytes);
        int n = bytes.Length;
        ulong h = (ulong)n * K;
        if (n >= 8)
        {
            int i = 0;
            for (; i + 8 < n; i += 8)
            {
                h = BitOperations.RotateLeft((h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i))) * K, 29);
            }

            // The last eight bytes (overlapping the previous word when n is not a multiple of eight).
            h = (h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, n - 8))) * K;
        }
        else
        {
            ulong w = 0;
            for (int i = 0; i < n; i++)
            {
                w = (w << 8) | Unsafe.Add(ref b, i);
            }

            h = (h ^ w) * K;
        }

        return (uint)(h >> 32) ^ (uint)h;
    }
}
