using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// The tool writes stdout with write(2) on Linux (issue 17, start-up), not through the console stream: what the
/// console stream did when stdout cannot take the output must not change. Each case runs the tool under bash, which
/// sets up the descriptor; the expected exit codes and messages are those the console stream gave.
/// </summary>
public class StandardOutputTests
{
    private static readonly string Library = Path.Combine(Paths.Fixtures, "elf", "libversioned.so");

    /// <summary>Runs <c>abi ARGS</c> with <paramref name="redirection"/> applied by bash, then <paramref name="after"/>.</summary>
    private static (int ExitCode, string Stdout, string Stderr) Shell(string redirection, string after, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "abi.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        // $1 the host, $2 the tool, the rest its arguments.
        return Tools.Run("bash", ["-c", $"\"$@\" {redirection}{after}", "bash", dotnet, dll, .. args]);
    }

    [Fact]
    public void A_reader_that_stops_early_ends_the_listing_quietly_with_success()
    {
        // About a megabyte of listing, far more than a pipe holds, into a reader that takes one byte and leaves.
        var files = Enumerable.Repeat(Library, 2000).ToArray();
        var (code, stdout, stderr) = Shell("| head -c 1 > /dev/null", "; echo ${PIPESTATUS[0]}", ["symbols", .. files]);
        Assert.True(code == 0, stderr);
        Assert.Equal("0", stdout.Trim());
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public void A_full_device_is_one_error_line_and_exit_code_1()
    {
        if (!File.Exists("/dev/full"))
        {
            Assert.Skip("no /dev/full on this system");
        }

        var (code, _, stderr) = Shell("> /dev/full", string.Empty, "symbols", Library);
        Assert.Equal(1, code);
        Assert.Equal("abi: No space left on device\n", stderr);
    }

    [Fact]
    public void A_closed_stdout_is_one_error_line_not_a_crash()
    {
        var (code, _, stderr) = Shell(">&-", string.Empty, "symbols", Library);
        Assert.Equal(1, code);
        Assert.StartsWith("abi: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
