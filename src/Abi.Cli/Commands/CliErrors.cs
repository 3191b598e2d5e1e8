namespace Abi.Cli.Commands;

/// <summary>Turns the SDK's typed format errors into the one-line message and exit code 1 the tool promises.</summary>
internal static class CliErrors
{
    /// <summary>Runs <paramref name="body"/>; a malformed input or an unreadable file becomes one line on stderr and <paramref name="errorExitCode"/>.</summary>
    public static int Guard(Func<int> body, int errorExitCode = 1)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is Abi.Sdk.AbiSdkFormatException or IOException or UnauthorizedAccessException)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"abi: {ex.Message}");
            return errorExitCode;
        }
    }
}
