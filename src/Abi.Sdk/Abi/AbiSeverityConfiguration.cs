using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Abi.Sdk.Abi;

/// <summary>A settings or suppression file is malformed: names the file, the byte offset and the reason.</summary>
public sealed class AbiConfigurationFormatException : AbiSdkFormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The file, or <see langword="null"/> for in-memory text.</param>
    /// <param name="offset">The byte offset where the problem was found.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public AbiConfigurationFormatException(string? fileName, long offset, string reason, Exception? inner = null)
        : base(fileName, offset, reason, inner)
    {
    }
}

/// <summary>
/// Severity overrides by diagnostic ID, from code or from a settings file:
/// <code>{ "diagnostics": { "ABI1003": "none", "ABI1006": "incompatible" } }</code>
/// Severities: <c>none</c> (suppress), <c>compatible</c>, <c>needs-review</c>, <c>incompatible</c>. Immutable.
/// </summary>
public sealed class AbiSeverityConfiguration
{
    private AbiSeverityConfiguration(ImmutableDictionary<string, AbiSeverity> overrides) => Overrides = overrides;

    /// <summary>No overrides.</summary>
    public static AbiSeverityConfiguration Empty { get; } = new(ImmutableDictionary.Create<string, AbiSeverity>(StringComparer.Ordinal));

    /// <summary>The overrides by ID.</summary>
    public ImmutableDictionary<string, AbiSeverity> Overrides { get; }

    /// <summary>The effective severity of a descriptor: its override, else its default.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <returns>The severity.</returns>
    public AbiSeverity GetSeverity(AbiDiagnosticDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return Overrides.TryGetValue(descriptor.Id, out var s) ? s : descriptor.DefaultSeverity;
    }

    /// <summary>A copy with one override.</summary>
    /// <param name="id">The diagnostic ID.</param>
    /// <param name="severity">The severity.</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public AbiSeverityConfiguration With(string id, AbiSeverity severity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new(Overrides.SetItem(id, severity));
    }

    /// <summary>A copy with <paramref name="other"/>'s overrides applied over these.</summary>
    /// <param name="other">The other configuration.</param>
    /// <returns>The merged configuration.</returns>
    public AbiSeverityConfiguration Merge(AbiSeverityConfiguration other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Overrides.SetItems(other.Overrides));
    }

    /// <summary>Reads a settings file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="AbiConfigurationFormatException">The file is not a well-formed settings file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AbiSeverityConfiguration Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = IO.RegularFile.OpenRead(path);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), path);
    }

    /// <summary>Parses settings JSON.</summary>
    /// <param name="utf8Json">The file's bytes.</param>
    /// <param name="fileName">A label for errors.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="AbiConfigurationFormatException">The JSON is malformed, a severity is unknown or an unknown property appears.</exception>
    public static AbiSeverityConfiguration Parse(ReadOnlySpan<byte> utf8Json, string? fileName = null)
    {
        var options = new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        if (IO.JsonInputCheck.Check(utf8Json, options, AbiBaseline.MaxTokenSize) is { } bad)
        {
            AbiThrow.Configuration(fileName, bad.Offset, bad.Reason);
        }

        var reader = new Utf8JsonReader(utf8Json, options);
        var overrides = ImmutableDictionary.CreateBuilder<string, AbiSeverity>(StringComparer.Ordinal);
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, fileName);
            while (Read(ref reader, fileName) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString();
                if (property != "diagnostics")
                {
                    AbiThrow.Configuration(fileName, reader.TokenStartIndex, $"unknown property '{property}' (expected \"diagnostics\")");
                }

                Expect(ref reader, JsonTokenType.StartObject, fileName);
                while (Read(ref reader, fileName) && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var id = reader.GetString()!;
                    Expect(ref reader, JsonTokenType.String, fileName);
                    var text = reader.GetString();
                    if (!AbiSeverities.TryParse(text, out var severity))
                    {
                        AbiThrow.Configuration(fileName, reader.TokenStartIndex, $"unknown severity '{text}' for {id} (expected none, compatible, needs-review or incompatible)");
                    }

                    overrides[id] = severity;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new AbiConfigurationFormatException(fileName, ex.BytePositionInLine ?? 0, $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}: {ex.Message}", ex);
        }

        return new(overrides.ToImmutable());
    }

    /// <summary>Writes the overrides as a settings file, IDs in order.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            w.WriteStartObject();
            w.WriteStartObject("diagnostics");
            foreach (var (id, severity) in Overrides.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(id, AbiSeverities.Name(severity));
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static bool Read(ref Utf8JsonReader reader, string? fileName)
    {
        if (!reader.Read())
        {
            AbiThrow.Configuration(fileName, reader.BytesConsumed, "unexpected end of the settings file");
        }

        return true;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string? fileName)
    {
        Read(ref reader, fileName);
        if (reader.TokenType != type)
        {
            AbiThrow.Configuration(fileName, reader.TokenStartIndex, $"expected {type} but found {reader.TokenType}");
        }
    }
}
