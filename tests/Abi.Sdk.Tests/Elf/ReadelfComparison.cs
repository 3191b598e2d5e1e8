using System.Globalization;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>Runs readelf once on a file and lists every way the <see cref="ElfImage"/> model disagrees with it.</summary>
internal static class ReadelfComparison
{
    /// <summary>Everything the model exposes that readelf also prints, for a file with section headers.</summary>
    public const string FullArguments = "-h -l -S -d -n --dyn-syms -V -W";

    /// <summary>For a file without section headers readelf must be told to go through the dynamic section.</summary>
    public const string DynamicArguments = "-D -h -l -d -s -W";

    public static ReadelfOutput Run(string readelf, string path, bool useDynamic = false)
    {
        var args = (useDynamic ? DynamicArguments : FullArguments).Split(' ').Append(path).ToArray();
        var (code, stdout, stderr) = Tools.Run(readelf, args);
        Assert.True(code == 0, $"readelf failed on {path}: {stderr}");
        return ReadelfOutput.Parse(stdout);
    }

    /// <summary>The .gnu_debuglink file name and CRC as <c>readelf -x .gnu_debuglink</c> dumps them, or null when absent.</summary>
    public static (string FileName, uint Crc)? DebugLink(string readelf, string path, bool bigEndian)
    {
        var (_, dump, _) = Tools.Run(readelf, ["-x", ".gnu_debuglink", path]);
        // "  0x00000000 6c696276 65727369 6f6e6564 2e736f2e libversioned.so.": four hex words from column 13.
        var bytes = dump.Split('\n').Where(l => l.StartsWith("  0x", StringComparison.Ordinal))
            .SelectMany(l => Convert.FromHexString(l.Substring(13, Math.Min(35, l.Length - 13)).Replace(" ", "", StringComparison.Ordinal))).ToArray();
        int nul = Array.IndexOf(bytes, (byte)0);
        if (bytes.Length < 8 || nul < 0)
        {
            return null;
        }

        var crc = bytes.AsSpan(bytes.Length - 4);
        return (System.Text.Encoding.UTF8.GetString(bytes, 0, nul),
            bigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(crc) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(crc));
    }

    /// <summary>Appends a line to <paramref name="errors"/> for each difference; stops a category after a few.</summary>
    /// <param name="readelf">readelf, to dump .gnu_debuglink when the file has one; null to skip that comparison.</param>
    public static void Compare(string path, ElfImage image, ReadelfOutput r, List<string> errors, bool sections = true, string? readelf = null)
    {
        void Check(bool ok, string what, object? ours, object? theirs)
        {
            if (!ok)
            {
                errors.Add($"{path}: {what}: abi={ours} readelf={theirs}");
            }
        }

        var inv = CultureInfo.InvariantCulture;
        var h = image.Header;
        Check(r.Header.GetValueOrDefault("Class") == (h.Class == ElfClass.Elf64 ? "ELF64" : "ELF32"), "class", h.Class, r.Header.GetValueOrDefault("Class"));
        Check(r.Header.GetValueOrDefault("Data") == (h.DataEncoding == ElfDataEncoding.LittleEndian ? "2's complement, little endian" : "2's complement, big endian"), "data", h.DataEncoding, r.Header.GetValueOrDefault("Data"));
        Check(r.Header.GetValueOrDefault("OS/ABI") == ReadelfNames.OsAbi(h.OsAbi), "OS/ABI", ReadelfNames.OsAbi(h.OsAbi), r.Header.GetValueOrDefault("OS/ABI"));
        Check(r.Header.GetValueOrDefault("Machine") == ReadelfNames.Machine(h.Machine), "machine", ReadelfNames.Machine(h.Machine), r.Header.GetValueOrDefault("Machine"));
        Check(r.Header.GetValueOrDefault("Entry point address") == string.Create(inv, $"0x{h.Entry:x}"), "entry", h.Entry, r.Header.GetValueOrDefault("Entry point address"));
        var type = r.Header.GetValueOrDefault("Type") ?? "";
        Check(type.StartsWith(h.Type switch { ElfFileType.SharedObject => "DYN ", ElfFileType.Executable => "EXEC ", ElfFileType.Relocatable => "REL ", _ => "?" }, StringComparison.Ordinal), "type", h.Type, type);
        Check(type.Contains("Position-Independent", StringComparison.Ordinal) == image.IsPositionIndependentExecutable, "PIE", image.IsPositionIndependentExecutable, type);
        Check(r.ProgramHeaderCount == image.Segments.Length, "program header count", image.Segments.Length, r.ProgramHeaderCount);
        if (r.SegmentTypes.Count > 0)
        {
            var segmentTypes = image.Segments.Select(s => ReadelfNames.SegmentType(s.Type, h.Machine)).ToList();
            Check(segmentTypes.SequenceEqual(r.SegmentTypes), "segment types", string.Join(",", segmentTypes), string.Join(",", r.SegmentTypes));
        }

        // Deliberate difference: in a separate debug file made by eu-strip -f, PT_INTERP keeps its size over a NOBITS
        // .interp and readelf prints whatever bytes lie at its offset; the model reports no interpreter there.
        bool interpPlaceholder = image.Sections.Any(s => s.Name == ".interp" && s.Type == ElfSectionType.SHT_NOBITS);
        Check(interpPlaceholder ? image.Interpreter is null : r.Interpreter == image.Interpreter, "interpreter", image.Interpreter, r.Interpreter);
        if (sections)
        {
            var names = image.Sections.Select(s => s.Name).ToList();
            Check(names.SequenceEqual(r.SectionNames), "section names", string.Join(",", names), string.Join(",", r.SectionNames));
            var sectionTypes = image.Sections.Select(s => ReadelfNames.SectionType(s.Type, h.Machine)).ToList();
            Check(sectionTypes.SequenceEqual(r.SectionTypes), "section types", string.Join(",", sectionTypes), string.Join(",", r.SectionTypes));
            Check(r.BuildId == image.BuildIdHex, "build-id", image.BuildIdHex, r.BuildId);
            CompareNotes(image, r, Check);
            bool hasLink = image.Sections.Any(s => s.Name == ".gnu_debuglink" && s.Type != ElfSectionType.SHT_NOBITS);
            Check(hasLink == (image.DebugLink is not null), ".gnu_debuglink present", image.DebugLink, hasLink);
            if (hasLink && image.DebugLink is { } link && readelf is not null)
            {
                var theirs = DebugLink(readelf, path, h.DataEncoding == ElfDataEncoding.BigEndian);
                Check(theirs == (link.FileName, link.Crc32), ".gnu_debuglink", (link.FileName, link.Crc32), theirs);
            }
        }

        CompareDynamic(image, r, Check);
        CompareSymbols(image, r, errors, path);
        if (sections)
        {
            CompareVersions(image, r, Check);
        }
    }

    private static void CompareDynamic(ElfImage image, ReadelfOutput r, Action<bool, string, object?, object?> check)
    {
        var d = image.Dynamic;
        if (d is null)
        {
            check(r.Dynamic.Count == 0, "dynamic section", "absent", r.Dynamic.Count);
            return;
        }

        // readelf lists the entries up to and including the first DT_NULL.
        var ours = d.Entries.Select(e => (ulong)(long)e.Tag).Append(0UL).ToList();
        var theirs = r.Dynamic.Select(e => e.Tag).ToList();
        check(ours.SequenceEqual(theirs), "dynamic tags", string.Join(",", ours.Select(t => t.ToString("x", CultureInfo.InvariantCulture))), string.Join(",", theirs.Select(t => t.ToString("x", CultureInfo.InvariantCulture))));

        // The names of ElfDynamicTag are readelf's, DT_ prefixed.
        foreach (var (tag, type, _) in r.Dynamic)
        {
            var name = ReadelfNames.DynamicTag((ElfDynamicTag)(long)tag, image.Header.Machine);
            check(name == type, "dynamic tag name", name, type);
        }

        static string Bracketed(string value) => value[(value.IndexOf('[', StringComparison.Ordinal) + 1)..value.LastIndexOf(']')];
        var needed = r.Dynamic.Where(e => e.Type == "NEEDED").Select(e => Bracketed(e.Value)).ToList();
        check(needed.SequenceEqual(d.Needed), "NEEDED", string.Join(",", d.Needed), string.Join(",", needed));
        var soname = r.Dynamic.Where(e => e.Type == "SONAME").Select(e => Bracketed(e.Value)).FirstOrDefault();
        check(soname == d.Soname, "SONAME", d.Soname, soname);
        var rpath = r.Dynamic.Where(e => e.Type == "RPATH").Select(e => Bracketed(e.Value)).FirstOrDefault();
        check(rpath == d.RPath, "RPATH", d.RPath, rpath);
        var runpath = r.Dynamic.Where(e => e.Type == "RUNPATH").Select(e => Bracketed(e.Value)).FirstOrDefault();
        check(runpath == d.RunPath, "RUNPATH", d.RunPath, runpath);
        foreach (var (tag, t, value) in r.Dynamic)
        {
            if (t == "FLAGS_1")
            {
                ulong bits = value.Replace("Flags:", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries).Aggregate(0UL, (a, n) => a | ReadelfOutput.Flags1Names.GetValueOrDefault(n));
                check(bits == (ulong)d.Flags1, "FLAGS_1", d.Flags1, value);
            }
            else if (t == "FLAGS")
            {
                ulong bits = value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Aggregate(0UL, (a, n) => a | ReadelfOutput.FlagsNames.GetValueOrDefault(n));
                check(bits == (ulong)d.Flags, "FLAGS", d.Flags, value);
            }
        }

        check(d.HasHash == theirs.Contains((ulong)(long)ElfDynamicTag.DT_HASH), "DT_HASH", d.HasHash, null);
        check(d.HasGnuHash == theirs.Contains((ulong)(long)ElfDynamicTag.DT_GNU_HASH), "DT_GNU_HASH", d.HasGnuHash, null);
        check(d.HasDebug == theirs.Contains((ulong)(long)ElfDynamicTag.DT_DEBUG), "DT_DEBUG", d.HasDebug, null);
    }

    /// <summary>Every note (owner, size), the ABI tag and the GNU properties as readelf -n prints them.</summary>
    internal static void CompareNotes(ElfImage image, ReadelfOutput r, Action<bool, string, object?, object?> check)
    {
        var notes = image.Notes;
        check(notes.Length == r.Notes.Count, "note count", notes.Length, r.Notes.Count);
        if (notes.Length != r.Notes.Count)
        {
            return;
        }

        int property = 0;
        var all = image.GnuProperties.Properties;
        for (int i = 0; i < notes.Length; i++)
        {
            var (ours, theirs) = (notes[i], r.Notes[i]);
            check(ours.Descriptor.Length == theirs.DataSize, $"note {i} size", ours.Descriptor.Length, theirs.DataSize);

            // readelf decodes annobin's binary owner names; the others it prints as they are.
            if (ours.Type is not (ElfNoteType.NT_GNU_BUILD_ATTRIBUTE_OPEN or ElfNoteType.NT_GNU_BUILD_ATTRIBUTE_FUNC))
            {
                check(ours.Name == theirs.Owner, $"note {i} owner", ours.Name, theirs.Owner);
            }

            if (ours.IsGnu && ours.Type == ElfNoteType.NT_GNU_ABI_TAG)
            {
                var tag = image.AbiTag;
                string spelled = tag is null ? "<corrupt GNU_ABI_TAG>" : string.Create(CultureInfo.InvariantCulture, $"OS: {ReadelfNames.AbiTagOs(tag.Os)}, ABI: {tag.Major}.{tag.Minor}.{tag.Patch}");
                check(theirs.Description[0] == spelled, "ABI tag", spelled, theirs.Description[0]);
            }

            if (ours.IsGnu && ours.Type == ElfNoteType.NT_GNU_PROPERTY_TYPE_0)
            {
                // readelf -W lists the properties on one line after "Properties: ", separated by ", " (without -W,
                // one line each); compared as text when this model spells every property of the note.
                int count = 0;
                var spelled = new List<string?>();
                for (var desc = ours.Descriptor; property < all.Length && count < 64; count++)
                {
                    if (!Overlaps(desc, all[property].Data))
                    {
                        break;
                    }

                    spelled.Add(ReadelfNames.GnuProperty(all[property++], image.Header.Machine, image.Header.DataEncoding == ElfDataEncoding.BigEndian));
                }

                string text = string.Join(", ", theirs.Description).TrimEnd();
                if (spelled.All(x => x is not null))
                {
                    string mine = ("Properties: " + string.Join(", ", spelled.Select(x => x!.TrimEnd()))).TrimEnd();
                    check(mine == text, "GNU properties", mine, text);
                }
            }
        }

        check(property == all.Length, "GNU property count", all.Length, property);
    }

    /// <summary>Whether <paramref name="part"/> lies inside <paramref name="whole"/> (both views of the same mapped file).</summary>
    private static bool Overlaps(ReadOnlyMemory<byte> whole, ReadOnlyMemory<byte> part)
        => whole.Span.Overlaps(part.Span, out int offset) && offset >= 0 && offset <= whole.Length - part.Length;

    private static void CompareSymbols(ElfImage image, ReadelfOutput r, List<string> errors, string path)
    {
        var table = image.DynamicSymbols;
        if (table.Count != r.Symbols.Count)
        {
            errors.Add($"{path}: dynamic symbol count: abi={table.Count} readelf={r.Symbols.Count}");
            return;
        }

        var osAbi = image.Header.OsAbi;
        int reported = 0;
        for (int i = 0; i < table.Count && reported < 5; i++)
        {
            var s = table[i];
            var t = r.Symbols[i];
            var name = s.ToString();
            // readelf names an unnamed section symbol after its section.
            if (s.Type == ElfSymbolType.Section && name.Length == 0 && (int)s.SectionIndex < image.Sections.Length)
            {
                name = image.Sections[(int)s.SectionIndex].Name;
            }

            var ours = new ReadelfOutput.Symbol(s.Index, s.Value, s.Size, ReadelfNames.SymbolType(s.Type, osAbi), ReadelfNames.SymbolBinding(s.Binding, osAbi),
                ReadelfNames.SymbolVisibility(s.Visibility), ReadelfNames.SectionIndex(s.SectionIndex), name);
            if (ours != t)
            {
                errors.Add($"{path}: symbol {i}: abi={ours} readelf={t}");
                reported++;
            }
        }
    }

    private static void CompareVersions(ElfImage image, ReadelfOutput r, Action<bool, string, object?, object?> check)
    {
        check(image.VersionDefinitions.Length == r.Definitions.Count, "version definition count", image.VersionDefinitions.Length, r.Definitions.Count);
        foreach (var (ours, theirs) in image.VersionDefinitions.Zip(r.Definitions))
        {
            string o = $"{ours.StructureVersion} {ReadelfNames.VersionFlags(ours.Flags)} {ours.Index} {ours.Predecessors.Length + 1} {ours.Name} [{string.Join(",", ours.Predecessors)}]";
            string t = $"{theirs.Revision} {theirs.Flags} {theirs.Index} {theirs.Count} {theirs.Name} [{string.Join(",", theirs.Parents)}]";
            check(o == t, "version definition", o, t);
        }

        check(image.VersionNeeds.Length == r.Needs.Count, "version need count", image.VersionNeeds.Length, r.Needs.Count);
        foreach (var (ours, theirs) in image.VersionNeeds.Zip(r.Needs))
        {
            string o = $"{ours.StructureVersion} {ours.FileName} {ours.Versions.Length}: " + string.Join(", ", ours.Versions.Select(v => $"{v.Name} {ReadelfNames.VersionFlags(v.Flags)} {v.Index}"));
            string t = $"{theirs.Version} {theirs.File} {theirs.Count}: " + string.Join(", ", theirs.Versions.Select(v => $"{v.Name} {v.Flags} {v.Version}"));
            check(o == t, "version need", o, t);
        }
    }
}
