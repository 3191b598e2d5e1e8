using System.Text.Json;

namespace Abi.Cli.Commands;

/// <summary>What the commands' JSON output needs beyond <see cref="Utf8JsonWriter"/>.</summary>
internal static class JsonWriterExtensions
{
    /// <summary>Writes the property as a string, or as <c>null</c> when there is no value.</summary>
    public static void WriteStringOrNull(this Utf8JsonWriter w, string property, string? value)
    {
        if (value is null)
        {
            w.WriteNull(property);
        }
        else
        {
            w.WriteString(property, value);
        }
    }
}
