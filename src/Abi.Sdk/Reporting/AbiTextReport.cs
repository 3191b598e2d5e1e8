using System.Globalization;
using Abi.Sdk.Abi;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The text report, laid out like abidiff's: a summary, then removed symbols (<c>[D]</c>), added symbols
/// (<c>[A]</c>) and changes (<c>[C]</c>), each line naming the diagnostic ID.
/// </summary>
public static class AbiTextReport
{
    /// <summary>Writes the report.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination.</param>
    public static void Write(AbiDiff diff, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(writer);
        var inv = CultureInfo.InvariantCulture;
        var byId = diff.Diagnostics.ToLookup(d => d.Id);
        var fileLevel = diff.Diagnostics.Where(d => d.Symbol is null).ToList();
        var removed = diff.Diagnostics.Where(d => d.Id is "ABI1001" or "ABI1002").ToList();
        var added = byId["ABI1003"].ToList();
        var typeIds = AbiTypeDiagnosticIds.All.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var changed = diff.Diagnostics.Where(d => d.Symbol is not null && d.Id is not ("ABI1001" or "ABI1002" or "ABI1003") && !typeIds.Contains(d.Id)).ToList();
        var typeChanges = diff.Diagnostics.Where(d => typeIds.Contains(d.Id)).GroupBy(d => (d.Symbol!.Name, d.Symbol.IsFunction)).ToList();

        if (byId["ABI1010"].Any())
        {
            writer.WriteLine("ELF SONAME changed");
        }

        writer.WriteLine(string.Create(inv, $"Symbols changes summary: {removed.Count} Removed ({byId["ABI1002"].Count()} moved to another version node), {changed.Count} Changed, {added.Count} Added"));
        writer.WriteLine(string.Create(inv, $"Version nodes changes summary: {byId["ABI1004"].Count()} Removed, {byId["ABI1005"].Count()} Added"));
        if (diff.TypesNotComparedReason is { } why)
        {
            writer.WriteLine($"Types were not compared: {why}");
        }
        else if (diff.TypesCompared)
        {
            int functions = typeChanges.Count(g => g.Key.IsFunction);
            writer.WriteLine(string.Create(inv, $"Type changes summary: {functions} function{(functions == 1 ? string.Empty : "s")} and {typeChanges.Count - functions} variable{(typeChanges.Count - functions == 1 ? string.Empty : "s")} with some indirect sub-type changes"));
        }

        foreach (var missing in diff.MissingSplitUnits)
        {
            writer.WriteLine($"Types were partly compared: split DWARF {missing}");
        }
        if (!diff.SuppressedDiagnostics.IsEmpty)
        {
            writer.WriteLine(string.Create(inv, $"Suppressed: {diff.SuppressedDiagnostics.Length} diagnostics"));
        }

        writer.WriteLine();
        if (fileLevel.Count > 0)
        {
            foreach (var d in fileLevel)
            {
                writer.WriteLine($"{d.Message} [{d.Id} {AbiSeverities.Name(d.Severity)}]");
            }

            writer.WriteLine();
        }

        Section(writer, removed.Count, "Removed symbol", removed, (w, d) =>
        {
            // Written in pieces: a report may list tens of thousands of symbols.
            w.Write("  [D] ");
            d.OldSymbol!.WriteSpelling(w);
            if (d.Id == "ABI1002" && d.NewSymbol is { } now)
            {
                w.Write(" (now ");
                now.WriteSpelling(w);
                w.Write(')');
            }

            w.Write(" [");
            w.Write(d.Id);
            w.WriteLine(']');
        });
        Section(writer, added.Count, "Added symbol", added, (w, d) =>
        {
            w.Write("  [A] ");
            d.NewSymbol!.WriteSpelling(w);
            w.Write(" [");
            w.Write(d.Id);
            w.WriteLine(']');
        });
        Section(writer, changed.Count, "Changed symbol", changed, (w, d) => w.WriteLine($"  [C] {d.Message} [{d.Id} {AbiSeverities.Name(d.Severity)}]"));
        WriteTypeChanges(writer, typeChanges);
    }

    /// <summary>abidiff's layout: one block per function or variable, "has some indirect sub-type changes", then one line per change with its path.</summary>
    private static void WriteTypeChanges(TextWriter writer, List<IGrouping<(string Name, bool IsFunction), AbiDiagnostic>> groups)
    {
        foreach (var isFunction in new[] { true, false })
        {
            var items = groups.Where(g => g.Key.IsFunction == isFunction).ToList();
            if (items.Count == 0)
            {
                continue;
            }

            var noun = isFunction ? "function" : "variable";
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{items.Count} {noun}{(items.Count == 1 ? string.Empty : "s")} with some indirect sub-type changes:"));
            writer.WriteLine();
            foreach (var g in items)
            {
                writer.WriteLine($"  [C] '{g.First().MessageArguments[0]}' has some indirect sub-type changes:");
                foreach (var d in g)
                {
                    writer.WriteLine($"    {d.MessageArguments[1]} [{d.Id} {AbiSeverities.Name(d.Severity)}]");
                }

                writer.WriteLine();
            }
        }
    }

    private static void Section(TextWriter writer, int count, string noun, List<AbiDiagnostic> items, Action<TextWriter, AbiDiagnostic> line)
    {
        if (count == 0)
        {
            return;
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}:"));
        writer.WriteLine();
        foreach (var d in items)
        {
            line(writer, d);
        }

        writer.WriteLine();
    }
}
