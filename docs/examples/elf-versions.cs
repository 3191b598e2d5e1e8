#:project ../../src/Abi.Sdk/Abi.Sdk.csproj
// What does a library export, by GNU version node, and what does it need from others?
//   dotnet run docs/examples/elf-versions.cs -- tests/Abi.Sdk.Tests/Fixtures/elf/libversioned.so
//   dotnet run docs/examples/elf-versions.cs -- /usr/lib/x86_64-linux-gnu/libc.so.6
using Abi.Sdk.Elf;

var path = args.Length > 0 ? args[0] : "/usr/lib/x86_64-linux-gnu/libc.so.6";
using var lib = ElfImage.Open(path);                      // memory-mapped; symbols are decoded as they are read

Console.WriteLine($"{lib.Soname ?? Path.GetFileName(path)}: {lib.Header.Class} {lib.Header.Machine}, " +
                  $"{lib.DynamicSymbols.Count - 1} dynamic symbols, needs {string.Join(", ", lib.Needed)}");

// The version nodes it defines, each with the node it inherits from, and what it exports there.
foreach (var node in lib.VersionDefinitions.Where(v => !v.IsBase))
{
    var exports = lib.DynamicSymbols
        .Where(s => s.IsDefined && !s.IsVersionMarker && s.Version == node)
        .Select(s => s.IsDefaultVersion ? s.Name : s.Name + " (hidden, for old binaries)")
        .Order(StringComparer.Ordinal)
        .ToList();
    var inherits = node.Predecessors.IsEmpty ? "" : $" <- {string.Join(", ", node.Predecessors)}";
    var weak = (node.Flags & ElfVersionFlags.Weak) != 0 ? " [weak]" : "";
    Console.WriteLine($"  {node.Name}{inherits}{weak}: {exports.Count} symbols");
    foreach (var name in exports.Take(8))
    {
        Console.WriteLine($"    {name}");
    }

    if (exports.Count > 8)
    {
        Console.WriteLine($"    … and {exports.Count - 8} more");
    }
}

// The versions it requires, by the library that must provide them: what a target system must offer.
foreach (var need in lib.VersionNeeds)
{
    var versions = need.Versions.Select(v => v.IsWeak ? v.Name + " (weak)" : v.Name);
    Console.WriteLine($"  needs from {need.FileName}: {string.Join(", ", versions)}");
}
