namespace Abi.Sdk.Tests.TestSupport;

/// <summary>Runs the built <c>abi</c> tool as a separate process, as a user would.</summary>
public static class CliRunner
{
    private static readonly string ToolDll = Path.Combine(AppContext.BaseDirectory, "abi.dll");

    /// <summary>Runs <c>abi ARGS</c> and returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> arguments, string? stdin = null)
        => Tools.Run("dotnet", [ToolDll, .. arguments], stdin: stdin);
}
