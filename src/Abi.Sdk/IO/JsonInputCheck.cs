using System.Text.Json;
using System.Text.Unicode;

namespace Abi.Sdk.IO;

/// <summary>
/// One pass over JSON input before it is parsed: every string must be valid UTF-8 without lone surrogates (else
/// <c>GetString</c> throws a bare <see cref="InvalidOperationException"/> deep in the reader) and no token may be longer
/// than a limit (a 100 MB name would cost the document and its string copies many times that).
/// </summary>
internal static class JsonInputCheck
{
    /// <summary>Where and why <paramref name="json"/> breaks those rules, or <see langword="null"/> when it does not (malformed JSON is left to the parser's own error).</summary>
    public static (long Offset, string Reason)? Check(ReadOnlySpan<byte> json, JsonReaderOptions options, int maxTokenSize)
    {
        var reader = new Utf8JsonReader(json, options);
        try
        {
            while (reader.Read())
            {
                var value = reader.ValueSpan;
                if (value.Length > maxTokenSize)
                {
                    return (reader.TokenStartIndex, $"a JSON token of {value.Length} bytes is longer than the limit of {maxTokenSize} bytes");
                }

                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                {
                    continue;
                }

                if (!reader.ValueIsEscaped)
                {
                    if (!Utf8.IsValid(value))
                    {
                        return (reader.TokenStartIndex, "a JSON string is not valid UTF-8");
                    }

                    continue;
                }

                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return (reader.TokenStartIndex, "a JSON string is not valid UTF-8 or holds a lone surrogate (\\ud800-\\udfff)");
                }
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the parser that follows reports it with its line.
        }

        return null;
    }
}
