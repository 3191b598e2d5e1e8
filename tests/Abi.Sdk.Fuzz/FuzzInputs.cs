namespace Abi.Sdk.Fuzz;

/// <summary>The committed inputs (seeds/TARGET and regressions/TARGET) and their replay without instrumentation.</summary>
public static class FuzzInputs
{
    /// <summary>How long one input may run in a replay before it counts as a hang (generous: replays run unoptimized in CI).</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    /// <summary>The folders holding the committed inputs of <paramref name="target"/>, copied beside the assembly.</summary>
    public static string[] CommittedFolders(string target) =>
        [Path.Combine(AppContext.BaseDirectory, "seeds", target), Path.Combine(AppContext.BaseDirectory, "regressions", target)];

    /// <summary>The files named by <paramref name="paths"/> (folders are listed, recursively, in ordinal order).</summary>
    public static IEnumerable<string> Files(IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (string file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
        }
    }

    /// <summary>Runs one input through a target; returns what went wrong, or <see langword="null"/> when only documented errors escaped.</summary>
    public static string? Replay(string target, string file)
    {
        byte[] input = File.ReadAllBytes(file);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                FuzzTargets.Run(target, input);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.IsBackground = true;
        thread.Start();
        if (!thread.Join(HangLimit))
        {
            return $"still running after {HangLimit.TotalSeconds:0} s";
        }

        return failure?.ToString();
    }
}
