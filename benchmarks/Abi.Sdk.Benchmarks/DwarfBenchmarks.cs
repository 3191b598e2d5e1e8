using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// Walking every DIE of a real debug file: libc6-dbg's debug file of the installed libc (found by build-id; its
/// sections are zlib-compressed, so each iteration decompresses them) and libstdc++6-12-dbg's libstdc++ (DWARF in the
/// file, uncompressed). <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- --filter '*DwarfBenchmarks*' --job short</c>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class DwarfBenchmarks
{
    private string _path = "";

    /// <summary>The debug file.</summary>
    [Params("libc.so.6", "libstdc++.so.6")]
    public string Library { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        if (Library == "libc.so.6")
        {
            using var image = ElfImage.Open("/lib/x86_64-linux-gnu/libc.so.6");
            _path = new DebugInfoLocator().Locate(image)?.Path ?? throw new FileNotFoundException("libc6-dbg is not installed (apt-get install libc6-dbg)");
        }
        else
        {
            _path = "/usr/lib/x86_64-linux-gnu/debug/libstdc++.so.6";
            if (!File.Exists(_path))
            {
                throw new FileNotFoundException("libstdc++6-12-dbg is not installed (apt-get install libstdc++6-12-dbg)", _path);
            }
        }
    }

    /// <summary>Open, list units, and walk every DIE (offset, tag, nesting) without decoding attribute values.</summary>
    [Benchmark]
    public long WalkDies()
    {
        using var dwarf = DwarfFile.Open(_path);
        long n = 0;
        foreach (var unit in dwarf.Units)
        {
            var dies = unit.ReadDies();
            while (dies.MoveNext())
            {
                n += (int)dies.Current.Tag + dies.Depth;
            }
        }

        return n;
    }

    /// <summary>
    /// <see cref="WalkDies"/>, and decode every attribute of every DIE: constants, flags, addresses; strings found in
    /// their section (as spans, not materialised); references made section offsets.
    /// </summary>
    [Benchmark]
    public long WalkDiesAndAttributes()
    {
        using var dwarf = DwarfFile.Open(_path);
        long n = 0;
        foreach (var unit in dwarf.Units)
        {
            var dies = unit.ReadDies();
            while (dies.MoveNext())
            {
                foreach (var a in dies.Current.Attributes)
                {
                    n += a.IsString ? a.AsStringBytes().Length
                        : a.IsReference ? (long)a.AsReference().Value
                        : a.IsBlock ? a.AsBytes().Length
                        : (long)a.RawValue;
                }
            }
        }

        return n;
    }
}
