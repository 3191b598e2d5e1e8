using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Abi.Sdk.Abi;

/// <summary>
/// The <c>types</c> property of a version-2 baseline: the canonical type graph behind the exported symbols, every
/// type once (one compact JSON object per line, referred to by its index), then the declarations of the exported
/// functions and variables. Read back, the graph compares exactly as the graph built from the debug information.
/// </summary>
internal static class AbiBaselineTypes
{
    /// <summary>A raw value is written as given: each starts its own line, indented as the writer indents the array's elements.</summary>
    private static ReadOnlySpan<byte> LineStart => "\n      "u8;

    private static readonly JsonWriterOptions CompactOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(Utf8JsonWriter w, AbiTypeGraph graph)
    {
        w.WriteStartObject("types");
        if (!graph.HasDebugInfo)
        {
            w.WriteString("unavailable", graph.UnavailableReason);
            w.WriteEndObject();
            return;
        }

        if (graph.DebugFile is { } debugFile)
        {
            w.WriteString("debugFile", Path.GetFileName(debugFile));
        }
        else
        {
            w.WriteNull("debugFile");
        }

        // The files types are declared in, each once; a type refers to its file by index ("file").
        var files = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in graph.Types)
        {
            if (t.DeclarationFile is { } path)
            {
                files.TryAdd(path, files.Count);
            }
        }

        if (files.Count > 0)
        {
            w.WriteStartArray("files");
            foreach (var path in files.Keys)
            {
                w.WriteStringValue(path);
            }

            w.WriteEndArray();
        }

        // One line per type: the indented writer would spread a struct over dozens of lines.
        var buffer = new ArrayBufferWriter<byte>(256);
        using var line = new Utf8JsonWriter(buffer, CompactOptions);
        w.WriteStartArray("graph");
        foreach (var t in graph.Types)
        {
            buffer.ResetWrittenCount();
            buffer.Write(LineStart);
            line.Reset(buffer);
            WriteType(line, t, files);
            line.Flush();
            w.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
            Flush(w);
        }

        w.WriteEndArray();
        foreach (var (property, declarations) in new[] { ("functions", graph.Functions), ("variables", graph.Variables) })
        {
            w.WriteStartArray(property);
            foreach (var d in declarations.Values.OrderBy(d => d.SymbolName, StringComparer.Ordinal))
            {
                buffer.ResetWrittenCount();
                buffer.Write(LineStart);
                line.Reset(buffer);
                line.WriteStartObject();
                line.WriteString("symbol", d.SymbolName);
                if (d.Name != d.SymbolName)
                {
                    line.WriteString("name", d.Name);
                }

                if (d.LinkageName is { } linkage)
                {
                    line.WriteString("linkage", linkage);
                }

                line.WriteNumber("type", d.Type.Index);
                line.WriteEndObject();
                line.Flush();
                w.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
                Flush(w);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteType(Utf8JsonWriter w, AbiType t, Dictionary<string, int> files)
    {
        w.WriteStartObject();
        w.WriteString("kind", KindName(t.Kind));
        if (t.Name is { } name)
        {
            w.WriteString("name", name);
        }

        if (t.Size is { } size)
        {
            w.WriteNumber("size", size);
        }

        if (t.TargetIndex >= 0)
        {
            w.WriteNumber("target", t.TargetIndex);
        }

        if (t.Qualifiers != AbiQualifiers.None)
        {
            w.WriteNumber("qualifiers", (int)t.Qualifiers);
        }

        if (t.IsDeclarationOnly)
        {
            w.WriteBoolean("declarationOnly", true);
        }

        if (t.DeclarationFile is { } file)
        {
            w.WriteNumber("file", files[file]);
        }

        if (!t.Members.IsEmpty)
        {
            // [name, type, bit offset] or [name, type, bit offset, bit-field width]
            w.WriteStartArray("members");
            foreach (var m in t.Members)
            {
                w.WriteStartArray();
                if (m.Name is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteStringValue(m.Name);
                }

                w.WriteNumberValue(m.TypeIndex);
                w.WriteNumberValue(m.BitOffset);
                if (m.BitSize is { } width)
                {
                    w.WriteNumberValue(width);
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        if (!t.BaseClasses.IsEmpty)
        {
            w.WriteStartArray("bases"); // [type, byte offset, virtual]
            foreach (var b in t.BaseClasses)
            {
                w.WriteStartArray();
                w.WriteNumberValue(b.TypeIndex);
                w.WriteNumberValue(b.Offset);
                w.WriteBooleanValue(b.IsVirtual);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        if (!t.VirtualFunctions.IsEmpty)
        {
            w.WriteStartArray("virtuals"); // [name, linkage name or null, slot]
            foreach (var v in t.VirtualFunctions)
            {
                w.WriteStartArray();
                w.WriteStringValue(v.Name);
                if (v.LinkageName is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteStringValue(v.LinkageName);
                }

                w.WriteNumberValue(v.Slot);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        if (!t.Enumerators.IsEmpty)
        {
            w.WriteStartArray("enumerators"); // [name, value]
            foreach (var e in t.Enumerators)
            {
                w.WriteStartArray();
                w.WriteStringValue(e.Name);
                w.WriteNumberValue(e.Value);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        if (!t.Dimensions.IsEmpty)
        {
            w.WriteStartArray("dimensions");
            foreach (var d in t.Dimensions)
            {
                if (d is { } n)
                {
                    w.WriteNumberValue(n);
                }
                else
                {
                    w.WriteNullValue();
                }
            }

            w.WriteEndArray();
        }

        if (t.Kind == AbiTypeKind.Function)
        {
            w.WriteStartArray("parameters");
            foreach (var p in t.ParameterIndexes)
            {
                w.WriteNumberValue(p);
            }

            w.WriteEndArray();
            if (t.IsVariadic)
            {
                w.WriteBoolean("variadic", true);
            }
        }

        w.WriteEndObject();
    }

    /// <summary>Reads the <c>types</c> property; a graph that says why there are no types when the baseline recorded none.</summary>
    public static AbiTypeGraph Read(JsonElement types, string? fileName)
    {
        if (types.ValueKind == JsonValueKind.Null)
        {
            return AbiTypeGraph.Unavailable("the baseline was written without types");
        }

        if (types.ValueKind != JsonValueKind.Object)
        {
            Fail(fileName, $"\"types\" is {types.ValueKind}, expected an object");
        }

        if (types.TryGetProperty("unavailable", out var unavailable))
        {
            var reason = unavailable.ValueKind == JsonValueKind.String ? unavailable.GetString() : null;
            if (string.IsNullOrWhiteSpace(reason))
            {
                Fail(fileName, "\"types.unavailable\" must be a non-empty string");
            }

            return AbiTypeGraph.Unavailable($"the baseline records no types: {reason}");
        }

        var graph = Array(types, "graph", fileName);
        int count = graph.GetArrayLength();
        if (count == 0)
        {
            Fail(fileName, "\"types.graph\" is empty");
        }

        if (count > AbiTypeGraphBuilder.MaxTypes)
        {
            Fail(fileName, $"\"types.graph\" holds more than {AbiTypeGraphBuilder.MaxTypes} types");
        }

        // Optional (baselines written before declaration files were recorded have none).
        var files = new List<string>();
        if (types.TryGetProperty("files", out _))
        {
            foreach (var f in Array(types, "files", fileName).EnumerateArray())
            {
                files.Add(Str(f, "types.files entry", fileName));
            }
        }

        var assembler = new AbiTypeGraphAssembler();
        int i = 0;
        foreach (var e in graph.EnumerateArray())
        {
            var proto = ReadType(e, i, count, fileName);
            if (e.TryGetProperty("file", out _))
            {
                if (files.Count == 0)
                {
                    Fail(fileName, $"type {i}: file given, but \"types.files\" is absent");
                }

                proto.File = files[Index(e, "file", files.Count, fileName)];
            }

            i++;
            assembler.Add(proto, () => new AbiBaselineFormatException(fileName, 0, "too many types"));
        }

        foreach (var (property, function) in new[] { ("functions", true), ("variables", false) })
        {
            foreach (var d in Array(types, property, fileName).EnumerateArray())
            {
                if (d.ValueKind != JsonValueKind.Object)
                {
                    Fail(fileName, $"a \"{property}\" entry is {d.ValueKind}, expected an object");
                }

                var symbol = String(d, "symbol", fileName, required: true)!;
                int type = Index(d, "type", count, fileName);
                if (function && assembler[type].Kind != AbiTypeKind.Function)
                {
                    Fail(fileName, $"function {symbol}: type {type} is not a function type");
                }

                assembler.Declare(symbol, String(d, "name", fileName, required: false) ?? symbol, String(d, "linkage", fileName, required: false), function, type);
            }
        }

        string? debugFile = types.TryGetProperty("debugFile", out var df) && df.ValueKind == JsonValueKind.String ? df.GetString() : null;
        return assembler.Finish(debugFile ?? (fileName is null ? null : Path.GetFileName(fileName)));
    }

    private static AbiTypeGraphAssembler.Proto ReadType(JsonElement e, int index, int count, string? fileName)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            Fail(fileName, $"type {index} is {e.ValueKind}, expected an object");
        }

        var p = new AbiTypeGraphAssembler.Proto
        {
            Kind = ParseKind(String(e, "kind", fileName, required: true)!, index, fileName),
            Name = String(e, "name", fileName, required: false),
        };
        if (e.TryGetProperty("size", out var size))
        {
            p.Size = Number(size, $"type {index}: size", fileName);
        }

        if (e.TryGetProperty("target", out _))
        {
            p.Target = Index(e, "target", count, fileName);
        }
        else if (p.Kind is AbiTypeKind.Pointer or AbiTypeKind.LValueReference or AbiTypeKind.RValueReference or AbiTypeKind.PointerToMember
            or AbiTypeKind.Qualified or AbiTypeKind.Typedef or AbiTypeKind.Array or AbiTypeKind.Function)
        {
            Fail(fileName, $"type {index} ({KindName(p.Kind)}) has no target");
        }

        if (e.TryGetProperty("qualifiers", out var q))
        {
            ulong bits = Number(q, $"type {index}: qualifiers", fileName);
            if (bits > 15)
            {
                Fail(fileName, $"type {index}: unknown qualifiers {bits}");
            }

            p.Qualifiers = (AbiQualifiers)bits;
        }

        p.DeclarationOnly = e.TryGetProperty("declarationOnly", out var d) && d.ValueKind == JsonValueKind.True;
        p.Variadic = e.TryGetProperty("variadic", out var v) && v.ValueKind == JsonValueKind.True;
        if (e.TryGetProperty("members", out var members))
        {
            p.Members = [];
            foreach (var m in Tuples(members, $"type {index}: members", 3, 4, fileName))
            {
                var name = m[0].ValueKind == JsonValueKind.Null ? null : Str(m[0], $"type {index}: member name", fileName);
                p.Members.Add((name, IndexValue(m[1], count, $"type {index}: member type", fileName), Number(m[2], $"type {index}: member offset", fileName),
                    m.Length > 3 ? Number(m[3], $"type {index}: bit-field width", fileName) : null));
            }
        }

        if (e.TryGetProperty("bases", out var bases))
        {
            p.Bases = [];
            foreach (var b in Tuples(bases, $"type {index}: bases", 3, 3, fileName))
            {
                p.Bases.Add((IndexValue(b[0], count, $"type {index}: base type", fileName), Number(b[1], $"type {index}: base offset", fileName), b[2].ValueKind == JsonValueKind.True));
            }
        }

        if (e.TryGetProperty("virtuals", out var virtuals))
        {
            p.Virtuals = [];
            foreach (var f in Tuples(virtuals, $"type {index}: virtuals", 3, 3, fileName))
            {
                p.Virtuals.Add(new AbiVirtualFunction(Str(f[0], $"type {index}: virtual name", fileName),
                    f[1].ValueKind == JsonValueKind.Null ? null : Str(f[1], $"type {index}: virtual linkage name", fileName), Signed(f[2], $"type {index}: slot", fileName)));
            }
        }

        if (e.TryGetProperty("enumerators", out var enumerators))
        {
            p.Enumerators = [];
            foreach (var x in Tuples(enumerators, $"type {index}: enumerators", 2, 2, fileName))
            {
                p.Enumerators.Add(new AbiEnumerator(Str(x[0], $"type {index}: enumerator name", fileName), Signed(x[1], $"type {index}: enumerator value", fileName)));
            }
        }

        if (e.TryGetProperty("dimensions", out var dimensions))
        {
            if (dimensions.ValueKind != JsonValueKind.Array)
            {
                Fail(fileName, $"type {index}: dimensions is not an array");
            }

            p.Dimensions = [.. dimensions.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Null ? (ulong?)null : Number(x, $"type {index}: dimension", fileName))];
        }

        if (p.Kind == AbiTypeKind.Function)
        {
            p.Parameters = [.. Array(e, "parameters", fileName).EnumerateArray().Select(x => IndexValue(x, count, $"type {index}: parameter", fileName))];
        }

        return p;
    }

    private static JsonElement[][] Tuples(JsonElement array, string what, int min, int max, string? fileName)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            Fail(fileName, $"{what} is not an array");
        }

        var result = new List<JsonElement[]>(array.GetArrayLength());
        foreach (var t in array.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.Array || t.GetArrayLength() < min || t.GetArrayLength() > max)
            {
                Fail(fileName, $"{what}: each entry is an array of {min}{(max > min ? $" to {max}" : string.Empty)} values");
            }

            result.Add([.. t.EnumerateArray()]);
        }

        return [.. result];
    }

    private static JsonElement Array(JsonElement obj, string name, string? fileName)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            Fail(fileName, $"\"{name}\" in \"types\" is missing or not an array");
        }

        return value;
    }

    private static string? String(JsonElement obj, string name, string? fileName, bool required)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Fail(fileName, $"missing property \"{name}\" in \"types\"");
            }

            return null;
        }

        return Str(value, name, fileName);
    }

    private static string Str(JsonElement e, string what, string? fileName) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new AbiBaselineFormatException(fileName, 0, $"{what} is {e.ValueKind}, expected a string");

    private static int Index(JsonElement obj, string name, int count, string? fileName) =>
        obj.TryGetProperty(name, out var value) ? IndexValue(value, count, name, fileName) : throw new AbiBaselineFormatException(fileName, 0, $"missing property \"{name}\" in \"types\"");

    private static int IndexValue(JsonElement e, int count, string what, string? fileName)
    {
        int i = -1;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out i) || i < 0 || i >= count)
        {
            Fail(fileName, $"{what} is not a type index (0 to {count - 1})");
        }

        return i;
    }

    private static ulong Number(JsonElement e, string what, string? fileName) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var n) ? n : throw new AbiBaselineFormatException(fileName, 0, $"{what} is not an unsigned number");

    private static long Signed(JsonElement e, string what, string? fileName) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n) ? n : throw new AbiBaselineFormatException(fileName, 0, $"{what} is not a number");

    private static void Fail(string? fileName, string reason) => AbiThrow.Baseline(fileName, 0, reason);

    private static void Flush(Utf8JsonWriter w)
    {
        if (w.BytesPending > 1 << 16)
        {
            w.Flush();
        }
    }

    internal static string KindName(AbiTypeKind kind) => kind switch
    {
        AbiTypeKind.Void => "void",
        AbiTypeKind.Base => "base",
        AbiTypeKind.Pointer => "pointer",
        AbiTypeKind.LValueReference => "reference",
        AbiTypeKind.RValueReference => "rvalue-reference",
        AbiTypeKind.PointerToMember => "pointer-to-member",
        AbiTypeKind.Qualified => "qualified",
        AbiTypeKind.Typedef => "typedef",
        AbiTypeKind.Struct => "struct",
        AbiTypeKind.Class => "class",
        AbiTypeKind.Union => "union",
        AbiTypeKind.Enum => "enum",
        AbiTypeKind.Array => "array",
        AbiTypeKind.Function => "function",
        _ => "other",
    };

    private static AbiTypeKind ParseKind(string text, int index, string? fileName) => text switch
    {
        "void" => AbiTypeKind.Void,
        "base" => AbiTypeKind.Base,
        "pointer" => AbiTypeKind.Pointer,
        "reference" => AbiTypeKind.LValueReference,
        "rvalue-reference" => AbiTypeKind.RValueReference,
        "pointer-to-member" => AbiTypeKind.PointerToMember,
        "qualified" => AbiTypeKind.Qualified,
        "typedef" => AbiTypeKind.Typedef,
        "struct" => AbiTypeKind.Struct,
        "class" => AbiTypeKind.Class,
        "union" => AbiTypeKind.Union,
        "enum" => AbiTypeKind.Enum,
        "array" => AbiTypeKind.Array,
        "function" => AbiTypeKind.Function,
        "other" => AbiTypeKind.Other,
        _ => throw new AbiBaselineFormatException(fileName, 0, string.Create(CultureInfo.InvariantCulture, $"type {index}: unknown kind '{text}'")),
    };
}
