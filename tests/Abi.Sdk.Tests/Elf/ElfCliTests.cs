using System.Globalization;
using System.Text.Json;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary><c>abi symbols</c> and <c>abi elf</c>, run as a process, against readelf.</summary>
public class ElfCliTests
{
    private static string Fixture(string name) => Path.Combine(Paths.Fixtures, "elf", name);

    /// <summary>Runs the <c>abi</c> tool built beside the tests.</summary>
    internal static (int ExitCode, string Stdout, string Stderr) Abi(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "abi.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return Tools.Run(dotnet, [dll, .. args]);
    }

    public static TheoryData<string> Files => new(
        "libversioned.so", "libconsumer.so", "app", "libversioned-i686.so", "libversioned-s390x.so", "libversioned-noshdr.so");

    [Theory]
    [MemberData(nameof(Files))]
    public void Symbols_prints_names_as_readelf_spells_them(string name)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Fixture(name);
        var reference = ReadelfComparison.Run(readelf, path, useDynamic: name.Contains("noshdr", StringComparison.Ordinal));
        var (code, stdout, stderr) = Abi("symbols", path);
        Assert.True(code == 0, stderr);
        var expected = reference.Symbols.Skip(1).Select(s => s.Name).ToList();
        Assert.Equal(expected, stdout.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Symbols_of_several_files_are_headed_by_file_name()
    {
        var (code, stdout, _) = Abi("symbols", Fixture("libconsumer.so"), Fixture("libversioned.so"));
        Assert.Equal(0, code);
        var lines = stdout.Split('\n');
        Assert.Equal(Fixture("libconsumer.so") + ":", lines[0]);
        Assert.Contains(Fixture("libversioned.so") + ":", lines);
        Assert.Contains("frob@VERS_1.0", lines);
        Assert.Contains("frob@@VERS_2.0", lines);
        Assert.Contains("gadget@VERS_1.1", lines);
    }

    [Fact]
    public void Symbols_json_has_the_documented_shape_and_readelf_values()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var files = new[] { Fixture("libversioned.so"), Fixture("libconsumer.so"), Fixture("libversioned-s390x.so") };
        var (code, stdout, stderr) = Abi(["symbols", "--json", .. files]);
        Assert.True(code == 0, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(files.Length, lines.Length);
        var spellings = new HashSet<string>(StringComparer.Ordinal);
        for (int f = 0; f < files.Length; f++)
        {
            using var doc = JsonDocument.Parse(lines[f]);
            var root = doc.RootElement;
            Assert.Equal(["file", "symbols"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(files[f], root.GetProperty("file").GetString());
            var reference = ReadelfComparison.Run(readelf, files[f]).Symbols.Skip(1).ToList();
            var symbols = root.GetProperty("symbols").EnumerateArray().ToList();
            Assert.Equal(reference.Count, symbols.Count);
            using var image = ElfImage.Open(files[f]);
            var textLines = Abi("symbols", files[f]).Stdout.TrimEnd('\n').Split('\n');
            Assert.Equal(symbols.Count, textLines.Length);
            for (int i = 0; i < symbols.Count; i++)
            {
                var s = symbols[i];
                var r = reference[i];
                Assert.Equal(["name", "version", "isDefaultVersion", "isDefined", "type", "binding", "visibility", "size", "value"], s.EnumerateObject().Select(p => p.Name));
                var version = s.GetProperty("version");
                bool isDefault = s.GetProperty("isDefaultVersion").GetBoolean();
                // name, version and isDefaultVersion spell readelf's name exactly: a section symbol by its section's
                // name, a version marker (VERS_1.0 of node VERS_1.0) without a version, as the text output does.
                string spelled = s.GetProperty("name").GetString()!;
                if (version.ValueKind != JsonValueKind.Null)
                {
                    spelled += (isDefault ? "@@" : "@") + version.GetString();
                }
                else
                {
                    Assert.False(isDefault);
                }

                Assert.Equal(r.Name, spelled);
                Assert.Equal(textLines[i], spelled);
                spellings.Add(spelled);
                Assert.Equal(image.DynamicSymbols[i + 1].DisplayVersion?.Name, version.ValueKind == JsonValueKind.Null ? null : version.GetString());
                Assert.Equal(r.Ndx != "UND", s.GetProperty("isDefined").GetBoolean());
                Assert.Equal(r.Type, s.GetProperty("type").GetString());
                Assert.Equal(r.Bind, s.GetProperty("binding").GetString());
                Assert.Equal(r.Vis, s.GetProperty("visibility").GetString());
                Assert.Equal(r.Size, s.GetProperty("size").GetUInt64());
                Assert.Equal(r.Value, s.GetProperty("value").GetUInt64());
            }
        }

        // The cases that once differed: s390x's section symbol and the version markers.
        Assert.Contains(".init", spellings);
        Assert.Contains("VERS_1.0", spellings);
    }

    [Theory]
    [InlineData("libversioned.so")]
    [InlineData("libconsumer.so")]
    [InlineData("app")]
    [InlineData("libversioned-i686.so")]
    [InlineData("libversioned-s390x.so")]
    [InlineData("runnable.so")]
    [InlineData("libversioned.so.debug")]
    [InlineData("app.debug")]
    public void Elf_json_matches_readelf(string name)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Fixture(name);
        var r = ReadelfComparison.Run(readelf, path);
        var (code, stdout, stderr) = Abi("elf", "--json", path);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var j = doc.RootElement;
        static string Bracketed(string value) => value[(value.IndexOf('[', StringComparison.Ordinal) + 1)..value.LastIndexOf(']')];
        string? Dyn(string type) => r.Dynamic.Where(e => e.Type == type).Select(e => Bracketed(e.Value)).FirstOrDefault();

        Assert.Equal(r.Header["Class"], j.GetProperty("class").GetString());
        Assert.Equal(r.Header["Type"].Split(' ')[0], j.GetProperty("type").GetString());
        Assert.Equal(r.Header["Type"].Contains("Position-Independent", StringComparison.Ordinal), j.GetProperty("pie").GetBoolean());
        Assert.Equal(r.Header["Entry point address"], "0x" + j.GetProperty("entry").GetUInt64().ToString("x", CultureInfo.InvariantCulture));
        Assert.Equal(r.Interpreter, j.GetProperty("interpreter").GetString());
        Assert.Equal(r.BuildId, j.GetProperty("buildId").GetString());
        Assert.Equal(Dyn("SONAME"), j.GetProperty("soname").GetString());
        Assert.Equal(r.Dynamic.Where(e => e.Type == "NEEDED").Select(e => Bracketed(e.Value)), j.GetProperty("needed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Dyn("RPATH"), j.GetProperty("rpath").GetString());
        Assert.Equal(Dyn("RUNPATH"), j.GetProperty("runpath").GetString());
        ulong flags1 = r.Dynamic.Where(e => e.Type == "FLAGS_1").SelectMany(e => e.Value.Replace("Flags:", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Aggregate(0UL, (a, n) => a | ReadelfOutput.Flags1Names[n]);
        Assert.Equal(flags1, j.GetProperty("flags1").GetUInt64());
        Assert.Equal(r.Dynamic.Any(e => e.Type == "GNU_HASH"), j.GetProperty("hasGnuHash").GetBoolean());
        Assert.Equal(r.Dynamic.Any(e => e.Type == "HASH"), j.GetProperty("hasHash").GetBoolean());
        Assert.Equal(r.Dynamic.Any(e => e.Type == "DEBUG"), j.GetProperty("hasDebug").GetBoolean());
        Assert.Equal(Math.Max(0, r.Symbols.Count - 1), j.GetProperty("dynamicSymbols").GetInt32());

        var defs = j.GetProperty("versionDefinitions").EnumerateArray().Select(d =>
            $"{d.GetProperty("index").GetInt32()} {ReadelfNames.VersionFlags((ElfVersionFlags)d.GetProperty("flags").GetUInt16())} {d.GetProperty("name").GetString()} [{string.Join(",", d.GetProperty("predecessors").EnumerateArray().Select(p => p.GetString()))}]");
        Assert.Equal(r.Definitions.Select(d => $"{d.Index} {d.Flags} {d.Name} [{string.Join(",", d.Parents)}]"), defs);
        var needs = j.GetProperty("versionNeeds").EnumerateArray().Select(n =>
            n.GetProperty("file").GetString() + ": " + string.Join(", ", n.GetProperty("versions").EnumerateArray().Select(v =>
                $"{v.GetProperty("name").GetString()} {ReadelfNames.VersionFlags((ElfVersionFlags)v.GetProperty("flags").GetUInt16())} {v.GetProperty("index").GetInt32()} {(v.GetProperty("weak").GetBoolean() ? "weak" : "strong")}")));
        Assert.Equal(r.Needs.Select(n => n.File + ": " + string.Join(", ", n.Versions.Select(v => $"{v.Name} {v.Flags} {v.Version} {(v.Flags.Contains("WEAK", StringComparison.Ordinal) ? "weak" : "strong")}"))), needs);
    }

    [Fact]
    public void Elf_text_names_the_debug_link_and_build_id()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Fixture("libversioned.so");
        var (code, stdout, _) = Abi("elf", path);
        Assert.Equal(0, code);
        var r = ReadelfComparison.Run(readelf, path);
        Assert.Contains($"Build ID:    {r.BuildId}", stdout);
        Assert.Contains("  SONAME   libversioned.so.2", stdout);
        Assert.Contains("WEAK  VERS_2.1 (inherits VERS_2.0)", stdout);
        using var image = ElfImage.Open(path);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Debug link:  libversioned.so.debug (CRC 0x{image.DebugLink!.Crc32:x8})"), stdout);
    }

    /// <summary>The .gnu_debuglink name and CRC equal what readelf dumps, and the CRC verifies the bundled debug file.</summary>
    [Fact]
    public void Debug_link_matches_readelf_and_verifies_the_debug_file()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Fixture("libversioned.so");
        var (fileName, crc) = ReadelfComparison.DebugLink(readelf, path, bigEndian: false)!.Value;

        using var image = ElfImage.Open(path);
        Assert.Equal(fileName, image.DebugLink!.FileName);
        Assert.Equal(crc, image.DebugLink.Crc32);
        Assert.True(image.DebugLink.Matches(Fixture("libversioned.so.debug")));
        Assert.False(image.DebugLink.Matches(path));
    }

    [Fact]
    public void Malformed_input_prints_one_line_with_file_offset_and_reason_and_exits_1()
    {
        var original = File.ReadAllBytes(Fixture("libversioned.so"));
        var dir = Directory.CreateTempSubdirectory("abi-elf-cli-");
        try
        {
            var truncated = Path.Combine(dir.FullName, "truncated.so");
            File.WriteAllBytes(truncated, original[..0x300]);
            foreach (var command in new[] { "symbols", "elf" })
            {
                var (code, stdout, stderr) = Abi(command, truncated);
                Assert.Equal(1, code);
                Assert.Equal("", stdout);
                var lines = stderr.TrimEnd('\n').Split('\n');
                Assert.Single(lines);
                Assert.StartsWith($"abi: {truncated}: offset 0x", lines[0]);
                Assert.Contains("runs past the end of the file", lines[0]);
            }

            var notElf = Path.Combine(dir.FullName, "not-elf");
            File.WriteAllText(notElf, "#!/bin/sh\necho hello\n");
            var result = Abi("symbols", notElf);
            Assert.Equal(1, result.ExitCode);
            Assert.Equal($"abi: {notElf}: offset 0x0: not an ELF file (bad magic)", result.Stderr.TrimEnd('\n'));

            var missing = Abi("symbols", Path.Combine(dir.FullName, "missing.so"));
            Assert.Equal(1, missing.ExitCode);
            Assert.Single(missing.Stderr.TrimEnd('\n').Split('\n'));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <c>abi symbols FILE...</c> is answered without building the command-line model; with <c>--</c> before the
    /// files the parser answers it. Both must print the same bytes and exit the same way, for text, JSON, several
    /// files, and a file that is missing or not ELF.
    /// </summary>
    [Fact]
    public void Symbols_without_the_parser_prints_what_the_parser_path_prints()
    {
        var dir = Directory.CreateTempSubdirectory("abi-symbols-direct-");
        try
        {
            var notElf = Path.Combine(dir.FullName, "not-elf");
            File.WriteAllText(notElf, "#!/bin/sh\necho hello\n");
            string[][] cases =
            [
                [Fixture("libversioned.so")],
                [Fixture("libconsumer.so"), Fixture("libversioned.so")],
                ["--json", Fixture("libversioned.so"), Fixture("libversioned-s390x.so")],
                [Fixture("libversioned.so"), "--json"],
                [Fixture("libversioned.so"), Path.Combine(dir.FullName, "missing.so")],
                [notElf],
            ];
            foreach (var args in cases)
            {
                var direct = Abi(["symbols", .. args]);
                var parsed = Abi(["symbols", .. args.Where(a => a == "--json"), "--", .. args.Where(a => a != "--json")]);
                Assert.Equal(parsed.ExitCode, direct.ExitCode);
                Assert.Equal(parsed.Stdout, direct.Stdout);
                Assert.Equal(parsed.Stderr, direct.Stderr);
            }

            // What the direct path leaves to the parser still works: help, and a missing file argument.
            var help = Abi("symbols", "--help");
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("--json", help.Stdout);
            Assert.NotEqual(0, Abi("symbols").ExitCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
