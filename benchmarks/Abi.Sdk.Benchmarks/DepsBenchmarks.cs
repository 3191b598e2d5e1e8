using Abi.Sdk.Dependencies;
using Abi.Sdk.Elf;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>rpm's ELF dependency generator over every regular ELF library in the multiarch folder, in one process.</summary>
[MemoryDiagnoser]
[MinColumn]
public class DepsBenchmarks
{
    private string[] _files = [];

    [GlobalSetup]
    public void Setup()
    {
        _files = [.. Directory.EnumerateFiles("/usr/lib/x86_64-linux-gnu", "*.so*").Order(StringComparer.Ordinal).Where(ElfImage.IsElfFile)];
    }

    /// <summary>Provides and requires of every library, as <c>rpmdeps --provides --requires</c> computes them.</summary>
    [Benchmark]
    public int GenerateAll()
    {
        int count = 0;
        foreach (var file in _files)
        {
            var d = ElfDependencyGenerator.Generate(file);
            count += d.Provides.Length + d.Requires.Length;
        }

        return count;
    }
}
