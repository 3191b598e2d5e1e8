using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Dwarf;

/// <summary>
/// One DWARF section's bytes (decompressed when the file compresses it), with what an error must name. Inflated bytes
/// live in a <see cref="DwarfSectionBuffer"/> that <see cref="Release"/> frees.
/// </summary>
/// <remarks>
/// A walk makes a cursor for every DIE and attribute (libc: millions): asking the memory's manager for its span each
/// time was ~5 % of a type-graph build. The section keeps where its bytes are instead (an array, its own inflated
/// buffer, or a mapped file whose disposal it checks), and still throws <see cref="ObjectDisposedException"/> after its
/// bytes were freed or unmapped, as the managers do.
/// </remarks>
internal sealed unsafe class DwarfSection
{
    private readonly byte[]? _array;
    private readonly MappedFile? _mapped;
    private readonly ReadOnlyMemory<byte> _other;
    private readonly IDisposable? _buffer;
    private byte* _pointer;
    private readonly int _start;
    private volatile bool _released;

    public DwarfSection(string name, ReadOnlyMemory<byte> data, string? fileName, bool bigEndian, IDisposable? buffer = null)
    {
        Name = name;
        Data = data;
        FileName = fileName;
        BigEndian = bigEndian;
        Length = data.Length;
        _buffer = buffer;
        if (MemoryMarshal.TryGetArray(data, out var segment))
        {
            _array = segment.Array;
            _start = segment.Offset;
        }
        else if (buffer is DwarfSectionBuffer owned && MemoryMarshal.TryGetMemoryManager(data, out DwarfSectionBuffer? manager, out int start, out _)
            && ReferenceEquals(owned, manager))
        {
            // Freed only by Release, which forgets the pointer first.
            _pointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(owned.GetSpan())) + start;
        }
        else if (MemoryMarshal.TryGetMemoryManager(data, out MappedFile? file, out int fileStart, out _))
        {
            _mapped = file;
            _pointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(file.GetSpan())) + fileStart;
        }
        else
        {
            _other = data;
        }
    }

    public static DwarfSection Empty(string name, string? fileName, bool bigEndian) => new(name, ReadOnlyMemory<byte>.Empty, fileName, bigEndian);

    public string Name { get; }

    public ReadOnlyMemory<byte> Data { get; }

    public string? FileName { get; }

    public bool BigEndian { get; }

    /// <summary>A value of 1, 2, 4 or 8 bytes taken from this section, in its byte order (a reference compared in place).</summary>
    public ulong Unsigned(ReadOnlySpan<byte> value) => value.Length switch
    {
        1 => value[0],
        2 => BigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(value) : System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(value),
        4 => BigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(value) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(value),
        8 => BigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(value) : System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(value),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.Length, "a reference has 1, 2, 4 or 8 bytes"),
    };

    public int Length { get; }

    /// <summary>The bytes, without asking a memory manager: an array's, the inflated buffer's, or the mapping's.</summary>
    /// <exception cref="ObjectDisposedException">The bytes were freed (<see cref="Release"/>) or their file unmapped.</exception>
    public ReadOnlySpan<byte> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_array is { } array)
            {
                return new ReadOnlySpan<byte>(array, _start, Length);
            }

            if (_released || (_mapped is { } mapped && mapped.IsDisposed))
            {
                ThrowDisposed();
            }

            return _pointer != null ? new ReadOnlySpan<byte>(_pointer, Length) : _other.Span;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DwarfCursor Cursor(long position)
    {
        if ((ulong)position > (ulong)Length)
        {
            throw PastEnd(position);
        }

        return new DwarfCursor(this, Span, (int)position);
    }

    /// <summary>Frees the inflated bytes, if the section owns any (its reader is being disposed).</summary>
    public void Release()
    {
        if (_buffer is null)
        {
            return;
        }

        _released = true;
        _pointer = null;
        _buffer.Dispose();
    }

    public DwarfFormatException Error(long offset, string reason) => new(FileName, Name, offset, reason);

    private DwarfFormatException PastEnd(long position) => Error(position, $"offset 0x{position:x} is past the end of the section (0x{Length:x} bytes)");

    private void ThrowDisposed() => throw new ObjectDisposedException(FileName ?? Name, $"the bytes of {Name} were freed: the DWARF reader (or its ELF image) was disposed");
}
