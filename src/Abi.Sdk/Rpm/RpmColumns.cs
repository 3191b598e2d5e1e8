using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Abi.Sdk.Rpm;

/// <summary>
/// The elements of a validated string entry as positions in the header's memory: slicing an element costs nothing,
/// and decoding one skips the per-string UTF-8 check when the whole entry is ASCII or valid UTF-8 (a NUL never occurs
/// inside a multi-byte sequence, so the elements of a valid entry are valid one by one).
/// </summary>
internal readonly struct RpmStringColumn
{
    private readonly byte[] _blob;
    private readonly int _start;
    private readonly int[] _nuls;

    /// <summary>A column over <paramref name="blob"/> from <paramref name="start"/>; <paramref name="nuls"/> holds each element's NUL, relative to <paramref name="start"/>.</summary>
    public RpmStringColumn(byte[] blob, int start, int[] nuls)
    {
        _blob = blob;
        _start = start;
        _nuls = nuls;
        var all = nuls.Length == 0 ? ReadOnlySpan<byte>.Empty : blob.AsSpan(start, nuls[^1]);
        IsAscii = Ascii.IsValid(all);
        IsUtf8 = IsAscii || System.Text.Unicode.Utf8.IsValid(all);
    }

    /// <summary>The number of elements (0 for an absent entry).</summary>
    public int Count => _nuls?.Length ?? 0;

    /// <summary>Whether every element is ASCII (each byte one character).</summary>
    public bool IsAscii { get; }

    /// <summary>Whether every element is valid UTF-8.</summary>
    public bool IsUtf8 { get; }

    /// <summary>The bytes of element <paramref name="i"/>, without its NUL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Span(int i)
    {
        int begin = i == 0 ? 0 : _nuls[i - 1] + 1;
        return new ReadOnlySpan<byte>(_blob, _start + begin, _nuls[i] - begin);
    }

    /// <summary>The position of element <paramref name="i"/> in the header's bytes (<see cref="Blob"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Start(int i) => _start + (i == 0 ? 0 : _nuls[i - 1] + 1);

    /// <summary>The length of element <paramref name="i"/> in bytes, without its NUL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Length(int i) => _nuls[i] - (i == 0 ? 0 : _nuls[i - 1] + 1);

    /// <summary>The header's bytes the column lies in.</summary>
    public byte[] Blob => _blob;

    /// <summary>Element <paramref name="i"/> as a slice of the header's memory.</summary>
    public ReadOnlyMemory<byte> Memory(int i)
    {
        int begin = i == 0 ? 0 : _nuls[i - 1] + 1;
        return new ReadOnlyMemory<byte>(_blob, _start + begin, _nuls[i] - begin);
    }

    /// <summary>Element <paramref name="i"/> decoded as <see cref="RpmHeader.DecodeString"/> decodes it.</summary>
    public string Decode(int i)
    {
        var bytes = Span(i);
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        // ASCII is Latin-1 is UTF-8: widening each byte is the decoding.
        return IsAscii ? Encoding.Latin1.GetString(bytes)
            : IsUtf8 ? Encoding.UTF8.GetString(bytes)
            : RpmHeader.DecodeString(bytes);
    }

    /// <summary>
    /// Element <paramref name="i"/> decoded as <see cref="Decode"/> decodes it, short ASCII values through the
    /// process's <see cref="RpmInternTable"/>: for values that repeat across packages (dependency names, directories, owners).
    /// </summary>
    public string DecodeInterned(int i)
    {
        var bytes = Span(i);
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        return IsAscii ? RpmInternTable.Ascii(bytes)
            : IsUtf8 ? Encoding.UTF8.GetString(bytes)
            : RpmHeader.DecodeString(bytes);
    }

    /// <summary>
    /// Element <paramref name="i"/> decoded, or the previous result when its bytes are those of the element
    /// <paramref name="cachedIndex"/> decoded last: owner, group and language columns repeat one value per file.
    /// </summary>
    public string DecodeRepeated(int i, ref int cachedIndex, ref string? cached)
    {
        if (cached is not null && Span(i).SequenceEqual(Span(cachedIndex)))
        {
            return cached;
        }

        cachedIndex = i;
        cached = DecodeInterned(i);
        return cached;
    }
}

/// <summary>The values of a validated integer entry, read in place and widened as <see cref="RpmHeader.GetIntegers(int)"/> widens.</summary>
internal readonly struct RpmIntegerColumn
{
    private readonly byte[] _blob;
    private readonly int _start;
    private readonly RpmTagType _type;

    /// <summary>A column of <paramref name="count"/> values of <paramref name="type"/> at <paramref name="start"/> of <paramref name="blob"/>.</summary>
    public RpmIntegerColumn(byte[] blob, int start, int count, RpmTagType type)
    {
        _blob = blob;
        _start = start;
        Count = count;
        _type = type;
    }

    /// <summary>The number of values (0 for an absent entry).</summary>
    public int Count { get; }

    /// <summary>Whether the entry is absent (or empty).</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Value <paramref name="i"/>: INT8/16/32 unsigned, INT64 signed.</summary>
    public long this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)i >= (uint)Count)
            {
                ThrowIndex();
            }

            // The entry was validated to hold Count values inside the blob: read them without a bounds check per value.
            ref byte at = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_blob), _start);
            return _type switch
            {
                RpmTagType.Int32 => BigEndian(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref at, 4 * i))),
                RpmTagType.Int16 => BigEndian(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref at, 2 * i))),
                RpmTagType.Int64 => BigEndian(Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref at, 8 * i))),
                _ => Unsafe.Add(ref at, i),
            };
        }
    }

    /// <summary>
    /// The low 32 bits of values <paramref name="start"/> to <paramref name="start"/> + <c>dest.Length</c> (what
    /// <c>(uint)this[i]</c> gives), one conversion per column instead of a type switch per value: INT32 columns (most
    /// of a file list) are byte-swapped as one vector operation.
    /// </summary>
    public void CopyLow32(int start, Span<uint> dest)
    {
        if ((uint)start > (uint)Count || (uint)dest.Length > (uint)(Count - start))
        {
            ThrowIndex();
        }

        switch (_type)
        {
            case RpmTagType.Int32:
                var words = MemoryMarshal.Cast<byte, uint>(_blob.AsSpan(_start + (4 * start), 4 * dest.Length));
                if (BitConverter.IsLittleEndian)
                {
                    BinaryPrimitives.ReverseEndianness(words, dest);
                }
                else
                {
                    words.CopyTo(dest);
                }

                break;
            case RpmTagType.Int16:
                for (int k = 0; k < dest.Length; k++)
                {
                    dest[k] = BinaryPrimitives.ReadUInt16BigEndian(_blob.AsSpan(_start + (2 * (start + k)), 2));
                }

                break;
            case RpmTagType.Int64:
                for (int k = 0; k < dest.Length; k++)
                {
                    dest[k] = (uint)BinaryPrimitives.ReadInt64BigEndian(_blob.AsSpan(_start + (8 * (start + k)), 8));
                }

                break;
            default:
                var bytes = _blob.AsSpan(_start + start, dest.Length);
                for (int k = 0; k < bytes.Length; k++)
                {
                    dest[k] = bytes[k];
                }

                break;
        }
    }

    /// <summary>Whether the values are 64-bit (signed): then <see cref="CopyLow32"/> drops their high bits.</summary>
    public bool IsInt64 => _type == RpmTagType.Int64;

    private static uint BigEndian(uint value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static ushort BigEndian(ushort value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static long BigEndian(long value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static void ThrowIndex() => throw new IndexOutOfRangeException();
}
