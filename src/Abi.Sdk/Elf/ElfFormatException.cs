namespace Abi.Sdk.Elf;

/// <summary>The input is not a well-formed ELF file: names the file, the byte offset and the reason.</summary>
public sealed class ElfFormatException : AbiSdkFormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The file, or <see langword="null"/> for in-memory input.</param>
    /// <param name="offset">The byte offset where the problem was found.</param>
    /// <param name="reason">What is wrong.</param>
    public ElfFormatException(string? fileName, long offset, string reason)
        : base(fileName, offset, reason)
    {
    }
}
