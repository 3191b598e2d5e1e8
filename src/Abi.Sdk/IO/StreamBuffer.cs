namespace Abi.Sdk.IO;

/// <summary>Memory to copy the rest of a stream into, sized once from a seekable stream's length.</summary>
internal static class StreamBuffer
{
    // Growing by doubling would hold up to three times the input at once.
    public static MemoryStream For(Stream stream) =>
        stream.CanSeek && stream.Length - stream.Position is > 0 and < int.MaxValue ? new MemoryStream((int)(stream.Length - stream.Position)) : new MemoryStream();
}
