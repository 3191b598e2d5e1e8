using Abi.Sdk.Dependencies;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The text report of <see cref="PackageSet.CheckInstallability"/>, worded and grouped as libsolv's <c>installcheck</c>
/// prints it (and <c>abi installcheck</c> with it): <c>can't install PACKAGE:</c>, then each problem indented, then the
/// <c>(we have …)</c> lines for the versions that exist.
/// </summary>
public static class InstallCheckTextReport
{
    /// <summary>Writes the report.</summary>
    /// <param name="problems">The problems, in the order <see cref="PackageSet.CheckInstallability"/> returns them.</param>
    /// <param name="writer">The destination; lines end with its <see cref="TextWriter.NewLine"/>.</param>
    public static void Write(IEnumerable<InstallProblem> problems, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var group in problems.GroupBy(p => p.Uninstallable))
        {
            writer.WriteLine($"can't install {group.Key}:");
            foreach (var problem in group)
            {
                writer.WriteLine($"  {problem}");
                foreach (var available in problem.Available)
                {
                    writer.WriteLine($"    (we have {available})");
                }
            }
        }
    }
}
