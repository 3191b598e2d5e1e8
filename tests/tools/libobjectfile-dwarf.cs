#:package LibObjectFile
// Why Abi.Sdk has its own DWARF reader (docs/dependencies.md): LibObjectFile (2.3.1, the version Directory.Packages.props pins) on what gcc 12 writes.
//   bash tests/Abi.Sdk.Tests/Fixtures/dwarf/make-fixtures.sh   # only to rebuild the committed fixtures
//   dotnet run tests/tools/libobjectfile-dwarf.cs -- tests/Abi.Sdk.Tests/Fixtures/dwarf/c-dwarf5-O0.so \
//       tests/Abi.Sdk.Tests/Fixtures/dwarf/c-dwarf4-O2.so tests/Abi.Sdk.Tests/Fixtures/dwarf/c-dwarf4-O0.so \
//       /usr/lib/x86_64-linux-gnu/debug/libstdc++.so.6
using LibObjectFile.Dwarf;
using LibObjectFile.Elf;

foreach (var path in args)
{
    try
    {
        using var stream = File.OpenRead(path);
        var dwarf = DwarfFile.ReadFromElf(ElfFile.Read(stream));
        Console.WriteLine($"{Path.GetFileName(path)}: read, {dwarf.InfoSection.Units.Count} units");
    }
    catch (Exception ex)
    {
        Console.WriteLine($"{Path.GetFileName(path)}: {ex.GetType().FullName}: {ex.Message.Split('\n')[0]}");
    }
}
