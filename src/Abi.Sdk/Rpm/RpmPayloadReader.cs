using System.Buffers;
using System.Text;
using Abi.Sdk.IO;

namespace Abi.Sdk.Rpm;

/// <summary>
/// Streams the entries of an rpm payload (cpio <c>newc</c>/<c>crc</c>, and rpm's stripped format for files over 4 GiB)
/// after decompressing it (gzip, bzip2, xz, lzma, zstd or none, detected by magic bytes), without writing anything
/// to disk. Like <c>System.Formats.Tar.TarReader</c>: each entry's content is readable until the next call to
/// <see cref="GetNextEntry"/> or <see cref="GetNextEntryAsync"/>, after which reading it throws
/// <see cref="ObjectDisposedException"/>. Not thread-safe; dispose it.
/// </summary>
public sealed class RpmPayloadReader : IDisposable
{
    /// <summary>rpm's limit on a cpio entry name (PATH_MAX).</summary>
    public const int MaxNameLength = 4096;

    private readonly RpmPackage _package;
    private readonly CappedStream _archive;
    private readonly string? _fileName;
    private Dictionary<string, RpmFile>? _filesByPath;
    private EntryDataStream? _currentData;
    private readonly byte[] _header = new byte[110]; // a field, not stackalloc: the entry reader also runs async
    private long _pendingSkip;
    private bool _done;
    private bool _disposed;

    internal RpmPayloadReader(RpmPackage package, Stream raw, bool leaveOpen, RpmPayloadOptions options)
    {
        _package = package;
        _fileName = package.FileName;
        var head = new byte[16];
        int got = raw.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        Compression = PayloadDecoders.Detect(head.AsSpan(0, got));
        if ((int)Compression < 0)
        {
            if (!leaveOpen)
            {
                raw.Dispose();
            }

            RpmThrow.Format(_fileName, package.PayloadOffset, got == 0 ? "the package has no payload" : $"unknown payload compression (first bytes {Convert.ToHexStringLower(head.AsSpan(0, Math.Min(got, 6)))}; the header says '{package.PayloadCompressor}')");
        }

        Stream decoded;
        try
        {
            decoded = PayloadDecoders.Open(Compression, new PrefixedStream(head[..got], raw, leaveOpen));

        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new RpmFormatException(_fileName, package.PayloadOffset, $"corrupt {Compression} payload: {ex.Message}", ex);
        }

        long limit = options.MaxDecompressedSize;
        string limitReason = "the decompressed size limit (RpmPayloadOptions.MaxDecompressedSize)";
        if (options.EnforceDeclaredSize)
        {
            if (package.DeclaredArchiveSize is > 0 and var declared)
            {
                // rpm itself never checks the size; older rpm builds declared it without the trailer, so allow that.
                if (declared + TrailerSize < limit)
                {
                    limit = declared + TrailerSize;
                    limitReason = $"the archive size the package declares ({declared}) plus the {TrailerSize}-byte cpio trailer";
                }
            }
            else if (FileListBound(package) is { } bound && bound < limit)
            {
                limit = bound;
                limitReason = "the most the header's file list allows (it declares no archive size)";
            }
        }

        _archive = new CappedStream(decoded, limit, limitReason, Compression, _fileName);
    }

    /// <summary>The size of the cpio <c>newc</c> end record: 110-byte header, <c>TRAILER!!!</c> and its NUL, padded to 4.</summary>
    internal const int TrailerSize = 124;

    internal string? FileName => _fileName;

    /// <summary>The compression detected from the payload's magic bytes.</summary>
    public RpmPayloadCompression Compression { get; }

    /// <summary>The number of decompressed archive bytes consumed so far.</summary>
    public long ArchivePosition => _archive.Consumed;

    /// <summary>Reads the next entry, skipping whatever remains of the previous entry's content.</summary>
    /// <returns>The entry, or <see langword="null"/> after the archive's trailer.</returns>
    /// <exception cref="RpmFormatException">The archive is malformed, corrupt, truncated or over the size cap.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    /// <exception cref="IOException">The package cannot be read.</exception>
    public RpmPayloadEntry? GetNextEntry() => GetNextEntryCore(useAsync: false, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Reads the next entry asynchronously, skipping whatever remains of the previous entry's content: the package
    /// stream is read with <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/> through the decompressor.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read; the reader is then unusable (its position in the archive is unknown).</param>
    /// <returns>The entry, or <see langword="null"/> after the archive's trailer.</returns>
    /// <exception cref="RpmFormatException">The archive is malformed, corrupt, truncated or over the size cap.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    /// <exception cref="IOException">The package cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<RpmPayloadEntry?> GetNextEntryAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RpmPayloadEntry?>(cancellationToken);
        }

        return GetNextEntryCore(useAsync: true, cancellationToken);
    }

    // One body for both: with useAsync false every awaited read completes synchronously, so the sync caller never blocks on a task.
    private async ValueTask<RpmPayloadEntry?> GetNextEntryCore(bool useAsync, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_done)
        {
            return null;
        }

        if (_currentData is not null)
        {
            _pendingSkip += _currentData.Remaining;
            _currentData.Detach();
            _currentData = null;
        }

        await SkipAsync(_pendingSkip, useAsync, cancellationToken).ConfigureAwait(false);
        _pendingSkip = 0;

        long entryOffset = _archive.Consumed;
        var header = _header;
        int got = useAsync
            ? await _archive.ReadAtLeastAsync(header.AsMemory(0, 6), 6, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
            : _archive.ReadAtLeast(header.AsSpan(0, 6), 6, throwOnEndOfStream: false);
        if (got < 6)
        {
            RpmThrow.Format(_fileName, entryOffset + got, "payload archive ends without a TRAILER!!! entry");
        }

        if (header.AsSpan(0, 6).SequenceEqual("07070X"u8))
        {
            return await ReadStrippedAsync(entryOffset, useAsync, cancellationToken).ConfigureAwait(false);
        }

        if (!header.AsSpan(0, 6).SequenceEqual("070701"u8) && !header.AsSpan(0, 6).SequenceEqual("070702"u8))
        {
            RpmThrow.Format(_fileName, entryOffset, $"bad cpio magic '{Printable(header.AsSpan(0, 6))}' (expected 070701, 070702 or rpm's stripped 07070X)");
        }

        await ReadExactlyAsync(header.AsMemory(6), entryOffset + 6, useAsync, cancellationToken).ConfigureAwait(false);
        uint ino = Hex(header, 6, entryOffset);
        uint mode = Hex(header, 14, entryOffset);
        uint uid = Hex(header, 22, entryOffset);
        uint gid = Hex(header, 30, entryOffset);
        uint nlink = Hex(header, 38, entryOffset);
        uint mtime = Hex(header, 46, entryOffset);
        uint size = Hex(header, 54, entryOffset);
        uint devMajor = Hex(header, 62, entryOffset);
        uint devMinor = Hex(header, 70, entryOffset);
        uint rdevMajor = Hex(header, 78, entryOffset);
        uint rdevMinor = Hex(header, 86, entryOffset);
        uint nameSize = Hex(header, 94, entryOffset);
        if (nameSize == 0 || nameSize > MaxNameLength + 1)
        {
            RpmThrow.Format(_fileName, entryOffset + 94, $"cpio name size {nameSize} is out of range (1..{MaxNameLength + 1})");
        }

        var nameBytes = new byte[nameSize];
        await ReadExactlyAsync(nameBytes, entryOffset + 110, useAsync, cancellationToken).ConfigureAwait(false);
        if (nameBytes[^1] != 0 || Array.IndexOf(nameBytes, (byte)0) != nameBytes.Length - 1)
        {
            RpmThrow.Format(_fileName, entryOffset + 110, "cpio name is not a single NUL-terminated string");
        }

        var name = Encoding.UTF8.GetString(nameBytes, 0, nameBytes.Length - 1);
        await SkipAsync(Pad4(110 + nameSize), useAsync, cancellationToken).ConfigureAwait(false);
        if (name == "TRAILER!!!")
        {
            _done = true;
            return null;
        }

        var path = NormalizePath(name);
        var file = FindFile(path);
        return await MakeEntryAsync(entryOffset, name, path, mode, size, ino, nlink, mtime, uid, gid, devMajor, devMinor, rdevMajor, rdevMinor, file, null, useAsync, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the payload (and the package file when the reader opened it).</summary>
    public void Dispose()
    {
        _disposed = true;
        _currentData?.Detach(disposed: true);
        _currentData = null;
        _archive.Dispose();
    }

    internal static long Pad4(long length) => (4 - (length & 3)) & 3;

    /// <summary>
    /// The largest archive the header's file list can describe: per listed file a cpio header, its name (with <c>./</c>)
    /// and padding, its content or link target, then the trailer. <see langword="null"/> when the list is unreadable.
    /// </summary>
    private static long? FileListBound(RpmPackage package)
    {
        System.Collections.Immutable.ImmutableArray<RpmFile> files;
        try
        {
            files = package.Files;
        }
        catch (RpmFormatException)
        {
            return null;
        }

        long total = TrailerSize;
        foreach (var file in files)
        {
            total += 110 + 2 + Encoding.UTF8.GetByteCount(file.Path) + 1 + 3 + 3;
            total += file.IsSymbolicLink ? Math.Max(file.Size, Encoding.UTF8.GetByteCount(file.LinkTarget ?? string.Empty)) : Math.Max(file.Size, 0);
        }

        return total;
    }

    private async ValueTask<RpmPayloadEntry> ReadStrippedAsync(long entryOffset, bool useAsync, CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(_header.AsMemory(6, 8), entryOffset + 6, useAsync, cancellationToken).ConfigureAwait(false);
        uint index = Hex(_header, 6, entryOffset);
        await SkipAsync(Pad4(14), useAsync, cancellationToken).ConfigureAwait(false);
        var files = _package.Files;
        if (index >= files.Length)
        {
            RpmThrow.Format(_fileName, entryOffset + 6, $"stripped cpio entry names file index {index}, but the header lists {files.Length} files");
        }

        var file = files[(int)index];

        // Only the last file of a hard-link set carries content (rpmfiArchiveHasContent); the others are empty here.
        long size = file.IsRegularFile && !HasContent(files, (int)index, out int links) ? 0 : file.Size;
        links = file.IsRegularFile ? Math.Max(1, _linkCounts!.GetValueOrDefault((file.Device, file.Inode))) : 1;
        return await MakeEntryAsync(entryOffset, file.Path, file.Path, file.Mode, size, file.Inode, (uint)links, (uint)file.ModificationTime, 0, 0, file.Device, 0, file.Rdev >> 8, file.Rdev & 0xff, file, (int)index, useAsync, cancellationToken).ConfigureAwait(false);
    }

    private Dictionary<(uint Device, uint Inode), int>? _lastLinks;
    private Dictionary<(uint Device, uint Inode), int>? _linkCounts;

    private bool HasContent(System.Collections.Immutable.ImmutableArray<RpmFile> files, int index, out int links)
    {
        var file = files[index];
        if (_lastLinks is null)
        {
            var last = new Dictionary<(uint, uint), int>();
            var counts = new Dictionary<(uint, uint), int>();
            foreach (var f in files)
            {
                if (f.IsRegularFile && !f.IsGhost)
                {
                    var key = (f.Device, f.Inode);
                    last[key] = f.Index;
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }

            foreach (var (key, n) in counts)
            {
                if (n < 2)
                {
                    last.Remove(key);
                }
            }

            _lastLinks = last;
            _linkCounts = counts;
        }

        links = _linkCounts!.GetValueOrDefault((file.Device, file.Inode));
        return !_lastLinks.TryGetValue((file.Device, file.Inode), out int lastIndex) || lastIndex == index;
    }

    private async ValueTask<RpmPayloadEntry> MakeEntryAsync(long entryOffset, string name, string path, uint mode, long size, uint ino, uint nlink, uint mtime, uint uid, uint gid, uint devMajor, uint devMinor, uint rdevMajor, uint rdevMinor, RpmFile? file, int? strippedIndex, bool useAsync, CancellationToken cancellationToken)
    {
        string? linkTarget = null;
        long dataSize = size;
        if ((mode & 0xf000) == 0xa000)
        {
            if (size > MaxNameLength)
            {
                RpmThrow.Format(_fileName, entryOffset, $"symbolic link '{name}' has a {size}-byte target, over {MaxNameLength}");
            }

            var target = new byte[size];
            await ReadExactlyAsync(target, _archive.Consumed, useAsync, cancellationToken).ConfigureAwait(false);
            linkTarget = Encoding.UTF8.GetString(target);
            if (strippedIndex is not null && file?.LinkTarget is { } headerTarget)
            {
                linkTarget = headerTarget;
            }

            await SkipAsync(Pad4(size), useAsync, cancellationToken).ConfigureAwait(false);
            dataSize = 0;
        }

        var data = new EntryDataStream(this, dataSize, path);
        _currentData = data;
        _pendingSkip = linkTarget is null ? Pad4(size) : 0;
        return new RpmPayloadEntry(name, path, mode, size, linkTarget, ino, nlink, mtime, uid, gid, devMajor, devMinor, rdevMajor, rdevMinor, file, strippedIndex, entryOffset, data);
    }

    private static string NormalizePath(string name)
    {
        if (name.StartsWith("./", StringComparison.Ordinal))
        {
            return name[1..];
        }

        return name == "." ? "/" : name;
    }

    private RpmFile? FindFile(string path)
    {
        if (_filesByPath is null)
        {
            var map = new Dictionary<string, RpmFile>(StringComparer.Ordinal);
            try
            {
                foreach (var f in _package.Files)
                {
                    map.TryAdd(f.Path, f);
                }
            }
            catch (RpmFormatException)
            {
                // A broken file list does not stop the payload from being read.
            }

            _filesByPath = map;
        }

        return _filesByPath.GetValueOrDefault(path);
    }

    private uint Hex(ReadOnlySpan<byte> header, int at, long entryOffset)
    {
        uint value = 0;
        for (int i = at; i < at + 8; i++)
        {
            int b = header[i];
            int digit = b switch
            {
                >= '0' and <= '9' => b - '0',
                >= 'a' and <= 'f' => b - 'a' + 10,
                >= 'A' and <= 'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                RpmThrow.Format(_fileName, entryOffset + at, $"cpio header field at {at} is not hexadecimal: '{Printable(header.Slice(at, 8))}'");
            }

            value = (value << 4) | (uint)digit;
        }

        return value;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }

        return sb.ToString();
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, long offset, bool useAsync, CancellationToken cancellationToken)
    {
        int got = useAsync
            ? await _archive.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
            : _archive.ReadAtLeast(buffer.Span, buffer.Length, throwOnEndOfStream: false);
        if (got < buffer.Length)
        {
            RpmThrow.Format(_fileName, offset + got, "payload archive is truncated");
        }
    }

    private async ValueTask SkipAsync(long count, bool useAsync, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, 1 << 16));
        try
        {
            while (count > 0)
            {
                var chunk = buffer.AsMemory(0, (int)Math.Min(count, buffer.Length));
                int n = useAsync ? await _archive.ReadAsync(chunk, cancellationToken).ConfigureAwait(false) : _archive.Read(chunk.Span);
                if (n <= 0)
                {
                    RpmThrow.Format(_fileName, _archive.Consumed, "payload archive is truncated");
                }

                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal int ReadData(Span<byte> buffer)
    {
        int n = _archive.Read(buffer);
        if (n <= 0 && buffer.Length > 0)
        {
            RpmThrow.Format(_fileName, _archive.Consumed, "payload archive is truncated inside a file's content");
        }

        return n;
    }

    internal async ValueTask<int> ReadDataAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int n = await _archive.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n <= 0 && buffer.Length > 0)
        {
            RpmThrow.Format(_fileName, _archive.Consumed, "payload archive is truncated inside a file's content");
        }

        return n;
    }

    /// <summary>Counts decompressed bytes, refuses to pass the cap, and turns decoder failures into typed errors.</summary>
    private sealed class CappedStream(Stream inner, long limit, string limitReason, RpmPayloadCompression compression, string? fileName) : ReadOnlyForwardStream
    {
        public long Consumed { get; private set; }

        protected override long BytesRead => Consumed;

        public override int Read(Span<byte> buffer)
        {
            // Ask for at most one byte past the cap so a bomb is detected without decompressing further.
            long room = limit - Consumed + 1;
            if (buffer.Length > room)
            {
                buffer = buffer[..(int)room];
            }

            int n;
            try
            {
                n = inner.Read(buffer);
            }
            catch (Exception ex) when (ex is not RpmFormatException and not OperationCanceledException)
            {
                throw new RpmFormatException(fileName, Consumed, $"corrupt {compression} payload: {ex.Message}", ex);
            }

            return Count(n);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            long room = limit - Consumed + 1;
            if (buffer.Length > room)
            {
                buffer = buffer[..(int)room];
            }

            int n;
            try
            {
                n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not RpmFormatException and not OperationCanceledException)
            {
                throw new RpmFormatException(fileName, Consumed, $"corrupt {compression} payload: {ex.Message}", ex);
            }

            return Count(n);
        }

        private int Count(int n)
        {
            Consumed += n;
            if (Consumed > limit)
            {
                RpmThrow.Format(fileName, limit, $"payload decompresses past {limit} bytes, {limitReason} (a decompression bomb?)");
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

/// <summary>
/// The content of the current payload entry: a read-only stream that ends at the entry's size. Once the reader moves
/// to the next entry or is disposed, reading throws <see cref="ObjectDisposedException"/>: the bytes it would return
/// belong to another entry.
/// </summary>
internal sealed class EntryDataStream : ReadOnlyForwardStream
{
    private readonly long _size;
    private readonly string _path;
    private RpmPayloadReader? _reader;
    private bool _readerDisposed;

    public EntryDataStream(RpmPayloadReader reader, long size, string path)
    {
        _reader = reader;
        _size = size;
        _path = path;
        Remaining = size;
    }

    public long Remaining { get; private set; }

    public override bool CanRead => _reader is not null;

    public override long Length => _size;

    protected override long BytesRead => _size - Remaining;

    public void Detach(bool disposed = false)
    {
        _reader = null;
        _readerDisposed = disposed;
    }

    private RpmPayloadReader Reader => _reader ?? throw new ObjectDisposedException(
        $"RpmPayloadEntry.DataStream of '{_path}'",
        _readerDisposed
            ? "the payload reader was disposed; read an entry's content before disposing the reader"
            : "the payload reader has moved past this entry; read an entry's content before asking for the next entry");

    public void ThrowIfDetached() => _ = Reader;

    public override int Read(Span<byte> buffer)
    {
        var reader = Reader;
        if (Remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        if (buffer.Length > Remaining)
        {
            buffer = buffer[..(int)Remaining];
        }

        int n = reader.ReadData(buffer);
        Remaining -= n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reader = Reader;
        if (Remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        if (buffer.Length > Remaining)
        {
            buffer = buffer[..(int)Remaining];
        }

        int n = await reader.ReadDataAsync(buffer, cancellationToken).ConfigureAwait(false);
        Remaining -= n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        // Disposing the entry's stream does not end the reader; the reader skips the rest of the content.
        base.Dispose(disposing);
    }
}

/// <summary>One entry of an rpm payload. Its content is readable until the reader moves to the next entry.</summary>
public sealed class RpmPayloadEntry
{
    private readonly EntryDataStream _data;

    internal RpmPayloadEntry(string name, string path, uint mode, long size, string? linkTarget, uint inode, uint linkCount, uint modificationTime,
        uint uid, uint gid, uint devMajor, uint devMinor, uint rdevMajor, uint rdevMinor, RpmFile? file, int? strippedIndex, long archiveOffset, EntryDataStream data)
    {
        Name = name;
        Path = path;
        Mode = mode;
        Size = size;
        LinkTarget = linkTarget;
        Inode = inode;
        LinkCount = linkCount;
        ModificationTime = modificationTime;
        Uid = uid;
        Gid = gid;
        DevMajor = devMajor;
        DevMinor = devMinor;
        RdevMajor = rdevMajor;
        RdevMinor = rdevMinor;
        File = file;
        StrippedFileIndex = strippedIndex;
        ArchiveOffset = archiveOffset;
        _data = data;
    }

    /// <summary>The name as stored in the archive (<c>./usr/bin/hello</c>; in source packages just <c>hello.spec</c>).</summary>
    public string Name { get; }

    /// <summary>The path as <c>rpm -qlp</c> prints it (<c>/usr/bin/hello</c>).</summary>
    public string Path { get; }

    /// <summary>The <c>st_mode</c>: file type and permission bits.</summary>
    public uint Mode { get; }

    /// <summary>The permission bits.</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xfff);

    /// <summary>The size recorded in the archive: content bytes for a regular file (0 for all but the last of a set of hard links), the target length for a symbolic link.</summary>
    public long Size { get; }

    /// <summary>The symbolic link's target, or <see langword="null"/>.</summary>
    public string? LinkTarget { get; }

    /// <summary>The inode number recorded at build time (groups hard links).</summary>
    public uint Inode { get; }

    /// <summary>The number of hard links recorded at build time.</summary>
    public uint LinkCount { get; }

    /// <summary>The modification time, seconds since the epoch.</summary>
    public uint ModificationTime { get; }

    /// <summary>The numeric owner recorded in the archive.</summary>
    public uint Uid { get; }

    /// <summary>The numeric group recorded in the archive.</summary>
    public uint Gid { get; }

    /// <summary>The major device number of the file's device at build time.</summary>
    public uint DevMajor { get; }

    /// <summary>The minor device number of the file's device at build time.</summary>
    public uint DevMinor { get; }

    /// <summary>The major number of a device file.</summary>
    public uint RdevMajor { get; }

    /// <summary>The minor number of a device file.</summary>
    public uint RdevMinor { get; }

    /// <summary>The header's description of this file, when the header lists it.</summary>
    public RpmFile? File { get; }

    /// <summary>For an entry in rpm's stripped format (files over 4 GiB), the file index it names; else <see langword="null"/>.</summary>
    public int? StrippedFileIndex { get; }

    /// <summary>The offset of the entry's header in the decompressed archive.</summary>
    public long ArchiveOffset { get; }

    /// <summary>Whether this is a regular file.</summary>
    public bool IsRegularFile => (Mode & 0xf000) == 0x8000;

    /// <summary>Whether this is a directory.</summary>
    public bool IsDirectory => (Mode & 0xf000) == 0x4000;

    /// <summary>Whether this is a symbolic link.</summary>
    public bool IsSymbolicLink => (Mode & 0xf000) == 0xa000;

    /// <summary>
    /// The content (empty for directories and links); not seekable. Valid until the reader moves on or is disposed;
    /// reading it afterwards throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public Stream DataStream => _data;

    /// <summary>Reads the whole content into memory (for example to open it with <c>ElfImage.Parse</c>).</summary>
    /// <param name="maxSize">Refuse contents larger than this.</param>
    /// <returns>The content.</returns>
    /// <exception cref="InvalidOperationException">The content is larger than <paramref name="maxSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The reader has moved past this entry or was disposed.</exception>
    /// <exception cref="RpmFormatException">The payload is corrupt or truncated.</exception>
    public byte[] ReadAllBytes(long maxSize = 1L << 30)
    {
        var bytes = AllocateContent(maxSize);
        _data.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Reads the whole content into memory asynchronously.</summary>
    /// <param name="maxSize">Refuse contents larger than this.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The content.</returns>
    /// <exception cref="InvalidOperationException">The content is larger than <paramref name="maxSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The reader has moved past this entry or was disposed.</exception>
    /// <exception cref="RpmFormatException">The payload is corrupt or truncated.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<byte[]> ReadAllBytesAsync(long maxSize = 1L << 30, CancellationToken cancellationToken = default)
    {
        var bytes = AllocateContent(maxSize);
        await _data.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    private byte[] AllocateContent(long maxSize)
    {
        long size = _data.Remaining;
        if (size > maxSize || size > Array.MaxLength)
        {
            throw new InvalidOperationException($"'{Path}' has {size} bytes of content, more than the {Math.Min(maxSize, Array.MaxLength)} allowed in memory");
        }

        _data.ThrowIfDetached();
        return new byte[size];
    }

    /// <summary>The path.</summary>
    /// <returns>The path.</returns>
    public override string ToString() => Path;
}
