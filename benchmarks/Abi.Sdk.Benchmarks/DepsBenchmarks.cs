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
        Span<byte> magic = stackalloc byte[4];
        var files = new List<string>();
        foreach (var path in Directory.EnumerateFiles("/usr/lib/x86_64-linux-gnu", "*.so*").Order(StringComparer.Ordinal))
        {
            if (new FileInfo(path).LinkTarget is not null)
            {
                continue;
            }

            using var stream = File.OpenRead(path);
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && ElfImage.IsElf(magic))
            {
                files.Add(path);
            }
        }

        _files = [.. files];
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
