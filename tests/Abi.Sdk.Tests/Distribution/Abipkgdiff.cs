using System.Text;
using System.Text.RegularExpressions;
using Abi.Sdk.Tests.Abi;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>Runs libabigail's abipkgdiff on a package pair and reads, per binary, its removed and added ELF-symbol lists.</summary>
public static partial class Abipkgdiff
{
    /// <param name="ExitCode">abipkgdiff's exit status.</param>
    /// <param name="Binaries">Each changed binary's section (keyed by its file name), read with abidiff's parser.</param>
    /// <param name="RemovedBinaries">The "Removed binaries" list: installed paths.</param>
    /// <param name="AddedBinaries">The "Added binaries" list: installed paths.</param>
    public sealed record Result(int ExitCode, IReadOnlyDictionary<string, Abidiff.Result> Binaries, IReadOnlyList<string> RemovedBinaries, IReadOnlyList<string> AddedBinaries, string Stdout);

    /// <summary>
    /// Compares shared libraries only (<c>--dso-only</c>, what abi pkgdiff diffs), private DSOs too (<c>--private-dso</c>:
    /// abi pkgdiff reports them at a lower severity rather than leaving them out), without the default suppressions.
    /// </summary>
    public static Result Run(string oldRpm, string newRpm)
    {
        var tool = Tools.Require("abipkgdiff", "abigail-tools");
        var (exit, stdout, stderr) = Tools.Run(tool, ["--dso-only", "--private-dso", "--no-default-suppression", "--no-show-locs", "--no-parallel", oldRpm, newRpm]);
        Assert.True((exit & 3) == 0, $"abipkgdiff failed ({exit}): {stderr}");
        return Parse(exit, stdout);
    }

    public static Result Parse(int exitCode, string stdout)
    {
        var binaries = new Dictionary<string, Abidiff.Result>(StringComparer.Ordinal);
        var removed = new List<string>();
        var added = new List<string>();
        string? section = null;
        List<string>? list = null;
        var text = new StringBuilder();
        foreach (var line in stdout.Split('\n'))
        {
            var begin = SectionBegin().Match(line);
            if (begin.Success)
            {
                section = begin.Groups[1].Value;
                text.Clear();
                continue;
            }

            if (section is not null)
            {
                if (SectionEnd().IsMatch(line))
                {
                    binaries[section] = Abidiff.Parse(exitCode, text.ToString());
                    section = null;
                }
                else
                {
                    // A section is abidiff's report indented by two spaces.
                    text.Append(line.StartsWith("  ", StringComparison.Ordinal) ? line[2..] : line).Append('\n');
                }

                continue;
            }

            if (line == "Removed binaries:")
            {
                list = removed;
            }
            else if (line == "Added binaries:")
            {
                list = added;
            }
            else if (list is not null && BinaryLine().Match(line) is { Success: true } m)
            {
                list.Add(m.Groups[1].Value);
            }
            else if (line.Length > 0 && !line.StartsWith(' '))
            {
                list = null;
            }
        }

        return new Result(exitCode, binaries, removed, added, stdout);
    }

    [GeneratedRegex(@"^=+ changes of '(.+)'=+$")]
    private static partial Regex SectionBegin();

    [GeneratedRegex(@"^=+ end of changes of '(.+)'=+$")]
    private static partial Regex SectionEnd();

    [GeneratedRegex(@"^\s+\[[DA]\] ([^,]+)(, SONAME: .*)?$")]
    private static partial Regex BinaryLine();
}
