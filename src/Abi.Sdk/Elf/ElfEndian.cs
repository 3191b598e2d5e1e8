using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Abi.Sdk.Elf;

/// <summary>Reads the file's integers in its own class and byte order. Callers check bounds first.</summary>
internal readonly struct ElfEndian(bool bigEndian, bool is64)
{
    public bool BigEndian { get; } = bigEndian;

    public bool Is64 { get; } = is64;

    public int AddressSize => Is64 ? 8 : 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort U16(ReadOnlySpan<byte> s, int offset)
        => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s.Slice(offset, 2)) : BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(offset, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint U32(ReadOnlySpan<byte> s, int offset)
        => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s.Slice(offset, 4)) : BinaryPrimitives.ReadUInt32LittleEndian(s.Slice(offset, 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong U64(ReadOnlySpan<byte> s, int offset)
        => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s.Slice(offset, 8)) : BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(offset, 8));

    /// <summary>An address or offset-sized word: 4 bytes in ELF32, 8 in ELF64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Word(ReadOnlySpan<byte> s, int offset) => Is64 ? U64(s, offset) : U32(s, offset);
}
