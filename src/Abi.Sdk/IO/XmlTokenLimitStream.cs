namespace Abi.Sdk.IO;

/// <summary>
/// Passes XML bytes through and fails once one token runs past a limit: a tag with its attributes, a text node, or a
/// comment, CDATA section or processing instruction. <see cref="System.Xml.XmlReader"/> buffers a whole attribute or
/// text node as UTF-16 before handing it over (a 400 MB attribute costs gigabytes); this stops it at the limit, in
/// constant memory, before the reader sees the bytes.
/// </summary>
internal sealed class XmlTokenLimitStream(Stream inner, long limit) : ReadOnlyForwardStream
{
    private enum State
    {
        Normal,     // text or a tag: a token ends where the next '<' starts one ('<' is never literal inside either)
        AfterLt,    // just read '<': '!' or '?' opens a token that may hold '<'
        AfterBang,  // read "<!": '-' opens a comment, '[' a CDATA section, anything else a declaration
        Comment,    // ends at "-->"
        CData,      // ends at "]]>"
        Pi,         // ends at "?>"
        Declaration, // ends at '>'
    }

    private long _read;
    private long _run;
    private long _tokenStart;
    private State _state;
    private byte _previous1;
    private byte _previous2;

    protected override long BytesRead => _read;

    /// <summary>Thrown when a token is longer than the limit; the readers turn it into their format error.</summary>
    internal sealed class TokenTooLargeException(long offset, long limit)
        : Exception($"an XML token (a tag with its attributes, a text node, a comment or CDATA section) at byte {offset} is longer than {limit} bytes")
    {
        public long Offset { get; } = offset;
    }

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Scan(buffer[..n]);
        _read += n;
        return n;
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (_state == State.Normal)
            {
                // Fast path: jump to the next '<'.
                int lt = bytes[i..].IndexOf((byte)'<');
                int span = lt < 0 ? bytes.Length - i : lt;
                Grow(span);
                if (lt < 0)
                {
                    return;
                }

                _tokenStart = _read + i + lt;
                i += lt + 1;
                _run = 1;
                _state = State.AfterLt;
                continue;
            }

            byte b = bytes[i++];
            Grow(1);
            _state = _state switch
            {
                State.AfterLt => b == '!' ? State.AfterBang : b == '?' ? State.Pi : State.Normal,
                State.AfterBang => b == '-' ? State.Comment : b == '[' ? State.CData : State.Declaration,
                State.Comment when b == '>' && _previous1 == '-' && _previous2 == '-' => State.Normal,
                State.CData when b == '>' && _previous1 == ']' && _previous2 == ']' => State.Normal,
                State.Pi when b == '>' && _previous1 == '?' => State.Normal,
                State.Declaration when b == '>' => State.Normal,
                var same => same,
            };
            _previous2 = _previous1;
            _previous1 = b;
        }
    }

    private void Grow(long count)
    {
        _run += count;
        if (_run > limit)
        {
            throw new TokenTooLargeException(_tokenStart, limit);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
