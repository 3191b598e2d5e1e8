using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;

namespace Abi.Cli.Commands;

/// <summary><c>abi symbols</c> and <c>abi elf</c>.</summary>
internal static class ElfCommands
{
    public static void Register(RootCommand root)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "ELF files." };
        var json = new Option<bool>("--json") { Description = "One JSON object per file per line." };
        var symbols = new Command("symbols", "List the dynamic symbols in .dynsym order, spelled as readelf --dyn-syms -W spells them.") { files, json };
        symbols.SetAction(r => CliErrors.Guard(() => Symbols(r.GetValue(files)!, r.GetValue(json))));
        root.Subcommands.Add(symbols);

        var file = new Argument<string>("FILE") { Description = "An ELF file." };
        var json2 = new Option<bool>("--json") { Description = "One JSON object." };
        var elf = new Command("elf", "Show the ELF header, dynamic section, version definitions and version requirements.") { file, json2 };
        elf.SetAction(r => CliErrors.Guard(() => Elf(r.GetValue(file)!, r.GetValue(json2))));
        root.Subcommands.Add(elf);
    }

    /// <summary>
    /// Runs <c>abi symbols [--json] FILE...</c> without building the command-line model: the most common command on
    /// small files, where building every command's options (System.CommandLine's root alone loads its resources)
    /// is a visible part of the run. Only argument lists that the parser would read exactly so are taken: any
    /// token starting with <c>-</c> other than one <c>--json</c>, an <c>@</c> response file, an empty token or no
    /// file leaves the command to the parser, which prints the same output and messages as before.
    /// </summary>
    /// <returns>True when the command ran here, with its exit code in <paramref name="exitCode"/>.</returns>
    public static bool TryRunSymbolsWithoutParser(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (args.Length < 2 || args[0] != "symbols")
        {
            return false;
        }

        bool json = false;
        var files = new List<string>(args.Length - 1);
        for (int i = 1; i < args.Length; i++)
        {
            var token = args[i];
            if (token == "--json" && !json)
            {
                json = true;
            }
            else if (token.Length == 0 || token[0] is '-' or '@')
            {
                return false;
            }
            else
            {
                files.Add(token);
            }
        }

        if (files.Count == 0)
        {
            return false;
        }

        exitCode = CliErrors.Guard(() => Symbols([.. files], json));
        return true;
    }

    private static int Symbols(string[] files, bool json)
    {
        using var output = new Output();
        foreach (var path in files)
        {
            using var image = ElfImage.Open(path);
            if (json)
            {
                WriteSymbolsJson(output.Stream, path, image);
                continue;
            }

            if (files.Length > 1)
            {
                output.WriteLine($"{path}:");
            }

            // Through the enumerator, which prefetches the names ahead (.dynstr is read in another order than .dynsym).
            var symbols = image.DynamicSymbols.GetEnumerator();
            symbols.MoveNext(); // the null symbol
            while (symbols.MoveNext())
            {
                var symbol = symbols.Current;
                var name = symbol.NameUtf8;
                if (name.IsEmpty && SectionName(image, symbol) is { } section)
                {
                    output.Write(section);
                }
                else
                {
                    output.Write(name);
                }

                if (symbol.DisplayVersion is { } version)
                {
                    output.Write(symbol.IsDefaultVersion ? "@@"u8 : "@"u8);
                    output.Write(version.NameUtf8);
                }

                output.NewLine();
            }
        }

        return 0;
    }

    /// <summary>readelf names an unnamed section symbol after its section; null for every other symbol.</summary>
    private static string? SectionName(ElfImage image, ElfSymbol symbol)
        => symbol.NameUtf8.IsEmpty && symbol.Type == ElfSymbolType.Section && (int)symbol.SectionIndex < image.Sections.Length
            ? image.Sections[(int)symbol.SectionIndex].Name
            : null;

    /// <summary>
    /// One line of JSON per file, written as UTF-8 straight from the mapped names (ReportJsonWriter, the SDK's report
    /// writer compiled in): Utf8JsonWriter's compact layout and escaping, at the speed of the text listing. A large
    /// table is written on two cores (ReportBlocks: blocks of symbols written in order, same bytes).
    /// </summary>
    private static void WriteSymbolsJson(Stream stream, string path, ElfImage image)
    {
        var osAbi = image.Header.OsAbi;
        using var blocks = new ReportBlocks(indented: false, depth: 2, Math.Max(0, image.DynamicSymbols.Count - 1), SymbolsPerBlock, 512 << 10, () => new SymbolJsonWriter(image, osAbi).Write);
        using var w = new ReportJsonWriter(stream, indented: false);
        w.StartObject();
        w.String("file"u8, path);
        w.StartArray("symbols"u8);
        blocks.WriteTo(w);
        w.EndArray();
        w.EndObject();
        w.NewLine();
    }

    /// <summary>Symbols per block of <see cref="ReportBlocks"/>: about 230 KB of JSON on libLLVM (226 bytes a symbol); small blocks keep the buffers' page faults few.</summary>
    private const int SymbolsPerBlock = 1024;

    /// <summary>
    /// Writes ranges of a file's symbols (item k is entry k + 1), one per thread. Each object is written as its
    /// literal pieces (the compact layout has no indentation to keep): the name, then everything from the version to
    /// <c>"size":</c>, which depends only on the version entry, the defined bit, whether readelf shows the version
    /// (a version marker does not), st_info and the visibility, made once per such combination, then two numbers.
    /// </summary>
    private sealed class SymbolJsonWriter(ElfImage image, ElfOsAbi osAbi)
    {
        private const int Slots = 512;

        private readonly Dictionary<ElfSymbolVersion, byte[]> _versions = new(ReferenceEqualityComparer.Instance);
        private readonly int[] _keys = CreateKeys();
        private readonly byte[][] _tails = new byte[Slots][];
        private ElfSymbolTable.Enumerator _symbols = image.DynamicSymbols.GetEnumerator(); // prefetches names ahead
        private int _index = -1;

        public void Write(ReportJsonWriter w, int start, int end)
        {
            if (_index > start)
            {
                // A block behind the ones this thread wrote (taken over from the other thread): start again.
                _symbols = image.DynamicSymbols.GetEnumerator();
                _index = -1;
            }

            for (int k = start; k < end; k++)
            {
                // The enumerator moves forward: a thread's blocks mostly come in order, and it steps over the others'.
                while (_index <= k)
                {
                    _symbols.MoveNext();
                    _index++;
                }

                var s = _symbols.Current;
                var version = s.DisplayVersion;
                int key = s.VersionSymbol | (s.IsDefined ? 1 << 16 : 0) | (version is null ? 1 << 17 : 0) | (s.Info << 18) | ((s.Other & 3) << 26);
                int slot = (int)(((uint)key * 0x9E3779B1u) >> 23);
                byte[] tail;
                if (_keys[slot] == key)
                {
                    tail = _tails[slot];
                }
                else
                {
                    tail = Tail(s, version);
                    _keys[slot] = key;
                    _tails[slot] = tail;
                }

                w.StartObject();
                var name = s.NameUtf8;
                var section = SectionName(image, s);
                if (section is not null || !ReportJsonWriter.IsPlain(name))
                {
                    // Escaping, or readelf's section name for an unnamed section symbol.
                    w.Raw("\"name\":\""u8);
                    if (section is not null)
                    {
                        w.StringContent(section);
                    }
                    else
                    {
                        w.StringContentUtf8(name);
                    }

                    w.Raw(tail);
                    w.RawNumber(s.Size);
                    w.Raw(",\"value\":"u8);
                    w.RawNumber(s.Value);
                }
                else
                {
                    var open = "\"name\":\""u8;
                    var between = ",\"value\":"u8;
                    var span = w.GetSpan(open.Length + name.Length + tail.Length + between.Length + 40);
                    open.CopyTo(span);
                    int p = open.Length;
                    name.CopyTo(span[p..]);
                    p += name.Length;
                    tail.CopyTo(span[p..]);
                    p += tail.Length;
                    p += ReportJsonWriter.FormatDigits(s.Size, span[p..]);
                    between.CopyTo(span[p..]);
                    p += between.Length;
                    p += ReportJsonWriter.FormatDigits(s.Value, span[p..]);
                    w.Advance(p);
                }

                w.EndObject();
            }
        }

        private static int[] CreateKeys()
        {
            var keys = new int[Slots];
            keys.AsSpan().Fill(-1);
            return keys;
        }

        /// <summary>The members from the version to <c>"size":</c>, after the name's closing quote.</summary>
        private byte[] Tail(ElfSymbol s, ElfSymbolVersion? version)
        {
            using var buffer = new MemoryStream();
            if (version is null)
            {
                buffer.Write("\",\"version\":null,\"isDefaultVersion\":false"u8);
            }
            else
            {
                if (!_versions.TryGetValue(version, out var json))
                {
                    json = Escaped(version.Name);
                    _versions.Add(version, json);
                }

                buffer.Write("\",\"version\":\""u8);
                buffer.Write(json);
                buffer.Write(s.IsDefaultVersion ? "\",\"isDefaultVersion\":true"u8 : "\",\"isDefaultVersion\":false"u8);
            }

            buffer.Write(s.IsDefined ? ",\"isDefined\":true"u8 : ",\"isDefined\":false"u8);
            buffer.Write(Escaped(",\"type\":\"", ReadelfNames.SymbolType(s.Type, osAbi), "\",\"binding\":\"", ReadelfNames.SymbolBinding(s.Binding, osAbi),
                "\",\"visibility\":\"", ReadelfNames.SymbolVisibility(s.Visibility), "\",\"size\":"));
            return buffer.ToArray();
        }
    }

    private static byte[] Escaped(string text)
    {
        using var buffer = new MemoryStream();
        using (var w = new ReportJsonWriter(buffer, indented: false))
        {
            w.StringContent(text);
        }

        return buffer.ToArray();
    }

    /// <summary>Literal JSON pieces (even positions) around names to escape (odd positions), as UTF-8.</summary>
    private static byte[] Escaped(params string[] pieces)
    {
        using var buffer = new MemoryStream();
        using (var w = new ReportJsonWriter(buffer, indented: false))
        {
            for (int i = 0; i < pieces.Length; i++)
            {
                if (i % 2 == 0)
                {
                    w.Raw(System.Text.Encoding.UTF8.GetBytes(pieces[i]));
                }
                else
                {
                    w.StringContent(pieces[i]);
                }
            }
        }

        return buffer.ToArray();
    }

    private static int Elf(string path, bool json)
    {
        using var image = ElfImage.Open(path);
        using var output = new Output();
        if (json)
        {
            output.JsonLine(w => WriteElfJson(w, path, image));
            return 0;
        }

        var h = image.Header;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"File:        {path}");
        output.WriteLine($"Class:       {(h.Class == ElfClass.Elf64 ? "ELF64" : "ELF32")}");
        output.WriteLine($"Data:        {(h.DataEncoding == ElfDataEncoding.LittleEndian ? "little-endian" : "big-endian")}");
        output.WriteLine($"OS/ABI:      {ReadelfNames.OsAbi(h.OsAbi)}");
        output.WriteLine($"Type:        {TypeName(image)}");
        output.WriteLine($"Machine:     {ReadelfNames.Machine(h.Machine)}");
        output.WriteLine(string.Create(inv, $"Entry:       0x{h.Entry:x}"));
        if (image.Interpreter is { } interp)
        {
            output.WriteLine($"Interpreter: {interp}");
        }

        if (image.BuildIdHex is { } id)
        {
            output.WriteLine($"Build ID:    {id}");
        }

        if (image.DebugLink is { } link)
        {
            output.WriteLine(string.Create(inv, $"Debug link:  {link.FileName} (CRC 0x{link.Crc32:x8})"));
        }

        if (image.Dynamic is { } d)
        {
            output.WriteLine("Dynamic section:");
            if (d.Soname is not null)
            {
                output.WriteLine($"  SONAME   {d.Soname}");
            }

            foreach (var n in d.Needed)
            {
                output.WriteLine($"  NEEDED   {n}");
            }

            if (d.RPath is not null)
            {
                output.WriteLine($"  RPATH    {d.RPath}");
            }

            if (d.RunPath is not null)
            {
                output.WriteLine($"  RUNPATH  {d.RunPath}");
            }

            if (d.Flags != 0)
            {
                output.WriteLine($"  FLAGS    {d.Flags}");
            }

            if (d.Flags1 != 0)
            {
                output.WriteLine($"  FLAGS_1  {d.Flags1}");
            }

            output.WriteLine($"  HASH {(d.HasHash ? "yes" : "no")}, GNU_HASH {(d.HasGnuHash ? "yes" : "no")}, DEBUG {(d.HasDebug ? "yes" : "no")}");
        }

        if (!image.VersionDefinitions.IsEmpty)
        {
            output.WriteLine("Version definitions:");
            foreach (var v in image.VersionDefinitions)
            {
                var preds = v.Predecessors.IsEmpty ? string.Empty : $" (inherits {string.Join(", ", v.Predecessors)})";
                output.WriteLine(string.Create(inv, $"  {v.Index,3} {FlagsName(v.Flags),-5} {v.Name}{preds}"));
            }
        }

        if (!image.VersionNeeds.IsEmpty)
        {
            output.WriteLine("Version needs:");
            foreach (var n in image.VersionNeeds)
            {
                output.WriteLine($"  {n.FileName}");
                foreach (var v in n.Versions)
                {
                    output.WriteLine(string.Create(inv, $"    {v.Index,3} {FlagsName(v.Flags),-5} {v.Name}"));
                }
            }
        }

        output.WriteLine(string.Create(inv, $"Dynamic symbols: {Math.Max(0, image.DynamicSymbols.Count - 1)}"));
        return 0;
    }

    private static string TypeName(ElfImage image) => image.Header.Type switch
    {
        ElfFileType.SharedObject when image.IsPositionIndependentExecutable => "DYN (Position-Independent Executable file)",
        ElfFileType.SharedObject => "DYN (Shared object file)",
        ElfFileType.Executable => "EXEC (Executable file)",
        ElfFileType.Relocatable => "REL (Relocatable file)",
        ElfFileType.Core => "CORE (Core file)",
        var t => t.ToString(),
    };

    private static string FlagsName(ElfVersionFlags flags) => ReadelfNames.VersionFlags(flags);

    private static void WriteElfJson(Utf8JsonWriter w, string path, ElfImage image)
    {
        var h = image.Header;
        w.WriteStartObject();
        w.WriteString("file", path);
        w.WriteString("class", h.Class == ElfClass.Elf64 ? "ELF64" : "ELF32");
        w.WriteString("data", h.DataEncoding == ElfDataEncoding.LittleEndian ? "LSB" : "MSB");
        w.WriteNumber("osAbi", (byte)h.OsAbi);
        w.WriteString("type", h.Type switch { ElfFileType.SharedObject => "DYN", ElfFileType.Executable => "EXEC", ElfFileType.Relocatable => "REL", ElfFileType.Core => "CORE", _ => "NONE" });
        w.WriteBoolean("pie", image.IsPositionIndependentExecutable);
        w.WriteNumber("machine", (ushort)h.Machine);
        w.WriteNumber("entry", h.Entry);
        w.WriteStringOrNull("interpreter", image.Interpreter);
        w.WriteStringOrNull("buildId", image.BuildIdHex);
        if (image.DebugLink is { } link)
        {
            w.WriteStartObject("debugLink");
            w.WriteString("file", link.FileName);
            w.WriteNumber("crc32", link.Crc32);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("debugLink");
        }

        var d = image.Dynamic;
        w.WriteStringOrNull("soname", d?.Soname);
        w.WriteStartArray("needed");
        foreach (var n in image.Needed)
        {
            w.WriteStringValue(n);
        }

        w.WriteEndArray();
        w.WriteStringOrNull("rpath", d?.RPath);
        w.WriteStringOrNull("runpath", d?.RunPath);
        w.WriteNumber("flags", (ulong)(d?.Flags ?? 0));
        w.WriteNumber("flags1", (ulong)(d?.Flags1 ?? 0));
        w.WriteBoolean("hasHash", d?.HasHash ?? false);
        w.WriteBoolean("hasGnuHash", d?.HasGnuHash ?? false);
        w.WriteBoolean("hasDebug", d?.HasDebug ?? false);
        w.WriteStartArray("versionDefinitions");
        foreach (var v in image.VersionDefinitions)
        {
            w.WriteStartObject();
            w.WriteNumber("index", v.Index);
            w.WriteNumber("flags", (ushort)v.Flags);
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
        w.WriteStartArray("versionNeeds");
        foreach (var n in image.VersionNeeds)
        {
            w.WriteStartObject();
            w.WriteString("file", n.FileName);
            w.WriteStartArray("versions");
            foreach (var v in n.Versions)
            {
                w.WriteStartObject();
                w.WriteString("name", v.Name);
                w.WriteNumber("index", v.Index);
                w.WriteNumber("flags", (ushort)v.Flags);
                w.WriteBoolean("weak", v.IsWeak);
                w.WriteNumber("hash", v.Hash);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("dynamicSymbols", Math.Max(0, image.DynamicSymbols.Count - 1));
        w.WriteEndObject();
    }
}
