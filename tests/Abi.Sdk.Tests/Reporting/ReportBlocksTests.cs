using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Abi.Sdk.Reporting;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// <see cref="ReportBlocks"/> writes an array's values on two threads; the reference is
/// <see cref="Utf8JsonWriter"/> writing the same values in order on one thread (same layout and escaping), for
/// every block size from one item to more than all of them, and a failing item leaves the output one thread
/// would have left. <see cref="ReportJsonWriter.FormatDigits"/> is checked against the invariant culture's digits.
/// </summary>
public class ReportBlocksTests
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Item(int i) => i % 7 == 0 ? $"é\"{i}\"\t" : $"item {i} " + new string('x', i % 50);

    [Theory]
    [InlineData(true, 0, 3)]
    [InlineData(true, 1, 1)]
    [InlineData(true, 1000, 1)]
    [InlineData(true, 1000, 7)]
    [InlineData(true, 1000, 999)]
    [InlineData(true, 1000, 1000)]
    [InlineData(true, 1000, 5000)]
    [InlineData(false, 20000, 64)]
    [InlineData(false, 20000, 1000)]
    public void Blocks_give_the_bytes_of_one_writer_in_order(bool indented, int count, int blockSize)
    {
        var reference = new MemoryStream();
        using (var u = new Utf8JsonWriter(reference, indented ? Indented : Compact))
        {
            u.WriteStartObject();
            u.WriteString("before", "x");
            u.WriteStartArray("values");
            for (int i = 0; i < count; i++)
            {
                u.WriteStartObject();
                u.WriteString("name", Item(i));
                u.WriteNumber("n", (ulong)i * 1_000_003);
                u.WriteEndObject();
            }

            u.WriteEndArray();
            u.WriteNumber("after", 1);
            u.WriteEndObject();
        }

        var output = new MemoryStream();
        using (var w = new ReportJsonWriter(output, indented))
        {
            using var blocks = new ReportBlocks(indented, depth: 2, count, blockSize, 1 << 10, () => (b, start, end) =>
            {
                for (int i = start; i < end; i++)
                {
                    b.StartObject();
                    b.String("name"u8, Item(i));
                    b.Number("n"u8, (ulong)i * 1_000_003);
                    b.EndObject();
                }
            });
            w.StartObject();
            w.String("before"u8, "x");
            w.StartArray("values"u8);
            blocks.WriteTo(w);
            w.EndArray();
            w.Number("after"u8, 1L);
            w.EndObject();
        }

        Assert.Equal(Encoding.UTF8.GetString(reference.ToArray()), Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(4999)]
    [InlineData(12345)]
    public void A_failing_item_leaves_what_one_thread_would_have_written(int failing)
    {
        static void Values(ReportJsonWriter b, int start, int end, int failing)
        {
            for (int i = start; i < end; i++)
            {
                if (i == failing)
                {
                    throw new InvalidDataException($"item {i}");
                }

                b.String(Item(i));
            }
        }

        var serial = new MemoryStream();
        var serialError = Assert.Throws<InvalidDataException>(() =>
        {
            using var w = new ReportJsonWriter(serial, indented: true);
            w.StartObject();
            w.StartArray("values"u8);
            Values(w, 0, 20000, failing);
        });

        var parallel = new MemoryStream();
        var parallelError = Assert.Throws<InvalidDataException>(() =>
        {
            using var w = new ReportJsonWriter(parallel, indented: true);
            using var blocks = new ReportBlocks(indented: true, depth: 2, 20000, 1000, 1 << 10, () => (b, start, end) => Values(b, start, end, failing));
            w.StartObject();
            w.StartArray("values"u8);
            blocks.WriteTo(w);
        });

        Assert.Equal(serialError.Message, parallelError.Message);
        Assert.Equal(serial.ToArray(), parallel.ToArray());
    }

    [Fact]
    public void Digits_are_the_invariant_cultures()
    {
        var values = new List<ulong> { 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 9999, 10000, 99999, 100000, ulong.MaxValue, ulong.MaxValue - 1, long.MaxValue, uint.MaxValue };
        for (ulong p = 1; p <= 10_000_000_000_000_000_000UL && p != 0; p *= 10)
        {
            values.Add(p - 1);
            values.Add(p);
            values.Add(p + 1);
            if (p > ulong.MaxValue / 10)
            {
                break;
            }
        }

        var random = new Random(17);
        for (int i = 0; i < 10000; i++)
        {
            values.Add((ulong)random.NextInt64() >> random.Next(64));
        }

        Span<byte> buffer = stackalloc byte[20];
        foreach (var value in values)
        {
            int n = ReportJsonWriter.FormatDigits(value, buffer);
            Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer[..n]));
        }
    }
}
