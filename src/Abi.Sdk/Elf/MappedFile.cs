using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Abi.Sdk.IO;

namespace Abi.Sdk.Elf;

/// <summary>
/// A read-only memory-mapped file exposed as <see cref="Memory{T}"/>. Spans taken from it are valid until it is
/// disposed; after that <see cref="GetSpan"/> throws <see cref="ObjectDisposedException"/> instead of reading freed memory.
/// </summary>
internal sealed unsafe class MappedFile : MemoryManager<byte>
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private readonly int _length;
    private int _disposed;
    private readonly Lock _dropLock = new();

    private MappedFile(MemoryMappedFile? file, MemoryMappedViewAccessor? view, byte* pointer, int length)
    {
        _file = file;
        _view = view;
        _pointer = pointer;
        _length = length;
    }

    public static MappedFile Open(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            return OpenMapped(path);
        }

        // Regular files only: a FIFO would block the open, a device would never end.
        using var stream = IO.RegularFile.OpenRead(path, 1);
        return Open(stream, path);
    }

    /// <summary>
    /// Linux: open, statx (type and size), mmap, close: four system calls where a <see cref="FileStream"/> and a
    /// <see cref="MemoryMappedFile"/> make ten (fstat twice, lseek three times, madvise); <c>abi compat</c> maps
    /// some 3,000 files for the programs of /usr/bin.
    /// </summary>
    private static MappedFile OpenMapped(string path)
    {
        // Regular files only: a FIFO would block the open, a device would never end.
        using var handle = IO.RegularFile.OpenHandle(path, out long length);
        if (length > int.MaxValue)
        {
            ElfThrow.Format(path, 0, $"file of {length} bytes is larger than the 2 GiB this reader maps");
        }

        if (length == 0)
        {
            return new MappedFile(null, null, null, 0);
        }

        nint address = LinuxMemory.Mmap(0, (nuint)length, LinuxMemory.ProtRead, LinuxMemory.MapPrivate, (int)handle.DangerousGetHandle(), 0);
        if (address == -1)
        {
            throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return new MappedFile(null, null, (byte*)address, (int)length) { _unmapOnDispose = true };
    }

    /// <summary>
    /// Mapped by <see cref="OpenMapped"/>: unmapped with munmap, not through a view. No finalizer (a span may still
    /// point into the mapping); a view's pointer, acquired for the mapping's life, was not released by one either.
    /// </summary>
    private bool _unmapOnDispose;

    /// <summary>Maps a file the caller opened (and checked); the stream may be disposed afterwards.</summary>
    public static MappedFile Open(FileStream stream, string path)
    {
        long length = stream.Length;
        if (length > int.MaxValue)
        {
            ElfThrow.Format(path, 0, $"file of {length} bytes is larger than the 2 GiB this reader maps");
        }

        if (length == 0)
        {
            return new MappedFile(null, null, null, 0);
        }

        var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new MappedFile(file, view, pointer + view.PointerOffset, (int)length);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Hands the resident pages wholly inside <paramref name="range"/> back to the kernel when it is part of a mapped
    /// file (for example a compressed section once inflated): they leave the process's resident set and stay in the
    /// page cache, so a later read faults them in again with the same bytes. Anything else is left alone.
    /// </summary>
    public static void DropPages(ReadOnlyMemory<byte> range)
    {
        if (!OperatingSystem.IsLinux() || !MemoryMarshal.TryGetMemoryManager(range, out MappedFile? file, out int start, out int length) || length == 0)
        {
            return;
        }

        lock (file._dropLock)
        {
            if (Volatile.Read(ref file._disposed) != 0)
            {
                return;
            }

            nint page = Environment.SystemPageSize;
            nint first = ((nint)(file._pointer + start) + page - 1) & ~(page - 1);
            nint end = ((nint)(file._pointer + start) + length) & ~(page - 1);
            if (end > first)
            {
                // A hint: when it fails the pages simply stay resident.
                _ = LinuxMemory.Madvise(first, (nuint)(end - first), LinuxMemory.MadviseDontNeed);
            }
        }
    }

    /// <summary>True once the mapping was released: a reader that keeps the span's address checks this instead of calling <see cref="GetSpan"/>.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new Span<byte>(_pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        // Not while DropPages advises on the mapping (it must never reach an address unmapped and reused since).
        lock (_dropLock)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
        }

        if (_unmapOnDispose)
        {
            _ = LinuxMemory.Munmap((nint)_pointer, (nuint)_length);
        }

        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _file?.Dispose();
    }
}
