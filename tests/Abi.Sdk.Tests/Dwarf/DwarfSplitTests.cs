using System.Globalization;
using System.Text;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// Split DWARF: skeleton units joined with their split units from <c>.dwo</c> files and from DWARF packages. The
/// fixtures are gcc -gsplit-dwarf builds (Fixtures/dwarf/make-fixtures.sh): DWARF 5 (c-split-dwarf5.so, and
/// c-dwp5.so packaged by llvm-dwp, version 5 index) and GNU DWARF 4 (c-split-dwarf4.so, and cc-dwp4.so with type units
/// packaged by binutils' dwp, version 2 index). The .dwo files the packages were made from are in dwo5/ and dwo4/.
/// </summary>
public sealed class DwarfSplitTests(ITestOutputHelper output)
{
    public static TheoryData<string, string?> DwoFixtures => new()
    {
        { "c-split-dwarf5.so", null },
        { "c-split-dwarf4.so", null },
        { "c-dwp5.so", "dwo5" },
        { "cc-dwp4.so", "dwo4" },
    };

    private static string Fixture(string name) => DwarfDifferentialTests.Fixture(name);

    /// <summary>
    /// Every DIE and attribute of each joined split unit's <c>.dwo</c> agrees with eu-readelf given the skeleton
    /// (<c>--dwarf-skeleton</c>): with it, eu-readelf resolves addrx/GNU_addr_index through the skeleton's
    /// <c>.debug_addr</c> and prints the addresses, which the comparison checks against <see cref="DwarfAttributeValue.AsAddress"/>.
    /// </summary>
    [Theory]
    [MemberData(nameof(DwoFixtures))]
    public void Split_units_from_dwo_files_agree_with_eu_readelf_given_the_skeleton(string library, string? dwoFolder)
    {
        var euReadelf = Tools.Require("eu-readelf", "elfutils");
        using var scratch = dwoFolder is null ? null : new ScratchCopy(Fixture(library));
        using var dwarf = DwarfFile.Open(scratch?.Path ?? Fixture(library), dwoFolder is null ? null : new DwarfReaderOptions { SplitDwarfDirectories = [Fixture(dwoFolder)] });
        var skeletons = dwarf.Units.Where(u => u.UnitType == DwarfUnitType.Skeleton).ToList();
        Assert.NotEmpty(skeletons);
        long addresses = 0;
        foreach (var skeleton in skeletons)
        {
            var split = dwarf.GetSplitUnit(skeleton);
            Assert.NotNull(split);
            Assert.Same(skeleton, split.Skeleton);
            Assert.False(split.File.IsPackage);
            Assert.Equal((DwarfUnitType.SplitCompile, skeleton.DwoId), (split.UnitType, split.DwoId));
            Assert.Same(split, dwarf.GetSplitUnit(skeleton));

            var result = EuReadelfInfoComparison.Run(euReadelf, split.File.FileName!, split.File, skeleton: Fixture(library));
            output.WriteLine($"{Path.GetFileName(split.File.FileName)}: {result.Summary()}");
            foreach (var m in result.Mismatches)
            {
                output.WriteLine(m);
            }

            Assert.True(result.MismatchCount == 0, $"{result.MismatchCount} differences from eu-readelf: {string.Join(Environment.NewLine, result.Mismatches)}");
            addresses += result.ValuesByForm.Where(kv => kv.Key is "addrx" or "GNU_addr_index").Sum(kv => kv.Value);
        }

        // The point of the join: indexed addresses were resolved and compared.
        Assert.True(addresses > 0, "no addrx/GNU_addr_index value was compared");
    }

    /// <summary>
    /// A package's units are the .dwo files' units: each skeleton's split unit found in NAME.dwp (through the unit
    /// index, its section contributions applied) decodes to the same DIEs, attributes and values (addresses resolved
    /// through the skeleton, strings through the unit's string-offsets contribution, type units by signature) as the
    /// same unit read from the .dwo it was packaged from, which eu-readelf checked above.
    /// </summary>
    [Theory]
    [InlineData("c-dwp5.so", "dwo5", 5)]
    [InlineData("cc-dwp4.so", "dwo4", 2)]
    public void Package_units_decode_as_their_dwo_files(string library, string dwoFolder, int indexVersion)
    {
        using var fromPackage = DwarfFile.Open(Fixture(library));
        using var scratch = new ScratchCopy(Fixture(library));
        using var fromDwo = DwarfFile.Open(scratch.Path, new DwarfReaderOptions { SplitDwarfDirectories = [Fixture(dwoFolder)] });
        var skeletons = fromPackage.Units.Where(u => u.UnitType == DwarfUnitType.Skeleton).ToList();
        Assert.Equal(2, skeletons.Count);
        int typeUnits = 0;
        foreach (var skeleton in skeletons)
        {
            var packaged = fromPackage.GetSplitUnit(skeleton);
            Assert.NotNull(packaged);
            Assert.True(packaged.File.IsPackage);
            Assert.Equal(indexVersion, packaged.File.PackageIndex!.Version);
            var loose = fromDwo.GetSplitUnit(fromDwo.Units.Single(u => u.Offset == skeleton.Offset));
            Assert.NotNull(loose);
            string expected = Dump(loose);
            Assert.Equal(expected, Dump(packaged));
            output.WriteLine($"{skeleton.DwoId:x16}: {expected.Count(c => c == '\n')} lines agree");

            // The type units of the .dwo, found in the package by their signatures, decode the same too.
            foreach (var tu in loose.File.Units.Where(u => u.UnitType is DwarfUnitType.Type or DwarfUnitType.SplitType))
            {
                Assert.True(packaged.File.TryGetTypeUnit(tu.TypeSignature, out var packagedTu));
                Assert.Equal(Dump(tu), Dump(packagedTu));
                typeUnits++;
            }
        }

        output.WriteLine($"{typeUnits} type units agree");
    }

    /// <summary>
    /// A DWARF 4 package with type units (.debug_types.dwo, listed by .debug_tu_index): the split units' type
    /// signatures resolve to the type units of the package, each decoded with its own abbreviation contribution.
    /// </summary>
    [Fact]
    public void Package_type_units_resolve_the_split_units_signatures()
    {
        using var dwarf = DwarfFile.Open(Fixture("cc-dwp4-types.so"));
        int signatures = 0;
        foreach (var skeleton in dwarf.Units.Where(u => u.UnitType == DwarfUnitType.Skeleton))
        {
            var split = dwarf.GetSplitUnit(skeleton);
            Assert.NotNull(split);
            Assert.True(split.File.IsPackage);
            var dies = split.ReadDies();
            while (dies.MoveNext())
            {
                foreach (var a in dies.Current.Attributes)
                {
                    if (a.Form == DwarfForm.RefSig8)
                    {
                        var target = a.ResolveReference();
                        Assert.True(target.Unit.IsInTypesSection);
                        Assert.Equal(a.AsReference().Value, target.Unit.TypeSignature);
                        Assert.NotEqual(0, (int)target.Tag);
                        signatures++;
                    }
                }
            }
        }

        Assert.True(signatures > 0, "g++ -fdebug-types-section wrote type signatures");
        output.WriteLine($"{signatures} signatures resolved");
    }

    /// <summary>
    /// The packages against llvm-dwarfdump, which reads both index versions (eu-readelf 0.188 reads no package): every
    /// unit, DIE offset, nesting, tag, attribute name and form, string and reference of the whole .dwp agree.
    /// </summary>
    [Theory]
    [InlineData("c-dwp5.so.dwp")]
    [InlineData("cc-dwp4.so.dwp")]
    [InlineData("cc-dwp4-types.so.dwp")]
    public void Package_agrees_with_llvm_dwarfdump(string package)
    {
        var dwarfdump = Tools.Find("llvm-dwarfdump-14") ?? Tools.Require("llvm-dwarfdump", "llvm-14");
        using var dwarf = DwarfFile.Open(Fixture(package));
        Assert.True(dwarf.IsPackage);
        var (exit, stdout, stderr) = Tools.Run(dwarfdump, ["--debug-info", "--debug-types", "--show-form", Fixture(package)]);
        // Without the skeleton, llvm-dwarfdump cannot decode a split unit's DW_AT_ranges and says so; nothing else may fail.
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("error: decoding address ranges: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0 && stdout.Length > 0, $"llvm-dwarfdump exited {exit}: {stderr}");
        var theirs = ParseDwarfdump(stdout);
        var ours = new List<string>();
        foreach (var unit in dwarf.Units)
        {
            ours.Add($"unit {(unit.IsInTypesSection ? "types" : "info")} 0x{unit.Offset:x8}");
            var dies = unit.ReadDies();
            while (dies.MoveNext())
            {
                var die = dies.Current;
                ours.Add($"0x{die.Offset:x8} {dies.Depth} {DwarfNames.GetName(die.Tag)}");
                foreach (var a in die.Attributes)
                {
                    string value = a.IsString ? $" \"{a.AsString()}\""
                        : a.IsReference && a.Form != DwarfForm.RefSig8 ? $" 0x{a.AsReference().Value:x8}"
                        : string.Empty;
                    ours.Add($"  {DwarfNames.GetName(a.Attribute)} {DwarfNames.GetName(a.Form)}{value}");
                }
            }
        }

        output.WriteLine($"{ours.Count} lines, {ours.Count(l => l.StartsWith("unit", StringComparison.Ordinal))} units");
        Assert.Equal(theirs, ours);
    }

    /// <summary>
    /// A recorded dwo_name never leads out of its search folder: "../x/NAME" and an absolute path are looked for by
    /// their file name under the search folders only, so the .dwo outside is not opened, and the same file beside the
    /// library is found and joined.
    /// </summary>
    [Theory]
    [InlineData("../x/")]
    [InlineData("/x/")]
    public void A_hostile_dwo_name_is_looked_for_by_its_file_name_inside_the_search_folders(string prefix)
    {
        const string recorded = "c-split-dwarf5.so-types.dwo";
        string hostile = prefix + "t5.dwo";
        var root = Directory.CreateTempSubdirectory("abi-split-");
        try
        {
            var lib = Directory.CreateDirectory(Path.Combine(root.FullName, "lib"));
            var outside = Directory.CreateDirectory(Path.Combine(root.FullName, "x"));
            // The skeleton's dwo_name is a .debug_str string: rewrite it in place, the rest of the file unchanged.
            var bytes = File.ReadAllBytes(Fixture("c-split-dwarf5.so"));
            int at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(recorded + "\0"));
            Assert.True(at > 0);
            var replacement = Encoding.ASCII.GetBytes(hostile.PadRight(recorded.Length, '\0'));
            Assert.True(replacement.Length == recorded.Length, "the hostile name fits the recorded one");
            replacement.CopyTo(bytes, at);
            string libPath = Path.Combine(lib.FullName, "c-split-dwarf5.so");
            File.WriteAllBytes(libPath, bytes);
            File.Copy(Fixture(recorded), Path.Combine(outside.FullName, "t5.dwo"));

            using (var dwarf = DwarfFile.Open(libPath))
            {
                var skeleton = dwarf.Units.Single();
                Assert.True(skeleton.RootDie.TryGetAttribute(DwarfAttribute.DwoName, out var name));
                Assert.Equal(hostile, name.AsString());
                Assert.Null(dwarf.GetSplitUnit(skeleton));
            }

            File.Copy(Fixture(recorded), Path.Combine(lib.FullName, "t5.dwo"));
            using (var dwarf = DwarfFile.Open(libPath))
            {
                var split = dwarf.GetSplitUnit(dwarf.Units.Single());
                Assert.NotNull(split);
                Assert.Equal(Path.Combine(lib.FullName, "t5.dwo"), split.File.FileName);
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void Split_units_are_not_searched_when_the_options_say_so_and_only_skeletons_have_them()
    {
        using var dwarf = DwarfFile.Open(Fixture("c-split-dwarf5.so"), new DwarfReaderOptions { FindSplitUnits = false });
        Assert.Null(dwarf.GetSplitUnit(dwarf.Units.Single()));
        using var plain = DwarfFile.Open(Fixture("c-dwarf5-O0.so"));
        Assert.Throws<ArgumentException>(() => plain.GetSplitUnit(plain.Units[0]));
        Assert.Throws<ArgumentException>(() => plain.GetSplitUnit(dwarf.Units[0]));
    }

    /// <summary>A DWO id no split file has: nothing is joined (a .dwo of another build is passed over).</summary>
    [Fact]
    public void A_dwo_of_another_build_is_passed_over()
    {
        var root = Directory.CreateTempSubdirectory("abi-split-");
        try
        {
            File.Copy(Fixture("c-split-dwarf5.so"), Path.Combine(root.FullName, "c-split-dwarf5.so"));
            // The DWARF 4 build's .dwo under the DWARF 5 build's name: its unit has another id.
            File.Copy(Fixture("c-split-dwarf4.so-types.dwo"), Path.Combine(root.FullName, "c-split-dwarf5.so-types.dwo"));
            using var dwarf = DwarfFile.Open(Path.Combine(root.FullName, "c-split-dwarf5.so"));
            Assert.Null(dwarf.GetSplitUnit(dwarf.Units.Single()));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>Corrupt unit indexes are one <see cref="DwarfFormatException"/> naming the index section.</summary>
    [Theory]
    [InlineData("c-dwp5.so.dwp", 0, 9)]            // version 9
    [InlineData("cc-dwp4.so.dwp", 8, 0xff)]        // 0xff units: the tables no longer fit
    [InlineData("cc-dwp4.so.dwp", 4, 0)]           // no columns for 2 units
    public void A_corrupt_unit_index_is_a_format_error(string package, int offsetInIndex, byte value)
    {
        var bytes = File.ReadAllBytes(Fixture(package));
        using (var image = ElfImage.Open(Fixture(package)))
        {
            var index = image.FindSection(".debug_cu_index")!;
            bytes[(int)index.Offset + offsetInIndex] = value;
        }

        using var image2 = ElfImage.Parse(bytes, package);
        using var dwarf = DwarfFile.Of(image2);
        var ex = Assert.Throws<DwarfFormatException>(() => dwarf.Units);
        Assert.Equal(".debug_cu_index", ex.SectionName);
        output.WriteLine(ex.Message);
    }

    /// <summary>
    /// 200 packages with a few bytes of their unit indexes (or of .debug_info.dwo) replaced, each walked whole (every
    /// unit, DIE and attribute value): only ever a <see cref="DwarfFormatException"/>, never another exception or a hang.
    /// </summary>
    [Fact]
    public void Random_corruption_of_a_package_is_only_ever_a_typed_error()
    {
        var random = new Random(1616);
        int errors = 0;
        foreach (var package in new[] { "c-dwp5.so.dwp", "cc-dwp4-types.so.dwp" })
        {
            var original = File.ReadAllBytes(Fixture(package));
            var targets = new List<(int Offset, int Size)>();
            using (var image = ElfImage.Open(Fixture(package)))
            {
                foreach (var name in new[] { ".debug_cu_index", ".debug_tu_index", ".debug_info.dwo" })
                {
                    if (image.FindSection(name) is { Size: > 0 } section)
                    {
                        targets.Add(((int)section.Offset, (int)section.Size));
                    }
                }
            }

            for (int i = 0; i < 100; i++)
            {
                var bytes = (byte[])original.Clone();
                for (int k = 0; k < 1 + (i % 4); k++)
                {
                    var (offset, size) = targets[random.Next(targets.Count)];
                    bytes[offset + random.Next(size)] = (byte)random.Next(256);
                }

                using var image = ElfImage.Parse(bytes, "hostile.dwp");
                using var dwarf = DwarfFile.Of(image, new DwarfReaderOptions { FindSupplementaryFile = false, FindSplitUnits = false });
                try
                {
                    // Strings and references decoded; addresses need the skeleton, which a package alone lacks.
                    foreach (var unit in dwarf.Units)
                    {
                        var dies = unit.ReadDies();
                        while (dies.MoveNext())
                        {
                            foreach (var a in dies.Current.Attributes)
                            {
                                if (a.IsString)
                                {
                                    _ = a.AsStringBytes();
                                }
                                else if (a.IsReference)
                                {
                                    _ = a.ResolveReference();
                                }
                            }
                        }
                    }
                }
                catch (DwarfFormatException)
                {
                    errors++;
                }
            }
        }

        output.WriteLine($"{errors} of 200 corrupted packages were format errors; the rest read");
    }

    /// <summary>One line per DIE and attribute, offsets relative to the unit, values decoded (addresses resolved).</summary>
    private static string Dump(DwarfUnit unit)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"v{unit.Version} {unit.UnitType} {unit.DwoId:x} {unit.TypeSignature:x} {unit.TypeOffset:x}\n");
        var dies = unit.ReadDies();
        while (dies.MoveNext())
        {
            var die = dies.Current;
            sb.Append(CultureInfo.InvariantCulture, $"{die.Offset - unit.Offset:x} {dies.Depth} {die.Tag} {die.Abbreviation.Code}\n");
            foreach (var a in die.Attributes)
            {
                string value = a.IsString ? a.AsString()
                    : a.Form is DwarfForm.Addr or DwarfForm.Addrx or DwarfForm.Addrx1 or DwarfForm.Addrx2 or DwarfForm.Addrx3 or DwarfForm.Addrx4 or DwarfForm.GnuAddrIndex ? $"address 0x{a.AsAddress():x}"
                    : a.IsReference ? Target(a.ResolveReference())
                    : a.IsBlock ? Convert.ToHexString(a.AsBytes())
                    : a.RawValue.ToString("x", CultureInfo.InvariantCulture);
                sb.Append(CultureInfo.InvariantCulture, $"  {a.Attribute} {a.Form} {value}\n");
            }
        }

        return sb.ToString();
    }

    private static string Target(DwarfDie die)
        => $"-> {die.Unit.TypeSignature:x}+{die.Offset - die.Unit.Offset:x} {die.Tag} {die.Name}";

    /// <summary>llvm-dwarfdump's units, DIEs and attributes in the shape the test writes ours.</summary>
    private static List<string> ParseDwarfdump(string text)
    {
        var lines = new List<string>();
        bool types = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.EndsWith(" contents:", StringComparison.Ordinal))
            {
                types = line.StartsWith(".debug_types", StringComparison.Ordinal);
                continue;
            }

            if (line.StartsWith("0x", StringComparison.Ordinal) && line.Contains(" Unit: length = ", StringComparison.Ordinal))
            {
                lines.Add($"unit {(types ? "types" : "info")} {line[..10]}");
                continue;
            }

            if (line.StartsWith("0x", StringComparison.Ordinal) && line.Length > 12 && line[10] == ':')
            {
                var rest = line[11..];
                int spaces = rest.Length - rest.TrimStart().Length;
                var tag = rest.Trim();
                if (tag == "NULL")
                {
                    continue;
                }

                lines.Add($"{line[..10]} {(spaces - 1) / 2} {tag}");
                continue;
            }

            var t = line.Trim();
            if (t.StartsWith("DW_AT_", StringComparison.Ordinal))
            {
                // DW_AT_name [DW_FORM_strx]	("text")  /  DW_AT_type [DW_FORM_ref4]	(0x00000029 "int")
                int open = t.IndexOf(" [", StringComparison.Ordinal);
                int close = t.IndexOf(']', open);
                string name = t[..open], form = t[(open + 2)..close];
                string value = t[(close + 1)..].Trim();
                string shown = string.Empty;
                // Strings; a decl_file's file name (from the line table) is not compared.
                if (form is "DW_FORM_string" or "DW_FORM_strp" or "DW_FORM_line_strp" or "DW_FORM_GNU_str_index" || form.StartsWith("DW_FORM_strx", StringComparison.Ordinal))
                {
                    shown = " \"" + Unescape(value[2..^2]) + "\"";
                }
                else if (form is "DW_FORM_ref1" or "DW_FORM_ref2" or "DW_FORM_ref4" or "DW_FORM_ref8" or "DW_FORM_ref_udata" or "DW_FORM_ref_addr")
                {
                    shown = " " + value[1..11];
                }

                lines.Add($"  {name} {form}{shown}");
            }
        }

        return lines;
    }

    /// <summary>llvm-dwarfdump writes bytes outside ASCII as octal escapes (\303\251) and escapes quotes and backslashes.</summary>
    private static string Unescape(string s)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && s[(i + 1)..(i + 4)].All(c => c is >= '0' and <= '7'))
            {
                bytes.Add(Convert.ToByte(s[(i + 1)..(i + 4)], 8));
                i += 3;
            }
            else if (s[i] == '\\' && i + 1 < s.Length)
            {
                bytes.Add((byte)s[++i]);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>A copy of a fixture alone in a temporary folder (no .dwo or .dwp beside it).</summary>
    private sealed class ScratchCopy : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("abi-split-");

        public ScratchCopy(string source)
        {
            Path = System.IO.Path.Combine(_dir.FullName, System.IO.Path.GetFileName(source));
            File.Copy(source, Path);
        }

        public string Path { get; }

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
