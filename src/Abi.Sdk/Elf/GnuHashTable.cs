using System.Buffers.Binary;

namespace Abi.Sdk.Elf;

/// <summary>
/// DT_GNU_HASH read in place, as ld.so searches it: bloom filter, bucket, then the hash chain (symbols in table
/// order). Lets a lookup touch a handful of symbols instead of indexing every name of a library.
/// </summary>
internal sealed class GnuHashTable
{
    private readonly ElfImage _image;
    private readonly int _nbuckets, _symoffset, _bloomWords, _shift, _bloomAt, _bucketsAt, _chainsAt, _chainCount;
    private readonly bool _is64, _little;

    private GnuHashTable(ElfImage image, int nbuckets, int symoffset, int bloomWords, int shift, int bloomAt, int bucketsAt, int chainsAt, int chainCount)
    {
        _image = image;
        _nbuckets = nbuckets;
        _symoffset = symoffset;
        _bloomWords = bloomWords;
        _shift = shift;
        _bloomAt = bloomAt;
        _bucketsAt = bucketsAt;
        _chainsAt = chainsAt;
        _chainCount = chainCount;
        _is64 = image.Header.Class == ElfClass.Elf64;
        _little = image.Header.DataEncoding == ElfDataEncoding.LittleEndian;
    }

    /// <summary>The table, or null when the file has none or it does not fit in the file (then names are indexed instead).</summary>
    public static GnuHashTable? TryRead(ElfImage image)
    {
        if (image.Dynamic is not { } dyn)
        {
            return null;
        }

        ulong address = 0;
        bool found = false;
        foreach (var e in dyn.Entries)
        {
            if (e.Tag == ElfDynamicSection.DT_GNU_HASH)
            {
                address = e.Value;
                found = true;
                break;
            }
        }

        if (!found || !image.TryMapAddress(address, out var offset))
        {
            return null;
        }

        long length = image.Memory.Length;
        if (offset > (ulong)length || (ulong)length - offset < 16)
        {
            return null;
        }

        var d = image.Memory.Span;
        int o = (int)offset;
        bool little = image.Header.DataEncoding == ElfDataEncoding.LittleEndian;
        uint nbuckets = U32(d, o, little), symoffset = U32(d, o + 4, little), bloomWords = U32(d, o + 8, little), shift = U32(d, o + 12, little);
        int word = image.Header.Class == ElfClass.Elf64 ? 8 : 4;
        ulong bloomAt = offset + 16;
        ulong bucketsAt = bloomAt + ((ulong)bloomWords * (ulong)word);
        ulong chainsAt = bucketsAt + ((ulong)nbuckets * 4);
        int symbols = image.DynamicSymbols.Count;
        if (nbuckets == 0 || bloomWords == 0 || (bloomWords & (bloomWords - 1)) != 0 || chainsAt > (ulong)length || symoffset > (uint)symbols)
        {
            return null;
        }

        ulong chainCount = Math.Min((ulong)(symbols - (int)symoffset), ((ulong)length - chainsAt) / 4);
        return new GnuHashTable(image, (int)nbuckets, (int)symoffset, (int)bloomWords, (int)(shift & 63), (int)bloomAt, (int)bucketsAt, (int)chainsAt, (int)chainCount);
    }

    private static uint U32(ReadOnlySpan<byte> d, int at, bool little) => little ? BinaryPrimitives.ReadUInt32LittleEndian(d[at..]) : BinaryPrimitives.ReadUInt32BigEndian(d[at..]);

    /// <summary>The GNU hash (djb2) of a name.</summary>
    public static uint Hash(ReadOnlySpan<byte> name)
    {
        uint h = 5381;
        foreach (var c in name)
        {
            h = (h * 33) + c;
        }

        return h;
    }

    /// <summary>Appends the indices of the symbols whose hash matches, in chain order; false when the bloom filter rules the name out.</summary>
    public int Candidates(uint hash, Span<int> buffer, out bool overflow)
    {
        overflow = false;
        var d = _image.Memory.Span;
        int bits = _is64 ? 64 : 32;
        int wordIndex = (int)((hash / (uint)bits) & (uint)(_bloomWords - 1));
        ulong word = _is64
            ? (_little ? BinaryPrimitives.ReadUInt64LittleEndian(d[(_bloomAt + (wordIndex * 8))..]) : BinaryPrimitives.ReadUInt64BigEndian(d[(_bloomAt + (wordIndex * 8))..]))
            : (_little ? BinaryPrimitives.ReadUInt32LittleEndian(d[(_bloomAt + (wordIndex * 4))..]) : BinaryPrimitives.ReadUInt32BigEndian(d[(_bloomAt + (wordIndex * 4))..]));
        if (((word >> (int)(hash % (uint)bits)) & (word >> (int)((hash >> _shift) % (uint)bits)) & 1) == 0)
        {
            return 0;
        }

        int bucketAt = _bucketsAt + (int)(hash % (uint)_nbuckets * 4);
        uint symbol = _little ? BinaryPrimitives.ReadUInt32LittleEndian(d[bucketAt..]) : BinaryPrimitives.ReadUInt32BigEndian(d[bucketAt..]);
        if (symbol < (uint)_symoffset)
        {
            return 0;
        }

        int n = 0;
        for (long i = symbol - (uint)_symoffset; i < _chainCount; i++)
        {
            int at = _chainsAt + (int)(i * 4);
            uint value = _little ? BinaryPrimitives.ReadUInt32LittleEndian(d[at..]) : BinaryPrimitives.ReadUInt32BigEndian(d[at..]);
            if (((value ^ hash) >> 1) == 0)
            {
                if (n == buffer.Length)
                {
                    overflow = true;
                    return n;
                }

                buffer[n++] = (int)(i + _symoffset);
            }

            if ((value & 1) != 0)
            {
                break;
            }
        }

        return n;
    }
}
