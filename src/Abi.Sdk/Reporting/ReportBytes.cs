using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Abi.Sdk.Reporting;

/// <summary>
/// Copies of the short pieces the JSON and SARIF reports are made of (literal pieces, names, versions: mostly 2 to
/// 120 bytes), inlined. A diagnostic of the libLLVM diff is about twenty of them, and <see cref="Span{T}.CopyTo"/>'s
/// call into <c>Memmove</c>, with its checks for overlap and long copies, cost as much as the bytes moved
/// (docs/perf-abi.md, round 6).
/// </summary>
internal static class ReportBytes
{
    // Longer pieces (long C++ names) go to Memmove, whose block copies win there.
    private const int Inline = 256;

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> at <paramref name="at"/>; the offset after
    /// it. The ranges must not overlap (a copy from earlier in the same span is fine).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Put(Span<byte> destination, int at, ReadOnlySpan<byte> source)
    {
        int length = source.Length;
        if ((uint)at > (uint)destination.Length || (uint)length > (uint)(destination.Length - at))
        {
            ThrowShort();
        }

        ref byte d = ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), at);
        ref byte s = ref MemoryMarshal.GetReference(source);
        if (length >= 16)
        {
            if (length > Inline)
            {
                source.CopyTo(destination[at..]);
                return at + length;
            }

            // Whole 16-byte blocks, then the last 16 bytes (overlapping the block before): no byte past either end.
            nuint last = (nuint)(length - 16);
            for (nuint i = 0; i < last; i += 16)
            {
                Vector128.LoadUnsafe(ref s, i).StoreUnsafe(ref d, i);
            }

            Vector128.LoadUnsafe(ref s, last).StoreUnsafe(ref d, last);
        }
        else if (length >= 8)
        {
            // Two 8-byte moves that overlap (constant sizes: the compiler emits plain moves, not a call).
            Unsafe.CopyBlockUnaligned(ref d, ref s, 8);
            Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref d, length - 8), ref Unsafe.Add(ref s, length - 8), 8);
        }
        else if (length >= 4)
        {
            Unsafe.CopyBlockUnaligned(ref d, ref s, 4);
            Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref d, length - 4), ref Unsafe.Add(ref s, length - 4), 4);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
            }
        }

        return at + length;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowShort() => throw new ArgumentException("The destination is too short for the piece.");
}
