using System.Collections.Immutable;
using System.Xml;
using Abi.Sdk.IO;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Dependencies;

/// <summary>
/// Reads rpm-md repository metadata (what createrepo_c writes and dnf reads): <c>repodata/repomd.xml</c> and the
/// <c>primary.xml</c> it points to, compressed with gzip, xz, bzip2 or zstd (detected by magic bytes).
/// Repository files are untrusted input: no DTD, no external entities, and a cap on the decompressed size.
/// </summary>
public static class RepositoryMetadata
{
    private const string CommonNs = "http://linux.duke.edu/metadata/common";
    private const string RpmNs = "http://linux.duke.edu/metadata/rpm";
    private const string RepoNs = "http://linux.duke.edu/metadata/repo";

    /// <summary>The default cap on a decompressed metadata file: 4 GiB, above the largest distribution's primary.xml.</summary>
    public const long DefaultMaxDecompressedSize = 4L << 30;

    /// <summary>
    /// The longest XML token a metadata file may hold: 16 MiB for one tag with its attributes, one text node, one
    /// comment or CDATA section. Real metadata stays far below (a description is kilobytes); the XML reader buffers
    /// a token whole, so this bounds its memory.
    /// </summary>
    public const int MaxTokenSize = 16 << 20;

    /// <summary>
    /// Reads the packages of a repository: <paramref name="path"/> is the repository folder (holding
    /// <c>repodata/repomd.xml</c>), the <c>repomd.xml</c> itself, or a <c>primary.xml</c> file (compressed or not).
    /// </summary>
    /// <param name="path">The repository or metadata file.</param>
    /// <param name="maxDecompressedSize">The most bytes a metadata file may decompress to.</param>
    /// <returns>The packages, in file order.</returns>
    /// <exception cref="RepositoryFormatException">The metadata is malformed, unsafe or too large.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static ImmutableArray<PackageRecord> Open(string path, long maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        ArgumentNullException.ThrowIfNull(path);
        string primary = Directory.Exists(path) ? FindPrimary(Path.Combine(path, "repodata", "repomd.xml"), maxDecompressedSize)
            : Path.GetFileName(path).StartsWith("repomd.xml", StringComparison.Ordinal) ? FindPrimary(path, maxDecompressedSize)
            : path;
        using var stream = RegularFile.OpenRead(primary);
        return Read(stream, primary, maxDecompressedSize);
    }

    /// <summary>
    /// <see cref="Open"/> with asynchronous file reads, for <see cref="PackageSet.LoadAsync"/>: the metadata files
    /// are read into memory asynchronously (at most <paramref name="maxDecompressedSize"/> bytes each), then parsed.
    /// </summary>
    internal static async Task<ImmutableArray<PackageRecord>> OpenAsync(string path, long maxDecompressedSize, CancellationToken cancellationToken)
    {
        string primary = path;
        string? repomd = Directory.Exists(path) ? Path.Combine(path, "repodata", "repomd.xml")
            : Path.GetFileName(path).StartsWith("repomd.xml", StringComparison.Ordinal) ? path
            : null;
        if (repomd is not null)
        {
            var bytes = await ReadFileAsync(repomd, maxDecompressedSize, cancellationToken).ConfigureAwait(false);
            primary = FindPrimary(bytes, repomd, maxDecompressedSize);
        }

        return Parse(await ReadFileAsync(primary, maxDecompressedSize, cancellationToken).ConfigureAwait(false), primary, maxDecompressedSize);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadFileAsync(string path, long limit, CancellationToken cancellationToken)
    {
        await using var stream = RegularFile.OpenRead(path, 1 << 16);
        return await CopyAsync(stream, path, limit, cancellationToken).ConfigureAwait(false);
    }

    // Bounded: a metadata stream longer than the decompressed-size cap is refused before it fills memory.
    private static async Task<ReadOnlyMemory<byte>> CopyAsync(Stream stream, string? fileName, long limit, CancellationToken cancellationToken)
    {
        using var buffer = IO.StreamBuffer.For(stream);
        var chunk = new byte[1 << 16];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                RepositoryThrow.Format(fileName, limit, $"metadata is larger than {limit} bytes (the limit)");
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Finds the primary metadata file a <c>repomd.xml</c> names (its <c>data type="primary"</c> location).</summary>
    /// <param name="repomdPath">The repomd.xml file.</param>
    /// <param name="maxDecompressedSize">The most bytes the file may hold.</param>
    /// <returns>The path of the primary metadata file.</returns>
    /// <exception cref="RepositoryFormatException">The file is malformed or names no primary data.</exception>
    public static string FindPrimary(string repomdPath, long maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        ArgumentNullException.ThrowIfNull(repomdPath);
        using var stream = RegularFile.OpenRead(repomdPath);
        return FindPrimary(stream, repomdPath, maxDecompressedSize);
    }

    private static string FindPrimary(ReadOnlyMemory<byte> repomd, string repomdPath, long maxDecompressedSize)
    {
        using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(repomd, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(repomd.ToArray(), writable: false);
        return FindPrimary(stream, repomdPath, maxDecompressedSize);
    }

    private static string FindPrimary(Stream stream, string repomdPath, long maxDecompressedSize)
    {
        string? href = null;
        bool inPrimary = false;
        try
        {
            using var reader = CreateReader(new XmlTokenLimitStream(new LimitedStream(stream, maxDecompressedSize, repomdPath), MaxTokenSize), maxDecompressedSize);
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (reader.LocalName == "data" && reader.NamespaceURI == RepoNs)
                {
                    inPrimary = reader.GetAttribute("type") == "primary";
                }
                else if (inPrimary && reader.LocalName == "location" && href is null)
                {
                    href = reader.GetAttribute("href");
                }
            }
        }
        catch (Exception ex) when (Wrap(ex, repomdPath, maxDecompressedSize) is { } error)
        {
            throw error;
        }

        if (href is null)
        {
            RepositoryThrow.Format(repomdPath, 0, "repomd.xml names no primary metadata (data type=\"primary\")");
        }

        // Locations are relative to the repository root, the folder above repodata/; they must stay inside it.
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(repomdPath))!, ".."));
        var full = Path.GetFullPath(Path.Combine(root, href));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            RepositoryThrow.Format(repomdPath, 0, $"primary location '{href}' points outside the repository");
        }

        return full;
    }

    /// <summary>Reads a <c>primary.xml</c> stream, compressed or not.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fileName">A name for error messages.</param>
    /// <param name="maxDecompressedSize">The most bytes the document may decompress to.</param>
    /// <returns>The packages, in document order.</returns>
    /// <exception cref="RepositoryFormatException">The document is malformed, unsafe or too large.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static ImmutableArray<PackageRecord> Read(Stream stream, string? fileName = null, long maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var packages = ImmutableArray.CreateBuilder<PackageRecord>();
        try
        {
            // Inside the try: the decoder and the XML reader read their first bytes as they are created.
            using var decoded = new XmlTokenLimitStream(Decompress(stream, fileName, maxDecompressedSize), MaxTokenSize);
            using var reader = CreateReader(decoded, maxDecompressedSize);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "package" && reader.NamespaceURI == CommonNs)
                {
                    packages.Add(ReadPackage(reader, fileName));
                }
            }
        }
        catch (Exception ex) when (Wrap(ex, fileName, maxDecompressedSize) is { } error)
        {
            throw error;
        }

        return packages.ToImmutable();
    }

    /// <summary>
    /// Reads a <c>primary.xml</c> stream, compressed or not, asynchronously: the stream is read into memory with
    /// asynchronous reads (at most <paramref name="maxDecompressedSize"/> bytes), then decompressed and parsed.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fileName">A name for error messages.</param>
    /// <param name="maxDecompressedSize">The most bytes the document may decompress to (and the stream may hold).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The packages, in document order.</returns>
    /// <exception cref="RepositoryFormatException">The document is malformed, unsafe or too large.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ImmutableArray<PackageRecord>> ReadAsync(Stream stream, string? fileName = null, long maxDecompressedSize = DefaultMaxDecompressedSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = await CopyAsync(stream, fileName, maxDecompressedSize, cancellationToken).ConfigureAwait(false);
        return Parse(bytes, fileName, maxDecompressedSize);
    }

    /// <summary>Parses a <c>primary.xml</c> document held in memory, compressed or not.</summary>
    /// <param name="bytes">The document.</param>
    /// <param name="fileName">A name for error messages.</param>
    /// <param name="maxDecompressedSize">The most bytes the document may decompress to.</param>
    /// <returns>The packages, in document order.</returns>
    /// <exception cref="RepositoryFormatException">The document is malformed, unsafe or too large.</exception>
    public static ImmutableArray<PackageRecord> Parse(ReadOnlyMemory<byte> bytes, string? fileName = null, long maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
        return Read(stream, fileName, maxDecompressedSize);
    }

    /// <summary>The format error for a failure while reading metadata, or <see langword="null"/> for one that is not about the input.</summary>
    private static RepositoryFormatException? Wrap(Exception ex, string? fileName, long maxDecompressedSize) => ex switch
    {
        XmlException x => new RepositoryFormatException(fileName, x.LineNumber, $"line {x.LineNumber}: {x.Message}", x),
        LimitExceededException => new RepositoryFormatException(fileName, maxDecompressedSize, ex.Message, ex),
        XmlTokenLimitStream.TokenTooLargeException t => new RepositoryFormatException(fileName, t.Offset, t.Message, t),
        _ when IsDecoderFailure(ex) => new RepositoryFormatException(fileName, 0, $"corrupt compressed metadata: {ex.Message}", ex),
        _ when IO.XmlReaderFault.IsGarbledDeclaration(ex) => new RepositoryFormatException(fileName, 0, IO.XmlReaderFault.Message, ex),
        _ => null,
    };

    private static bool IsDecoderFailure(Exception ex)
        => ex is InvalidDataException or EndOfStreamException
            || (ex.GetType().Namespace ?? string.Empty).StartsWith("SharpCompress", StringComparison.Ordinal)
            || (ex.GetType().Namespace ?? string.Empty).StartsWith("ZstdSharp", StringComparison.Ordinal);

    private static PackageRecord ReadPackage(XmlReader reader, string? fileName)
    {
        string? name = null, arch = null, location = null;
        Evr? evr = null;
        var dependencies = new List<RpmDependency>();
        var files = new List<string>();
        int line = (reader as IXmlLineInfo)?.LineNumber ?? 0;
        using var sub = reader.ReadSubtree();
        RpmDependencyKind? kind = null;
        sub.Read();
        while (!sub.EOF)
        {
            // ReadElementContentAsString moves past the element; only other nodes advance with Read().
            if (sub.NodeType == XmlNodeType.Element && sub.NamespaceURI == CommonNs && sub.LocalName is "name" or "arch" or "file")
            {
                switch (sub.LocalName)
                {
                    case "name": name = sub.ReadElementContentAsString(); break;
                    case "arch": arch = sub.ReadElementContentAsString(); break;
                    default: files.Add(sub.ReadElementContentAsString()); break;
                }

                continue;
            }

            if (sub.NodeType == XmlNodeType.EndElement && sub.NamespaceURI == RpmNs && Kind(sub.LocalName) is not null)
            {
                kind = null;
                sub.Read();
                continue;
            }

            if (sub.NodeType != XmlNodeType.Element)
            {
                sub.Read();
                continue;
            }

            switch (sub.NamespaceURI, sub.LocalName)
            {
                case (CommonNs, "version"): evr = ReadEvr(sub); break;
                case (CommonNs, "location"): location = sub.GetAttribute("href"); break;
                case (RpmNs, var element) when Kind(element) is { } k:
                    kind = sub.IsEmptyElement ? null : k;
                    break;
                case (RpmNs, "entry") when kind is { } k:
                    dependencies.Add(ReadEntry(sub, k, fileName));
                    break;
            }

            sub.Read();
        }

        if (name is null || evr is null || arch is null)
        {
            RepositoryThrow.Format(fileName, line, $"line {line}: package without name, version or arch");
        }

        return new PackageRecord(name, evr, arch, dependencies, files, location);
    }

    private static RpmDependencyKind? Kind(string element) => element switch
    {
        "provides" => RpmDependencyKind.Provides,
        "requires" => RpmDependencyKind.Requires,
        "conflicts" => RpmDependencyKind.Conflicts,
        "obsoletes" => RpmDependencyKind.Obsoletes,
        "recommends" => RpmDependencyKind.Recommends,
        "suggests" => RpmDependencyKind.Suggests,
        "supplements" => RpmDependencyKind.Supplements,
        "enhances" => RpmDependencyKind.Enhances,
        _ => null,
    };

    private static Evr ReadEvr(XmlReader reader)
    {
        var epoch = reader.GetAttribute("epoch");
        var ver = reader.GetAttribute("ver") ?? string.Empty;
        var rel = reader.GetAttribute("rel");
        return Evr.Parse(Compose(epoch, ver, rel));
    }

    private static string Compose(string? epoch, string ver, string? rel)
    {
        var text = string.IsNullOrEmpty(epoch) || epoch == "0" ? ver : $"{epoch}:{ver}";
        return string.IsNullOrEmpty(rel) ? text : $"{text}-{rel}";
    }

    private static RpmDependency ReadEntry(XmlReader reader, RpmDependencyKind kind, string? fileName)
    {
        var name = reader.GetAttribute("name");
        if (string.IsNullOrEmpty(name))
        {
            int line = (reader as IXmlLineInfo)?.LineNumber ?? 0;
            RepositoryThrow.Format(fileName, line, $"line {line}: dependency entry without a name");
        }

        if (name[0] == '(' && RichDependencyError(name, kind) is { } reason)
        {
            // Checked when read, so a malformed one names its file and line instead of failing a later check.
            int line = (reader as IXmlLineInfo)?.LineNumber ?? 0;
            RepositoryThrow.Format(fileName, line, $"line {line}: {reason}");
        }

        var flags = reader.GetAttribute("flags") switch
        {
            "EQ" => RpmSenseFlags.Equal,
            "LT" => RpmSenseFlags.Less,
            "LE" => RpmSenseFlags.LessOrEqual,
            "GT" => RpmSenseFlags.Greater,
            "GE" => RpmSenseFlags.GreaterOrEqual,
            _ => RpmSenseFlags.None,
        };
        if (reader.GetAttribute("pre") is "1" or "true")
        {
            flags |= RpmSenseFlags.PreReq;
        }

        Evr? version = null;
        if ((flags & RpmSenseFlags.SenseMask) != 0)
        {
            // primary.xml spells a missing epoch as 0; rpm's requirement "foo = 1.0" has none, and they compare alike.
            var epoch = reader.GetAttribute("epoch");
            version = Evr.Parse(Compose(epoch, reader.GetAttribute("ver") ?? string.Empty, reader.GetAttribute("rel")));
        }

        return new RpmDependency(kind, name, flags, version);
    }

    /// <summary>Why <paramref name="name"/> is not a valid rich dependency of that kind, or <see langword="null"/> when it is.</summary>
    internal static string? RichDependencyError(string name, RpmDependencyKind kind)
    {
        try
        {
            RichDependency.Parse(name, kind);
            return null;
        }
        catch (RichDependencyFormatException ex)
        {
            return $"malformed rich dependency: {ex.Message}";
        }
    }

    private static XmlReader CreateReader(Stream stream, long maxDecompressedSize) => XmlReader.Create(stream, new XmlReaderSettings
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = maxDecompressedSize,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    });

    private static Stream Decompress(Stream stream, string? fileName, long maxDecompressedSize)
    {
        var buffered = stream.CanSeek ? stream : new BufferedStream(stream);
        Span<byte> head = stackalloc byte[6];
        long start = buffered.Position;
        int n = buffered.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        buffered.Position = start;
        var compression = PayloadDecoders.Detect(head[..n]);
        var decoded = compression is RpmPayloadCompression.Gzip or RpmPayloadCompression.Bzip2 or RpmPayloadCompression.Xz or RpmPayloadCompression.Zstd
            ? PayloadDecoders.Open(compression, buffered)
            : buffered;
        return new LimitedStream(decoded, maxDecompressedSize, fileName);
    }

    private sealed class LimitExceededException(string message) : Exception(message);

    /// <summary>Stops a decompression bomb: reading past the cap fails instead of filling memory.</summary>
    private sealed class LimitedStream(Stream inner, long limit, string? fileName) : ReadOnlyForwardStream
    {
        private long _read;

        protected override long BytesRead => _read;

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            _read += n;
            if (_read > limit)
            {
                throw new LimitExceededException($"{fileName ?? "metadata"} decompresses to more than {limit} bytes");
            }

            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
