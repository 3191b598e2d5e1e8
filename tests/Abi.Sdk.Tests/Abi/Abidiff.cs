using System.Text.RegularExpressions;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>Runs libabigail's abidiff and reads its removed and added ELF-symbol lists.</summary>
public static partial class Abidiff
{
    public sealed record Result(int ExitCode, SortedSet<string> Removed, SortedSet<string> Added, string Stdout);

    public static string Require() => Tools.Require("abidiff", "abigail-tools");

    public static Result Run(string oldFile, string newFile, params string[] extra)
    {
        var abidiff = Require();
        var (exit, stdout, stderr) = Tools.Run(abidiff, ["--no-show-locs", .. extra, oldFile, newFile]);
        Assert.True((exit & 3) == 0, $"abidiff failed ({exit}): {stderr}");
        return Parse(exit, stdout);
    }

    /// <summary>
    /// Collects "[D]"/"[A]" lines of the "N Removed/Added function|variable symbols not referenced by debug info"
    /// sections; a line lists a symbol and its aliases ("name, aliases a, b"), which all count.
    /// </summary>
    public static Result Parse(int exitCode, string stdout)
    {
        var removed = new SortedSet<string>(StringComparer.Ordinal);
        var added = new SortedSet<string>(StringComparer.Ordinal);
        SortedSet<string>? current = null;
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.TrimEnd();
            var header = SectionHeader().Match(line);
            if (header.Success)
            {
                current = header.Groups[1].Value == "Removed" ? removed : added;
                continue;
            }

            if (line.Length > 0 && !line.StartsWith(' '))
            {
                current = null;
                continue;
            }

            var trimmed = line.TrimStart();
            if (current is null || !(trimmed.StartsWith("[D] ", StringComparison.Ordinal) || trimmed.StartsWith("[A] ", StringComparison.Ordinal)))
            {
                continue;
            }

            var entry = trimmed[4..];
            int aliases = entry.IndexOf(", aliases ", StringComparison.Ordinal);
            if (aliases < 0)
            {
                current.Add(entry);
                continue;
            }

            current.Add(entry[..aliases]);
            foreach (var alias in entry[(aliases + ", aliases ".Length)..].Split(", ", StringSplitOptions.RemoveEmptyEntries))
            {
                current.Add(alias);
            }
        }

        return new Result(exitCode, removed, added, stdout);
    }

    [GeneratedRegex(@"^\d+ (Removed|Added) (function|variable) symbols? not referenced by debug info:$")]
    private static partial Regex SectionHeader();
}
