using System.IO.Compression;
using Abi.Sdk.IO;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.LZMA;
using SharpCompress.Compressors.Xz;
using ZstdSharp;

namespace Abi.Sdk.Rpm;

/// <summary>The compression of an rpm payload, as detected from its first bytes.</summary>
public enum RpmPayloadCompression
{
    /// <summary>Uncompressed cpio.</summary>
    None,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip,

    /// <summary>bzip2.</summary>
    Bzip2,

    /// <summary>xz.</summary>
    Xz,

    /// <summary>Legacy lzma ("LZMA alone").</summary>
    Lzma,

    /// <summary>Zstandard.</summary>
    Zstd,
}

/// <summary>Detects payload compression by magic bytes and opens the matching decoder.</summary>
internal static class PayloadDecoders
{
    public static RpmPayloadCompression Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]))
        {
            return RpmPayloadCompression.Gzip;
        }

        if (head.StartsWith("BZh"u8))
        {
            return RpmPayloadCompression.Bzip2;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
        {
            return RpmPayloadCompression.Xz;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
        {
            return RpmPayloadCompression.Zstd;
        }

        if (head.StartsWith("07070"u8))
        {
            return RpmPayloadCompression.None;
        }

        // LZMA alone: a properties byte below 225 (lc/lp/pb), then a dictionary size; rpm writes 0x5d.
        if (head.Length >= 13 && head[0] == 0x5d && head[1] == 0x00)
        {
            return RpmPayloadCompression.Lzma;
        }

        return (RpmPayloadCompression)(-1);
    }

    public static Stream Open(RpmPayloadCompression compression, Stream raw) => compression switch
    {
        RpmPayloadCompression.None => raw,
        RpmPayloadCompression.Gzip => new GZipStream(raw, CompressionMode.Decompress, leaveOpen: false),
        RpmPayloadCompression.Bzip2 => BZip2Stream.Create(raw, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: false, tolerateTruncatedStream: false),
        RpmPayloadCompression.Xz => new XZStream(raw),
        RpmPayloadCompression.Zstd => new DecompressionStream(raw, 1 << 17, checkEndOfStream: true, leaveOpen: false),
        RpmPayloadCompression.Lzma => OpenLzma(raw),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };

    private static Stream OpenLzma(Stream raw)
    {
        var header = new byte[13];
        raw.ReadExactly(header);
        long size = BitConverter.ToInt64(header, 5);
        return LzmaStream.Create(header[..5], raw, -1, size < 0 ? -1 : size, leaveOpen: false);
    }
}

/// <summary>Replays a few already-read bytes before the rest of a stream (for magic detection on unseekable input).</summary>
internal sealed class PrefixedStream(byte[] prefix, Stream inner, bool leaveOpen) : ReadOnlyForwardStream
{
    private int _prefixPosition;
    private long _position;

    protected override long BytesRead => _position;

    public override int Read(Span<byte> buffer)
    {
        // Fill the buffer as far as the input allows: some decoders (SharpCompress) treat a short read as the end.
        int n = 0;
        if (_prefixPosition < prefix.Length)
        {
            n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
            prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
            _prefixPosition += n;
        }

        if (n < buffer.Length)
        {
            n += inner.ReadAtLeast(buffer[n..], buffer.Length - n, throwOnEndOfStream: false);
        }

        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = 0;
        if (_prefixPosition < prefix.Length)
        {
            n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
            prefix.AsMemory(_prefixPosition, n).CopyTo(buffer);
            _prefixPosition += n;
        }

        if (n < buffer.Length)
        {
            n += await inner.ReadAtLeastAsync(buffer[n..], buffer.Length - n, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }

        _position += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
