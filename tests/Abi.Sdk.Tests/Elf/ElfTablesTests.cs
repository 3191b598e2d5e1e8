using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// The tables the Elf area reads for the other areas — dynamic relocations, the GNU hash table and the notes (build-id,
/// ABI tag, GNU properties) — against GNU readelf (<c>-r</c>, <c>-I</c>, <c>-n</c>) on real libraries and programs of
/// several architectures, and on objects compiled here with the properties the host's files lack.
/// </summary>
public partial class ElfTablesTests
{
    /// <summary>Real dynamic objects: the heavy x86-64 libraries, then the cross sysroots' ELF32 REL and AArch64 RELA ones.</summary>
    public static TheoryData<string> RelocationSamples => new(
        "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1",
        "/usr/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/bin/ls", "/usr/bin/bash",
        "/usr/lib32/libc.so.6", "/usr/lib32/libstdc++.so.6", "/usr/aarch64-linux-gnu/lib/libc.so.6", "/usr/aarch64-linux-gnu/lib/libstdc++.so.6",
        "/usr/arm-linux-gnueabihf/lib/libc.so.6", "/usr/arm-linux-gnueabihf/lib/libstdc++.so.6",
        "fixture:libversioned-i686.so", "fixture:libversioned-s390x.so", "fixture:libconsumer.so", "fixture:app");

    private static string Resolve(string sample) => sample.StartsWith("fixture:", StringComparison.Ordinal)
        ? Path.Combine(Paths.Fixtures, "elf", sample["fixture:".Length..])
        : sample;

    /// <summary>One relocation line of <c>readelf -r -W</c>: offset, r_info, the type's name and the addend (RELA).</summary>
    private sealed record Line(ulong Offset, ulong Info, string Type, long Addend);

    /// <summary>The REL and RELA sections of <c>readelf -r -W</c>, in file order (RELR sections, which hold no symbols, left out).</summary>
    private static List<Line> ReadelfRelocations(string readelf, string path)
    {
        var (code, stdout, stderr) = Tools.Run(readelf, ["-r", "-W", path]);
        Assert.True(code == 0, stderr);
        var lines = new List<Line>();
        bool inRelr = false;
        foreach (var line in stdout.Split('\n'))
        {
            if (line.StartsWith("Relocation section '", StringComparison.Ordinal))
            {
                inRelr = line.Contains(".relr", StringComparison.Ordinal);
                continue;
            }

            if (inRelr || RelocationLine().Match(line) is not { Success: true } m)
            {
                continue;
            }

            var rest = m.Groups[4].Value.Trim();
            long addend = 0;
            int plus = rest.LastIndexOf(" + ", StringComparison.Ordinal), minus = rest.LastIndexOf(" - ", StringComparison.Ordinal);
            if (plus >= 0)
            {
                addend = (long)ulong.Parse(rest[(plus + 3)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
            else if (minus >= 0)
            {
                addend = -(long)ulong.Parse(rest[(minus + 3)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
            else if (HexOnly().IsMatch(rest))
            {
                // No symbol: readelf prints the addend alone, "-8" when negative.
                addend = rest.StartsWith('-')
                    ? -(long)ulong.Parse(rest[1..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                    : (long)ulong.Parse(rest, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }

            lines.Add(new Line(ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), m.Groups[3].Value, addend));
        }

        return lines;
    }

    /// <summary>The kind readelf's type name says: R_X86_64_COPY, R_AARCH64_JUMP_SLOT, R_PPC64_JMP_SLOT, ….</summary>
    private static ElfRelocationKind KindOf(string name) => name switch
    {
        _ when name.EndsWith("_NONE", StringComparison.Ordinal) => ElfRelocationKind.None,
        _ when name.EndsWith("_COPY", StringComparison.Ordinal) => ElfRelocationKind.Copy,
        _ when name.EndsWith("_JUMP_SLOT", StringComparison.Ordinal) || name.EndsWith("_JMP_SLOT", StringComparison.Ordinal) => ElfRelocationKind.JumpSlot,
        _ when name.EndsWith("_GLOB_DAT", StringComparison.Ordinal) => ElfRelocationKind.GlobalData,
        _ when name.EndsWith("_IRELATIVE", StringComparison.Ordinal) => ElfRelocationKind.IRelative,
        _ when name.EndsWith("_RELATIVE", StringComparison.Ordinal) => ElfRelocationKind.Relative,
        _ => ElfRelocationKind.Other,
    };

    private static void CompareRelocations(string readelf, string path, ElfImage image, List<string> errors)
    {
        var theirs = ReadelfRelocations(readelf, path);
        var ours = image.DynamicRelocations;
        if (ours.Count != theirs.Count)
        {
            errors.Add($"{path}: relocation count abi={ours.Count} readelf={theirs.Count}");
            return;
        }

        bool is64 = image.Header.Class == ElfClass.Elf64;
        int i = 0;
        foreach (var r in ours)
        {
            var t = theirs[i];
            uint symbol = is64 ? (uint)(t.Info >> 32) : (uint)(t.Info >> 8);
            uint type = is64 ? (uint)t.Info : (uint)(t.Info & 0xff);
            var expected = new ElfRelocation(t.Offset, type, symbol, t.Addend, KindOf(t.Type));
            if (r != expected && errors.Count < 20)
            {
                errors.Add($"{path}: relocation {i}: abi={r} readelf={expected} ({t.Type})");
            }

            i++;
        }
    }

    [Theory]
    [MemberData(nameof(RelocationSamples))]
    public void Dynamic_relocations_match_readelf(string sample)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Resolve(sample);
        if (!File.Exists(path))
        {
            Assert.Skip($"{path} is not on this system");
        }

        using var image = ElfImage.Open(path);
        var errors = new List<string>();
        CompareRelocations(readelf, path, image, errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        // The indexer reads what the enumerator reads.
        var table = image.DynamicRelocations;
        Assert.Equal(table.ToList(), Enumerable.Range(0, table.Count).Select(n => table[n]).ToList());
    }

    /// <summary>A non-PIE executable copies the library data it uses: R_X86_64_COPY, which the loader model reads as a copy reference.</summary>
    [Fact]
    public void Copy_relocations_of_a_position_dependent_executable_match_readelf()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var gcc = Tools.Require("gcc", "gcc");
        var dir = Directory.CreateTempSubdirectory("abi-reloc-");
        try
        {
            var source = Path.Combine(dir.FullName, "copy.c");
            File.WriteAllText(source, "#include <stdio.h>\nextern char **environ;\nint main(void) { fputs(environ[0], stdout); return 0; }\n");
            var exe = Path.Combine(dir.FullName, "copy");
            var (code, _, stderr) = Tools.Run(gcc, ["-no-pie", "-fno-pic", "-O1", "-o", exe, source]);
            Assert.True(code == 0, stderr);
            using var image = ElfImage.Open(exe);
            var errors = new List<string>();
            CompareRelocations(readelf, exe, image, errors);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
            var copied = image.DynamicRelocations.Where(r => r.Kind == ElfRelocationKind.Copy).Select(r => image.DynamicSymbols[(int)r.SymbolIndex].Name).Order(StringComparer.Ordinal).ToList();
            // environ is copied under glibc's own name for it, __environ (readelf -r names it so too).
            Assert.Equal(["__environ", "stdout"], copied);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The GNU hash table: its bucket count is readelf <c>-I</c>'s, and every symbol readelf lists as defined from
    /// symoffset on is found by name the way ld.so walks bloom filter, bucket and chain.
    /// </summary>
    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/libc.so.6")]
    [InlineData("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")]
    [InlineData("/usr/aarch64-linux-gnu/lib/libc.so.6")]
    [InlineData("/usr/arm-linux-gnueabihf/lib/libc.so.6")]
    [InlineData("fixture:libversioned-s390x.so")]
    public void Gnu_hash_table_matches_readelf(string sample)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Resolve(sample);
        if (!File.Exists(path))
        {
            Assert.Skip($"{path} is not on this system");
        }

        var (code, histogram, stderr) = Tools.Run(readelf, ["-I", "-W", path]);
        Assert.True(code == 0, stderr);
        var buckets = int.Parse(GnuHashHistogram().Match(histogram).Groups[1].Value, CultureInfo.InvariantCulture);
        using var image = ElfImage.Open(path);
        var gnu = image.GnuHashTable;
        Assert.NotNull(gnu);
        Assert.Equal(buckets, gnu.BucketCount);

        var symbols = ReadelfComparison.Run(readelf, path).Symbols;
        int found = 0;
        foreach (var s in symbols.Where(s => s.Num >= gnu.SymbolOffset && s.Ndx != "UND"))
        {
            int index = gnu.Find(image.DynamicSymbols[s.Num].NameUtf8);
            // The first symbol of the name in chain order: this one, or an earlier version of it.
            Assert.True(index >= 0 && index <= s.Num && image.DynamicSymbols[index].Name == image.DynamicSymbols[s.Num].Name, $"{s.Name}: found {index}");
            Assert.True(gnu.MayContain(GnuHashTable.Hash(image.DynamicSymbols[s.Num].NameUtf8)));
            found++;
        }

        Assert.True(found > 0);
        Assert.Equal(-1, gnu.Find("no_such_symbol_in_any_library_1234"u8));
    }

    /// <summary>Every note, build-id, ABI tag and GNU property of the programs in /usr/bin as readelf -n prints them.</summary>
    [Fact]
    public void Notes_of_every_program_match_readelf()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var files = Directory.Exists("/usr/bin")
            ? Directory.EnumerateFiles("/usr/bin").Where(p => new FileInfo(p).LinkTarget is null && ElfImage.IsElfFile(p)).Order(StringComparer.Ordinal).ToList()
            : [];
        if (files.Count == 0)
        {
            Assert.Skip("no ELF programs in /usr/bin");
        }

        var errors = new ConcurrentBag<string>();
        int tags = 0, properties = 0;
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path =>
        {
            try
            {
                var (code, stdout, stderr) = Tools.Run(readelf, ["-n", "-W", path]);
                if (code != 0)
                {
                    errors.Add($"{path}: readelf: {stderr}");
                    return;
                }

                var r = ReadelfOutput.Parse(stdout);
                using var image = ElfImage.Open(path);
                void Check(bool ok, string what, object? ours, object? theirs)
                {
                    if (!ok)
                    {
                        errors.Add($"{path}: {what}: abi={ours} readelf={theirs}");
                    }
                }

                Check(r.BuildId == image.BuildIdHex, "build-id", image.BuildIdHex, r.BuildId);
                ReadelfComparison.CompareNotes(image, r, Check);
                Interlocked.Add(ref tags, image.AbiTag is null ? 0 : 1);
                Interlocked.Add(ref properties, image.GnuProperties.Properties.Length);
            }
            catch (Exception ex)
            {
                errors.Add($"{path}: {ex.GetType().Name}: {ex.Message}");
            }
        });

        Assert.True(errors.IsEmpty, $"{errors.Count} differences from readelf over {files.Count} files, first:\n" + string.Join("\n", errors.Order(StringComparer.Ordinal).Take(40)));
        Assert.True(tags > 0 && properties > 0, $"{tags} ABI tags and {properties} properties in {files.Count} programs");
    }

    /// <summary>
    /// The properties the host's files lack, compiled here: x86 IBT and SHSTK, ISA needed x86-64-v3, the ISA and
    /// features used; AArch64 BTI and PAC (cross compiler). Typed values as the build asked, spelled as readelf -n.
    /// </summary>
    [Fact]
    public void Compiled_gnu_properties_are_typed_and_match_readelf()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var gcc = Tools.Require("gcc", "gcc");
        var dir = Directory.CreateTempSubdirectory("abi-notes-");
        try
        {
            var source = Path.Combine(dir.FullName, "p.c");
            File.WriteAllText(source, "int f(int x) { return x * 3; }\n");
            var x86 = Path.Combine(dir.FullName, "libx86.so");
            var (code, _, stderr) = Tools.Run(gcc, ["-shared", "-fPIC", "-O2", "-nostdlib", "-fcf-protection=full", "-Wa,-mx86-used-note=yes", "-Wl,-z,x86-64-v3", "-o", x86, source]);
            Assert.True(code == 0, stderr);
            using (var image = ElfImage.Open(x86))
            {
                var p = image.GnuProperties;
                Assert.Equal(ElfX86Features1.GNU_PROPERTY_X86_FEATURE_1_IBT | ElfX86Features1.GNU_PROPERTY_X86_FEATURE_1_SHSTK, p.X86Features);
                Assert.True((p.X86IsaNeeded!.Value & ElfX86IsaLevels.GNU_PROPERTY_X86_ISA_1_V3) != 0);
                Assert.Equal(ElfX86IsaLevels.None, p.X86IsaUsed);
                Assert.NotNull(p.X86FeaturesUsed);
                AssertMatchesReadelf(readelf, x86, image);
            }

            var cross = Tools.Find("aarch64-linux-gnu-gcc");
            if (cross is not null)
            {
                var arm = Path.Combine(dir.FullName, "libarm.so");
                (code, _, stderr) = Tools.Run(cross, ["-shared", "-fPIC", "-nostdlib", "-O2", "-mbranch-protection=standard", "-o", arm, source]);
                Assert.True(code == 0, stderr);
                using var image = ElfImage.Open(arm);
                Assert.Equal(ElfAArch64Features1.GNU_PROPERTY_AARCH64_FEATURE_1_BTI | ElfAArch64Features1.GNU_PROPERTY_AARCH64_FEATURE_1_PAC, image.GnuProperties.AArch64Features);
                Assert.Null(image.GnuProperties.X86IsaNeeded);
                AssertMatchesReadelf(readelf, arm, image);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void AssertMatchesReadelf(string readelf, string path, ElfImage image)
    {
        var (code, stdout, stderr) = Tools.Run(readelf, ["-n", "-W", path]);
        Assert.True(code == 0, stderr);
        var errors = new List<string>();
        ReadelfComparison.CompareNotes(image, ReadelfOutput.Parse(stdout), (ok, what, ours, theirs) =>
        {
            if (!ok)
            {
                errors.Add($"{what}: abi={ours} readelf={theirs}");
            }
        });
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + stdout);
        Assert.NotEmpty(image.GnuProperties.Properties);
    }

    /// <summary>The build-id and ABI tag as elfutils prints them too (eu-readelf --notes), a second reference.</summary>
    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/libc.so.6")]
    [InlineData("/usr/bin/ls")]
    [InlineData("fixture:libversioned-s390x.so")]
    public void Build_id_and_abi_tag_match_eu_readelf(string sample)
    {
        var eu = Tools.Require("eu-readelf", "elfutils");
        var path = Resolve(sample);
        if (!File.Exists(path))
        {
            Assert.Skip($"{path} is not on this system");
        }

        var (code, stdout, stderr) = Tools.Run(eu, ["--notes", path]);
        Assert.True(code == 0, stderr);
        using var image = ElfImage.Open(path);
        var buildId = EuBuildId().Match(stdout);
        Assert.Equal(buildId.Success ? buildId.Groups[1].Value : null, image.BuildIdHex);
        var abi = EuAbiTag().Match(stdout);
        Assert.Equal(abi.Success ? $"{abi.Groups[1].Value} {abi.Groups[2].Value}" : null, image.AbiTag?.ToString());
    }

    public static TheoryData<string, string> BadNotes => new()
    {
        { "libversioned.so", "descsz" }, { "libversioned.so", "namesz" }, { "libversioned.so", "align" }, { "libversioned.so", "truncated" },
        { "libversioned-s390x.so", "descsz" }, { "libversioned-s390x.so", "namesz" }, { "libversioned-s390x.so", "align" }, { "libversioned-s390x.so", "truncated" },
        { "libversioned-i686.so", "descsz" }, { "libversioned-i686.so", "align" },
    };

    /// <summary>
    /// A note whose sizes run past its section (a huge n_descsz or n_namesz, a section cut short) or whose section
    /// alignment is neither 4 nor 8 is an <see cref="ElfFormatException"/> at the note's offset, in either byte order;
    /// readelf refuses the same notes (it warns "corrupt note").
    /// </summary>
    [Theory]
    [MemberData(nameof(BadNotes))]
    public void Malformed_notes_are_format_errors_at_their_offset(string fixture, string corruption)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Paths.Fixtures, "elf", fixture));
        int noteOffset, headerAt;
        bool is64, big;
        using (var clean = ElfImage.Parse(bytes.ToArray(), fixture))
        {
            Assert.NotNull(clean.BuildIdHex);
            var note = clean.Sections.Single(x => x.Type == ElfSectionType.SHT_NOTE);
            noteOffset = (int)note.Offset;
            is64 = clean.Header.Class == ElfClass.Elf64;
            big = clean.Header.DataEncoding == ElfDataEncoding.BigEndian;
            ulong shoff = is64 ? Read(bytes, 0x28, 8, big) : Read(bytes, 0x20, 4, big);
            int shentsize = (int)Read(bytes, is64 ? 0x3a : 0x2e, 2, big);
            headerAt = (int)shoff + (note.Index * shentsize);
        }

        long expected = noteOffset;
        switch (corruption)
        {
            case "descsz": Write(bytes, noteOffset + 4, 4, big, 0xfffffff0); break;
            case "namesz": Write(bytes, noteOffset, 4, big, 0x7ffffff0); break;
            case "align": Write(bytes, headerAt + (is64 ? 48 : 32), is64 ? 8 : 4, big, 16); break;
            case "truncated": Write(bytes, headerAt + (is64 ? 32 : 20), is64 ? 8 : 4, big, 0x24 - 4); break;
        }

        using var image = ElfImage.Parse(bytes, fixture);
        var error = Assert.Throws<ElfFormatException>(() => image.Notes);
        Assert.Equal(fixture, error.FileName);
        Assert.Equal(expected, error.Offset);
        Assert.Throws<ElfFormatException>(() => image.BuildId);
        Assert.NotEmpty(image.DynamicSymbols); // the rest of the file still reads

        var readelf = Tools.Find("readelf");
        if (readelf is not null)
        {
            var path = Path.Combine(Path.GetTempPath(), $"abi-badnote-{Environment.ProcessId}-{fixture}-{corruption}");
            File.WriteAllBytes(path, bytes);
            try
            {
                var (_, stdout, stderr) = Tools.Run(readelf, ["-n", "-W", path]);
                Assert.True(stderr.Contains("note", StringComparison.OrdinalIgnoreCase) || !stdout.Contains("Build ID", StringComparison.Ordinal), stdout + stderr);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    private static ulong Read(byte[] b, int at, int size, bool big)
    {
        ulong v = 0;
        for (int i = 0; i < size; i++)
        {
            v |= (ulong)b[at + i] << (8 * (big ? size - 1 - i : i));
        }

        return v;
    }

    private static void Write(byte[] b, int at, int size, bool big, ulong value)
    {
        for (int i = 0; i < size; i++)
        {
            b[at + i] = (byte)(value >> (8 * (big ? size - 1 - i : i)));
        }
    }

    [GeneratedRegex(@"^([0-9a-f]{8,16})\s+([0-9a-f]{8,16})\s+(R_\S+)\s*(.*)$")]
    private static partial Regex RelocationLine();

    [GeneratedRegex(@"^-?[0-9a-f]+$")]
    private static partial Regex HexOnly();

    [GeneratedRegex(@"Histogram for `\.gnu\.hash' bucket list length \(total of (\d+) buckets?\)")]
    private static partial Regex GnuHashHistogram();

    [GeneratedRegex(@"Build ID: ([0-9a-f]+)")]
    private static partial Regex EuBuildId();

    [GeneratedRegex(@"OS: (\w+), ABI: ([0-9.]+)")]
    private static partial Regex EuAbiTag();
}
