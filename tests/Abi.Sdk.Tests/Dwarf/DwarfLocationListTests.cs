using System.Globalization;
using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// A variable located by a location list (Fixtures/dwarf-gaps/loclist.so: DW_FORM_loclistx through .debug_loclists
/// and DW_AT_loclists_base, written by make-fixtures.sh's rewrite of gcc's assembly): its address is the one
/// llvm-dwarfdump-14 decodes from the list and the value readelf gives its only exported name, ll_alias, so the
/// type graph declares ll_alias by address as the variable ll_hidden.
/// </summary>
public sealed partial class DwarfLocationListTests
{
    private static string Fixture(string name) => Path.Combine(Paths.Fixtures, "dwarf-gaps", name);

    [Fact]
    public void A_variable_located_by_loclistx_is_matched_by_its_address()
    {
        var dwarfdump = Tools.Find("llvm-dwarfdump-14") ?? Tools.Require("llvm-dwarfdump", "llvm-14");
        var (exit, text, stderr) = Tools.Run(dwarfdump, ["--debug-info", Fixture("loclist.so")], new Dictionary<string, string> { ["LC_ALL"] = "C" });
        Assert.True(exit == 0, stderr);
        var listed = ListedAddress().Match(text);
        Assert.True(listed.Success, text);
        ulong theirs = ulong.Parse(listed.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        var readelf = Tools.Require("readelf", "binutils");
        var (_, symbols, _) = Tools.Run(readelf, ["--dyn-syms", "-W", Fixture("loclist.so")], new Dictionary<string, string> { ["LC_ALL"] = "C" });
        var alias = Regex.Match(symbols, @"^\s*\d+: ([0-9a-f]+)\s+4 OBJECT\s+GLOBAL\s+DEFAULT\s+\d+ ll_alias$", RegexOptions.Multiline);
        Assert.True(alias.Success, symbols);
        Assert.Equal(theirs, ulong.Parse(alias.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        using var image = ElfImage.Open(Fixture("loclist.so"));
        using var dwarf = DwarfFile.Of(image);
        var dies = new List<DwarfDie>();
        var reader = dwarf.Units.Single().ReadDies();
        while (reader.MoveNext())
        {
            dies.Add(reader.Current);
        }

        var hidden = dies.Single(d => d.Tag == DwarfTag.Variable && d.Name == "ll_hidden");
        Assert.True(hidden.TryGetAttribute(DwarfAttribute.Location, out var location));
        Assert.Equal(DwarfForm.Loclistx, location.Form);
        var expression = Assert.Single(DwarfLocationLists.Expressions(location)).ToArray();
        Assert.Equal(0x03, expression[0]); // DW_OP_addr
        Assert.Equal(theirs, BitConverter.ToUInt64(expression, 1));

        var graph = AbiTypeGraph.Load(image);
        var declaration = graph.Variables["ll_alias"];
        Assert.Equal("ll_hidden", declaration.Name);
        Assert.Equal("int", declaration.Type.Spelling);
        Assert.Equal("ll_var", graph.Variables["ll_var"].Name);
    }

    // DW_AT_location	(indexed (0x0) loclist = 0x00000010:
    //    [0x0000000000001000, 0x0000000000001017): DW_OP_addr 0x3004)
    [GeneratedRegex(@"DW_AT_location\s+\(indexed \(0x0\) loclist = 0x[0-9a-f]+:\s*\n\s*\[0x[0-9a-f]+, 0x[0-9a-f]+\): DW_OP_addr 0x([0-9a-f]+)\)")]
    private static partial Regex ListedAddress();
}
