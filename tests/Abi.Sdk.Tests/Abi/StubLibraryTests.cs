using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;
using Lof = LibObjectFile.Elf;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// Stub libraries (<see cref="AbiStubLibrary"/>) against the reference tools: readelf lists the same exported symbols
/// and version definitions for a stub as for the library it was made from (every shared library of the system
/// folder), gcc/ld links a program against a stub that then runs against the real library, and hostile surfaces
/// give well-formed stubs or a typed error.
/// </summary>
public partial class StubLibraryTests
{
    private const string SystemLibraries = "/usr/lib/x86_64-linux-gnu";

    /// <summary>Every regular file of the system folder that is an ELF shared library with a dynamic symbol table.</summary>
    private static List<string> SystemSharedLibraries()
    {
        var found = new List<string>();
        foreach (var path in Directory.EnumerateFiles(SystemLibraries).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null || info.Length < 64)
            {
                continue;
            }

            try
            {
                using var image = ElfImage.Open(path);
                if (image.Header.Type == ElfFileType.SharedObject && image.Dynamic is not null && image.DynamicSymbols.Count > 0 && !image.IsPositionIndependentExecutable)
                {
                    found.Add(path);
                }
            }
            catch (ElfFormatException)
            {
                // not ELF (linker scripts such as libc.so) or not readable as ELF: not a library the loader loads
            }
        }

        return found;
    }

    [Fact]
    public void Every_system_library_stub_has_the_surface_and_the_readelf_listing_of_the_original()
    {
        var readelf = Tools.Require("readelf", "binutils");
        var libraries = SystemSharedLibraries();
        Assert.True(libraries.Count > 100, $"only {libraries.Count} shared libraries in {SystemLibraries}");
        var temp = Directory.CreateTempSubdirectory("abi-stubs-");
        try
        {
            // Surfaces and stubs in process; the stub of original i is written as temp/i.so.
            var stubs = new string[libraries.Count];
            var sonames = new bool[libraries.Count];
            Parallel.For(0, libraries.Count, i =>
            {
                var surface = AbiSurface.Open(libraries[i]);
                sonames[i] = surface.Soname is not null;
                var bytes = AbiStubLibrary.Create(surface);
                using (var stub = ElfImage.Parse(bytes, "stub of " + libraries[i]))
                {
                    var again = AbiSurface.Of(stub);
                    Assert.True(surface.Fingerprint == again.Fingerprint, $"{libraries[i]}: the stub's surface differs: {surface} vs {again}");
                }

                stubs[i] = Path.Combine(temp.FullName, $"{i}.so");
                File.WriteAllBytes(stubs[i], bytes);
            });

            var originals = ReadelfMany(readelf, libraries, out _);
            var copies = ReadelfMany(readelf, stubs, out var stubWarnings);
            Assert.True(stubWarnings.Length == 0, "readelf warns about stubs:\n" + stubWarnings);
            int symbols = 0;
            for (int i = 0; i < libraries.Count; i++)
            {
                var (origSymbols, origVersions) = originals[libraries[i]];
                var (stubSymbols, stubVersions) = copies[stubs[i]];
                Assert.True(origSymbols.SetEquals(stubSymbols), $"{libraries[i]}: exported symbols differ; only in the original: {string.Join(", ", origSymbols.Except(stubSymbols).Take(10))}; only in the stub: {string.Join(", ", stubSymbols.Except(origSymbols).Take(10))}");

                // Without a SONAME the base definition is named after the file ld wrote, which a surface does not keep.
                var expected = sonames[i] ? origVersions : origVersions.Skip(1);
                var actual = sonames[i] ? stubVersions : stubVersions.Skip(1);
                Assert.Equal(expected, actual);
                symbols += stubSymbols.Count;
            }

            Assert.True(symbols > 10_000, $"only {symbols} symbols compared");

            // elfutils' strict conformance checker: a stub passes, unless the original breaks the same rule (a
            // UNIQUE thread-local symbol; a version node named like the file, which the stub's base definition repeats).
            var elflint = Tools.Require("eu-elflint", "elfutils");
            var stubLint = ElflintMany(elflint, stubs);
            for (int i = 0; i < libraries.Count; i++)
            {
                var complaints = stubLint[stubs[i]];
                if (complaints.Count == 0)
                {
                    continue;
                }

                var original = ElflintMany(elflint, [libraries[i]])[libraries[i]].Select(Kind).ToHashSet(StringComparer.Ordinal);
                var names = originals[libraries[i]].Versions.Where(v => !v.StartsWith(' ')).Select(v => v[(v.LastIndexOf(' ') + 1)..]).ToList();
                bool duplicateNames = names.Distinct(StringComparer.Ordinal).Count() != names.Count;
                foreach (var complaint in complaints)
                {
                    var kind = Kind(complaint);
                    bool inherited = original.Contains(kind) || (duplicateNames && (kind.Contains("duplicate version name", StringComparison.Ordinal) || kind.StartsWith("invalid version index", StringComparison.Ordinal)));
                    Assert.True(inherited, $"eu-elflint on the stub of {libraries[i]}: {complaint}");
                }
            }
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    /// <summary>readelf --dyn-syms -W -V of many files, in parallel batches: exported symbols and version definitions per file.</summary>
    private static Dictionary<string, (HashSet<string> Symbols, List<string> Versions)> ReadelfMany(string readelf, IReadOnlyList<string> files, out string warnings)
    {
        var results = new ConcurrentDictionary<string, (HashSet<string>, List<string>)>(StringComparer.Ordinal);
        var stderr = new ConcurrentBag<string>();
        var batches = files.Select((f, i) => (f, i)).GroupBy(x => x.i % 4, x => x.f).Select(g => g.ToList()).ToList();
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, batch =>
        {
            var (code, stdout, err) = Tools.Run(readelf, ["--dyn-syms", "-V", "-W", .. batch]);
            Assert.True(code == 0, err);
            if (err.Length > 0)
            {
                stderr.Add(err);
            }

            foreach (var (file, text) in SplitByFile(stdout, batch))
            {
                results[file] = ParseReadelf(text);
            }
        });

        warnings = string.Join('\n', stderr);
        return new Dictionary<string, (HashSet<string>, List<string>)>(results, StringComparer.Ordinal);
    }

    /// <summary>eu-elflint --gnu-ld of many files in parallel batches: each file's complaints (none when "No errors").</summary>
    private static Dictionary<string, List<string>> ElflintMany(string elflint, IReadOnlyList<string> files)
    {
        var results = new ConcurrentDictionary<string, List<string>>(StringComparer.Ordinal);
        var batches = files.Select((f, i) => (f, i)).GroupBy(x => x.i % 4, x => x.f).Select(g => g.ToList()).ToList();
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, batch =>
        {
            var (_, stdout, stderr) = Tools.Run(elflint, ["--gnu-ld", .. batch]);
            var known = batch.ToHashSet(StringComparer.Ordinal);
            string current = batch[0];
            var lines = new List<string>();
            foreach (var line in (stdout + "\n" + stderr).Split('\n'))
            {
                if (line.EndsWith(':') && known.Contains(line[..^1]))
                {
                    results[current] = lines;
                    (current, lines) = (line[..^1], []);
                }
                else if (line.Length > 0 && line != "No errors")
                {
                    lines.Add(line);
                }
            }

            results[current] = lines;
            foreach (var f in batch)
            {
                results.TryAdd(f, []);
            }
        });

        return new Dictionary<string, List<string>>(results, StringComparer.Ordinal);
    }

    /// <summary>The rule an eu-elflint complaint names, without the section and symbol numbers.</summary>
    private static string Kind(string complaint) => complaint[(complaint.LastIndexOf(": ", StringComparison.Ordinal) + 2)..];

    private static IEnumerable<(string File, string Text)> SplitByFile(string stdout, List<string> batch)
    {
        if (batch.Count == 1)
        {
            yield return (batch[0], stdout);
            yield break;
        }

        var parts = FileHeader().Split(stdout);
        // Split keeps the captured file names: "", name1, text1, name2, text2, ...
        for (int i = 1; i + 1 < parts.Length; i += 2)
        {
            yield return (parts[i], parts[i + 1]);
        }
    }

    /// <summary>
    /// The exported symbols as AbiSurface keeps them (defined; global, weak or unique; default or protected; typed;
    /// not a version marker) as "name@@VER TYPE BIND VIS size", and the version definitions as
    /// "Flags Index Cnt Name" plus "Parent n: name" lines.
    /// </summary>
    internal static (HashSet<string> Symbols, List<string> Versions) ParseReadelf(string text)
    {
        var symbols = new HashSet<string>(StringComparer.Ordinal);
        var versions = new List<string>();
        var absolute = new List<(string Name, string Entry)>();
        var definitions = new HashSet<string>(StringComparer.Ordinal);
        bool inDynsym = false, inVerdef = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("Symbol table '.dynsym'", StringComparison.Ordinal))
            {
                (inDynsym, inVerdef) = (true, false);
                continue;
            }

            if (line.StartsWith("Version definition section", StringComparison.Ordinal))
            {
                (inDynsym, inVerdef) = (false, true);
                continue;
            }

            if (line.Length == 0 || line.StartsWith("Version ", StringComparison.Ordinal))
            {
                (inDynsym, inVerdef) = (false, false);
                continue;
            }

            Match m;
            if (inDynsym && (m = SymbolLine().Match(line)).Success)
            {
                // Without EI_OSABI GNU readelf does not name STT_GNU_IFUNC and STB_GNU_UNIQUE (a stub sets it when they occur).
                string type = m.Groups["type"].Value is "<OS specific>: 10" ? "IFUNC" : m.Groups["type"].Value;
                string bind = m.Groups["bind"].Value is "<OS specific>: 10" ? "UNIQUE" : m.Groups["bind"].Value;
                string size = m.Groups["size"].Value, vis = m.Groups["vis"].Value, ndx = m.Groups["ndx"].Value, name = m.Groups["name"].Value;
                if (ndx == "UND" || bind is not ("GLOBAL" or "WEAK" or "UNIQUE") || vis is not ("DEFAULT" or "PROTECTED") || type is "NOTYPE" or "SECTION" or "FILE")
                {
                    continue;
                }

                // readelf prints sizes of 100000 and more in hex; normalise.
                ulong n = size.StartsWith("0x", StringComparison.Ordinal) ? Convert.ToUInt64(size[2..], 16) : ulong.Parse(size, System.Globalization.CultureInfo.InvariantCulture);
                var entry = $"{name} {type} {bind} {vis} {n}";
                if (ndx == "ABS")
                {
                    absolute.Add((name, entry)); // perhaps a version marker: known once the definitions are read
                }
                else
                {
                    symbols.Add(entry);
                }
            }
            else if (inVerdef && (m = VerdefLine().Match(line)).Success)
            {
                // VER_FLG_WEAK on a definition means nothing to the loader and a surface does not keep it.
                var flags = m.Groups["flags"].Value is "WEAK" ? "none" : m.Groups["flags"].Value;
                versions.Add($"{flags} {m.Groups["index"].Value} {m.Groups["cnt"].Value} {m.Groups["name"].Value}");
                definitions.Add(m.Groups["name"].Value);
            }
            else if (inVerdef && (m = ParentLine().Match(line)).Success)
            {
                versions.Add($"  parent {m.Groups["n"].Value}: {m.Groups["name"].Value}");
            }
        }

        // A version marker is an absolute symbol named after a version it defines; readelf shows it unversioned.
        foreach (var (name, entry) in absolute)
        {
            int at = name.IndexOf('@', StringComparison.Ordinal);
            if (!definitions.Contains(at < 0 ? name : name[..at]))
            {
                symbols.Add(entry);
            }
        }

        return (symbols, versions);
    }

    [Fact]
    public void A_program_linked_against_a_stub_runs_against_the_real_library()
    {
        var gcc = Tools.Require("gcc", "gcc");
        var temp = Directory.CreateTempSubdirectory("abi-stub-link-");
        try
        {
            string Src(string name, string text)
            {
                var p = Path.Combine(temp.FullName, name);
                File.WriteAllText(p, text);
                return p;
            }

            // A versioned function with an old hidden version, copy-relocated data, thread-local data, a weak function.
            var lib = Src("foo.c", """
                int foo_counter = 42;
                int foo_table[8] = {1, 2, 3, 4, 5, 6, 7, 8};
                __thread int foo_tls = 7;
                int foo_old(void) { return 1; }
                int foo_new(void) { return 2; }
                __attribute__((weak)) int foo_weak(void) { return 3; }
                __asm__(".symver foo_old,foo@FOO_1");
                __asm__(".symver foo_new,foo@@FOO_2");
                """);
            var map = Src("foo.map", "FOO_1 { global: foo; foo_counter; foo_table; foo_tls; foo_weak; local: *; };\nFOO_2 { } FOO_1;\n");
            var main = Src("main.c", """
                #include <stdio.h>
                extern int foo_counter; extern int foo_table[8]; extern __thread int foo_tls;
                int foo(void); int foo_weak(void);
                int main(void) { printf("%d %d %d %d %d\n", foo(), foo_counter, foo_table[7], foo_tls, foo_weak()); return 0; }
                """);
            var real = Directory.CreateDirectory(Path.Combine(temp.FullName, "real")).FullName;
            var stubs = Directory.CreateDirectory(Path.Combine(temp.FullName, "stubs")).FullName;
            var (code, _, err) = Tools.Run(gcc, ["-shared", "-fPIC", "-O2", "-o", Path.Combine(real, "libfoo.so.1"), lib, "-Wl,-soname,libfoo.so.1", $"-Wl,--version-script={map}"]);
            Assert.True(code == 0, err);

            var surface = AbiSurface.Open(Path.Combine(real, "libfoo.so.1"));
            Assert.NotNull(surface.Find("foo", "FOO_1"));
            File.WriteAllBytes(Path.Combine(stubs, "libfoo.so.1"), AbiStubLibrary.Create(surface));
            File.CreateSymbolicLink(Path.Combine(stubs, "libfoo.so"), "libfoo.so.1");

            var app = Path.Combine(temp.FullName, "app");
            (code, _, err) = Tools.Run(gcc, ["-o", app, main, $"-L{stubs}", "-lfoo"]);
            Assert.True(code == 0, "ld refused the stub: " + err);
            Assert.DoesNotContain("warning", err, StringComparison.OrdinalIgnoreCase);

            // The program records foo@@FOO_2 and runs, with the real library, as if it had been linked against it.
            var (runCode, stdout, stderr) = Tools.Run(app, [], new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = real });
            Assert.True(runCode == 0, stderr);
            Assert.Equal("2 42 8 7 3", stdout.Trim());
            using var appImage = ElfImage.Open(app);
            Assert.Contains(appImage.VersionNeeds, n => n.FileName == "libfoo.so.1" && n.Versions.Any(v => v.Name == "FOO_2"));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static AbiSymbol Fn(string name, string? version = null, bool isDefault = true, ulong size = 0)
        => new(name, version, isDefault, ElfSymbolType.Function, size: size);

    private static (string Stdout, string Stderr) ReadelfOf(byte[] stub, string options = "-a")
    {
        var readelf = Tools.Require("readelf", "binutils");
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, stub);
            var (code, stdout, stderr) = Tools.Run(readelf, [options, "-W", path]);
            Assert.True(code == 0, stderr);
            return (stdout, stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertElflintClean(byte[] stub)
    {
        var elflint = Tools.Require("eu-elflint", "elfutils");
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, stub);
            var (_, stdout, stderr) = Tools.Run(elflint, ["--gnu-ld", path]);

            // elflint flags every STV_PROTECTED dynamic symbol, which real libraries export all the same.
            var complaints = (stdout + "\n" + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => l != "No errors" && !l.EndsWith("symbol in dynamic symbol table with non-default visibility", StringComparison.Ordinal)).ToList();
            Assert.True(complaints.Count == 0, string.Join('\n', complaints));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Absurd_sizes_give_a_typed_error_naming_the_symbol()
    {
        var huge = new AbiSurface("huge.json", "libhuge.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [],
            [new AbiSymbol("big", null, false, ElfSymbolType.Object, size: ulong.MaxValue), Fn("f")]);
        var ex = Assert.Throws<AbiBaselineFormatException>(() => AbiStubLibrary.Create(huge));
        Assert.Equal("huge.json", ex.FileName);
        Assert.Contains("big", ex.Reason, StringComparison.Ordinal);

        // Two objects that each fit but not together, in ELF32.
        var two = new AbiSurface(null, "libtwo.so.1", ElfClass.Elf32, ElfMachine.I386, [], [],
            [new AbiSymbol("a", null, false, ElfSymbolType.Object, size: 0x9000_0000), new AbiSymbol("b", null, false, ElfSymbolType.Object, size: 0x9000_0000)]);
        Assert.Throws<AbiBaselineFormatException>(() => AbiStubLibrary.Create(two));

        // ELF32 cannot state a 64-bit size at all.
        var wide = new AbiSurface(null, "libwide.so.1", ElfClass.Elf32, ElfMachine.I386, [], [], [new AbiSymbol("w", null, false, ElfSymbolType.Tls, size: 1UL << 33)]);
        Assert.Throws<AbiBaselineFormatException>(() => AbiStubLibrary.Create(wide));

        // Functions are packed 16 bytes apart, but each must still end inside the zero-filled area.
        var fn = new AbiSurface(null, "libfn.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [], [Fn("f", size: ulong.MaxValue)]);
        Assert.Throws<AbiBaselineFormatException>(() => AbiStubLibrary.Create(fn));
        var large = new AbiSurface(null, "libfn.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [], [Fn("f", size: 1 << 20), Fn("g", size: 1 << 20)]);
        var stub = AbiStubLibrary.Create(large);
        Assert.True(stub.Length < 4096, $"{stub.Length} bytes: a symbol's size must not grow the file");
        var (stdout, stderr) = ReadelfOf(stub, "--dyn-syms");
        Assert.Empty(stderr);
        Assert.Contains("0x100000 FUNC    GLOBAL DEFAULT", stdout, StringComparison.Ordinal);
        AssertElflintClean(stub);
    }

    [Fact]
    public void Thousands_of_versions_and_duplicate_names_make_a_well_formed_stub()
    {
        // 2000 nodes, each inheriting the previous; one name defined at every version, hidden but the last.
        const int n = 2000;
        var versions = Enumerable.Range(0, n).Select(i => new AbiVersionNode($"V_{i}", i == 0 ? [] : [$"V_{i - 1}"])).ToImmutableArray();
        var symbols = Enumerable.Range(0, n).Select(i => Fn("dup", $"V_{i}", isDefault: i == n - 1))
            .Append(new AbiSymbol("tls_var", "V_0", true, ElfSymbolType.Tls, size: 8))
            .Append(new AbiSymbol("unique_obj", null, false, ElfSymbolType.Object, ElfSymbolBinding.GnuUnique, size: 4))
            .Append(new AbiSymbol("resolver", "V_1", true, ElfSymbolType.GnuIndirectFunction, ElfSymbolBinding.Weak, ElfSymbolVisibility.Protected))
            .Append(Fn("orphan", "NOT_DECLARED"))
            .ToImmutableArray();
        var surface = new AbiSurface(null, "libmany.so.1", ElfClass.Elf64, ElfMachine.X86_64, ["libc.so.6"], versions, symbols);
        var stub = AbiStubLibrary.Create(surface);

        var (stdout, stderr) = ReadelfOf(stub, "-hsV");
        Assert.Empty(stderr);
        Assert.Contains("UNIX - GNU", stdout, StringComparison.Ordinal); // IFUNC and UNIQUE need EI_OSABI GNU
        Assert.Contains("TLS ", stdout, StringComparison.Ordinal);
        Assert.Contains($"dup@@V_{n - 1}", stdout, StringComparison.Ordinal);
        Assert.Contains("dup@V_0\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"Parent 1: V_{n - 2}", stdout, StringComparison.Ordinal);
        var (symbolLines, verdefLines) = ParseReadelf(stdout);
        Assert.Equal(symbols.Length, symbolLines.Count);
        Assert.Equal(1 + n + 1 + (n - 1), verdefLines.Count); // base, the nodes, the undeclared one, the parents

        // Our reader agrees, and the undeclared version became a node of its own.
        using var image = ElfImage.Parse(stub);
        var again = AbiSurface.Of(image);
        Assert.Equal(symbols.OrderBy(s => s).ToArray(), again.Symbols.OrderBy(s => s).ToArray());
        Assert.Equal(n + 1, again.Versions.Length);
        Assert.Equal("NOT_DECLARED", again.Versions[^1].Name);
        Assert.Equal(ElfOsAbi.Gnu, image.Header.OsAbi);
        AssertElflintClean(stub);
    }

    [Fact]
    public void Too_many_versions_or_a_NUL_in_a_name_is_a_typed_error()
    {
        var versions = Enumerable.Range(0, 0x7fff).Select(i => new AbiVersionNode($"V{i}", [])).ToImmutableArray();
        var tooMany = new AbiSurface("many.json", "libx.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], versions, []);
        Assert.Throws<AbiBaselineFormatException>(() => AbiStubLibrary.Create(tooMany));

        var nul = new AbiSurface("nul.json", "libx.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [], [Fn("bad\0name")]);
        var ex = Assert.Throws<AbiBaselineFormatException>(() => AbiStubLibrary.Create(nul));
        Assert.Contains("NUL", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_surfaces_and_empty_version_names_make_well_formed_stubs()
    {
        var empty = new AbiSurface(null, null, ElfClass.Elf64, ElfMachine.X86_64, [], [], []);
        var (_, stderr) = ReadelfOf(AbiStubLibrary.Create(empty));
        Assert.Empty(stderr);
        AssertElflintClean(AbiStubLibrary.Create(empty));
        Assert.Throws<ArgumentException>(() => AbiStubLibrary.GetLibraryName(empty));

        var blank = new AbiSurface("x/libblank.json", null, ElfClass.Elf64, ElfMachine.X86_64, [], [new AbiVersionNode(string.Empty, [string.Empty])], [Fn("f")]);
        (_, stderr) = ReadelfOf(AbiStubLibrary.Create(blank));
        Assert.Empty(stderr);
        Assert.Equal("libblank.json", AbiStubLibrary.GetLibraryName(blank));

        // A stub is written as DIR/NAME: a name that would leave DIR is refused.
        foreach (var soname in new[] { "../libx.so.1", "..", "sub/libx.so.1" })
        {
            var escaping = new AbiSurface(null, soname, ElfClass.Elf64, ElfMachine.X86_64, [], [], []);
            Assert.Throws<ArgumentException>(() => AbiStubLibrary.GetLibraryName(escaping));
            Assert.Throws<ArgumentException>(() => Target.FromBaselines([escaping]));
        }
    }

    [Fact]
    public void A_stub_model_adjusted_before_writing_shows_the_added_symbols_in_readelf_elflint_and_ld()
    {
        var surface = new AbiSurface(null, "libadj.so.1", ElfClass.Elf64, ElfMachine.X86_64, ["libc.so.6"], [new AbiVersionNode("ADJ_1", []), new AbiVersionNode("ADJ_2", ["ADJ_1"])],
        [
            Fn("adj_f", "ADJ_1"),
            new AbiSymbol("adj_data", "ADJ_2", true, ElfSymbolType.Object, size: 24),
            new AbiSymbol("adj_tls", "ADJ_2", true, ElfSymbolType.Tls, size: 8),
        ]);

        // The LibObjectFile model: add a function at ADJ_2, a new version node ADJ_3 and a function there.
        var file = AbiStubLibrary.CreateElfFile(surface);
        var dynsym = file.Sections.OfType<Lof.ElfSymbolTable>().Single(s => s.Type == Lof.ElfSectionType.DynamicLinkerSymbolTable);
        var versym = file.Sections.OfType<ElfGnuVersionSection>().Single();
        var verdef = file.Sections.OfType<ElfGnuVersionDefinitionSection>().Single();
        var bss = file.Sections.Single(s => s.Name.Value == ".bss");
        ulong before = bss.VirtualAddress;
        ushort adj2 = verdef.Definitions.Single(d => d.Name == "ADJ_2").Index;
        ushort adj3 = (ushort)(verdef.Definitions.Max(d => d.Index) + 1);
        verdef.Definitions.Add(new ElfStubVersionDefinition(adj3, ElfVersionFlags.None, "ADJ_3", ["ADJ_2"]));
        dynsym.Entries.Add(new Lof.ElfSymbol { Name = "adj_added", Type = Lof.ElfSymbolType.Function, Bind = Lof.ElfSymbolBind.Global, SectionLink = bss, Value = bss.VirtualAddress });
        versym.Entries.Add(adj2);
        dynsym.Entries.Add(new Lof.ElfSymbol { Name = "adj_new", Type = Lof.ElfSymbolType.Function, Bind = Lof.ElfSymbolBind.Global, SectionLink = bss, Value = bss.VirtualAddress + 16 });
        versym.Entries.Add(adj3);
        using var stream = new MemoryStream();
        AbiStubLibrary.Write(file, stream);
        var stub = stream.ToArray();
        Assert.True(bss.VirtualAddress > before, "two more symbols move .bss, and its symbols with it");

        // readelf sees the added symbols at their versions, the new node after the others, and the original symbols.
        var (stdout, stderr) = ReadelfOf(stub, "-sV");
        Assert.Empty(stderr);
        var (symbols, versions) = ParseReadelf(stdout);
        Assert.Contains("adj_added@@ADJ_2 FUNC GLOBAL DEFAULT 0", symbols);
        Assert.Contains("adj_new@@ADJ_3 FUNC GLOBAL DEFAULT 0", symbols);
        Assert.Contains("adj_f@@ADJ_1 FUNC GLOBAL DEFAULT 0", symbols);
        Assert.Contains("adj_data@@ADJ_2 OBJECT GLOBAL DEFAULT 24", symbols);
        Assert.Contains("adj_tls@@ADJ_2 TLS GLOBAL DEFAULT 8", symbols);
        Assert.Equal(5, symbols.Count);
        Assert.Contains($"none {adj3} 2 ADJ_3", versions); // Cnt counts the node and its parent
        Assert.Contains("  parent 1: ADJ_2", versions);

        // eu-elflint checks both hash tables, the version tables and that every symbol lies inside its section.
        AssertElflintClean(stub);

        // ld links against the added symbols and records their versions.
        var gcc = Tools.Require("gcc", "gcc");
        var temp = Directory.CreateTempSubdirectory("abi-stub-adjust-");
        try
        {
            File.WriteAllBytes(Path.Combine(temp.FullName, "libadj.so.1"), stub);
            File.CreateSymbolicLink(Path.Combine(temp.FullName, "libadj.so"), "libadj.so.1");
            var main = Path.Combine(temp.FullName, "main.c");
            File.WriteAllText(main, "int adj_added(void); int adj_new(void); int main(void) { return adj_added() + adj_new(); }\n");
            var app = Path.Combine(temp.FullName, "app");
            var (code, _, err) = Tools.Run(gcc, ["-o", app, main, $"-L{temp.FullName}", "-ladj"]);
            Assert.True(code == 0, "ld refused the adjusted stub: " + err);
            using var appImage = ElfImage.Open(app);
            var needed = Assert.Single(appImage.VersionNeeds, n => n.FileName == "libadj.so.1");
            Assert.Equal(["ADJ_2", "ADJ_3"], needed.Versions.Select(v => v.Name).Order(StringComparer.Ordinal));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_ELF_stub_definition_with_version_needs_reads_back_in_readelf_elflint_and_ElfImage()
    {
        // The ELF-level definition, without a surface: a definition, two files' needs, a symbol at each kind of index.
        var definition = new ElfStubDefinition
        {
            Class = ElfClass.Elf64,
            DataEncoding = ElfDataEncoding.LittleEndian,
            Machine = ElfMachine.X86_64,
            Soname = "libneed.so.1",
            Needed = ["libc.so.6", "libm.so.6"],
            VersionDefinitions = [new ElfStubVersionDefinition(1, ElfVersionFlags.Base, "libneed.so.1", []), new ElfStubVersionDefinition(2, ElfVersionFlags.None, "NEED_1", [])],
            VersionNeeds =
            [
                new ElfStubVersionNeed("libc.so.6", [new ElfStubVersionRequirement("GLIBC_2.2.5", 3, ElfVersionFlags.None), new ElfStubVersionRequirement("GLIBC_2.34", 4, ElfVersionFlags.None)]),
                new ElfStubVersionNeed("libm.so.6", [new ElfStubVersionRequirement("GLIBC_2.29", 5, ElfVersionFlags.Weak)]),
            ],
            Symbols =
            [
                new ElfStubSymbol("need_f", ElfSymbolType.Function, ElfSymbolBinding.Global, ElfSymbolVisibility.Default, 0, ElfStubSymbolPlacement.ZeroFilled, 2, false),
                new ElfStubSymbol("need_g", ElfSymbolType.Function, ElfSymbolBinding.Global, ElfSymbolVisibility.Default, 0, ElfStubSymbolPlacement.ZeroFilled, 1, false),
            ],
        };
        var stub = ElfStubWriter.Create(definition);
        var (stdout, stderr) = ReadelfOf(stub, "-V");
        Assert.Empty(stderr);
        Assert.Contains("Version needs section '.gnu.version_r' contains 2 entries:", stdout, StringComparison.Ordinal);
        Assert.Matches(@"Version: 1\s+File: libc\.so\.6\s+Cnt: 2", stdout);
        Assert.Matches(@"Name: GLIBC_2\.2\.5\s+Flags: none\s+Version: 3", stdout);
        Assert.Matches(@"Name: GLIBC_2\.34\s+Flags: none\s+Version: 4", stdout);
        Assert.Matches(@"Version: 1\s+File: libm\.so\.6\s+Cnt: 1", stdout);
        Assert.Matches(@"Name: GLIBC_2\.29\s+Flags: WEAK\s+Version: 5", stdout);
        AssertElflintClean(stub);

        using var image = ElfImage.Parse(stub);
        Assert.Equal(["libc.so.6", "libm.so.6"], image.VersionNeeds.Select(n => n.FileName));
        Assert.Equal(["GLIBC_2.2.5", "GLIBC_2.34"], image.VersionNeeds[0].Versions.Select(v => v.Name));
        Assert.Equal([3, 4], image.VersionNeeds[0].Versions.Select(v => v.Index));
        Assert.Contains(image.DynamicSymbols, s => s.Name == "need_f" && s.Version?.Name == "NEED_1");
    }

    [Theory]
    [InlineData(ElfClass.Elf32, ElfMachine.I386, null, "ELF32", "little endian")]
    [InlineData(ElfClass.Elf32, ElfMachine.PowerPC, null, "ELF32", "big endian")]
    [InlineData(ElfClass.Elf64, ElfMachine.S390, null, "ELF64", "big endian")]
    [InlineData(ElfClass.Elf64, ElfMachine.PowerPC64, ElfDataEncoding.BigEndian, "ELF64", "big endian")]
    [InlineData(ElfClass.Elf64, ElfMachine.AArch64, null, "ELF64", "little endian")]
    public void Every_class_and_byte_order_reads_back_the_same_in_readelf_and_ElfImage(ElfClass cls, ElfMachine machine, ElfDataEncoding? encoding, string readelfClass, string readelfData)
    {
        var surface = new AbiSurface(null, "libcross.so.2", cls, machine, ["libc.so.6", "libm.so.6"], [new AbiVersionNode("CROSS_1", []), new AbiVersionNode("CROSS_2", ["CROSS_1"])],
        [
            Fn("cross_f", "CROSS_1", isDefault: false),
            Fn("cross_f", "CROSS_2"),
            new AbiSymbol("cross_data", "CROSS_2", true, ElfSymbolType.Object, ElfSymbolBinding.Weak, size: 24),
            new AbiSymbol("cross_tls", null, false, ElfSymbolType.Tls, size: 4),
        ]);
        var stub = AbiStubLibrary.Create(surface, encoding);
        var (stdout, stderr) = ReadelfOf(stub);
        Assert.Empty(stderr);
        Assert.Contains(readelfClass, stdout, StringComparison.Ordinal);
        Assert.Contains(readelfData, stdout, StringComparison.Ordinal);
        Assert.Contains("Library soname: [libcross.so.2]", stdout, StringComparison.Ordinal);
        Assert.Contains("cross_f@CROSS_1", stdout, StringComparison.Ordinal);
        Assert.Contains("cross_data@@CROSS_2", stdout, StringComparison.Ordinal);
        using var image = ElfImage.Parse(stub);
        Assert.Equal(surface.Fingerprint, AbiSurface.Of(image).Fingerprint);
        Assert.Equal(["libc.so.6", "libm.so.6"], image.Needed);
        AssertElflintClean(stub);
    }

    [GeneratedRegex(@"^File: (.+)$", RegexOptions.Multiline)]
    private static partial Regex FileHeader();

    [GeneratedRegex(@"^\s*\d+: [0-9a-f]+\s+(?<size>\S+) (?<type><OS specific>: \d+|\S+)\s+(?<bind><OS specific>: \d+|\S+)\s+(?<vis>\S+)\s+(?<ndx>\S+) (?<name>\S+)")]
    private static partial Regex SymbolLine();

    [GeneratedRegex(@"^\s*\S+: Rev: \d+\s+Flags: (?<flags>.+?)\s+Index: (?<index>\d+)\s+Cnt: (?<cnt>\d+)\s+Name: (?<name>.*)$")]
    private static partial Regex VerdefLine();

    [GeneratedRegex(@"^\s*\S+: Parent (?<n>\d+): (?<name>.*)$")]
    private static partial Regex ParentLine();
}
