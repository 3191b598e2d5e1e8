using System.Collections.Immutable;
using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;
using Microsoft.DotNet.Interactive.Formatting;

namespace Abi.Sdk.Interactive;

/// <summary>
/// The HTML formatters: a summary line first, then what a reader asks next, the long lists in collapsed
/// <c>&lt;details&gt;</c> sections. Tables stop at <see cref="Formatter.ListExpansionLimit"/> rows, the knob
/// .NET Interactive users already know for its own lists.
/// </summary>
internal static class AbiFormatters
{
    private const string Html = HtmlFormatter.MimeType;
    private const string PlainText = PlainTextFormatter.MimeType;

    /// <summary>Registers every formatter with .NET Interactive's <see cref="Formatter"/> (process-wide, as the kernel's own are).</summary>
    public static void Register()
    {
        // Whole results: a report each. Their plain text is ToString(), the one-line summary scripts print.
        Register<AbiDiff>(Write);
        Register<AbiSurface>(Write);
        Register<CompatibilityVerdict>(Write);
        Register<ElfImage>(Write);
        Register<RpmPackage>(Write);
        Formatter.Register<AbiDiff>(d => d.ToString(), PlainText);
        Formatter.Register<AbiSurface>(s => s.ToString(), PlainText);
        Formatter.Register<CompatibilityVerdict>(v => v.ToString(), PlainText);
        Formatter.Register<ElfImage>(i => i.ToString(), PlainText);
        Formatter.Register<RpmPackage>(p => p.ToString(), PlainText);

        // Parts, alone or in any collection (an ImmutableArray, a LINQ query, the symbol table): one table.
        RegisterRows(Columns.ElfSymbols());
        RegisterRows(Columns.VersionDefinitions);
        RegisterRows(Columns.VersionNeeds);
        RegisterRows(Columns.VersionRequirements);
        RegisterRows(Columns.Sections);
        RegisterRows(Columns.Segments);
        RegisterRows(Columns.Diagnostics);
        RegisterRows(Columns.Descriptors);
        RegisterRows(Columns.Symbols);
        RegisterRows(Columns.VersionNodes);
        RegisterRows(Columns.MissingLibraries);
        RegisterRows(Columns.MissingVersions);
        RegisterRows(Columns.MissingSymbols);
        RegisterRows(Columns.SizeChanges);
        RegisterRows(Columns.LoadOrder);
        RegisterRows(Columns.Dependencies);
        RegisterRows(Columns.Files);

        // Collections of whole results: one row each (the single ones have their report above).
        RegisterCollection(Columns.Diffs);
        RegisterCollection(Columns.Surfaces);
        RegisterCollection(Columns.Verdicts);
        RegisterCollection(Columns.Images);
        RegisterCollection(Columns.Packages);
    }

    private static int RowLimit => Formatter.ListExpansionLimit;

    private static void Register<T>(Action<T, HtmlReport> write) =>
        Formatter.Register<T>((value, context) =>
        {
            write(value, new HtmlReport(context.Writer, RowLimit));
            return true;
        }, Html);

    private static void RegisterRows<T>(Column<T>[] columns)
    {
        Formatter.Register<T>((value, context) =>
        {
            WriteRows([value], columns, context.Writer);
            return true;
        }, Html);
        RegisterCollection(columns);
    }

    private static void RegisterCollection<T>(Column<T>[] columns) =>
        Formatter.Register<IEnumerable<T>>((rows, context) =>
        {
            WriteRows(rows, columns, context.Writer);
            return true;
        }, Html);

    /// <summary>A table of rows, bounded by the row limit.</summary>
    internal static void WriteRows<T>(IEnumerable<T> rows, Column<T>[] columns, TextWriter writer, int? rowLimit = null)
    {
        var html = new HtmlReport(writer, rowLimit ?? RowLimit);
        html.Begin();
        html.Table(rows, columns);
        html.End();
    }

    internal static void Write(AbiDiff diff, TextWriter writer, int rowLimit) => Write(diff, new HtmlReport(writer, rowLimit));

    internal static void Write(AbiSurface surface, TextWriter writer, int rowLimit) => Write(surface, new HtmlReport(writer, rowLimit));

    internal static void Write(CompatibilityVerdict verdict, TextWriter writer, int rowLimit) => Write(verdict, new HtmlReport(writer, rowLimit));

    internal static void Write(ElfImage image, TextWriter writer, int rowLimit) => Write(image, new HtmlReport(writer, rowLimit));

    internal static void Write(RpmPackage package, TextWriter writer, int rowLimit) => Write(package, new HtmlReport(writer, rowLimit));

    private static void Write(AbiDiff diff, HtmlReport html)
    {
        html.Begin(null, diff.ToString());
        // The counts by ID first: a diff of a big library has thousands of diagnostics and a handful of kinds.
        var byId = diff.Diagnostics
            .GroupBy(d => (d.Id, d.Descriptor.Title, d.Severity))
            .OrderByDescending(g => g.Key.Severity)
            .ThenBy(g => g.Key.Id, StringComparer.Ordinal)
            .Select(g => new Columns.DiagnosticCount(g.Key.Id, g.Key.Title, g.Key.Severity, g.Count()))
            .ToList();
        if (byId.Count > 0)
        {
            html.Table(byId, Columns.DiagnosticCounts);
        }

        // Every diagnostic once, by severity: what breaks programs and what a person should review open, as they
        // are the answer; the compatible ones and the symbol lists one click away.
        html.Section("Incompatible", diff.Diagnostics.Where(d => d.Severity == AbiSeverity.Incompatible).ToList(), Columns.Diagnostics, open: true);
        html.Section("Needs review", diff.Diagnostics.Where(d => d.Severity == AbiSeverity.NeedsReview).ToList(), Columns.Diagnostics, open: true);
        html.Section("Compatible", diff.Diagnostics.Where(d => d.Severity == AbiSeverity.Compatible).ToList(), Columns.Diagnostics);
        html.Section("Removed symbols", diff.RemovedSymbols, Columns.Symbols);
        html.Section("Added symbols", diff.AddedSymbols, Columns.Symbols);
        html.Section("Suppressed", diff.SuppressedDiagnostics, Columns.Diagnostics);
        html.Section("Libraries", ImmutableArray.Create(diff.Old, diff.New), Columns.Surfaces);
        html.End();
    }

    private static void Write(AbiSurface surface, HtmlReport html)
    {
        html.Begin(surface.FileName ?? surface.Soname, string.Create(CultureInfo.InvariantCulture,
            $"{surface.Symbols.Length} symbols, {surface.Versions.Length} version nodes"));
        html.Facts(
            ("File", surface.FileName),
            ("SONAME", surface.Soname),
            ("Class", surface.Class.ToString()),
            ("Machine", ReadelfNames.Machine(surface.Machine)),
            ("Needed", string.Join(", ", surface.Needed)));
        html.Section("Version nodes", surface.Versions, Columns.VersionNodes);
        html.Section("Symbols", surface.Symbols, Columns.Symbols);
        html.End();
    }

    private static void Write(CompatibilityVerdict verdict, HtmlReport html)
    {
        string summary;
        if (!verdict.IsDynamic)
        {
            summary = "compatible (static: the loader is not involved)";
        }
        else
        {
            var problems = new List<string>();
            Count(problems, verdict.MissingLibraries.Length, "missing library", "missing libraries");
            Count(problems, verdict.MissingVersions.Length, "missing version", "missing versions");
            Count(problems, verdict.MissingSymbols.Length, "undefined symbol", "undefined symbols");
            var warnings = new List<string>();
            Count(warnings, verdict.MissingWeakVersions.Length, "missing weak version", "missing weak versions");
            Count(warnings, verdict.CopyRelocationSizeChanges.Length, "copy relocation size change", "copy relocation size changes");
            Count(warnings, verdict.IgnoredPreloads.Length, "ignored preload", "ignored preloads");
            summary = verdict.IsCompatible ? "compatible" : "incompatible: " + string.Join(", ", problems);
            summary += string.Create(CultureInfo.InvariantCulture, $"; {verdict.LoadOrder.Length} objects loaded");
            if (warnings.Count > 0)
            {
                summary += "; warnings: " + string.Join(", ", warnings);
            }
        }

        html.Begin(verdict.Binary, summary);
        // What stops the program is the answer: open. What only warns, and the load order, one click away.
        html.Section("Missing libraries", verdict.MissingLibraries, Columns.MissingLibraries, open: true);
        html.Section("Missing versions", verdict.MissingVersions, Columns.MissingVersions, open: true);
        html.Section("Undefined symbols", verdict.MissingSymbols, Columns.MissingSymbols, open: true);
        html.Section("Missing weak versions (warning)", verdict.MissingWeakVersions, Columns.MissingVersions);
        html.Section("Copy relocation size changes (warning)", verdict.CopyRelocationSizeChanges, Columns.SizeChanges);
        html.Section("Ignored preloads (warning)", verdict.IgnoredPreloads, Columns.Strings);
        html.Section("Load order", verdict.LoadOrder, Columns.LoadOrder);
        html.End();
    }

    private static void Write(ElfImage image, HtmlReport html)
    {
        var h = image.Header;
        var summary = new List<string> { $"{h.Class} {h.Type}", ReadelfNames.Machine(h.Machine) };
        if (image.Soname is { } soname)
        {
            summary.Add("SONAME " + soname);
        }

        summary.Add(string.Create(CultureInfo.InvariantCulture, $"{image.DynamicSymbols.Count} .dynsym entries"));
        html.Begin(image.FileName ?? "(memory)", string.Join(", ", summary));
        var dynamic = image.Dynamic;
        html.Facts(
            ("Class", h.Class.ToString()),
            ("Data", h.DataEncoding.ToString()),
            ("OS/ABI", ReadelfNames.OsAbi(h.OsAbi)),
            ("Type", h.Type.ToString()),
            ("Machine", ReadelfNames.Machine(h.Machine)),
            ("Entry point", "0x" + Columns.Hex(h.Entry, 1)),
            ("Interpreter", image.Interpreter),
            ("SONAME", image.Soname),
            ("Needed", image.Needed.IsEmpty ? null : string.Join(", ", image.Needed)),
            ("RPATH", dynamic?.RPath),
            ("RUNPATH", dynamic?.RunPath),
            ("Build ID", image.BuildIdHex),
            ("Debug link", image.DebugLink?.FileName));
        html.Section("Version definitions", image.VersionDefinitions, Columns.VersionDefinitionsOf(image));
        html.Section("Version needs", image.VersionNeeds, Columns.VersionNeeds);
        html.Section("Dynamic symbols", image.DynamicSymbols, Columns.ElfSymbols(h.OsAbi, h.Class));
        html.Section("Sections", image.Sections, Columns.Sections);
        html.Section("Segments", image.Segments, Columns.Segments);
        html.End();
    }

    private static void Write(RpmPackage package, HtmlReport html)
    {
        html.Begin(package.Nevra.ToString(), package.Summary);
        html.Facts(
            ("Name", package.Name),
            ("Epoch", package.Epoch?.ToString(CultureInfo.InvariantCulture)),
            ("Version", package.Version),
            ("Release", package.Release),
            ("Architecture", package.Arch),
            ("License", package.License),
            ("URL", package.Url),
            ("Vendor", package.Vendor),
            ("Packager", package.Packager),
            ("Build time", package.BuildTime?.ToString("u", CultureInfo.InvariantCulture)),
            ("Build host", package.BuildHost),
            ("Source RPM", package.SourceRpm),
            ("Payload", package.PayloadCompressor),
            ("File", package.FileName));
        foreach (var kind in Enum.GetValues<RpmDependencyKind>())
        {
            html.Section(kind.ToString(), package.GetDependencies(kind), Columns.Dependencies);
        }

        html.Section("Files", package.Files, Columns.Files);
        html.Section("Description", package.Description is { } d ? [d] : Array.Empty<string>(), [new("Description", s => s)]);
        html.End();
    }

    private static void Count(List<string> parts, int count, string one, string many)
    {
        if (count > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}"));
        }
    }
}
