namespace Abi.Sdk.Tests.TestSupport;

/// <summary>Runs the built <c>abi</c> tool as a separate process, as a user would.</summary>
public static class CliRunner
{
    /// <summary>The exit code of a run killed by <paramref name="timeoutSeconds"/> (coreutils <c>timeout</c>'s).</summary>
    public const int TimedOut = 124;

    private static readonly string ToolDll = Path.Combine(AppContext.BaseDirectory, "abi.dll");

    /// <summary>Runs <c>abi ARGS</c> and returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> arguments, string? stdin = null)
        => Tools.Run("dotnet", [ToolDll, .. arguments], stdin: stdin);

    /// <summary>Runs <c>abi ARGS</c>, killed after <paramref name="timeoutSeconds"/> (exit code <see cref="TimedOut"/>), so that a hang fails a test instead of blocking the run.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> arguments, int timeoutSeconds)
        => Tools.Run("timeout", [timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", ToolDll, .. arguments]);
}
