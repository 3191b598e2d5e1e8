using System.Diagnostics;

namespace Abi.Sdk.Tests.TestSupport;

/// <summary>Finds and runs the reference tools the differential tests compare against.</summary>
public static class Tools
{
    /// <summary>The full path of <paramref name="tool"/> on PATH (or an absolute path that exists), else null.</summary>
    public static string? Find(string tool)
    {
        if (Path.IsPathRooted(tool))
        {
            return File.Exists(tool) ? tool : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Skips the test, naming the tool and the package that provides it, when the tool is missing.</summary>
    public static string Require(string tool, string package)
    {
        var path = Find(tool);
        if (path is null)
        {
            Assert.Skip($"reference tool '{tool}' is not installed (apt-get install {package}); .ci/run installs it");
        }

        return path!;
    }

    /// <summary>
    /// Starts a process, retrying while exec says "Text file busy" (ETXTBSY): a test that has just written an
    /// executable can meet it when another test's thread forks at that moment, because the child holds the new
    /// file's write descriptor until its own exec closes it. The race is the kernel's, not the program's.
    /// </summary>
    private static Process Start(ProcessStartInfo psi)
    {
        const int TextFileBusy = 26; // ETXTBSY on Linux
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return Process.Start(psi)!;
            }
            catch (System.ComponentModel.Win32Exception ex) when (ex.NativeErrorCode == TextFileBusy && attempt < 50)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Runs a tool and returns its exit code, stdout and stderr. Never throws for a non-zero exit.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["LC_ALL"] = "C";
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        using var p = Start(psi);
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }

        p.WaitForExit();
        return (p.ExitCode, stdoutTask.Result, stderrTask.Result);
    }

    /// <summary>Runs a tool and returns its exit code and its stdout as raw bytes (for output that need not be UTF-8).</summary>
    public static (int ExitCode, byte[] Stdout, string Stderr) RunBytes(string fileName, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["LC_ALL"] = "C";
        using var p = Start(psi);
        using var stdout = new MemoryStream();
        var stderrTask = p.StandardError.ReadToEndAsync();
        p.StandardOutput.BaseStream.CopyTo(stdout);
        p.WaitForExit();
        return (p.ExitCode, stdout.ToArray(), stderrTask.Result);
    }
}

/// <summary>Paths of the repository, its fixtures and the shared corpus.</summary>
public static class Paths
{
    /// <summary>The repository root (the folder holding Abi.Sdk.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>tests/Abi.Sdk.Tests/Fixtures in the source tree.</summary>
    public static string Fixtures => Path.Combine(RepositoryRoot, "tests", "Abi.Sdk.Tests", "Fixtures");

    /// <summary>The shared corpus of real packages beside the repository (../shared/corpus), or null when absent.</summary>
    public static string? Corpus
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "corpus"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>The corpus folder, or skips the test saying why it is absent.</summary>
    public static string RequireCorpus()
    {
        var corpus = Corpus;
        if (corpus is null)
        {
            Assert.Skip("the shared corpus (../shared/corpus beside the repository) is not present in this clone");
        }

        return corpus!;
    }

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Abi.Sdk.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("cannot find Abi.Sdk.sln above the test binaries");
    }
}
