using System.Diagnostics.CodeAnalysis;

namespace Abi.Sdk.Rpm;

/// <summary>
/// The one place the RPM readers (lead, headers, file list, payload, OpenPGP key files) raise a format error, as
/// System.Reflection.Metadata's Throw class does: throw sites stay small so the readers' loops inline, and every
/// error names file, offset and reason.
/// </summary>
internal static class RpmThrow
{
    /// <summary>Throws <see cref="RpmFormatException"/>.</summary>
    [DoesNotReturn]
    public static void Format(string? fileName, long offset, string reason) => throw new RpmFormatException(fileName, offset, reason);

    /// <summary>Throws <see cref="OpenPgpKeyException"/> for a key file the key ring reader refuses.</summary>
    [DoesNotReturn]
    public static void Key(string? fileName, long offset, string reason) => throw new OpenPgpKeyException(fileName, offset, reason);
}
