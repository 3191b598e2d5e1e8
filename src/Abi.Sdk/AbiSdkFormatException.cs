namespace Abi.Sdk;

/// <summary>
/// The base of every "this input is malformed" error in Abi.Sdk. Each format has its own subtype
/// (<see cref="Elf.ElfFormatException"/>, …) carrying the file, the byte offset and the reason.
/// </summary>
public abstract class AbiSdkFormatException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The file (or a caller-supplied label for in-memory input); may be <see langword="null"/>.</param>
    /// <param name="offset">The byte offset in the input where the problem was found.</param>
    /// <param name="reason">What is wrong, in a short phrase.</param>
    /// <param name="inner">An underlying exception, if any.</param>
    protected AbiSdkFormatException(string? fileName, long offset, string reason, Exception? inner = null)
        : base(Format(fileName, offset, reason), inner)
    {
        FileName = fileName;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Creates the error with a message worded by the format (rpm's own wording, for example).</summary>
    /// <param name="message">The whole message.</param>
    /// <param name="fileName">The file (or a caller-supplied label for in-memory input); may be <see langword="null"/>.</param>
    /// <param name="offset">The offset in the input where the problem was found.</param>
    /// <param name="reason">What is wrong, in a short phrase.</param>
    /// <param name="inner">An underlying exception, if any.</param>
    protected AbiSdkFormatException(string message, string? fileName, long offset, string reason, Exception? inner)
        : base(message, inner)
    {
        FileName = fileName;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>The file the input came from, or <see langword="null"/> for anonymous in-memory input.</summary>
    public string? FileName { get; }

    /// <summary>The byte offset in the input where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }

    private static string Format(string? fileName, long offset, string reason)
        => $"{fileName ?? "<memory>"}: offset 0x{offset:x}: {reason}";
}
