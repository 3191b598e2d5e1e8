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

    [Theory]
    [InlineData("libLLVM-15.so.1", "libLLVM-16.so.1")]
    [InlineData("libLLVM-16.so.1", "libLLVM-15.so.1")]
    public void Removed_and_added_lists_of_a_real_diff_sort_as_CompareTo_sorts_them(string oldName, string newName)
    {
        // The lists the JSON report sorts with two threads (45 791 removed names from libLLVM-15 to 16).
        string oldPath = "/usr/lib/x86_64-linux-gnu/" + oldName, newPath = "/usr/lib/x86_64-linux-gnu/" + newName;
        foreach (var (name, path) in new[] { (oldName, oldPath), (newName, newPath) })
        {
            if (!File.Exists(path))
            {
                Assert.Skip($"{name} is not installed (apt-get install libllvm15 libllvm16); .ci/run installs it");
            }
        }

        var diff = AbiComparer.Default.Compare(AbiSurface.Open(oldPath), AbiSurface.Open(newPath), TestContext.Current.CancellationToken);
        Assert.True(diff.RemovedSymbols.Length > 1000);
        foreach (var list in new[] { diff.RemovedSymbols, diff.AddedSymbols })
        {
            var symbols = list.ToArray();
            new Random(11).Shuffle(symbols);
            AssertSameOrder(symbols);
        }
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

    [Fact]
    public void Crafted_names_sort_as_CompareTo_sorts_them_on_one_thread_and_two()
    {
        // Long shared prefixes across chunk boundaries and the 32-byte cache, names that are prefixes of others,
        // the empty name, and names that differ only in the version: runs of every length the sort treats apart
        // (whole-name leaves, insertion, comparison and radix levels, and runs shared between two threads).
        var random = new Random(29);
        string[] stems = ["", "_ZN4llvm2cl3optIbLb0ENS0_6parserIbEEE", "_ZN4llvm2cl3optIbLb0ENS0_6parserIbEEEC", "_ZNK4llvm", "a"];
        string[] tails = ["", "C1Ev", "C2Ev", "D0Ev", "D1Ev", "D2Ev", "E", "Ev", "x", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"];
        string?[] versions = [null, "LLVM_15", "LLVM_16", "V1", ""];
        var names = new List<string>();
        for (int i = 0; i < 20000; i++)
        {
            names.Add(stems[random.Next(stems.Length)] + string.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => tails[random.Next(tails.Length)]))
                + (random.Next(3) == 0 ? random.Next(5000).ToString(System.Globalization.CultureInfo.InvariantCulture) : ""));
        }

        // The names in one NUL-separated buffer, as a surface keeps them (an empty name is only possible this way).
        var buffer = System.Text.Encoding.ASCII.GetBytes(string.Join('\0', names) + "\0");
        var symbols = new List<AbiSymbol>();
        int at = 0;
        foreach (var name in names)
        {
            symbols.Add(new AbiSymbol(buffer, at, name.Length, false, null, versions[random.Next(versions.Length)], random.Next(2) == 0, ElfSymbolType.Function, ElfSymbolBinding.Global, ElfSymbolVisibility.Default, 0));
            at += name.Length + 1;
        }

        Assert.Contains(symbols, s => s.NameUtf8.IsEmpty);

        AssertSameOrder([.. symbols]);

        // Twenty thousand copies of one name at two versions: a single run all the way down.
        AssertSameOrder([.. Enumerable.Range(0, 20000).Select(i => new AbiSymbol("_ZN4llvm2cl3optIbLb0ENS0_6parserIbEEE", i % 2 == 0 ? "LLVM_15" : "LLVM_16", true, ElfSymbolType.Function))]);
    }

    private static void AssertSameOrder(AbiSymbol[] symbols)
    {
        AssertSameOrder(symbols, parallel: false);
        AssertSameOrder(symbols, parallel: true);
    }

    private static void AssertSameOrder(AbiSymbol[] symbols, bool parallel)
    {
        var expected = (AbiSymbol[])symbols.Clone();
        Array.Sort(expected);
        var actual = (AbiSymbol[])symbols.Clone();
        AbiSymbolOrder.Sort(actual, parallel);

        // Symbols that compare equal (same name and version) may trade places; their spellings may not.
        Assert.Equal(expected.Select(s => (s.Name, s.Version)), actual.Select(s => (s.Name, s.Version)));
        for (int i = 1; i < actual.Length; i++)
        {
            Assert.True(actual[i - 1].CompareTo(actual[i]) <= 0);
        }
    }
}
