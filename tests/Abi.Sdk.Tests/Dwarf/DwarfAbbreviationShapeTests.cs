using System.Globalization;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// Abbreviation entries with the same bytes share one decoded shape (libc's 66 839 entries have about 2 000 distinct
/// shapes). Every table read that way must still say what <c>readelf --debug-dump=abbrev</c> says, entry by entry,
/// with each entry's own code and offset; and an entry is never taken from the cache unless its own bytes, all of
/// them, equal those of an entry decoded without error for the same unit format.
/// </summary>
public sealed class DwarfAbbreviationShapeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("c-dwarf5-O2.so")] // DW_FORM_implicit_const
    [InlineData("c-dwarf2-O0.so")]
    [InlineData("c-dwarf4-64bit.so")]
    [InlineData("cc-dwarf4-types.so")] // .debug_types units share the tables
    [InlineData("c-zlib.so")]
    public void Fixture_tables_agree_with_readelf(string name)
        => AssertAgrees(DwarfDifferentialTests.Fixture(name), minSharing: 0);

    [Fact]
    public void Libc_debug_file_tables_agree_with_readelf_and_share_their_shapes()
    {
        var (image, location) = LibcDebugInfo.Open();
        using var _ = image;
        // 2 063 tables: most entries repeat, under other codes, in other tables.
        AssertAgrees(location.Path, minSharing: 10);
    }

    [Fact]
    public void Same_bytes_at_different_offsets_share_a_shape_but_keep_their_own_code_and_offset()
    {
        byte[] a = [1, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0, 2, 0x24, 0, 0x03, 0x08, 0, 0, 0];
        byte[] b = [5, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0, 0];
        var section = Section([.. a, .. b]);
        var shapes = new DwarfAbbreviationShapes();
        var first = DwarfAbbreviationTable.Read(section, 0, 8, 4, 5, shapes);
        var second = DwarfAbbreviationTable.Read(section, (ulong)a.Length, 8, 4, 5, shapes);

        var one = first.Entry(section, 1)!;
        var five = second.Entry(section, 5)!;
        Assert.Same(one.Shape, five.Shape);
        Assert.Same(first.Get(1), second.Get(5));
        Assert.Equal((1u, 0ul), (one.Code, one.Offset));
        Assert.Equal((5u, (ulong)a.Length), (five.Code, five.Offset));
        Assert.Equal(DwarfTag.StructureType, five.Tag);
        Assert.True(five.HasChildren);
        Assert.Equal([new(DwarfAttribute.Name, DwarfForm.String, 0), new(DwarfAttribute.ByteSize, DwarfForm.Data1, 0)], five.Attributes);
        Assert.Null(second.Get(1));
        Assert.Null(first.Get(5));
        Assert.Null(second.Entry(section, 1));
        Assert.Equal(DwarfTag.BaseType, first.Get(2)!.Tag);
        Assert.Equal((2u, 9ul), (first.Entry(section, 2)!.Code, first.Entry(section, 2)!.Offset));
    }

    [Fact]
    public void A_truncated_copy_of_a_cached_entry_is_an_error_at_its_own_offset()
    {
        // The second table repeats the first's entry but the section ends before its closing (0, 0).
        byte[] a = [1, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0, 0];
        byte[] truncated = [7, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b];
        var section = Section([.. a, .. truncated]);
        var shapes = new DwarfAbbreviationShapes();
        _ = DwarfAbbreviationTable.Read(section, 0, 8, 4, 5, shapes);
        var ex = Assert.Throws<DwarfFormatException>(() => DwarfAbbreviationTable.Read(section, (ulong)a.Length, 8, 4, 5, shapes));
        Assert.Equal(".debug_abbrev", ex.SectionName);
        Assert.Equal("test.debug", ex.FileName);
        Assert.Equal(a.Length + truncated.Length, ex.Offset);
        Assert.Contains("past the end of the section", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 3, 0x80, 0x80, 0x04, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0, 0 }, 0, "tag 0x10000")]
    [InlineData(new byte[] { 3, 0x13, 1, 0x80, 0x80, 0x04, 0x08, 0x0b, 0x0b, 0, 0, 0 }, 3, "attribute 0x10000")]
    [InlineData(new byte[] { 3, 0x13, 1, 0x03, 0x08, 0x0b, 0x80, 0x80, 0x04, 0, 0, 0 }, 5, "form 0x10000")]
    public void A_malformed_entry_is_never_taken_from_the_cache(byte[] bad, int offsetInBad, string reason)
    {
        // A valid entry with nearly the same bytes is cached first; the malformed one (its numbers short enough for
        // the quick scan) is still decoded, and fails at its own offset.
        byte[] good = [1, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0, 0];
        var section = Section([.. good, .. bad]);
        var shapes = new DwarfAbbreviationShapes();
        _ = DwarfAbbreviationTable.Read(section, 0, 8, 4, 5, shapes);
        var ex = Assert.Throws<DwarfFormatException>(() => DwarfAbbreviationTable.Read(section, (ulong)good.Length, 8, 4, 5, shapes));
        Assert.Equal(good.Length + offsetInBad, ex.Offset);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);

        // And reading it again (now that the cache has seen it) fails the same way.
        var again = Assert.Throws<DwarfFormatException>(() => DwarfAbbreviationTable.Read(section, (ulong)good.Length, 8, 4, 5, shapes));
        Assert.Equal(ex.Message, again.Message);
    }

    [Fact]
    public void The_same_bytes_read_for_another_unit_format_have_that_format_s_sizes()
    {
        // DW_TAG_subprogram with DW_AT_low_pc DW_FORM_addr and DW_AT_sibling DW_FORM_ref_addr: 4 + 4 in a 32-bit
        // DWARF 2 unit with 4-byte addresses, 8 + 4 in a DWARF 5 unit with 8-byte addresses, 8 + 8 in 64-bit DWARF.
        var section = Section([1, 0x2e, 1, 0x11, 0x01, 0x01, 0x10, 0, 0, 0]);
        var shapes = new DwarfAbbreviationShapes();
        Assert.Equal(8, DwarfAbbreviationTable.Read(section, 0, 4, 4, 2, shapes).Get(1)!.FixedSize);
        Assert.Equal(12, DwarfAbbreviationTable.Read(section, 0, 8, 4, 5, shapes).Get(1)!.FixedSize);
        Assert.Equal(16, DwarfAbbreviationTable.Read(section, 0, 8, 8, 5, shapes).Get(1)!.FixedSize);
        Assert.Equal(4, DwarfAbbreviationTable.Read(section, 0, 4, 4, 2, shapes).Get(1)!.SiblingOffset);
    }

    [Fact]
    public void Entries_that_differ_only_in_an_implicit_constant_do_not_share()
    {
        var section = Section([1, 0x0d, 0, 0x3a, 0x21, 0x05, 0, 0, 2, 0x0d, 0, 0x3a, 0x21, 0x06, 0, 0, 3, 0x0d, 0, 0x3a, 0x21, 0x05, 0, 0, 0]);
        var table = DwarfAbbreviationTable.Read(section, 0, 8, 4, 5, new DwarfAbbreviationShapes());
        Assert.Equal(5, table.Get(1)!.Specs[0].ImplicitConstant);
        Assert.Equal(6, table.Get(2)!.Specs[0].ImplicitConstant);
        Assert.Equal(5, table.Get(3)!.Specs[0].ImplicitConstant);
        Assert.Same(table.Get(1)!.Specs, table.Get(3)!.Specs);
        Assert.NotSame(table.Get(1)!.Specs, table.Get(2)!.Specs);
    }

    private static DwarfSection Section(byte[] bytes) => new(".debug_abbrev", bytes, "test.debug", bigEndian: false);

    /// <summary>
    /// Every table a unit uses, every entry readelf lists in it: code, tag, children, and the (attribute, form,
    /// implicit constant) list in order; each entry's offset holds its code. The first definition of a code wins.
    /// </summary>
    private void AssertAgrees(string path, int minSharing)
    {
        var readelf = Tools.Require("readelf", "binutils");
        // readelf may complain on stderr about a debug file (no program interpreter) but lists the section in full.
        var (_, stdout, stderr) = Tools.Run(readelf, ["--debug-dump=abbrev", "--wide", path]);
        var tables = ParseReadelf(stdout);
        Assert.True(tables.Count > 0, stderr);

        using var dwarf = DwarfFile.Open(path);
        var abbrevSection = dwarf.Section(DwarfSectionKind.Abbrev);
        int entries = 0, mismatches = 0;
        var distinct = new HashSet<DwarfAttributeSpec[]>(ReferenceEqualityComparer.Instance);
        var checkedTables = new HashSet<(ulong, int, int, bool)>();
        foreach (var unit in dwarf.Units)
        {
            if (!checkedTables.Add((unit.AbbreviationOffset, unit.AddressSize, unit.OffsetSize, unit.Version <= 2)))
            {
                continue;
            }

            Assert.True(tables.TryGetValue(unit.AbbreviationOffset, out var expected), $"readelf lists no table at 0x{unit.AbbreviationOffset:x}");
            var table = unit.Abbreviations;
            var seen = new HashSet<uint>();
            foreach (var e in expected!)
            {
                if (!seen.Add(e.Code))
                {
                    continue;
                }

                entries++;
                var a = table.Entry(abbrevSection, e.Code);
                string ours = a is null ? "(missing)" : Describe(a);
                if (ours != e.Text)
                {
                    if (mismatches++ < 10)
                    {
                        output.WriteLine($"table 0x{unit.AbbreviationOffset:x} code {e.Code}: readelf {e.Text}; we {ours}");
                    }

                    continue;
                }

                distinct.Add(a!.Shape.Specs);
                var at = abbrevSection.Cursor((long)a.Offset);
                Assert.Equal(e.Code, (uint)at.Uleb());
                Assert.True(a.Offset >= unit.AbbreviationOffset, $"entry {e.Code} of table 0x{unit.AbbreviationOffset:x} at 0x{a.Offset:x}");
            }
        }

        output.WriteLine($"{checkedTables.Count} tables, {entries} entries, {distinct.Count} distinct attribute lists");
        Assert.Equal(0, mismatches);
        Assert.True(entries > 0);
        Assert.True(distinct.Count * minSharing <= entries, $"{distinct.Count} distinct attribute lists for {entries} entries");
    }

    private static string Describe(DwarfAbbreviation a)
    {
        var parts = new List<string> { DwarfNames.GetName(a.Tag) ?? $"0x{(ushort)a.Tag:x}", a.HasChildren ? "has" : "no" };
        foreach (var s in a.Attributes)
        {
            string attribute = DwarfNames.GetName(s.Attribute) ?? $"0x{(ushort)s.Attribute:x}";
            string form = DwarfNames.GetName(s.Form) ?? $"0x{(ushort)s.Form:x}";
            parts.Add(s.Form == DwarfForm.ImplicitConst ? $"{attribute} {form}:{s.ImplicitConstant}" : $"{attribute} {form}");
        }

        return string.Join(", ", parts);
    }

    /// <summary>readelf's listing: table offset → entries as "tag, has|no, attribute form, …" (its own names).</summary>
    private static Dictionary<ulong, List<(uint Code, string Text)>> ParseReadelf(string text)
    {
        var tables = new Dictionary<ulong, List<(uint, string)>>();
        List<(uint, string)>? current = null;
        uint code = 0;
        List<string>? parts = null;
        void Flush()
        {
            if (parts is not null)
            {
                current!.Add((code, string.Join(", ", parts)));
                parts = null;
            }
        }

        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("Number TAG (", StringComparison.Ordinal))
            {
                Flush();
                var hex = trimmed["Number TAG (".Length..^1];
                ulong offset = hex.StartsWith("0x", StringComparison.Ordinal) ? ulong.Parse(hex[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : ulong.Parse(hex, CultureInfo.InvariantCulture);
                tables[offset] = current = [];
                continue;
            }

            if (current is null || trimmed.Length == 0 || trimmed.StartsWith("DW_AT value: 0", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (char.IsAsciiDigit(trimmed[0]))
            {
                // "   1      DW_TAG_base_type    [no children]"
                Flush();
                code = uint.Parse(fields[0], CultureInfo.InvariantCulture);
                parts = [ReadelfTag(fields[1]), fields[2] == "[has" ? "has" : "no"];
            }
            else if (parts is not null && trimmed.StartsWith("DW_AT", StringComparison.Ordinal))
            {
                // "    DW_AT_name         DW_FORM_strp", "DW_AT_decl_file    DW_FORM_implicit_const: 5"
                string attribute = fields[0];
                string form = fields.Length > 2 ? $"{fields[1].TrimEnd(':')}:{fields[2]}" : fields[1];
                parts.Add($"{attribute} {form}");
            }
        }

        Flush();
        return tables;
    }

    /// <summary>readelf shortens two tag names the DWARF standard (and <see cref="DwarfNames"/>) spell out.</summary>
    private static string ReadelfTag(string name) => name switch
    {
        "DW_TAG_template_type_param" => "DW_TAG_template_type_parameter",
        "DW_TAG_template_value_param" => "DW_TAG_template_value_parameter",
        _ => name,
    };
}
