using System.Globalization;
using Abi.Sdk.Compatibility;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The text report of compatibility verdicts, as <c>abi compat</c> prints it: per binary a line
/// <c>BINARY: compatible|incompatible</c> (with <c>(statically linked)</c> for a static binary, followed by what was and
/// was not checked), then one indented line per problem (refused object, ISA level, missing library with the files of
/// its name the search skipped, missing version, undefined symbol) and per warning (weak version, ignored preload,
/// copy-relocation size change), each naming the chain of objects that brought it in; then notes: each filtee and its
/// filter, the target's glibc release when it is only guessed from a version node, and a line per loader check that
/// could not be made.
/// </summary>
public static class CompatibilityTextReport
{
    /// <summary>Writes the report of one verdict.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="writer">The destination; lines end with its <see cref="TextWriter.NewLine"/>.</param>
    public static void Write(CompatibilityVerdict verdict, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(writer);
        var inv = CultureInfo.InvariantCulture;
        if (!verdict.IsDynamic)
        {
            // No loader: say what the binary's own startup was and was not checked for.
            writer.WriteLine($"{verdict.Binary}: {(verdict.IsCompatible ? "compatible" : "incompatible")} (statically linked)");
            foreach (var r in verdict.RefusedObjects)
            {
                writer.WriteLine($"  refused {r.Path}: {r.Message}");
            }

            foreach (var c in verdict.Checks)
            {
                writer.WriteLine($"  {(c.Performed ? "checked" : "not checked")} {CheckName(c.Check)}: {c.Detail}");
            }

            return;
        }

        writer.WriteLine($"{verdict.Binary}: {(verdict.IsCompatible ? "compatible" : "incompatible")}");
        foreach (var r in verdict.RefusedObjects)
        {
            writer.WriteLine($"  refused {r.Path}: {r.Message} (as {r.Name}, needed by {r.NeededBy}; the loader stops here)");
        }

        foreach (var i in verdict.IsaLevelShortfalls)
        {
            // The chain starts with the object itself; the program has no "needed by".
            var by = i.NeededBy.Objects.Length > 1 ? $" (needed by {string.Join(" ← ", i.NeededBy.Objects.Skip(1))})" : string.Empty;
            writer.WriteLine($"  CPU ISA level is lower than required: {i.Path} needs {IsaLevelNames.Highest(i.Needed)}, the target's CPU has {IsaLevelNames.Highest(i.Supported)}{by}");
        }

        foreach (var m in verdict.MissingLibraries)
        {
            writer.WriteLine($"  missing library {m.Name} (needed by {m.NeededBy})");
            foreach (var c in m.Candidates)
            {
                writer.WriteLine($"    skipped {c.Path}: {c.Message}");
            }
        }

        foreach (var m in verdict.MissingVersions)
        {
            var symbols = m.Symbols.IsEmpty ? string.Empty : $" [{string.Join(", ", m.Symbols)}]";
            writer.WriteLine($"  missing version {m.Library}: {m.Version} (needed by {m.RequiredBy}){symbols}");
        }

        foreach (var m in verdict.MissingSymbols)
        {
            var version = m.Version is null ? string.Empty : $", version {m.Version} from {m.Library}";
            writer.WriteLine($"  undefined symbol {m.Name}{version} (referenced by {m.ReferencedBy})");
        }

        foreach (var m in verdict.MissingWeakVersions)
        {
            writer.WriteLine($"  warning: weak version {m.Library}: {m.Version} not found (needed by {m.RequiredBy})");
        }

        foreach (var name in verdict.IgnoredPreloads)
        {
            writer.WriteLine($"  warning: preload {name} cannot be loaded: ignored");
        }

        foreach (var c in verdict.CopyRelocationSizeChanges)
        {
            writer.WriteLine(string.Create(inv, $"  warning: copy-relocated {c.Name} is {c.TargetSize} bytes in {c.DefinedIn}, {c.LinkedSize} when linked"));
        }

        // Which object a filter's lookups go to first, and a missing auxiliary filtee the loader skips.
        foreach (var f in verdict.Filtees)
        {
            var kind = f.Kind == FilterKind.Auxiliary ? "auxiliary filtee" : "filtee";
            writer.WriteLine(f.Path is not null
                ? $"  note: {f.Name} => {f.Path}: {kind} of {f.Filter}, searched before it"
                : f.Kind == FilterKind.Auxiliary ? $"  note: {f.Name}: {kind} of {f.Filter} not found: ignored" : $"  note: {f.Name}: {kind} of {f.Filter} not found");
        }

        if (verdict.GlibcVersionSource == GlibcVersionSource.NewestVersionNode)
        {
            writer.WriteLine($"  note: the target's glibc release is taken as {verdict.GlibcVersion}, its libc.so.6's newest version node (no release string or package version)");
        }

        // A check the loader makes that this verdict could not (one that does not exist for the binary is not news).
        foreach (var c in verdict.Checks)
        {
            if (!c.Performed && !c.Detail.StartsWith("not applicable", StringComparison.Ordinal))
            {
                writer.WriteLine($"  not checked {CheckName(c.Check)}: {c.Detail}");
            }
        }
    }

    private static string CheckName(LoaderCheck check) => check switch
    {
        LoaderCheck.ObjectAcceptance => "object acceptance",
        LoaderCheck.LibrarySearch => "library search",
        LoaderCheck.VersionNeeds => "version needs",
        LoaderCheck.SymbolBinding => "symbol binding",
        LoaderCheck.IsaLevel => "ISA level",
        LoaderCheck.KernelVersion => "kernel version",
        _ => check.ToString(),
    };

    /// <summary>Writes the reports of several verdicts, one after the other, as <c>abi compat</c> prints them.</summary>
    /// <param name="verdicts">The verdicts, in the order to print; enumerated once, so a lazy sequence streams.</param>
    /// <param name="writer">The destination.</param>
    public static void Write(IEnumerable<CompatibilityVerdict> verdicts, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var verdict in verdicts)
        {
            Write(verdict, writer);
        }
    }
}
