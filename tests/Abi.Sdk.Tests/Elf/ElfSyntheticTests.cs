using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;
using Lof = LibObjectFile.Elf;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// Files no compiler emits, written with LibObjectFile: every symbol type, binding and visibility, special section
/// indices, OS ABIs that change readelf's spelling, in all four classes and byte orders — read by the model and
/// compared with readelf.
/// </summary>
public class ElfSyntheticTests
{
    public static TheoryData<Lof.ElfFileClass, Lof.ElfEncoding, byte> Layouts => new()
    {
        { Lof.ElfFileClass.Is64, Lof.ElfEncoding.Lsb, 3 },
        { Lof.ElfFileClass.Is64, Lof.ElfEncoding.Msb, 0 },
        { Lof.ElfFileClass.Is32, Lof.ElfEncoding.Lsb, 0 },
        { Lof.ElfFileClass.Is32, Lof.ElfEncoding.Msb, 3 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_symbol_kind_matches_readelf(Lof.ElfFileClass fileClass, Lof.ElfEncoding encoding, byte osAbi)
    {
        var readelf = Tools.Require("readelf", "binutils");
        var elf = new Lof.ElfFile(fileClass == Lof.ElfFileClass.Is64 ? Lof.ElfArch.PPC64 : Lof.ElfArch.PPC, fileClass, encoding)
        {
            FileType = Lof.ElfFileType.Dynamic,
            OSABI = osAbi == 3 ? Lof.ElfOSABIEx.GNU : Lof.ElfOSABIEx.NONE,
        };
        var text = new Lof.ElfStreamSection(Lof.ElfSectionSpecialType.Text, new MemoryStream(new byte[64]));
        elf.Add(text);
        var dynstr = new Lof.ElfStringTable(".dynstr", 1024);
        elf.Add(dynstr);
        var dynsym = new Lof.ElfSymbolTable(isDynamic: true) { Link = dynstr, Name = ".dynsym" };
        elf.Add(dynsym);
        elf.Add(new Lof.ElfSectionHeaderStringTable());
        elf.Add(new Lof.ElfSectionHeaderTable());
        var symbols = new List<Lof.ElfSymbol>();

        int n = 0;
        foreach (var type in Enum.GetValues<Lof.ElfSymbolType>())
        {
            foreach (var bind in Enum.GetValues<Lof.ElfSymbolBind>())
            {
                var visibility = (Lof.ElfSymbolVisibility)(n % 4);
                var link = (n % 3) switch { 0 => (Lof.ElfSectionLink)text, 1 => Lof.ElfSectionLink.SectionAbsolute, _ => Lof.ElfSectionLink.SectionCommon };
                symbols.Add(new Lof.ElfSymbol
                {
                    Name = $"sym{n}_{type}_{bind}",
                    Type = type,
                    Bind = bind,
                    Visibility = visibility,
                    SectionLink = link,
                    Value = (ulong)n * 16,
                    Size = n % 5 == 0 ? 123_456UL : (ulong)n,
                });
                n++;
            }
        }

        symbols.Add(new Lof.ElfSymbol { Name = "undefined_ref", Bind = Lof.ElfSymbolBind.Global, Type = Lof.ElfSymbolType.Function });
        // LibObjectFile (like the ELF specification) wants the local symbols first.
        dynsym.Entries.AddRange(symbols.OrderBy(s => s.Bind == Lof.ElfSymbolBind.Local ? 0 : 1));
        var dir = Directory.CreateTempSubdirectory("abi-elf-synthetic-");
        try
        {
            var path = Path.Combine(dir.FullName, "synthetic.so");
            using (var stream = File.Create(path))
            {
                elf.Write(stream);
            }

            using var image = ElfImage.Open(path);
            Assert.Equal(fileClass == Lof.ElfFileClass.Is64 ? ElfClass.Elf64 : ElfClass.Elf32, image.Header.Class);
            Assert.Equal(encoding == Lof.ElfEncoding.Lsb ? ElfDataEncoding.LittleEndian : ElfDataEncoding.BigEndian, image.Header.DataEncoding);
            Assert.Equal(n + 2, image.DynamicSymbols.Count);
            Assert.False(image.DynamicSymbols.HasVersions);
            var reference = ReadelfComparison.Run(readelf, path);
            var errors = new List<string>();
            ReadelfComparison.Compare(path, image, reference, errors);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
            Assert.Contains(image.DynamicSymbols, s => s.Type == ElfSymbolType.GnuIndirectFunction && s.Binding == ElfSymbolBinding.GnuUnique);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
