using System.Globalization;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// <see cref="ElfRelocationTable.MarkSymbolReferences"/> (the compatibility checker's pass over every relocation of
/// every checked program) against readelf: the symbol index of each relocation from the r_info word readelf prints,
/// copy relocations by readelf's type name; ELF64 with addends (the fast path), ELF32 ARM and i386 without.
/// </summary>
public class RelocationSymbolMarksTests
{
    public static TheoryData<string> Files => new()
    {
        "/usr/bin/bash",                           // copy relocations, a thousand relative ones
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        Path.Combine(Paths.Fixtures, "loader-accept", "arm", "main"),
        Path.Combine(Paths.Fixtures, "elf", "libversioned-i686.so"),
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Marks_the_symbols_readelf_lists_for_the_relocations(string file)
    {
        var readelf = Tools.Require("readelf", "binutils");
        if (!File.Exists(file))
        {
            Assert.Skip($"{file} is not on this machine");
        }

        using var image = ElfImage.Open(file);
        var marks = new byte[image.DynamicSymbols.Count];
        image.DynamicRelocations.MarkSymbolReferences(marks);

        var expected = new byte[marks.Length];
        int rows = 0;
        var (_, stdout, _) = Tools.Run(readelf, ["-rW", file]);
        foreach (var line in stdout.Split('\n'))
        {
            // "OFFSET  INFO  TYPE ...": the rows of the relocation sections.
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || !fields[2].StartsWith("R_", StringComparison.Ordinal) || !ulong.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var info))
            {
                continue;
            }

            rows++;
            uint symbol = image.Header.Class == ElfClass.Elf64 ? (uint)(info >> 32) : (uint)(info >> 8);
            if (symbol == 0 || symbol >= expected.Length)
            {
                continue;
            }

            if (fields[2].EndsWith("_COPY", StringComparison.Ordinal))
            {
                expected[symbol] = 2;
            }
            else if (expected[symbol] == 0)
            {
                expected[symbol] = 1;
            }
        }

        Assert.Equal(rows, image.DynamicRelocations.Count);
        Assert.Contains(expected, m => m != 0);
        Assert.Equal(expected, marks);
    }
}
