namespace Abi.Sdk.Tests.Api;

/// <summary>
/// Wraps a file and counts the bytes read through the synchronous and the asynchronous path, and can cancel a token
/// after a number of asynchronous reads: proves that an async reader reads asynchronously and honours cancellation
/// mid-way, without timing.
/// </summary>
internal sealed class ProbeStream(Stream inner, CancellationTokenSource? cancelAfter = null, int reads = int.MaxValue) : Stream
{
    private int _asyncReads;

    public long SyncBytes { get; private set; }

    public long AsyncBytes { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        SyncBytes += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (++_asyncReads > reads)
        {
            cancelAfter?.Cancel();
        }

        cancellationToken.ThrowIfCancellationRequested();
        int n = await inner.ReadAsync(buffer, cancellationToken);
        AsyncBytes += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
