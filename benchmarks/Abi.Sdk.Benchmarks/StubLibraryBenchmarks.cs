using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// Stub libraries from ABI surfaces (<see cref="AbiStubLibrary.Create"/>) for libc.so.6 and, when installed,
/// libLLVM-16 (the largest surface on the machine).
/// </summary>
[MemoryDiagnoser]
public class StubLibraryBenchmarks
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";
    private AbiSurface _surface = null!;

    /// <summary>The libraries whose surfaces are stubbed: those of the list installed here.</summary>
    public static IEnumerable<string> Libraries() => new[] { "libc.so.6", "libLLVM-16.so.1" }.Where(n => File.Exists(Lib + n));

    /// <summary>The library stubbed.</summary>
    [ParamsSource(nameof(Libraries))]
    public string Library { get; set; } = "libc.so.6";

    /// <summary>Reads the surfaces once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _surface = AbiSurface.Open(Lib + Library);
    }

    /// <summary>The stub of <see cref="Library"/>'s surface, in memory.</summary>
    [Benchmark]
    public int CreateStub() => AbiStubLibrary.Create(_surface).Length;
}

/// <summary>A loader verdict against a target made of baselines, stubs built on demand (<see cref="Target.FromBaselines"/>).</summary>
[MemoryDiagnoser]
public class BaselineTargetBenchmarks
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";
    private List<AbiSurface> _baselines = [];
    private string _app = string.Empty;

    /// <summary>Reads the surfaces once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var compat = Path.Combine(FindRoot(), "tests", "Abi.Sdk.Tests", "Fixtures", "compat", "out");
        _app = Path.Combine(compat, "apps", "app_version");
        _baselines = [.. Directory.GetFiles(Path.Combine(compat, "target")).Order(StringComparer.Ordinal).Select(AbiSurface.Open)];
        _baselines.Add(AbiSurface.Open(Lib + "libc.so.6"));
        _baselines.Add(AbiSurface.Open("/lib64/ld-linux-x86-64.so.2"));
    }

    /// <summary>app_version against a fresh baselines target (8 scenario libraries, libc, ld.so): stubs, ld.so.cache model, verdict.</summary>
    [Benchmark]
    public bool CheckAgainstBaselines()
    {
        using var target = Target.FromBaselines(_baselines);
        return CompatibilityChecker.Check(_app, target).IsCompatible;
    }

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Abi.Sdk.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("cannot find Abi.Sdk.sln above the benchmark binaries");
    }
}
