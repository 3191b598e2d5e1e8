using System.Security.Cryptography;
using Abi.Sdk.Distribution;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>
/// The package content cache answers exactly what a fresh read answers (the uncached <see cref="PackageContent.Read"/>,
/// and rpm's own file digests), and never trusts a cache folder entry it did not verify.
/// </summary>
public sealed class PackageContentCacheTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("abi-pkgcache-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Fixture(string name) => Path.Combine(Paths.Fixtures, "rpm", name);

    private static string Hello => Fixture("abi-files-zstd-1.0-1.x86_64.rpm");

    /// <summary>Every package of the shared corpus and of the fixtures that the uncached read accepts.</summary>
    private static IEnumerable<string> AllPackages()
    {
        var fixtures = Directory.GetFiles(Path.Combine(Paths.Fixtures, "rpm"), "*.rpm");
        var corpus = Paths.Corpus is { } c ? Directory.GetFiles(Path.Combine(c, "rpm"), "*.rpm", SearchOption.AllDirectories) : [];
        return fixtures.Concat(corpus).Order(StringComparer.Ordinal);
    }

    [Fact]
    public void ColdAndWarmReads_AgreeWithTheUncachedRead_OnEveryPackage()
    {
        Paths.RequireCorpus();
        var dir = Path.Combine(_temp, "cache");
        int compared = 0, elf = 0;
        foreach (var path in AllPackages())
        {
            PackageContent expected;
            try
            {
                expected = PackageContent.Read(path, cancellationToken: Ct);
            }
            catch (Exception e) when (e is RpmFormatException or global::Abi.Sdk.Elf.ElfFormatException)
            {
                // The cache reports a bad package as the uncached read does, and stores nothing for it.
                using var failing = new PackageContentCache(dir);
                Assert.Throws(e.GetType(), () => failing.Read(path, cancellationToken: Ct));
                continue;
            }

            using (var cold = new PackageContentCache(dir))
            {
                AssertSame(expected, cold.Read(path, cancellationToken: Ct));
            }

            // A new cache over the same folder, as the next run opens it.
            using var warm = new PackageContentCache(dir);
            var content = warm.Read(path, cancellationToken: Ct);
            Assert.Equal((1, 0, 0), (warm.Hits, warm.Misses, warm.Rejected));
            AssertSame(expected, content);
            compared++;
            elf += content.ElfFiles.Length;
        }

        Assert.True(compared >= 40, $"only {compared} packages compared");
        Assert.True(elf >= 10, $"only {elf} ELF files compared");
    }

    [Fact]
    public void WarmElfBytes_HaveTheDigestsRpmRecords()
    {
        var rpm = Tools.Require("rpm", "rpm");
        foreach (var name in new[] { "abi-files-zstd-1.0-1.x86_64.rpm", "abi-files-xz-1.0-1.x86_64.rpm", "abi-files-gzip-1.0-1.x86_64.rpm" })
        {
            var path = Fixture(name);
            using (var cold = new PackageContentCache(_temp))
            {
                cold.Read(path, cancellationToken: Ct);
            }

            using var warm = new PackageContentCache(_temp);
            var content = warm.Read(path, cancellationToken: Ct);
            Assert.Equal(1, warm.Hits);
            var (code, stdout, stderr) = Tools.Run(rpm, ["-qp", "--dump", path]);
            Assert.True(code == 0, stderr);
            var digests = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' '))
                .ToDictionary(f => f[0], f => f[3]);
            Assert.NotEmpty(content.ElfFiles);
            foreach (var file in content.ElfFiles)
            {
                Assert.Equal(digests[file.Path], Convert.ToHexStringLower(SHA256.HashData(file.Content.Span)));
            }
        }
    }

    [Fact]
    public void DamagedEntries_AreRejectedAndRebuilt()
    {
        var expected = PackageContent.Read(Hello, cancellationToken: Ct);
        using (var cache = new PackageContentCache(_temp))
        {
            cache.Read(Hello, cancellationToken: Ct);
        }

        var entry = Assert.Single(Directory.GetFiles(_temp, "*.pkg"));
        var blob = Assert.Single(Directory.GetFiles(_temp, "*.elf"));
        var damages = new (string File, Action<string> Damage)[]
        {
            (entry, f => FlipByte(f, 40)),                                   // a field of the entry
            (entry, f => FlipByte(f, (int)new FileInfo(f).Length - 1)),      // its digest
            (entry, f => Truncate(f, new FileInfo(f).Length / 2)),
            (entry, f => File.WriteAllBytes(f, [])),
            (blob, f => FlipByte(f, 4000)),                                  // an ELF file's bytes
            (blob, f => Truncate(f, new FileInfo(f).Length - 1)),
            (blob, File.Delete),
        };
        foreach (var (file, damage) in damages)
        {
            damage(file);
            using (var cache = new PackageContentCache(_temp))
            {
                AssertSame(expected, cache.Read(Hello, cancellationToken: Ct));
                Assert.Equal(0, cache.Hits);
                Assert.Equal(1, cache.Misses);
                Assert.Equal(1, cache.Rejected);
            }

            using var again = new PackageContentCache(_temp);
            AssertSame(expected, again.Read(Hello, cancellationToken: Ct));
            Assert.Equal((1, 0, 0), (again.Hits, again.Misses, again.Rejected));
        }
    }

    [Fact]
    public void AnEntryRenamedToAnotherPackagesName_IsRejected()
    {
        var other = Fixture("abi-files-xz-1.0-1.x86_64.rpm");
        var dir1 = Path.Combine(_temp, "a");
        var dir2 = Path.Combine(_temp, "b");
        using (var a = new PackageContentCache(dir1))
        {
            a.Read(Hello, cancellationToken: Ct);
        }

        using (var b = new PackageContentCache(dir2))
        {
            b.Read(other, cancellationToken: Ct);
        }

        // Hello's entry put under the other package's name: intact, but not the entry of those bytes.
        var helloEntry = Assert.Single(Directory.GetFiles(dir1, "*.pkg"));
        var otherEntry = Assert.Single(Directory.GetFiles(dir2, "*.pkg"));
        File.Copy(helloEntry, otherEntry, overwrite: true);
        using var cache = new PackageContentCache(dir2);
        AssertSame(PackageContent.Read(other, cancellationToken: Ct), cache.Read(other, cancellationToken: Ct));
        Assert.Equal((0, 1, 1), (cache.Hits, cache.Misses, cache.Rejected));
    }

    [Fact]
    public void APackageWithNewBytesAtTheSamePath_Misses()
    {
        var path = Path.Combine(_temp, "package.rpm");
        File.Copy(Hello, path);
        var dir = Path.Combine(_temp, "cache");
        using (var cache = new PackageContentCache(dir))
        {
            cache.Read(path, cancellationToken: Ct);
        }

        // Same path, same name and version, other bytes (another compression of the same files).
        var replacement = Fixture("abi-files-gzip-1.0-1.x86_64.rpm");
        File.Copy(replacement, path, overwrite: true);
        using (var cache = new PackageContentCache(dir))
        {
            AssertSame(PackageContent.Read(replacement, cancellationToken: Ct), cache.Read(path, cancellationToken: Ct));
            Assert.Equal((0, 1, 0), (cache.Hits, cache.Misses, cache.Rejected));
        }

        Assert.Equal(2, Directory.GetFiles(dir, "*.pkg").Length);

        // Same bytes as another package: the entry is keyed by content, so that one's entry serves it.
        File.Copy(Hello, path, overwrite: true);
        using var back = new PackageContentCache(dir);
        back.Read(path, cancellationToken: Ct);
        Assert.Equal(1, back.Hits);
    }

    [Fact]
    public void LinksPlantedInTheCacheFolder_AreNotFollowed()
    {
        var expected = PackageContent.Read(Hello, cancellationToken: Ct);
        var reference = Path.Combine(_temp, "reference");
        using (var cache = new PackageContentCache(reference))
        {
            cache.Read(Hello, cancellationToken: Ct);
        }

        // Valid entry and blob, outside the cache folder, linked from the names the cache will look up.
        var outside = Path.Combine(_temp, "outside");
        Directory.CreateDirectory(outside);
        var planted = Path.Combine(_temp, "planted");
        Directory.CreateDirectory(planted);
        var names = Directory.GetFiles(reference).Select(Path.GetFileName).ToArray();
        foreach (var name in names)
        {
            File.Copy(Path.Combine(reference, name!), Path.Combine(outside, name!));
            File.CreateSymbolicLink(Path.Combine(planted, name!), Path.Combine(outside, name!));
        }

        var before = names.ToDictionary(n => n!, n => File.ReadAllBytes(Path.Combine(outside, n!)));
        using (var cache = new PackageContentCache(planted))
        {
            AssertSame(expected, cache.Read(Hello, cancellationToken: Ct));

            // Not followed even though what they point to is intact: the read decoded the payload instead.
            Assert.Equal((0, 1, 1), (cache.Hits, cache.Misses, cache.Rejected));
        }

        foreach (var name in names)
        {
            // The files outside are untouched; the links were replaced by regular files, not written through.
            Assert.Equal(before[name!], File.ReadAllBytes(Path.Combine(outside, name!)));
            Assert.Null(new FileInfo(Path.Combine(planted, name!)).LinkTarget);
        }

        using var warm = new PackageContentCache(planted);
        warm.Read(Hello, cancellationToken: Ct);
        Assert.Equal(1, warm.Hits);
    }

    [Fact]
    public void ALinkToAnotherFile_InPlaceOfAnEntry_IsNotRead()
    {
        // A link to something that is not an entry at all (a FIFO would block a naive open; /dev/zero never ends).
        using (var cache = new PackageContentCache(_temp))
        {
            cache.Read(Hello, cancellationToken: Ct);
        }

        var entry = Assert.Single(Directory.GetFiles(_temp, "*.pkg"));
        File.Delete(entry);
        File.CreateSymbolicLink(entry, "/dev/zero");
        using var again = new PackageContentCache(_temp);
        AssertSame(PackageContent.Read(Hello, cancellationToken: Ct), again.Read(Hello, cancellationToken: Ct));
        Assert.Equal((0, 1, 1), (again.Hits, again.Misses, again.Rejected));
    }

    [Fact]
    public async Task ConcurrentReaders_OfTheSamePackages_AllGetTheUncachedContent()
    {
        var packages = new[] { Hello, Fixture("abi-files-xz-1.0-1.x86_64.rpm"), Fixture("abi-files-gzip-1.0-1.x86_64.rpm") };
        var expected = packages.ToDictionary(p => p, p => PackageContent.Read(p, cancellationToken: Ct));
        using var shared = new PackageContentCache(_temp);

        // Several "processes" (caches of their own over one folder) and threads sharing one cache, all at once, cold.
        var tasks = Enumerable.Range(0, 12).Select(i => Task.Run(() =>
        {
            using var own = i % 2 == 0 ? new PackageContentCache(_temp) : null;
            var cache = own ?? shared;
            for (int round = 0; round < 5; round++)
            {
                foreach (var p in packages)
                {
                    AssertSame(expected[p], cache.Read(p, cancellationToken: Ct));
                }
            }
        }, Ct));
        await Task.WhenAll(tasks);

        Assert.Empty(Directory.GetFiles(_temp, ".tmp-*"));
        Assert.Equal(0, shared.Rejected);
        using var warm = new PackageContentCache(_temp);
        foreach (var p in packages)
        {
            AssertSame(expected[p], warm.Read(p, cancellationToken: Ct));
        }

        Assert.Equal((3, 0, 0), (warm.Hits, warm.Misses, warm.Rejected));
    }

    [Fact]
    public void AContentFromTheCache_IsUnreadableAfterItIsDisposed()
    {
        using (var cold = new PackageContentCache(_temp))
        {
            cold.Read(Hello, cancellationToken: Ct);
        }

        var cache = new PackageContentCache(_temp);
        var content = cache.Read(Hello, cancellationToken: Ct);
        var elf = content.ElfFiles[0].Content;
        Assert.Equal((byte)0x7f, elf.Span[0]);
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => elf.Span[0]);
        Assert.Throws<ObjectDisposedException>(() => cache.Read(Hello, cancellationToken: Ct));
    }

    private static void AssertSame(PackageContent expected, PackageContent actual)
    {
        Assert.Equal(expected.Nevra, actual.Nevra);
        Assert.Equal(expected.Files.Select(f => f.Path), actual.Files.Select(f => f.Path));
        Assert.Equal(expected.InstalledFiles.Length, actual.InstalledFiles.Length);
        for (int i = 0; i < expected.InstalledFiles.Length; i++)
        {
            var (e, a) = (expected.InstalledFiles[i], actual.InstalledFiles[i]);
            Assert.Equal((e.Path, e.IsDirectory, e.LinkTarget), (a.Path, a.IsDirectory, a.LinkTarget));
            Assert.True(e.OpenContent().Span.SequenceEqual(a.OpenContent().Span), $"{e.Path}: bytes differ");
        }

        Assert.Equal(expected.ElfFiles.Length, actual.ElfFiles.Length);
        for (int i = 0; i < expected.ElfFiles.Length; i++)
        {
            var (e, a) = (expected.ElfFiles[i], actual.ElfFiles[i]);
            Assert.Equal((e.Path, e.Soname, e.IsDynamic, e.Header.Type, e.Header.Machine), (a.Path, a.Soname, a.IsDynamic, a.Header.Type, a.Header.Machine));
            Assert.True(e.Content.Span.SequenceEqual(a.Content.Span), $"{e.Path}: ELF bytes differ");
            if (e.IsSharedObject)
            {
                Assert.Equal(e.Surface.Fingerprint, a.Surface.Fingerprint);
            }
        }
    }

    private static void FlipByte(string path, int offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x55;
        File.WriteAllBytes(path, bytes);
    }

    private static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }
}
