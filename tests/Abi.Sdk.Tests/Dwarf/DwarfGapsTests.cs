using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Distribution;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.Abi;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// Reader gaps for types and exported functions (Fixtures/dwarf-gaps/make-fixtures.sh, gcc 12): hot/cold-split
/// functions (DW_AT_ranges through .debug_rnglists, .debug_ranges, DW_FORM_rnglistx and DW_AT_GNU_ranges_base) matched
/// to their symbol by entry address; variables and TLS variables of split DWARF matched by DW_OP_addrx / DW_OP_constx
/// and their GNU forms; several .debug_types sections in a .dwo; pointer-to-member spelling; .gnu_debuglink in a
/// <see cref="DebugFileSet"/>; the SARIF report's reason when types were not compared.
/// </summary>
public sealed partial class DwarfGapsTests
{
    private static string Fixture(string name) => Path.Combine(Paths.Fixtures, "dwarf-gaps", name);

    public static TheoryData<string, string[]> Variants => new()
    {
        // The forms eu-readelf prints for the file holding the DIEs (the .dwo for a split build).
        { "gaps.d5.so", ["ranges               (sec_offset) range list", "const8u 0", "form_tls_address"] },
        { "gaps.d4.so", ["ranges               (sec_offset) range list", "const8u 0", "GNU_push_tls_address"] },
        { "gaps.split5.so", ["(rnglistx) range index", "addrx [", "constx [", "form_tls_address"] },
        { "gaps.split4.so", ["'ranges' (sec_offset)", "GNU_addr_index [", "GNU_const_index [", "GNU_push_tls_address"] },
    };

    /// <summary>
    /// The hot/cold-split <c>impl</c> has DW_AT_ranges and no DW_AT_low_pc: its ranges are the hot part and the cold
    /// part as the symbol table gives them (<c>impl</c> and <c>impl.cold</c>, readelf -s), and the exported alias
    /// <c>api</c>, which no DIE names, finds it by the entry address (the first range's start).
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Hot_cold_split_functions_have_the_symbol_tables_ranges_and_match_their_alias_by_entry_address(string library, string[] forms)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var euReadelf = Tools.Require("eu-readelf", "elfutils");
        string dieFile = library.Contains("split", StringComparison.Ordinal) ? Fixture(library + "-gaps.dwo") : Fixture(library);
        // eu-readelf reads a .dwo alone: what needs the skeleton (.debug_addr, .debug_ranges) it names on stderr.
        var (_, stdout, stderr) = Tools.Run(euReadelf, ["--debug-dump=info", dieFile], new Dictionary<string, string> { ["LC_ALL"] = "C" });
        var dump = stdout + stderr;
        foreach (var form in forms)
        {
            Assert.Contains(form, dump, StringComparison.Ordinal);
        }

        var symbols = ReadelfSymbols(readelf, Fixture(library));
        var hot = symbols["impl"];
        var cold = symbols["impl.cold"];
        using var image = ElfImage.Open(Fixture(library));
        using var dwarf = DwarfFile.Of(image);
        var impl = AllDies(dwarf).Single(d => d.Tag == DwarfTag.Subprogram && d.Name == "impl");
        Assert.False(impl.TryGetAttribute(DwarfAttribute.LowPc, out _));
        Assert.Equal([new DwarfAddressRange(hot.Value, hot.Value + hot.Size), new DwarfAddressRange(cold.Value, cold.Value + cold.Size)], impl.GetAddressRanges());

        var graph = AbiTypeGraph.Load(image);
        Assert.True(graph.HasDebugInfo, graph.UnavailableReason);
        var api = graph.Functions["api"];
        Assert.Equal("impl", api.Name);
        Assert.Equal(["struct point *", "int"], api.Type.Parameters.Select(p => p.Spelling));
        Assert.Equal(symbols["api"].Value, hot.Value);
    }

    /// <summary>
    /// A variable and a thread-local variable exported only under an alias (<c>origin</c>, <c>counter</c>) find the
    /// DIEs of <c>origin_impl</c> and <c>counter_impl</c> by address and by TLS offset: DW_OP_addr / const8u in the
    /// file, DW_OP_addrx / constx (DWARF 5) and DW_OP_GNU_addr_index / GNU_const_index (DWARF 4) when split, resolved
    /// through the skeleton's .debug_addr to the symbol's value (readelf -s).
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Variables_exported_under_an_alias_are_matched_by_address_and_tls_offset(string library, string[] forms)
    {
        _ = forms;
        var readelf = Tools.Require("readelf", "binutils");
        var symbols = ReadelfSymbols(readelf, Fixture(library));
        Assert.Equal("TLS", symbols["counter"].Type);
        using var image = ElfImage.Open(Fixture(library));
        var graph = AbiTypeGraph.Load(image);
        Assert.True(graph.HasDebugInfo, graph.UnavailableReason);
        var origin = graph.Variables["origin"];
        Assert.Equal("origin_impl", origin.Name);
        Assert.Equal("struct point", origin.Type.Spelling);
        Assert.Equal(8UL, origin.Type.Size);
        var counter = graph.Variables["counter"];
        Assert.Equal("counter_impl", counter.Name);
        Assert.Equal("long int", counter.Type.Spelling);
        Assert.Equal("counter_address", graph.Functions["counter_address"].Name);
    }

    /// <summary>
    /// gcc writes each type unit of a -fdebug-types-section split build in its own .debug_types.dwo section: every one
    /// is read (the signatures readelf prints), and the declarations reach their types through DW_FORM_ref_sig8.
    /// </summary>
    [Fact]
    public void Every_debug_types_section_of_a_dwo_is_read()
    {
        var readelf = Tools.Require("readelf", "binutils");
        string dwo = Fixture("types.so-types.dwo");
        var (_, sections, _) = Tools.Run(readelf, ["-SW", dwo], new Dictionary<string, string> { ["LC_ALL"] = "C" });
        Assert.Equal(3, Regex.Matches(sections, @"\.debug_types\.dwo").Count);
        var (_, info, _) = Tools.Run(readelf, ["--debug-dump=info", dwo], new Dictionary<string, string> { ["LC_ALL"] = "C" });
        var signatures = Regex.Matches(info, @"Signature:\s+0x([0-9a-f]+)").Select(m => ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(3, signatures.Count);

        using (var file = DwarfFile.Open(dwo))
        {
            Assert.Equal(signatures, file.Units.Where(u => u.IsInTypesSection).Select(u => u.TypeSignature).Order());
        }

        using var image = ElfImage.Open(Fixture("types.so"));
        var graph = AbiTypeGraph.Load(image);
        var a = graph.Functions["_Z5use_aPN2ns1AE"].Type.Parameters[0].Target!;
        Assert.Equal("ns::A", a.Name);
        Assert.Equal([("a", 0UL), ("b", 8UL)], a.Members.Select(m => (m.Name!, m.ByteOffset)));
        var b = graph.Functions["_Z5use_bN2ns1BE"].Type.Parameters[0];
        Assert.Equal(24UL, b.Size);
        var e = graph.Functions["_Z5use_eN2ns1EE"].Type.Parameters[0];
        Assert.Equal([("x", 0L), ("y", 7L)], e.Enumerators.Select(x => (x.Name, x.Value)));
    }

    /// <summary>Pointers to data members and to member functions are spelled as c++filt spells the mangled parameter (with DWARF's base type names).</summary>
    [Theory]
    [InlineData("_Z3getPK1SMS_i", 1)]
    [InlineData("_Z10get_double1SMS_d", 1)]
    [InlineData("_Z4callRK1SMS_KFiiE", 1)]
    [InlineData("_Z13call_variadicR1SMS_FllzE", 1)]
    public void Pointers_to_members_are_spelled_as_cxxfilt_spells_them(string symbol, int parameter)
    {
        var cxxfilt = Tools.Require("c++filt", "binutils");
        var (_, demangled, _) = Tools.Run(cxxfilt, [symbol]);
        var list = demangled.Trim();
        list = list[(list.IndexOf('(', StringComparison.Ordinal) + 1)..^1];
        var parameters = SplitTopLevel(list);
        using var image = ElfImage.Open(Fixture("pm.so"));
        var graph = AbiTypeGraph.Load(image);
        var ours = graph.Functions[symbol].Type.Parameters[parameter].Spelling;
        Assert.Contains("::*", ours, StringComparison.Ordinal);
        Assert.Equal(parameters[parameter], ours.Replace("long int", "long", StringComparison.Ordinal));
    }

    private static List<string> SplitTopLevel(string list)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < list.Length; i++)
        {
            depth += list[i] is '(' or '<' ? 1 : list[i] is ')' or '>' ? -1 : 0;
            if (list[i] == ',' && depth == 0)
            {
                parts.Add(list[start..i].Trim());
                start = i + 1;
            }
        }

        parts.Add(list[start..].Trim());
        return parts;
    }

    /// <summary>
    /// In a set of debug files (a -debuginfo package read in memory), a library is found by its .gnu_debuglink when
    /// its build-id is not there, under /usr/lib/debug followed by its folder, with the link's CRC-32 checked; the
    /// reference is the CRC readelf prints and the file eu-readelf reads after extraction.
    /// </summary>
    [Fact]
    public void A_debug_file_set_finds_a_library_by_its_debug_link_with_the_crc_checked()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var rpm = Path.Combine(Paths.Fixtures, "debuginfo-rpm");
        var packages = RpmDebugFiles.Read([Path.Combine(rpm, "dbgdemo-debuginfo-1.0-1.x86_64.rpm")], cancellationToken: TestContext.Current.CancellationToken);
        var content = PackageContent.Read(Path.Combine(rpm, "dbgdemo-1.0-1.x86_64.rpm"), cancellationToken: TestContext.Current.CancellationToken);
        var library = content.ElfFiles.First(f => f.Path.EndsWith("libdbgdemo.so.1", StringComparison.Ordinal));
        using var image = ElfImage.Parse(library.Content, library.Path);
        var link = image.DebugLink!;

        // readelf's view of the link: the same name and CRC.
        var onDisk = Path.Combine(Path.GetTempPath(), $"abi-debuglink-{Environment.ProcessId}.so");
        File.WriteAllBytes(onDisk, library.Content.ToArray());
        try
        {
            var (_, text, _) = Tools.Run(readelf, ["--string-dump=.gnu_debuglink", onDisk], new Dictionary<string, string> { ["LC_ALL"] = "C" });
            Assert.Contains(link.FileName, text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(onDisk);
        }

        var noBuildIds = new FilteredSet(packages, corrupt: false);
        var location = new DebugInfoLocator([], noBuildIds).Locate(image);
        Assert.NotNull(location);
        Assert.Equal(DebugInfoSource.DebugLink, location.Source);
        Assert.Equal($"/usr/lib/debug/usr/lib64/{link.FileName}", location.Path);
        Assert.True(packages.TryGetFile(location.Path, out var debug, out _));
        Assert.Equal(link.Crc32, System.IO.Hashing.Crc32.HashToUInt32(debug.Span));
        using (var dwarf = DwarfFile.Open(location))
        {
            Assert.True(dwarf.HasDebugInfo);
            Assert.NotNull(dwarf.GetSupplementary()); // the dwz file, found in the same set
        }

        // A file under the linked name whose CRC-32 is not the link's is not taken.
        Assert.Null(new DebugInfoLocator([], new FilteredSet(packages, corrupt: true)).Locate(image));
    }

    /// <summary>A set without the .build-id paths; <c>corrupt</c> flips a byte of every file, so that no CRC matches.</summary>
    private sealed class FilteredSet(DebugFileSet inner, bool corrupt) : DebugFileSet
    {
        public override bool TryGetFile(string path, out ReadOnlyMemory<byte> content, out string resolvedPath)
        {
            content = default;
            resolvedPath = path;
            if (path.Contains("/.build-id/", StringComparison.Ordinal) || !inner.TryGetFile(path, out content, out resolvedPath))
            {
                return false;
            }

            if (corrupt)
            {
                var copy = content.ToArray();
                copy[^1] ^= 0xff;
                content = copy;
            }

            return true;
        }
    }

    /// <summary>Without debug information, the SARIF log says why types were not compared, as the text and JSON reports do.</summary>
    [Fact]
    public void Sarif_says_why_types_were_not_compared()
    {
        using var i1 = ElfImage.Open(FixturePairTests.Pair("symbol-removed", "v1"));
        using var i2 = ElfImage.Open(FixturePairTests.Pair("symbol-removed", "v2"));
        var diff = AbiComparer.Default.Compare(AbiSurface.Of(i1), AbiSurface.Of(i2), AbiTypeGraph.Load(i1), AbiTypeGraph.Load(i2), TestContext.Current.CancellationToken);
        Assert.False(diff.TypesCompared);
        var sarif = new MemoryStream();
        diff.WriteSarif(sarif);
        using var log = JsonDocument.Parse(sarif.ToArray());
        var run = log.RootElement.GetProperty("runs")[0];
        var notification = run.GetProperty("invocations")[0].GetProperty("toolExecutionNotifications")[0];
        Assert.Equal("types-not-compared", notification.GetProperty("descriptor").GetProperty("id").GetString());
        Assert.Equal("Types were not compared: " + diff.TypesNotComparedReason, notification.GetProperty("message").GetProperty("text").GetString());
        Assert.True(run.GetProperty("invocations")[0].GetProperty("executionSuccessful").GetBoolean());
        var types = run.GetProperty("properties").GetProperty("types");
        Assert.False(types.GetProperty("compared").GetBoolean());
        Assert.Equal(diff.TypesNotComparedReason, types.GetProperty("reason").GetString());

        // With types compared: no notification, and the property says so.
        using var t1 = ElfImage.Open(Fixture("gaps.d5.so"));
        var same = AbiComparer.Default.Compare(AbiSurface.Of(t1), AbiSurface.Of(t1), AbiTypeGraph.Load(t1), AbiTypeGraph.Load(t1), TestContext.Current.CancellationToken);
        var clean = new MemoryStream();
        same.WriteSarif(clean);
        using var cleanLog = JsonDocument.Parse(clean.ToArray());
        var cleanRun = cleanLog.RootElement.GetProperty("runs")[0];
        Assert.False(cleanRun.TryGetProperty("invocations", out _));
        Assert.True(cleanRun.GetProperty("properties").GetProperty("types").GetProperty("compared").GetBoolean());
    }

    /// <summary>
    /// Every DIE with DW_AT_high_pc or DW_AT_ranges (the CU, functions, lexical blocks, inlined calls) has the ranges
    /// llvm-dwarfdump-14 prints, in its order: DWARF 5 .debug_rnglists (offset pairs from the CU base, base addresses,
    /// start/length entries) and DWARF 4 .debug_ranges.
    /// </summary>
    [Theory]
    [InlineData("gaps.d5.so")]
    [InlineData("gaps.d4.so")]
    public void Address_ranges_agree_with_llvm_dwarfdump(string library)
    {
        var dwarfdump = Tools.Find("llvm-dwarfdump-14") ?? Tools.Require("llvm-dwarfdump", "llvm-14");
        var (exit, text, stderr) = Tools.Run(dwarfdump, ["--debug-info", Fixture(library)], new Dictionary<string, string> { ["LC_ALL"] = "C" });
        Assert.True(exit == 0, stderr);
        var theirs = new Dictionary<ulong, List<DwarfAddressRange>>();
        ulong die = 0;
        ulong? low = null;
        bool inRanges = false;
        foreach (var line in text.Split('\n'))
        {
            if (DieHeader().Match(line) is { Success: true } h)
            {
                die = ulong.Parse(h.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                low = null;
                inRanges = false;
            }
            else if (Attribute().Match(line) is { Success: true } a)
            {
                inRanges = a.Groups["name"].Value == "DW_AT_ranges";
                ulong value = a.Groups["value"].Success ? ulong.Parse(a.Groups["value"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0;
                if (a.Groups["name"].Value == "DW_AT_low_pc")
                {
                    low = value;
                }
                else if (a.Groups["name"].Value == "DW_AT_high_pc" && low is { } l)
                {
                    theirs[die] = [new DwarfAddressRange(l, value)];
                }
                else if (inRanges)
                {
                    theirs[die] = [];
                }
            }
            else if (inRanges && RangeLine().Match(line) is { Success: true } r)
            {
                theirs[die].Add(new DwarfAddressRange(
                    ulong.Parse(r.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    ulong.Parse(r.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }

        using var image = ElfImage.Open(Fixture(library));
        using var dwarf = DwarfFile.Of(image);
        var ours = new Dictionary<ulong, List<DwarfAddressRange>>();
        foreach (var d in AllDies(dwarf))
        {
            if (d.TryGetAttribute(DwarfAttribute.Ranges, out _) || d.TryGetAttribute(DwarfAttribute.HighPc, out _))
            {
                ours[d.Offset] = [.. d.GetAddressRanges()];
            }
        }

        Assert.True(theirs.Values.Count(v => v.Count > 1) >= 3, "the fixture has DIEs with several ranges");
        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
        foreach (var (offset, ranges) in theirs)
        {
            Assert.True(ranges.SequenceEqual(ours[offset]), $"DIE 0x{offset:x}: llvm-dwarfdump {string.Join(" ", ranges)}, we {string.Join(" ", ours[offset])}");
        }
    }

    [GeneratedRegex(@"^0x([0-9a-f]+):\s+DW_TAG_")]
    private static partial Regex DieHeader();

    [GeneratedRegex(@"^\s+(?<name>DW_AT_\w+)\s+\((?:0x(?<value>[0-9a-f]+))?")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"^\s+\[0x([0-9a-f]+), 0x([0-9a-f]+)\)\)?\s*$")]
    private static partial Regex RangeLine();

    /// <summary>Corrupted range lists (DWARF 5 and 4) yield a graph or one typed error, never a crash or a hang.</summary>
    [Theory]
    [InlineData("gaps.d5.so", ".debug_rnglists")]
    [InlineData("gaps.d4.so", ".debug_ranges")]
    public void Corrupted_range_lists_are_a_typed_error(string library, string sectionName)
    {
        var original = File.ReadAllBytes(Fixture(library));
        ElfSection section;
        using (var image = ElfImage.Parse(original))
        {
            section = image.FindSection(sectionName)!;
        }

        var random = new Random(16);
        int built = 0, rejected = 0;
        for (int i = 0; i < 200; i++)
        {
            var bytes = (byte[])original.Clone();
            for (int k = 0; k < 1 + (i % 3); k++)
            {
                bytes[(int)section.Offset + random.Next((int)section.Size)] = (byte)random.Next(256);
            }

            using var image = ElfImage.Parse(bytes, "corrupt.so");
            try
            {
                var graph = AbiTypeGraph.Load(image, [Path.GetTempPath()]);
                _ = graph.Functions.Values.Select(d => d.Spelling).ToList();
                built++;
            }
            catch (AbiSdkFormatException)
            {
                rejected++;
            }
        }

        Assert.Equal(200, built + rejected);
        // .debug_rnglists has entry kinds to get wrong; a corrupted .debug_ranges is only other addresses.
        Assert.True(sectionName != ".debug_rnglists" || rejected > 0, "no corruption was noticed");
    }

    private static IEnumerable<DwarfDie> AllDies(DwarfFile dwarf)
    {
        foreach (var unit in dwarf.Units)
        {
            var target = unit.UnitType == DwarfUnitType.Skeleton ? dwarf.GetSplitUnit(unit) : unit;
            Assert.NotNull(target);
            var reader = target.ReadDies();
            while (reader.MoveNext())
            {
                yield return reader.Current;
            }
        }
    }

    private sealed record Symbol(ulong Value, ulong Size, string Type);

    /// <summary>readelf -sW: name → value, size, type (the first of each name, .dynsym first).</summary>
    private static Dictionary<string, Symbol> ReadelfSymbols(string readelf, string path)
    {
        var (_, text, _) = Tools.Run(readelf, ["-sW", path], new Dictionary<string, string> { ["LC_ALL"] = "C" });
        var symbols = new Dictionary<string, Symbol>(StringComparer.Ordinal);
        foreach (Match m in SymbolLine().Matches(text))
        {
            symbols.TryAdd(m.Groups["name"].Value, new Symbol(
                ulong.Parse(m.Groups["value"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture), m.Groups["type"].Value));
        }

        return symbols;
    }

    [GeneratedRegex(@"^\s*\d+:\s+(?<value>[0-9a-f]+)\s+(?<size>\d+)\s+(?<type>\w+)\s+\w+\s+\w+\s+\S+\s+(?<name>[^\s@]+)", RegexOptions.Multiline)]
    private static partial Regex SymbolLine();
}
