using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// The JSON and SARIF reports are written as UTF-8 straight from the model (<see cref="ReportJsonWriter"/>); the
/// reference is what System.Text.Json's <see cref="Utf8JsonWriter"/> writes for the same document, as the reports
/// were written before: <see cref="AbiJsonReport.WriteObject"/> (still the writer of the object embedded in the
/// distribution reports) and <see cref="SarifReference"/>, the former SARIF writer kept here. Inputs: every ABI
/// fixture pair, the real library pairs, and synthetic symbols and messages with every kind of character the
/// escaping treats differently.
/// </summary>
public class ReportJsonWriterTests
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";

    public static TheoryData<string> FixturePairs()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "abi", "abi-types" })
        {
            foreach (var pair in Directory.GetDirectories(Path.Combine(Paths.Fixtures, dir)).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(pair, "v1.so")) && File.Exists(Path.Combine(pair, "v2.so")))
                {
                    data.Add(Path.Combine(dir, Path.GetFileName(pair)));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixturePairs))]
    public void Fixture_pairs_are_written_as_utf8jsonwriter_writes_them(string pair)
    {
        var v1 = Path.Combine(Paths.Fixtures, pair, "v1.so");
        var v2 = Path.Combine(Paths.Fixtures, pair, "v2.so");
        using var i1 = ElfImage.Open(v1);
        using var i2 = ElfImage.Open(v2);
        AssertSameAsReference(AbiComparer.Default.Compare(AbiSurface.Of(i1), AbiSurface.Of(i2), AbiTypeGraph.Load(i1), AbiTypeGraph.Load(i2), TestContext.Current.CancellationToken));
        AssertSameAsReference(AbiComparer.Default.Compare(AbiSurface.Of(i2), AbiSurface.Of(i1), TestContext.Current.CancellationToken));
    }

    /// <summary>A split DWARF pair whose <c>.dwo</c> files stayed behind: the units not found, in JSON and SARIF.</summary>
    [Fact]
    public void Missing_split_units_are_written_as_utf8jsonwriter_writes_them()
    {
        var alone = Directory.CreateTempSubdirectory("abi-writer-dwo-");
        try
        {
            foreach (var v in new[] { "v1", "v2" })
            {
                File.Copy(Path.Combine(Paths.Fixtures, "dwarf-gaps", $"split-{v}.so"), Path.Combine(alone.FullName, $"split-{v}.so"));
            }

            using var i1 = ElfImage.Open(Path.Combine(alone.FullName, "split-v1.so"));
            using var i2 = ElfImage.Open(Path.Combine(alone.FullName, "split-v2.so"));
            var diff = AbiComparer.Default.Compare(AbiSurface.Of(i1), AbiSurface.Of(i2), AbiTypeGraph.Load(i1), AbiTypeGraph.Load(i2), TestContext.Current.CancellationToken);
            Assert.Equal(2, diff.MissingSplitUnits.Length);
            AssertSameAsReference(diff);
        }
        finally
        {
            alone.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("libtinfo.so.5", "libtinfo.so.6", "libtinfo5")]
    [InlineData("libboost_filesystem.so.1.74.0", "libboost_filesystem.so.1.81.0", "libboost-filesystem1.74.0 libboost-filesystem1.81.0")]
    [InlineData("libLLVM-15.so.1", "libLLVM-16.so.1", "libllvm15 libllvm16")]
    public void Real_library_pairs_are_written_as_utf8jsonwriter_writes_them(string oldName, string newName, string packages)
    {
        var (o, n) = Abi.RealLibraryTests.Require(oldName, newName, packages);
        AssertSameAsReference(AbiComparer.Default.Compare(AbiSurface.Open(o), AbiSurface.Open(n), TestContext.Current.CancellationToken));
    }

    /// <summary>Names, versions and messages with quotes, backslashes, controls, DEL, HTML characters, non-ASCII, astral characters and lone surrogates; formats the fast path interprets and those it leaves to string.Format.</summary>
    [Fact]
    public void Odd_names_and_message_formats_are_written_as_utf8jsonwriter_writes_them()
    {
        string[] names =
        [
            "plain", "quote\"d", "back\\slash", "tab\there", "nl\nx", "ctl\u0001\u001f", "del\u007f", "<html>&'+`", "caf\u00e9",
            "arrow\u2192", "line\u2028sep", "emoji\U0001F600", "lone\ud800", "\udc00first", "private\ue000", "nbsp\u00a0", "bom\ufeff",
            "repl\ufffd", "slash/", "_ZN4llvm3fooEv",
        ];
        string?[] versions = [null, "V1", "V\"2", "V\u00e9", "V\ud800"];
        var oldSymbols = new List<AbiSymbol>();
        var newSymbols = new List<AbiSymbol>();
        for (int i = 0; i < names.Length; i++)
        {
            var version = versions[i % versions.Length];
            oldSymbols.Add(new AbiSymbol(names[i], version, i % 2 == 0, i % 3 == 0 ? ElfSymbolType.Object : ElfSymbolType.Function, size: (ulong)i));
            newSymbols.Add(new AbiSymbol(names[i] + "2", version, true, ElfSymbolType.Function));
        }

        var oldSurface = new AbiSurface("dir/odd \"old\".so", "libodd.so.1", ElfClass.Elf64, ElfMachine.X86_64, ["libc.so.6"], [new AbiVersionNode("V1", [])], [.. oldSymbols]);
        var newSurface = new AbiSurface(Path.Combine(Path.GetTempPath(), "odd new\u00e9.so"), "libodd\u2192.so.2", ElfClass.Elf64, ElfMachine.X86_64, ["libm.so.6"], [new AbiVersionNode("V\u00e9", [])], [.. newSymbols]);
        var comparer = AbiComparer.Default.WithRules(new OddMessagesRule());
        AssertSameAsReference(comparer.Compare(oldSurface, newSurface, TestContext.Current.CancellationToken));
        AssertSameAsReference(comparer.WithSeverity("ODD003", AbiSeverity.None).Compare(newSurface, oldSurface, TestContext.Current.CancellationToken));
    }

    /// <summary>Strings and UTF-8 bytes (ill-formed ones included) as values, against <see cref="Utf8JsonWriter"/> with the same encoder, compact and indented.</summary>
    [Fact]
    public void Strings_and_bytes_escape_as_utf8jsonwriter_escapes_them()
    {
        var random = new Random(17);
        char[] alphabet = ['a', 'Z', '0', ' ', '"', '\\', '/', '<', '&', '\'', '+', '`', '\u0000', '\u0008', '\t', '\n', '\f', '\r', '\u001b', '\u007f', '\u0080', '\u00a0', '\u00e9', '\u0300', '\u2028', '\u2192', '\ud800', '\udc00', '\ue000', '\ufeff', '\ufffd', '\uffff'];
        for (int round = 0; round < 2000; round++)
        {
            var chars = new char[random.Next(0, 40)];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            foreach (bool indented in new[] { false, true })
            {
                Assert.Equal(Reference(w => { w.WriteStartArray(); w.WriteStringValue(text); w.WriteEndArray(); }, indented), Fast(w => { w.StartArray(); w.String(text); w.EndArray(); }, indented));
            }

            var bytes = new byte[random.Next(0, 24)];
            random.NextBytes(bytes);
            if (round % 2 == 0)
            {
                bytes = [.. Encoding.UTF8.GetBytes(text), .. bytes.Where(b => b < 0x80)];
            }

            string? expected;
            try
            {
                expected = Reference(w => { w.WriteStartObject(); w.WriteString("name", bytes); w.WriteEndObject(); }, false);
            }
            catch (ArgumentException)
            {
                expected = null; // ill-formed UTF-8: both refuse it
            }

            if (expected is null)
            {
                Assert.Throws<ArgumentException>(() => Fast(w => { w.StartObject(); w.String("name"u8, bytes); w.EndObject(); }, false));
            }
            else
            {
                Assert.Equal(expected, Fast(w => { w.StartObject(); w.String("name"u8, bytes); w.EndObject(); }, false));
            }
        }
    }

    /// <summary>Nesting, empty containers, numbers, booleans and nulls lay out as Utf8JsonWriter lays them out.</summary>
    [Fact]
    public void Structure_lays_out_as_utf8jsonwriter_lays_it_out()
    {
        foreach (bool indented in new[] { false, true })
        {
            var expected = Reference(
                w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("empty");
                    w.WriteEndArray();
                    w.WriteStartObject("none");
                    w.WriteEndObject();
                    w.WriteNumber("min", long.MinValue);
                    w.WriteNumber("max", ulong.MaxValue);
                    w.WriteBoolean("t", true);
                    w.WriteNull("n");
                    w.WriteStartArray("list");
                    w.WriteStartObject();
                    w.WriteString("a", "b");
                    w.WriteEndObject();
                    w.WriteStartArray();
                    w.WriteNumberValue(0);
                    w.WriteNullValue();
                    w.WriteEndArray();
                    w.WriteStringValue("x");
                    w.WriteEndArray();
                    w.WriteEndObject();
                },
                indented);
            var actual = Fast(
                w =>
                {
                    w.StartObject();
                    w.StartArray("empty"u8);
                    w.EndArray();
                    w.StartObject("none"u8);
                    w.EndObject();
                    w.Number("min"u8, long.MinValue);
                    w.Number("max"u8, ulong.MaxValue);
                    w.Bool("t"u8, true);
                    w.Null("n"u8);
                    w.StartArray("list"u8);
                    w.StartObject();
                    w.String("a"u8, "b");
                    w.EndObject();
                    w.StartArray();
                    w.Number(0L);
                    w.Null();
                    w.EndArray();
                    w.String("x");
                    w.EndArray();
                    w.EndObject();
                },
                indented);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>
    /// A value written as one reserved span from <see cref="ReportJsonWriter.Template"/>'s pieces with its holes filled
    /// lays out as the same value written call by call, first in its array or after another, compact and indented.
    /// </summary>
    [Fact]
    public void Templates_with_their_holes_filled_lay_out_as_utf8jsonwriter_lays_them_out()
    {
        foreach (bool indented in new[] { false, true })
        {
            var expected = Reference(
                w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("items");
                    for (int i = 0; i < 3; i++)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", "X1");
                        w.WriteString("name", "n" + i);
                        w.WriteStartObject("inner");
                        w.WriteString("text", "t" + i);
                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteStringValue("s" + i);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                },
                indented);
            var actual = Fast(
                w =>
                {
                    w.StartObject();
                    w.StartArray("items"u8);
                    var pieces = w.Template(f =>
                    {
                        f.StartObject();
                        f.String("id"u8, "X1");
                        f.Name("name"u8);
                        f.Hole();
                        f.StartObject("inner"u8);
                        f.Name("text"u8);
                        f.Hole();
                        f.EndObject();
                        f.EndObject();
                    });
                    Assert.Equal(3, pieces.Length);
                    for (int i = 0; i < 3; i++)
                    {
                        var value = Encoding.ASCII.GetBytes($"{Encoding.ASCII.GetString(pieces[0])}\"n{i}\"{Encoding.ASCII.GetString(pieces[1])}\"t{i}\"{Encoding.ASCII.GetString(pieces[2])}");
                        var span = w.BeginRaw(value.Length);
                        value.CopyTo(span);
                        w.EndRaw(value.Length);
                        var text = Encoding.ASCII.GetBytes($"\"s{i}\"");
                        span = w.BeginRaw(text.Length);
                        text.CopyTo(span);
                        w.EndRaw(text.Length);
                    }

                    w.EndArray();
                    w.EndObject();
                },
                indented);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>The plainness test (range checks by length: scalar, 16 and 32 bytes at a time) agrees with the encoder on every byte at every position of names of 0 to 70 bytes.</summary>
    [Fact]
    public void Plainness_agrees_with_the_encoder_at_every_length()
    {
        var encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        for (int length = 0; length <= 70; length++)
        {
            for (int b = 0; b < 256; b++)
            {
                for (int at = 0; at < length; at += Math.Max(1, length / 5))
                {
                    var bytes = Enumerable.Repeat((byte)'a', length).ToArray();
                    bytes[at] = (byte)b;
                    bool expected = b < 0x80 && !encoder.WillEncode(b);
                    Assert.Equal(expected, ReportJsonWriter.IsPlain(bytes));
                    if (length >= 16)
                    {
                        // The 16-byte path alone, as a machine without 32-byte vectors takes it for every length: it
                        // once checked only the first and the last 16 bytes of a longer name.
                        Assert.Equal(expected, ReportJsonWriter.IsPrintable128(bytes));
                    }
                }
            }
        }

        Assert.True(ReportJsonWriter.IsPlainText("LLVM_15"));
        Assert.False(ReportJsonWriter.IsPlainText("caf\u00e9"));
        Assert.False(ReportJsonWriter.IsPlainText("a\"b"));
    }

    /// <summary>A long string is split across many flushes of the pooled buffer.</summary>
    [Fact]
    public void Strings_longer_than_the_buffer_are_written_whole()
    {
        var text = string.Concat(Enumerable.Repeat("ab\"c\u00e9\U0001F600\n", 40_000));
        Assert.Equal(Reference(w => w.WriteStringValue(text), false), Fast(w => w.String(text), false));
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(Reference(w => w.WriteStringValue(bytes), false), Fast(w => w.StringUtf8(bytes), false));
    }

    private static void AssertSameAsReference(AbiDiff diff)
    {
        // The fast writers first: the reference reads Subject and Message, which the model then keeps as strings.
        using var actualJson = new MemoryStream();
        diff.WriteJson(actualJson);
        using var actualSarif = new MemoryStream();
        diff.WriteSarif(actualSarif);

        using var expectedJson = new MemoryStream();
        using (var w = new Utf8JsonWriter(expectedJson, AbiJsonReport.Options))
        {
            AbiJsonReport.WriteObject(w, diff);
        }

        expectedJson.WriteByte((byte)'\n');
        AssertSameBytes(expectedJson.ToArray(), actualJson.ToArray());
        using var expectedSarif = new MemoryStream();
        SarifReference.Write(diff, expectedSarif);
        AssertSameBytes(expectedSarif.ToArray(), actualSarif.ToArray());

        // Again, now that the model keeps its subjects and messages as strings (the writers read the subject string then).
        using var againJson = new MemoryStream();
        diff.WriteJson(againJson);
        AssertSameBytes(expectedJson.ToArray(), againJson.ToArray());
        using var againSarif = new MemoryStream();
        diff.WriteSarif(againSarif);
        AssertSameBytes(expectedSarif.ToArray(), againSarif.ToArray());
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            int at = expected.AsSpan().CommonPrefixLength(actual);
            int from = Math.Max(0, at - 200);
            Assert.Fail($"differs at byte {at} of {expected.Length} (actual {actual.Length}):\nexpected …{Encoding.UTF8.GetString(expected, from, Math.Min(expected.Length, at + 200) - from)}\nactual   …{Encoding.UTF8.GetString(actual, from, Math.Min(actual.Length, at + 200) - from)}");
        }
    }

    private static string Reference(Action<Utf8JsonWriter> write, bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" }))
        {
            write(w);
        }

        return Convert.ToHexString(stream.ToArray());
    }

    private static string Fast(Action<ReportJsonWriter> write, bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new ReportJsonWriter(stream, indented))
        {
            write(w);
        }

        return Convert.ToHexString(stream.ToArray());
    }

    /// <summary>Reports messages whose formats and arguments take every path of the message writer.</summary>
    private sealed class OddMessagesRule : AbiRule
    {
        private static readonly AbiDiagnosticDescriptor Plain = new("ODD001", "Odd \"plain\"", "Symbol '{0}' at {1} ({2}, {3}, {4}) {{literal}} caf\u00e9 \u2192 {0}", AbiChangeCategory.Changed, AbiSeverity.NeedsReview, null, "tab\tdescription");
        private static readonly AbiDiagnosticDescriptor Formatted = new("ODD002", "Odd formatted", "{0,-12}|{1:x8}|{2,5}|{3}", AbiChangeCategory.Changed, AbiSeverity.Incompatible, "https://example.invalid/ODD002");
        private static readonly AbiDiagnosticDescriptor Edges = new("ODD003", "Odd edges", "\ud800{0}\udc00 and {1}", AbiChangeCategory.Added, AbiSeverity.Compatible);
        private static readonly AbiDiagnosticDescriptor Empty = new("ODD004", "Odd empty", "{0}{1}{0}", AbiChangeCategory.Removed, AbiSeverity.Incompatible);

        public override ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; } = [Plain, Formatted, Edges, Empty];

        public override void Analyze(AbiComparisonContext context)
        {
            foreach (var s in context.RemovedSymbols)
            {
                context.Report(AbiDiagnostic.Create(Plain, null, s, null, s, s.Version, -42L, ulong.MaxValue, ElfSymbolBinding.Weak));
                context.Report(AbiDiagnostic.Create(Formatted, null, s, null, s.Name, 255, 3.5, null));
                context.Report(AbiDiagnostic.Create(Edges, "subject \"" + s.Name + "\"", null, s, s, "\udc00x\ud800"));
                context.Report(AbiDiagnostic.Create(Empty, "\u00e9", null, null, string.Empty, s.Name));
            }
        }
    }
}
