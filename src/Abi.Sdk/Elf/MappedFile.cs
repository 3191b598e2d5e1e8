using System.Buffers;
using System.IO.MemoryMappedFiles;

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

    private MappedFile(MemoryMappedFile? file, MemoryMappedViewAccessor? view, byte* pointer, int length)
    {
        _file = file;
        _view = view;
        _pointer = pointer;
        _length = length;
    }

    public static MappedFile Open(string path)
    {
        // Regular files only: a FIFO would block the open, a device would never end.
        using var stream = IO.RegularFile.OpenRead(path, 1);
        return Open(stream, path);
    }

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
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _file?.Dispose();
    }
}
