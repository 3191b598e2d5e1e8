using System.Runtime.InteropServices;

namespace Abi.Cli.Commands;

/// <summary>
/// Standard output as a write-only stream over file descriptor 1 on Linux, written with <c>write(2)</c> directly.
/// <c>Console.OpenStandardOutput</c> first initialises the terminal (a pipe, terminal queries, a signal-handling
/// thread) even when stdout is a pipe or a file: a visible share of a short run such as <c>abi symbols</c> of one
/// library (issue 17). Errors behave as the console stream's do: a reader gone (EPIPE) drops the rest of the output
/// quietly, so <c>abi ... | head</c> prints no error; any other error is an <see cref="IOException"/>.
/// </summary>
internal sealed partial class StandardOutputStream : Stream
{
    // Linux errno values (the same on every architecture the tool ships for).
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int EPIPE = 32;
    private const short POLLOUT = 4;

    private bool _readerGone;

    private StandardOutputStream()
    {
    }

    /// <summary>fd 1 written directly on Linux; the console's stream elsewhere (the framework-dependent tool runs on any OS).</summary>
    public static Stream Open() => OperatingSystem.IsLinux() ? new StandardOutputStream() : Console.OpenStandardOutput();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty && !_readerGone)
        {
            nint written;
            fixed (byte* bytes = buffer)
            {
                written = write(1, bytes, (nuint)buffer.Length);
            }

            if (written >= 0)
            {
                buffer = buffer[(int)written..];
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case EINTR:
                    break;
                case EPIPE:
                    _readerGone = true;
                    break;
                case EAGAIN:
                    // stdout inherited in non-blocking mode: wait until it can take more, as the console stream does.
                    var descriptor = new PollDescriptor { Fd = 1, Events = POLLOUT };
                    _ = poll(&descriptor, 1, -1);
                    break;
                default:
                    // The console stream's message: strerror's text alone.
                    throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
            }
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int poll(PollDescriptor* descriptors, nuint count, int timeout);
}
