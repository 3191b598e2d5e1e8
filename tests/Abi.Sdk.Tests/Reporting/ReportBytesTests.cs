using Abi.Sdk.Reporting;

namespace Abi.Sdk.Tests.Reporting;

/// <summary>
/// <see cref="ReportBytes.Put"/>, the inline copy of the JSON reports' short pieces, against <see cref="Span{T}.CopyTo"/>:
/// every length through the 16-, 8- and 4-byte paths and past the inline limit, at every offset of a 16-byte block,
/// with the bytes around the copy left as they were; and a destination too short is refused, not overrun.
/// </summary>
public class ReportBytesTests
{
    [Fact]
    public void Copies_as_CopyTo_does_at_every_length_and_offset()
    {
        var source = new byte[400];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (byte)((i * 7) + 3);
        }

        for (int length = 0; length <= 300; length++)
        {
            for (int at = 0; at < 16; at++)
            {
                var expected = Enumerable.Repeat((byte)0xEE, at + length + 20).ToArray();
                var actual = (byte[])expected.Clone();
                var piece = source.AsSpan(at, length); // a source at every alignment too
                piece.CopyTo(expected.AsSpan(at));
                int end = ReportBytes.Put(actual, at, piece);
                Assert.Equal(at + length, end);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void Copies_from_earlier_in_the_same_span()
    {
        var buffer = new byte[200];
        for (int i = 0; i < 70; i++)
        {
            buffer[i] = (byte)('A' + (i % 26));
        }

        int end = ReportBytes.Put(buffer, 100, buffer.AsSpan(0, 70));
        Assert.Equal(170, end);
        Assert.Equal(buffer.AsSpan(0, 70).ToArray(), buffer.AsSpan(100, 70).ToArray());
    }

    [Theory]
    [InlineData(10, 0, 11)]
    [InlineData(10, 5, 6)]
    [InlineData(10, 11, 0)]
    [InlineData(40, 30, 20)]
    public void Refuses_a_destination_too_short(int size, int at, int length)
    {
        var destination = new byte[size];
        var source = new byte[length];
        Assert.Throws<ArgumentException>(() => ReportBytes.Put(destination, at, source));
    }
}
