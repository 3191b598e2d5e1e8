using System.Collections.Immutable;
using System.Text;

namespace Abi.Sdk.Dwarf;

/// <summary>
/// The file names of a unit's line-table header (<c>.debug_line</c>, DWARF 2 to 5), which DW_AT_decl_file indexes:
/// each composed as libdw's <c>dwarf_decl_file</c> composes it, so that a path reads as abidiff sees it: an absolute
/// name as written; a relative one after its directory and a slash, where the directory is the header's entry
/// (DWARF 5, entry 0 included) or, for entry 0 before DWARF 5, the unit's DW_AT_comp_dir. Only the header is read,
/// never the line program. A split unit's table is its <c>.dwo</c>'s, or in a DWARF package its line contribution.
/// </summary>
internal static class DwarfLineFiles
{
    // DW_LNCT_* content types of DWARF 5 entry formats.
    private const ulong LnctPath = 1;
    private const ulong LnctDirectoryIndex = 2;

    /// <summary>
    /// The file names of <paramref name="unit"/>, indexed as its DW_AT_decl_file values are (DWARF 5 from 0; before,
    /// from 1 with entry 0 <see langword="null"/>); empty when the unit has no line table (no DW_AT_stmt_list, and not
    /// a split unit, whose table is the one at offset 0 of its file's <c>.debug_line.dwo</c>, or in a package at its
    /// line contribution, or else its skeleton's).
    /// </summary>
    /// <exception cref="DwarfFormatException">The header is malformed or runs past its section.</exception>
    public static ImmutableArray<string?> Read(DwarfUnit unit)
    {
        ulong? offset = null;
        string? compDir = null;
        foreach (var a in unit.RootDie.Attributes)
        {
            if (a.Attribute == DwarfAttribute.StmtList && (a.IsConstant || a.Form == DwarfForm.SecOffset))
            {
                offset = a.RawValue;
            }
            else if (a.Attribute == DwarfAttribute.CompDir && a.IsString)
            {
                compDir = a.AsString();
            }
        }

        var section = unit.File.Section(DwarfSectionKind.Line);

        // A split unit's DW_AT_decl_file values name files of its .dwo's own line table, which gcc writes at offset 0;
        // in a package, the line table its index row names (the DW_SECT_LINE contribution the packager copied from
        // that .dwo). Without one (clang writes no .debug_line.dwo), the unit inherits the skeleton's DW_AT_stmt_list
        // and DW_AT_comp_dir (DWARF 5, 3.1.3), as libdw falls back to the skeleton's files.
        if (offset is null && unit.File.IsSplitObject)
        {
            offset = unit.File.IsPackage ? unit.Contribution.LineOffset : 0;
            if ((offset is null || section.Length == 0) && unit.Skeleton is { } skeleton && !skeleton.File.IsSplitObject)
            {
                return Read(skeleton);
            }
        }

        if (offset is not { } at || section.Length == 0)
        {
            return [];
        }

        if (at >= (ulong)section.Length)
        {
            throw section.Error((long)Math.Min(at, long.MaxValue), $"DW_AT_stmt_list 0x{at:x} of {unit} is past the end of the section (0x{section.Length:x} bytes)");
        }

        return Read(unit, section, (long)at, compDir);
    }

    private static ImmutableArray<string?> Read(DwarfUnit unit, DwarfSection section, long start, string? compDir)
    {
        var c = section.Cursor(start);
        ulong length = c.U32();
        int offsetSize = 4;
        if (length == 0xffffffff)
        {
            length = c.U64();
            offsetSize = 8;
        }
        else if (length >= 0xfffffff0)
        {
            throw c.Error(start, $"reserved line table length 0x{length:x}");
        }

        if (length > (ulong)(c.Length - c.Position))
        {
            throw c.Error(start, $"line table length 0x{length:x} runs past the end of the section (0x{section.Length:x} bytes)");
        }

        int end = c.Position + (int)length;
        ushort version = c.U16();
        if (version is < 2 or > 5)
        {
            throw c.Error(start, $"unsupported line table version {version}");
        }

        if (version >= 5)
        {
            c.U8(); // address_size
            c.U8(); // segment_selector_size
        }

        ulong headerLength = c.Sized(offsetSize);
        if (headerLength > (ulong)(end - c.Position))
        {
            throw c.Error(start, $"line table header length 0x{headerLength:x} runs past the table");
        }

        int programStart = c.Position + (int)headerLength;
        c.U8(); // minimum_instruction_length
        if (version >= 4)
        {
            c.U8(); // maximum_operations_per_instruction
        }

        c.U8(); // default_is_stmt
        c.U8(); // line_base
        c.U8(); // line_range
        byte opcodeBase = c.U8();
        c.Skip(opcodeBase > 0 ? (ulong)(opcodeBase - 1) : 0);

        var files = ImmutableArray.CreateBuilder<string?>();
        if (version < 5)
        {
            var directories = new List<string?> { compDir };
            while (true)
            {
                var (s, n) = c.CString();
                if (n == 0)
                {
                    break;
                }

                directories.Add(Utf8(c.Data.Slice(s, n)));
            }

            files.Add(null); // DW_AT_decl_file 0: no file
            while (c.Position < programStart)
            {
                var (s, n) = c.CString();
                if (n == 0)
                {
                    break;
                }

                var name = Utf8(c.Data.Slice(s, n));
                ulong dir = c.Uleb();
                c.Uleb(); // modification time
                c.Uleb(); // length
                files.Add(Compose(name, dir < (ulong)directories.Count ? directories[(int)dir] : null));
            }

            return files.ToImmutable();
        }

        var dirs = ReadEntries(ref c, unit, offsetSize, start);
        var names = ReadEntries(ref c, unit, offsetSize, start);
        foreach (var (path, dirIndex) in names)
        {
            files.Add(path is null ? null : Compose(path, dirIndex < (ulong)dirs.Count ? dirs[(int)dirIndex].Path : null));
        }

        return files.ToImmutable();
    }

    /// <summary>A DWARF 5 directory or file name table: its entry format, its count, its entries (path, directory index).</summary>
    private static List<(string? Path, ulong Directory)> ReadEntries(ref DwarfCursor c, DwarfUnit unit, int offsetSize, long start)
    {
        int formatCount = c.U8();
        Span<(ulong Type, ulong Form)> format = stackalloc (ulong, ulong)[formatCount];
        for (int i = 0; i < formatCount; i++)
        {
            format[i] = (c.Uleb(), c.Uleb());
        }

        ulong count = c.Uleb();
        if (count > (ulong)(c.Length - c.Position))
        {
            // Every entry takes at least one byte: a larger count is a malformed header, not an allocation.
            throw c.Error(start, $"line table entry count {count} is larger than the section");
        }

        var entries = new List<(string?, ulong)>((int)Math.Min(count, 1024));
        for (ulong e = 0; e < count; e++)
        {
            string? path = null;
            ulong directory = 0;
            foreach (var (type, form) in format)
            {
                var (text, value) = ReadForm(ref c, unit, (DwarfForm)form, offsetSize, start);
                if (type == LnctPath)
                {
                    path = text;
                }
                else if (type == LnctDirectoryIndex)
                {
                    directory = value;
                }
            }

            entries.Add((path, directory));
        }

        return entries;
    }

    private static (string? Text, ulong Value) ReadForm(ref DwarfCursor c, DwarfUnit unit, DwarfForm form, int offsetSize, long start)
    {
        var file = unit.File;
        switch (form)
        {
            case DwarfForm.String:
                var (s, n) = c.CString();
                return (Utf8(c.Data.Slice(s, n)), 0);
            case DwarfForm.LineStrp:
                return (Utf8(file.ReadString(DwarfSectionKind.LineStr, c.Sized(offsetSize))), 0);
            case DwarfForm.Strp:
                return (Utf8(file.ReadString(DwarfSectionKind.Str, c.Sized(offsetSize))), 0);
            case DwarfForm.Strx or DwarfForm.Strx1 or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4:
                ulong index = form switch
                {
                    DwarfForm.Strx => c.Uleb(),
                    DwarfForm.Strx1 => c.U8(),
                    DwarfForm.Strx2 => c.U16(),
                    DwarfForm.Strx3 => c.U24(),
                    _ => c.U32(),
                };
                return (Utf8(file.ReadString(DwarfSectionKind.Str, file.ReadIndexed(DwarfSectionKind.StrOffsets, unit.StrOffsetsBase, index, unit.OffsetSize))), 0);
            case DwarfForm.Udata:
                return (null, c.Uleb());
            case DwarfForm.Data1:
                return (null, c.U8());
            case DwarfForm.Data2:
                return (null, c.U16());
            case DwarfForm.Data4:
                return (null, c.U32());
            case DwarfForm.Data8:
                return (null, c.U64());
            case DwarfForm.Data16:
                c.Skip(16);
                return (null, 0);
            case DwarfForm.Block:
                c.Skip(c.Uleb());
                return (null, 0);
            default:
                throw c.Error(start, $"unsupported form 0x{(ushort)form:x} in a line table entry format");
        }
    }

    private static string Compose(string name, string? directory)
        => name.StartsWith('/') || string.IsNullOrEmpty(directory) ? name : directory + "/" + name;

    private static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
