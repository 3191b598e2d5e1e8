using System.Text.RegularExpressions;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>Runs libabigail's abidiff and reads its removed and added ELF-symbol lists.</summary>
public static partial class Abidiff
{
    /// <summary>
    /// abidiff lists one symbol per alias group ("main, aliases a, b"): <see cref="Removed"/> and <see cref="Added"/>
    /// hold the listed symbols, <see cref="RemovedAliases"/> and <see cref="AddedAliases"/> the aliases it shows
    /// beside them (shown whether or not each alias is itself new or gone).
    /// </summary>
    public sealed record Result(int ExitCode, SortedSet<string> Removed, SortedSet<string> Added, SortedSet<string> RemovedAliases, SortedSet<string> AddedAliases, string Stdout)
    {
        /// <summary>Abi.Sdk judges every symbol, abidiff one per alias group: every listed symbol must be in ours, and ours must be listed or shown as an alias.</summary>
        public static void AssertSameSymbols(SortedSet<string> listed, SortedSet<string> aliases, IEnumerable<string> ours)
        {
            var mine = ours.ToHashSet(StringComparer.Ordinal);
            var missing = listed.Where(s => !mine.Contains(s)).ToArray();
            Assert.True(missing.Length == 0, "abidiff lists symbols Abi.Sdk does not: " + string.Join(", ", missing.Take(10)));
            var extra = mine.Where(s => !listed.Contains(s) && !aliases.Contains(s)).Order(StringComparer.Ordinal).ToArray();
            Assert.True(extra.Length == 0, "Abi.Sdk lists symbols abidiff does not: " + string.Join(", ", extra.Take(10)));
        }
    }

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
        var removedAliases = new SortedSet<string>(StringComparer.Ordinal);
        var addedAliases = new SortedSet<string>(StringComparer.Ordinal);
        SortedSet<string>? current = null, currentAliases = null;
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.TrimEnd();
            var header = SectionHeader().Match(line);
            if (header.Success)
            {
                (current, currentAliases) = header.Groups[1].Value == "Removed" ? (removed, removedAliases) : (added, addedAliases);
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
                currentAliases!.Add(alias);
            }
        }

        return new Result(exitCode, removed, added, removedAliases, addedAliases, stdout);
    }

    [GeneratedRegex(@"^\d+ (Removed|Added) (function|variable) symbols? not referenced by debug info:$")]
    private static partial Regex SectionHeader();
}
