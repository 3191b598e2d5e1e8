using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Abi.Sdk.Reporting;

/// <summary>
/// Writes JSON as UTF-8 into a pooled buffer that is handed to the stream when full: the reports of large diffs run
/// to tens of megabytes, and <see cref="System.Text.Json.Utf8JsonWriter"/> costs a validation, a property-name
/// transcoding and an escaping check per call (and the reports a string per message). The layout is exactly
/// <see cref="System.Text.Json.Utf8JsonWriter"/>'s, indented (two spaces, <c>\n</c>) or not, and strings are escaped
/// by <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> as it escapes them; printable ASCII, the common case,
/// is copied without asking the encoder.
/// </summary>
/// <remarks>
/// The caller keeps the document well formed (this writer does not validate): property names are literal, already
/// escaped UTF-8. Shared by the SDK's reports and, compiled into it from this file, the tool's <c>symbols --json</c>.
/// </remarks>
internal sealed class ReportJsonWriter : IDisposable
{
    private const int BufferSize = 1 << 16;
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    // The ASCII characters the encoder leaves as they are; anything else is handed to it.
    private static readonly SearchValues<byte> SafeBytes = SearchValues.Create(SafeAscii().Select(c => (byte)c).ToArray());
    private static readonly SearchValues<char> SafeChars = SearchValues.Create(SafeAscii());

    // Whether the safe set is printable ASCII without '"' and '\\' (what the relaxed encoder leaves): then a
    // range check decides plainness, several times faster than the general set search on names of 70 bytes.
    private static readonly bool SafeIsPrintable = SafeAscii().SequenceEqual(Enumerable.Range(0x20, 0x5F).Select(c => (char)c).Where(c => c is not ('"' or '\\')));

    private readonly Stream? _stream; // null: a block kept in the buffer (BlockWriter)
    private readonly bool _indented;
    private byte[] _buffer;
    private int _pos;
    private int _depth;
    private bool _first = true; // no value yet in the current container
    private bool _afterName; // a property name was written; its value follows without a separator
    private byte[]?[] _separators = [];
    private List<byte[]>? _holes; // a Template's pieces

    public ReportJsonWriter(Stream stream, bool indented)
        : this(indented, BufferSize)
    {
        _stream = stream;
    }

    private ReportJsonWriter(bool indented, int capacity)
    {
        _indented = indented;
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>The nesting depth of what is written next (the reports' arrays of many values are at depth 2).</summary>
    public int Depth => _depth;

    /// <summary>Whether the layout is indented.</summary>
    public bool Indented => _indented;

    /// <summary>
    /// A writer that keeps what it writes in its own buffer, grown as needed, instead of handing it to a stream: a
    /// block of values of a larger document, written on another thread (<see cref="ReportBlocks"/>) and then copied
    /// in place with <see cref="RawBlock"/>. <see cref="StartBlock"/> sets where the block sits.
    /// </summary>
    /// <param name="indented">The layout of the document.</param>
    /// <param name="capacity">The size of a block, so that the buffer is made once (grown by copies, it made the collector run).</param>
    public static ReportJsonWriter BlockWriter(bool indented, int capacity) => new(indented, capacity);

    /// <summary>Empties a <see cref="BlockWriter"/> for a block at <paramref name="depth"/>; <paramref name="first"/> when it opens its container.</summary>
    public void StartBlock(int depth, bool first)
    {
        _pos = 0;
        _depth = depth;
        _first = first;
        _afterName = false;
    }

    /// <summary>What a <see cref="BlockWriter"/> holds.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _pos);

    /// <summary>
    /// Values written by a <see cref="BlockWriter"/> at this writer's depth, in place: handed to the stream as they are
    /// when large (no copy through the buffer). The block was not empty, so the next value is preceded by a separator.
    /// </summary>
    public void RawBlock(ReadOnlySpan<byte> block)
    {
        if (_stream is not null && block.Length >= BufferSize)
        {
            Flush();
            _stream.Write(block);
        }
        else
        {
            Raw(block);
        }

        _first = false;
        _afterName = false;
    }

    /// <summary>Room for <paramref name="count"/> bytes, written by the caller and then committed with <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int count)
    {
        if (_pos + count > _buffer.Length)
        {
            Ensure(count);
        }

        return _buffer.AsSpan(_pos);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into <see cref="GetSpan"/>'s span.</summary>
    public void Advance(int count) => _pos += count;

    /// <summary>The decimal digits of <paramref name="value"/> into <paramref name="destination"/> (room for 20), as the invariant culture formats them.</summary>
    /// <returns>The number of bytes written.</returns>
    public static int FormatDigits(ulong value, Span<byte> destination)
    {
        value.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture);
        return written;
    }

    private static char[] SafeAscii()
    {
        var safe = new List<char>();
        for (char c = (char)0; c < 0x80; c++)
        {
            if (!Encoder.WillEncode(c))
            {
                safe.Add(c);
            }
        }

        return [.. safe];
    }

    public void StartObject()
    {
        BeforeValue();
        Byte((byte)'{');
        _depth++;
        _first = true;
    }

    public void StartObject(ReadOnlySpan<byte> name)
    {
        Name(name);
        StartObject();
    }

    public void EndObject() => End((byte)'}');

    public void StartArray()
    {
        BeforeValue();
        Byte((byte)'[');
        _depth++;
        _first = true;
    }

    public void StartArray(ReadOnlySpan<byte> name)
    {
        Name(name);
        StartArray();
    }

    public void EndArray() => End((byte)']');

    /// <summary>A property name (literal, already-escaped UTF-8); its value is the next thing written.</summary>
    public void Name(ReadOnlySpan<byte> name)
    {
        Separator();
        Ensure(name.Length + 4);
        _buffer[_pos++] = (byte)'"';
        name.CopyTo(_buffer.AsSpan(_pos));
        _pos += name.Length;
        _buffer[_pos++] = (byte)'"';
        _buffer[_pos++] = (byte)':';
        if (_indented)
        {
            _buffer[_pos++] = (byte)' ';
        }

        _afterName = true;
    }

    public void String(ReadOnlySpan<byte> name, string value)
    {
        Name(name);
        String(value);
    }

    public void String(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8)
    {
        Name(name);
        StringUtf8(utf8);
    }

    public void StringOrNull(ReadOnlySpan<byte> name, string? value)
    {
        Name(name);
        if (value is null)
        {
            Null();
        }
        else
        {
            String(value);
        }
    }

    public void Number(ReadOnlySpan<byte> name, long value)
    {
        Name(name);
        Number(value);
    }

    public void Number(ReadOnlySpan<byte> name, ulong value)
    {
        Name(name);
        Number(value);
    }

    public void Bool(ReadOnlySpan<byte> name, bool value)
    {
        Name(name);
        BeforeValue();
        Raw(value ? "true"u8 : "false"u8);
    }

    public void Null(ReadOnlySpan<byte> name)
    {
        Name(name);
        Null();
    }

    public void Null()
    {
        BeforeValue();
        Raw("null"u8);
    }

    public void Number(long value)
    {
        BeforeValue();
        Ensure(20);
        value.TryFormat(_buffer.AsSpan(_pos), out int n, default, CultureInfo.InvariantCulture);
        _pos += n;
    }

    public void Number(ulong value)
    {
        BeforeValue();
        Ensure(20);
        value.TryFormat(_buffer.AsSpan(_pos), out int n, default, CultureInfo.InvariantCulture);
        _pos += n;
    }

    /// <summary>Digits alone, where the caller writes the surrounding JSON as literal pieces.</summary>
    public void RawNumber(ulong value)
    {
        Ensure(20);
        _pos += FormatDigits(value, _buffer.AsSpan(_pos));
    }

    /// <summary>A string value from UTF-16.</summary>
    public void String(ReadOnlySpan<char> value)
    {
        BeforeValue();
        Byte((byte)'"');
        StringContent(value);
        Byte((byte)'"');
    }

    /// <summary>A string value from UTF-8 bytes (escaped as the encoder escapes them, ill-formed bytes included).</summary>
    public void StringUtf8(ReadOnlySpan<byte> utf8)
    {
        BeforeValue();
        Byte((byte)'"');
        StringContentUtf8(utf8);
        Byte((byte)'"');
    }

    /// <summary>Opens a string value whose content the caller writes in pieces (<see cref="StringContent"/>, <see cref="StringContentUtf8"/>).</summary>
    public void StartString()
    {
        BeforeValue();
        Byte((byte)'"');
    }

    /// <summary>Closes the string <see cref="StartString"/> opened.</summary>
    public void EndString() => Byte((byte)'"');

    /// <summary>
    /// Escaped UTF-16 text inside a string. Pieces escape as their concatenation does, as long as no piece boundary
    /// splits a surrogate pair (the callers' pieces are whole strings, names and literals).
    /// </summary>
    public void StringContent(ReadOnlySpan<char> value)
    {
        int safe = value.IndexOfAnyExcept(SafeChars);
        var ascii = safe < 0 ? value : value[..safe];
        if (!ascii.IsEmpty)
        {
            Ensure(ascii.Length);
            Ascii.FromUtf16(ascii, _buffer.AsSpan(_pos), out int n);
            _pos += n;
        }

        if (safe >= 0)
        {
            EscapeUtf16(value[safe..]);
        }
    }

    /// <summary>Escaped UTF-8 bytes inside a string.</summary>
    public void StringContentUtf8(ReadOnlySpan<byte> utf8)
    {
        if (IsPlain(utf8))
        {
            Raw(utf8);
            return;
        }

        int safe = utf8.IndexOfAnyExcept(SafeBytes);
        if (safe < 0)
        {
            Raw(utf8);
            return;
        }

        Raw(utf8[..safe]);
        EscapeUtf8(utf8[safe..]);
    }

    /// <summary>Whether the bytes would be copied as they are (printable ASCII without quote or backslash).</summary>
    public static bool IsPlain(ReadOnlySpan<byte> utf8)
    {
        if (!SafeIsPrintable)
        {
            return !utf8.ContainsAnyExcept(SafeBytes);
        }

        if (utf8.Length >= Vector256<byte>.Count && Vector256.IsHardwareAccelerated)
        {
            return IsPrintable(utf8);
        }

        // Short names (C functions, most versions): the general set search cost more than the test itself
        // (a third of the JSON report's plainness checks in callgrind).
        if (utf8.Length >= Vector128<byte>.Count && Vector128.IsHardwareAccelerated)
        {
            return IsPrintable128(utf8);
        }

        foreach (byte b in utf8)
        {
            if ((uint)(b - 0x20) >= 0x5F || b is (byte)'"' or (byte)'\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// As <see cref="IsPrintable"/>, 16 bytes at a time (16 to 31 bytes: two overlapping loads); also every longer
    /// name where 32-byte vectors are not accelerated (the last load overlaps the one before).
    /// </summary>
    internal static bool IsPrintable128(ReadOnlySpan<byte> utf8)
    {
        ref byte start = ref MemoryMarshal.GetReference(utf8);
        var low = Vector128.Create((byte)0x20);
        var width = Vector128.Create((byte)0x5F);
        var quote = Vector128.Create((byte)'"');
        var backslash = Vector128.Create((byte)'\\');
        nuint last = (nuint)(utf8.Length - Vector128<byte>.Count);
        for (nuint i = 0; ; i += (nuint)Vector128<byte>.Count)
        {
            if (i > last)
            {
                i = last;
            }

            var v = Vector128.LoadUnsafe(ref start, i);
            var bad = Vector128.GreaterThanOrEqual(v - low, width) | Vector128.Equals(v, quote) | Vector128.Equals(v, backslash);
            if (bad != Vector128<byte>.Zero)
            {
                return false;
            }

            if (i == last)
            {
                return true;
            }
        }
    }

    /// <summary>Whether the text would be written as its ASCII bytes (printable ASCII without quote or backslash).</summary>
    public static bool IsPlainText(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(SafeChars);

    /// <summary>Printable ASCII without quote or backslash, 32 bytes at a time (the last block overlaps; at least 32 bytes).</summary>
    private static bool IsPrintable(ReadOnlySpan<byte> utf8)
    {
        ref byte start = ref MemoryMarshal.GetReference(utf8);
        var low = Vector256.Create((byte)0x20);
        var width = Vector256.Create((byte)0x5F);
        var quote = Vector256.Create((byte)'"');
        var backslash = Vector256.Create((byte)'\\');
        nuint last = (nuint)(utf8.Length - Vector256<byte>.Count);
        for (nuint i = 0; ; i += (nuint)Vector256<byte>.Count)
        {
            if (i > last)
            {
                i = last;
            }

            var v = Vector256.LoadUnsafe(ref start, i);
            var bad = Vector256.GreaterThanOrEqual(v - low, width) | Vector256.Equals(v, quote) | Vector256.Equals(v, backslash);
            if (bad != Vector256<byte>.Zero)
            {
                return false;
            }

            if (i == last)
            {
                return true;
            }
        }
    }

    /// <summary>Literal bytes, already JSON.</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        if (_pos + bytes.Length > _buffer.Length)
        {
            Ensure(bytes.Length);
        }

        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    /// <summary>
    /// Members of the current object written as one literal piece (from <see cref="Fragment"/>), in place of the
    /// calls that made it: the reports' per-diagnostic constants (ID, title, severity) and property names.
    /// </summary>
    /// <param name="members">The piece, separators and indentation included.</param>
    /// <param name="endsWithName">Whether the piece ends with a property name, whose value is written next.</param>
    public void RawMembers(ReadOnlySpan<byte> members, bool endsWithName)
    {
        Raw(members);
        _first = false;
        _afterName = endsWithName;
    }

    /// <summary>
    /// What <paramref name="write"/> writes at this position (same depth and layout) when it comes first in its
    /// container (<paramref name="first"/>) or after another value, as bytes for <see cref="RawMembers"/>.
    /// </summary>
    public byte[] Fragment(Action<ReportJsonWriter> write, bool first)
    {
        using var stream = new MemoryStream();
        using (var fragment = new ReportJsonWriter(stream, _indented) { _depth = _depth, _first = first })
        {
            write(fragment);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Room for a whole value of at most <paramref name="max"/> bytes that the caller writes itself (from
    /// <see cref="Template"/> pieces), after the separator and indentation this position needs; then <see cref="EndRaw"/>.
    /// </summary>
    public Span<byte> BeginRaw(int max)
    {
        if (_afterName)
        {
            _afterName = false;
        }
        else if (!_first && _indented)
        {
            // The separator of every value after the first at this depth, made once per depth.
            var separator = _separators.Length > _depth && _separators[_depth] is { } made ? made : Separators(_depth);
            if (_pos + separator.Length + max > _buffer.Length)
            {
                Ensure(separator.Length + max);
            }

            separator.CopyTo(_buffer.AsSpan(_pos));
            _pos += separator.Length;
        }
        else
        {
            Separator();
        }

        _first = false;
        if (_pos + max > _buffer.Length)
        {
            Ensure(max);
        }

        return _buffer.AsSpan(_pos, max);
    }

    /// <summary>Commits the <paramref name="count"/> bytes written into <see cref="BeginRaw"/>'s span: one value.</summary>
    public void EndRaw(int count) => _pos += count;

    private byte[] Separators(int depth)
    {
        if (_separators.Length <= depth)
        {
            Array.Resize(ref _separators, depth + 1);
        }

        var separator = new byte[2 + (2 * depth)];
        separator.AsSpan().Fill((byte)' ');
        separator[0] = (byte)',';
        separator[1] = (byte)'\n';
        return _separators[depth] = separator;
    }

    /// <summary>
    /// What <paramref name="write"/> writes as one value at this position (same depth and layout, its separator left
    /// to <see cref="BeginRaw"/>), cut at each <see cref="Hole"/>: the literal pieces around the variable parts of a
    /// value the reports write tens of thousands of times.
    /// </summary>
    public byte[][] Template(Action<ReportJsonWriter> write)
    {
        using var stream = new MemoryStream();
        var pieces = new List<byte[]>();
        using (var template = new ReportJsonWriter(stream, _indented) { _depth = _depth, _afterName = true, _holes = pieces })
        {
            write(template);
            template.Flush();
            pieces.Add(stream.ToArray());
        }

        return [.. pieces];
    }

    /// <summary>In a <see cref="Template"/>: a value the caller writes (separator written, no bytes).</summary>
    public void Hole()
    {
        BeforeValue();
        Flush();
        var stream = (MemoryStream)_stream!;
        _holes!.Add(stream.ToArray());
        stream.SetLength(0);
    }

    /// <summary>A newline after the document, as the reports end.</summary>
    public void NewLine() => Byte((byte)'\n');

    /// <summary>Hands everything written to the stream.</summary>
    public void Flush()
    {
        if (_pos > 0 && _stream is not null)
        {
            _stream.Write(_buffer, 0, _pos);
            _pos = 0;
        }
    }

    public void Dispose()
    {
        Flush();
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void End(byte close)
    {
        _depth--;
        if (!_first && _indented)
        {
            Indent();
        }

        Byte(close);
        _first = false;
    }

    private void BeforeValue()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }

        Separator();
    }

    private void Separator()
    {
        if (!_first)
        {
            Byte((byte)',');
        }

        _first = false;
        if (_indented && _depth > 0)
        {
            Indent();
        }
    }

    private void Indent()
    {
        int n = 1 + (2 * _depth);
        Ensure(n);
        var span = _buffer.AsSpan(_pos, n);
        span.Fill((byte)' ');
        span[0] = (byte)'\n';
        _pos += n;
    }

    private void Byte(byte b)
    {
        if (_pos == _buffer.Length)
        {
            Ensure(1);
        }

        _buffer[_pos++] = b;
    }

    /// <summary>Room for <paramref name="count"/> more bytes: flushes, and grows the buffer for a single larger piece.</summary>
    private void Ensure(int count)
    {
        if (_pos + count <= _buffer.Length)
        {
            return;
        }

        if (_stream is null)
        {
            // A block keeps everything: grow, keeping what is written.
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_pos + count, _buffer.Length * 2));
            _buffer.AsSpan(0, _pos).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
            return;
        }

        Flush();
        if (count > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(count);
        }
    }

    private void EscapeUtf8(ReadOnlySpan<byte> utf8)
    {
        while (true)
        {
            Ensure(64);
            var status = Encoder.EncodeUtf8(utf8, _buffer.AsSpan(_pos), out int consumed, out int written, isFinalBlock: true);
            _pos += written;
            utf8 = utf8[consumed..];
            if (status == OperationStatus.Done)
            {
                return;
            }

            if (status != OperationStatus.DestinationTooSmall)
            {
                throw new ArgumentException("the text is not valid UTF-8", nameof(utf8));
            }

            Flush();
        }
    }

    private void EscapeUtf16(ReadOnlySpan<char> text)
    {
        // As Utf8JsonWriter does: escape the UTF-16 text, then transcode the escaped text.
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Min(text.Length, 4096) * 6 + 16);
        try
        {
            while (true)
            {
                var status = Encoder.Encode(text, chars, out int consumed, out int written, isFinalBlock: true);
                var escaped = chars.AsSpan(0, written);
                Ensure(Encoding.UTF8.GetMaxByteCount(written));
                if (Utf8.FromUtf16(escaped, _buffer.AsSpan(_pos), out _, out int bytes, replaceInvalidSequences: false) != OperationStatus.Done)
                {
                    throw new ArgumentException("the text is not valid UTF-16", nameof(text));
                }

                _pos += bytes;
                text = text[consumed..];
                if (status == OperationStatus.Done)
                {
                    return;
                }

                if (status != OperationStatus.DestinationTooSmall)
                {
                    throw new ArgumentException("the text is not valid UTF-16", nameof(text));
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
