using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// The cache of built type graphs (<see cref="AbiTypeGraphCache"/>): a graph read back from an entry gives the very
/// reports (text, JSON, SARIF) the graph built from the DWARF gives, for every type fixture pair, the dwz and the
/// split-DWARF ones included; a damaged, truncated, swapped, linked or hostile entry is a miss, never an exception or
/// a wrong graph; processes and threads share one folder.
/// </summary>
public sealed class TypeGraphCacheTests : IDisposable
{
    private const int MagicSize = 8, DigestSize = 32;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("abi-typecache-");

    public void Dispose() => _root.Delete(recursive: true);

    private string NewFolder() => Directory.CreateDirectory(Path.Combine(_root.FullName, Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Every pair of libraries with types among the fixtures: each change kind (and its DWARF 4 build), dwz, split DWARF.</summary>
    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var (v1, v2) in PairFiles())
        {
            data.Add(v1, v2);
        }

        return data;
    }

    private static List<(string, string)> PairFiles()
    {
        var data = new List<(string, string)>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(Paths.Fixtures, "abi-types")).Order(StringComparer.Ordinal))
        {
            foreach (var v1 in Directory.GetFiles(dir, "v1*.so").Order(StringComparer.Ordinal))
            {
                var v2 = Path.Combine(dir, "v2" + Path.GetFileName(v1)[2..]);
                if (File.Exists(v2))
                {
                    data.Add((Path.GetRelativePath(Paths.Fixtures, v1), Path.GetRelativePath(Paths.Fixtures, v2)));
                }
            }
        }

        data.Add(("abi-raw/raw-dwz-m1.so", "abi-raw/raw-dwz-m2.so"));
        data.Add(("abi-raw/raw-dwarf4.so", "abi-raw/raw-dwarf5.so"));
        data.Add(("abi-raw/raw-dwz.so", "abi-raw/raw-dwarf5.so"));
        data.Add(("dwarf-gaps/split-v1.so", "dwarf-gaps/split-v2.so"));
        data.Add(("dwarf-gaps/split4-v1.so", "dwarf-gaps/split4-v2.so"));
        data.Add(("dwarf-gaps/plain-v1.so", "dwarf-gaps/plain-v2.so"));
        return data;
    }

    private static AbiTypeGraph Load(string path, AbiTypeGraphCache? cache)
    {
        using var image = ElfImage.Open(path);
        return AbiTypeGraph.Load(image, null, null, cache);
    }

    /// <summary>The three reports of a diff, as the CLI writes them.</summary>
    private static string Reports(string oldPath, string newPath, AbiTypeGraph oldTypes, AbiTypeGraph newTypes)
    {
        var diff = AbiComparer.Default.Compare(AbiSurface.Open(oldPath), AbiSurface.Open(newPath), oldTypes, newTypes, TestContext.Current.CancellationToken);
        var text = new StringWriter { NewLine = "\n" };
        diff.WriteText(text);
        using var json = new MemoryStream();
        diff.WriteJson(json);
        using var sarif = new MemoryStream();
        diff.WriteSarif(sarif);
        return text + "\n----\n" + Encoding.UTF8.GetString(json.ToArray()) + "\n----\n" + Encoding.UTF8.GetString(sarif.ToArray());
    }

    private static byte[] Encode(AbiTypeGraph graph)
    {
        var output = new ArrayBufferWriter<byte>();
        AbiTypeGraphEncoding.Write(graph, output);
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_pair_diffs_the_same_built_stored_and_read_back(string oldFile, string newFile)
    {
        string oldPath = Path.Combine(Paths.Fixtures, oldFile), newPath = Path.Combine(Paths.Fixtures, newFile);
        var folder = NewFolder();
        var plain = (Old: Load(oldPath, null), New: Load(newPath, null));
        Assert.True(plain.Old.HasDebugInfo && plain.New.HasDebugInfo, plain.Old.UnavailableReason ?? plain.New.UnavailableReason);

        var cold = new AbiTypeGraphCache(folder);
        var built = (Old: Load(oldPath, cold), New: Load(newPath, cold));
        Assert.Equal((0, 2, 0), (cold.Hits, cold.Misses, cold.Rejected));

        var warm = new AbiTypeGraphCache(folder);
        var read = (Old: Load(oldPath, warm), New: Load(newPath, warm));
        Assert.Equal((2, 0, 0), (warm.Hits, warm.Misses, warm.Rejected));

        string expected = Reports(oldPath, newPath, plain.Old, plain.New);
        Assert.Equal(expected, Reports(oldPath, newPath, built.Old, built.New));
        Assert.Equal(expected, Reports(oldPath, newPath, read.Old, read.New));
        Assert.Equal(expected, Reports(oldPath, newPath, plain.Old, read.New));

        // The graph read back is the graph: the same record, the same debug file, the same missing split units.
        foreach (var (a, b) in new[] { (plain.Old, read.Old), (plain.New, read.New) })
        {
            Assert.Equal(Encode(a), Encode(b));
            Assert.Equal(a.DebugFile, b.DebugFile);
            Assert.Equal(a.MissingSplitUnits, b.MissingSplitUnits);
            Assert.Equal(a.Types.Select(t => t.Spelling), b.Types.Select(t => t.Spelling));
        }
    }

    [Fact]
    public void A_library_without_debug_information_is_not_cached_and_says_why()
    {
        var path = FixturePairTests.Pair("symbol-removed", "v1");
        var cache = new AbiTypeGraphCache(NewFolder());
        using var image = ElfImage.Open(path);
        Assert.False(cache.TryGet(image, null, null, out _));
        var graph = AbiTypeGraph.Load(image, null, null, cache);
        Assert.Equal(AbiTypeGraph.Load(image).UnavailableReason, graph.UnavailableReason);
        Assert.Empty(Directory.GetFiles(cache.Directory));
    }

    /// <summary>A folder holding one entry, for the library of <paramref name="fixture"/>; returns the entry's path.</summary>
    private (string Folder, string Entry, string Library) OneEntry(string fixture = "abi-types/vtable-changed/v1.so")
    {
        var folder = NewFolder();
        var library = Path.Combine(Paths.Fixtures, fixture);
        Load(library, new AbiTypeGraphCache(folder));
        var entry = Assert.Single(Directory.GetFiles(folder));
        Assert.EndsWith(".tg", entry, StringComparison.Ordinal);
        return (folder, entry, library);
    }

    /// <summary>Loads through a fresh cache on <paramref name="folder"/>: the graph must be the uncached one, and the entry rejected.</summary>
    private static void AssertRejectedAndRebuilt(string folder, string library, long rejected = 1)
    {
        var cache = new AbiTypeGraphCache(folder);
        using (var image = ElfImage.Open(library))
        {
            Assert.False(cache.TryGet(image, null, null, out _));
            Assert.Equal(Encode(AbiTypeGraph.Load(image)), Encode(AbiTypeGraph.Load(image, null, null, cache)));
        }

        Assert.Equal((0L, 1L, rejected), (cache.Hits, cache.Misses, cache.Rejected));

        // Written anew: the next reader hits.
        var again = new AbiTypeGraphCache(folder);
        Load(library, again);
        Assert.Equal((1L, 0L, 0L), (again.Hits, again.Misses, again.Rejected));
    }

    [Fact]
    public void A_truncated_entry_is_a_miss_and_is_written_anew()
    {
        var (folder, entry, library) = OneEntry();
        var bytes = File.ReadAllBytes(entry);
        foreach (int length in new[] { 0, 1, MagicSize, MagicSize + DigestSize, bytes.Length / 2, bytes.Length - DigestSize, bytes.Length - 1 })
        {
            File.WriteAllBytes(entry, bytes[..length]);
            AssertRejectedAndRebuilt(folder, library);
            Assert.Equal(bytes, File.ReadAllBytes(entry));
        }
    }

    [Fact]
    public void Entries_with_flipped_bytes_are_misses_200_copies()
    {
        var (folder, entry, library) = OneEntry();
        var bytes = File.ReadAllBytes(entry);
        var random = new Random(16);
        var cache = new AbiTypeGraphCache(folder);
        using var image = ElfImage.Open(library);
        for (int copy = 0; copy < 200; copy++)
        {
            var damaged = (byte[])bytes.Clone();
            for (int flips = 1 + random.Next(3); flips > 0; flips--)
            {
                damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            }

            File.WriteAllBytes(entry, damaged);
            Assert.False(cache.TryGet(image, null, null, out _));
            Assert.Equal(1, cache.Rejected);
            cache = new AbiTypeGraphCache(folder); // a look-up is remembered per image and cache
        }

        AssertRejectedAndRebuilt(folder, library);
    }

    [Fact]
    public void A_symbolic_link_in_place_of_an_entry_is_not_followed()
    {
        var (folder, entry, library) = OneEntry();
        var target = Path.Combine(_root.FullName, "target.tg");
        File.Copy(entry, target);
        File.Delete(entry);
        File.CreateSymbolicLink(entry, target);
        AssertRejectedAndRebuilt(folder, library);
        Assert.Null(new FileInfo(entry).LinkTarget); // replaced by a regular file, not written through
    }

    [Fact]
    public void An_entry_swapped_with_another_librarys_is_a_miss_not_the_other_graph()
    {
        var (folder, entry, library) = OneEntry("abi-types/member-removed/v1.so");
        var (otherFolder, otherEntry, _) = OneEntry("abi-types/member-removed/v2.so");
        Assert.NotEqual(File.ReadAllBytes(entry), File.ReadAllBytes(otherEntry));
        File.Copy(otherEntry, entry, overwrite: true);
        AssertRejectedAndRebuilt(folder, library);
        Assert.NotEmpty(Directory.GetFiles(otherFolder));
    }

    /// <summary>An entry whose checksum is right but whose record is not (what a forger or a bug would write): the record's own checks refuse it.</summary>
    private static byte[] Reseal(byte[] entry)
    {
        var body = entry[..^DigestSize];
        return [.. body, .. SHA256.HashData(body)];
    }

    private static byte[] Leb128(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    [Fact]
    public void A_huge_declared_count_is_a_miss_without_allocating_it()
    {
        var (folder, entry, library) = OneEntry();
        var bytes = File.ReadAllBytes(entry);

        // Magic, key, the count of other files read (4 bytes, none here), then the record: its string count first.
        int record = MagicSize + DigestSize + 4;
        Assert.Equal(0, BitConverter.ToInt32(bytes, MagicSize + DigestSize));
        int stringCountLength = 0;
        while (bytes[record + stringCountLength] >= 0x80)
        {
            stringCountLength++;
        }

        stringCountLength++;
        foreach (var huge in new ulong[] { int.MaxValue, uint.MaxValue, ulong.MaxValue, (ulong)bytes.Length })
        {
            File.WriteAllBytes(entry, Reseal([.. bytes[..record], .. Leb128(huge), .. bytes[(record + stringCountLength)..]]));
            AssertRejectedAndRebuilt(folder, library);
        }

        // A huge count of other files read.
        var files = (byte[])bytes.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(files, MagicSize + DigestSize);
        File.WriteAllBytes(entry, Reseal(files));
        AssertRejectedAndRebuilt(folder, library);
    }

    [Fact]
    public void Resealed_records_with_flipped_bytes_never_throw()
    {
        var (folder, entry, library) = OneEntry("abi-types/cycle/v2.so");
        var bytes = File.ReadAllBytes(entry);
        var random = new Random(1616);
        using var image = ElfImage.Open(library);
        int refused = 0;
        for (int copy = 0; copy < 200; copy++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[MagicSize + DigestSize + 4 + random.Next(damaged.Length - MagicSize - DigestSize * 2 - 4)] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(entry, Reseal(damaged));
            var cache = new AbiTypeGraphCache(folder);
            if (!cache.TryGet(image, null, null, out var graph))
            {
                refused++;
                Assert.Equal(1, cache.Rejected);
            }
            else
            {
                // Well-formed with a right checksum: what it says is taken (only a forger writes this), but every
                // index in it is in range: spelling and comparing it do not throw.
                _ = graph.Types.Select(t => t.Spelling).ToList();
                _ = AbiComparer.Default.Compare(AbiSurface.Of(image), AbiSurface.Of(image), graph, graph, TestContext.Current.CancellationToken);
            }
        }

        Assert.True(refused > 100, $"only {refused} of 200 damaged records refused");
    }

    [Fact]
    public void A_changed_dwz_file_makes_the_entry_a_miss()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root.FullName, "dwz")).FullName;
        foreach (var f in new[] { "raw-dwz-m1.so", "raw-dwz-common.debug" })
        {
            File.Copy(Path.Combine(Paths.Fixtures, "abi-raw", f), Path.Combine(dir, f));
        }

        var library = Path.Combine(dir, "raw-dwz-m1.so");
        var folder = NewFolder();
        var expected = Encode(Load(library, new AbiTypeGraphCache(folder)));
        var warm = new AbiTypeGraphCache(folder);
        Assert.Equal(expected, Encode(Load(library, warm)));
        Assert.Equal(1, warm.Hits);

        // One byte more at the end of the supplementary file: the same graph, but not the same input.
        File.AppendAllText(Path.Combine(dir, "raw-dwz-common.debug"), "\0");
        var changed = new AbiTypeGraphCache(folder);
        Assert.Equal(expected, Encode(Load(library, changed)));
        Assert.Equal((0L, 1L, 0L), (changed.Hits, changed.Misses, changed.Rejected));
    }

    [Fact]
    public void A_library_with_other_bytes_misses_even_at_the_same_path()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root.FullName, "same-path")).FullName;
        var library = Path.Combine(dir, "lib.so");
        var folder = NewFolder();
        File.Copy(Path.Combine(Paths.Fixtures, "abi-types/member-removed/v1.so"), library);
        var v1 = Encode(Load(library, new AbiTypeGraphCache(folder)));
        File.Copy(Path.Combine(Paths.Fixtures, "abi-types/member-removed/v2.so"), library, overwrite: true);
        var cache = new AbiTypeGraphCache(folder);
        var v2 = Encode(Load(library, cache));
        Assert.NotEqual(v1, v2);
        Assert.Equal(Encode(Load(library, null)), v2);
        Assert.Equal((0L, 1L, 0L), (cache.Hits, cache.Misses, cache.Rejected));
    }

    [Fact]
    public async Task Four_threads_share_one_folder()
    {
        var folder = NewFolder();
        var libraries = PairFiles().Select(p => Path.Combine(Paths.Fixtures, p.Item1)).Take(8).ToArray();
        var expected = libraries.Select(l => Encode(Load(l, null))).ToArray();
        var threads = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int round = 0; round < 5; round++)
            {
                var cache = new AbiTypeGraphCache(folder);
                for (int i = 0; i < libraries.Length; i++)
                {
                    int k = (i + t) % libraries.Length;
                    Assert.Equal(expected[k], Encode(Load(libraries[k], cache)));
                }

                Assert.Equal(0, cache.Rejected);
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(threads);
        Assert.Equal(libraries.Length, Directory.GetFiles(folder).Length); // no temporary file left behind
    }

    [Fact]
    public async Task Two_processes_share_one_folder_and_the_cli_reports_the_same()
    {
        string oldPath = Path.Combine(Paths.Fixtures, "abi-types/vtable-changed/v1.so"), newPath = Path.Combine(Paths.Fixtures, "abi-types/vtable-changed/v2.so");
        var folder = NewFolder();
        var plain = CliRunner.Run(["diff", oldPath, newPath, "--json"]);
        for (int round = 0; round < 2; round++)
        {
            var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => CliRunner.Run(["diff", oldPath, newPath, "--json", "--type-cache", folder]), TestContext.Current.CancellationToken)).ToArray();
            foreach (var run in await Task.WhenAll(runs))
            {
                Assert.Equal(plain, run);
            }
        }

        Assert.Equal(2, Directory.GetFiles(folder).Length);
        var cache = new AbiTypeGraphCache(folder);
        Load(oldPath, cache);
        Load(newPath, cache);
        Assert.Equal((2L, 0L, 0L), (cache.Hits, cache.Misses, cache.Rejected));

        // abi dump through the cache: the same baseline.
        var dump = CliRunner.Run(["dump", newPath]);
        Assert.Equal(dump, CliRunner.Run(["dump", newPath, "--type-cache", folder]));
        Assert.Equal(0, dump.ExitCode);
    }

    [Fact]
    public void A_file_in_place_of_the_cache_folder_is_one_error_naming_the_option()
    {
        string oldPath = Path.Combine(Paths.Fixtures, "abi-types/vtable-changed/v1.so"), newPath = Path.Combine(Paths.Fixtures, "abi-types/vtable-changed/v2.so");
        var file = Path.Combine(NewFolder(), "not-a-folder");
        File.WriteAllText(file, "x");
        foreach (var arguments in new[] { new[] { "diff", oldPath, newPath, "--type-cache", file }, ["dump", newPath, "--type-cache", file] })
        {
            var run = CliRunner.Run(arguments);
            Assert.Equal(1, run.ExitCode);
            var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("abi: the type-graph cache folder", line);
            Assert.Contains("--type-cache", line);
            Assert.Equal("x", File.ReadAllText(file)); // the file is left as it was
        }
    }
}
