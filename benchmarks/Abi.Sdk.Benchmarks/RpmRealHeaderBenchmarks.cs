using Abi.Sdk.Rpm;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// Package headers per second on real headers (issue 17: ≥ 100 000/s with every tag the SDK models decoded): every
/// package of <c>../shared/corpus/rpm</c> (rpm's and rpm-rs's test packages) and, when <c>ABI_DISTRO_CORPUS</c>
/// names a corpus of benchmarks/distro/make-corpus.sh, the packages of its base side with the largest headers
/// (this machine's largest libraries and executables, packaged by rpmbuild). Only the lead and headers are kept in
/// memory: one operation is one package parsed and decoded.
/// <c>ABI_DISTRO_CORPUS=DIR dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- --filter '*RpmRealHeaderBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class RpmRealHeaderBenchmarks
{
    /// <summary>How many of the corpus's packages with the largest headers are read.</summary>
    private const int LargestDistroHeaders = 64;

    /// <summary>Headers per invocation (the set cycled through), so that BenchmarkDotNet reports the time per header.</summary>
    private const int Operations = 64;

    private byte[][] _headers = [];

    /// <summary>The packages read: the shared corpus, or the distribution corpus's largest headers.</summary>
    [Params("shared", "distro")]
    public string Set { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        IEnumerable<string> paths = Set == "shared"
            ? Directory.GetFiles(Path.GetFullPath(Path.Combine(RpmBenchmarkData.FixtureDir(), "../../../../../shared/corpus/rpm")), "*.rpm", SearchOption.AllDirectories)
            : DistroCorpus.Packages("base");
        var headers = new List<byte[]>();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            byte[] bytes;
            try
            {
                // Lead, signature and main header only: what a repository scan reads of each package.
                long end = RpmPackage.Open(path).PayloadOffset;
                bytes = new byte[end];
                using var stream = File.OpenRead(path);
                stream.ReadExactly(bytes);
                DecodeAll(bytes); // a package whose header the SDK refuses (rpm's corrupted test packages) is left out
            }
            catch (RpmFormatException)
            {
                continue;
            }

            headers.Add(bytes);
        }

        _headers = [.. headers.OrderByDescending(h => h.Length).Take(LargestDistroHeaders)];
        if (_headers.Length == 0)
        {
            throw new InvalidOperationException($"no packages found for '{Set}'");
        }

        Console.WriteLine($"// {Set}: {_headers.Length} packages, {_headers.Sum(h => (long)h.Length)} header bytes, largest {_headers.Max(h => h.Length)}");
    }

    /// <summary>
    /// Every package's lead and headers parsed and everything <see cref="RpmPackage"/> models decoded: NEVRA, the
    /// descriptive tags, the nine dependency kinds and the file list with every file attribute and its dependencies.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public long ParseAndDecodeModel()
    {
        long sum = 0;
        for (int i = 0; i < Operations; i++)
        {
            var bytes = _headers[i % _headers.Length];
            sum += DecodeAll(bytes);
        }

        return sum;
    }

    /// <summary>Only the lead and headers parsed and validated (nothing decoded): what the target's earlier figure measured.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public long ParseOnly()
    {
        long sum = 0;
        for (int i = 0; i < Operations; i++)
        {
            var bytes = _headers[i % _headers.Length];
            sum += RpmPackage.Parse(bytes).PayloadOffset;
        }

        return sum;
    }

    private static long DecodeAll(byte[] bytes)
    {
        var p = RpmPackage.Parse(bytes);
        long sum = p.Nevra.ToString().Length + p.FormatVersion + (p.IsSource ? 1 : 0);
        sum += (p.Summary?.Length ?? 0) + (p.Description?.Length ?? 0) + (p.License?.Length ?? 0) + (p.Url?.Length ?? 0)
            + (p.Vendor?.Length ?? 0) + (p.Packager?.Length ?? 0) + (p.BuildHost?.Length ?? 0) + (p.SourceRpm?.Length ?? 0)
            + (p.BuildTime?.Ticks ?? 0) + p.PayloadCompressor.Length + (p.DeclaredArchiveSize ?? 0);
        foreach (RpmDependencyKind kind in Enum.GetValues<RpmDependencyKind>())
        {
            sum += p.GetDependencies(kind).Length;
        }

        foreach (var f in p.Files)
        {
            sum += f.Path.Length + f.Size + f.Mode + (f.Digest?.Length ?? 0) + (f.UserName?.Length ?? 0) + f.Dependencies.Length;
        }

        return sum;
    }
}
