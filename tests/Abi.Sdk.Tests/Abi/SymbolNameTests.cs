using System.Buffers.Binary;
using System.Text;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// Symbol names are kept as UTF-8 bytes and compared by them; these tests hold that to the string semantics the
/// public API promises (ordinal equality and order of <see cref="AbiSymbol.Name"/>).
/// </summary>
public class SymbolNameTests
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";

    [Theory]
    [InlineData("libc.so.6")]
    [InlineData("libstdc++.so.6")]
    [InlineData("libLLVM-16.so.1")]
    public void Names_bytes_lookups_and_order_agree_with_the_strings(string file)
    {
        if (!File.Exists(Lib + file))
        {
            Assert.Skip($"{Lib + file} is not installed");
        }

        using var image = ElfImage.Open(Lib + file);
        var surface = AbiSurface.Of(image);
        Assert.NotEmpty(surface.Symbols);
        for (int i = 1; i < image.DynamicSymbols.Count; i++)
        {
            var elf = image.DynamicSymbols[i];
            if (AbiSurface.IsExported(elf))
            {
                var found = surface.Find(elf.Name, elf.Version?.Name);
                Assert.NotNull(found);
                Assert.Equal(elf.Name, found.Name);
                Assert.True(elf.NameUtf8.SequenceEqual(found.NameUtf8));
            }
        }

        foreach (var s in surface.Symbols)
        {
            Assert.Equal(Encoding.UTF8.GetBytes(s.Name), s.NameUtf8.ToArray());
            Assert.Contains(s, surface.FindAll(s.Name));
        }

        var byBytes = surface.Symbols.Order().ToArray();
        var byStrings = surface.Symbols.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Version, StringComparer.Ordinal).ToArray();
        Assert.Equal(byStrings.Select(s => s.Spelling), byBytes.Select(s => s.Spelling));
    }

    [Fact]
    public void Order_and_equality_follow_the_strings_beyond_ascii()
    {
        // U+E000 sorts after a surrogate pair in UTF-16 but before it in UTF-8; lone surrogates all encode as U+FFFD.
        string[] names = ["a", "ab", "a\uE000", "a\U0001F600", "a\uFFFD", "a\uD800", "x\uD800", "x\uDBFF", "x\uD800y", "é", "e\u0301"];
        var symbols = names.Select(n => new AbiSymbol(n, null, false, ElfSymbolType.Function)).ToArray();
        foreach (var a in symbols)
        {
            foreach (var b in symbols)
            {
                Assert.Equal(Math.Sign(string.CompareOrdinal(a.Name, b.Name)), Math.Sign(a.CompareTo(b)));
                Assert.Equal(a.Name == b.Name, a.HasSameKey(b));
                Assert.Equal(a.Name == b.Name, a.Equals(b));
            }
        }

        // Names that differ only in their lone surrogates are distinct symbols, found by their own strings.
        var surface = new AbiSurface(null, null, ElfClass.Elf64, ElfMachine.X86_64, [], [], [.. symbols]);
        foreach (var s in symbols)
        {
            Assert.Same(s, surface.Find(s.Name, null));
            Assert.Same(s, surface.FindCounterpart(new AbiSymbol(s.Name, null, false, ElfSymbolType.Object)));
        }

        Assert.Null(surface.Find("x\uDC00", null));
        Assert.Null(surface.Find(string.Empty, null));
    }

    [Fact]
    public void Names_that_overlap_beyond_the_file_are_read_as_readelf_reads_them_within_the_files_size()
    {
        string readelf = Tools.Require("readelf", "binutils");

        // Every defined symbol's st_name pointed at the one 4000-byte name: 41 names, 164 000 bytes, in an 18 KB file.
        var bytes = File.ReadAllBytes(Path.Combine(Paths.Fixtures, "abi", "overlapping-names", "liboverlap.so"));
        ElfSection dynsym, dynstr;
        using (var original = ElfImage.Parse(bytes.ToArray()))
        {
            dynsym = original.Sections.Single(s => s.Name == ".dynsym");
            dynstr = original.Sections[(int)dynsym.Link];
        }

        int entries = (int)(dynsym.Size / dynsym.EntrySize), longName = -1, defined = 0;
        for (int k = 0; k < entries; k++)
        {
            int at = (int)dynsym.Offset + (k * (int)dynsym.EntrySize);
            int name = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
            if (bytes.AsSpan((int)dynstr.Offset + name).IndexOf((byte)0) == 4000)
            {
                longName = name;
            }
        }

        Assert.True(longName > 0);
        for (int k = 1; k < entries; k++)
        {
            int at = (int)dynsym.Offset + (k * (int)dynsym.EntrySize);
            if (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 6)) != 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (uint)longName);
                defined++;
            }
        }

        // The reference: readelf's reading of the patched file.
        string path = Path.Combine(Path.GetTempPath(), $"abi-sdk-overlap-{Environment.ProcessId}.so");
        File.WriteAllBytes(path, bytes);
        try
        {
            var (exit, stdout, _) = Tools.Run(readelf, ["--dyn-syms", "-W", path]);
            Assert.Equal(0, exit);
            var expected = stdout.Split('\n')
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 8 && f[3] == "FUNC" && f[4] == "GLOBAL" && f[6] != "UND")
                .Select(f => f[7])
                .ToArray();
            Assert.Equal(defined, expected.Length);

            long before = GC.GetAllocatedBytesForCurrentThread();
            using var image = ElfImage.Parse(bytes);
            var surface = AbiSurface.Of(image);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(expected, surface.Symbols.Select(s => s.Spelling));

            // Names are copied at most about twice the file's size, however they overlap (as strings they were 328 KB).
            Assert.True(allocated < 4 * bytes.Length, $"{allocated} bytes allocated for a {bytes.Length}-byte file");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
