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
    /// Every package's lead and headers parsed and everything <see cref="RpmPackage"/> models decoded and read: NEVRA,
    /// the descriptive tags, the nine dependency kinds (each name, flags and split EVR) and every property of every
    /// file (strings included, as a user reading the model gets them) with its dependencies.
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

    /// <summary>
    /// <c>rpm-headers SET SECONDS</c>: <see cref="ParseAndDecodeModel"/> in a loop for a profiler
    /// (<c>DOTNET_PerfMapEnabled=1 perf record -g dotnet Abi.Sdk.Benchmarks.dll rpm-headers distro 20</c>); prints headers/s.
    /// <c>rpm-headers SET Nx</c> runs N operations of 64 headers instead, for counting instructions with
    /// <c>perf stat -e instructions:u</c> (subtract a run of <c>0x</c>: set-up and warm-up): a figure a loaded machine does not change.
    /// </summary>
    /// <param name="args">
    /// The set (<c>shared</c> or <c>distro</c>), the seconds (or <c>N</c>x operations) to run, and optionally <c>cold</c>:
    /// the SDK's intern table of repeated short values (<c>RpmInternTable</c>) emptied before every operation, so that
    /// each pass over the set meets every value for the first time, as a single scan of those packages would, and
    /// optionally <c>warmup=N</c>: N warm-up operations instead of 1000 (for callgrind with <c>DOTNET_TieredCompilation=0</c>).
    /// </param>
    /// <returns>0.</returns>
    public static int Loop(string[] args)
    {
        var bench = new RpmRealHeaderBenchmarks { Set = args.Length > 0 ? args[0] : "distro" };
        bench.Setup();
        string run = args.Length > 1 ? args[1] : "10";
        long operations = run.EndsWith('x') ? long.Parse(run[..^1], System.Globalization.CultureInfo.InvariantCulture) : long.MaxValue;
        double seconds = run.EndsWith('x') ? double.MaxValue : double.Parse(run, System.Globalization.CultureInfo.InvariantCulture);
        // warmup=N after the other arguments: fewer warm-up operations (under valgrind, with DOTNET_TieredCompilation=0).
        int warmup = args.FirstOrDefault(a => a.StartsWith("warmup=", StringComparison.Ordinal)) is { } w
            ? int.Parse(w["warmup=".Length..], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        for (int i = 0; i < warmup; i++)
        {
            bench.ParseAndDecodeModel(); // warm up (tiered JIT)
        }

        // CPU time as well as wall time: on a loaded machine the process's CPU time per header is the steadier figure.
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        long allocated0 = GC.GetAllocatedBytesForCurrentThread();
        int gc0 = GC.CollectionCount(0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long headers = 0, sum = 0;
        bool cold = args.Skip(2).Contains("cold");
        while (headers / Operations < operations && clock.Elapsed.TotalSeconds < seconds)
        {
            if (cold)
            {
                RpmInternTable.Clear();
            }

            sum += bench.ParseAndDecodeModel();
            headers += Operations;
        }

        var wall = clock.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        Console.WriteLine(FormattableString.Invariant(
            $"{bench.Set}{(cold ? " (cold intern table)" : "")}: {headers / Math.Max(wall.TotalSeconds, 1e-9):F0} headers/s wall ({wall.TotalMicroseconds / Math.Max(headers, 1):F2} us each), {cpu.TotalMicroseconds / Math.Max(headers, 1):F2} us CPU each, {(GC.GetAllocatedBytesForCurrentThread() - allocated0) / (double)Math.Max(headers, 1):F0} B allocated each, {GC.CollectionCount(0) - gc0} gen0 collections over {headers} headers (checksum {sum})"));
        return 0;
    }

    /// <summary>
    /// <c>rpm-dump FILE...</c>: every modelled value of each package, one line each, for comparing two builds of the
    /// reader (the SDK before and after a change) on whole corpora.
    /// </summary>
    /// <param name="paths">The packages.</param>
    /// <returns>0.</returns>
    public static int Dump(string[] paths)
    {
        var w = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false));
        foreach (var path in paths)
        {
            RpmPackage p;
            try
            {
                p = RpmPackage.Open(path);
                _ = p.Files;
            }
            catch (RpmFormatException e)
            {
                w.WriteLine($"{Path.GetFileName(path)}: {e.Message}");
                continue;
            }

            w.WriteLine(FormattableString.Invariant($"{Path.GetFileName(path)}: {p.Nevra} {p.FormatVersion} {p.IsSource} [{p.Summary}] [{p.Description}] [{p.License}] [{p.Url}] [{p.Vendor}] [{p.Packager}] [{p.BuildHost}] [{p.SourceRpm}] {p.BuildTime} {p.PayloadCompressor} {p.DeclaredArchiveSize}"));
            foreach (RpmDependencyKind kind in Enum.GetValues<RpmDependencyKind>())
            {
                foreach (var d in p.GetDependencies(kind))
                {
                    w.WriteLine($"  {kind} {d} {(uint)d.Flags:x} [{d.Version?.Epoch}|{d.Version?.Version}|{d.Version?.Release}] {Convert.ToHexString(d.NameBytes.Span)} {Convert.ToHexString(d.VersionBytes.Span)}");
                }
            }

            foreach (var f in p.Files)
            {
                w.WriteLine(FormattableString.Invariant($"  {f.Index} [{f.Path}] {Convert.ToHexString(f.PathBytes.Span)} {f.Size} {Convert.ToString(f.Mode, 8)} {f.Flags} {f.Digest} {f.DigestAlgorithm} [{f.LinkTarget}] [{f.UserName}] [{f.GroupName}] {f.ModificationTime} {f.Rdev} {f.Device} {f.Inode} [{f.Language}] [{f.Class}] {f.Color} [{f.Capabilities}] {f.VerifyFlags:x} [{string.Join(", ", f.Dependencies)}]"));
            }
        }

        w.Flush();
        return 0;
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
            foreach (var d in p.GetDependencies(kind))
            {
                sum += d.Name.Length + (long)d.Flags + (d.Version?.Version.Length ?? 0) + (d.Version?.Release?.Length ?? 0) + (d.Version?.Epoch?.Length ?? 0);
            }
        }

        // Every attribute of every file, as a user reading the model gets it (strings decoded).
        foreach (var f in p.Files)
        {
            sum += f.Index + f.Path.Length + f.Size + f.Mode + (long)f.Flags + (f.Digest?.Length ?? 0) + (long)f.DigestAlgorithm
                + (f.LinkTarget?.Length ?? 0) + (f.UserName?.Length ?? 0) + (f.GroupName?.Length ?? 0) + f.ModificationTime
                + f.Rdev + f.Device + f.Inode + (f.Language?.Length ?? 0) + (f.Class?.Length ?? 0) + f.Color
                + (f.Capabilities?.Length ?? 0) + f.VerifyFlags + f.Dependencies.Length;
        }

        return sum;
    }
}
