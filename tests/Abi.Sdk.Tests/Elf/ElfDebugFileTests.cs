using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// Separate debug files, as <c>objcopy --only-keep-debug</c> and <c>eu-strip -f</c> make them: the program headers
/// are kept while <c>.interp</c>, <c>.dynamic</c>, <c>.dynsym</c> and the version tables become SHT_NOBITS
/// placeholders. They open, and read as readelf reads them: no dynamic section, no dynamic symbols, the build-id
/// from the note sections. Where readelf prints placeholder bytes as an interpreter (eu-strip keeps PT_INTERP's
/// size), the model reports none.
/// </summary>
public class ElfDebugFileTests
{
    public static TheoryData<string> Fixtures => new("libversioned.so.debug", "libversioned.so.eu.debug", "app.debug", "app.eu.debug");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_debug_file_matches_readelf(string name)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Path.Combine(Paths.Fixtures, "elf", name);
        AssertReadAsReadelf(readelf, path);
    }

    [Fact]
    public void Debug_files_of_system_libraries_match_readelf()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var objcopy = Tools.Require("objcopy", "binutils");
        var euStrip = Tools.Require("eu-strip", "elfutils");
        string[] names = ["libc.so.6", "libz.so.1", "libm.so.6", "libstdc++.so.6", "libssl.so.3", "libcrypto.so.3"];
        var libraries = names.Select(n => Path.Combine(ElfDifferentialTests.SystemLibraries, n)).Where(File.Exists).ToList();
        if (libraries.Count == 0)
        {
            Assert.Skip($"none of {string.Join(", ", names)} in {ElfDifferentialTests.SystemLibraries}");
        }

        var dir = Directory.CreateTempSubdirectory("abi-elf-debug-");
        try
        {
            foreach (var library in libraries)
            {
                var name = Path.GetFileName(library);
                var byObjcopy = Path.Combine(dir.FullName, name + ".objcopy.debug");
                var byEuStrip = Path.Combine(dir.FullName, name + ".eu-strip.debug");
                var (code, _, stderr) = Tools.Run(objcopy, ["--only-keep-debug", library, byObjcopy]);
                Assert.True(code == 0, stderr);
                (code, _, stderr) = Tools.Run(euStrip, ["-f", byEuStrip, "-o", Path.Combine(dir.FullName, name + ".stripped"), library]);
                Assert.True(code == 0, stderr);
                AssertReadAsReadelf(readelf, byObjcopy);
                AssertReadAsReadelf(readelf, byEuStrip);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Elf_command_reports_no_interpreter_hash_or_symbols_from_placeholders()
    {
        foreach (var name in new[] { "app.debug", "app.eu.debug" })
        {
            var path = Path.Combine(Paths.Fixtures, "elf", name);
            var (code, stdout, stderr) = ElfCliTests.Abi("elf", "--json", path);
            Assert.True(code == 0, stderr);
            using var doc = System.Text.Json.JsonDocument.Parse(stdout);
            var j = doc.RootElement;
            Assert.Equal(System.Text.Json.JsonValueKind.Null, j.GetProperty("interpreter").ValueKind);
            Assert.False(j.GetProperty("pie").GetBoolean()); // DF_1_PIE lives in the missing dynamic section
            Assert.False(j.GetProperty("hasHash").GetBoolean());
            Assert.False(j.GetProperty("hasGnuHash").GetBoolean());
            Assert.Equal(0, j.GetProperty("dynamicSymbols").GetInt32());
            Assert.Empty(j.GetProperty("needed").EnumerateArray());
        }
    }

    private static void AssertReadAsReadelf(string readelf, string path)
    {
        var reference = ReadelfComparison.Run(readelf, path);
        using var image = ElfImage.Open(path);
        var errors = new List<string>();
        ReadelfComparison.Compare(path, image, reference, errors, readelf: readelf);
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        // What readelf shows for these files, asserted rather than only compared.
        Assert.Contains("There is no dynamic section in this file.", reference.Raw);
        Assert.Null(image.Dynamic);
        Assert.Empty(reference.Symbols);
        Assert.True(image.DynamicSymbols.Count <= 1);
        Assert.Null(image.Interpreter);
        Assert.NotNull(image.BuildIdHex);
        Assert.Equal(reference.BuildId, image.BuildIdHex);
        Assert.Contains(image.Sections, s => s.Name == ".dynsym" && s.Type == ElfSectionType.SHT_NOBITS);
    }
}
