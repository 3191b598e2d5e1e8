using System.Diagnostics;
using System.IO.Hashing;
using System.Security.Cryptography;
using Abi.Sdk.Distribution;
using Abi.Sdk.Rpm;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// Reading one package of the distribution corpus (benchmarks/distro/make-corpus.sh; its folder in
/// <c>ABI_DISTRO_CORPUS</c>): the payload decoded (no cache, and a cold cache that also stores the entry) against a
/// warm cache, and the costs of the cache keys considered (the header alone, the whole file by SHA-256 or XXH128).
/// </summary>
[MemoryDiagnoser]
public class PackageContentCacheBenchmarks
{
    private string _path = string.Empty;
    private string _warm = string.Empty;
    private string _cold = string.Empty;

    /// <summary>Package file name prefix in the corpus's base side: a 25 MB zstd libLLVM, a small xz library.</summary>
    [Params("libLLVM-1-", "libz-so1-")]
    public string Package { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _path = DistroCorpus.Packages("base").First(p => Path.GetFileName(p).StartsWith(Package, StringComparison.Ordinal));
        _warm = Directory.CreateTempSubdirectory("abi-bench-warm-").FullName;
        _cold = Directory.CreateTempSubdirectory("abi-bench-cold-").FullName;
        using var cache = new PackageContentCache(_warm);
        cache.Read(_path);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Directory.Delete(_warm, true);
        Directory.Delete(_cold, true);
    }

    /// <summary>What every read costs without a cache.</summary>
    [Benchmark(Baseline = true)]
    public int Uncached() => PackageContent.Read(_path).ElfFiles.Length;

    /// <summary>A miss: hash, decode, and store the entry and its ELF blobs.</summary>
    [Benchmark]
    public int ColdCache()
    {
        foreach (var f in Directory.EnumerateFiles(_cold))
        {
            File.Delete(f);
        }

        using var cache = new PackageContentCache(_cold);
        return cache.Read(_path).ElfFiles.Length;
    }

    /// <summary>A hit: hash the file, check the entry and every blob, map the blobs, parse the ELF headers.</summary>
    [Benchmark]
    public int WarmCache()
    {
        using var cache = new PackageContentCache(_warm);
        var content = cache.Read(_path);
        Debug.Assert(cache.Hits == 1);
        return content.ElfFiles.Length;
    }

    /// <summary>The key a header digest would give: read the lead and headers only.</summary>
    [Benchmark]
    public long HeaderOnly() => RpmPackage.Open(_path).PayloadOffset;

    /// <summary>The key chosen: SHA-256 of the whole file.</summary>
    [Benchmark]
    public byte[] Sha256WholeFile()
    {
        using var stream = File.OpenRead(_path);
        return SHA256.HashData(stream);
    }

    /// <summary>The key considered: XXH128 of the whole file.</summary>
    [Benchmark]
    public byte[] Xxh128WholeFile()
    {
        using var stream = File.OpenRead(_path);
        var hash = new XxHash128();
        hash.Append(stream);
        return hash.GetCurrentHash();
    }
}

/// <summary>
/// The whole corpus read once, as a distribution diff reads it: <c>dotnet run -c Release --project
/// benchmarks/Abi.Sdk.Benchmarks -- distro-read SIDE-FOLDER [CACHE-FOLDER]</c>. Prints time, hits and misses; run it
/// under <c>/usr/bin/time -v</c> for the peak working set.
/// </summary>
public static class DistroCorpus
{
    /// <summary>The packages of one side of the corpus named by <c>ABI_DISTRO_CORPUS</c>.</summary>
    public static IEnumerable<string> Packages(string side)
    {
        var root = Environment.GetEnvironmentVariable("ABI_DISTRO_CORPUS")
            ?? throw new InvalidOperationException("set ABI_DISTRO_CORPUS to the folder benchmarks/distro/make-corpus.sh built");
        return Directory.GetFiles(Path.Combine(root, side), "*.rpm").Order(StringComparer.Ordinal);
    }

    /// <summary>Reads every package of <paramref name="folders"/> (keeping every content, as a diff holds both sides).</summary>
    public static int Run(string[] args)
    {
        var folders = args.TakeWhile(a => !a.StartsWith("--cache=", StringComparison.Ordinal)).ToArray();
        var cacheDir = args.FirstOrDefault(a => a.StartsWith("--cache=", StringComparison.Ordinal))?["--cache=".Length..];
        using var cache = cacheDir is null ? null : new PackageContentCache(cacheDir);
        var kept = new List<PackageContent>();
        var clock = Stopwatch.StartNew();
        long elfBytes = 0, touched = 0;
        foreach (var path in folders.SelectMany(f => Directory.GetFiles(f, "*.rpm")).Order(StringComparer.Ordinal))
        {
            var content = cache is null ? PackageContent.Read(path) : cache.Read(path);
            kept.Add(content);
            foreach (var elf in content.ElfFiles)
            {
                elfBytes += elf.Content.Length;
                if (elf.IsSharedObject)
                {
                    touched += elf.Surface.Symbols.Length; // what a diff reads of every library: its dynamic symbols
                }
            }
        }

        clock.Stop();
        Console.WriteLine($"{kept.Count} packages, {kept.Sum(c => c.ElfFiles.Length)} ELF files, {elfBytes / (1 << 20)} MiB of ELF, {touched} exported symbols read, {clock.Elapsed.TotalSeconds:F1} s"
            + (cache is null ? ", no cache" : $", cache hits {cache.Hits}, misses {cache.Misses}, rejected {cache.Rejected}"));
        // Resident memory split: anonymous (heap, buffers) against file-backed (mapped ELF pages, clean and reclaimable).
        var status = File.Exists("/proc/self/status") ? File.ReadAllLines("/proc/self/status") : [];
        string Field(string name) => status.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "?";
        Console.WriteLine($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB, managed heap {GC.GetTotalMemory(false) / (1 << 20)} MiB, now RssAnon {Field("RssAnon")}, RssFile {Field("RssFile")}");
        GC.KeepAlive(kept);
        return 0;
    }
}
