using System.Text;
using Abi.Sdk.Abi;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// What the eu-readelf comparison cannot show on its own: compressed sections decode to the very DIEs of the
/// uncompressed file (eu-readelf 0.188 cannot read zstd), references resolve to the DIEs eu-readelf prints at their
/// targets, <see cref="DwarfDie.Children"/> agrees with the nesting of the whole-unit walk, and debug files are found
/// by build-id and by a CRC-checked .gnu_debuglink as objcopy wrote them.
/// </summary>
public sealed class DwarfReaderTests
{
    private static string Fixture(string name) => DwarfDifferentialTests.Fixture(name);

    [Theory]
    [InlineData("c-zlib.so", "c-dwarf5-O2.so")]
    [InlineData("c-zstd.so", "c-dwarf5-O2.so")]
    [InlineData("c-zdebug.so", "c-dwarf4-O2.so")]
    [InlineData("cc-zlib.so", "cc-dwarf5-O2.so")]
    public void Compressed_sections_read_as_the_uncompressed_file(string compressed, string original)
    {
        // objcopy --compress-debug-sections made the first from the second (make-fixtures.sh); the second agrees with eu-readelf.
        using var image = ElfImage.Open(Fixture(compressed));
        var info = image.FindSection(".debug_info") ?? image.FindSection(".zdebug_info");
        Assert.NotNull(info);
        Assert.True(info!.Name == ".zdebug_info" || (info.Flags & ElfSectionFlags.SHF_COMPRESSED) != 0, "the fixture's .debug_info is compressed");
        using var a = DwarfFile.Of(image);
        using var b = DwarfFile.Open(Fixture(original));
        Assert.Equal(Dump(b), Dump(a));
    }

    [Fact]
    public void Zstd_compressed_section_declares_zstd()
    {
        // ELF compression header ch_type 2 (ELFCOMPRESS_ZSTD), as readelf -t reports it.
        var readelf = Tools.Require("readelf", "binutils");
        var (code, stdout, _) = Tools.Run(readelf, ["-t", "-W", Fixture("c-zstd.so")]);
        Assert.Equal(0, code);
        Assert.Contains("ZSTD", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cc-dwarf5-O2.so")]
    [InlineData("cc-dwarf4-types.so")]
    [InlineData("cc-dwarf5-types.so")]
    [InlineData("dwz-a.so")]
    [InlineData("dwz-single.so")]
    public void References_resolve_to_the_DIE_at_their_target(string name)
    {
        using var dwarf = DwarfFile.Open(Fixture(name));
        int resolved = 0;
        foreach (var unit in dwarf.Units)
        {
            foreach (var die in unit.ReadDies())
            {
                foreach (var a in die.Attributes)
                {
                    if (!a.IsReference)
                    {
                        continue;
                    }

                    var r = a.AsReference();
                    var target = a.ResolveReference();
                    resolved++;
                    switch (r.Kind)
                    {
                        case DwarfReferenceKind.Signature:
                            // DW_FORM_ref_sig8: the type DIE of the type unit with that signature.
                            Assert.Equal(r.Value, target.Unit.TypeSignature);
                            Assert.Equal(target.Unit.Offset + target.Unit.TypeOffset, target.Offset);
                            break;
                        case DwarfReferenceKind.Supplementary:
                            Assert.NotSame(dwarf, target.Unit.File);
                            Assert.Same(dwarf.GetSupplementary(), target.Unit.File);
                            Assert.Equal(r.Value, target.Offset);
                            break;
                        default:
                            Assert.Equal(r.Value, target.Offset);
                            Assert.Equal(r.Kind == DwarfReferenceKind.Types, target.Unit.IsInTypesSection);
                            break;
                    }

                    Assert.NotEqual(default, target.Tag);
                }
            }
        }

        Assert.True(resolved > 20, $"{resolved} references");
    }

    [Fact]
    public void Supplementary_forms_without_the_supplementary_file_are_a_typed_error()
    {
        // dwz-a.so alone, without dwz-common.debug beside it.
        var dir = Directory.CreateTempSubdirectory("abi-dwarf-");
        try
        {
            var path = Path.Combine(dir.FullName, "dwz-a.so");
            File.Copy(Fixture("dwz-a.so"), path);
            using var dwarf = DwarfFile.Open(path, new DwarfReaderOptions { DebugRoots = [] });
            Assert.Equal("dwz-common.debug", dwarf.SupplementaryLink!.FileName);
            Assert.Null(dwarf.GetSupplementary());
            var ex = Assert.Throws<DwarfFormatException>(() => Dump(dwarf));
            Assert.Contains("dwz-common.debug", ex.Message, StringComparison.Ordinal);
            Assert.Equal(".debug_info", ex.SectionName);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("cc-dwarf5-O2.so")]
    [InlineData("cc-dwarf4-types.so")]
    [InlineData("dwz-single.so")]
    public void Children_are_the_next_level_of_the_walk(string name)
    {
        using var dwarf = DwarfFile.Open(Fixture(name));
        foreach (var unit in dwarf.Units)
        {
            // From the depth-first walk: each DIE's direct children are the DIEs one level down until the walk
            // comes back to its level.
            var walk = new List<(ulong Offset, int Depth)>();
            var reader = unit.ReadDies();
            while (reader.MoveNext())
            {
                walk.Add((reader.Current.Offset, reader.Depth));
            }

            for (int i = 0; i < walk.Count; i++)
            {
                var expected = new List<ulong>();
                for (int j = i + 1; j < walk.Count && walk[j].Depth > walk[i].Depth; j++)
                {
                    if (walk[j].Depth == walk[i].Depth + 1)
                    {
                        expected.Add(walk[j].Offset);
                    }
                }

                var die = dwarf.GetDie(new DwarfReference(unit.IsInTypesSection ? DwarfReferenceKind.Types : DwarfReferenceKind.Info, walk[i].Offset));
                var actual = new List<ulong>();
                foreach (var child in die.Children)
                {
                    actual.Add(child.Offset);
                }

                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void Debug_file_is_found_by_gnu_debuglink_with_the_crc_objcopy_recorded()
    {
        using var image = ElfImage.Open(Fixture("split-stripped.so"));
        Assert.Equal("split.so.debug", image.DebugLink!.FileName);
        // The CRC objcopy --add-gnu-debuglink recorded is the one computed here.
        using (var debug = File.OpenRead(Fixture("split.so.debug")))
        {
            Assert.Equal(image.DebugLink.Crc32, ElfDebugLink.ComputeCrc32(debug));
        }

        var location = new DebugInfoLocator([]).Locate(image);
        Assert.Equal(DebugInfoSource.DebugLink, location!.Source);
        Assert.Equal(Path.GetFullPath(Fixture("split.so.debug")), Path.GetFullPath(location.Path));
    }

    [Fact]
    public void Debug_link_with_a_wrong_crc_is_not_taken()
    {
        var dir = Directory.CreateTempSubdirectory("abi-dwarf-");
        try
        {
            File.Copy(Fixture("split-stripped.so"), Path.Combine(dir.FullName, "split-stripped.so"));
            var debug = File.ReadAllBytes(Fixture("split.so.debug"));
            debug[^1] ^= 0xff;
            File.WriteAllBytes(Path.Combine(dir.FullName, "split.so.debug"), debug);
            using var image = ElfImage.Open(Path.Combine(dir.FullName, "split-stripped.so"));
            Assert.Null(new DebugInfoLocator([]).Locate(image));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Debug_file_is_found_by_build_id_under_a_debug_root()
    {
        using var image = ElfImage.Open(Fixture("byid-stripped.so"));
        Assert.Null(new DebugInfoLocator([]).Locate(image));
        var location = new DebugInfoLocator([Fixture("debugroot")]).Locate(image);
        Assert.Equal(DebugInfoSource.BuildId, location!.Source);
        var id = image.BuildIdHex!;
        Assert.EndsWith(Path.Combine(".build-id", id[..2], id[2..] + ".debug"), location.Path, StringComparison.Ordinal);
        // The debug file's sections are zstd-compressed; it reads as the unstripped build of the same source.
        using var dwarf = DwarfFile.Open(location.Path);
        using var reference = DwarfFile.Open(Fixture("c-dwarf5-O2.so"));
        Assert.Equal(Dump(reference).Split('\n').Length, Dump(dwarf).Split('\n').Length);
    }

    [Fact]
    public void A_file_at_the_build_id_path_that_is_not_taken_is_named_with_why()
    {
        // Skipped as libdw skips it, but "no debug file" alone would hide a truncated download or a stale link.
        var readelf = Tools.Require("readelf", "binutils");
        using var image = ElfImage.Open(Fixture("byid-stripped.so"));
        var id = image.BuildIdHex!;
        var root = Directory.CreateTempSubdirectory("abi-byid-");
        try
        {
            var path = Path.Combine(root.FullName, ".build-id", id[..2], id[2..] + ".debug");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var good = File.ReadAllBytes(Path.Combine(Fixture("debugroot"), ".build-id", id[..2], id[2..] + ".debug"));

            // Truncated: readelf cannot read its section headers either.
            File.WriteAllBytes(path, good[..(good.Length / 2)]);
            var (_, _, readelfErrors) = Tools.Run(readelf, ["-S", "-W", path]);
            Assert.Contains("Error", readelfErrors, StringComparison.Ordinal);
            var truncated = AbiTypeGraph.Load(image, [root.FullName]);
            Assert.False(truncated.HasDebugInfo);
            Assert.Contains($"(not taken: {path}: offset 0x", truncated.UnavailableReason, StringComparison.Ordinal);

            // Another library's debug information: its build-id as readelf -n prints it.
            File.Copy(Fixture("c-dwarf5-O0.so"), path, overwrite: true);
            var (_, notes, _) = Tools.Run(readelf, ["-n", path]);
            var other = notes.Split('\n').Single(l => l.Contains("Build ID:", StringComparison.Ordinal)).Split(':')[1].Trim();
            Assert.NotEqual(id, other);
            var mismatched = AbiTypeGraph.Load(image, [root.FullName]);
            Assert.False(mismatched.HasDebugInfo);
            Assert.EndsWith($"(not taken: {path}: its build-id is {other})", mismatched.UnavailableReason, StringComparison.Ordinal);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_file_with_dwarf_is_its_own_debug_file()
    {
        using var image = ElfImage.Open(Fixture("c-dwarf5-O0.so"));
        Assert.Equal(new DebugInfoLocation(Fixture("c-dwarf5-O0.so"), DebugInfoSource.InFile), new DebugInfoLocator([]).Locate(image));
    }

    [Fact]
    public void Unit_headers_of_each_version_and_format()
    {
        // As eu-readelf prints them for these fixtures (Version, Offset size, Unit type lines).
        (string File, int Version, int OffsetSize, DwarfUnitType Type)[] cases =
        [
            ("c-dwarf2-O0.so", 2, 4, DwarfUnitType.Compile), ("c-dwarf3-O0.so", 3, 4, DwarfUnitType.Compile),
            ("c-dwarf4-O0.so", 4, 4, DwarfUnitType.Compile), ("c-dwarf5-O0.so", 5, 4, DwarfUnitType.Compile),
            ("c-dwarf5-64bit.so", 5, 8, DwarfUnitType.Compile), ("c-dwarf4-64bit.so", 4, 8, DwarfUnitType.Compile),
            ("dwz-common.debug", 4, 4, DwarfUnitType.Compile),
        ];
        foreach (var (file, version, offsetSize, type) in cases)
        {
            using var dwarf = DwarfFile.Open(Fixture(file));
            var unit = dwarf.Units[0];
            Assert.Equal((version, offsetSize, type), (unit.Version, unit.OffsetSize, unit.UnitType));
        }

        using var types4 = DwarfFile.Open(Fixture("cc-dwarf4-types.so"));
        Assert.Contains(types4.Units, u => u.IsInTypesSection && u.UnitType == DwarfUnitType.Type && u.TypeSignature == 0x84d3f0cd98f50804);
        using var types5 = DwarfFile.Open(Fixture("cc-dwarf5-types.so"));
        Assert.Contains(types5.Units, u => !u.IsInTypesSection && u.UnitType == DwarfUnitType.Type && u.TypeSignature == 0x84d3f0cd98f50804);
        using var be = DwarfFile.Open(Fixture("c-s390x-dwarf5.so"));
        Assert.Equal("types.c", be.Units[0].RootDie.Name);
    }

    [Fact]
    public void Split_dwarf_skeleton_and_dwo_share_the_unit_id()
    {
        // eu-readelf prints "Unit type: skeleton (4), Unit id: X" for the library and "split_compile (5), Unit id: X"
        // and the unit's name (strx) "types.c" for the .dwo gcc -gsplit-dwarf wrote beside it.
        using var skeleton = DwarfFile.Open(Fixture("c-split-dwarf5.so"));
        var unit = Assert.Single(skeleton.Units);
        Assert.Equal(DwarfUnitType.Skeleton, unit.UnitType);
        Assert.True(unit.RootDie.TryGetAttribute(DwarfAttribute.DwoName, out var dwoName));
        using var dwo = DwarfFile.Open(Fixture(dwoName.AsString()));
        var split = Assert.Single(dwo.Units);
        Assert.Equal((DwarfUnitType.SplitCompile, unit.DwoId), (split.UnitType, split.DwoId));
        Assert.True(split.RootDie.TryGetAttribute(DwarfAttribute.Name, out var name));
        Assert.Equal((DwarfForm.Strx, "types.c"), (name.Form, name.AsString()));
    }

    /// <summary>Every DIE and attribute, values decoded, one per line: two files with equal dumps read the same.</summary>
    internal static string Dump(DwarfFile dwarf)
    {
        var sb = new StringBuilder();
        foreach (var unit in dwarf.Units)
        {
            sb.Append($"unit {unit.Offset:x} v{unit.Version} {unit.UnitType} {unit.TypeSignature:x}\n");
            var dies = unit.ReadDies();
            while (dies.MoveNext())
            {
                var die = dies.Current;
                sb.Append($"{die.Offset:x} {dies.Depth} {die.Tag}\n");
                foreach (var a in die.Attributes)
                {
                    string value = a.IsString ? a.AsString()
                        : a.IsReference ? a.ResolveReference().Offset.ToString("x")
                        : a.IsBlock ? Convert.ToHexString(a.AsBytes())
                        : a.RawValue.ToString("x");
                    sb.Append($"  {a.Attribute} {a.Form} {value}\n");
                }
            }
        }

        return sb.ToString();
    }
}
