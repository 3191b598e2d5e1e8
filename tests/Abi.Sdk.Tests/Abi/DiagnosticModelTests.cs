using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// The diagnostics' lazily built parts (issue 17): a removed, moved or added symbol's diagnostic holds only its
/// symbols, and builds its arguments, message and subject when read; others hold what they were given. Whatever is
/// read first, and from however many threads, each reads as the descriptor's format of its arguments.
/// </summary>
public class DiagnosticModelTests
{
    private static void AssertConsistent(AbiDiagnostic d, bool argumentsFirst)
    {
        string message;
        object?[] args;
        if (argumentsFirst)
        {
            args = [.. d.MessageArguments];
            message = d.Message;
        }
        else
        {
            message = d.Message;
            args = [.. d.MessageArguments];
        }

        Assert.Equal(string.Format(CultureInfo.InvariantCulture, d.Descriptor.MessageFormat, args), message);
        Assert.Equal(message, d.Message);
        Assert.Equal(d.ToString(), $"{d.Id} {AbiSeverities.Name(d.Severity)}: {message}");
        if (d.Symbol is { } symbol && d.Id is "ABI1001" or "ABI1002" or "ABI1003")
        {
            Assert.Equal(symbol.Spelling, d.Subject);
        }
    }

    [Fact]
    public void Real_pair_messages_are_the_format_of_their_arguments_whichever_is_read_first()
    {
        var (o, n) = RealLibraryTests.Require("libtinfo.so.5", "libtinfo.so.6", "libtinfo5");
        var token = TestContext.Current.CancellationToken;
        for (int order = 0; order < 2; order++)
        {
            var diff = AbiComparer.Default.Compare(AbiSurface.Open(o), AbiSurface.Open(n), token);
            Assert.Contains(diff.Diagnostics, d => d.Id == "ABI1002");
            Assert.Contains(diff.Diagnostics, d => d.Id == "ABI1010"); // given arguments and subject
            foreach (var d in diff.Diagnostics)
            {
                AssertConsistent(d, argumentsFirst: order == 0);
            }
        }
    }

    [Fact]
    public void Copies_with_another_severity_read_the_same_and_threads_agree()
    {
        var (o, n) = RealLibraryTests.Require("libtinfo.so.5", "libtinfo.so.6", "libtinfo5");
        var token = TestContext.Current.CancellationToken;
        var oldSurface = AbiSurface.Open(o);
        var newSurface = AbiSurface.Open(n);
        var plain = AbiComparer.Default.Compare(oldSurface, newSurface, token);
        var reviewed = AbiComparer.Default.WithSeverity("ABI1002", AbiSeverity.NeedsReview).WithSeverity("ABI1010", AbiSeverity.Compatible)
            .Compare(oldSurface, newSurface, token);
        Assert.Equal(plain.Diagnostics.Length, reviewed.Diagnostics.Length);

        // Every thread reads every diagnostic's message, arguments and subject at once; all see the same strings.
        var seen = new string[4][];
        Parallel.For(0, seen.Length, t =>
        {
            seen[t] = [.. reviewed.Diagnostics.Select(d => t % 2 == 0 ? $"{d.Message}|{d.Subject}|{d.MessageArguments.Count}" : $"{d.MessageArguments.Count}|{d.Subject}|{d.Message}")
                .Select(s => string.Join('|', s.Split('|').Order(StringComparer.Ordinal)))];
        });
        for (int t = 1; t < seen.Length; t++)
        {
            Assert.Equal(seen[0], seen[t]);
        }

        for (int i = 0; i < plain.Diagnostics.Length; i++)
        {
            var (p, r) = (plain.Diagnostics[i], reviewed.Diagnostics[i]);
            Assert.Equal(p.Id, r.Id);
            Assert.Equal(p.Message, r.Message);
            Assert.Equal(p.Subject, r.Subject);
            Assert.Equal(p.MessageArguments, r.MessageArguments);
            Assert.Equal(p.Id switch { "ABI1002" => AbiSeverity.NeedsReview, "ABI1010" => AbiSeverity.Compatible, _ => p.Severity }, r.Severity);
            AssertConsistent(r, argumentsFirst: i % 2 == 0);
        }
    }

    [Fact]
    public void Symbol_names_and_spellings_decode_once_and_keep_their_bytes()
    {
        var symbol = new AbiSymbol("caf\u00e9", "V_1", isDefaultVersion: true, ElfSymbolType.Function);
        var bytes = symbol.NameUtf8.ToArray();
        Assert.Equal("caf\u00e9@@V_1", symbol.Spelling);
        Assert.Same(symbol.Name, symbol.Name);
        Assert.Same(symbol.Spelling, symbol.Spelling);
        Assert.Equal(bytes, symbol.NameUtf8.ToArray());

        var (o, _) = RealLibraryTests.Require("libtinfo.so.5", "libtinfo.so.6", "libtinfo5");
        using var image = ElfImage.Open(o);
        var surface = AbiSurface.Of(image);
        var expected = image.DynamicSymbols.Where(AbiSurface.IsExported).Select(s => (s.Name, Version: s.Version?.Name)).ToArray();
        Assert.Equal(expected.Length, surface.Symbols.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // Decoding replaces the buffer field with a holder of it: the bytes stay the file's.
            var s = surface.Symbols[i];
            var before = s.NameUtf8.ToArray();
            Assert.Equal(expected[i].Name, s.Name);
            Assert.Equal(expected[i].Version is null ? s.Name : $"{s.Name}{(s.IsDefaultVersion ? "@@" : "@")}{s.Version}", s.Spelling);
            Assert.Equal(before, s.NameUtf8.ToArray());
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(expected[i].Name), before);
        }
    }
}
