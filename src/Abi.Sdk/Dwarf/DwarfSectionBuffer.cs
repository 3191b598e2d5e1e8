using System.Buffers;
using System.Runtime.InteropServices;

namespace Abi.Sdk.Dwarf;

/// <summary>
/// A decompressed section's bytes outside the collected heap, freed when the <see cref="DwarfFile"/> that read it is
/// disposed. A libc debug file inflates to about 7 MB: as a managed array that lands on the large-object heap, where
/// it stays (and keeps its pages) until the next full collection long after the graph was built, and counts against
/// the budget that triggers those collections. Freed here, the pages go back at once (malloc serves such sizes with
/// their own mapping). Like a mapped file, a span asked for after disposal throws instead of reading freed memory.
/// There is no finalizer, on purpose: a span over the bytes does not keep its owner alive, so a finalizer could free
/// them under a reader; an undisposed <see cref="DwarfFile"/> leaks them instead, as it leaks its mapping.
/// </summary>
internal sealed unsafe class DwarfSectionBuffer : MemoryManager<byte>
{
    private nint _address;
    private readonly int _length;

    public DwarfSectionBuffer(int length)
    {
        _length = length;
        _address = (nint)NativeMemory.Alloc((nuint)Math.Max(length, 1));
    }

    public int Length => _length;

    public override Span<byte> GetSpan()
    {
        var p = (byte*)Volatile.Read(ref _address);
        ObjectDisposedException.ThrowIf(p == null, this);
        return new Span<byte>(p, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var p = (byte*)Volatile.Read(ref _address);
        ObjectDisposedException.ThrowIf(p == null, this);
        return new MemoryHandle(p + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        var p = (byte*)Interlocked.Exchange(ref _address, 0);
        if (p != null)
        {
            NativeMemory.Free(p);
        }
    }
}
