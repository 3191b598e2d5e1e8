using BenchmarkDotNet.Attributes;
using Abi.Sdk.Elf;
using Lof = LibObjectFile.Elf;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// Opening a library and reading every dynamic symbol with its GNU version: the span reader over the mapped file
/// (without and with materialised names) against LibObjectFile's object model reading the same file.
/// <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- --filter '*ElfSymbolsBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class ElfSymbolsBenchmarks
{
    private string _path = "";
    private byte[] _bytes = [];

    /// <summary>libLLVM-16 (about 48 000 dynamic symbols, 2 version nodes) and glibc (about 3 000, 40 version nodes).</summary>
    [Params("libLLVM-16.so.1", "libc.so.6")]
    public string Library { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine("/usr/lib/x86_64-linux-gnu", Library);
        if (!File.Exists(_path))
        {
            throw new FileNotFoundException($"{_path} is missing (apt-get install libllvm16)", _path);
        }

        _bytes = File.ReadAllBytes(_path);
    }

    /// <summary>Only open and close: map the file, validate and decode headers, dynamic section and version tables.</summary>
    [Benchmark]
    public int Open()
    {
        using var image = ElfImage.Open(_path);
        return image.DynamicSymbols.Count;
    }

    /// <summary><see cref="Versions"/> over bytes already in memory: the reader's own cost, without mapping and page faults.</summary>
    [Benchmark]
    public long VersionsFromMemory()
    {
        using var image = ElfImage.Parse(_bytes, _path);
        long sum = 0;
        foreach (var symbol in image.DynamicSymbols)
        {
            sum += (long)symbol.Value + (symbol.Version?.Index ?? 0) + (symbol.IsDefaultVersion ? 1 : 0);
        }

        return sum;
    }

    /// <summary>Open (map, validate, decode headers, dynamic section and version tables) and read every symbol's version.</summary>
    [Benchmark(Baseline = true)]
    public long Versions()
    {
        using var image = ElfImage.Open(_path);
        long sum = 0;
        foreach (var symbol in image.DynamicSymbols)
        {
            sum += (long)symbol.Value + (symbol.Version?.Index ?? 0) + (symbol.IsDefaultVersion ? 1 : 0);
        }

        return sum;
    }

    /// <summary>The same, also reading each name's UTF-8 bytes in place (no allocation per symbol).</summary>
    [Benchmark]
    public long VersionsAndUtf8Names()
    {
        using var image = ElfImage.Open(_path);
        long sum = 0;
        foreach (var symbol in image.DynamicSymbols)
        {
            sum += symbol.NameUtf8.Length + (symbol.Version?.Index ?? 0) + (symbol.IsDefaultVersion ? 1 : 0);
        }

        return sum;
    }

    /// <summary>The same, materialising every name as a string (one allocation per symbol).</summary>
    [Benchmark]
    public long VersionsAndNames()
    {
        using var image = ElfImage.Open(_path);
        long sum = 0;
        foreach (var symbol in image.DynamicSymbols)
        {
            sum += symbol.Name.Length + (symbol.Version?.Index ?? 0) + (symbol.IsDefaultVersion ? 1 : 0);
        }

        return sum;
    }

    /// <summary>
    /// LibObjectFile: read the whole object model, then every .dynsym entry with its name and its raw .gnu.version
    /// entry. LibObjectFile does not decode .gnu.version_d/_r, so this does less than <see cref="VersionsAndNames"/>.
    /// </summary>
    [Benchmark]
    public long LibObjectFileSymbolsAndRawVersions()
    {
        using var stream = File.OpenRead(_path);
        var elf = Lof.ElfFile.Read(stream);
        Lof.ElfSymbolTable? dynsym = null;
        Stream? versym = null;
        foreach (var section in elf.Sections)
        {
            if (section.Type == Lof.ElfSectionType.DynamicLinkerSymbolTable && section is Lof.ElfSymbolTable table)
            {
                dynsym = table;
            }
            else if ((uint)section.Type == 0x6fffffff && section is Lof.ElfStreamSection s)
            {
                versym = s.Stream;
            }
        }

        long sum = 0;
        Span<byte> entry = stackalloc byte[2];
        versym?.Seek(0, SeekOrigin.Begin);
        foreach (var symbol in dynsym!.Entries)
        {
            sum += (long)symbol.Value + (symbol.Name.Value?.Length ?? 0);
            if (versym is not null && versym.Read(entry) == 2)
            {
                sum += entry[0] | (entry[1] << 8);
            }
        }

        return sum;
    }
}
