using System.Collections.Immutable;

namespace Abi.Sdk.Rpm;

/// <summary>
/// An rpm package (format v3/v4 and rpm 6's v6): the lead, the signature header, the main header and a way to read
/// the payload. Reading a package reads only its headers; everything is decoded lazily. Immutable and thread-safe.
/// </summary>
public sealed class RpmPackage
{
    private readonly string? _path;
    private readonly ReadOnlyMemory<byte> _memory;
    private ImmutableArray<RpmFile> _files;
    private ImmutableArray<RpmDependency>[]? _dependencies;

    private RpmPackage(RpmLead lead, RpmHeader signature, RpmHeader header, long payloadOffset, string? path, ReadOnlyMemory<byte> memory)
    {
        Lead = lead;
        Signature = signature;
        Header = header;
        PayloadOffset = payloadOffset;
        _path = path;
        _memory = memory;
    }

    /// <summary>The file the package was read from, or <see langword="null"/> for in-memory input.</summary>
    public string? FileName => Header.FileName;

    /// <summary>The lead.</summary>
    public RpmLead Lead { get; }

    /// <summary>The signature header (its tags are <see cref="RpmSignatureTag"/>).</summary>
    public RpmHeader Signature { get; }

    /// <summary>The main header (its tags are <see cref="RpmTag"/>).</summary>
    public RpmHeader Header { get; }

    /// <summary>The offset of the (compressed) payload in the file.</summary>
    public long PayloadOffset { get; }

    /// <summary>The package format: 6 for rpm 6 packages (RPMFORMAT tag), else the lead's major version (3 or 4).</summary>
    public int FormatVersion => (int)(Header.GetInteger(RpmTag.RpmFormat) ?? Lead.Major);

    /// <summary>The name.</summary>
    public string Name => Header.GetString(RpmTag.Name) ?? string.Empty;

    /// <summary>The epoch, or <see langword="null"/> when the package has none.</summary>
    public long? Epoch => Header.GetInteger(RpmTag.Epoch);

    /// <summary>The version.</summary>
    public string Version => Header.GetString(RpmTag.Version) ?? string.Empty;

    /// <summary>The release.</summary>
    public string Release => Header.GetString(RpmTag.Release) ?? string.Empty;

    /// <summary>The architecture (<c>x86_64</c>, <c>noarch</c>…; source packages carry the build architecture).</summary>
    public string Arch => Header.GetString(RpmTag.Arch) ?? string.Empty;

    /// <summary>Name, epoch, version, release and architecture.</summary>
    public RpmNevra Nevra => new(Name, Epoch, Version, Release, Arch);

    /// <summary>The package's <c>[epoch:]version-release</c>.</summary>
    public Evr Evr => Nevra.Evr;

    /// <summary>Whether this is a source package (as rpm decides: SOURCEPACKAGE set, or no SOURCERPM).</summary>
    public bool IsSource => Header.Contains(RpmTag.SourcePackage) || !Header.Contains(RpmTag.SourceRpm);

    /// <summary>The one-line summary (first locale).</summary>
    public string? Summary => Header.GetString(RpmTag.Summary);

    /// <summary>The description (first locale).</summary>
    public string? Description => Header.GetString(RpmTag.Description);

    /// <summary>The license.</summary>
    public string? License => Header.GetString(RpmTag.License);

    /// <summary>The upstream URL.</summary>
    public string? Url => Header.GetString(RpmTag.Url);

    /// <summary>The vendor.</summary>
    public string? Vendor => Header.GetString(RpmTag.Vendor);

    /// <summary>The packager.</summary>
    public string? Packager => Header.GetString(RpmTag.Packager);

    /// <summary>The build host.</summary>
    public string? BuildHost => Header.GetString(RpmTag.BuildHost);

    /// <summary>The source package this was built from (absent in source packages).</summary>
    public string? SourceRpm => Header.GetString(RpmTag.SourceRpm);

    /// <summary>The build time, or <see langword="null"/>.</summary>
    public DateTimeOffset? BuildTime => Header.GetInteger(RpmTag.BuildTime) is { } t ? DateTimeOffset.FromUnixTimeSeconds(t) : null;

    /// <summary>The payload compressor the header names (<c>gzip</c> when absent, as rpm assumes).</summary>
    public string PayloadCompressor => Header.GetString(RpmTag.PayloadCompressor) ?? "gzip";

    /// <summary>The uncompressed payload size the signature (or header) declares, or <see langword="null"/>.</summary>
    public long? DeclaredArchiveSize => Signature.GetInteger(RpmSignatureTag.LongArchiveSize)
        ?? Signature.GetInteger(RpmSignatureTag.PayloadSize)
        ?? Header.GetInteger(RpmTag.LongArchiveSize)
        ?? Header.GetInteger(RpmTag.ArchiveSize);

    /// <summary><c>Provides:</c>.</summary>
    public ImmutableArray<RpmDependency> Provides => GetDependencies(RpmDependencyKind.Provides);

    /// <summary><c>Requires:</c> (with all scriptlet qualifiers and rpmlib() features).</summary>
    public ImmutableArray<RpmDependency> Requires => GetDependencies(RpmDependencyKind.Requires);

    /// <summary><c>Conflicts:</c>.</summary>
    public ImmutableArray<RpmDependency> Conflicts => GetDependencies(RpmDependencyKind.Conflicts);

    /// <summary><c>Obsoletes:</c>.</summary>
    public ImmutableArray<RpmDependency> Obsoletes => GetDependencies(RpmDependencyKind.Obsoletes);

    /// <summary><c>Recommends:</c> (including legacy strong suggests).</summary>
    public ImmutableArray<RpmDependency> Recommends => GetDependencies(RpmDependencyKind.Recommends);

    /// <summary><c>Suggests:</c> (including legacy weak suggests).</summary>
    public ImmutableArray<RpmDependency> Suggests => GetDependencies(RpmDependencyKind.Suggests);

    /// <summary><c>Supplements:</c> (including legacy strong enhances).</summary>
    public ImmutableArray<RpmDependency> Supplements => GetDependencies(RpmDependencyKind.Supplements);

    /// <summary><c>Enhances:</c> (including legacy weak enhances).</summary>
    public ImmutableArray<RpmDependency> Enhances => GetDependencies(RpmDependencyKind.Enhances);

    /// <summary><c>OrderWithRequires:</c>.</summary>
    public ImmutableArray<RpmDependency> OrderWithRequires => GetDependencies(RpmDependencyKind.OrderWithRequires);

    /// <summary>The files, in header order.</summary>
    /// <exception cref="RpmFormatException">The file arrays disagree in length or a directory index is out of range.</exception>
    public ImmutableArray<RpmFile> Files
    {
        get
        {
            if (_files.IsDefault)
            {
                _files = RpmFileList.Build(this);
            }

            return _files;
        }
    }

    /// <summary>Reads a package's lead and headers from a file; the payload is read only on demand.</summary>
    /// <param name="path">The package file.</param>
    /// <returns>The package.</returns>
    /// <exception cref="RpmFormatException">The lead or a header is malformed.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static RpmPackage Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = IO.RegularFile.OpenRead(path, 1 << 14);
        return ReadCore(stream, path, path, default);
    }

    /// <summary>
    /// Reads a package's lead and headers from a stream, leaving it positioned at the payload
    /// (read it with <see cref="OpenPayload(Stream, bool, RpmPayloadOptions?)"/>).
    /// </summary>
    /// <param name="stream">The stream, positioned at the lead.</param>
    /// <param name="fileName">A name for error messages, or <see langword="null"/>.</param>
    /// <returns>The package.</returns>
    /// <exception cref="RpmFormatException">The lead or a header is malformed.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static RpmPackage Read(Stream stream, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadCore(stream, fileName, null, default);
    }

    /// <summary>
    /// Reads a package's lead and headers from a stream asynchronously, leaving it positioned at the payload
    /// (read it with <see cref="OpenPayload(Stream, bool, RpmPayloadOptions?)"/> and
    /// <see cref="RpmPayloadReader.GetNextEntryAsync"/>).
    /// </summary>
    /// <param name="stream">The stream, positioned at the lead.</param>
    /// <param name="fileName">A name for error messages, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The package.</returns>
    /// <exception cref="RpmFormatException">The lead or a header is malformed.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<RpmPackage> ReadAsync(Stream stream, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return await ReadCoreAsync(stream, fileName, null, default, useAsync: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Parses a package held in memory (the whole file, or at least its headers). The package refers to
    /// <paramref name="bytes"/> for its headers and payload without copying them: keep them unchanged while it is used.
    /// </summary>
    /// <param name="bytes">The package bytes.</param>
    /// <param name="fileName">A name for error messages, or <see langword="null"/>.</param>
    /// <returns>The package.</returns>
    /// <exception cref="RpmFormatException">The lead or a header is malformed.</exception>
    public static RpmPackage Parse(ReadOnlyMemory<byte> bytes, string? fileName = null)
    {
        var span = bytes.Span;
        var lead = RpmLead.Parse(span, fileName);
        var signature = RpmHeader.Parse(bytes[RpmLead.Size..], fileName, RpmLead.Size, RpmHeaderKind.Signature);
        long headerOffset = Align8(RpmLead.Size + signature.Size);
        if (headerOffset > span.Length)
        {
            RpmThrow.Format(fileName, span.Length, "truncated package: no main header after the signature");
        }

        var header = RpmHeader.Parse(bytes[(int)headerOffset..], fileName, headerOffset, RpmHeaderKind.Main);
        return new RpmPackage(lead, signature, header, headerOffset + header.Size, null, bytes);
    }

    /// <summary>The dependencies of one kind, in header order, as <c>rpm -qp --provides</c> (etc.) list them.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The dependencies.</returns>
    /// <exception cref="RpmFormatException">The name, flags and version arrays of the kind disagree in length.</exception>
    public ImmutableArray<RpmDependency> GetDependencies(RpmDependencyKind kind)
    {
        var all = _dependencies ??= new ImmutableArray<RpmDependency>[9];
        var value = all[(int)kind];
        if (value.IsDefault)
        {
            value = RpmDependencies.Read(Header, kind);
            all[(int)kind] = value;
        }

        return value;
    }

    /// <summary>
    /// Opens the payload for streaming: entries with path, mode, size, link target and content, nothing written to disk.
    /// Works for packages from <see cref="Open"/> and <see cref="Parse"/>.
    /// </summary>
    /// <param name="options">Limits, or <see langword="null"/> for the defaults.</param>
    /// <returns>A reader; dispose it.</returns>
    /// <exception cref="InvalidOperationException">The package was read from a stream; use <see cref="OpenPayload(Stream, bool, RpmPayloadOptions?)"/>.</exception>
    /// <exception cref="RpmFormatException">The payload's compression is not recognized.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public RpmPayloadReader OpenPayload(RpmPayloadOptions? options = null)
    {
        Stream stream;
        if (_path is not null)
        {
            stream = IO.RegularFile.OpenRead(_path, 1 << 16);
            stream.Position = PayloadOffset;
        }
        else if (!_memory.IsEmpty)
        {
            stream = new MemoryStream(_memory[(int)Math.Min(PayloadOffset, _memory.Length)..].ToArray(), writable: false);
        }
        else
        {
            throw new InvalidOperationException("this package was read from a stream: pass the stream, positioned at the payload, to OpenPayload(Stream)");
        }

        return new RpmPayloadReader(this, stream, leaveOpen: false, options ?? RpmPayloadOptions.Default);
    }

    /// <summary>Reads the payload from <paramref name="stream"/>, positioned where <see cref="Read"/> left it.</summary>
    /// <param name="stream">The stream positioned at the payload.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="stream"/> open.</param>
    /// <param name="options">Limits, or <see langword="null"/> for the defaults.</param>
    /// <returns>A reader; dispose it.</returns>
    /// <exception cref="RpmFormatException">The payload's compression is not recognized.</exception>
    public RpmPayloadReader OpenPayload(Stream stream, bool leaveOpen = false, RpmPayloadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new RpmPayloadReader(this, stream, leaveOpen, options ?? RpmPayloadOptions.Default);
    }

    /// <summary>
    /// Enumerates the payload entries. Each entry's content is readable until the enumeration moves on.
    /// </summary>
    /// <param name="options">Limits, or <see langword="null"/> for the defaults.</param>
    /// <returns>The entries in archive order.</returns>
    /// <exception cref="RpmFormatException">The payload is malformed (thrown while enumerating).</exception>
    public IEnumerable<RpmPayloadEntry> ReadPayload(RpmPayloadOptions? options = null)
    {
        using var reader = OpenPayload(options);
        while (reader.GetNextEntry() is { } entry)
        {
            yield return entry;
        }
    }

    /// <summary>
    /// Extracts the payload into <paramref name="directory"/> as <c>rpm2cpio | cpio -idm</c> would, but safely: nothing is
    /// written, linked, chmod-ed or touched outside the directory (<c>..</c> is refused, leading <c>/</c> stripped, every
    /// operation resolved from the directory component by component without following links, at the moment it
    /// happens); each entry must match the header's file list (path, mode, size, link target, content digest) as rpm
    /// requires; setuid, setgid and sticky bits are dropped unless <see cref="RpmPayloadOptions.PreserveSpecialModeBits"/>;
    /// the decompressed size is capped. Linux only.
    /// </summary>
    /// <param name="directory">The target directory (created if missing).</param>
    /// <param name="options">Limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels between entries.</param>
    /// <returns>The number of entries written.</returns>
    /// <exception cref="RpmFormatException">The payload is malformed, unsafe, disagrees with the header or is over the size cap, or a digest fails (unless <see cref="RpmPayloadOptions.SkipDigestVerification"/>).</exception>
    /// <exception cref="IOException">Writing fails (the message names the package, the archive offset and the entry).</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public int ExtractTo(string directory, RpmPayloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        options ??= RpmPayloadOptions.Default;
        if (!options.SkipDigestVerification)
        {
            ThrowIfDamaged(Verify(cancellationToken: cancellationToken));
        }

        using var reader = OpenPayload(options);
        return RpmExtractor.Extract(reader, directory, options, cancellationToken);
    }

    /// <summary>
    /// Checks the package's digests (header SHA-256/SHA-1/SHA3-256, payload digests, MD5 of header and payload) and, when a
    /// key ring is given, its OpenPGP signatures, as <c>rpm -K</c> does (<c>rpm -K --nosignature</c> without a key ring).
    /// Reads the main header and the payload once. Works for packages from <see cref="Open"/> and <see cref="Parse"/>.
    /// </summary>
    /// <param name="keyRing">The public keys to check signatures against, or <see langword="null"/> to check digests only.</param>
    /// <param name="cancellationToken">Cancels between reads.</param>
    /// <returns>The checks rpm reports and its verdict.</returns>
    /// <exception cref="InvalidOperationException">The package was read from a stream.</exception>
    /// <exception cref="RpmFormatException">The file ends inside the main header.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public RpmVerification Verify(OpenPgpKeyRing? keyRing = null, CancellationToken cancellationToken = default)
    {
        using var stream = OpenFromHeader();
        return RpmVerifier.Verify(this, stream, keyRing, cancellationToken);
    }

    /// <summary>The NEVRA.</summary>
    /// <returns>The NEVRA text.</returns>
    public override string ToString() => Nevra.ToString();

    private static long Align8(long value) => (value + 7) & ~7L;

    private static void ThrowIfDamaged(RpmVerification verification)
    {
        if (verification.DigestsOk)
        {
            return;
        }

        var failure = verification.Checks.First(c => !c.IsSignature && !c.IsOk);
        RpmThrow.Format(verification.FileName, 0, $"refusing to extract a damaged package: {failure} (pass SkipDigestVerification to extract anyway)");
    }

    private Stream OpenFromHeader()
    {
        if (_path is not null)
        {
            var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            stream.Position = Header.FileOffset;
            return stream;
        }

        if (!_memory.IsEmpty)
        {
            var start = (int)Math.Min(Header.FileOffset, _memory.Length);
            return new MemoryStream(_memory[start..].ToArray(), writable: false);
        }

        throw new InvalidOperationException("this package was read from a stream: open it with RpmPackage.Open or RpmPackage.Parse to verify it");
    }

    private static RpmPackage ReadCore(Stream stream, string? fileName, string? path, ReadOnlyMemory<byte> memory) =>
        ReadCoreAsync(stream, fileName, path, memory, useAsync: false, CancellationToken.None).GetAwaiter().GetResult();

    // One body for Read and ReadAsync: with useAsync false every awaited read completes synchronously.
    private static async ValueTask<RpmPackage> ReadCoreAsync(Stream stream, string? fileName, string? path, ReadOnlyMemory<byte> memory, bool useAsync, CancellationToken cancellationToken)
    {
        var leadBytes = new byte[RpmLead.Size];
        int got = useAsync
            ? await stream.ReadAtLeastAsync(leadBytes, RpmLead.Size, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
            : stream.ReadAtLeast(leadBytes, RpmLead.Size, throwOnEndOfStream: false);
        var lead = RpmLead.Parse(leadBytes.AsSpan(0, got), fileName);
        var signature = useAsync
            ? await RpmHeader.ReadAsync(stream, fileName, RpmLead.Size, RpmHeaderKind.Signature, cancellationToken).ConfigureAwait(false)
            : RpmHeader.Read(stream, fileName, RpmLead.Size, RpmHeaderKind.Signature);
        long position = RpmLead.Size + signature.Size;
        int padding = (int)(Align8(position) - position);
        if (padding > 0)
        {
            var pad = new byte[padding];
            int read = useAsync
                ? await stream.ReadAtLeastAsync(pad, padding, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
                : stream.ReadAtLeast(pad, padding, throwOnEndOfStream: false);
            if (read < padding)
            {
                RpmThrow.Format(fileName, position, "truncated package: signature padding");
            }

            position += padding;
        }

        var header = useAsync
            ? await RpmHeader.ReadAsync(stream, fileName, position, RpmHeaderKind.Main, cancellationToken).ConfigureAwait(false)
            : RpmHeader.Read(stream, fileName, position, RpmHeaderKind.Main);
        return new RpmPackage(lead, signature, header, position + header.Size, path, memory);
    }
}
