using System.Buffers;
using System.Runtime.InteropServices;
using Abi.Sdk.IO;

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
    /// <summary>A transparent huge page on x86-64 and arm64 (4 KB base pages).</summary>
    private const int HugePage = 2 << 20;

    private nint _address;
    private readonly int _length;

    /// <summary>The length of the anonymous mapping at <see cref="_address"/>, or 0 when the bytes came from malloc.</summary>
    private readonly nuint _mapped;

    public DwarfSectionBuffer(int length)
    {
        _length = length;
        nint address = length >= HugePage && OperatingSystem.IsLinux() ? MapHuge(length, out _mapped) : 0;
        _address = address != 0 ? address : (nint)NativeMemory.Alloc((nuint)Math.Max(length, 1));
    }

    public int Length => _length;

    /// <summary>
    /// An anonymous mapping of <paramref name="length"/> bytes starting on a 2 MB boundary, advised for transparent
    /// huge pages: the inflater writes every byte of it once, so each 2 MB is one page fault (and one cleared huge
    /// page) instead of 512 — a libc's .debug_info is 5.8 MB, 1,415 faults in 4 KB pages, 3 in 2 MB ones
    /// (docs/perf-abi.md "The cold glibc pair: system time and memory"). Where THP is off the advice is ignored and
    /// the pages are ordinary ones. 0 when the mapping fails (malloc is tried instead).
    /// </summary>
    private static nint MapHuge(int length, out nuint mapped)
    {
        nuint page = (nuint)Environment.SystemPageSize;
        mapped = ((nuint)length + page - 1) & ~(page - 1);
        if (mapped % HugePage >= HugePage / 2)
        {
            // A tail of 1 MB or more is one more huge page (at most 1 MB unused) rather than 256 or more small ones.
            mapped = (mapped + HugePage - 1) & ~(nuint)(HugePage - 1);
        }

        nint raw = LinuxMemory.Mmap(0, mapped + HugePage, LinuxMemory.ProtReadWrite, LinuxMemory.MapPrivateAnonymous, -1, 0);
        if (raw == -1)
        {
            mapped = 0;
            return 0;
        }

        // Keep the 2 MB-aligned part; the slack before and after goes back at once.
        nint start = (raw + HugePage - 1) & ~(nint)(HugePage - 1);
        if (start > raw)
        {
            _ = LinuxMemory.Munmap(raw, (nuint)(start - raw));
        }

        nint end = start + (nint)mapped, rawEnd = raw + (nint)(mapped + HugePage);
        if (rawEnd > end)
        {
            _ = LinuxMemory.Munmap(end, (nuint)(rawEnd - end));
        }

        // A hint: when it fails the pages are ordinary ones.
        _ = LinuxMemory.Madvise(start, mapped, LinuxMemory.MadviseHugePage);
        return start;
    }

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
        if (p == null)
        {
            return;
        }

        if (_mapped != 0)
        {
            _ = LinuxMemory.Munmap((nint)p, _mapped);
        }
        else
        {
            NativeMemory.Free(p);
        }
    }
}
