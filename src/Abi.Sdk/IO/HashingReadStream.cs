using System.Security.Cryptography;

namespace Abi.Sdk.IO;

/// <summary>
/// Passes reads through from another stream and hashes (SHA-256) every byte it hands out, so the digest is of exactly
/// the bytes a decoder consumed: no second read of the file that could see other bytes.
/// </summary>
internal sealed class HashingReadStream(Stream inner) : ReadOnlyForwardStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;

    protected override long BytesRead => _read;

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        _read += n;
        return n;
    }

    /// <summary>Reads the rest of the stream and returns the digest of all its bytes and their count.</summary>
    public (byte[] Digest, long Length) Finish(CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (Read(buffer) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return (_hash.GetHashAndReset(), _read);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
