namespace Abi.Sdk.IO;

/// <summary>
/// A failure of .NET's own XML reader that is the input's fault: <c>XmlTextReaderImpl</c> throws
/// <see cref="ArgumentOutOfRangeException"/> (a negative count in <c>Buffer.BlockCopy</c>) while it switches to the
/// encoding a garbled XML declaration names. Found by fuzzing the repository-metadata and ABIXML readers; every reader
/// of XML maps it to its format error with <see cref="Message"/>.
/// </summary>
internal static class XmlReaderFault
{
    /// <summary>The reason given for it.</summary>
    public const string Message = "malformed XML declaration (the XML reader could not switch to its encoding)";

    /// <summary>Whether <paramref name="ex"/> is that failure, thrown from inside <c>System.Xml</c>.</summary>
    public static bool IsGarbledDeclaration(Exception ex)
        => ex is ArgumentOutOfRangeException { ParamName: "count" }
            && ex.StackTrace?.Contains("System.Xml.XmlTextReaderImpl", StringComparison.Ordinal) == true;
}
