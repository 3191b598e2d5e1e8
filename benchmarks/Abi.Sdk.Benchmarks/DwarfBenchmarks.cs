using System.Buffers.Binary;
using System.IO.Compression;
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
    private byte[] _debugInfo = [];
    private bool _compressed;
    private byte[] _inflated = [];

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

        using var file = ElfImage.Open(_path);
        var info = file.FindSection(".debug_info") ?? throw new InvalidDataException($"{_path} has no .debug_info");
        _debugInfo = file.GetSectionData(info).ToArray();
        _compressed = (info.Flags & ElfSectionFlags.SHF_COMPRESSED) != 0;
        // ELF64 compression header: ch_type, ch_reserved, ch_size, ch_addralign (24 bytes, little-endian here).
        if (_compressed && BinaryPrimitives.ReadUInt32LittleEndian(_debugInfo) != 1)
        {
            throw new NotSupportedException($"{_path}: .debug_info is not zlib-compressed (ch_type {BinaryPrimitives.ReadUInt32LittleEndian(_debugInfo)})");
        }

        _inflated = new byte[_compressed ? (int)BinaryPrimitives.ReadUInt64LittleEndian(_debugInfo.AsSpan(8)) : _debugInfo.Length];
    }

    /// <summary>
    /// The least any type build from this file reads: open it, list the units, read every unit's abbreviation table and
    /// every DIE at a unit's top level, stepping over the children. The type-graph walk reads this much before it
    /// records anything (docs/perf-abi.md, "The cold glibc pair, phase by phase").
    /// </summary>
    [Benchmark]
    public long ReadTopLevelDies() => Walk(topLevelOnly: true);

    /// <summary>
    /// <c>.debug_info</c> alone inflated with the runtime's zlib (as the reader does), into a buffer kept between
    /// iterations, so that no fresh page is touched: the decompressor's share of <see cref="ReadTopLevelDies"/>. An
    /// uncompressed section is copied.
    /// </summary>
    [Benchmark]
    public int InflateDebugInfo()
    {
        if (!_compressed)
        {
            _debugInfo.CopyTo(_inflated, 0);
            return _inflated.Length;
        }

        using var inflater = new ZLibStream(new MemoryStream(_debugInfo, 24, _debugInfo.Length - 24), CompressionMode.Decompress);
        return inflater.ReadAtLeast(_inflated, _inflated.Length, throwOnEndOfStream: true);
    }

    /// <summary>Open, list units, and walk every DIE (offset, tag, nesting) without decoding attribute values.</summary>
    [Benchmark]
    public long WalkDies() => Walk(topLevelOnly: false);

    private long Walk(bool topLevelOnly)
    {
        using var dwarf = DwarfFile.Open(_path);
        long n = 0;
        foreach (var unit in dwarf.Units)
        {
            var dies = unit.ReadDies();
            while (dies.MoveNext())
            {
                n += (int)dies.Current.Tag + dies.Depth;
                if (topLevelOnly && dies.Depth >= 1 && dies.Current.HasChildren)
                {
                    dies.SkipChildren();
                }
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
