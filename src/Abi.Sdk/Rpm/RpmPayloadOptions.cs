namespace Abi.Sdk.Rpm;

/// <summary>Limits for reading and extracting a payload.</summary>
public sealed record RpmPayloadOptions
{
    /// <summary>The defaults: a 64 GiB cap, the declared archive size enforced, setuid/setgid/sticky bits dropped.</summary>
    public static RpmPayloadOptions Default { get; } = new();

    /// <summary>The most decompressed bytes read before the payload is refused as a decompression bomb (default 64 GiB), whatever the package declares.</summary>
    public long MaxDecompressedSize { get; init; } = 64L << 30;

    /// <summary>
    /// Whether to bound the payload by what the package declares (default <see langword="true"/>): the archive size of
    /// its signature or header (PAYLOADSIZE/LONGARCHIVESIZE/ARCHIVESIZE) plus the 124-byte cpio trailer that older rpm
    /// builds did not count, or, when it declares none (rpm 6 packages), the most its file list allows (file sizes,
    /// names, link targets and cpio headers).
    /// </summary>
    public bool EnforceDeclaredSize { get; init; } = true;

    /// <summary>
    /// Whether extraction keeps the setuid, setgid and sticky bits (as <c>tar --preserve-permissions</c> and
    /// <c>cpio</c> do). Default <see langword="false"/>: only the read/write/execute bits are applied.
    /// </summary>
    public bool PreserveSpecialModeBits { get; init; }

    /// <summary>
    /// Whether <see cref="RpmPackage.ExtractTo"/> skips checking the header and payload digests first. Default
    /// <see langword="false"/>: a package whose digests fail (as <c>rpm -K --nosignature</c> judges) is refused.
    /// </summary>
    public bool SkipDigestVerification { get; init; }
}
