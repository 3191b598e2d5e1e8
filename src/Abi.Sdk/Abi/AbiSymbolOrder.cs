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
/// Each level sorts (chunk, index) pairs, not the symbols: a most-significant-byte-first radix sort over the chunk's
/// bytes that skips the bytes all keys share, no comparisons and no reference writes; the symbols are put in order
/// once at the end. A run whose keys are all equal (a prefix every name in it shares) goes to the next chunk
/// without sorting; a run of a few names is sorted by comparing them whole. The JSON report sorts with two threads
/// (<see cref="Sort(AbiSymbol[], bool)"/>): the long runs a level finds are shared, the rest sorted where found.
/// </remarks>
internal static class AbiSymbolOrder
{
    private const int SmallRun = 24;

    // Runs this short are sorted by comparing whole names.
    private const int LeafRun = 6;

    // From this length on a level is a radix sort; below it the passes' counting tables cost more than comparisons.
    private const int RadixRun = 256;

    // The first chunks of every name, read once in the symbols' order (which is the order their names are stored
    // in): the levels after the first reach the symbols in sorted order, and each name read there is a cache miss.
    private const int PrefixChunks = 4;

    private struct Entry
    {
        public ulong Key;
        public int Index;
    }

    // A run this long or longer is split among the threads of a parallel sort rather than sorted by whoever found it.
    private const int SharedRun = 1024;

    /// <summary>Sorts <paramref name="symbols"/> in place, as <c>Array.Sort(symbols)</c> orders them.</summary>
    public static void Sort(AbiSymbol[] symbols) => Sort(symbols, parallel: false);

    /// <summary>
    /// Sorts <paramref name="symbols"/> in place, as <c>Array.Sort(symbols)</c> orders them; with
    /// <paramref name="parallel"/> and two cores or more, a pool thread takes part (the same order: the runs the
    /// threads sort are disjoint ranges of one array, each sorted as one thread sorts it).
    /// </summary>
    public static void Sort(AbiSymbol[] symbols, bool parallel)
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

            if (parallel && n >= 2 * SharedRun && Environment.ProcessorCount > 1)
            {
                new SharedWork(symbols, prefixes, entries, scratch).Run(n);
            }
            else
            {
                SortRun(symbols, prefixes, entries, scratch, 0, n, 0, null);
            }

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

    private static void SortRun(AbiSymbol[] symbols, ulong[] prefixes, Entry[] entries, Entry[] scratch, int start, int length, int offset, SharedWork? shared, bool keysEqual = false)
    {
        var run = entries.AsSpan(start, length);
        if (run.Length <= LeafRun)
        {
            // A few names that share a long prefix (constructors C1/C2, destructors D0/D1/D2 of one class): one
            // vectorised comparison of whole names costs less than reading them chunk by chunk.
            InsertionSort(run, symbols);
            return;
        }

        // A run of equal keys at this offset (from the level above) is known to share this chunk.
        bool known = keysEqual;
        while (true)
        {
            if (offset >= 4096)
            {
                // Names alike beyond 4 KiB (a crafted file): by CompareTo, which keeps the recursion shallow.
                SortByName(run, symbols);
                return;
            }

            ulong first = run[0].Key;
            if (!known)
            {
                bool same = true;
                int chunk = offset / 8;
                first = run[0].Key = Key(symbols, prefixes, run[0].Index, offset);
                for (int i = 1; i < run.Length; i++)
                {
                    ulong key = run[i].Key = chunk < PrefixChunks ? prefixes[(run[i].Index * PrefixChunks) + chunk] : Chunk(symbols[run[i].Index].NameUtf8, offset);
                    same &= key == first;
                }

                if (!same)
                {
                    break;
                }
            }

            known = false;

            if ((first & 0xFF) == 0)
            {
                // The names end inside this chunk, at the same byte: equal names, ordered by version.
                SortByVersion(run, symbols);
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
            SortByKey(run);
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

            if (j - i >= SharedRun && shared is not null)
            {
                shared.Add(start + i, j - i, offset);
            }
            else if (j - i > 1)
            {
                SortRun(symbols, prefixes, entries, scratch, start + i, j - i, offset, null, keysEqual: true);
            }

            i = j;
        }
    }

    /// <summary>
    /// The runs of a parallel sort that are still to be sorted: the caller and one pool thread take them from a stack,
    /// and a taken run's own runs that are long are put back, so that neither thread ends up with most of the work.
    /// </summary>
    private sealed class SharedWork(AbiSymbol[] symbols, ulong[] prefixes, Entry[] entries, Entry[] scratch)
    {
        private readonly Stack<(int Start, int Length, int Offset, bool KeysEqual)> _runs = new();
        private int _busy; // threads sorting a run (which may add runs)
        private bool _done; // set once: a pool thread that starts late touches no array (they are back in the pool)

        public void Run(int n)
        {
            _runs.Push((0, n, 0, false));
            ThreadPool.UnsafeQueueUserWorkItem(static w => w.Work(), this, preferLocal: false);
            Work();
        }

        /// <summary>A run of keys equal at <paramref name="offset"/>, found by a level above.</summary>
        public void Add(int start, int length, int offset)
        {
            lock (_runs)
            {
                _runs.Push((start, length, offset, true));
                Monitor.Pulse(_runs);
            }
        }

        private void Work()
        {
            while (true)
            {
                (int Start, int Length, int Offset, bool KeysEqual) run;
                lock (_runs)
                {
                    while (!_done && _runs.Count == 0 && _busy > 0)
                    {
                        Monitor.Wait(_runs);
                    }

                    if (_done || _runs.Count == 0)
                    {
                        _done = true;
                        Monitor.PulseAll(_runs);
                        return;
                    }

                    run = _runs.Pop();
                    _busy++;
                }

                try
                {
                    SortRun(symbols, prefixes, entries, scratch, run.Start, run.Length, run.Offset, this, run.KeysEqual);
                }
                finally
                {
                    lock (_runs)
                    {
                        _busy--;
                        Monitor.PulseAll(_runs);
                    }
                }
            }
        }
    }

    // Methods of their own: a lambda in SortRun capturing its parameter allocated a closure on every call of it.
    private static void SortByName(Span<Entry> run, AbiSymbol[] symbols) => run.Sort((a, b) => symbols[a.Index].CompareTo(symbols[b.Index]));

    private static void SortByVersion(Span<Entry> run, AbiSymbol[] symbols) => run.Sort((a, b) => string.CompareOrdinal(symbols[a.Index].Version, symbols[b.Index].Version));

    /// <summary>
    /// Orders a run of fewer than <see cref="RadixRun"/> entries by key: a quicksort (median of three, insertion sort
    /// below <see cref="SmallRun"/>) on the keys themselves. <c>Span.Sort</c> with a comparer struct boxed it and
    /// called <c>Compare</c> through an interface for every comparison. Entries of equal keys go on to the next
    /// chunk, so their order here does not matter.
    /// </summary>
    private static void SortByKey(Span<Entry> run)
    {
        while (run.Length > SmallRun)
        {
            ulong a = run[0].Key;
            ulong b = run[run.Length / 2].Key;
            ulong c = run[^1].Key;
            ulong pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
            int i = 0;
            int j = run.Length - 1;
            while (i <= j)
            {
                while (run[i].Key < pivot)
                {
                    i++;
                }

                while (run[j].Key > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (run[i], run[j]) = (run[j], run[i]);
                    i++;
                    j--;
                }
            }

            // The shorter side by recursion, the longer by the loop: the depth stays logarithmic.
            var left = run[..(j + 1)];
            var right = run[i..];
            if (left.Length < right.Length)
            {
                SortByKey(left);
                run = right;
            }
            else
            {
                SortByKey(right);
                run = left;
            }
        }

        InsertionSort(run);
    }

    private static void InsertionSort(Span<Entry> run, AbiSymbol[] symbols)
    {
        for (int i = 1; i < run.Length; i++)
        {
            var e = run[i];
            var symbol = symbols[e.Index];
            int j = i - 1;
            while (j >= 0 && symbols[run[j].Index].CompareTo(symbol) > 0)
            {
                run[j + 1] = run[j];
                j--;
            }

            run[j + 1] = e;
        }
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

    /// <summary>
    /// Orders the run by key, most significant byte first: each level puts the entries into 256 buckets by one byte
    /// (bytes every key of the bucket shares are skipped) and goes on only into the buckets still long. A level
    /// costs two passes over its entries, and the names' keys differ within their first two or three bytes, where
    /// sorting by all eight bytes from the least significant one took eight.
    /// </summary>
    private static void RadixSort(Span<Entry> run, Span<Entry> scratch, int shift = 56)
    {
        Span<int> starts = stackalloc int[257];
        while (true)
        {
            starts.Clear();
            foreach (var e in run)
            {
                starts[(int)((e.Key >> shift) & 0xFF) + 1]++;
            }

            if (starts[(int)((run[0].Key >> shift) & 0xFF) + 1] != run.Length)
            {
                break;
            }

            if (shift == 0)
            {
                return; // equal keys
            }

            shift -= 8; // every key has this byte
        }

        for (int v = 1; v <= 256; v++)
        {
            starts[v] += starts[v - 1];
        }

        Span<int> next = stackalloc int[256];
        starts[..256].CopyTo(next);
        foreach (var e in run)
        {
            scratch[next[(int)((e.Key >> shift) & 0xFF)]++] = e;
        }

        scratch[..run.Length].CopyTo(run);
        if (shift == 0)
        {
            return;
        }

        for (int v = 0; v < 256; v++)
        {
            int from = starts[v];
            int length = starts[v + 1] - from;
            if (length <= 1)
            {
                continue;
            }

            var bucket = run.Slice(from, length);
            if (length <= SmallRun)
            {
                InsertionSort(bucket);
            }
            else if (length < RadixRun)
            {
                SortByKey(bucket);
            }
            else
            {
                RadixSort(bucket, scratch.Slice(from, length), shift - 8);
            }
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
