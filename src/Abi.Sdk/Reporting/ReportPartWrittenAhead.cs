using System.Buffers;
using System.Collections.Concurrent;

namespace Abi.Sdk.Reporting;

/// <summary>
/// A later part of a report written on another thread while the caller writes the parts before it: the part's bytes
/// wait in a bounded queue of chunks (at most <see cref="MaxChunks"/> of them, so memory stays bounded whatever the
/// report's size) until <see cref="CopyTo"/> hands them to the destination, in order. The JSON report of a large
/// diff writes its diagnostics this way while the removed and added lists are sorted and written.
/// </summary>
internal sealed class ReportPartWrittenAhead : IDisposable
{
    private const int MaxChunks = 256; // 16 MiB of 64 KiB chunks
    private readonly BlockingCollection<(byte[] Buffer, int Count)> _chunks = new(MaxChunks);
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task _task;

    /// <summary>Starts writing the part.</summary>
    /// <param name="write">Writes the part to the stream it is given.</param>
    public ReportPartWrittenAhead(Action<Stream> write)
    {
        _task = Task.Run(() =>
        {
            try
            {
                using var stream = new QueueStream(this);
                write(stream);
            }
            finally
            {
                _chunks.CompleteAdding();
            }
        });
    }

    /// <summary>Writes the part to <paramref name="destination"/> as it becomes ready; then rethrows what the writer threw.</summary>
    public void CopyTo(Stream destination)
    {
        foreach (var (buffer, count) in _chunks.GetConsumingEnumerable())
        {
            destination.Write(buffer, 0, count);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _task.GetAwaiter().GetResult();
    }

    /// <summary>Stops the writer if the part was not copied (the caller failed first) and returns the chunks.</summary>
    public void Dispose()
    {
        _cancel.Cancel();
        try
        {
            _task.Wait();
        }
        catch (AggregateException)
        {
            // Cancelled, or failed after the caller failed: the caller's exception is the one that propagates.
        }

        while (_chunks.TryTake(out var chunk))
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }

        _chunks.Dispose();
        _cancel.Dispose();
    }

    private sealed class QueueStream(ReportPartWrittenAhead owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.IsEmpty)
            {
                return;
            }

            var chunk = ArrayPool<byte>.Shared.Rent(buffer.Length);
            buffer.CopyTo(chunk);
            try
            {
                owner._chunks.Add((chunk, buffer.Length), owner._cancel.Token);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(chunk);
                throw;
            }
        }
    }
}
