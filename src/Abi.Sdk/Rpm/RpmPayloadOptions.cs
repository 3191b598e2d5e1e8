namespace Abi.Sdk.Rpm;

/// <summary>Limits for reading and extracting a payload.</summary>
public sealed record RpmPayloadOptions
{
    /// <summary>The defaults: a 64 GiB cap, the declared archive size enforced.</summary>
    public static RpmPayloadOptions Default { get; } = new();

    /// <summary>The most decompressed bytes read before the payload is refused as a decompression bomb (default 64 GiB).</summary>
    public long MaxDecompressedSize { get; init; } = 64L << 30;

    /// <summary>
    /// Whether to refuse a payload that decompresses past the archive size its signature declares
    /// (PAYLOADSIZE/LONGARCHIVESIZE), when it declares one. Default <see langword="true"/>.
    /// </summary>
    public bool EnforceDeclaredSize { get; init; } = true;

    /// <summary>
    /// Whether <see cref="RpmPackage.ExtractTo"/> skips checking the header and payload digests first. Default
    /// <see langword="false"/>: a package whose digests fail (as <c>rpm -K --nosignature</c> judges) is refused.
    /// </summary>
    public bool SkipDigestVerification { get; init; }
}
