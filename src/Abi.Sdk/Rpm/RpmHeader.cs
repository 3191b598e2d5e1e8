using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Abi.Sdk.Rpm;

/// <summary>One index entry of an rpm header: tag, data type, offset into the data store and element count.</summary>
/// <param name="Tag">The tag number (its meaning depends on the header: <see cref="RpmTag"/> or <see cref="RpmSignatureTag"/>).</param>
/// <param name="Type">The data type.</param>
/// <param name="Offset">The offset of the data in the header's data store.</param>
/// <param name="Count">The number of elements.</param>
public readonly record struct RpmHeaderEntry(int Tag, RpmTagType Type, int Offset, int Count);

/// <summary>
/// An rpm header (the signature header or the main header): an index of typed entries over a data store, validated
/// as rpm validates it (<c>hdrblobInit</c>/<c>hdrblobVerifyRegion</c>/<c>hdrblobVerifyInfo</c>) and decoded lazily.
/// Immutable and thread-safe.
/// </summary>
public sealed class RpmHeader
{
    /// <summary>rpm's limit on the number of index entries (<c>HEADER_TAGS_MAX</c>).</summary>
    public const int MaxEntries = 0xffff;

    /// <summary>rpm's limit on the size of the data store (<c>HEADER_DATA_MAX</c>, 256 MiB).</summary>
    public const int MaxDataSize = 0x0fffffff;

    /// <summary>rpm's limit on the number of signature header entries.</summary>
    public const int MaxSignatureEntries = 32;

    /// <summary>rpm's limit on the signature header's data store (64 MiB).</summary>
    public const int MaxSignatureDataSize = 64 * 1024 * 1024;

    internal static ReadOnlySpan<byte> Magic => [0x8e, 0xad, 0xe8, 0x01];

    // The header from its counts (byte 8) on, at _base in _blob: a buffer of its own, or the caller's memory
    // (RpmPackage.Parse), which is then not copied.
    private readonly byte[] _blob;
    private readonly int _base;
    private readonly int _length;
    private readonly int _dataStart;
    private readonly int _dataLength;
    private readonly ImmutableArray<RpmHeaderEntry> _entries;
    private readonly bool _sorted;

    // Where the entries of the main header's common tags are (index + 1, 0 when absent): tags 1000-1199 (package,
    // file and dependency tags) and 5000-5099 (newer file and weak-dependency tags) without a binary search.
    private readonly ushort[]? _byTag;
    private const int TableLow = 1000, TableHigh = 5000, TableSpan = 200, TableHighSpan = 100;

    private RpmHeader(byte[] blob, int @base, int length, int dataStart, int dataLength, ImmutableArray<RpmHeaderEntry> entries, int? regionTag, string? fileName, long fileOffset)
    {
        _blob = blob;
        _base = @base;
        _length = length;
        _dataStart = dataStart;
        _dataLength = dataLength;
        _entries = entries;
        RegionTag = regionTag;
        FileName = fileName;
        FileOffset = fileOffset;
        _sorted = true;
        var fields = MemoryMarshal.Cast<RpmHeaderEntry, int>(entries.AsSpan());
        for (int i = 4; i < fields.Length; i += 4)
        {
            if (fields[i - 4] >= fields[i])
            {
                _sorted = false;
                break;
            }
        }

        // Only main headers of a sorted index (rpm writes them sorted) get the table; it indexes at most 65,535 entries.
        if (_sorted && regionTag == (int)RpmTag.HeaderImmutable && entries.Length is > 16 and < ushort.MaxValue)
        {
            var table = new ushort[TableSpan + TableHighSpan];
            for (int i = 0; i < fields.Length; i += 4)
            {
                int slot = Slot(fields[i]);
                if (slot >= 0)
                {
                    table[slot] = (ushort)((i / 4) + 1);
                }
            }

            _byTag = table;
        }
    }

    /// <summary>The index entries in file order (the region entry, when present, first).</summary>
    public ImmutableArray<RpmHeaderEntry> Entries => _entries;

    /// <summary>The region tag (<c>62</c> HEADERSIGNATURES or <c>63</c> HEADERIMMUTABLE), or <see langword="null"/> for a legacy header without a region.</summary>
    public int? RegionTag { get; }

    /// <summary>The file the header was read from, or <see langword="null"/>.</summary>
    public string? FileName { get; }

    /// <summary>The offset of the header's magic in the file.</summary>
    public long FileOffset { get; }

    /// <summary>The size of the header in the file: 16 bytes of preamble, 16 per entry, and the data store.</summary>
    public int Size => 8 + _length;

    /// <summary>The size of the data store.</summary>
    public int DataSize => _dataLength;

    /// <summary>The header as stored (magic, reserved bytes, counts, index and data), for digests.</summary>
    /// <returns>A fresh copy of the header bytes.</returns>
    public byte[] ToArray()
    {
        var result = new byte[Size];
        Magic.CopyTo(result);
        _blob.AsSpan(_base, _length).CopyTo(result.AsSpan(8));
        return result;
    }

    /// <summary>
    /// Reads and validates a header at the stream's position, which is left just after the header.
    /// </summary>
    /// <param name="stream">The stream, positioned at the header magic.</param>
    /// <param name="fileName">The file name for error messages, or <see langword="null"/>.</param>
    /// <param name="fileOffset">The offset of the stream's position in the file, for error messages.</param>
    /// <param name="kind">Which header this is (the signature header has its own region tag and tighter limits).</param>
    /// <returns>The header.</returns>
    /// <exception cref="RpmFormatException">The header is truncated or breaks one of rpm's rules.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static RpmHeader Read(Stream stream, string? fileName = null, long fileOffset = 0, RpmHeaderKind kind = RpmHeaderKind.Main)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadCore(stream, fileName, fileOffset, kind == RpmHeaderKind.Signature, useAsync: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Reads and validates a header at the stream's position asynchronously; the stream is left just after the header.
    /// </summary>
    /// <param name="stream">The stream, positioned at the header magic.</param>
    /// <param name="fileName">The file name for error messages, or <see langword="null"/>.</param>
    /// <param name="fileOffset">The offset of the stream's position in the file, for error messages.</param>
    /// <param name="kind">Which header this is (the signature header has its own region tag and tighter limits).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The header.</returns>
    /// <exception cref="RpmFormatException">The header is truncated or breaks one of rpm's rules.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<RpmHeader> ReadAsync(Stream stream, string? fileName = null, long fileOffset = 0, RpmHeaderKind kind = RpmHeaderKind.Main, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadCore(stream, fileName, fileOffset, kind == RpmHeaderKind.Signature, useAsync: true, cancellationToken).AsTask();
    }

    // One body for both: with useAsync false every awaited read completes synchronously.
    private static async ValueTask<RpmHeader> ReadCore(Stream stream, string? fileName, long fileOffset, bool isSignature, bool useAsync, CancellationToken cancellationToken)
    {
        var intro = new byte[16];
        int got = useAsync
            ? await stream.ReadAtLeastAsync(intro, 16, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
            : stream.ReadAtLeast(intro, 16, throwOnEndOfStream: false);
        if (got < 16)
        {
            RpmThrow.Format(fileName, fileOffset + got, $"truncated {What(isSignature)}: {got} of 16 preamble bytes");
        }

        CheckIntro(intro, fileName, fileOffset, isSignature, out int il, out int dl);
        long length = 8 + (16L * il) + dl;
        if (stream.CanSeek && stream.Length - stream.Position < length - 8)
        {
            RpmThrow.Format(fileName, stream.Length, $"truncated {What(isSignature)}: needs {length - 8} bytes after the preamble, the file has {stream.Length - stream.Position}");
        }

        var blob = await ReadExactlyAsync(stream, (int)length, intro.AsMemory(8), fileName, fileOffset, isSignature, useAsync, cancellationToken).ConfigureAwait(false);
        return Create(blob, 0, fileName, fileOffset, isSignature, il, dl);
    }

    /// <summary>Parses and validates a header from memory.</summary>
    /// <param name="bytes">The bytes, starting at the header magic (trailing bytes are ignored).</param>
    /// <param name="fileName">The file name for error messages, or <see langword="null"/>.</param>
    /// <param name="fileOffset">The offset of <paramref name="bytes"/> in the file, for error messages.</param>
    /// <param name="kind">Which header this is.</param>
    /// <returns>The header; <see cref="Size"/> tells how many bytes it used.</returns>
    /// <exception cref="RpmFormatException">The header is truncated or breaks one of rpm's rules.</exception>
    public static RpmHeader Parse(ReadOnlySpan<byte> bytes, string? fileName = null, long fileOffset = 0, RpmHeaderKind kind = RpmHeaderKind.Main)
    {
        bool isSignature = kind == RpmHeaderKind.Signature;
        if (bytes.Length < 16)
        {
            RpmThrow.Format(fileName, fileOffset + bytes.Length, $"truncated {What(isSignature)}: {bytes.Length} of 16 preamble bytes");
        }

        CheckIntro(bytes, fileName, fileOffset, isSignature, out int il, out int dl);
        long length = 8 + (16L * il) + dl;
        if (bytes.Length - 8 < length)
        {
            RpmThrow.Format(fileName, fileOffset + bytes.Length, $"truncated {What(isSignature)}: needs {length + 8} bytes, {bytes.Length} available");
        }

        return Create(bytes.Slice(8, (int)length).ToArray(), 0, fileName, fileOffset, isSignature, il, dl);
    }

    /// <summary>
    /// <see cref="Parse(ReadOnlySpan{byte}, string?, long, RpmHeaderKind)"/> over memory the header keeps referring to
    /// (nothing is copied when it is an array's): the caller keeps it unchanged while the header is used.
    /// </summary>
    internal static RpmHeader Parse(ReadOnlyMemory<byte> bytes, string? fileName, long fileOffset, RpmHeaderKind kind)
    {
        if (!MemoryMarshal.TryGetArray(bytes, out var segment) || segment.Array is null)
        {
            return Parse(bytes.Span, fileName, fileOffset, kind);
        }

        bool isSignature = kind == RpmHeaderKind.Signature;
        if (bytes.Length < 16)
        {
            RpmThrow.Format(fileName, fileOffset + bytes.Length, $"truncated {What(isSignature)}: {bytes.Length} of 16 preamble bytes");
        }

        CheckIntro(bytes.Span, fileName, fileOffset, isSignature, out int il, out int dl);
        long length = 8 + (16L * il) + dl;
        if (bytes.Length - 8 < length)
        {
            RpmThrow.Format(fileName, fileOffset + bytes.Length, $"truncated {What(isSignature)}: needs {length + 8} bytes, {bytes.Length} available");
        }

        return Create(segment.Array, segment.Offset + 8, fileName, fileOffset, isSignature, il, dl);
    }

    /// <summary>Whether the header has an entry for <paramref name="tag"/>.</summary>
    /// <param name="tag">The tag number.</param>
    /// <returns>Whether it is present.</returns>
    public bool Contains(int tag) => IndexOf(tag) >= 0;

    /// <summary>Whether the header has an entry for <paramref name="tag"/>.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>Whether it is present.</returns>
    public bool Contains(RpmTag tag) => IndexOf((int)tag) >= 0;

    /// <summary>Finds the entry of <paramref name="tag"/>.</summary>
    /// <param name="tag">The tag number.</param>
    /// <param name="entry">The entry, when present.</param>
    /// <returns>Whether it is present.</returns>
    public bool TryGetEntry(int tag, out RpmHeaderEntry entry)
    {
        int i = IndexOf(tag);
        entry = i >= 0 ? _entries.AsSpan()[i] : default;
        return i >= 0;
    }

    /// <summary>The string value of a STRING, I18NSTRING (first locale) or STRING_ARRAY (first element) entry.</summary>
    /// <param name="tag">The tag number.</param>
    /// <returns>The string, or <see langword="null"/> when absent or not a string type.</returns>
    public string? GetString(int tag)
    {
        if (!TryGetEntry(tag, out var e) || e.Type is not (RpmTagType.String or RpmTagType.I18NString or RpmTagType.StringArray))
        {
            return null;
        }

        var data = Data[e.Offset..];
        var bytes = data[..data.IndexOf((byte)0)];
        // Short ASCII values (architecture, version, release, license, vendor…) repeat across packages.
        return bytes.Length <= RpmInternTable.MaxLength && Ascii.IsValid(bytes) ? RpmInternTable.Ascii(bytes) : DecodeString(bytes);
    }

    /// <summary>
    /// The bytes of the string <see cref="GetString(int)"/> decodes (without the terminating NUL), sliced from the
    /// header's memory: rpm keeps header strings as bytes, and packages with Latin-1 names and dependencies exist.
    /// </summary>
    /// <param name="tag">The tag number.</param>
    /// <returns>The bytes; empty when absent or not a string type (<see cref="Contains(int)"/> tells an empty string from none).</returns>
    public ReadOnlyMemory<byte> GetStringBytes(int tag)
    {
        if (!TryGetEntry(tag, out var e) || e.Type is not (RpmTagType.String or RpmTagType.I18NString or RpmTagType.StringArray))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        return new ReadOnlyMemory<byte>(_blob, _dataStart + e.Offset, Data[e.Offset..].IndexOf((byte)0));
    }

    /// <inheritdoc cref="GetStringBytes(int)"/>
    public ReadOnlyMemory<byte> GetStringBytes(RpmTag tag) => GetStringBytes((int)tag);

    /// <summary>
    /// Decodes a header string as this reader does: UTF-8 when the bytes are valid UTF-8, otherwise Latin-1 (one
    /// character per byte, so nothing is replaced and distinct byte strings stay distinct). rpm itself never decodes:
    /// the byte views (<see cref="GetStringBytes(int)"/>, <see cref="GetStringArrayBytes(int)"/>) keep what it prints.
    /// </summary>
    /// <param name="bytes">The string's bytes, without the NUL.</param>
    /// <returns>The text.</returns>
    public static string DecodeString(ReadOnlySpan<byte> bytes) =>
        System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);

    /// <inheritdoc cref="GetString(int)"/>
    public string? GetString(RpmTag tag) => GetString((int)tag);

    /// <inheritdoc cref="GetString(int)"/>
    public string? GetString(RpmSignatureTag tag) => GetString((int)tag);

    /// <summary>The strings of a STRING_ARRAY or I18NSTRING entry (or a one-element array for STRING).</summary>
    /// <param name="tag">The tag number.</param>
    /// <returns>The strings; empty when absent or not a string type.</returns>
    public ImmutableArray<string> GetStringArray(int tag)
    {
        if (!TryGetStrings(tag, out var strings))
        {
            return [];
        }

        var result = new string[strings.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = strings.Decode(i);
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    /// <inheritdoc cref="GetStringArray(int)"/>
    public ImmutableArray<string> GetStringArray(RpmTag tag) => GetStringArray((int)tag);

    /// <summary>The bytes of each string <see cref="GetStringArray(int)"/> decodes (without NULs), sliced from the header's memory.</summary>
    /// <param name="tag">The tag number.</param>
    /// <returns>The byte strings; empty when absent or not a string type.</returns>
    public ImmutableArray<ReadOnlyMemory<byte>> GetStringArrayBytes(int tag)
    {
        if (!TryGetStrings(tag, out var strings))
        {
            return [];
        }

        var result = new ReadOnlyMemory<byte>[strings.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = strings.Memory(i);
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    /// <inheritdoc cref="GetStringArrayBytes(int)"/>
    public ImmutableArray<ReadOnlyMemory<byte>> GetStringArrayBytes(RpmTag tag) => GetStringArrayBytes((int)tag);

    /// <summary>
    /// The values of an integer entry (CHAR, INT8, INT16, INT32 or INT64), each widened to 64 bits. INT8/16/32 are
    /// read unsigned, as rpm stores sizes, modes and times.
    /// </summary>
    /// <param name="tag">The tag number.</param>
    /// <returns>The values; empty when absent or not an integer type.</returns>
    public ImmutableArray<long> GetIntegers(int tag)
    {
        if (!TryGetIntegers(tag, out var column))
        {
            return [];
        }

        var result = new long[column.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = column[i];
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    /// <inheritdoc cref="GetIntegers(int)"/>
    public ImmutableArray<long> GetIntegers(RpmTag tag) => GetIntegers((int)tag);

    /// <inheritdoc cref="GetIntegers(int)"/>
    public ImmutableArray<long> GetIntegers(RpmSignatureTag tag) => GetIntegers((int)tag);

    /// <summary>The first value of an integer entry, widened as <see cref="GetIntegers(int)"/> does.</summary>
    /// <param name="tag">The tag number.</param>
    /// <returns>The value, or <see langword="null"/> when absent or not an integer type.</returns>
    public long? GetInteger(int tag)
    {
        if (!TryGetEntry(tag, out var e) || e.Count < 1)
        {
            return null;
        }

        var data = Data[e.Offset..];
        return e.Type switch
        {
            RpmTagType.Char or RpmTagType.Int8 => data[0],
            RpmTagType.Int16 => BinaryPrimitives.ReadUInt16BigEndian(data),
            RpmTagType.Int32 => BinaryPrimitives.ReadUInt32BigEndian(data),
            RpmTagType.Int64 => BinaryPrimitives.ReadInt64BigEndian(data),
            _ => null,
        };
    }

    /// <inheritdoc cref="GetInteger(int)"/>
    public long? GetInteger(RpmTag tag) => GetInteger((int)tag);

    /// <inheritdoc cref="GetInteger(int)"/>
    public long? GetInteger(RpmSignatureTag tag) => GetInteger((int)tag);

    /// <summary>The raw bytes of an entry's data (for BIN entries: the bytes; for others: the encoded values).</summary>
    /// <param name="tag">The tag number.</param>
    /// <returns>The bytes, or empty when absent.</returns>
    public ReadOnlyMemory<byte> GetBytes(int tag)
    {
        if (!TryGetEntry(tag, out var e))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        int length = DataLength(e.Type, Data[e.Offset..], e.Count);
        return new ReadOnlyMemory<byte>(_blob, _dataStart + e.Offset, length);
    }

    /// <inheritdoc cref="GetBytes(int)"/>
    public ReadOnlyMemory<byte> GetBytes(RpmSignatureTag tag) => GetBytes((int)tag);

    /// <summary>The file offset of <paramref name="tag"/>'s data (or of the header when absent), for error messages.</summary>
    internal long DataFileOffset(int tag) => TryGetEntry(tag, out var e) ? FileOffset + 8 + (_dataStart - _base) + e.Offset : FileOffset;

    /// <summary>
    /// The strings of a STRING, STRING_ARRAY or I18NSTRING entry as offsets into the data store, found in one
    /// vectorized pass, so that callers decode (or only slice) each element without searching for NULs again.
    /// </summary>
    internal bool TryGetStrings(int tag, out RpmStringColumn strings)
    {
        if (!TryGetEntry(tag, out var e) || e.Type is not (RpmTagType.String or RpmTagType.I18NString or RpmTagType.StringArray))
        {
            strings = default;
            return false;
        }

        int count = e.Type == RpmTagType.String ? 1 : e.Count;
        var nuls = new int[count];
        // Validation (VerifyInfo) proved that count NULs follow the offset; checked again for the unvalidated region entry.
        if (FindNuls(Data[e.Offset..], nuls) < count)
        {
            RpmThrow.Format(FileName, DataFileOffset(tag), $"tag {tag}: {count} strings do not fit in the data store");
        }

        strings = new RpmStringColumn(_blob, _dataStart + e.Offset, nuls);
        return true;
    }

    /// <inheritdoc cref="TryGetStrings(int, out RpmStringColumn)"/>
    internal bool TryGetStrings(RpmTag tag, out RpmStringColumn strings) => TryGetStrings((int)tag, out strings);

    /// <summary>An integer entry (CHAR, INT8, INT16, INT32 or INT64) read in place, widened as <see cref="GetIntegers(int)"/> widens.</summary>
    internal bool TryGetIntegers(int tag, out RpmIntegerColumn column)
    {
        if (!TryGetEntry(tag, out var e) || e.Type is not (RpmTagType.Char or RpmTagType.Int8 or RpmTagType.Int16 or RpmTagType.Int32 or RpmTagType.Int64))
        {
            column = default;
            return false;
        }

        column = new RpmIntegerColumn(_blob, _dataStart + e.Offset, e.Count, e.Type);
        return true;
    }

    /// <inheritdoc cref="TryGetIntegers(int, out RpmIntegerColumn)"/>
    internal bool TryGetIntegers(RpmTag tag, out RpmIntegerColumn column) => TryGetIntegers((int)tag, out column);

    /// <summary>
    /// Writes the positions of the first <c>positions.Length</c> NUL bytes of <paramref name="data"/> into
    /// <paramref name="positions"/>, 32 bytes at a time; returns how many were found.
    /// </summary>
    internal static int FindNuls(ReadOnlySpan<byte> data, Span<int> positions)
    {
        int found = 0;
        if (positions.IsEmpty)
        {
            return 0;
        }

        int i = 0;
        ref byte start = ref MemoryMarshal.GetReference(data);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<byte>.Count <= data.Length; i += Vector256<byte>.Count)
            {
                uint mask = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), Vector256<byte>.Zero).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    positions[found++] = i + BitOperations.TrailingZeroCount(mask);
                    if (found == positions.Length)
                    {
                        return found;
                    }

                    mask &= mask - 1;
                }
            }
        }

        for (; i < data.Length; i++)
        {
            if (Unsafe.Add(ref start, i) == 0)
            {
                positions[found++] = i;
                if (found == positions.Length)
                {
                    return found;
                }
            }
        }

        return found;
    }

    /// <summary>The number of bytes up to and including the <paramref name="count"/>-th NUL of <paramref name="data"/>, or -1 when there are fewer.</summary>
    private static int LengthOfStrings(ReadOnlySpan<byte> data, int count)
    {
        int i = 0;
        ref byte start = ref MemoryMarshal.GetReference(data);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<byte>.Count <= data.Length; i += Vector256<byte>.Count)
            {
                uint mask = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), Vector256<byte>.Zero).ExtractMostSignificantBits();
                int n = BitOperations.PopCount(mask);
                if (n < count)
                {
                    count -= n;
                    continue;
                }

                // The count-th NUL is in this block: drop the ones before it.
                for (int k = 1; k < count; k++)
                {
                    mask &= mask - 1;
                }

                return i + BitOperations.TrailingZeroCount(mask) + 1;
            }
        }

        for (; i < data.Length; i++)
        {
            if (Unsafe.Add(ref start, i) == 0 && --count == 0)
            {
                return i + 1;
            }
        }

        return -1;
    }

    private ReadOnlySpan<byte> Data => new(_blob, _dataStart, _dataLength);

    /// <summary>The slot of <paramref name="tag"/> in <see cref="_byTag"/>, or -1 when the table does not cover it.</summary>
    private static int Slot(int tag) =>
        (uint)(tag - TableLow) < TableSpan ? tag - TableLow
        : (uint)(tag - TableHigh) < TableHighSpan ? TableSpan + (tag - TableHigh)
        : -1;

    private int IndexOf(int tag)
    {
        if (_byTag is { } table)
        {
            int slot = Slot(tag);
            if (slot >= 0)
            {
                return table[slot] - 1;
            }
        }

        // Each entry's tag is the first of its four ints.
        var fields = MemoryMarshal.Cast<RpmHeaderEntry, int>(_entries.AsSpan());
        if (_sorted)
        {
            int lo = 0, hi = _entries.Length - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                int t = fields[4 * mid];
                if (t == tag)
                {
                    return mid;
                }

                if (t < tag)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return -1;
        }

        for (int i = 0; i < fields.Length; i += 4)
        {
            if (fields[i] == tag)
            {
                return i / 4;
            }
        }

        return -1;
    }

    private static string What(bool isSignature) => isSignature ? "signature header" : "header";

    private static void CheckIntro(ReadOnlySpan<byte> intro, string? fileName, long fileOffset, bool isSignature, out int il, out int dl)
    {
        if (!intro[..4].SequenceEqual(Magic))
        {
            RpmThrow.Format(fileName, fileOffset, $"bad {What(isSignature)} magic {Convert.ToHexStringLower(intro[..4])} (expected 8eade801)");
        }

        uint uil = BinaryPrimitives.ReadUInt32BigEndian(intro[8..]);
        uint udl = BinaryPrimitives.ReadUInt32BigEndian(intro[12..]);
        uint maxIl = isSignature ? (uint)MaxSignatureEntries : MaxEntries;
        uint maxDl = isSignature ? (uint)MaxSignatureDataSize : MaxDataSize;
        if (uil > maxIl)
        {
            RpmThrow.Format(fileName, fileOffset + 8, $"{What(isSignature)} has {uil} entries, over rpm's limit of {maxIl}");
        }

        if (udl > maxDl)
        {
            RpmThrow.Format(fileName, fileOffset + 12, $"{What(isSignature)} data store of {udl} bytes is over rpm's limit of {maxDl}");
        }

        il = (int)uil;
        dl = (int)udl;
    }

    private static async ValueTask<byte[]> ReadExactlyAsync(Stream stream, int length, ReadOnlyMemory<byte> counts, string? fileName, long fileOffset, bool isSignature, bool useAsync, CancellationToken cancellationToken)
    {
        // Never trust the counts for one big allocation on a stream of unknown length: grow as bytes arrive.
        const int chunk = 1 << 20;
        var blob = new byte[Math.Min(length, stream.CanSeek ? length : chunk)];
        counts.Span.CopyTo(blob);
        int filled = 8;
        while (filled < length)
        {
            if (filled == blob.Length)
            {
                Array.Resize(ref blob, (int)Math.Min(length, (long)blob.Length * 2));
            }

            int n = useAsync
                ? await stream.ReadAsync(blob.AsMemory(filled), cancellationToken).ConfigureAwait(false)
                : stream.Read(blob, filled, blob.Length - filled);
            if (n <= 0)
            {
                RpmThrow.Format(fileName, fileOffset + 8 + filled, $"truncated {What(isSignature)}: {filled + 8} of {length + 8} bytes");
            }

            filled += n;
        }

        return blob;
    }

    private static RpmHeader Create(byte[] blob, int @base, string? fileName, long fileOffset, bool isSignature, int il, int dl)
    {
        int dataStart = @base + 8 + (16 * il);
        // The index is il big-endian (tag, type, offset, count) quadruples, and an entry is those four ints in that
        // order: the whole index is byte-swapped into the array in one vectorized pass.
        var entries = new RpmHeaderEntry[il];
        var index = MemoryMarshal.Cast<byte, int>(blob.AsSpan(@base + 8, 16 * il));
        var fields = MemoryMarshal.Cast<RpmHeaderEntry, int>(entries.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(index, fields);
        }
        else
        {
            index.CopyTo(fields);
        }

        var data = blob.AsSpan(dataStart, dl);
        long indexOffset = fileOffset + 16;
        long dataOffset = fileOffset + 8 + (dataStart - @base); // @base is where the counts sit in the blob, not in the file
        int regionTag = isSignature ? (int)RpmTag.HeaderSignatures : (int)RpmTag.HeaderImmutable;
        int? region = VerifyRegion(entries, data, regionTag, exactSize: !isSignature, fileName, indexOffset, dataOffset, isSignature);
        VerifyInfo(entries, data, region is not null, fileName, indexOffset, dataOffset, isSignature);
        return new RpmHeader(blob, @base, 8 + (16 * il) + dl, dataStart, dl, ImmutableCollectionsMarshal.AsImmutableArray(entries), region, fileName, fileOffset);
    }

    private static int? VerifyRegion(RpmHeaderEntry[] entries, ReadOnlySpan<byte> data, int regionTag, bool exactSize, string? fileName, long indexOffset, long dataOffset, bool isSignature)
    {
        if (entries.Length < 1)
        {
            RpmThrow.Format(fileName, indexOffset - 8, $"{What(isSignature)} has no entries");
        }

        var first = entries[0];
        if (first.Tag != regionTag)
        {
            // A legacy header without an immutable region.
            return null;
        }

        if (first.Type != RpmTagType.Bin || first.Count != 16)
        {
            RpmThrow.Format(fileName, indexOffset, $"bad region tag {first.Tag}: type {(int)first.Type} count {first.Count} (expected BIN, 16)");
        }

        if (first.Offset < 0 || (long)first.Offset + 16 > data.Length)
        {
            RpmThrow.Format(fileName, indexOffset + 8, $"region tag {first.Tag} trailer offset {first.Offset} is outside the {data.Length}-byte data store");
        }

        var trailer = data.Slice(first.Offset, 16);
        int tTag = BinaryPrimitives.ReadInt32BigEndian(trailer);
        int tType = BinaryPrimitives.ReadInt32BigEndian(trailer[4..]);
        long tOffset = -(long)BinaryPrimitives.ReadInt32BigEndian(trailer[8..]);
        int tCount = BinaryPrimitives.ReadInt32BigEndian(trailer[12..]);
        if (isSignature && tTag == (int)RpmTag.HeaderImage)
        {
            // Some old packages have HEADERIMAGE in the signature region trailer; rpm accepts it.
            tTag = regionTag;
        }

        long trailerOffset = dataOffset + first.Offset;
        if (tTag != regionTag || tType != (int)RpmTagType.Bin || tCount != 16)
        {
            RpmThrow.Format(fileName, trailerOffset, $"bad region trailer: tag {tTag} type {tType} count {tCount} (expected {regionTag}, BIN, 16)");
        }

        long rdl = first.Offset + 16L;
        if (tOffset % 16 != 0 || tOffset < 0 || tOffset / 16 > entries.Length)
        {
            RpmThrow.Format(fileName, trailerOffset + 8, $"bad region size: trailer claims {tOffset / 16} entries of {entries.Length}");
        }

        long ril = tOffset / 16;
        if (exactSize && (ril != entries.Length || rdl != data.Length))
        {
            RpmThrow.Format(fileName, trailerOffset, $"region {regionTag} does not cover the header: {ril} of {entries.Length} entries, {rdl} of {data.Length} data bytes");
        }

        return regionTag;
    }

    private static void VerifyInfo(RpmHeaderEntry[] entries, ReadOnlySpan<byte> data, bool hasRegion, string? fileName, long indexOffset, long dataOffset, bool isSignature)
    {
        long end = 0;
        // The entries' four ints read directly (tag, type, offset, count).
        var fields = MemoryMarshal.Cast<RpmHeaderEntry, int>(entries.AsSpan());
        for (int i = hasRegion ? 1 : 0; i < entries.Length; i++)
        {
            var e = (Tag: fields[4 * i], Type: (RpmTagType)fields[(4 * i) + 1], Offset: fields[(4 * i) + 2], Count: fields[(4 * i) + 3]);
            long at = indexOffset + (16L * i);
            if (e.Tag < (int)RpmTag.HeaderI18NTable)
            {
                RpmThrow.Format(fileName, at, $"entry {i}: tag {e.Tag} is reserved (rpm rejects tags below 100 after the region)");
            }

            if ((uint)e.Type > (uint)RpmTagType.I18NString || e.Type == RpmTagType.Null)
            {
                RpmThrow.Format(fileName, at + 4, $"entry {i} (tag {e.Tag}): unknown data type {(int)e.Type}");
            }

            if (e.Count <= 0 || e.Count > MaxDataSize)
            {
                RpmThrow.Format(fileName, at + 12, $"entry {i} (tag {e.Tag}): bad count {e.Count}");
            }

            if (e.Offset < 0 || e.Offset >= data.Length)
            {
                RpmThrow.Format(fileName, at + 8, $"entry {i} (tag {e.Tag}): data offset {e.Offset} is outside the {data.Length}-byte data store");
            }

            int align = e.Type switch { RpmTagType.Int16 => 2, RpmTagType.Int32 => 4, RpmTagType.Int64 => 8, _ => 1 };
            if (e.Offset % align != 0)
            {
                RpmThrow.Format(fileName, at + 8, $"entry {i} (tag {e.Tag}): data offset {e.Offset} is not aligned for {e.Type}");
            }

            if (end > e.Offset)
            {
                RpmThrow.Format(fileName, dataOffset + e.Offset, $"entry {i} (tag {e.Tag}): data at {e.Offset} overlaps the previous entry's data (ends at {end})");
            }

            int len = DataLength(e.Type, data[e.Offset..], e.Count);
            if (len < 0)
            {
                RpmThrow.Format(fileName, dataOffset + e.Offset, $"entry {i} (tag {e.Tag}): {e.Count} {e.Type} value(s) do not fit in the data store");
            }

            end = (long)e.Offset + len;
        }
    }

    /// <summary>The byte length of <paramref name="count"/> values of <paramref name="type"/> at the start of <paramref name="data"/>, or -1 when they do not fit.</summary>
    private static int DataLength(RpmTagType type, ReadOnlySpan<byte> data, int count)
    {
        switch (type)
        {
            case RpmTagType.String:
                if (count != 1)
                {
                    return -1;
                }

                goto case RpmTagType.StringArray;
            case RpmTagType.StringArray:
            case RpmTagType.I18NString:
                return count <= 0 ? 0 : LengthOfStrings(data, count);

            default:
                {
                    int size = type switch
                    {
                        RpmTagType.Int16 => 2,
                        RpmTagType.Int32 => 4,
                        RpmTagType.Int64 => 8,
                        _ => 1,
                    };
                    long length = (long)size * count;
                    return length > data.Length ? -1 : (int)length;
                }
        }
    }
}

/// <summary>Which of a package's two headers a header is.</summary>
public enum RpmHeaderKind
{
    /// <summary>The main header (region tag 63, HEADERIMMUTABLE): the package's metadata.</summary>
    Main,

    /// <summary>The signature header (region tag 62, HEADERSIGNATURES): digests and signatures, with tighter limits.</summary>
    Signature,
}
