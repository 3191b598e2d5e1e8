using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Abi;

/// <summary>A baseline (Abi.Sdk JSON or libabigail ABIXML) is malformed: names the file, the byte offset or line, and the reason.</summary>
public sealed class AbiBaselineFormatException : AbiSdkFormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The file, or <see langword="null"/> for in-memory input.</param>
    /// <param name="offset">The byte offset where the problem was found (for XML, the line number when the offset is unknown).</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public AbiBaselineFormatException(string? fileName, long offset, string reason, Exception? inner = null)
        : base(fileName, offset, reason, inner)
    {
    }
}

/// <summary>
/// Baselines: a surface written to a stable, diff-friendly JSON file (keys in fixed order, symbols sorted by name and
/// version, one fact per line) to compare new binaries against a reference whose binaries cannot be shipped; and
/// the ELF-symbol part of libabigail's ABIXML (<c>abidw</c> output) read as a baseline.
/// </summary>
public static class AbiBaseline
{
    /// <summary>The value of the baseline's <c>format</c> property.</summary>
    public const string FormatName = "abi-sdk-baseline";

    /// <summary>
    /// The baseline format revision written: 2 records the type graph behind the exported symbols (<c>types</c>);
    /// version 1 (symbols only) is still read.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>Why a version-1 baseline has no types.</summary>
    internal const string Version1Reason = "the baseline is format version 1, which records symbols only (write it again with abi dump to record types)";

    /// <summary>Why a baseline written without a type graph has none.</summary>
    internal const string WrittenWithoutTypes = "it was written without them";

    /// <summary>
    /// The longest token a baseline may hold: 16 MiB for one JSON string (a symbol name, a version) or one ABIXML
    /// tag with its attributes or text node. Real names are kilobytes at most; the readers hold a token whole, so
    /// this bounds their memory.
    /// </summary>
    public const int MaxTokenSize = 16 << 20;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };

    /// <summary>Writes <paramref name="surface"/> as a baseline.</summary>
    /// <param name="surface">The surface.</param>
    /// <param name="stream">The destination.</param>
    public static void Write(AbiSurface surface, Stream stream) => Write(surface, null, stream);

    /// <summary>Writes <paramref name="surface"/> and the types behind its exported symbols as a baseline.</summary>
    /// <param name="surface">The surface.</param>
    /// <param name="types">
    /// The library's type graph (<see cref="AbiTypeGraph.Load(Elf.ElfImage, IEnumerable{string}?)"/>); one without debug information records why; <see langword="null"/> records that
    /// the baseline was written without types.
    /// </param>
    /// <param name="stream">The destination.</param>
    public static void Write(AbiSurface surface, AbiTypeGraph? types, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentNullException.ThrowIfNull(stream);
        using (var w = new Utf8JsonWriter(stream, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("formatVersion", FormatVersion);
            w.WriteString("fingerprint", surface.Fingerprint.ToString());
            WriteNullable(w, "file", surface.FileName is null ? null : Path.GetFileName(surface.FileName));
            WriteNullable(w, "soname", surface.Soname);
            w.WriteString("class", surface.Class == ElfClass.Elf32 ? "ELF32" : "ELF64");
            w.WriteNumber("machine", (ushort)surface.Machine);
            w.WriteStartArray("needed");
            foreach (var n in surface.Needed)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();
            w.WriteStartArray("versions");
            foreach (var v in surface.Versions)
            {
                w.WriteStartObject();
                w.WriteString("name", v.Name);
                w.WriteStartArray("predecessors");
                foreach (var p in v.Predecessors)
                {
                    w.WriteStringValue(p);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("symbols");
            var symbols = surface.Symbols.ToArray();
            Array.Sort(symbols);
            foreach (var s in symbols)
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                WriteNullable(w, "version", s.Version);
                w.WriteBoolean("default", s.IsDefaultVersion);
                w.WriteString("kind", TypeName(s.Type));
                w.WriteString("binding", AbiBuiltInRules.BindingName(s.Binding));
                w.WriteString("visibility", AbiBuiltInRules.VisibilityName(s.Visibility));
                w.WriteNumber("size", s.Size);
                w.WriteEndObject();
                FlushIfLarge(w);
            }

            w.WriteEndArray();
            AbiBaselineTypes.Write(w, types ?? AbiTypeGraph.Unavailable(WrittenWithoutTypes));
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>Writes <paramref name="surface"/> as a baseline file.</summary>
    /// <param name="surface">The surface.</param>
    /// <param name="path">The file to create or overwrite.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(AbiSurface surface, string path) => Write(surface, null, path);

    /// <summary>Writes <paramref name="surface"/> and its types as a baseline file.</summary>
    /// <param name="surface">The surface.</param>
    /// <param name="types">The library's type graph, or <see langword="null"/>.</param>
    /// <param name="path">The file to create or overwrite.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(AbiSurface surface, AbiTypeGraph? types, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Write(surface, types, stream);
    }

    /// <summary>
    /// Reads a baseline file with the types it records: a version-2 baseline's type graph, or the types of abidw's
    /// ABIXML. A version-1 baseline, or one written without types, gives an <see cref="AbiTypeGraph.Unavailable"/>
    /// graph that says why.
    /// </summary>
    /// <param name="path">The baseline file.</param>
    /// <returns>The surface and the types.</returns>
    /// <exception cref="AbiBaselineFormatException">The file is not a well-formed baseline.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AbiBaselineContents OpenWithTypes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = IO.RegularFile.OpenRead(path);
        return ReadWithTypes(stream, path);
    }

    /// <summary>Reads a baseline with the types it records (see <see cref="OpenWithTypes"/>).</summary>
    /// <param name="stream">The baseline.</param>
    /// <param name="fileName">A label for errors and <see cref="AbiSurface.FileName"/>.</param>
    /// <returns>The surface and the types.</returns>
    /// <exception cref="AbiBaselineFormatException">The input is not a well-formed baseline.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static AbiBaselineContents ReadWithTypes(Stream stream, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ParseWithTypes(IO.StreamBuffer.ReadToEnd(stream), fileName);
    }

    /// <summary>Parses a baseline held in memory with the types it records (see <see cref="OpenWithTypes"/>).</summary>
    /// <param name="bytes">The baseline's bytes.</param>
    /// <param name="fileName">A label for errors and <see cref="AbiSurface.FileName"/>.</param>
    /// <returns>The surface and the types.</returns>
    /// <exception cref="AbiBaselineFormatException">The input is not a well-formed baseline.</exception>
    public static AbiBaselineContents ParseWithTypes(ReadOnlyMemory<byte> bytes, string? fileName = null)
    {
        var (surface, types) = Parse(bytes, fileName, withTypes: true);
        return new AbiBaselineContents(surface, types!);
    }

    /// <summary>Reads a baseline file: Abi.Sdk JSON, or libabigail ABIXML, recognised by the first non-blank byte.</summary>
    /// <param name="path">The baseline file.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="AbiBaselineFormatException">The file is not a well-formed baseline.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AbiSurface Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = IO.RegularFile.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads a baseline: Abi.Sdk JSON, or libabigail ABIXML, recognised by the first non-blank byte.</summary>
    /// <param name="stream">The baseline.</param>
    /// <param name="fileName">A label for errors and <see cref="AbiSurface.FileName"/>.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="AbiBaselineFormatException">The input is not a well-formed baseline.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static AbiSurface Read(Stream stream, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(IO.StreamBuffer.ReadToEnd(stream), fileName);
    }

    /// <summary>
    /// Reads a baseline asynchronously: the stream is copied into memory with asynchronous reads, then parsed.
    /// </summary>
    /// <param name="stream">The baseline.</param>
    /// <param name="fileName">A label for errors and <see cref="AbiSurface.FileName"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="AbiBaselineFormatException">The input is not a well-formed baseline.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<AbiSurface> ReadAsync(Stream stream, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(await IO.StreamBuffer.ReadToEndAsync(stream, cancellationToken).ConfigureAwait(false), fileName);
    }

    /// <summary>Parses a baseline held in memory: Abi.Sdk JSON, or libabigail ABIXML, recognised by the first non-blank byte.</summary>
    /// <param name="bytes">The baseline's bytes.</param>
    /// <param name="fileName">A label for errors and <see cref="AbiSurface.FileName"/>.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="AbiBaselineFormatException">The input is not a well-formed baseline.</exception>
    public static AbiSurface Parse(ReadOnlyMemory<byte> bytes, string? fileName = null) => Parse(bytes, fileName, withTypes: false).Surface;

    private static (AbiSurface Surface, AbiTypeGraph? Types) Parse(ReadOnlyMemory<byte> bytes, string? fileName, bool withTypes)
    {
        var span = bytes.Span;
        int i = 0;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            i = 3;
        }

        while (i < span.Length && span[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        if (i < span.Length && span[i] == (byte)'<')
        {
            using var xml = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(bytes.ToArray(), writable: false);
            return ReadAbiXml(xml, fileName, withTypes ? new AbiXmlTypeReader(fileName) : null);
        }

        if (i < span.Length && span[i] == (byte)'{')
        {
            return ReadJson(span, fileName, withTypes);
        }

        throw new AbiBaselineFormatException(fileName, i, "neither an ELF file, an Abi.Sdk baseline (JSON) nor libabigail ABIXML");
    }

    private static (AbiSurface Surface, AbiTypeGraph? Types) ReadJson(ReadOnlySpan<byte> bytes, string? fileName, bool withTypes)
    {
        if (IO.JsonInputCheck.Check(bytes, default, MaxTokenSize) is { } bad)
        {
            AbiThrow.Baseline(fileName, bad.Offset, bad.Reason);
        }

        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
            {
                AbiThrow.Baseline(fileName, 0, $"not an Abi.Sdk baseline (\"format\" is not \"{FormatName}\")");
            }

            int version = Required(root, "formatVersion", JsonValueKind.Number, fileName).GetInt32();
            if (version is not (1 or FormatVersion))
            {
                AbiThrow.Baseline(fileName, 0, $"baseline format version {version} is not supported (expected 1 or {FormatVersion})");
            }

            string? soname = Optional(root, "soname", fileName);
            var cls = Required(root, "class", JsonValueKind.String, fileName).GetString() switch
            {
                "ELF32" => ElfClass.Elf32,
                "ELF64" => ElfClass.Elf64,
                var other => throw new AbiBaselineFormatException(fileName, 0, $"unknown class '{other}'"),
            };
            var machine = (ElfMachine)Required(root, "machine", JsonValueKind.Number, fileName).GetUInt16();
            var needed = Required(root, "needed", JsonValueKind.Array, fileName).EnumerateArray().Select(e => String(e, "needed", fileName)).ToImmutableArray();
            var versions = ImmutableArray.CreateBuilder<AbiVersionNode>();
            foreach (var v in Required(root, "versions", JsonValueKind.Array, fileName).EnumerateArray())
            {
                versions.Add(new AbiVersionNode(
                    String(Required(v, "name", JsonValueKind.String, fileName), "name", fileName),
                    [.. Required(v, "predecessors", JsonValueKind.Array, fileName).EnumerateArray().Select(e => String(e, "predecessors", fileName))]));
            }

            var symbols = ImmutableArray.CreateBuilder<AbiSymbol>();
            foreach (var s in Required(root, "symbols", JsonValueKind.Array, fileName).EnumerateArray())
            {
                var name = String(Required(s, "name", JsonValueKind.String, fileName), "name", fileName);
                if (name.Length == 0)
                {
                    AbiThrow.Baseline(fileName, 0, "a symbol has an empty name");
                }

                symbols.Add(new AbiSymbol(
                    name,
                    Optional(s, "version", fileName),
                    Required(s, "default", JsonValueKind.True, fileName).GetBoolean(),
                    ParseKind(String(Required(s, "kind", JsonValueKind.String, fileName), "kind", fileName), fileName),
                    ParseBinding(String(Required(s, "binding", JsonValueKind.String, fileName), "binding", fileName), fileName),
                    ParseVisibility(String(Required(s, "visibility", JsonValueKind.String, fileName), "visibility", fileName), fileName),
                    Required(s, "size", JsonValueKind.Number, fileName).GetUInt64()));
            }

            AbiTypeGraph? types = null;
            if (withTypes)
            {
                types = version == 1 ? AbiTypeGraph.Unavailable(Version1Reason)
                    : root.TryGetProperty("types", out var recorded) ? AbiBaselineTypes.Read(recorded, fileName)
                    : AbiTypeGraph.Unavailable($"the baseline records no types: {WrittenWithoutTypes}");
            }

            try
            {
                return (new AbiSurface(fileName, soname, cls, machine, needed, versions.ToImmutable(), symbols.ToImmutable()), types);
            }
            catch (ArgumentException ex)
            {
                throw new AbiBaselineFormatException(fileName, 0, ex.Message, ex);
            }
        }
        catch (JsonException ex)
        {
            throw new AbiBaselineFormatException(fileName, ex.BytePositionInLine ?? 0, $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new AbiBaselineFormatException(fileName, 0, $"a number is out of range: {ex.Message}", ex);
        }
    }

    private static JsonElement Required(JsonElement obj, string name, JsonValueKind kind, string? fileName)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value))
        {
            throw new AbiBaselineFormatException(fileName, 0, $"missing property \"{name}\"");
        }

        bool ok = kind == JsonValueKind.True ? value.ValueKind is JsonValueKind.True or JsonValueKind.False : value.ValueKind == kind;
        if (!ok)
        {
            AbiThrow.Baseline(fileName, 0, $"property \"{name}\" is {value.ValueKind}, expected {(kind == JsonValueKind.True ? "a boolean" : kind.ToString())}");
        }

        return value;
    }

    private static string? Optional(JsonElement obj, string name, string? fileName)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return String(value, name, fileName);
    }

    private static string String(JsonElement e, string what, string? fileName) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new AbiBaselineFormatException(fileName, 0, $"\"{what}\" holds a {e.ValueKind}, expected a string");

    private static string TypeName(ElfSymbolType type) => type switch
    {
        ElfSymbolType.Function => "function",
        ElfSymbolType.GnuIndirectFunction => "ifunc",
        ElfSymbolType.Object => "object",
        ElfSymbolType.Tls => "tls",
        ElfSymbolType.Common => "common",
        _ => "notype",
    };

    private static ElfSymbolType ParseKind(string text, string? fileName) => text switch
    {
        "function" => ElfSymbolType.Function,
        "ifunc" => ElfSymbolType.GnuIndirectFunction,
        "object" => ElfSymbolType.Object,
        "tls" => ElfSymbolType.Tls,
        "common" => ElfSymbolType.Common,
        "notype" => ElfSymbolType.NoType,
        _ => throw new AbiBaselineFormatException(fileName, 0, $"unknown symbol kind '{text}'"),
    };

    private static ElfSymbolBinding ParseBinding(string text, string? fileName) => text switch
    {
        "global" => ElfSymbolBinding.Global,
        "weak" => ElfSymbolBinding.Weak,
        "unique" => ElfSymbolBinding.GnuUnique,
        _ => throw new AbiBaselineFormatException(fileName, 0, $"unknown binding '{text}'"),
    };

    private static ElfSymbolVisibility ParseVisibility(string text, string? fileName) => text switch
    {
        "default" => ElfSymbolVisibility.Default,
        "protected" => ElfSymbolVisibility.Protected,
        _ => throw new AbiBaselineFormatException(fileName, 0, $"unknown visibility '{text}'"),
    };

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>
    /// Reads the ELF-symbol part of libabigail ABIXML (<c>abidw</c> output): the corpus's SONAME and architecture,
    /// <c>elf-needed</c>, and the <c>elf-symbol</c> entries of <c>elf-function-symbols</c> and
    /// <c>elf-variable-symbols</c> (with their aliases). ABIXML does not record version-node definitions, so the
    /// surface's version nodes are the versions its symbols name, without predecessors; type information is skipped.
    /// </summary>
    /// <param name="stream">The ABIXML.</param>
    /// <param name="fileName">A label for errors and <see cref="AbiSurface.FileName"/>.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="AbiBaselineFormatException">The XML is malformed or is not an ABI corpus.</exception>
    public static AbiSurface ReadAbiXml(Stream stream, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadAbiXml(stream, fileName, null).Surface;
    }

    private static (AbiSurface Surface, AbiTypeGraph? Types) ReadAbiXml(Stream stream, string? fileName, AbiXmlTypeReader? typeReader)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true };
        var symbols = new List<AbiSymbol>();
        var seen = new HashSet<(string, string?)>();
        var needed = ImmutableArray.CreateBuilder<string>();
        string? soname = null;
        string? architecture = null;
        bool corpus = false;
        int section = 0; // 1 functions, 2 variables
        try
        {
            using var reader = XmlReader.Create(new IO.XmlTokenLimitStream(stream, MaxTokenSize), settings);
            bool positioned = false; // the type reader leaves the reader on the node after an abi-instr
            while (positioned || reader.Read())
            {
                positioned = false;
                if (reader.Depth > AbiXmlTypeReader.MaxDepth)
                {
                    AbiThrow.Baseline(fileName, ((IXmlLineInfo)reader).LineNumber, $"ABIXML line {((IXmlLineInfo)reader).LineNumber}: elements nest deeper than {AbiXmlTypeReader.MaxDepth} levels");
                }

                if (reader.NodeType == XmlNodeType.EndElement && reader.Name is "elf-function-symbols" or "elf-variable-symbols")
                {
                    section = 0;
                    continue;
                }

                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                switch (reader.Name)
                {
                    case "abi-corpus" when !corpus:
                        corpus = true;
                        soname = reader.GetAttribute("soname");
                        architecture = reader.GetAttribute("architecture");
                        break;
                    case "abi-corpus-group" or "abi-corpus":
                        break;
                    case "dependency":
                        if (reader.GetAttribute("name") is { Length: > 0 } dep)
                        {
                            needed.Add(dep);
                        }

                        break;
                    case "elf-function-symbols":
                        section = reader.IsEmptyElement ? 0 : 1;
                        break;
                    case "elf-variable-symbols":
                        section = reader.IsEmptyElement ? 0 : 2;
                        break;
                    case "elf-symbol" when section != 0:
                        AddXmlSymbol(reader, section == 1, symbols, seen, fileName, typeReader?.Aliases);
                        break;
                    case "abi-instr" when typeReader is not null:
                        typeReader.ReadInstr(reader);
                        positioned = true;
                        break;
                    case "abi-instr":
                        // Type information: not part of the ELF-symbol surface.
                        reader.Skip();
                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            throw new AbiBaselineFormatException(fileName, ex.LineNumber, $"malformed ABIXML at line {ex.LineNumber}, column {ex.LinePosition}: {ex.Message}", ex);
        }
        catch (IO.XmlTokenLimitStream.TokenTooLargeException ex)
        {
            throw new AbiBaselineFormatException(fileName, ex.Offset, ex.Message, ex);
        }
        catch (Exception ex) when (IO.XmlReaderFault.IsGarbledDeclaration(ex))
        {
            throw new AbiBaselineFormatException(fileName, 0, IO.XmlReaderFault.Message, ex);
        }

        if (!corpus)
        {
            AbiThrow.Baseline(fileName, 0, "not libabigail ABIXML (no abi-corpus element)");
        }

        var versions = symbols.Where(s => s.Version is not null).Select(s => s.Version!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(v => new AbiVersionNode(v, [])).ToImmutableArray();
        var (cls, machine) = ParseArchitecture(architecture);
        var surface = new AbiSurface(fileName, string.IsNullOrEmpty(soname) ? null : soname, cls, machine, needed.ToImmutable(), versions, [.. symbols]);
        if (typeReader is null)
        {
            return (surface, null);
        }

        var types = typeReader.Finish();
        types.FromAbiXml = true;
        return (surface, types);
    }

    private static void AddXmlSymbol(XmlReader reader, bool function, List<AbiSymbol> symbols, HashSet<(string, string?)> seen, string? fileName, Dictionary<string, List<string>>? aliasesOf)
    {
        var name = reader.GetAttribute("name");
        if (string.IsNullOrEmpty(name))
        {
            AbiThrow.Baseline(fileName, ((IXmlLineInfo)reader).LineNumber, "elf-symbol without a name");
        }

        if (reader.GetAttribute("is-defined") == "no")
        {
            return;
        }

        var version = reader.GetAttribute("version");
        bool isDefault = reader.GetAttribute("is-default-version") == "yes";
        var kind = reader.GetAttribute("type") switch
        {
            "func-type" => ElfSymbolType.Function,
            "gnu-ifunc-type" => ElfSymbolType.GnuIndirectFunction,
            "object-type" => ElfSymbolType.Object,
            "tls-type" => ElfSymbolType.Tls,
            "common-type" => ElfSymbolType.Common,
            "notype-type" or null => function ? ElfSymbolType.Function : ElfSymbolType.NoType,
            var other => throw new AbiBaselineFormatException(fileName, ((IXmlLineInfo)reader).LineNumber, $"unknown elf-symbol type '{other}'"),
        };
        var binding = reader.GetAttribute("binding") switch
        {
            "weak-binding" => ElfSymbolBinding.Weak,
            "gnu-unique-binding" => ElfSymbolBinding.GnuUnique,
            _ => ElfSymbolBinding.Global,
        };
        var visibility = reader.GetAttribute("visibility") == "protected-visibility" ? ElfSymbolVisibility.Protected : ElfSymbolVisibility.Default;
        ulong size = 0;
        if (reader.GetAttribute("size") is { } sizeText && !ulong.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size))
        {
            AbiThrow.Baseline(fileName, ((IXmlLineInfo)reader).LineNumber, $"elf-symbol size '{sizeText}' is not a number");
        }

        void Add(string n, string? v, bool d)
        {
            if (n.Length == 0)
            {
                // abidw never writes one (an alias "@VER" or name="" is malformed); the loader could not bind it anyway.
                AbiThrow.Baseline(fileName, ((IXmlLineInfo)reader).LineNumber, "elf-symbol or alias without a name");
            }

            if (seen.Add((n, string.IsNullOrEmpty(v) ? null : v)))
            {
                symbols.Add(new AbiSymbol(n, v, d, kind, binding, visibility, size));
            }
        }

        Add(name, version, isDefault);

        // Aliases share the address; abidw lists them only on the main symbol, as name or name@VER / name@@VER.
        if (reader.GetAttribute("alias") is { Length: > 0 } aliases)
        {
            if (aliasesOf is not null)
            {
                // Declarations name the main symbol by its id (name, name@VER or name@@VER); its aliases share the type.
                var id = string.IsNullOrEmpty(version) ? name : name + (isDefault ? "@@" : "@") + version;
                aliasesOf[id] = [.. aliases.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.Split('@')[0]).Where(a => a.Length > 0)];
            }

            foreach (var alias in aliases.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int at = alias.IndexOf('@', StringComparison.Ordinal);
                if (at < 0)
                {
                    Add(alias, version, isDefault);
                }
                else
                {
                    bool d = alias.AsSpan(at).StartsWith("@@");
                    Add(alias[..at], alias[(at + (d ? 2 : 1))..], d);
                }
            }
        }
    }

    private static (ElfClass, ElfMachine) ParseArchitecture(string? architecture) => architecture switch
    {
        "elf-amd-x86_64" => (ElfClass.Elf64, ElfMachine.X86_64),
        "elf-intel-80386" => (ElfClass.Elf32, ElfMachine.I386),
        "elf-arm-aarch64" => (ElfClass.Elf64, ElfMachine.AArch64),
        "elf-arm" => (ElfClass.Elf32, ElfMachine.Arm),
        "elf-ibm-s390" => (ElfClass.Elf64, ElfMachine.S390),
        "elf-ibm-ppc64" => (ElfClass.Elf64, ElfMachine.PowerPC64),
        "elf-ibm-ppc" => (ElfClass.Elf32, ElfMachine.PowerPC),
        "elf-riscv" => (ElfClass.Elf64, ElfMachine.RiscV),
        "elf-loongarch" => (ElfClass.Elf64, ElfMachine.LoongArch),
        _ => (ElfClass.Elf64, ElfMachine.None),
    };

    /// <summary>Hands buffered output to the stream: the writer otherwise buffers the whole report, growing by copies.</summary>
    private static void FlushIfLarge(Utf8JsonWriter w)
    {
        if (w.BytesPending > 1 << 16)
        {
            w.Flush();
        }
    }
}
