using System.Buffers;
using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.IO;

namespace Abi.Sdk.Abi;

/// <summary>
/// A folder of built type graphs (<see cref="AbiTypeGraph"/>), so that a library whose exact bytes and debug files
/// were seen before is not decoded again: every re-run of a distribution diff, a CI job comparing each rebuild against
/// the same reference, <c>abi diff</c> run twice. An entry is named by the SHA-256 of what determines the graph: the
/// library's bytes, its separate debug file's bytes, the debug roots and split-DWARF folders searched, and a format
/// version that changes with the builder's output. The dwz supplementary file and the split-DWARF files the build
/// read are recorded in the entry with their SHA-256 and checked on every read. No name comes from a library, so an
/// input cannot make its graph be taken for another input's.
/// <para>
/// An entry is written under a temporary name and renamed, and checked when read back (its own SHA-256, the key it
/// was written for, every length and index): a damaged, truncated, swapped or symbolic-link entry is a miss (counted
/// in <see cref="Rejected"/>), ignored and written anew, never trusted, and never an exception. Thread-safe;
/// concurrent processes may share the folder. The checks detect damage, not a forger: the folder should be writable
/// only by the user running the comparison.
/// </para>
/// </summary>
public sealed class AbiTypeGraphCache
{
    /// <summary>
    /// The version of the entries and of the graphs they hold. Raise it whenever the builder's output changes for the
    /// same input (a new property, a different canonicalisation): the assembly's version is part of the key as well,
    /// so a released build never reads another's entries.
    /// </summary>
    private const int FormatVersion = 1;

    private const int MaxEntrySize = 256 << 20;
    private const int DigestSize = 32;
    private static readonly byte[] Magic = "ABITGC1\n"u8.ToArray();

    private static readonly byte[] BuildTag = Encoding.UTF8.GetBytes(
        $"abi-type-graph/{FormatVersion}/{typeof(AbiTypeGraphCache).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}");

    // The key of the last look-up per image, so that a miss found by TryGet is not hashed again by Load.
    private readonly ConditionalWeakTable<ElfImage, Probe> _probes = [];
    private long _hits, _misses, _rejected;

    /// <summary>Opens (creating it if missing) a cache folder.</summary>
    /// <param name="directory">The folder; it should be writable only by the user running the comparison.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="IOException">The folder cannot be created.</exception>
    public AbiTypeGraphCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>How many graphs were read from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>How many graphs were built from the debug information because no usable entry was there.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>How many entries failed their checks (damaged, truncated, swapped, a link, malformed) and were ignored.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// The graph <see cref="AbiTypeGraph.Load(ElfImage, IEnumerable{string}?, IEnumerable{string}?)"/> would build,
    /// when the cache has an intact entry for these exact inputs; nothing is built.
    /// </summary>
    /// <param name="image">The library.</param>
    /// <param name="debugRoots">The debug roots; <see langword="null"/> for the system's.</param>
    /// <param name="splitDwarfDirectories">Folders holding split DWARF; <see langword="null"/> for none.</param>
    /// <param name="graph">The graph, on a hit.</param>
    /// <returns>True on a hit. False when there is no intact entry, and when the library has no debug information (there is no graph to cache).</returns>
    /// <exception cref="IOException">The library's debug file cannot be read.</exception>
    public bool TryGet(ElfImage image, IEnumerable<string>? debugRoots, IEnumerable<string>? splitDwarfDirectories, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AbiTypeGraph? graph)
    {
        ArgumentNullException.ThrowIfNull(image);
        graph = null;
        var probe = GetProbe(image, debugRoots, splitDwarfDirectories);
        if (probe.Location is null)
        {
            return false;
        }

        graph = Read(probe);
        return graph is not null;
    }

    /// <summary>As <see cref="AbiTypeGraph.Load(ElfImage, IEnumerable{string}?, IEnumerable{string}?, AbiTypeGraphCache?)"/>.</summary>
    internal AbiTypeGraph Load(ElfImage image, IEnumerable<string>? debugRoots, IEnumerable<string>? splitDwarfDirectories)
    {
        var probe = GetProbe(image, debugRoots, splitDwarfDirectories);
        if (probe.Location is not { } location)
        {
            return AbiTypeGraph.Load(image, debugRoots, splitDwarfDirectories); // says where it looked
        }

        if (Read(probe) is { } hit)
        {
            return hit;
        }

        Interlocked.Increment(ref _misses);
        var options = new DwarfReaderOptions { DebugRoots = probe.Roots, SplitDwarfDirectories = probe.SplitDirectories };
        using var dwarf = location.Source == DebugInfoSource.InFile ? DwarfFile.Of(image, options) : DwarfFile.Open(location.Path, options);
        var graph = new AbiTypeGraphBuilder(image, dwarf) { OwnsDwarf = true }.Build();
        TryStore(probe, graph, dwarf);
        return graph;
    }

    // --- the key ---

    /// <summary>A library's look-up: where its DWARF is, and the key of its entry.</summary>
    private sealed class Probe
    {
        public required string Configuration { get; init; }

        public required System.Collections.Immutable.ImmutableArray<string> Roots { get; init; }

        public required System.Collections.Immutable.ImmutableArray<string> SplitDirectories { get; init; }

        public DebugInfoLocation? Location { get; init; }

        public byte[] Key { get; init; } = [];

        /// <summary>Where the DWARF is read from now, as the builder names it (<see cref="AbiTypeGraph.DebugFile"/>).</summary>
        public string? DebugFile { get; init; }

        public AbiTypeGraph? Hit { get; set; }

        /// <summary>True once the entry was read (hit or not): a miss found by TryGet is not read, nor counted, again by Load.</summary>
        public bool Read { get; set; }
    }

    private AbiTypeGraph? Read(Probe probe)
    {
        lock (probe)
        {
            if (!probe.Read)
            {
                probe.Hit = TryRead(probe);
                probe.Read = true;
            }

            return probe.Hit;
        }
    }

    private Probe GetProbe(ElfImage image, IEnumerable<string>? debugRoots, IEnumerable<string>? splitDwarfDirectories)
    {
        var locator = new DebugInfoLocator(debugRoots);
        System.Collections.Immutable.ImmutableArray<string> dirs = splitDwarfDirectories is null ? [] : [.. splitDwarfDirectories];
        var configuration = string.Join('\0', locator.DebugRoots) + "\0\0" + string.Join('\0', dirs);
        lock (_probes)
        {
            if (_probes.TryGetValue(image, out var known) && known.Configuration == configuration)
            {
                return known;
            }
        }

        var location = locator.Locate(image);
        Probe probe;
        if (location is null || location.FileSet is not null)
        {
            probe = new Probe { Configuration = configuration, Roots = locator.DebugRoots, SplitDirectories = dirs };
        }
        else
        {
            // What determines the graph: the builder (version), the library, its debug file, and where the build
            // looks for the files it may read next (the dwz file, split DWARF), each length-prefixed.
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            AppendField(sha, BuildTag);
            AppendField(sha, SHA256.HashData(image.Memory.Span));
            AppendLength(sha, image.Memory.Length);
            if (location.Source == DebugInfoSource.InFile)
            {
                AppendField(sha, "in-file"u8);
            }
            else
            {
                var (digest, length) = HashFile(location.Path, followLinks: true);
                AppendField(sha, "separate"u8);
                AppendField(sha, digest);
                AppendLength(sha, length);
            }

            AppendField(sha, Encoding.UTF8.GetBytes(configuration));
            probe = new Probe { Configuration = configuration, Roots = locator.DebugRoots, SplitDirectories = dirs, Location = location, Key = sha.GetHashAndReset(),
                DebugFile = location.Source == DebugInfoSource.InFile ? image.FileName : location.Path };
        }

        lock (_probes)
        {
            _probes.AddOrUpdate(image, probe);
        }

        return probe;
    }

    private static void AppendField(IncrementalHash sha, ReadOnlySpan<byte> bytes)
    {
        AppendLength(sha, bytes.Length);
        sha.AppendData(bytes);
    }

    private static void AppendLength(IncrementalHash sha, long length)
    {
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(n, length);
        sha.AppendData(n);
    }

    /// <summary>
    /// SHA-256 and length of a file, read with <c>read</c> into one buffer: its pages go to the page cache, not into
    /// this process (a mapped debug file would add its size to the peak RSS of a warm run).
    /// </summary>
    private static (byte[] Digest, long Length) HashFile(string path, bool followLinks)
    {
        using var stream = followLinks ? RegularFile.OpenRead(path, 1) : RegularFile.OpenReadNoFollow(path, 1);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 17); // 128 KB: 100 reads for the glibc pair, no large buffer kept by the pool
        try
        {
            long offset = 0;
            int n;
            while ((n = RandomAccess.Read(stream.SafeFileHandle, buffer, offset)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                offset += n;
            }

            return (sha.GetHashAndReset(), offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private string EntryPath(ReadOnlySpan<byte> key) => Path.Combine(Directory, Convert.ToHexStringLower(key) + ".tg");

    // --- reading an entry ---

    /// <summary>
    /// The entry's graph, or null: no entry (a miss), an entry that fails a check (rejected), or one whose recorded
    /// dwz or split-DWARF files changed since (a miss: the entry is sound, its inputs are not the same).
    /// </summary>
    private AbiTypeGraph? TryRead(Probe probe)
    {
        switch (CacheFile.TryReadAll(EntryPath(probe.Key), MaxEntrySize, out var entry))
        {
            case CacheFile.Found.Missing:
                return null;
            case CacheFile.Found.Refused:
                return Reject();
        }

        if (entry.Length < Magic.Length + DigestSize * 2 || !entry.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SHA256.HashData(entry.AsSpan(0, entry.Length - DigestSize)).AsSpan().SequenceEqual(entry.AsSpan(entry.Length - DigestSize)))
        {
            return Reject(); // damaged or truncated
        }

        var body = entry.AsSpan(Magic.Length, entry.Length - Magic.Length - DigestSize);
        if (!body[..DigestSize].SequenceEqual(probe.Key))
        {
            return Reject(); // copied or renamed from another library's entry
        }

        body = body[DigestSize..];
        try
        {
            // The other files the build read: each must still have the bytes it had.
            var r = new RecordReader(body);
            int count = r.Int32();
            if (count < 0 || count > body.Length / (DigestSize + 12))
            {
                return Reject();
            }

            for (int i = 0; i < count; i++)
            {
                var path = r.String();
                long length = r.Int64();
                var digest = r.Bytes(DigestSize).ToArray();
                if (!SameFile(path, length, digest))
                {
                    return null;
                }
            }

            body = body[r.Position..];
            var graph = AbiTypeGraphEncoding.Read(body, probe.DebugFile);
            Interlocked.Increment(ref _hits);
            return graph;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or OverflowException)
        {
            return Reject();
        }
    }

    private static bool SameFile(string path, long length, byte[] digest)
    {
        try
        {
            var (actual, actualLength) = HashFile(path, followLinks: true);
            return actualLength == length && actual.AsSpan().SequenceEqual(digest);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    private AbiTypeGraph? Reject()
    {
        Interlocked.Increment(ref _rejected);
        return null;
    }

    // --- writing an entry ---

    private void TryStore(Probe probe, AbiTypeGraph graph, DwarfFile dwarf)
    {
        try
        {
            var output = new ArrayBufferWriter<byte>(1 << 16);
            output.Write(Magic);
            output.Write(probe.Key);
            var others = dwarf.FilesRead();
            WriteInt32(output, others.Count);
            foreach (var path in others)
            {
                var (digest, length) = HashFile(path, followLinks: true);
                var name = Encoding.UTF8.GetBytes(path);
                WriteInt32(output, name.Length);
                output.Write(name);
                BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), length);
                output.Advance(8);
                output.Write(digest);
            }

            AbiTypeGraphEncoding.Write(graph, output);
            if (output.WrittenCount > MaxEntrySize - DigestSize)
            {
                return;
            }

            output.Write(SHA256.HashData(output.WrittenSpan));
            WriteAtomically(EntryPath(probe.Key), output.WrittenSpan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache only saves time: a full disk, a read-only folder or a vanished dwz file leave the load as it was.
        }
    }

    private static void WriteInt32(ArrayBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private void WriteAtomically(string path, ReadOnlySpan<byte> bytes) => CacheFile.Write(Directory, path, bytes);
}
