using BenchmarkDotNet.Running;

namespace Abi.Sdk.Benchmarks;

/// <summary>Runs the suites: <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point; <c>distro-read FOLDER... [--cache=FOLDER]</c> runs the whole-corpus read instead (<see cref="DistroCorpus"/>).</summary>
    public static int Main(string[] args)
    {
        if (args is ["distro-read", .. var rest])
        {
            return DistroCorpus.Run(rest);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
