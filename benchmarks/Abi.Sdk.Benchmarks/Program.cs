using BenchmarkDotNet.Running;

namespace Abi.Sdk.Benchmarks;

/// <summary>Runs the suites: <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
