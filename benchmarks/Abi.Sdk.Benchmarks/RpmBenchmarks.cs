using System.Diagnostics;
using Abi.Sdk.Rpm;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>rpm's version comparison (issue target: ≤ 25 ns per pair, no allocation). 64 pairs per invocation.</summary>
[MemoryDiagnoser]
public class RpmEvrCompareBenchmarks
{
    private const int Pairs = 64;
    private readonly string[] _left = new string[Pairs];
    private readonly string[] _right = new string[Pairs];
    private readonly Evr[] _leftEvr = new Evr[Pairs];
    private readonly Evr[] _rightEvr = new Evr[Pairs];

    [GlobalSetup]
    public void Setup()
    {
        // Realistic distro EVRs: same package across rebuilds, minor updates, epochs, tilde pre-releases.
        string[] samples =
        [
            "2.34-231.el9_7.2", "2.34-125.el9_5.1", "1:3.0.7-27.el9", "1:3.0.7-28.el9_4", "5.14.0-503.14.1.el9_5",
            "5.14.0-427.42.1.el9_4", "2.9.13-6.el9_4", "2.9.13-6.el9", "1.0~rc1-1.fc40", "1.0-1.fc40", "252-46.el9_5.2",
            "252-32.el9_4.7", "7.76.1-31.el9", "7.76.1-29.el9_4.1", "0.9.1^20240101git1a2b3c-2", "0.9.1-3",
        ];
        var random = new Random(1);
        for (int i = 0; i < Pairs; i++)
        {
            _left[i] = samples[random.Next(samples.Length)];
            _right[i] = samples[random.Next(samples.Length)];
            _leftEvr[i] = Evr.Parse(_left[i]);
            _rightEvr[i] = Evr.Parse(_right[i]);
        }
    }

    /// <summary>Pre-parsed EVRs (<see cref="Evr.Compare(Evr?, Evr?)"/>).</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public int CompareParsed()
    {
        int sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += Evr.Compare(_leftEvr[i], _rightEvr[i]);
        }

        return sum;
    }

    /// <summary>EVR strings split on the fly, what <c>rpm.vercmp</c> and <c>abi vercmp</c> do.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public int CompareStrings()
    {
        int sum = 0;
        for (int i = 0; i < Pairs; i++)
        {
            sum += Evr.Compare(_left[i].AsSpan(), _right[i].AsSpan());
        }

        return sum;
    }
}

/// <summary>Header parsing from memory (issue target: ≥ 100 000 package headers per second).</summary>
[MemoryDiagnoser]
public class RpmHeaderBenchmarks
{
    private byte[] _small = [];
    private byte[] _elf = [];

    [GlobalSetup]
    public void Setup()
    {
        var fixtures = RpmBenchmarkData.FixtureDir();
        _small = File.ReadAllBytes(Directory.GetFiles(fixtures, "abi-deps-*.noarch.rpm").Single());
        _elf = File.ReadAllBytes(Directory.GetFiles(fixtures, "abi-files-zstd-*.rpm").Single());
    }

    /// <summary>Lead + signature + main header, validated as rpm validates them.</summary>
    [Benchmark]
    public long ParseHeaders() => RpmPackage.Parse(_elf).PayloadOffset;

    /// <summary>Headers plus NEVRA, all requires and provides (what a repository scan needs).</summary>
    [Benchmark]
    public int ParseAndReadDependencies()
    {
        var p = RpmPackage.Parse(_small);
        return p.Nevra.Name.Length + p.Requires.Length + p.Provides.Length;
    }

    /// <summary>Headers plus the file list.</summary>
    [Benchmark]
    public int ParseAndReadFiles() => RpmPackage.Parse(_elf).Files.Length;
}

/// <summary>Payload decoding throughput (issue target: within 2x of the zstd/xz command-line tools on the same data).</summary>
[MemoryDiagnoser]
public class RpmPayloadDecodeBenchmarks
{
    private byte[] _zstd = [];
    private byte[] _xz = [];
    private byte[] _gzip = [];

    [GlobalSetup]
    public void Setup()
    {
        _zstd = File.ReadAllBytes(RpmBenchmarkData.Compressed("zst", "zstd -q -3 -c"));
        _xz = File.ReadAllBytes(RpmBenchmarkData.Compressed("xz", "xz -q -6 -c"));
        _gzip = File.ReadAllBytes(RpmBenchmarkData.Compressed("gz", "gzip -6 -c"));
    }

    [Benchmark]
    public long Zstd() => Drain(RpmPayloadCompression.Zstd, _zstd);

    [Benchmark]
    public long Xz() => Drain(RpmPayloadCompression.Xz, _xz);

    [Benchmark]
    public long Gzip() => Drain(RpmPayloadCompression.Gzip, _gzip);

    private static long Drain(RpmPayloadCompression compression, byte[] data)
    {
        using var stream = PayloadDecoders.Open(compression, new MemoryStream(data, writable: false));
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }
}

/// <summary>Inputs of the RPM benchmarks.</summary>
internal static class RpmBenchmarkData
{
    /// <summary>32 MiB of a real shared library (libLLVM), the kind of content RHEL payloads carry.</summary>
    public const string Source = "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1";

    public static string FixtureDir()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Abi.Sdk.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return Path.Combine(dir ?? throw new InvalidOperationException("cannot find Abi.Sdk.sln"), "tests", "Abi.Sdk.Tests", "Fixtures", "rpm");
    }

    /// <summary>The sample compressed with a command-line tool, cached in the temp folder.</summary>
    public static string Compressed(string extension, string command)
    {
        var raw = Path.Combine(Path.GetTempPath(), "abi-bench-payload.bin");
        if (!File.Exists(raw))
        {
            using var source = File.OpenRead(Source);
            using var output = File.Create(raw);
            var buffer = new byte[32 << 20];
            source.ReadExactly(buffer);
            output.Write(buffer);
        }

        var path = raw + "." + extension;
        if (!File.Exists(path))
        {
            var psi = new ProcessStartInfo("bash", ["-c", $"{command} '{raw}' > '{path}'"]) { UseShellExecute = false };
            using var p = Process.Start(psi)!;
            p.WaitForExit();
        }

        return path;
    }
}
