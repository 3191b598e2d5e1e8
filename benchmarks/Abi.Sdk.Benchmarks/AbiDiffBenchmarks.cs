using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// libLLVM-15 vs libLLVM-16 (45 791 and 47 945 exported symbols; nearly all moved from version node LLVM_15 to
/// LLVM_16): reading both surfaces from the mapped files, comparing them, and both together, which is what
/// <c>abi diff</c> does in-process (abidiff needs minutes for this pair).
/// </summary>
[MemoryDiagnoser]
public class AbiDiffBenchmarks
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";
    private ElfImage _old = null!;
    private ElfImage _new = null!;
    private AbiSurface _oldSurface = null!;
    private AbiSurface _newSurface = null!;

    /// <summary>Maps both libraries (apt: libllvm15 libllvm16).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _old = ElfImage.Open(Lib + "libLLVM-15.so.1");
        _new = ElfImage.Open(Lib + "libLLVM-16.so.1");
        _oldSurface = AbiSurface.Of(_old);
        _newSurface = AbiSurface.Of(_new);
    }

    /// <summary>Unmaps them.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _old.Dispose();
        _new.Dispose();
    }

    /// <summary>Both surfaces from the mapped files.</summary>
    [Benchmark]
    public int Surfaces() => AbiSurface.Of(_old).Symbols.Length + AbiSurface.Of(_new).Symbols.Length;

    /// <summary>The comparison of two ready surfaces.</summary>
    [Benchmark]
    public int Compare() => AbiComparer.Default.Compare(_oldSurface, _newSurface).Diagnostics.Length;

    /// <summary>Surfaces and comparison: the in-process <c>abi diff</c>.</summary>
    [Benchmark(Baseline = true)]
    public int SurfacesAndCompare() => AbiComparer.Default.Compare(AbiSurface.Of(_old), AbiSurface.Of(_new)).Diagnostics.Length;

    /// <summary>
    /// The whole in-process <c>abi diff</c>: map both files afresh, read both surfaces, compare. Unlike
    /// <see cref="SurfacesAndCompare"/> nothing read in an earlier iteration (the symbol table's name cache) is reused.
    /// </summary>
    [Benchmark]
    public int OpenAndCompare()
    {
        using var oldImage = ElfImage.Open(Lib + "libLLVM-15.so.1");
        using var newImage = ElfImage.Open(Lib + "libLLVM-16.so.1");
        return AbiComparer.Default.Compare(AbiSurface.Of(oldImage), AbiSurface.Of(newImage)).Diagnostics.Length;
    }

    /// <summary>The fingerprint of a fresh surface.</summary>
    [Benchmark]
    public AbiFingerprint Fingerprint() => AbiSurface.Of(_new).Fingerprint;

    /// <summary>The JSON report of the diff (the removed list sorted, 49 623 diagnostics formatted).</summary>
    [Benchmark]
    public long JsonReport()
    {
        using var stream = new MemoryStream();
        AbiComparer.Default.Compare(_oldSurface, _newSurface).WriteJson(stream);
        return stream.Length;
    }
}
