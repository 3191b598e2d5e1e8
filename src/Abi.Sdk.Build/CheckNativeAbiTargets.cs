using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Distribution;
using Abi.Sdk.Elf;
using Microsoft.Build.Framework;

namespace Abi.Sdk.Build;

/// <summary>
/// Checks every native library an application carries against each target system (<c>@(NativeAbiTarget)</c>) with
/// <see cref="CompatibilityChecker"/>, and reports what glibc's loader would refuse there, with the NEEDED chain:
/// <c>libfoo.so needs GLIBC_2.36 (arc4random) from libc.so.6; target el8 has up to GLIBC_2.28</c>.
/// </summary>
/// <remarks>
/// A target item is a folder (an unpacked system: <see cref="Target.Sysroot"/>), <c>.rpm</c> files (the packages of a
/// system: <see cref="Target.FromRpms"/>) or baselines (<c>abi dump</c> JSON, abidw ABIXML or ELF files of the
/// system's libraries: <see cref="Target.FromBaselines"/>). Items with the same <c>Name</c> metadata form one target;
/// without it, a folder or file is its own target named after it.
/// </remarks>
public sealed class CheckNativeAbiTargets : NativeAbiTaskBase
{
    /// <summary>The native libraries the application carries (their full paths).</summary>
    public ITaskItem[] Libraries { get; set; } = [];

    /// <summary>The targets (<c>@(NativeAbiTarget)</c>).</summary>
    [Required]
    public ITaskItem[] Targets { get; set; } = [];

    /// <summary>The libraries checked, each with <c>Target</c> and <c>Verdict</c> (compatible or incompatible) metadata.</summary>
    [Output]
    public ITaskItem[] Checked { get; private set; } = [];

    private protected override void Run(NativeAbiReporter reporter, AbiEditorConfig editorConfig, AbiComparer comparer)
    {
        var libraries = Libraries
            .Select(i => i.GetMetadata("FullPath"))
            .Where(p => File.Exists(p) && ElfImage.IsElfFile(p))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var results = new List<ITaskItem>();
        foreach (var (name, items) in GroupTargets())
        {
            using var target = CreateTarget(name, items);
            foreach (var library in libraries)
            {
                var verdict = CompatibilityChecker.Check(library, target);
                var file = Path.GetFileName(library);
                results.Add(new Microsoft.Build.Utilities.TaskItem(library, new Dictionary<string, string>
                {
                    ["Target"] = name,
                    ["Verdict"] = verdict.IsCompatible ? "compatible" : "incompatible",
                }));
                foreach (var (descriptor, message) in Findings(verdict, file, name))
                {
                    var severity = editorConfig.ToSeverities([descriptor], library).GetSeverity(descriptor);
                    reporter.Report(descriptor, severity, library, message);
                }

                if (verdict.IsCompatible)
                {
                    Log.LogMessage(MessageImportance.Normal, "{0}: loads on target {1}", file, name);
                }
            }
        }

        Checked = [.. results];
    }

    /// <summary>The findings of one verdict, in the loader's words with the chain that brought each in.</summary>
    internal static IEnumerable<(AbiDiagnosticDescriptor Descriptor, string Message)> Findings(CompatibilityVerdict verdict, string library, string targetName)
    {
        foreach (var r in verdict.RefusedObjects)
        {
            yield return (DistributionDiagnosticIds.LibraryNotFound, $"{library}: {r.Path} is refused on target {targetName}: {r.Message}{Chain(r.NeededBy)}");
        }

        foreach (var i in verdict.IsaLevelShortfalls)
        {
            yield return (DistributionDiagnosticIds.IsaLevelTooLow, $"{library}: {i.Object} needs {IsaLevelNames.Highest(i.Needed)}; the CPU of target {targetName} has {IsaLevelNames.Highest(i.Supported)}{Chain(i.NeededBy)}");
        }

        foreach (var m in verdict.MissingLibraries)
        {
            yield return (DistributionDiagnosticIds.LibraryNotFound, $"{library}: {Path.GetFileName(m.NeededBy.Object)} needs {m.Name}, which target {targetName} does not have{Chain(m.NeededBy)}");
        }

        foreach (var m in verdict.MissingVersions)
        {
            yield return (DistributionDiagnosticIds.VersionNotFound, $"{VersionNeed(m, verdict, targetName)}{Chain(m.RequiredBy)}");
        }

        // A symbol whose version node is missing is already named with its node.
        var covered = verdict.MissingVersions.SelectMany(m => m.Symbols.Select(s => (m.Version, s))).ToHashSet();
        foreach (var s in verdict.MissingSymbols.Where(s => s.Version is null || !covered.Contains((s.Version, s.Name))))
        {
            var spelled = s.Version is null ? s.Name : $"{s.Name}@{s.Version}";
            yield return (DistributionDiagnosticIds.SymbolNotFound, $"{library}: {Path.GetFileName(s.ReferencedBy.Object)} needs {spelled}{(s.Library is null ? string.Empty : $" from {s.Library}")}, which target {targetName} does not define (undefined symbol){Chain(s.ReferencedBy)}");
        }

        foreach (var m in verdict.MissingWeakVersions)
        {
            yield return (DistributionDiagnosticIds.WeakVersionNotFound, $"{VersionNeed(m, verdict, targetName)} (a weak need: the loader goes on){Chain(m.RequiredBy)}");
        }
    }

    /// <summary>"libfoo.so needs GLIBC_2.36 (arc4random) from libc.so.6; target el8 has up to GLIBC_2.28".</summary>
    private static string VersionNeed(MissingVersion m, CompatibilityVerdict verdict, string targetName)
    {
        var symbols = m.Symbols.IsEmpty ? string.Empty : $" ({string.Join(", ", m.Symbols)})";
        var have = m.Version.StartsWith("GLIBC_", StringComparison.Ordinal) && verdict.GlibcVersion is { } glibc
            ? $"target {targetName} has up to GLIBC_{glibc.ToString(2)}"
            : $"target {targetName}'s {m.Library} does not define it";
        return $"{Path.GetFileName(m.RequiredBy.Object)} needs {m.Version}{symbols} from {m.Library}; {have}";
    }

    /// <summary>" (needed by a ← b)" when something other than the checked library brought the object in.</summary>
    private static string Chain(NeededChain chain) => chain.Objects.Length > 1 ? $" (NEEDED chain: {string.Join(" ← ", chain.Objects.Select(Path.GetFileName))})" : string.Empty;

    private IEnumerable<(string Name, List<ITaskItem> Items)> GroupTargets()
    {
        var groups = new Dictionary<string, List<ITaskItem>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var item in Targets)
        {
            var name = item.GetMetadata("Name");
            if (string.IsNullOrEmpty(name))
            {
                name = Path.GetFileName(Path.TrimEndingDirectorySeparator(item.ItemSpec));
            }

            if (!groups.TryGetValue(name, out var list))
            {
                groups[name] = list = [];
                order.Add(name);
            }

            list.Add(item);
        }

        return order.Select(n => (n, groups[n]));
    }

    private static Target CreateTarget(string name, List<ITaskItem> items)
    {
        var paths = items.Select(i => i.GetMetadata("FullPath")).ToList();
        if (paths.Count == 1 && Directory.Exists(paths[0]))
        {
            return Target.Sysroot(paths[0]);
        }

        if (paths.Any(Directory.Exists))
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"NativeAbiTarget '{name}': a folder (a sysroot) must be the only item of its target"));
        }

        if (paths.All(p => p.EndsWith(".rpm", StringComparison.OrdinalIgnoreCase)))
        {
            return Target.FromRpms(paths);
        }

        return Target.FromBaselines(paths.Select(AbiSurface.Open).ToList(), name);
    }
}
