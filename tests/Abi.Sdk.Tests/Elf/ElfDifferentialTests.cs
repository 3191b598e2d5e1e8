using System.Collections.Concurrent;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// The ELF model against GNU readelf, the reference, over every ELF file in /usr/lib/x86_64-linux-gnu and over the
/// fixtures: header, program and section headers, dynamic section, build-id, every dynamic symbol with its version
/// spelled @ or @@, and the version definitions and requirements. readelf runs once per file.
/// </summary>
public class ElfDifferentialTests
{
    internal const string SystemLibraries = "/usr/lib/x86_64-linux-gnu";

    internal static IEnumerable<string> SystemElfFiles()
    {
        if (!Directory.Exists(SystemLibraries))
        {
            yield break;
        }

        var magic = new byte[4];
        foreach (var path in Directory.EnumerateFiles(SystemLibraries).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null || info.Length < 64)
            {
                continue;
            }

            using (var f = File.OpenRead(path))
            {
                if (f.Read(magic) != 4 || !ElfImage.IsElf(magic))
                {
                    continue;
                }
            }

            yield return path;
        }
    }

    [Fact]
    public void Every_system_library_matches_readelf()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var files = SystemElfFiles().ToList();
        if (files.Count == 0)
        {
            Assert.Skip($"no ELF files in {SystemLibraries} (not an x86_64 Debian-like system)");
        }

        var errors = new ConcurrentBag<string>();
        long symbols = 0;
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path =>
        {
            var list = new List<string>();
            try
            {
                var reference = ReadelfComparison.Run(readelf, path);
                using var image = ElfImage.Open(path);
                Interlocked.Add(ref symbols, image.DynamicSymbols.Count);
                ReadelfComparison.Compare(path, image, reference, list, readelf: readelf);
            }
            catch (Exception ex)
            {
                list.Add($"{path}: {ex.GetType().Name}: {ex.Message}");
            }

            foreach (var e in list)
            {
                errors.Add(e);
            }
        });

        Assert.True(symbols > 10_000, $"only {symbols} symbols in {files.Count} files");
        Assert.True(errors.IsEmpty, $"{errors.Count} differences from readelf over {files.Count} files, first:\n" + string.Join("\n", errors.Order(StringComparer.Ordinal).Take(40)));
    }

    public static TheoryData<string> FixturesWithSections => new(
        "libversioned.so", "libconsumer.so", "app", "libversioned-i686.so", "libversioned-s390x.so", "runnable.so");

    [Theory]
    [MemberData(nameof(FixturesWithSections))]
    public void Fixture_matches_readelf(string name)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Path.Combine(Paths.Fixtures, "elf", name);
        var reference = ReadelfComparison.Run(readelf, path);
        using var image = ElfImage.Open(path);
        var errors = new List<string>();
        ReadelfComparison.Compare(path, image, reference, errors, readelf: readelf);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.NotEmpty(reference.Symbols);
    }

    public static TheoryData<string, string> FixturesWithoutSections => new()
    {
        { "libversioned-noshdr.so", "libversioned.so" },
        { "libversioned-sysv-noshdr.so", "libversioned.so" },
        { "libversioned-i686-noshdr.so", "libversioned-i686.so" },
        { "libversioned-s390x-noshdr.so", "libversioned-s390x.so" },
    };

    /// <summary>
    /// Without section headers the model finds .dynsym, .dynstr and the version tables through PT_DYNAMIC and sizes
    /// the symbol table with DT_HASH or DT_GNU_HASH: symbols match <c>readelf -D</c>, versions match the same
    /// library built with section headers (readelf -V needs them).
    /// </summary>
    [Theory]
    [MemberData(nameof(FixturesWithoutSections))]
    public void Fixture_without_section_headers_matches_readelf_through_the_dynamic_section(string name, string twin)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Path.Combine(Paths.Fixtures, "elf", name);
        var reference = ReadelfComparison.Run(readelf, path, useDynamic: true);
        using var image = ElfImage.Open(path);
        Assert.Empty(image.Sections);
        var errors = new List<string>();
        ReadelfComparison.Compare(path, image, reference, errors, sections: false);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.NotEmpty(reference.Symbols);

        if (name.Contains("sysv", StringComparison.Ordinal))
        {
            Assert.True(image.Dynamic!.HasHash && !image.Dynamic.HasGnuHash);
            return; // built separately, its twin differs in layout; the symbols above are the proof
        }

        using var full = ElfImage.Open(Path.Combine(Paths.Fixtures, "elf", twin));
        Assert.Equal(Describe(full.VersionDefinitions), Describe(image.VersionDefinitions));
        Assert.Equal(Describe(full.VersionNeeds), Describe(image.VersionNeeds));
        Assert.Equal(full.DynamicSymbols.Skip(1).Select(s => s.ToString()), image.DynamicSymbols.Skip(1).Select(s => s.ToString()));
    }

    internal static string Describe(IEnumerable<ElfVersionDefinition> definitions)
        => string.Join("\n", definitions.Select(d => $"{d.Index} {d.Flags} {d.Name} {d.Hash:x} [{string.Join(",", d.Predecessors)}]"));

    internal static string Describe(IEnumerable<ElfVersionNeed> needs)
        => string.Join("\n", needs.Select(n => $"{n.FileName}: " + string.Join(",", n.Versions.Select(v => $"{v.Index} {v.Flags} {v.Name} {v.Hash:x} {v.FileName}"))));

    /// <summary>rpm's own i386 and ppc (ELF32, big-endian) hello executables, extracted from the corpus at test time.</summary>
    [Theory]
    [InlineData("hello-1.0-1.i386.rpm", ElfClass.Elf32, ElfDataEncoding.LittleEndian, ElfMachine.I386)]
    [InlineData("hello-1.0-1.ppc64.rpm", ElfClass.Elf32, ElfDataEncoding.BigEndian, ElfMachine.PowerPC)]
    public void Rpm_hello_executables_match_readelf(string package, ElfClass @class, ElfDataEncoding data, ElfMachine machine)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var corpus = Paths.RequireCorpus();
        var rpm = Path.Combine(corpus, "rpm", "rpm-tests", package);
        if (!File.Exists(rpm))
        {
            Assert.Skip($"{package} is not in the corpus");
        }

        Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        var dir = Directory.CreateTempSubdirectory("abi-elf-");
        try
        {
            var (code, _, stderr) = Tools.Run("sh", ["-c", "rpm2cpio \"$1\" | cpio -idm --quiet './usr/local/bin/hello'", "sh", rpm], workingDirectory: dir.FullName);
            Assert.True(code == 0, stderr);
            var path = Path.Combine(dir.FullName, "usr", "local", "bin", "hello");
            using var image = ElfImage.Open(path);
            Assert.Equal(@class, image.Header.Class);
            Assert.Equal(data, image.Header.DataEncoding);
            Assert.Equal(machine, image.Header.Machine);
            var errors = new List<string>();
            ReadelfComparison.Compare(path, image, ReadelfComparison.Run(readelf, path), errors);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
            Assert.Contains(image.DynamicSymbols, s => s.ToString() == "puts@GLIBC_2.0" && s.Version is ElfVersionRequirement { FileName: "libc.so.6" });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
