using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Abi.Sdk.Dwarf;

/// <summary>Reads DWARF's integers forward through one section, in the file's byte order, every read bounds-checked.</summary>
internal ref struct DwarfCursor
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly DwarfSection _section;
    private readonly bool _big;

    public DwarfCursor(DwarfSection section, ReadOnlySpan<byte> data, int position)
    {
        _section = section;
        _data = data;
        _big = section.BigEndian;
        Position = position;
    }

    public int Position;

    public readonly int Length => _data.Length;

    public readonly ReadOnlySpan<byte> Data => _data;

    public readonly bool AtEnd => Position >= _data.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte U8()
    {
        if ((uint)Position >= (uint)_data.Length)
        {
            throw PastEnd(1);
        }

        return _data[Position++];
    }

    public ushort U16() => _big ? BinaryPrimitives.ReadUInt16BigEndian(Take(2)) : BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint U24()
    {
        var s = Take(3);
        return _big ? (uint)(s[0] << 16 | s[1] << 8 | s[2]) : (uint)(s[2] << 16 | s[1] << 8 | s[0]);
    }

    public uint U32() => _big ? BinaryPrimitives.ReadUInt32BigEndian(Take(4)) : BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong U64() => _big ? BinaryPrimitives.ReadUInt64BigEndian(Take(8)) : BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>An unsigned integer of 1, 2, 4 or 8 bytes: addresses and section offsets.</summary>
    public ulong Sized(int size) => size switch
    {
        1 => U8(),
        2 => U16(),
        4 => U32(),
        8 => U64(),
        _ => throw _section.Error(Position, $"unsupported size {size} for an address or offset"),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Uleb()
    {
        // The common one-byte case inline; longer ones in the loop.
        if ((uint)Position < (uint)_data.Length && _data[Position] < 0x80)
        {
            return _data[Position++];
        }

        return UlebSlow();
    }

    private ulong UlebSlow()
    {
        int start = Position;
        ulong result = 0;
        int shift = 0;
        while (true)
        {
            byte b = U8();
            if (shift < 64)
            {
                result |= (ulong)(b & 0x7f) << shift;
            }
            else if ((b & 0x7f) != 0)
            {
                throw _section.Error(start, "ULEB128 value does not fit in 64 bits");
            }

            shift += 7;
            if ((b & 0x80) == 0)
            {
                return result;
            }

            if (shift > 7 * 20)
            {
                throw _section.Error(start, "ULEB128 value longer than 20 bytes");
            }
        }
    }

    public long Sleb()
    {
        int start = Position;
        long result = 0;
        int shift = 0;
        byte b;
        do
        {
            b = U8();
            if (shift < 64)
            {
                result |= (long)(b & 0x7f) << shift;
            }

            shift += 7;
            if (shift > 7 * 20)
            {
                throw _section.Error(start, "SLEB128 value longer than 20 bytes");
            }
        }
        while ((b & 0x80) != 0);

        if (shift < 64 && (b & 0x40) != 0)
        {
            result |= -1L << shift;
        }

        return result;
    }

    /// <summary>Skips a LEB128 number without decoding it.</summary>
    public void SkipLeb()
    {
        int start = Position;
        while (U8() >= 0x80)
        {
            if (Position - start > 20)
            {
                throw _section.Error(start, "LEB128 value longer than 20 bytes");
            }
        }
    }

    /// <summary>A NUL-terminated string in place: its offset and length, the position moved past the NUL.</summary>
    public (int Start, int Length) CString()
    {
        int start = Position;
        int n = start <= _data.Length ? _data[start..].IndexOf((byte)0) : -1;
        if (n < 0)
        {
            throw _section.Error(start, "string is not NUL-terminated before the end of the section");
        }

        Position = start + n + 1;
        return (start, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(ulong count)
    {
        if (count > (ulong)(_data.Length - Position))
        {
            throw SkipPastEnd(count);
        }

        Position += (int)count;
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_data.Length - Position))
        {
            throw PastEnd(count);
        }

        var s = _data.Slice(Position, count);
        Position += count;
        return s;
    }

    public readonly DwarfFormatException Error(string reason) => _section.Error(Position, reason);

    public readonly DwarfFormatException Error(long offset, string reason) => _section.Error(offset, reason);

    private readonly DwarfFormatException SkipPastEnd(ulong count)
        => _section.Error(Position, $"0x{count:x} bytes run past the end of the section (0x{_data.Length:x} bytes)");

    private readonly DwarfFormatException PastEnd(int count)
        => _section.Error(Position, $"reading {count} byte(s) runs past the end of the section (0x{_data.Length:x} bytes)");
}
