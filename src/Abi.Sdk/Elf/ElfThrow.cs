using System.Diagnostics.CodeAnalysis;

namespace Abi.Sdk.Elf;

/// <summary>
/// The one place the ELF reader raises its errors, as System.Reflection.Metadata's Throw class does: throw sites
/// stay small so the symbol loops inline, a format error always names file, offset and reason, and a disposed
/// image always fails the same way.
/// </summary>
internal static class ElfThrow
{
    /// <summary>Throws <see cref="ElfFormatException"/>.</summary>
    [DoesNotReturn]
    public static void Format(string? fileName, long offset, string reason) => throw new ElfFormatException(fileName, offset, reason);

    /// <summary>Throws <see cref="ObjectDisposedException"/> for a disposed image, naming its file.</summary>
    [DoesNotReturn]
    public static void Disposed(ElfImage image) =>
        throw new ObjectDisposedException(nameof(ElfImage), $"the ELF image {image.FileName ?? "<memory>"} was disposed (its file is unmapped): read symbols, names and versions before disposing it");
}
