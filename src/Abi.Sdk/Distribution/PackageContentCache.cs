using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.IO;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>
/// A folder of package contents already read, so that reading a package again (the next run after a point release
/// changed a few packages of thousands) skips decompressing its payload. Keyed by the SHA-256 of the whole package
/// file, computed over the very bytes the read decodes: a package with new bytes misses, whatever its name or header
/// says. An entry is one file named by that digest, and each ELF file of the payload is one more file named by the
/// SHA-256 of its bytes (shared by every package that ships the same file); no name comes from the package. A cached
/// ELF file is memory-mapped, so only the pages a comparison reads are loaded. Every file is written under a
/// temporary name and renamed, and checked (length and hash) when read back: a damaged, truncated, swapped or
/// symbolic-link entry is ignored and written anew, never trusted. Thread-safe; concurrent processes may share the
/// folder. Contents read through the cache are valid until the cache is disposed (their ELF bytes are mapped).
/// </summary>
public sealed class PackageContentCache : IDisposable
{
    private const int InlineLimit = 4096; // smaller files are kept in the entry itself rather than mapped
    private const int MaxEntrySize = 256 << 20;
    private static readonly byte[] Magic = "ABIPKC2\n"u8.ToArray();

    private readonly List<MappedFile> _mapped = [];

    // Blobs already checked and mapped by this cache: a file shipped by many packages (or by both sides of a diff)
    // is hashed and mapped once per cache rather than once per package.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, MappedFile> _blobs = new(StringComparer.Ordinal);
    private long _hits, _misses, _rejected;
    private bool _disposed;

    /// <summary>Opens (creating it if missing) a cache folder.</summary>
    /// <param name="directory">The folder; it should be writable only by the user running the comparison.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="IOException">The folder cannot be created.</exception>
    public PackageContentCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = System.IO.Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>How many reads were answered from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>How many reads decoded the payload (no entry, or an entry that failed its checks).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>How many entries failed their checks (damaged, truncated, a link, not a regular file) and were ignored.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Reads a package as <see cref="PackageContent.Read"/> does, from the cache when an entry for the file's exact
    /// bytes is there and intact, else from its payload (then storing the entry; failing to store is not an error).
    /// </summary>
    /// <param name="path">The <c>.rpm</c> file.</param>
    /// <param name="options">Payload limits, or <see langword="null"/> for the defaults. An entry whose payload is over
    /// <see cref="RpmPayloadOptions.MaxDecompressedSize"/> is not used; a read that does not enforce the declared
    /// size is not stored.</param>
    /// <param name="cancellationToken">Cancels between payload entries.</param>
    /// <returns>The content; its ELF bytes stay readable until the cache is disposed.</returns>
    /// <exception cref="RpmFormatException">The package is malformed or over the payload limits.</exception>
    /// <exception cref="ElfFormatException">An ELF file of the payload has a malformed header or dynamic section.</exception>
    /// <exception cref="IOException">The package cannot be read.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    public PackageContent Read(string path, RpmPayloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        options ??= RpmPayloadOptions.Default;
        using var file = RegularFile.OpenRead(path, 1 << 16);

        // The header and the digest of every byte in one pass; the payload is hashed, not decompressed.
        RpmPackage package;
        byte[] key;
        using (var hashing = new HashingReadStream(file))
        {
            package = RpmPackage.Read(hashing, path);
            (key, _) = hashing.Finish(cancellationToken);
        }

        if (TryLoad(key, package, path, options) is { } cached)
        {
            Interlocked.Increment(ref _hits);
            return cached;
        }

        Interlocked.Increment(ref _misses);
        file.Position = 0;
        using var decoding = new HashingReadStream(file);
        package = RpmPackage.Read(decoding, path);
        var files = new List<TargetFile>();
        long archiveSize;

        // Large ELF files go from the payload straight into their blobs, hashed on the way, and are read back
        // mapped: a miss never holds a whole decoded file in an array (libLLVM is ≈ 100 MiB).
        var streamed = new Dictionary<MappedFile, StreamedBlob>(ReferenceEqualityComparer.Instance);
        try
        {
            using (var reader = package.OpenPayload(decoding, leaveOpen: true, options))
            {
                Target.AddPayloadFiles(reader, files, (entry, magic) => StreamElf(entry, magic, streamed), cancellationToken);
                archiveSize = reader.ArchivePosition;
            }

            var content = PackageContent.Create(package, path, files);

            // Stored under the digest of the bytes this pass decoded, which may differ from the first pass's if the
            // file changed in between: the entry then describes what it is named after.
            var (decodedKey, _) = decoding.Finish(cancellationToken);
            if (options.EnforceDeclaredSize && TryStore(decodedKey, archiveSize, files, streamed))
            {
                // Answered from the entry just written, as a later run would be (its blobs checked and shared).
                if (TryLoad(decodedKey, package, path, options) is { } stored)
                {
                    DisposeAll(streamed.Keys);
                    return stored;
                }
            }

            lock (_mapped)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _mapped.AddRange(streamed.Keys);
            }

            return content;
        }
        catch
        {
            DisposeAll(streamed.Keys);
            throw;
        }
    }

    /// <summary>Unmaps the ELF files of the contents read through the cache; they must not be used afterwards.</summary>
    public void Dispose()
    {
        MappedFile[] mapped;
        lock (_mapped)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            mapped = [.. _mapped];
            _mapped.Clear();
            _blobs.Clear();
        }

        foreach (var m in mapped)
        {
            ((IDisposable)m).Dispose();
        }
    }

    private string EntryPath(ReadOnlySpan<byte> digest) => System.IO.Path.Combine(Directory, Convert.ToHexStringLower(digest) + ".pkg");

    private string BlobPath(ReadOnlySpan<byte> digest) => System.IO.Path.Combine(Directory, Convert.ToHexStringLower(digest) + ".elf");

    // --- reading an entry ---

    private PackageContent? TryLoad(byte[] key, RpmPackage package, string path, RpmPayloadOptions options)
    {
        switch (CacheFile.TryReadAll(EntryPath(key), MaxEntrySize, out var entry))
        {
            case CacheFile.Found.Missing:
                return null;
            case CacheFile.Found.Refused:
                return Reject();
        }

        var mapped = new List<MappedFile>();
        var newBlobs = new List<(string, MappedFile)>();
        try
        {
            List<TargetFile>? files;
            try
            {
                files = ParseEntry(entry, key, options, mapped, newBlobs);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                files = null; // a field runs past the end, or an empty path: not an entry this code wrote
            }

            if (files is null)
            {
                DisposeAll(mapped);
                return Reject();
            }

            var content = PackageContent.Create(package, path, files);
            lock (_mapped)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _mapped.AddRange(mapped);
                foreach (var (digest, blob) in newBlobs)
                {
                    _blobs.TryAdd(digest, blob);
                }
            }

            return content;
        }
        catch
        {
            DisposeAll(mapped);
            throw;
        }
    }

    private PackageContent? Reject()
    {
        Interlocked.Increment(ref _rejected);
        return null;
    }

    /// <summary>The entry's files, or null when it fails a check (its digest, its key, a file it names).</summary>
    private List<TargetFile>? ParseEntry(byte[] entry, byte[] key, RpmPayloadOptions options, List<MappedFile> mapped, List<(string, MappedFile)> newBlobs)
    {
        const int DigestSize = 32, CheckSize = 16;
        if (entry.Length < Magic.Length + DigestSize * 2 + 12 || !entry.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        var body = entry.AsSpan(0, entry.Length - DigestSize);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(entry.AsSpan(entry.Length - DigestSize)))
        {
            return null; // damaged or truncated
        }

        var r = new RecordReader(body[Magic.Length..]);
        if (!r.Bytes(DigestSize).SequenceEqual(key))
        {
            return null; // an entry copied or renamed to another package's name
        }

        if (r.Int64() > options.MaxDecompressedSize)
        {
            return null; // read it again, so the limit is reported as a fresh read reports it
        }

        int count = r.Int32();
        var files = new List<TargetFile>(Math.Min(count, 1 << 16));
        var blobs = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            byte kind = r.Byte();
            string filePath = r.String();
            switch (kind)
            {
                case 0:
                    files.Add(TargetFile.Directory(filePath));
                    break;
                case 1:
                    files.Add(TargetFile.Symlink(filePath, r.String()));
                    break;
                case 2:
                    files.Add(TargetFile.FromBytes(filePath, r.Bytes(r.Int32()).ToArray()));
                    break;
                case 3:
                    var digest = r.Bytes(DigestSize).ToArray();
                    var check = r.Bytes(CheckSize).ToArray();
                    long length = r.Int64();
                    string hex = Convert.ToHexStringLower(digest);
                    if (!blobs.TryGetValue(hex, out var memory))
                    {
                        if (_blobs.TryGetValue(hex, out var known) && known.Memory.Length == length)
                        {
                            memory = known.Memory;
                        }
                        else if (MapBlob(digest, check, length) is { } blob)
                        {
                            mapped.Add(blob);
                            newBlobs.Add((hex, blob));
                            memory = blob.Memory;
                        }
                        else
                        {
                            return null;
                        }

                        blobs[hex] = memory;
                    }

                    files.Add(TargetFile.FromOpener(filePath, () => memory));
                    break;
                default:
                    return null;
            }
        }

        return r.AtEnd ? files : null;
    }

    /// <summary>
    /// Opens a blob without following links, checks its length and XXH128 by reading it, then maps the same file.
    /// XXH128 here, not SHA-256: it detects damage as surely at a sixth of the cost, and no package can make the
    /// blob of another's file: a blob is written, or an existing one reused, only under the SHA-256 of the bytes a
    /// package decoded, checked in full (<see cref="StoreBlob"/>).
    /// </summary>
    private MappedFile? MapBlob(byte[] digest, byte[] check, long length)
    {
        var path = BlobPath(digest);
        try
        {
            using var stream = RegularFile.OpenReadNoFollow(path, 1);
            if (stream.Length != length || length > int.MaxValue || !Hashes(stream, new XxHash128(), check))
            {
                return null;
            }

            // Read, not mapped, while checking: the pages read land in the page cache, not in this process.
            return MappedFile.Open(stream, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ElfFormatException)
        {
            return null;
        }
    }

    private static bool HasDigest(FileStream stream, byte[] digest)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        return Hashes(stream, sha, digest);
    }

    /// <summary>Hashes the file with <c>read</c> (its pages go to the page cache, not to this process's mappings).</summary>
    private static bool Hashes(FileStream stream, object hash, byte[] expected)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long offset = 0;
            int n;
            while ((n = RandomAccess.Read(stream.SafeFileHandle, buffer, offset)) > 0)
            {
                if (hash is IncrementalHash incremental)
                {
                    incremental.AppendData(buffer, 0, n);
                }
                else
                {
                    ((NonCryptographicHashAlgorithm)hash).Append(buffer.AsSpan(0, n));
                }

                offset += n;
            }

            var actual = hash is IncrementalHash i ? i.GetHashAndReset() : ((NonCryptographicHashAlgorithm)hash).GetHashAndReset();
            return offset == stream.Length && actual.AsSpan().SequenceEqual(expected);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void DisposeAll(IEnumerable<MappedFile> mapped)
    {
        foreach (var m in mapped)
        {
            ((IDisposable)m).Dispose();
        }
    }

    // --- writing an entry ---

    /// <summary>A blob written while the payload was decoded: its SHA-256 (its name, once renamed), XXH128 and length.</summary>
    private sealed record StreamedBlob(byte[]? Digest, byte[] Check, long Length);

    /// <summary>
    /// The rest of an ELF file of the payload (after its first bytes, <paramref name="magic"/>): a small file as an
    /// array; a large one written to a temporary file while hashed, mapped, then renamed to its blob name. When the
    /// folder cannot be written the file is read into an array, as without a cache.
    /// </summary>
    private ReadOnlyMemory<byte> StreamElf(RpmPayloadEntry entry, byte[] magic, Dictionary<MappedFile, StreamedBlob> streamed)
    {
        long size = entry.Size;
        if (size <= InlineLimit || size > int.MaxValue)
        {
            return Concat(magic, entry.ReadAllBytes());
        }

        var temp = System.IO.Path.Combine(Directory, $".tmp-{Guid.NewGuid():N}");
        FileStream stream;
        try
        {
            stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Concat(magic, entry.ReadAllBytes());
        }

        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            using (stream)
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var xxh = new XxHash128();
                magic.CopyTo(buffer, 0);
                int n = magic.Length;
                long written = 0;
                do
                {
                    sha.AppendData(buffer, 0, n);
                    xxh.Append(buffer.AsSpan(0, n));
                    try
                    {
                        stream.Write(buffer, 0, n);
                    }
                    catch (IOException)
                    {
                        // A full disk: the bytes written so far are read back, the rest from the payload.
                        var all = new byte[size];
                        for (int got = 0, r; got < written; got += r)
                        {
                            r = RandomAccess.Read(stream.SafeFileHandle, all.AsSpan(got, (int)written - got), got);
                            if (r == 0)
                            {
                                throw;
                            }
                        }

                        buffer.AsSpan(0, n).CopyTo(all.AsSpan((int)written));
                        entry.DataStream.ReadExactly(all.AsSpan((int)written + n));
                        return all;
                    }

                    written += n;
                }
                while ((n = entry.DataStream.Read(buffer, 0, buffer.Length)) > 0);

                stream.Flush();
                var mapped = MappedFile.Open(stream, temp);
                byte[]? digest = sha.GetHashAndReset();
                try
                {
                    File.Move(temp, BlobPath(digest), overwrite: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    digest = null; // stored from the mapped bytes by TryStore, as an array would be
                }

                streamed[mapped] = new StreamedBlob(digest, xxh.GetHashAndReset(), written);
                return mapped.Memory;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            try
            {
                File.Delete(temp); // gone once renamed; a leftover temporary name is never read as an entry
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // best effort
            }
        }
    }

    private static byte[] Concat(byte[] head, byte[] rest)
    {
        var all = new byte[head.Length + rest.Length];
        head.CopyTo(all, 0);
        rest.CopyTo(all, head.Length);
        return all;
    }

    private bool TryStore(byte[] key, long archiveSize, List<TargetFile> files, Dictionary<MappedFile, StreamedBlob> streamed)
    {
        try
        {
            var body = new RecordWriter();
            body.Bytes(Magic);
            body.Bytes(key);
            body.Int64(archiveSize);
            body.Int32(files.Count);
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                if (file.IsDirectory)
                {
                    body.Byte(0);
                    body.String(file.Path);
                }
                else if (file.LinkTarget is { } link)
                {
                    body.Byte(1);
                    body.String(file.Path);
                    body.String(link);
                }
                else
                {
                    var bytes = file.OpenContent();
                    if (bytes.Length <= InlineLimit)
                    {
                        body.Byte(2);
                        body.String(file.Path);
                        body.Int32(bytes.Length);
                        body.Bytes(bytes.Span);
                    }
                    else
                    {
                        byte[] digest, check;
                        if (System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager(bytes, out MappedFile? manager)
                            && streamed.TryGetValue(manager, out var blob) && blob.Digest is { } stored && blob.Length == bytes.Length)
                        {
                            (digest, check) = (stored, blob.Check); // written while decoded
                        }
                        else
                        {
                            digest = SHA256.HashData(bytes.Span);
                            if (written.Add(Convert.ToHexStringLower(digest)))
                            {
                                StoreBlob(digest, bytes.Span);
                            }

                            check = XxHash128.Hash(bytes.Span);
                        }

                        body.Byte(3);
                        body.String(file.Path);
                        body.Bytes(digest);
                        body.Bytes(check);
                        body.Int64(bytes.Length);
                    }
                }
            }

            body.Bytes(SHA256.HashData(body.WrittenSpan));
            WriteAtomically(EntryPath(key), body.WrittenSpan);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache only saves time: a full disk or a read-only folder leaves the read as it was.
            return false;
        }
    }

    private void StoreBlob(byte[] digest, ReadOnlySpan<byte> bytes)
    {
        var path = BlobPath(digest);
        try
        {
            using var existing = RegularFile.OpenReadNoFollow(path, 1);
            if (existing.Length == bytes.Length && HasDigest(existing, digest))
            {
                return; // another package (or run) stored the same file
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // missing, a link, damaged: written anew below (the rename replaces a link, it does not follow it)
        }

        WriteAtomically(path, bytes);
    }

    private void WriteAtomically(string path, ReadOnlySpan<byte> bytes) => CacheFile.Write(Directory, path, bytes);
}
