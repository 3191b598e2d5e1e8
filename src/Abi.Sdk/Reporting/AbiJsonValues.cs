using System.Globalization;
using Abi.Sdk.Abi;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The values of the ABI reports written straight from the model as UTF-8: a symbol's spelling from its mapped name
/// bytes and version, a diagnostic's subject, and its message formatted from the descriptor's format and arguments
/// as <see cref="AbiDiagnostic.Message"/> formats it (<see cref="string.Format(IFormatProvider, string, object[])"/>,
/// invariant culture), without building the strings. One instance per report: it remembers each descriptor's
/// parsed format.
/// </summary>
internal sealed class AbiJsonValues
{
    private readonly Dictionary<AbiDiagnosticDescriptor, MessagePlan?> _plans = new(ReferenceEqualityComparer.Instance);
    private AbiDiagnosticDescriptor? _lastDescriptor;
    private MessagePlan? _lastPlan;
    private readonly Dictionary<string, byte[]> _versions = new(StringComparer.Ordinal);

    // The last two versions spelled: a diagnostic about a symbol that moved alternates between two.
    private string? _lastVersion;
    private byte[] _lastVersionJson = [];
    private string? _otherVersion;
    private byte[] _otherVersionJson = [];
    private string? _plainText; // the last text argument found plain

    // The last two symbols whose names were checked for escaping: a diagnostic spells its symbol up to four times
    // (subject, old or new symbol, message), and an ABI1002 alternates between its old and new symbol.
    private AbiSymbol? _checkedA;
    private AbiSymbol? _checkedB;
    private bool _plainA;
    private bool _plainB;

    /// <summary>A symbol's <see cref="AbiSymbol.Spelling"/> as a string value.</summary>
    public void Spelling(ReportJsonWriter w, AbiSymbol symbol)
    {
        if (TryPlain(symbol, out var name, out var version, out int length))
        {
            // One piece: separator, quotes and spelling in one reserved span.
            var span = w.BeginRaw(length + 2);
            span[0] = (byte)'"';
            PutSpelling(span[1..], name, symbol.IsDefaultVersion, version);
            span[length + 1] = (byte)'"';
            w.EndRaw(length + 2);
            return;
        }

        w.StartString();
        SpellingContent(w, symbol);
        w.EndString();
    }

    /// <summary>A diagnostic's <see cref="AbiDiagnostic.Subject"/> as a string value.</summary>
    public void Subject(ReportJsonWriter w, AbiDiagnostic d)
    {
        if (d.GivenSubject is { } subject)
        {
            w.String(subject);
        }
        else if (d.Symbol is { } symbol)
        {
            Spelling(w, symbol);
        }
        else
        {
            w.String(d.Subject);
        }
    }

    /// <summary>A diagnostic's <see cref="AbiDiagnostic.Message"/> as a string value.</summary>
    public void Message(ReportJsonWriter w, AbiDiagnostic d)
    {
        var plan = Plan(d.Descriptor);
        if (plan is null || !plan.Fits(d, this))
        {
            // A format this writer does not interpret (alignment, format strings, odd surrogates): as the model formats it.
            w.String(d.Message);
            return;
        }

        w.StartString();
        for (int i = 0; i < plan.Literals.Length; i++)
        {
            w.Raw(plan.Literals[i]);
            if (i < plan.Arguments.Length)
            {
                Argument(w, d.Argument(plan.Arguments[i]));
            }
        }

        w.EndString();
    }

    /// <summary>Whether the symbol's name bytes are copied as they are (<see cref="ReportJsonWriter.IsPlain"/>), remembered for the last two symbols.</summary>
    private bool IsPlainName(AbiSymbol symbol)
    {
        if (ReferenceEquals(symbol, _checkedA))
        {
            return _plainA;
        }

        if (ReferenceEquals(symbol, _checkedB))
        {
            return _plainB;
        }

        bool plain = ReportJsonWriter.IsPlain(symbol.NameUtf8);
        (_checkedB, _plainB) = (_checkedA, _plainA);
        (_checkedA, _plainA) = (symbol, plain);
        return plain;
    }

    private void SpellingContent(ReportJsonWriter w, AbiSymbol symbol)
    {
        if (IsPlainName(symbol))
        {
            w.Raw(symbol.NameUtf8);
        }
        else
        {
            // Not plain ASCII: the name string escapes as the old writer escaped it (a lossy name's lone surrogate included).
            w.StringContent(symbol.Name);
        }

        if (symbol.Version is { } version)
        {
            w.Raw(symbol.IsDefaultVersion ? "@@"u8 : "@"u8);
            w.Raw(VersionJson(version));
        }
    }

    /// <summary>A version's escaped UTF-8, kept: a diff's symbols share a few version nodes (old and new alternate in a diagnostic).</summary>
    private byte[] VersionJson(string version)
    {
        if (ReferenceEquals(version, _lastVersion))
        {
            return _lastVersionJson;
        }

        if (ReferenceEquals(version, _otherVersion))
        {
            // Not swapped to the front: ABI1002 alternates two versions, and four reference writes each time cost more
            // than the look-up.
            return _otherVersionJson;
        }

        if (!_versions.TryGetValue(version, out var json))
        {
            json = Escaped(version);
            _versions.Add(version, json);
        }

        (_otherVersion, _otherVersionJson) = (_lastVersion, _lastVersionJson);
        _lastVersion = version;
        _lastVersionJson = json;
        return json;
    }

    /// <summary>
    /// Whether the symbol's spelling is its name bytes as they are, then <c>@@</c> or <c>@</c> and the version's
    /// escaped bytes (<paramref name="version"/>, null without a version): the spelling's length in JSON.
    /// Remembered for the last two symbols (SARIF checks a result's symbol again for its message).
    /// </summary>
    public bool TryPlain(AbiSymbol symbol, out byte[]? version, out int length)
    {
        version = null;
        length = 0;
        if (!IsPlainName(symbol))
        {
            return false;
        }

        length = symbol.NameUtf8.Length;
        if (symbol.Version is { } v)
        {
            version = VersionJson(v);
            length += version.Length + (symbol.IsDefaultVersion ? 2 : 1);
        }

        return true;
    }

    /// <summary>
    /// As <see cref="TryPlain(AbiSymbol, out byte[], out int)"/>, with the name's bytes read once and handed back
    /// (<paramref name="name"/>, for <see cref="PutSpelling(Span{byte}, ReadOnlySpan{byte}, bool, byte[])"/>) and
    /// without the last-two-symbols memo: the lists and the diagnostics' one-span path see a symbol once each, where
    /// the memo's look-ups and reference writes cost more than they saved (docs/perf-abi.md, round 6).
    /// </summary>
    public bool TryPlain(AbiSymbol symbol, out ReadOnlySpan<byte> name, out byte[]? version, out int length)
    {
        name = symbol.NameUtf8;
        version = null;
        length = name.Length;
        if (!ReportJsonWriter.IsPlain(name))
        {
            return false;
        }

        if (symbol.Version is { } v)
        {
            version = VersionJson(v);
            length += version.Length + (symbol.IsDefaultVersion ? 2 : 1);
        }

        return true;
    }

    /// <summary>Writes a spelling <see cref="TryPlain(AbiSymbol, out ReadOnlySpan{byte}, out byte[], out int)"/> accepted into <paramref name="destination"/>; its length.</summary>
    public static int PutSpelling(Span<byte> destination, ReadOnlySpan<byte> name, bool isDefaultVersion, byte[]? version)
    {
        int n = ReportBytes.Put(destination, 0, name);
        if (version is not null)
        {
            destination[n++] = (byte)'@';
            if (isDefaultVersion)
            {
                destination[n++] = (byte)'@';
            }

            n = ReportBytes.Put(destination, n, version);
        }

        return n;
    }

    /// <summary>Writes a spelling <see cref="TryPlain(AbiSymbol, out byte[], out int)"/> accepted into <paramref name="destination"/>; its length.</summary>
    public static int PutSpelling(Span<byte> destination, AbiSymbol symbol, byte[]? version) =>
        PutSpelling(destination, symbol.NameUtf8, symbol.IsDefaultVersion, version);

    /// <summary>
    /// The message's plan and an upper bound of its escaped length when every argument is written without the
    /// encoder (plain symbols and text, integers); false for anything else, which <see cref="Message"/> writes.
    /// </summary>
    /// <remarks>
    /// <paramref name="oldLength"/> and <paramref name="newLength"/>: the spelling lengths the caller found already for
    /// the diagnostic's old and new symbol (-1: not known), which its message mostly repeats.
    /// </remarks>
    public bool TryPlainMessage(AbiDiagnostic d, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MessagePlan? plan, out int max, int oldLength = -1, int newLength = -1)
    {
        max = 0;
        plan = Plan(d.Descriptor);
        if (plan is null)
        {
            return false;
        }

        max = plan.LiteralLength;
        int count = d.ArgumentCount;
        var arguments = plan.Arguments;
        for (int i = 0; i < arguments.Length; i++)
        {
            int index = arguments[i];
            if (index >= count)
            {
                return false;
            }

            switch (d.Argument(index))
            {
                case null:
                    break;
                case AbiSymbol symbol:
                    if (oldLength >= 0 && ReferenceEquals(symbol, d.OldSymbol))
                    {
                        max += oldLength;
                    }
                    else if (newLength >= 0 && ReferenceEquals(symbol, d.NewSymbol))
                    {
                        max += newLength;
                    }
                    else if (TryPlain(symbol, out _, out int length))
                    {
                        max += length;
                    }
                    else
                    {
                        return false;
                    }

                    break;
                case string text:
                    // A diagnostic's text argument is mostly a version node, the same string object again and again.
                    if (!ReferenceEquals(text, _plainText))
                    {
                        if (!ReportJsonWriter.IsPlainText(text))
                        {
                            return false;
                        }

                        _plainText = text;
                    }

                    max += text.Length;
                    break;
                case int or long or uint or ulong or short or ushort or byte or sbyte:
                    max += 24;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Writes the content of a message <see cref="TryPlainMessage"/> accepted at <paramref name="n"/> of
    /// <paramref name="span"/>; a symbol already written at <paramref name="oldAt"/> or <paramref name="newAt"/>
    /// (its spelling's offset in the span, or -1) is copied from there.
    /// </summary>
    public void PutMessage(Span<byte> span, ref int n, AbiDiagnostic d, MessagePlan plan, int oldAt, int oldLength, int newAt, int newLength)
    {
        var literals = plan.Literals;
        var arguments = plan.Arguments;
        for (int i = 0; i < literals.Length; i++)
        {
            n = ReportBytes.Put(span, n, literals[i]);
            if (i >= arguments.Length)
            {
                break;
            }

            switch (d.Argument(arguments[i]))
            {
                case null:
                    break;
                case AbiSymbol symbol:
                    if (oldAt >= 0 && ReferenceEquals(symbol, d.OldSymbol))
                    {
                        n = ReportBytes.Put(span, n, span.Slice(oldAt, oldLength));
                    }
                    else if (newAt >= 0 && ReferenceEquals(symbol, d.NewSymbol))
                    {
                        n = ReportBytes.Put(span, n, span.Slice(newAt, newLength));
                    }
                    else
                    {
                        TryPlain(symbol, out var version, out _);
                        n += PutSpelling(span[n..], symbol, version);
                    }

                    break;
                case string text:
                    // Plain (checked above): its ASCII bytes are its JSON, kept already when it is a version.
                    if (ReferenceEquals(text, _lastVersion))
                    {
                        n = ReportBytes.Put(span, n, _lastVersionJson);
                    }
                    else if (ReferenceEquals(text, _otherVersion))
                    {
                        n = ReportBytes.Put(span, n, _otherVersionJson);
                    }
                    else
                    {
                        System.Text.Encoding.ASCII.GetBytes(text, span[n..]);
                        n += text.Length;
                    }

                    break;
                case var number:
                    ((IUtf8SpanFormattable)number).TryFormat(span[n..], out int digits, default, CultureInfo.InvariantCulture);
                    n += digits;
                    break;
            }
        }
    }

    private void Argument(ReportJsonWriter w, object? arg)
    {
        switch (arg)
        {
            case null:
                break;
            case string s:
                w.StringContent(s);
                break;
            case AbiSymbol symbol:
                SpellingContent(w, symbol);
                break;
            case int or long or uint or ulong or short or ushort or byte or sbyte:
                // Digits and a minus sign: nothing to escape.
                Span<byte> digits = stackalloc byte[24];
                ((IUtf8SpanFormattable)arg).TryFormat(digits, out int n, default, CultureInfo.InvariantCulture);
                w.Raw(digits[..n]);
                break;
            case IFormattable f:
                w.StringContent(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                w.StringContent(arg.ToString());
                break;
        }
    }

    private MessagePlan? Plan(AbiDiagnosticDescriptor descriptor)
    {
        if (ReferenceEquals(descriptor, _lastDescriptor))
        {
            return _lastPlan;
        }

        if (!_plans.TryGetValue(descriptor, out var plan))
        {
            plan = MessagePlan.Parse(descriptor.MessageFormat);
            _plans.Add(descriptor, plan);
        }

        _lastDescriptor = descriptor;
        _lastPlan = plan;
        return plan;
    }

    /// <summary>The JSON-escaped UTF-8 of a piece of text (without quotes).</summary>
    internal static byte[] Escaped(string text)
    {
        using var stream = new MemoryStream();
        using (var w = new ReportJsonWriter(stream, indented: false))
        {
            w.StringContent(text);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// A composite format of literal text and plain <c>{N}</c> items, the literal pieces already escaped; null for
    /// any other format (alignment, format strings, malformed braces), which is left to <see cref="string.Format(IFormatProvider, string, object[])"/>.
    /// </summary>
    internal sealed class MessagePlan
    {
        private MessagePlan(byte[][] literals, int[] arguments)
        {
            Literals = literals;
            Arguments = arguments;
            LiteralLength = literals.Sum(l => l.Length);
        }

        /// <summary>The length of all literal pieces.</summary>
        public int LiteralLength { get; }

        /// <summary>Literal pieces; one more than <see cref="Arguments"/>.</summary>
        public byte[][] Literals { get; }

        /// <summary>The argument index after each literal piece but the last.</summary>
        public int[] Arguments { get; }

        /// <summary>Whether every item has its argument and no argument could pair a surrogate across a piece boundary.</summary>
        public bool Fits(AbiDiagnostic d, AbiJsonValues values)
        {
            // The arguments are read one by one: a diagnostic about symbols builds no array of them.
            int count = d.ArgumentCount;
            foreach (int i in Arguments)
            {
                if (i >= count)
                {
                    return false; // string.Format throws; Message does that
                }
            }

            for (int i = 0; i < count; i++)
            {
                var arg = d.Argument(i);
                if (arg is string s && s.Length > 0 && (char.IsSurrogate(s[0]) || char.IsSurrogate(s[^1])))
                {
                    return false;
                }

                if (arg is AbiSymbol symbol && !values.IsPlainName(symbol) && symbol.Name is { Length: > 0 } name
                    && (char.IsSurrogate(name[0]) || char.IsSurrogate(name[^1])))
                {
                    return false;
                }
            }

            return true;
        }

        public static MessagePlan? Parse(string format)
        {
            var literals = new List<byte[]>();
            var arguments = new List<int>();
            var literal = new System.Text.StringBuilder();
            for (int i = 0; i < format.Length; i++)
            {
                char c = format[i];
                if (c == '}')
                {
                    if (i + 1 < format.Length && format[i + 1] == '}')
                    {
                        literal.Append('}');
                        i++;
                        continue;
                    }

                    return null;
                }

                if (c != '{')
                {
                    literal.Append(c);
                    continue;
                }

                if (i + 1 < format.Length && format[i + 1] == '{')
                {
                    literal.Append('{');
                    i++;
                    continue;
                }

                int end = format.IndexOf('}', i + 1);
                if (end < 0 || end == i + 1 || end - i - 1 > 6)
                {
                    return null;
                }

                int index = 0;
                foreach (char digit in format.AsSpan(i + 1, end - i - 1))
                {
                    if (digit is < '0' or > '9')
                    {
                        return null; // alignment, a format string or a malformed item
                    }

                    index = (index * 10) + (digit - '0');
                }

                if (!AddLiteral(literals, literal))
                {
                    return null;
                }

                arguments.Add(index);
                i = end;
            }

            return AddLiteral(literals, literal) ? new MessagePlan([.. literals], [.. arguments]) : null;
        }

        private static bool AddLiteral(List<byte[]> literals, System.Text.StringBuilder literal)
        {
            var text = literal.ToString();
            literal.Clear();
            if (text.Length > 0 && (char.IsSurrogate(text[0]) || char.IsSurrogate(text[^1])))
            {
                return false;
            }

            literals.Add(Escaped(text));
            return true;
        }
    }
}
