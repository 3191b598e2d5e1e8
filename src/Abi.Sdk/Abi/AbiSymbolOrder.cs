using System.Buffers;
using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// Sorts symbols into <see cref="AbiSymbol.CompareTo"/>'s order (name, then version) faster than
/// <see cref="Array.Sort(Array)"/> with it: the removed list of a large diff is tens of thousands of C++ names that
/// share long prefixes (<c>_ZN4llvm…</c>), which a comparison sort re-reads from the first byte on every comparison.
/// Here names are ordered eight bytes at a time, as big-endian integers (a radix sort by chunks, each level an
/// integer sort), and only runs equal so far read further.
/// </summary>
/// <remarks>
/// Each level sorts (chunk, index) pairs, not the symbols: a least-significant-digit radix sort over the chunk's
/// bytes that skips the bytes all keys share, no comparisons and no reference writes; the symbols are put in order
/// once at the end. A run whose keys are all equal (a prefix every name in it shares) goes to the next chunk
/// without sorting.
/// </remarks>
internal static class AbiSymbolOrder
{
    private const int SmallRun = 24;

    // From this length on a level is a radix sort; below it the passes' counting tables cost more than comparisons.
    private const int RadixRun = 2048;

    // The first chunks of every name, read once in the symbols' order (which is the order their names are stored
    // in): the levels after the first reach the symbols in sorted order, and each name read there is a cache miss.
    private const int PrefixChunks = 4;

    private struct Entry
    {
        public ulong Key;
        public int Index;
    }

    /// <summary>Sorts <paramref name="symbols"/> in place, as <c>Array.Sort(symbols)</c> orders them.</summary>
    public static void Sort(AbiSymbol[] symbols)
    {
        if (symbols.Length < 2)
        {
            return;
        }

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

        int n = symbols.Length;
        var entries = ArrayPool<Entry>.Shared.Rent(n);
        var scratch = ArrayPool<Entry>.Shared.Rent(n);
        var original = ArrayPool<AbiSymbol>.Shared.Rent(n);
        var prefixes = ArrayPool<ulong>.Shared.Rent(n * PrefixChunks);
        try
        {
            for (int i = 0; i < n; i++)
            {
                entries[i].Index = i;
                var name = symbols[i].NameUtf8;
                for (int c = 0; c < PrefixChunks; c++)
                {
                    prefixes[(i * PrefixChunks) + c] = Chunk(name, c * 8);
                }
            }

            SortRun(symbols, prefixes, entries, scratch, 0, n, 0);
            symbols.CopyTo(original, 0);
            for (int i = 0; i < n; i++)
            {
                symbols[i] = original[entries[i].Index];
            }
        }
        finally
        {
            ArrayPool<Entry>.Shared.Return(entries);
            ArrayPool<Entry>.Shared.Return(scratch);
            ArrayPool<AbiSymbol>.Shared.Return(original, clearArray: true);
            ArrayPool<ulong>.Shared.Return(prefixes);
        }
    }

    private static void SortRun(AbiSymbol[] symbols, ulong[] prefixes, Entry[] entries, Entry[] scratch, int start, int length, int offset)
    {
        var run = entries.AsSpan(start, length);
        while (true)
        {
            if (offset >= 4096)
            {
                // Names alike beyond 4 KiB (a crafted file): by CompareTo, which keeps the recursion shallow.
                run.Sort((a, b) => symbols[a.Index].CompareTo(symbols[b.Index]));
                return;
            }

            bool same = true;
            int chunk = offset / 8;
            ulong first = run[0].Key = Key(symbols, prefixes, run[0].Index, offset);
            for (int i = 1; i < run.Length; i++)
            {
                ulong key = run[i].Key = chunk < PrefixChunks ? prefixes[(run[i].Index * PrefixChunks) + chunk] : Chunk(symbols[run[i].Index].NameUtf8, offset);
                same &= key == first;
            }

            if (!same)
            {
                break;
            }

            if ((first & 0xFF) == 0)
            {
                // The names end inside this chunk, at the same byte: equal names, ordered by version.
                run.Sort((a, b) => string.CompareOrdinal(symbols[a.Index].Version, symbols[b.Index].Version));
                return;
            }

            // A prefix every name of the run shares: skip to the last chunk they all share, in one pass over them.
            var name = symbols[run[0].Index].NameUtf8;
            int common = name.Length;
            for (int i = 1; i < run.Length && common > offset + 8; i++)
            {
                common = Math.Min(common, name.CommonPrefixLength(symbols[run[i].Index].NameUtf8));
            }

            offset = Math.Max(offset + 8, common & ~7);
        }

        if (run.Length <= SmallRun)
        {
            InsertionSort(run);
        }
        else if (run.Length < RadixRun)
        {
            run.Sort(default(KeyOrder));
        }
        else
        {
            RadixSort(run, scratch.AsSpan(start, length));
        }

        for (int i = 0; i < run.Length;)
        {
            int j = i + 1;
            while (j < run.Length && run[j].Key == run[i].Key)
            {
                j++;
            }

            if (j - i > 1)
            {
                SortRun(symbols, prefixes, entries, scratch, start + i, j - i, offset);
            }

            i = j;
        }
    }

    private readonly struct KeyOrder : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y) => x.Key.CompareTo(y.Key);
    }

    private static void InsertionSort(Span<Entry> run)
    {
        for (int i = 1; i < run.Length; i++)
        {
            var e = run[i];
            int j = i - 1;
            while (j >= 0 && run[j].Key > e.Key)
            {
                run[j + 1] = run[j];
                j--;
            }

            run[j + 1] = e;
        }
    }

    /// <summary>Orders the run by key, least significant byte first; bytes every key shares are skipped.</summary>
    private static void RadixSort(Span<Entry> run, Span<Entry> scratch)
    {
        Span<int> counts = stackalloc int[8 * 256];
        counts.Clear();
        foreach (var e in run)
        {
            ulong key = e.Key;
            for (int b = 0; b < 8; b++)
            {
                counts[(b * 256) + (int)((key >> (8 * b)) & 0xFF)]++;
            }
        }

        var from = run;
        var to = scratch;
        for (int b = 0; b < 8; b++)
        {
            var count = counts.Slice(b * 256, 256);
            if (count[(int)((from[0].Key >> (8 * b)) & 0xFF)] == from.Length)
            {
                continue; // every key has this byte
            }

            int sum = 0;
            for (int v = 0; v < 256; v++)
            {
                int c = count[v];
                count[v] = sum;
                sum += c;
            }

            foreach (var e in from)
            {
                to[count[(int)((e.Key >> (8 * b)) & 0xFF)]++] = e;
            }

            var swap = from;
            from = to;
            to = swap;
        }

        if (from != run)
        {
            from.CopyTo(run);
        }
    }

    private static ulong Key(AbiSymbol[] symbols, ulong[] prefixes, int index, int offset) =>
        offset < PrefixChunks * 8 ? prefixes[(index * PrefixChunks) + (offset / 8)] : Chunk(symbols[index].NameUtf8, offset);

    /// <summary>Bytes <paramref name="offset"/> to <paramref name="offset"/> + 7 of the name, big-endian, zero past its end.</summary>
    private static ulong Chunk(ReadOnlySpan<byte> name, int offset)
    {
        if (offset >= name.Length)
        {
            return 0;
        }

        // Composed byte by byte: these are name bytes, not a file's fields (which only the Elf area decodes).
        // Big-endian, so that integer order is byte order.
        var rest = name[offset..];
        if (rest.Length >= 8)
        {
            return ((ulong)rest[0] << 56) | ((ulong)rest[1] << 48) | ((ulong)rest[2] << 40) | ((ulong)rest[3] << 32)
                | ((ulong)rest[4] << 24) | ((ulong)rest[5] << 16) | ((ulong)rest[6] << 8) | rest[7];
        }

        ulong key = 0;
        for (int i = 0; i < rest.Length; i++)
        {
            key |= (ulong)rest[i] << (56 - (8 * i));
        }

        return key;
    }
}
