namespace Abi.Sdk.Elf;

/// <summary>
/// DT_GNU_HASH read in place, as ld.so searches it: bloom filter, bucket, then the hash chain (symbols in table
/// order). Lets a lookup touch a handful of symbols instead of indexing every name of a library. Obtained from
/// <see cref="ElfImage.GnuHashTable"/>; valid while the image is.
/// </summary>
public sealed class GnuHashTable
{
    private readonly ElfImage _image;
    private readonly int _bloomAt, _bucketsAt, _chainsAt, _chainCount;

    private GnuHashTable(ElfImage image, int nbuckets, int symoffset, int bloomWords, int shift, int bloomAt, int bucketsAt, int chainsAt, int chainCount)
    {
        _image = image;
        BucketCount = nbuckets;
        SymbolOffset = symoffset;
        BloomSize = bloomWords;
        BloomShift = shift;
        _bloomAt = bloomAt;
        _bucketsAt = bucketsAt;
        _chainsAt = chainsAt;
        _chainCount = chainCount;
    }

    /// <summary>nbuckets: the number of hash buckets.</summary>
    public int BucketCount { get; }

    /// <summary>symoffset: the index of the first dynamic symbol the table covers (those before it are not hashed).</summary>
    public int SymbolOffset { get; }

    /// <summary>bloom_size: the number of address-sized words of the bloom filter (a power of two).</summary>
    public int BloomSize { get; }

    /// <summary>bloom_shift: the shift of the bloom filter's second hash bit.</summary>
    public int BloomShift { get; }

    /// <summary>
    /// The table, or null when the file has none or it is not one ld.so could search (no buckets, a bloom size that is
    /// not a power of two, or a table that does not fit in the file); callers then index the names instead.
    /// </summary>
    internal static GnuHashTable? TryRead(ElfImage image)
    {
        if (image.Dynamic is not { } dyn || !dyn.TryGetValue(ElfDynamicTag.DT_GNU_HASH, out var address) || !image.TryMapAddress(address, out var offset))
        {
            return null;
        }

        long length = image.Memory.Length;
        if (offset > (ulong)length || (ulong)length - offset < 16)
        {
            return null;
        }

        var d = image.Span;
        var e = image.Endian;
        int o = (int)offset;
        uint nbuckets = e.U32(d, o), symoffset = e.U32(d, o + 4), bloomWords = e.U32(d, o + 8), shift = e.U32(d, o + 12);
        ulong bloomAt = offset + 16;
        ulong bucketsAt = bloomAt + ((ulong)bloomWords * (ulong)e.AddressSize);
        ulong chainsAt = bucketsAt + ((ulong)nbuckets * 4);
        int symbols = image.DynamicSymbols.Count;
        if (nbuckets == 0 || bloomWords == 0 || (bloomWords & (bloomWords - 1)) != 0 || chainsAt > (ulong)length || symoffset > (uint)symbols)
        {
            return null;
        }

        ulong chainCount = Math.Min((ulong)(symbols - (int)symoffset), ((ulong)length - chainsAt) / 4);
        return new GnuHashTable(image, (int)nbuckets, (int)symoffset, (int)bloomWords, (int)(shift & 63), (int)bloomAt, (int)bucketsAt, (int)chainsAt, (int)chainCount);
    }

    /// <summary>The GNU hash (Bernstein's djb2, <c>h * 33 + c</c> from 5381) of a symbol name, as ld and ld.so compute it.</summary>
    /// <param name="name">The name's bytes, without the terminating NUL.</param>
    /// <returns>The 32-bit hash.</returns>
    public static uint Hash(ReadOnlySpan<byte> name)
    {
        uint h = 5381;
        foreach (var c in name)
        {
            h = (h * 33) + c;
        }

        return h;
    }

    /// <summary>The bloom filter test: false when the table rules the hash out, true when a symbol may have it.</summary>
    /// <param name="hash">The name's <see cref="Hash"/>.</param>
    /// <returns>Whether a lookup must walk the bucket's chain.</returns>
    public bool MayContain(uint hash) => MayContain(_image.Span, hash);

    // The span is taken once per lookup: on a mapped file each take is a virtual call, and lookups are the hot path.
    private bool MayContain(ReadOnlySpan<byte> d, uint hash)
    {
        var e = _image.Endian;
        int bits = e.Is64 ? 64 : 32;
        int wordIndex = (int)((hash / (uint)bits) & (uint)(BloomSize - 1));
        ulong word = e.Is64 ? e.U64(d, _bloomAt + (wordIndex * 8)) : e.U32(d, _bloomAt + (wordIndex * 4));
        return ((word >> (int)(hash % (uint)bits)) & (word >> (int)((hash >> BloomShift) % (uint)bits)) & 1) != 0;
    }

    /// <summary>Finds the first symbol named <paramref name="name"/> as ld.so's lookup walks the table, versions aside.</summary>
    /// <param name="name">The name's bytes.</param>
    /// <returns>The symbol's index in <see cref="ElfImage.DynamicSymbols"/>, or -1.</returns>
    /// <exception cref="ElfFormatException">A symbol's name lies outside the string table.</exception>
    public int Find(ReadOnlySpan<byte> name)
    {
        uint hash = Hash(name);
        Span<int> buffer = stackalloc int[16];
        int start = 0;
        while (true)
        {
            int n = Candidates(hash, buffer, out bool overflow, start);
            foreach (var index in buffer[..n])
            {
                if (_image.DynamicSymbols[index].NameUtf8.SequenceEqual(name))
                {
                    return index;
                }
            }

            if (!overflow)
            {
                return -1;
            }

            start = buffer[n - 1] + 1;
        }
    }

    /// <summary>
    /// Writes the indices of the symbols whose hash matches, in chain order; none when the bloom filter rules the hash
    /// out. <paramref name="overflow"/> is set when the buffer filled before the chain ended.
    /// </summary>
    internal int Candidates(uint hash, Span<int> buffer, out bool overflow, int startAt = 0)
    {
        overflow = false;
        var d = _image.Span;
        if (!MayContain(d, hash))
        {
            return 0;
        }

        var e = _image.Endian;
        uint symbol = e.U32(d, _bucketsAt + (int)(hash % (uint)BucketCount * 4));
        if (symbol < (uint)SymbolOffset)
        {
            return 0;
        }

        int n = 0;
        for (long i = symbol - (uint)SymbolOffset; i < _chainCount; i++)
        {
            uint value = e.U32(d, _chainsAt + (int)(i * 4));
            if (((value ^ hash) >> 1) == 0 && i + SymbolOffset >= startAt)
            {
                if (n == buffer.Length)
                {
                    overflow = true;
                    return n;
                }

                buffer[n++] = (int)(i + SymbolOffset);
            }

            if ((value & 1) != 0)
            {
                break;
            }
        }

        return n;
    }
}
