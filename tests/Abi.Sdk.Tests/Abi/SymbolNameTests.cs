using System.Collections.Immutable;
using System.Text;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

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
        var symbols = names.Select(n => new AbiSymbol(n, null, false, AbiSymbolKind.Function)).ToArray();
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
            Assert.Same(s, surface.FindCounterpart(new AbiSymbol(s.Name, null, false, AbiSymbolKind.Object)));
        }

        Assert.Null(surface.Find("x\uDC00", null));
        Assert.Null(surface.Find(string.Empty, null));
    }
}
