using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// Sorts symbols into <see cref="AbiSymbol.CompareTo"/>'s order (name, then version) faster than
/// <see cref="Array.Sort(Array)"/> with it: the removed list of a large diff is tens of thousands of C++ names that
/// share long prefixes (<c>_ZN4llvm…</c>), which a comparison sort re-reads from the first byte on every comparison.
/// Here names are ordered eight bytes at a time, as big-endian integers (a radix sort by chunks, each level an
/// integer sort), and only runs equal so far read further.
/// </summary>
internal static class AbiSymbolOrder
{
    private const int SmallRun = 12;

    /// <summary>Sorts <paramref name="symbols"/> in place, as <c>Array.Sort(symbols)</c> orders them.</summary>
    public static void Sort(AbiSymbol[] symbols)
    {
        // Byte order is CompareTo's order for ASCII names without NUL (zero pads a chunk); anything else (non-ASCII,
        // lossy names) is left to CompareTo itself.
        foreach (var s in symbols)
        {
            var name = s.NameUtf8;
            if (!Ascii.IsValid(name) || name.Contains((byte)0))
            {
                Array.Sort(symbols);
                return;
            }
        }

        var keys = new ulong[symbols.Length];
        SortRun(symbols, keys, 0, symbols.Length, 0);
    }

    private static void SortRun(AbiSymbol[] symbols, ulong[] keys, int start, int length, int offset)
    {
        // Small runs, and names alike beyond 4 KiB (a crafted file; this keeps the recursion shallow), by CompareTo.
        if (length <= SmallRun || offset >= 4096)
        {
            Array.Sort(symbols, start, length);
            return;
        }

        for (int i = start; i < start + length; i++)
        {
            keys[i] = Chunk(symbols[i].NameUtf8, offset);
        }

        Array.Sort(keys, symbols, start, length);
        int end = start + length;
        for (int i = start; i < end;)
        {
            int j = i + 1;
            while (j < end && keys[j] == keys[i])
            {
                j++;
            }

            if (j - i > 1)
            {
                if ((keys[i] & 0xFF) == 0)
                {
                    // The names end inside this chunk, at the same byte: equal names, ordered by version.
                    Array.Sort(symbols, i, j - i, VersionOrder.Instance);
                }
                else
                {
                    SortRun(symbols, keys, i, j - i, offset + 8);
                }
            }

            i = j;
        }
    }

    /// <summary>Bytes <paramref name="offset"/> to <paramref name="offset"/> + 7 of the name, big-endian, zero past its end.</summary>
    private static ulong Chunk(ReadOnlySpan<byte> name, int offset)
    {
        if (offset >= name.Length)
        {
            return 0;
        }

        // Composed byte by byte: these are name bytes, not a file's fields (which only the Elf area decodes).
        var rest = name[offset..];
        int count = Math.Min(rest.Length, 8);
        ulong key = 0;
        for (int i = 0; i < count; i++)
        {
            key |= (ulong)rest[i] << (56 - (8 * i));
        }

        return key;
    }

    private sealed class VersionOrder : IComparer<AbiSymbol>
    {
        public static readonly VersionOrder Instance = new();

        public int Compare(AbiSymbol? x, AbiSymbol? y) => string.CompareOrdinal(x?.Version, y?.Version);
    }
}
