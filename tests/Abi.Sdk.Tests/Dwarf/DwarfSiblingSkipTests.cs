using System.Globalization;
using System.Text.RegularExpressions;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// A whole-unit walk jumps over a DIE's children by its DW_AT_sibling, read in place: counted from the first value
/// when every value before it has a fixed size, or from the end of the values when it and every value after it have
/// (gcc writes it last). Every jump must land on the DIE <c>readelf --debug-dump=info</c> gives as that DIE's sibling,
/// and a DIE readelf gives no sibling is never jumped over.
/// </summary>
public sealed partial class DwarfSiblingSkipTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("c-dwarf5-O2.so")]
    [InlineData("c-dwarf2-O0.so")]
    [InlineData("c-dwarf4-64bit.so")]
    [InlineData("cc-dwarf4-types.so")]
    [InlineData("c-zlib.so")]
    [InlineData("c-dwarf5-O0.so")]
    [InlineData("c-s390x-dwarf5.so")] // big-endian
    [InlineData("cc-dwarf5-O2.so")]
    public void Fixture_jumps_land_where_readelf_says(string name)
        => AssertJumps(DwarfDifferentialTests.Fixture(name), minJumps: 1);

    private void AssertJumps(string path, int minJumps)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var (_, stdout, stderr) = Tools.Run(readelf, ["--debug-dump=info", "--wide", path]);
        var siblings = ParseSiblings(stdout);
        Assert.True(siblings.Count > 0, $"readelf lists no DW_AT_sibling: {stderr}");

        using var dwarf = DwarfFile.Open(path);
        int jumps = 0, fromEnd = 0;
        foreach (var unit in dwarf.Units)
        {
            if (unit.IsInTypesSection)
            {
                continue; // readelf lists .debug_types apart, with offsets in that section
            }

            var dies = unit.ReadDies();
            while (dies.MoveNext())
            {
                var die = dies.Current;
                if (!die.HasChildren)
                {
                    continue;
                }

                bool jumped = dies.SkipChildren();
                if (!jumped)
                {
                    continue;
                }

                Assert.True(siblings.TryGetValue(die.Offset, out ulong expected), $"jumped over the children of 0x{die.Offset:x}, which readelf gives no sibling");
                jumps++;
                if (die.Shape.SiblingOffset < 0)
                {
                    fromEnd++;
                }

                Assert.True(dies.MoveNext(), $"nothing after the jump from 0x{die.Offset:x}");
                Assert.Equal($"0x{expected:x}", $"0x{dies.Current.Offset:x}");
            }
        }

        output.WriteLine($"{jumps} jumps ({fromEnd} by the sibling's place from the end of the values), {siblings.Count} siblings listed by readelf");
        Assert.True(jumps >= minJumps, $"{jumps} jumps");
    }

    /// <summary>readelf's DIEs that carry DW_AT_sibling: the DIE's offset → the sibling's offset.</summary>
    private static Dictionary<ulong, ulong> ParseSiblings(string text)
    {
        var siblings = new Dictionary<ulong, ulong>();
        ulong current = 0, unit = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var s = line.ToString();
            if (UnitLine().Match(s) is { Success: true } u)
            {
                unit = Hex(u.Groups[1].Value);
            }
            else if (DieLine().Match(s) is { Success: true } die)
            {
                current = Hex(die.Groups[1].Value);
            }
            else if (SiblingLine().Match(s) is { Success: true } sibling)
            {
                // readelf gives ref1/2/4 as section offsets in angle brackets, ref8 as the raw unit-relative value.
                siblings.TryAdd(current, sibling.Groups[1].Success ? Hex(sibling.Groups[1].Value) : unit + Hex(sibling.Groups[2].Value));
            }
        }

        return siblings;
    }

    private static ulong Hex(string digits) => ulong.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*Compilation Unit @ offset (?:0x)?([0-9a-f]+):")]
    private static partial Regex UnitLine();

    [GeneratedRegex(@"^\s*<\d+><([0-9a-f]+)>: Abbrev Number: [1-9]")]
    private static partial Regex DieLine();

    [GeneratedRegex(@"^\s*<[0-9a-f]+>\s+DW_AT_sibling\s*:\s*(?:\([^)]*\)\s*)?(?:<0x([0-9a-f]+)>|0x([0-9a-f]+))")]
    private static partial Regex SiblingLine();
}
