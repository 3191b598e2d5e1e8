namespace Abi.Sdk.IO;

/// <summary>Memory to copy the rest of a stream into, sized once from a seekable stream's length.</summary>
internal static class StreamBuffer
{
    // Growing by doubling would hold up to three times the input at once.
    public static MemoryStream For(Stream stream) =>
        stream.CanSeek && stream.Length - stream.Position is > 0 and < int.MaxValue ? new MemoryStream((int)(stream.Length - stream.Position)) : new MemoryStream();

    /// <summary>The rest of <paramref name="stream"/>, in memory: what the <c>Read(Stream)</c> of an in-memory reader parses.</summary>
    public static ReadOnlyMemory<byte> ReadToEnd(Stream stream)
    {
        using var buffer = For(stream);
        stream.CopyTo(buffer);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>The rest of <paramref name="stream"/>, read into memory with asynchronous reads.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = For(stream);
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
