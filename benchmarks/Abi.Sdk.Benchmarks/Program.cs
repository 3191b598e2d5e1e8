using BenchmarkDotNet.Running;

namespace Abi.Sdk.Benchmarks;

/// <summary>Runs the suites: <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point; <c>distro-read FOLDER... [--cache=FOLDER]</c> runs the whole-corpus read instead (<see cref="DistroCorpus"/>), <c>diff-gc [RUNS] [--trace]</c> the collector's share of the in-process diff (<see cref="DiffCollectorShare"/>), <c>rpm-headers SET SECONDS</c> the real-header decode in a loop (<see cref="RpmRealHeaderBenchmarks.Loop"/>), <c>rpm-dump FILE...</c> every modelled value (<see cref="RpmRealHeaderBenchmarks.Dump"/>).</summary>
    public static int Main(string[] args)
    {
        if (args is ["distro-read", .. var rest])
        {
            return DistroCorpus.Run(rest);
        }

        if (args is ["rpm-headers", .. var set])
        {
            return RpmRealHeaderBenchmarks.Loop(set);
        }

        if (args is ["rpm-dump", .. var packages])
        {
            return RpmRealHeaderBenchmarks.Dump(packages);
        }

        if (args is ["diff-gc", .. var runs])
        {
            return DiffCollectorShare.Run(runs);
        }

        // Non-zero when a benchmark failed (CI runs every one once in the dry job, so that none can rot).
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToList();
        var failed = summaries.SelectMany(s => s.Reports.Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo))
            .Concat(summaries.Where(s => s.HasCriticalValidationErrors).Select(s => $"{s.Title}: {string.Join("; ", s.ValidationErrors.Select(e => e.Message))}"))
            .ToList();
        foreach (var f in failed)
        {
            Console.Error.WriteLine($"benchmark failed: {f}");
        }

        return failed.Count > 0 ? 1 : 0;
    }
}
