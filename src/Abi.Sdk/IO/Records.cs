using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Abi.Sdk.IO;

/// <summary>Writes a little-endian record of fixed-size integers, length-prefixed UTF-8 strings and raw bytes.</summary>
internal sealed class RecordWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void Bytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void Byte(byte value) => _buffer.Write([value]);

    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Int32(bytes.Length);
        _buffer.Write(bytes);
    }
}

/// <summary>Reads what <see cref="RecordWriter"/> wrote; running past the end throws <see cref="InvalidDataException"/>.</summary>
internal ref struct RecordReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _offset;

    public readonly bool AtEnd => _offset == _data.Length;

    /// <summary>How many bytes were read so far.</summary>
    public readonly int Position => _offset;

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > _data.Length - _offset)
        {
            throw new InvalidDataException($"record ends early at offset {_offset}");
        }

        var span = _data.Slice(_offset, count);
        _offset += count;
        return span;
    }

    public byte Byte() => Bytes(1)[0];

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

    public string String() => Encoding.UTF8.GetString(Bytes(Int32()));
}
