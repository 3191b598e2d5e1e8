using System.Collections.Immutable;
using System.Globalization;
using Abi.Sdk.Dwarf;

namespace Abi.Sdk.Abi;

/// <summary>How a report names the split DWARF units whose <c>.dwo</c> was not found (<see cref="AbiTypeGraph.MissingSplitUnits"/>).</summary>
internal static class AbiSplitDwarfReport
{
    public static ImmutableArray<string> Describe(DwarfFile dwarf, List<DwarfUnit> skeletons)
    {
        if (skeletons.Count == 0)
        {
            return [];
        }

        var lines = new List<string>(skeletons.Count);
        foreach (var skeleton in skeletons)
        {
            var (dwoName, compDir) = skeleton.ReadSplitUnitName();

            var library = dwarf.FileName is { } f ? Path.GetFileName(f) : "the library";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{dwoName ?? "(no DW_AT_dwo_name)"} (DWO id 0x{skeleton.DwoId:x16}, comp_dir {compDir ?? "(none)"}) of {library}: not found under its comp_dir, next to {library}, as {library}.dwp, or in the split DWARF folders given"));
        }

        return [.. lines.Distinct(StringComparer.Ordinal)];
    }
}

/// <summary>The missing split units of both sides of a comparison, for <see cref="AbiDiff.MissingSplitUnits"/>.</summary>
internal static class AbiSplitUnits
{
    public static ImmutableArray<string> Of(AbiTypeGraph? oldTypes, AbiTypeGraph? newTypes)
    {
        var list = new List<string>();
        foreach (var (side, graph) in new[] { ("old", oldTypes), ("new", newTypes) })
        {
            if (graph is not null)
            {
                list.AddRange(graph.MissingSplitUnits.Select(m => side + ": " + m));
            }
        }

        return [.. list];
    }
}
