using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Abi.Cli.Commands;

/// <summary>Buffered byte output to stdout: the tool prints large listings, so it writes UTF-8 bytes, not strings.</summary>
internal sealed class Output : IDisposable
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };
    private readonly Stream _stream;
    private readonly Stream _unbuffered;

    public Output()
    {
        _unbuffered = StandardOutputStream.Open();
        _stream = new BufferedStream(_unbuffered, 1 << 16);
    }

    public Stream Stream => _stream;

    /// <summary>
    /// Standard output itself, for a writer that hands it whole buffers (the SDK's JSON and SARIF reports write
    /// 64 KiB at a time): through <see cref="Stream"/> each buffer was copied once more, 36 MB for a large diff.
    /// </summary>
    public Stream Unbuffered
    {
        get
        {
            _stream.Flush();
            return _unbuffered;
        }
    }

    public void Write(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    public void Write(string text)
    {
        Span<byte> buffer = text.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(text.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        int n = Encoding.UTF8.GetBytes(text, buffer);
        _stream.Write(buffer[..n]);
    }

    public void WriteLine(string text)
    {
        Write(text);
        _stream.WriteByte((byte)'\n');
    }

    public void NewLine() => _stream.WriteByte((byte)'\n');

    /// <summary>Writes one JSON value on one line.</summary>
    public void JsonLine(Action<Utf8JsonWriter> write)
    {
        using (var writer = new Utf8JsonWriter(_stream, JsonOptions))
        {
            write(writer);
        }

        _stream.WriteByte((byte)'\n');
    }

    public void Dispose() => _stream.Flush();
}
