namespace Abi.Sdk.Dwarf;

/// <summary>
/// The DWARF debugging information is malformed: names the file, the section, the byte offset in that section and
/// the reason. <see cref="AbiSdkFormatException.Offset"/> is the offset within <see cref="SectionName"/>.
/// </summary>
public sealed class DwarfFormatException : AbiSdkFormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The file, or <see langword="null"/> for in-memory input.</param>
    /// <param name="sectionName">The section, for example <c>.debug_info</c>.</param>
    /// <param name="offset">The byte offset in the (decompressed) section where the problem was found.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">An underlying exception, if any.</param>
    public DwarfFormatException(string? fileName, string sectionName, long offset, string reason, Exception? inner = null)
        : base(fileName, offset, $"{sectionName}: {reason}", inner)
    {
        SectionName = sectionName;
    }

    /// <summary>The section the offset is in, for example <c>.debug_info</c>.</summary>
    public string SectionName { get; }
}
