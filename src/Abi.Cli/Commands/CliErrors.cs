using System.Reflection;

namespace Abi.Cli.Commands;

/// <summary>Turns every error into the one line on stderr and the error exit code the tool promises: never a stack trace.</summary>
internal static class CliErrors
{
    /// <summary>Runs <paramref name="body"/>; any exception (a malformed input, an unreadable file, a bug) becomes one line on stderr and <paramref name="errorExitCode"/>.</summary>
    public static int Guard(Func<int> body, int errorExitCode = 1)
    {
        try
        {
            return body();
        }
        catch (Exception ex)
        {
            Report(ex);
            return errorExitCode;
        }
    }

    /// <summary>Prints <paramref name="ex"/> (unwrapped from parallel loops and reflection) as one line <c>abi: MESSAGE</c>.</summary>
    public static void Report(Exception ex)
    {
        ex = Unwrap(ex);
        try
        {
            Console.Out.Flush();
        }
        catch (Exception flushError) when (flushError is IOException or UnauthorizedAccessException)
        {
            // stdout closed (a pipe reader gone, or no descriptor 1 at all, which the console reports as access
            // denied): the error line still goes to stderr.
        }

        // Expected failures print their message; anything else names its type, since its message alone may not say what failed.
        bool expected = ex is Abi.Sdk.AbiSdkFormatException or IOException or UnauthorizedAccessException or FormatException or ArgumentException
            or InvalidDataException or OutOfMemoryException or InsufficientExecutionStackException;
        var text = expected ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
        Console.Error.WriteLine($"abi: {OneLine(text)}");
    }

    /// <summary>The first real error inside the wrappers <c>Parallel.For</c>, tasks and reflection put around it.</summary>
    internal static Exception Unwrap(Exception ex)
    {
        while (true)
        {
            switch (ex)
            {
                case AggregateException { InnerExceptions.Count: > 0 } aggregate:
                    ex = aggregate.Flatten().InnerExceptions[0];
                    break;
                case TargetInvocationException { InnerException: { } inner }:
                    ex = inner;
                    break;
                case TypeInitializationException { InnerException: { } inner }:
                    ex = inner;
                    break;
                default:
                    return ex;
            }
        }
    }

    private static string OneLine(string text)
    {
        // A message quoting hostile input (a name with a newline, a megabyte of text) must stay one readable line.
        const int MaxLength = 2000;
        var line = text.ReplaceLineEndings(" ").Replace('\0', ' ');
        return line.Length <= MaxLength ? line : string.Concat(line.AsSpan(0, MaxLength), "…");
    }
}
