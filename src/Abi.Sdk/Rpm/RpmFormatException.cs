namespace Abi.Sdk.Rpm;

/// <summary>The input is not a well-formed RPM package (lead, headers, payload or cpio archive): names the file, the byte offset and the reason.</summary>
public sealed class RpmFormatException : AbiSdkFormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The file, or <see langword="null"/> for in-memory input.</param>
    /// <param name="offset">The byte offset where the problem was found (in the payload: the offset in the decompressed archive).</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">An underlying exception, if any (for example a decompressor's error).</param>
    public RpmFormatException(string? fileName, long offset, string reason, Exception? inner = null)
        : base(fileName, offset, reason, inner)
    {
    }
}
