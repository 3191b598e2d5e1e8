namespace Abi.Sdk.IO;

/// <summary>
/// The shape shared by the SDK's decoding streams: read-only, forward-only, position = bytes read so far.
/// Derived streams implement <see cref="Read(Span{byte})"/> and say how far they are.
/// </summary>
internal abstract class ReadOnlyForwardStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    // Some decoders (SharpCompress's XZStream) read Position to track block boundaries.
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    /// <summary>How many bytes this stream has produced.</summary>
    protected abstract long BytesRead { get; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public abstract override int Read(Span<byte> buffer);

    // Stream's defaults would run Read on the thread pool; a stream over memory answers at once, a stream over I/O
    // overrides ReadAsync(Memory) to pass the asynchronous read down.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return new ValueTask<int>(Read(buffer.Span));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
