using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// Loader verdicts for every dynamically linked ELF executable in /usr/bin against this machine's libraries.
/// <see cref="AllUsrBin_FreshTarget"/> pays for reading every library surface (and the ldconfig scan that builds
/// the cache model) once; <see cref="AllUsrBin_WarmTarget"/> reuses a target whose surfaces are already read,
/// which is what checking more binaries against the same system costs.
/// </summary>
[MemoryDiagnoser]
public class CompatBenchmarks
{
    private string[] _binaries = [];
    private Target? _warm;

    [GlobalSetup]
    public void Setup()
    {
        var list = new List<string>();
        var magic = new byte[4];
        foreach (var path in Directory.EnumerateFiles("/usr/bin").Order(StringComparer.Ordinal))
        {
            try
            {
                using (var f = File.OpenRead(path))
                {
                    if (f.Read(magic) < 4 || !ElfImage.IsElf(magic))
                    {
                        continue;
                    }
                }

                using var image = ElfImage.Open(path);
                if (image.Dynamic is not null && image.Interpreter is not null)
                {
                    list.Add(path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ElfFormatException)
            {
            }
        }

        _binaries = [.. list];
        _warm = Target.Host();
        AllUsrBin(_warm);
    }

    [GlobalCleanup]
    public void Cleanup() => _warm?.Dispose();

    private int AllUsrBin(Target target)
    {
        int compatible = 0;
        foreach (var path in _binaries)
        {
            if (CompatibilityChecker.Check(path, target).IsCompatible)
            {
                compatible++;
            }
        }

        return compatible;
    }

    [Benchmark]
    public int AllUsrBin_FreshTarget()
    {
        using var target = Target.Host();
        return AllUsrBin(target);
    }

    [Benchmark]
    public int AllUsrBin_WarmTarget() => AllUsrBin(_warm!);
}
