using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// <see cref="AbiSymbolOrder"/> (the sorted removed and added lists of a diff) orders symbols exactly as
/// <c>Array.Sort</c> with <see cref="AbiSymbol.CompareTo"/> does: on the exported symbols of real libraries, and on
/// names built to hit every branch (shared prefixes across chunk boundaries, names that are prefixes of others,
/// equal names at several versions, non-ASCII names that fall back).
/// </summary>
public class SymbolOrderTests
{
    [Theory]
    [InlineData("libc.so.6")]
    [InlineData("libstdc++.so.6")]
    [InlineData("libLLVM-16.so.1")]
    [InlineData("libLLVM-15.so.1")]
    public void Real_surfaces_sort_as_CompareTo_sorts_them(string name)
    {
        var path = "/usr/lib/x86_64-linux-gnu/" + name;
        if (!File.Exists(path))
        {
            Assert.Skip($"{name} is not installed (apt-get install libllvm15 libllvm16); .ci/run installs it");
        }

        using var image = ElfImage.Open(path);
        var symbols = AbiSurface.Of(image).Symbols.ToArray();
        new Random(5).Shuffle(symbols);
        AssertSameOrder(symbols);
    }

    [Fact]
    public void Built_names_sort_as_CompareTo_sorts_them()
    {
        var random = new Random(17);
        string[] parts = ["_ZN4llvm", "_ZN4llv", "3foo", "3fo", "Ev", "E", "a", "aaaaaaaa", "aaaaaaa", "~", "@", ".", "_"];
        string?[] versions = [null, "V1", "V2", "LLVM_16", "V1.1"];
        var symbols = new List<AbiSymbol>();
        for (int i = 0; i < 5000; i++)
        {
            var name = string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => parts[random.Next(parts.Length)]));
            symbols.Add(new AbiSymbol(name, versions[random.Next(versions.Length)], random.Next(2) == 0, ElfSymbolType.Function));
        }

        AssertSameOrder([.. symbols]);

        // A name outside ASCII: the whole list is left to CompareTo.
        symbols.Add(new AbiSymbol("_ZN4llvm\u00e9", "V1", true, ElfSymbolType.Function));
        symbols.Add(new AbiSymbol("_ZN4llvm\U0001F600", "V1", true, ElfSymbolType.Function));
        symbols.Add(new AbiSymbol("_ZN4llvm\uffff", "V1", true, ElfSymbolType.Function));
        AssertSameOrder([.. symbols]);
    }

    private static void AssertSameOrder(AbiSymbol[] symbols)
    {
        var expected = (AbiSymbol[])symbols.Clone();
        Array.Sort(expected);
        var actual = (AbiSymbol[])symbols.Clone();
        AbiSymbolOrder.Sort(actual);

        // Symbols that compare equal (same name and version) may trade places; their spellings may not.
        Assert.Equal(expected.Select(s => (s.Name, s.Version)), actual.Select(s => (s.Name, s.Version)));
        for (int i = 1; i < actual.Length; i++)
        {
            Assert.True(actual[i - 1].CompareTo(actual[i]) <= 0);
        }
    }
}
