using BenchmarkDotNet.Running;

namespace Abi.Sdk.Benchmarks;

/// <summary>Runs the suites: <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point; <c>distro-read FOLDER... [--cache=FOLDER]</c> runs the whole-corpus read instead (<see cref="DistroCorpus"/>), <c>diff-gc [RUNS]</c> the collector's share of the in-process diff (<see cref="DiffCollectorShare"/>).</summary>
    public static int Main(string[] args)
    {
        if (args is ["distro-read", .. var rest])
        {
            return DistroCorpus.Run(rest);
        }

        if (args is ["diff-gc", .. var runs])
        {
            return DiffCollectorShare.Run(runs);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
