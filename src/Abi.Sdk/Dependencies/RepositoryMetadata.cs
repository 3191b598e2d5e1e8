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
    /// Reads the packages of a repository: <paramref name="path"/> is the repository folder (holding
    /// <c>repodata/repomd.xml</c>), the <c>repomd.xml</c> itself, or a <c>primary.xml</c> file (compressed or not).
    /// </summary>
    /// <param name="path">The repository or metadata file.</param>
    /// <param name="maxDecompressedSize">The most bytes a metadata file may decompress to.</param>
    /// <returns>The packages, in file order.</returns>
    /// <exception cref="RepositoryFormatException">The metadata is malformed, unsafe or too large.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static ImmutableArray<PackageRecord> ReadPackages(string path, long maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        ArgumentNullException.ThrowIfNull(path);
        string primary = Directory.Exists(path) ? FindPrimary(Path.Combine(path, "repodata", "repomd.xml"), maxDecompressedSize)
            : Path.GetFileName(path).StartsWith("repomd.xml", StringComparison.Ordinal) ? FindPrimary(path, maxDecompressedSize)
            : path;
        using var stream = File.OpenRead(primary);
        return ReadPrimary(stream, primary, maxDecompressedSize);
    }

    /// <summary>Finds the primary metadata file a <c>repomd.xml</c> names (its <c>data type="primary"</c> location).</summary>
    /// <param name="repomdPath">The repomd.xml file.</param>
    /// <param name="maxDecompressedSize">The most bytes the file may hold.</param>
    /// <returns>The path of the primary metadata file.</returns>
    /// <exception cref="RepositoryFormatException">The file is malformed or names no primary data.</exception>
    public static string FindPrimary(string repomdPath, long maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        ArgumentNullException.ThrowIfNull(repomdPath);
        using var stream = File.OpenRead(repomdPath);
        using var reader = CreateReader(stream, maxDecompressedSize);
        string? href = null;
        bool inPrimary = false;
        try
        {
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
        catch (XmlException ex)
        {
            throw new RepositoryFormatException(repomdPath, ex.LineNumber, $"line {ex.LineNumber}: {ex.Message}", ex);
        }

        if (href is null)
        {
            throw new RepositoryFormatException(repomdPath, 0, "repomd.xml names no primary metadata (data type=\"primary\")");
        }

        // Locations are relative to the repository root, the folder above repodata/; they must stay inside it.
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(repomdPath))!, ".."));
        var full = Path.GetFullPath(Path.Combine(root, href));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new RepositoryFormatException(repomdPath, 0, $"primary location '{href}' points outside the repository");
        }

        return full;
    }

    /// <summary>Reads a <c>primary.xml</c> stream, compressed or not.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fileName">A name for error messages.</param>
    /// <param name="maxDecompressedSize">The most bytes the document may decompress to.</param>
    /// <returns>The packages, in document order.</returns>
    /// <exception cref="RepositoryFormatException">The document is malformed, unsafe or too large.</exception>
    public static ImmutableArray<PackageRecord> ReadPrimary(Stream stream, string? fileName = null, long maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var decoded = Decompress(stream, fileName, maxDecompressedSize);
        var packages = ImmutableArray.CreateBuilder<PackageRecord>();
        try
        {
            // Inside the try: creating the reader already decompresses the first block.
            using var reader = CreateReader(decoded, maxDecompressedSize);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "package" && reader.NamespaceURI == CommonNs)
                {
                    packages.Add(ReadPackage(reader, fileName));
                }
            }
        }
        catch (XmlException ex)
        {
            throw new RepositoryFormatException(fileName, ex.LineNumber, $"line {ex.LineNumber}: {ex.Message}", ex);
        }
        catch (LimitExceededException ex)
        {
            throw new RepositoryFormatException(fileName, maxDecompressedSize, ex.Message, ex);
        }
        catch (Exception ex) when (IsDecoderFailure(ex))
        {
            throw new RepositoryFormatException(fileName, 0, $"corrupt compressed metadata: {ex.Message}", ex);
        }

        return packages.ToImmutable();
    }

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
            throw new RepositoryFormatException(fileName, line, $"line {line}: package without name, version or arch");
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
            throw new RepositoryFormatException(fileName, line, $"line {line}: dependency entry without a name");
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
