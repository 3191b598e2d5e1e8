using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// <see cref="AbiSurface.Of(ElfImage)"/> finds a plain ASCII name's end and validity in one scan and leaves every
/// other name to the symbol table's own read: these tests hold both paths to the file's bytes (and readelf) on names
/// that mix ASCII, valid multi-byte UTF-8 and invalid bytes, and hold malformed offsets to the table's errors.
/// </summary>
public class SurfaceNameScanTests
{
    private static (byte[] Bytes, int DynsymOffset, int EntrySize, int Entries, int DynstrOffset, int DynstrSize, int LongName) Fixture()
    {
        // 41 defined functions whose names all point at one 4000-byte name (see SymbolNameTests).
        var bytes = File.ReadAllBytes(Path.Combine(Paths.Fixtures, "abi", "overlapping-names", "liboverlap.so"));
        ElfSection dynsym, dynstr;
        using (var original = ElfImage.Parse(bytes.ToArray()))
        {
            dynsym = original.Sections.Single(s => s.Name == ".dynsym");
            dynstr = original.Sections[(int)dynsym.Link];
        }

        int entries = (int)(dynsym.Size / dynsym.EntrySize), longName = -1;
        for (int k = 0; k < entries; k++)
        {
            int name = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)dynsym.Offset + (k * (int)dynsym.EntrySize)));
            if (bytes.AsSpan((int)dynstr.Offset + name).IndexOf((byte)0) == 4000)
            {
                longName = name;
            }
        }

        Assert.True(longName > 0);
        return (bytes, (int)dynsym.Offset, (int)dynsym.EntrySize, entries, (int)dynstr.Offset, (int)dynstr.Size, longName);
    }

    private static IEnumerable<int> Defined(byte[] bytes, int dynsymOffset, int entrySize, int entries)
    {
        for (int k = 1; k < entries; k++)
        {
            if (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(dynsymOffset + (k * entrySize) + 6)) != 0)
            {
                yield return k;
            }
        }
    }

    [Fact]
    public void Ascii_utf8_and_invalid_names_read_as_the_files_bytes_and_readelf_say()
    {
        string readelf = Tools.Require("readelf", "binutils");
        var (bytes, dynsymOffset, entrySize, entries, dynstrOffset, _, longName) = Fixture();

        // Into the long name: two bytes that are not UTF-8, then a two-byte UTF-8 character and a three-byte one.
        int name = dynstrOffset + longName;
        bytes[name + 4] = 0xFF;
        bytes[name + 10] = 0xC3; // a lead byte without its continuation
        bytes[name + 20] = 0xC3;
        bytes[name + 21] = 0xA9;
        bytes[name + 30] = 0xE2;
        bytes[name + 31] = 0x82;
        bytes[name + 32] = 0xAC;

        // Each symbol names a suffix of it, 3 bytes further on than the last: the first ones hold every kind, the
        // later ones are plain ASCII; some start inside a character.
        var defined = Defined(bytes, dynsymOffset, entrySize, entries).ToArray();
        var expected = new List<byte[]>();
        for (int i = 0; i < defined.Length; i++)
        {
            int offset = longName + (3 * i);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(dynsymOffset + (defined[i] * entrySize)), (uint)offset);
            var raw = bytes.AsSpan(dynstrOffset + offset);
            expected.Add(raw[..raw.IndexOf((byte)0)].ToArray());
        }

        Assert.Contains(expected, e => !Utf8.IsValid(e));
        Assert.Contains(expected, e => Utf8.IsValid(e) && e.Any(b => b >= 0x80));
        Assert.Contains(expected, e => e.All(b => b < 0x80));

        // Read from a mapped file, and checked once it is unmapped: the surface holds copies of the names.
        string path = Path.Combine(Path.GetTempPath(), $"abi-sdk-namescan-{Environment.ProcessId}.so");
        File.WriteAllBytes(path, bytes);
        try
        {
            AbiSurface surface;
            using (var image = ElfImage.Open(path))
            {
                surface = AbiSurface.Of(image);
            }

            var byName = surface.Symbols.ToDictionary(s => s.Name);
            Assert.Equal(expected.Count, surface.Symbols.Length);
            foreach (var raw in expected)
            {
                // The decoded name is the bytes' (U+FFFD for what is not UTF-8); valid names keep their bytes as they are.
                var s = byName[Encoding.UTF8.GetString(raw)];
                Assert.Equal(Utf8.IsValid(raw) ? raw : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(raw)), s.NameUtf8.ToArray());
                Assert.Same(s, surface.Find(s.Name, null));
            }

            // readelf prints the same names (those it prints as they are: plain ASCII) in the same order.
            var (exit, stdout, _) = Tools.Run(readelf, ["--dyn-syms", "-W", path]);
            Assert.Equal(0, exit);
            var printed = stdout.Split('\n')
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 8 && f[3] == "FUNC" && f[4] == "GLOBAL" && f[6] != "UND")
                .Select(f => f[7])
                .ToArray();
            Assert.Equal(defined.Length, printed.Length);
            var ascii = expected.Where(e => e.All(b => b < 0x80)).Select(e => Encoding.ASCII.GetString(e)).ToArray();
            Assert.Equal(ascii, printed.Where(p => p.All(char.IsAscii)));
            Assert.Equal(ascii, surface.Symbols.Select(s => s.Spelling).Where(n => n.All(char.IsAscii)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_name_outside_the_string_table_or_running_past_its_end_is_the_tables_error()
    {
        var (bytes, dynsymOffset, entrySize, entries, dynstrOffset, dynstrSize, _) = Fixture();
        int first = Defined(bytes, dynsymOffset, entrySize, entries).First();

        // Outside the table.
        var outside = bytes.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(outside.AsSpan(dynsymOffset + (first * entrySize)), (uint)dynstrSize + 10);
        using (var image = ElfImage.Parse(outside))
        {
            var e = Assert.Throws<ElfFormatException>(() => AbiSurface.Of(image));
            Assert.Equal(dynstrOffset + dynstrSize + 10, e.Offset);
            Assert.Contains("outside the dynamic string table", e.Reason, StringComparison.Ordinal);
        }

        // The table's last bytes unterminated: a plain ASCII run that reaches the end is no name either.
        var unterminated = bytes.ToArray();
        unterminated.AsSpan(dynstrOffset + dynstrSize - 4, 4).Fill((byte)'x');
        BinaryPrimitives.WriteUInt32LittleEndian(unterminated.AsSpan(dynsymOffset + (first * entrySize)), (uint)dynstrSize - 3);
        using (var image = ElfImage.Parse(unterminated))
        {
            var e = Assert.Throws<ElfFormatException>(() => AbiSurface.Of(image));
            Assert.Equal(dynstrOffset + dynstrSize - 3, e.Offset);
            Assert.Contains("runs past the end", e.Reason, StringComparison.Ordinal);
        }
    }
}
