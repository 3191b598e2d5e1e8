namespace Abi.Sdk.Dependencies;

/// <summary>Repository metadata (<c>repomd.xml</c>, <c>primary.xml</c>) is malformed or over the reader's limits.</summary>
public sealed class RepositoryFormatException : AbiSdkFormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The metadata file.</param>
    /// <param name="offset">The position: a byte offset, or for XML the line number.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public RepositoryFormatException(string? fileName, long offset, string reason, Exception? inner = null)
        : base(fileName, offset, reason, inner)
    {
    }
}
