using Abi.Sdk.Abi;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// Building the type graph of a library's exported functions and variables from its DWARF (libc from libc6-dbg's
/// debug file, found by build-id; libstdc++ from libstdc++6-12-dbg's unstripped copy), and comparing two ready graphs
/// (the library with itself: every symbol is recognised as unchanged after the joint refinement).
/// <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- --filter '*TypeGraphBenchmarks*' --job short</c>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class TypeGraphBenchmarks
{
    private string _library = "";
    private string _debugFile = "";
    private AbiSurface? _surface;
    private AbiTypeGraph? _graph;

    /// <summary>The library.</summary>
    [Params("libc.so.6", "libstdc++.so.6")]
    public string Library { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        if (Library == "libc.so.6")
        {
            _library = "/lib/x86_64-linux-gnu/libc.so.6";
            using var image = ElfImage.Open(_library);
            _debugFile = new DebugInfoLocator().Locate(image)?.Path ?? throw new FileNotFoundException("libc6-dbg is not installed (apt-get install libc6-dbg)");
        }
        else
        {
            _library = _debugFile = "/usr/lib/x86_64-linux-gnu/debug/libstdc++.so.6";
            if (!File.Exists(_library))
            {
                throw new FileNotFoundException("libstdc++6-12-dbg is not installed (apt-get install libstdc++6-12-dbg)", _library);
            }
        }

        _graph = BuildGraph();
        using var lib = ElfImage.Open(_library);
        _surface = AbiSurface.Of(lib);
    }

    /// <summary>Open the library and its debug file, and build the graph.</summary>
    [Benchmark]
    public AbiTypeGraph BuildGraph()
    {
        using var image = ElfImage.Open(_library);
        using var dwarf = DwarfFile.Open(_debugFile);
        return AbiTypeGraph.Build(image, dwarf);
    }

    /// <summary>Compare two ready graphs (and the surfaces).</summary>
    [Benchmark]
    public AbiDiff CompareGraphs() => AbiComparer.Default.Compare(_surface!, _surface!, _graph!, _graph!);
}
