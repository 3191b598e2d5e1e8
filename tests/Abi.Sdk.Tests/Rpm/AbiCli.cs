using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>Runs the abi tool (built beside the tests) as a process, as a user would.</summary>
internal static class AbiCli
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string[] args, string? stdin = null)
    {
        var abi = Path.Combine(AppContext.BaseDirectory, "abi.dll");
        var dotnet = Tools.Find("dotnet") ?? Environment.ProcessPath ?? "dotnet";
        return Tools.Run(dotnet, ["exec", abi, .. args], stdin: stdin);
    }
}
