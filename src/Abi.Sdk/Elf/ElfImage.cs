using System.Collections.Immutable;
using System.Text;

namespace Abi.Sdk.Elf;

/// <summary>
/// An ELF file opened for reading what the dynamic loader reads: header, program headers, the dynamic section,
/// dynamic symbols with their GNU versions, version definitions and requirements, dynamic relocations, the GNU hash
/// table, notes (build-id, ABI tag, GNU properties) and debug link.
/// Reads ELF32 and ELF64 of either byte order. The file is memory-mapped; the headers, dynamic section and version
/// tables are validated when opened, relocations, hash table and notes on first use, and symbols and relocations are
/// decoded in place when read. Immutable and safe to share across threads until disposed.
/// </summary>
public sealed partial class ElfImage : IDisposable
{
    private const int MaxVersionIndex = 0x7fff;

    private readonly ReadOnlyMemory<byte> _memory;
    private readonly MappedFile? _mapped;
    private bool _disposed;

    private ElfImage(ReadOnlyMemory<byte> memory, MappedFile? mapped, string? fileName)
    {
        _memory = memory;
        _mapped = mapped;
        FileName = fileName;
        var data = memory.Span;
        Header = ReadHeader(data, out var e, out var phoff, out var phentsize, out var phnum, out var shoff, out var shentsize, out var shnum, out var shstrndx);
        Endian = e;
        Sections = ReadSections(data, shoff, shentsize, shnum, shstrndx);
        Segments = ReadSegments(data, phoff, phentsize, phnum);
        Interpreter = ReadInterpreter(data);
        var dyn = ReadDynamic(data);
        Dynamic = dyn;
        (VersionDefinitions, VersionNeeds, DynamicSymbols) = ReadSymbolsAndVersions(data, dyn);
        DebugLink = ReadDebugLink(data);
        _strings = null;
    }

    /// <summary>The path the image was opened from, or the label given to <see cref="Parse"/>, <see cref="Read"/> or <see cref="ReadAsync"/>.</summary>
    public string? FileName { get; }

    /// <summary>The file header.</summary>
    public ElfHeader Header { get; }

    /// <summary>The program headers, in file order.</summary>
    public ImmutableArray<ElfSegment> Segments { get; }

    /// <summary>The section headers, in file order (empty when the file has none, as after <c>strip --strip-section-headers</c>).</summary>
    public ImmutableArray<ElfSection> Sections { get; }

    /// <summary>PT_INTERP: the program interpreter, for example <c>/lib64/ld-linux-x86-64.so.2</c>; <see langword="null"/> when absent.</summary>
    public string? Interpreter { get; }

    /// <summary>The dynamic section, or <see langword="null"/> for a static or relocatable file.</summary>
    public ElfDynamicSection? Dynamic { get; }

    /// <summary>DT_SONAME, or <see langword="null"/>.</summary>
    public string? Soname => Dynamic?.Soname;

    /// <summary>DT_NEEDED, in the loader's order.</summary>
    public ImmutableArray<string> Needed => Dynamic?.Needed ?? [];

    /// <summary>The dynamic symbols (<c>.dynsym</c>), read in place; entry 0 is the null symbol.</summary>
    public ElfSymbolTable DynamicSymbols { get; }

    /// <summary>The version definitions (<c>.gnu.version_d</c>), the base definition first as the file orders them.</summary>
    public ImmutableArray<ElfVersionDefinition> VersionDefinitions { get; }

    /// <summary>The version requirements (<c>.gnu.version_r</c>), grouped by the file that must provide them.</summary>
    public ImmutableArray<ElfVersionNeed> VersionNeeds { get; }

    /// <summary>The <c>.gnu_debuglink</c> section, or <see langword="null"/> when absent.</summary>
    public ElfDebugLink? DebugLink { get; }

    /// <summary>
    /// True for a position-independent executable as readelf decides it: ET_DYN whose first DT_FLAGS_1 has DF_1_PIE.
    /// An ET_DYN with an interpreter but without DF_1_PIE (libc.so.6, executables from linkers before 2.26) is a
    /// shared object to readelf and here.
    /// </summary>
    public bool IsPositionIndependentExecutable =>
        Header.Type == ElfFileType.SharedObject && Dynamic is { } d && (d.Flags1 & ElfDynamicFlags1.DF_1_PIE) != 0;

    /// <summary>True for ET_DYN that is not a PIE executable: a shared library.</summary>
    public bool IsSharedLibrary => Header.Type == ElfFileType.SharedObject && !IsPositionIndependentExecutable;

    internal ElfEndian Endian { get; }

    // Every read of the file's bytes passes here: one field test, so a disposed image fails clearly, never with freed memory.
    internal ReadOnlySpan<byte> Span
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_disposed)
            {
                ElfThrow.Disposed(this);
            }

            return _memory.Span;
        }
    }

    /// <summary>The bytes of the whole file.</summary>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public ReadOnlyMemory<byte> Memory
    {
        get
        {
            if (_disposed)
            {
                ElfThrow.Disposed(this);
            }

            return _memory;
        }
    }

    /// <summary>Opens and memory-maps the file at <paramref name="path"/>.</summary>
    /// <param name="path">The ELF file.</param>
    /// <returns>The image; dispose it to unmap the file.</returns>
    /// <exception cref="ElfFormatException">The file is not a well-formed ELF file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ElfImage Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var mapped = MappedFile.Open(path);
        try
        {
            return new ElfImage(mapped.Memory, mapped, path);
        }
        catch
        {
            ((IDisposable)mapped).Dispose();
            throw;
        }
    }

    /// <summary>Parses an ELF image held in memory. The memory must not change while the image is used.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="fileName">A label for error messages and <see cref="FileName"/>.</param>
    /// <returns>The image.</returns>
    /// <exception cref="ElfFormatException">The bytes are not a well-formed ELF file.</exception>
    public static ElfImage Parse(ReadOnlyMemory<byte> data, string? fileName = null) => new(data, null, fileName);

    /// <summary>Reads an ELF image from the rest of <paramref name="stream"/>, which is copied into memory.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fileName">A label for error messages and <see cref="FileName"/>.</param>
    /// <returns>The image.</returns>
    /// <exception cref="ElfFormatException">The bytes are not a well-formed ELF file.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static ElfImage Read(Stream stream, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new ElfImage(IO.StreamBuffer.ReadToEnd(stream), null, fileName);
    }

    /// <summary>
    /// Reads an ELF image from the rest of <paramref name="stream"/> asynchronously: the stream is copied into memory
    /// with asynchronous reads, then parsed (parsing is in-memory work and runs on the calling thread).
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fileName">A label for error messages and <see cref="FileName"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The image.</returns>
    /// <exception cref="ElfFormatException">The bytes are not a well-formed ELF file.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ElfImage> ReadAsync(Stream stream, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new ElfImage(await IO.StreamBuffer.ReadToEndAsync(stream, cancellationToken).ConfigureAwait(false), null, fileName);
    }

    /// <summary>Whether <paramref name="prefix"/> starts with the ELF magic bytes.</summary>
    /// <param name="prefix">The first bytes of a file.</param>
    /// <returns>True for an ELF file.</returns>
    public static bool IsElf(ReadOnlySpan<byte> prefix) => prefix.Length >= 4 && prefix[0] == 0x7f && prefix[1] == (byte)'E' && prefix[2] == (byte)'L' && prefix[3] == (byte)'F';

    /// <summary>
    /// Whether <paramref name="path"/> is a regular file — not a symbolic link, which is not followed — whose first
    /// bytes are the ELF magic: the files rpm's file classifier hands to the ELF dependency generator.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>False for links, folders, short or unreadable files and anything else.</returns>
    public static bool IsElfFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null || !info.Exists)
            {
                return false;
            }

            Span<byte> magic = stackalloc byte[4];
            using var stream = IO.RegularFile.OpenRead(path, 1);
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && IsElf(magic);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Unmaps the file. Afterwards reading a symbol, a name or anything else from the image's bytes throws
    /// <see cref="ObjectDisposedException"/>, whether the image was mapped or parsed from memory; the headers,
    /// sections, segments, dynamic section and version tables decoded when it was opened stay readable.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        ((IDisposable?)_mapped)?.Dispose();
    }

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>True when the image maps the file it was opened from (<see cref="Open"/>), not bytes given to it.</summary>
    internal bool IsFileMapped => _mapped is not null;

    /// <summary>Converts a virtual address to a file offset through the PT_LOAD segments, as the loader maps them.</summary>
    /// <param name="address">The virtual address.</param>
    /// <param name="offset">The file offset.</param>
    /// <returns>False when no loaded segment holds the address in its file bytes.</returns>
    public bool TryMapAddress(ulong address, out ulong offset)
    {
        foreach (var s in Segments)
        {
            if (s.Type == ElfSegmentType.PT_LOAD && address >= s.VirtualAddress && address - s.VirtualAddress < s.FileSize)
            {
                offset = s.Offset + (address - s.VirtualAddress);
                return true;
            }
        }

        offset = 0;
        return false;
    }

    /// <summary>
    /// Reads the static symbol table (<c>.symtab</c>): the symbols of a relocatable object (<c>gcc -c</c> output),
    /// which has no dynamic ones, and what abidiff compares for any file without dynamic symbols. Checked when
    /// called, not when the image is opened.
    /// </summary>
    /// <returns>The table, entry 0 the null symbol; empty when the file has no <c>.symtab</c> (stripped).</returns>
    /// <exception cref="ElfFormatException">The table or its string table lies outside the file.</exception>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public ElfSymbolTable ReadSymbolTable()
    {
        if (_disposed)
        {
            ElfThrow.Disposed(this);
        }

        var symtab = FindSection(ElfSectionType.SHT_SYMTAB);
        if (symtab is null)
        {
            return ElfSymbolTable.Empty(this);
        }

        int entSize = Endian.Is64 ? 24 : 16;
        var (offset, length) = Range(symtab.Offset, symtab.Size, "symbol table (.symtab)");
        if (symtab.EntrySize != (ulong)entSize)
        {
            ElfThrow.Format(FileName, offset, $"section {symtab.Name} has entry size {symtab.EntrySize}, expected {entSize}");
        }

        if (symtab.Link == 0 || symtab.Link >= Sections.Length)
        {
            ElfThrow.Format(FileName, offset, $"symbol table links to section {symtab.Link}, which does not exist");
        }

        var strtab = Sections[(int)symtab.Link];
        var (strOffset, strSize) = Range(strtab.Offset, strtab.Size, "symbol string table (.strtab)");
        return new ElfSymbolTable(this, offset, length / entSize, entSize, strOffset, strSize, -1, [], []);
    }

    internal ElfFormatException Error(long offset, string reason) => new(FileName, offset, reason);

    /// <summary>Checks that [offset, offset+length) lies in the file and returns it as ints.</summary>
    private (int Offset, int Length) Range(ulong offset, ulong length, string what)
    {
        ulong size = (ulong)_memory.Length;
        if (offset > size || length > size - offset)
        {
            ElfThrow.Format(FileName, (long)Math.Min(offset, long.MaxValue), $"{what} (0x{length:x} bytes at offset 0x{offset:x}) runs past the end of the file (0x{size:x} bytes)");
        }

        return ((int)offset, (int)length);
    }

    private ElfHeader ReadHeader(ReadOnlySpan<byte> d, out ElfEndian e, out ulong phoff, out int phentsize, out int phnum, out ulong shoff, out int shentsize, out int shnum, out int shstrndx)
    {
        if (d.Length < 16 || !IsElf(d))
        {
            ElfThrow.Format(FileName, 0, d.Length < 4 ? "file is too short to be ELF" : "not an ELF file (bad magic)");
        }

        var cls = d[4];
        var enc = d[5];
        if (cls is not (1 or 2))
        {
            ElfThrow.Format(FileName, 4, $"unknown ELF class {cls}");
        }

        if (enc is not (1 or 2))
        {
            ElfThrow.Format(FileName, 5, $"unknown ELF data encoding {enc}");
        }

        e = new ElfEndian(enc == 2, cls == 2);
        int ehsize = e.Is64 ? 64 : 52;
        if (d.Length < ehsize)
        {
            ElfThrow.Format(FileName, d.Length, $"ELF header of {ehsize} bytes is truncated at {d.Length}");
        }

        var type = (ElfFileType)e.U16(d, 16);
        var machine = (ElfMachine)e.U16(d, 18);
        uint version = e.U32(d, 20);
        int w = e.AddressSize;
        ulong entry = e.Word(d, 24);
        phoff = e.Word(d, 24 + w);
        shoff = e.Word(d, 24 + (2 * w));
        int p = 24 + (3 * w);
        uint flags = e.U32(d, p);
        phentsize = e.U16(d, p + 6);
        phnum = e.U16(d, p + 8);
        shentsize = e.U16(d, p + 10);
        shnum = e.U16(d, p + 12);
        shstrndx = e.U16(d, p + 14);

        // Extended numbering: the real counts live in section header 0.
        if (shoff != 0 && (shnum == 0 || shstrndx == 0xffff || phnum == 0xffff))
        {
            int minShent = e.Is64 ? 64 : 40;
            if (shentsize < minShent)
            {
                ElfThrow.Format(FileName, p + 10, $"section header size {shentsize} is smaller than {minShent}");
            }

            var (o, _) = Range(shoff, (ulong)minShent, "section header 0");
            if (shnum == 0)
            {
                ulong n = e.Word(d, o + (e.Is64 ? 32 : 20));
                shnum = n > int.MaxValue ? int.MaxValue : (int)n;
            }

            if (shstrndx == 0xffff)
            {
                shstrndx = (int)Math.Min(e.U32(d, o + (e.Is64 ? 40 : 24)), int.MaxValue);
            }

            if (phnum == 0xffff)
            {
                phnum = (int)Math.Min(e.U32(d, o + (e.Is64 ? 44 : 28)), int.MaxValue);
            }
        }

        return new ElfHeader((ElfClass)cls, (ElfDataEncoding)enc, (ElfOsAbi)d[7], d[8], type, machine, version, entry, flags);
    }

    private ImmutableArray<ElfSection> ReadSections(ReadOnlySpan<byte> d, ulong shoff, int shentsize, int shnum, int shstrndx)
    {
        if (shoff == 0 || shnum == 0)
        {
            return [];
        }

        var e = Endian;
        int min = e.Is64 ? 64 : 40;
        if (shentsize < min)
        {
            ElfThrow.Format(FileName, e.Is64 ? 58 : 46, $"section header size {shentsize} is smaller than {min}");
        }

        var (start, _) = Range(shoff, (ulong)shnum * (ulong)shentsize, $"section header table of {shnum} entries");

        // Each entry is decoded where it is used (the name table's first), not copied into a table of its own first.
        (uint Name, uint Type, ulong Flags, ulong Addr, ulong Offset, ulong Size, uint Link, uint Info, ulong Align, ulong EntSize) Raw(ReadOnlySpan<byte> d, int i)
        {
            int o = start + (i * shentsize);
            return e.Is64
                ? (e.U32(d, o), e.U32(d, o + 4), e.U64(d, o + 8), e.U64(d, o + 16), e.U64(d, o + 24), e.U64(d, o + 32), e.U32(d, o + 40), e.U32(d, o + 44), e.U64(d, o + 48), e.U64(d, o + 56))
                : (e.U32(d, o), e.U32(d, o + 4), e.U32(d, o + 8), e.U32(d, o + 12), e.U32(d, o + 16), e.U32(d, o + 20), e.U32(d, o + 24), e.U32(d, o + 28), e.U32(d, o + 32), e.U32(d, o + 36));
        }

        ReadOnlySpan<byte> names = default;
        int namesOffset = 0;
        if (shstrndx != 0)
        {
            if (shstrndx >= shnum)
            {
                ElfThrow.Format(FileName, e.Is64 ? 62 : 50, $"section name table index {shstrndx} is not below the section count {shnum}");
            }

            var s = Raw(d, shstrndx);
            (namesOffset, var length) = Range(s.Offset, s.Size, "section name string table");
            names = d.Slice(namesOffset, length);
        }

        var builder = ImmutableArray.CreateBuilder<ElfSection>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            var s = Raw(d, i);
            string name = string.Empty;
            if (!names.IsEmpty || s.Name != 0)
            {
                name = ReadString(names, namesOffset, s.Name, "section name");
            }

            builder.Add(new ElfSection(i, name, (ElfSectionType)s.Type, (ElfSectionFlags)s.Flags, s.Addr, s.Offset, s.Size, s.Link, s.Info, s.Align, s.EntSize));
        }

        return builder.MoveToImmutable();
    }

    private ImmutableArray<ElfSegment> ReadSegments(ReadOnlySpan<byte> d, ulong phoff, int phentsize, int phnum)
    {
        if (phoff == 0 || phnum == 0)
        {
            return [];
        }

        var e = Endian;
        int min = e.Is64 ? 56 : 32;
        if (phentsize < min)
        {
            ElfThrow.Format(FileName, e.Is64 ? 54 : 42, $"program header size {phentsize} is smaller than {min}");
        }

        var (start, _) = Range(phoff, (ulong)phnum * (ulong)phentsize, $"program header table of {phnum} entries");
        var builder = ImmutableArray.CreateBuilder<ElfSegment>(phnum);
        for (int i = 0; i < phnum; i++)
        {
            int o = start + (i * phentsize);
            builder.Add(e.Is64
                ? new ElfSegment((ElfSegmentType)e.U32(d, o), (ElfSegmentFlags)e.U32(d, o + 4), e.U64(d, o + 8), e.U64(d, o + 16), e.U64(d, o + 24), e.U64(d, o + 32), e.U64(d, o + 40), e.U64(d, o + 48))
                : new ElfSegment((ElfSegmentType)e.U32(d, o), (ElfSegmentFlags)e.U32(d, o + 24), e.U32(d, o + 4), e.U32(d, o + 8), e.U32(d, o + 12), e.U32(d, o + 16), e.U32(d, o + 20), e.U32(d, o + 28)));
        }

        return builder.MoveToImmutable();
    }

    private string? ReadInterpreter(ReadOnlySpan<byte> d)
    {
        foreach (var s in Segments)
        {
            if (s.Type == ElfSegmentType.PT_INTERP)
            {
                // A separate debug file keeps PT_INTERP over a NOBITS .interp (objcopy also zeroes its size): there
                // is nothing to read, and readelf reports no interpreter either.
                if (s.FileSize == 0 || IsPlaceholder(s))
                {
                    return null;
                }

                var (o, l) = Range(s.Offset, s.FileSize, "program interpreter (PT_INTERP)");
                var bytes = d.Slice(o, l);
                int end = bytes.IndexOf((byte)0);
                return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a segment only stands for data that is not in this file: a separate debug file (objcopy
    /// --only-keep-debug, eu-strip -f) keeps the program headers but turns the allocated sections they cover into
    /// SHT_NOBITS placeholders. Such a segment is recognised by a NOBITS section of the file at its address.
    /// </summary>
    private bool IsPlaceholder(ElfSegment segment)
    {
        foreach (var s in Sections)
        {
            if (s.Type == ElfSectionType.SHT_NOBITS && (s.Flags & ElfSectionFlags.SHF_ALLOC) != 0 && s.Address == segment.VirtualAddress && s.Size != 0)
            {
                return true;
            }
        }

        return false;
    }

    private ElfSection? FindSection(ElfSectionType type)
    {
        foreach (var s in Sections)
        {
            if (s.Type == type)
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>Finds the file range of a table given either by a section or by a dynamic-section address.</summary>
    private (int Offset, int Length) MapTable(ulong address, ulong length, string what, long tagOffset)
    {
        if (!TryMapAddress(address, out var offset))
        {
            ElfThrow.Format(FileName, tagOffset, $"{what} address 0x{address:x} is not in any loaded segment");
        }

        return Range(offset, length, what);
    }

    /// <summary>The bytes from a mapped address to the end of its PT_LOAD segment's file image.</summary>
    private (int Offset, int Length) MapToSegmentEnd(ulong address, string what, long tagOffset)
    {
        foreach (var s in Segments)
        {
            if (s.Type == ElfSegmentType.PT_LOAD && address >= s.VirtualAddress && address - s.VirtualAddress < s.FileSize)
            {
                ulong offset = s.Offset + (address - s.VirtualAddress);
                ulong end = Math.Min(s.Offset + s.FileSize, (ulong)_memory.Length);
                if (offset > end)
                {
                    break;
                }

                return Range(offset, end - offset, what);
            }
        }

        throw Error(tagOffset, $"{what} address 0x{address:x} is not in any loaded segment");
    }

    private DynamicInfo? _dynInfo;

    private sealed class DynamicInfo
    {
        public int Offset;
        public int StrOffset = -1;
        public int StrSize;
        public readonly Dictionary<ElfDynamicTag, ulong> Values = [];
    }

    private ElfDynamicSection? ReadDynamic(ReadOnlySpan<byte> d)
    {
        var e = Endian;
        int offset, length;
        var section = FindSection(ElfSectionType.SHT_DYNAMIC);
        if (section is not null)
        {
            (offset, length) = Range(section.Offset, section.Size, "dynamic section");
        }
        else
        {
            // readelf takes the section named .dynamic when there are section headers: NOBITS there (a separate
            // debug file) means the file has no dynamic section, whatever PT_DYNAMIC says.
            foreach (var s in Sections)
            {
                if (s.Name == ".dynamic" && s.Type == ElfSectionType.SHT_NOBITS)
                {
                    return null;
                }
            }

            ElfSegment? seg = null;
            foreach (var s in Segments)
            {
                if (s.Type == ElfSegmentType.PT_DYNAMIC)
                {
                    seg = s;
                    break;
                }
            }

            if (seg is null)
            {
                return null;
            }

            (offset, length) = Range(seg.Value.Offset, seg.Value.FileSize, "dynamic segment (PT_DYNAMIC)");
        }

        int entSize = e.Is64 ? 16 : 8;
        var entries = ImmutableArray.CreateBuilder<ElfDynamicEntry>();
        var info = new DynamicInfo { Offset = offset };
        for (int o = offset; o + entSize <= offset + length; o += entSize)
        {
            var tag = (ElfDynamicTag)(e.Is64 ? (long)e.U64(d, o) : (int)e.U32(d, o));
            ulong value = e.Word(d, o + (entSize / 2));
            if (tag == ElfDynamicTag.DT_NULL)
            {
                break;
            }

            entries.Add(new ElfDynamicEntry(tag, value));
            info.Values.TryAdd(tag, value);
        }

        _dynInfo = info;

        // Strings of the dynamic section: the section's sh_link when there are section headers, else DT_STRTAB.
        if (section is not null && section.Link != 0 && section.Link < Sections.Length)
        {
            var strtab = Sections[(int)section.Link];
            (info.StrOffset, info.StrSize) = Range(strtab.Offset, strtab.Size, "dynamic string table");
        }
        else if (info.Values.TryGetValue(ElfDynamicTag.DT_STRTAB, out var strAddr))
        {
            info.Values.TryGetValue(ElfDynamicTag.DT_STRSZ, out var strSize);
            (info.StrOffset, info.StrSize) = MapTable(strAddr, strSize, "dynamic string table (DT_STRTAB)", offset);
        }

        string? soname = null, rpath = null, runpath = null;
        var needed = ImmutableArray.CreateBuilder<string>();
        ImmutableArray<string>.Builder? filters = null, auxiliaries = null;
        int index = 0;
        foreach (var entry in entries)
        {
            long entryOffset = offset + ((long)index++ * entSize);
            switch (entry.Tag)
            {
                case ElfDynamicTag.DT_NEEDED: needed.Add(DynString(d, info, entry.Value, entryOffset)); break;
                case ElfDynamicTag.DT_SONAME: soname ??= DynString(d, info, entry.Value, entryOffset); break;
                case ElfDynamicTag.DT_RPATH: rpath ??= DynString(d, info, entry.Value, entryOffset); break;
                case ElfDynamicTag.DT_RUNPATH: runpath ??= DynString(d, info, entry.Value, entryOffset); break;
                case ElfDynamicTag.DT_FILTER: (filters ??= ImmutableArray.CreateBuilder<string>()).Add(DynString(d, info, entry.Value, entryOffset)); break;
                case ElfDynamicTag.DT_AUXILIARY: (auxiliaries ??= ImmutableArray.CreateBuilder<string>()).Add(DynString(d, info, entry.Value, entryOffset)); break;
            }
        }

        return new ElfDynamicSection(entries.ToImmutable(), soname, needed.ToImmutable(), rpath, runpath, filters?.ToImmutable() ?? [], auxiliaries?.ToImmutable() ?? []);
    }

    private string DynString(ReadOnlySpan<byte> d, DynamicInfo info, ulong value, long entryOffset)
    {
        if (info.StrOffset < 0)
        {
            ElfThrow.Format(FileName, entryOffset, "dynamic entry names a string but the file has no dynamic string table");
        }

        if (value >= (ulong)info.StrSize)
        {
            ElfThrow.Format(FileName, entryOffset, $"dynamic string offset 0x{value:x} is outside the string table of 0x{info.StrSize:x} bytes");
        }

        return ReadString(d.Slice(info.StrOffset, info.StrSize), info.StrOffset, (uint)value, "dynamic string");
    }

    /// <summary>
    /// Strings decoded while opening, by (table, offset): entries that share a string share one instance, so that
    /// a crafted file pointing thousands of entries at one long string cannot make opening allocate its square.
    /// Only used by the constructor, on one thread, created on the first long string and dropped at the constructor's
    /// end (an open image does not keep it alive). Keyed by table offset and string offset in one integer.
    /// </summary>
    private Dictionary<long, string>? _strings;

    private string ReadString(ReadOnlySpan<byte> table, int tableOffset, uint offset, string what)
    {
        // Only long strings go through the cache: a short one costs at most ShortString bytes however many entries
        // point at it (linear in the file's size), and most strings are short and read once (section names, version
        // names), where caching them cost a dictionary per image (5.8 MB of `abi compat` over /usr/bin).
        if (offset < (uint)table.Length && table.Slice((int)offset, Math.Min(ShortString + 1, table.Length - (int)offset)).IndexOf((byte)0) >= 0)
        {
            return DecodeString(table, tableOffset, offset, what);
        }

        long key = ((long)tableOffset << 32) | offset;
        var strings = _strings ??= [];
        if (strings.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var value = DecodeString(table, tableOffset, offset, what);
        strings[key] = value;
        return value;
    }

    /// <summary>The longest string decoded without the cache: see <see cref="ReadString"/>.</summary>
    private const int ShortString = 64;

    private string DecodeString(ReadOnlySpan<byte> table, int tableOffset, uint offset, string what)
    {
        if (offset >= (uint)table.Length)
        {
            ElfThrow.Format(FileName, tableOffset + (long)offset, $"{what} offset 0x{offset:x} is outside its string table of 0x{table.Length:x} bytes");
        }

        var rest = table[(int)offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            ElfThrow.Format(FileName, tableOffset + (long)offset, $"{what} runs past the end of its string table");
        }

        return Encoding.UTF8.GetString(rest[..end]);
    }

    private (ImmutableArray<ElfVersionDefinition>, ImmutableArray<ElfVersionNeed>, ElfSymbolTable) ReadSymbolsAndVersions(ReadOnlySpan<byte> d, ElfDynamicSection? dyn)
    {
        var e = Endian;
        int symOffset = 0, symLength = 0, entSize = e.Is64 ? 24 : 16, strOffset = -1, strSize = 0;
        int versymOffset = -1;
        int verdefOffset = -1, verdefLength = 0, verdefCount = 0;
        int verneedOffset = -1, verneedLength = 0, verneedCount = 0;

        var dynsym = FindSection(ElfSectionType.SHT_DYNSYM);
        if (dynsym is not null)
        {
            // The section headers describe the tables: the path readelf takes.
            if (dynsym.EntrySize != (ulong)entSize)
            {
                ElfThrow.Format(FileName, 0, $"section {dynsym.Name} has entry size {dynsym.EntrySize}, expected {entSize}");
            }

            (symOffset, symLength) = Range(dynsym.Offset, dynsym.Size, "dynamic symbol table");
            if (dynsym.Link == 0 || dynsym.Link >= Sections.Length)
            {
                ElfThrow.Format(FileName, symOffset, $"dynamic symbol table links to section {dynsym.Link}, which does not exist");
            }

            var strtab = Sections[(int)dynsym.Link];
            (strOffset, strSize) = Range(strtab.Offset, strtab.Size, "dynamic string table");
            if (FindSection(ElfSectionType.SHT_GNU_VERSYM) is { } vs)
            {
                var (o, l) = Range(vs.Offset, vs.Size, "symbol version table (.gnu.version)");
                if ((ulong)l < (ulong)(symLength / entSize) * 2)
                {
                    ElfThrow.Format(FileName, o, $"symbol version table has {l / 2} entries for {symLength / entSize} symbols");
                }

                versymOffset = o;
            }

            if (FindSection(ElfSectionType.SHT_GNU_VERDEF) is { } vd)
            {
                (verdefOffset, verdefLength) = Range(vd.Offset, vd.Size, "version definitions (.gnu.version_d)");
                verdefCount = (int)Math.Min(vd.Info, int.MaxValue);
            }

            if (FindSection(ElfSectionType.SHT_GNU_VERNEED) is { } vn)
            {
                (verneedOffset, verneedLength) = Range(vn.Offset, vn.Size, "version requirements (.gnu.version_r)");
                verneedCount = (int)Math.Min(vn.Info, int.MaxValue);
            }
        }
        else if (dyn is not null && _dynInfo is { } info && info.Values.TryGetValue(ElfDynamicTag.DT_SYMTAB, out var symAddr))
        {
            // No section headers: find everything as the loader does, through the dynamic section.
            long at = info.Offset;
            if (info.Values.TryGetValue(ElfDynamicTag.DT_SYMENT, out var syment) && syment != (ulong)entSize)
            {
                ElfThrow.Format(FileName, at, $"DT_SYMENT is {syment}, expected {entSize}");
            }

            int count = CountSymbolsFromHash(d, info, symAddr);
            (symOffset, symLength) = MapTable(symAddr, (ulong)count * (ulong)entSize, "dynamic symbol table (DT_SYMTAB)", at);
            (strOffset, strSize) = (info.StrOffset, info.StrSize);
            if (info.Values.TryGetValue(ElfDynamicTag.DT_VERSYM, out var versymAddr))
            {
                (versymOffset, _) = MapTable(versymAddr, (ulong)count * 2, "symbol version table (DT_VERSYM)", at);
            }

            if (info.Values.TryGetValue(ElfDynamicTag.DT_VERDEF, out var verdefAddr))
            {
                (verdefOffset, verdefLength) = MapToSegmentEnd(verdefAddr, "version definitions (DT_VERDEF)", at);
                verdefCount = (int)Math.Min(info.Values.GetValueOrDefault(ElfDynamicTag.DT_VERDEFNUM), int.MaxValue);
            }

            if (info.Values.TryGetValue(ElfDynamicTag.DT_VERNEED, out var verneedAddr))
            {
                (verneedOffset, verneedLength) = MapToSegmentEnd(verneedAddr, "version requirements (DT_VERNEED)", at);
                verneedCount = (int)Math.Min(info.Values.GetValueOrDefault(ElfDynamicTag.DT_VERNEEDNUM), int.MaxValue);
            }
        }

        var definitionsByIndex = Array.Empty<ElfSymbolVersion?>();
        var requirementsByIndex = Array.Empty<ElfSymbolVersion?>();
        var definitions = ImmutableArray<ElfVersionDefinition>.Empty;
        var needs = ImmutableArray<ElfVersionNeed>.Empty;
        if (verdefOffset >= 0 || verneedOffset >= 0)
        {
            if (strOffset < 0)
            {
                ElfThrow.Format(FileName, Math.Max(verdefOffset, verneedOffset), "symbol versions are present but the file has no dynamic string table");
            }

            var strings = d.Slice(strOffset, strSize);
            if (verdefOffset >= 0)
            {
                definitions = ReadVersionDefinitions(d.Slice(verdefOffset, verdefLength), verdefOffset, verdefCount, strings, strOffset, out definitionsByIndex);
            }

            if (verneedOffset >= 0)
            {
                needs = ReadVersionNeeds(d.Slice(verneedOffset, verneedLength), verneedOffset, verneedCount, strings, strOffset, out requirementsByIndex);
            }
        }

        if (symLength == 0)
        {
            return (definitions, needs, ElfSymbolTable.Empty(this));
        }

        if (strOffset < 0)
        {
            ElfThrow.Format(FileName, symOffset, "dynamic symbols are present but the file has no dynamic string table");
        }

        var table = new ElfSymbolTable(this, symOffset, symLength / entSize, entSize, strOffset, strSize, versymOffset, definitionsByIndex, requirementsByIndex);
        return (definitions, needs, table);
    }

    /// <summary>Without section headers the symbol count comes from DT_HASH's nchain or from walking DT_GNU_HASH.</summary>
    private int CountSymbolsFromHash(ReadOnlySpan<byte> d, DynamicInfo info, ulong symAddr)
    {
        var e = Endian;
        long at = info.Offset;
        if (info.Values.TryGetValue(ElfDynamicTag.DT_HASH, out var hashAddr))
        {
            // 64-bit s390 and Alpha use 8-byte hash table entries; everyone else 4-byte ones.
            bool wideEntries = e.Is64 && Header.Machine is ElfMachine.S390 or ElfMachine.Alpha;
            var (o, _) = MapTable(hashAddr, wideEntries ? 16UL : 8UL, "hash table (DT_HASH)", at);
            ulong nchain = wideEntries ? e.U64(d, o + 8) : e.U32(d, o + 4);
            return CheckCount(nchain, symAddr, at);
        }

        if (info.Values.TryGetValue(ElfDynamicTag.DT_GNU_HASH, out var gnuAddr))
        {
            var (o, l) = MapToSegmentEnd(gnuAddr, "GNU hash table (DT_GNU_HASH)", at);
            if (l < 16)
            {
                ElfThrow.Format(FileName, o, "GNU hash table header is truncated");
            }

            uint nbuckets = e.U32(d, o), symoffset = e.U32(d, o + 4), bloomSize = e.U32(d, o + 8);
            ulong bucketsAt = 16 + ((ulong)bloomSize * (ulong)e.AddressSize);
            ulong chainsAt = bucketsAt + ((ulong)nbuckets * 4);
            if (chainsAt > (ulong)l)
            {
                ElfThrow.Format(FileName, o, $"GNU hash table of {nbuckets} buckets and {bloomSize} bloom words runs past its segment");
            }

            uint max = 0;
            for (uint b = 0; b < nbuckets; b++)
            {
                max = Math.Max(max, e.U32(d, o + (int)bucketsAt + (int)(b * 4)));
            }

            if (max < symoffset)
            {
                return CheckCount(symoffset, symAddr, at);
            }

            // Follow the chain of the highest bucket to its end marker (low bit set).
            ulong chain = chainsAt + ((ulong)(max - symoffset) * 4);
            while (true)
            {
                if (chain + 4 > (ulong)l)
                {
                    ElfThrow.Format(FileName, o + (long)Math.Min(chain, int.MaxValue), "GNU hash chain runs past its segment without an end marker");
                }

                if ((e.U32(d, o + (int)chain) & 1) != 0)
                {
                    return CheckCount((ulong)max + 1, symAddr, at);
                }

                max++;
                chain += 4;
            }
        }

        throw Error(at, "dynamic section has DT_SYMTAB but neither DT_HASH nor DT_GNU_HASH to size it, and no section headers");
    }

    private int CheckCount(ulong count, ulong symAddr, long at)
    {
        ulong bytes = count * (ulong)(Endian.Is64 ? 24 : 16);
        if (count > int.MaxValue || bytes > (ulong)_memory.Length)
        {
            ElfThrow.Format(FileName, at, $"symbol count {count} from the hash table is larger than the file could hold");
        }

        _ = MapTable(symAddr, bytes, "dynamic symbol table (DT_SYMTAB)", at);
        return (int)count;
    }

    private ImmutableArray<ElfVersionDefinition> ReadVersionDefinitions(ReadOnlySpan<byte> s, int baseOffset, int count, ReadOnlySpan<byte> strings, int strOffset, out ElfSymbolVersion?[] byIndex)
    {
        var e = Endian;
        var list = ImmutableArray.CreateBuilder<ElfVersionDefinition>();
        byIndex = [];
        int offset = 0;
        // Well-formed tables never share entries, so there cannot be more Elf_Verdaux than 8-byte slots; a larger
        // walk means entries overlap (crafted to make the walk quadratic).
        int auxBudget = s.Length / 8;
        int limit = count > 0 ? count : int.MaxValue;
        for (int n = 0; n < limit; n++)
        {
            if (offset < 0 || offset > s.Length - 20)
            {
                ElfThrow.Format(FileName, baseOffset + (long)offset, "version definition (Elf_Verdef) runs past the end of its table");
            }

            ushort revision = e.U16(s, offset), flags = e.U16(s, offset + 2), ndx = e.U16(s, offset + 4), cnt = e.U16(s, offset + 6);
            uint hash = e.U32(s, offset + 8), aux = e.U32(s, offset + 12), next = e.U32(s, offset + 16);
            var names = ImmutableArray.CreateBuilder<string>(Math.Min((int)cnt, 64));
            uint firstName = 0;
            long auxOffset = offset + (long)aux;
            for (int a = 0; a < cnt; a++)
            {
                if (auxOffset < 0 || auxOffset > s.Length - 8)
                {
                    ElfThrow.Format(FileName, baseOffset + auxOffset, "version definition name (Elf_Verdaux) runs past the end of its table");
                }

                if (--auxBudget < 0)
                {
                    ElfThrow.Format(FileName, baseOffset + auxOffset, "version definition names (Elf_Verdaux) overlap: more entries than the table can hold");
                }

                uint name = e.U32(s, (int)auxOffset);
                if (a == 0)
                {
                    firstName = name;
                }

                names.Add(ReadString(strings, strOffset, name, "version name"));
                uint auxNext = e.U32(s, (int)auxOffset + 4);
                if (auxNext == 0)
                {
                    break;
                }

                if (auxNext < 8)
                {
                    ElfThrow.Format(FileName, baseOffset + auxOffset + 4, $"version definition name link 0x{auxNext:x} is shorter than an Elf_Verdaux");
                }

                auxOffset += auxNext;
            }

            if (names.Count == 0)
            {
                ElfThrow.Format(FileName, baseOffset + offset, $"version definition {ndx} has no name");
            }

            var definition = new ElfVersionDefinition(names[0], ndx, hash, (ElfVersionFlags)flags, names.Skip(1).ToImmutableArray(), firstName, revision);
            list.Add(definition);
            if (ndx > MaxVersionIndex)
            {
                ElfThrow.Format(FileName, baseOffset + offset + 4, $"version index {ndx} is larger than 0x7fff");
            }

            if (ndx >= byIndex.Length)
            {
                Array.Resize(ref byIndex, Math.Min(Math.Max(ndx + 1, byIndex.Length * 2), MaxVersionIndex + 1));
            }

            byIndex[ndx] ??= definition;
            if (next == 0)
            {
                break;
            }

            if (next < 20 || next > (uint)(s.Length - offset))
            {
                ElfThrow.Format(FileName, baseOffset + offset + 16, $"version definition chain link 0x{next:x} does not move forward inside its table");
            }

            offset += (int)next;
        }

        return list.ToImmutable();
    }

    private ImmutableArray<ElfVersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> s, int baseOffset, int count, ReadOnlySpan<byte> strings, int strOffset, out ElfSymbolVersion?[] byIndex)
    {
        var e = Endian;
        var list = ImmutableArray.CreateBuilder<ElfVersionNeed>();
        byIndex = [];
        int offset = 0;
        int auxBudget = s.Length / 16; // see ReadVersionDefinitions
        int limit = count > 0 ? count : int.MaxValue;
        for (int n = 0; n < limit; n++)
        {
            if (offset < 0 || offset > s.Length - 16)
            {
                ElfThrow.Format(FileName, baseOffset + (long)offset, "version requirement (Elf_Verneed) runs past the end of its table");
            }

            ushort version = e.U16(s, offset), cnt = e.U16(s, offset + 2);
            uint file = e.U32(s, offset + 4), aux = e.U32(s, offset + 8), next = e.U32(s, offset + 12);
            string fileName = ReadString(strings, strOffset, file, "version requirement file name");
            var versions = ImmutableArray.CreateBuilder<ElfVersionRequirement>(Math.Min((int)cnt, 256));
            long auxOffset = offset + (long)aux;
            for (int a = 0; a < cnt; a++)
            {
                if (auxOffset < 0 || auxOffset > s.Length - 16)
                {
                    ElfThrow.Format(FileName, baseOffset + auxOffset, "required version (Elf_Vernaux) runs past the end of its table");
                }

                if (--auxBudget < 0)
                {
                    ElfThrow.Format(FileName, baseOffset + auxOffset, "required versions (Elf_Vernaux) overlap: more entries than the table can hold");
                }

                int o = (int)auxOffset;
                uint hash = e.U32(s, o);
                ushort flags = e.U16(s, o + 4), other = e.U16(s, o + 6);
                uint name = e.U32(s, o + 8), auxNext = e.U32(s, o + 12);
                var requirement = new ElfVersionRequirement(ReadString(strings, strOffset, name, "required version name"), other & MaxVersionIndex, hash, (ElfVersionFlags)flags, fileName, name);
                versions.Add(requirement);
                int index = other & MaxVersionIndex;
                if (index >= byIndex.Length)
                {
                    Array.Resize(ref byIndex, Math.Min(Math.Max(index + 1, byIndex.Length * 2), MaxVersionIndex + 1));
                }

                byIndex[index] ??= requirement;
                if (auxNext == 0)
                {
                    break;
                }

                if (auxNext < 16 || auxNext > (uint)(s.Length - o))
                {
                    ElfThrow.Format(FileName, baseOffset + o + 12, $"required version chain link 0x{auxNext:x} does not move forward inside its table");
                }

                auxOffset += auxNext;
            }

            list.Add(new ElfVersionNeed(fileName, version, versions.ToImmutable()));
            if (next == 0)
            {
                break;
            }

            if (next < 16 || next > (uint)(s.Length - offset))
            {
                ElfThrow.Format(FileName, baseOffset + offset + 12, $"version requirement chain link 0x{next:x} does not move forward inside its table");
            }

            offset += (int)next;
        }

        return list.ToImmutable();
    }

    private ElfDebugLink? ReadDebugLink(ReadOnlySpan<byte> d)
    {
        foreach (var s in Sections)
        {
            if (s.Name == ".gnu_debuglink" && s.Type != ElfSectionType.SHT_NOBITS)
            {
                var (o, l) = Range(s.Offset, s.Size, ".gnu_debuglink");
                var bytes = d.Slice(o, l);
                int end = bytes.IndexOf((byte)0);
                if (end < 0)
                {
                    ElfThrow.Format(FileName, o, ".gnu_debuglink file name is not terminated");
                }

                int crcAt = (end + 4) & ~3;
                if (crcAt + 4 > l)
                {
                    ElfThrow.Format(FileName, o + crcAt, ".gnu_debuglink has no CRC after its file name");
                }

                return new ElfDebugLink(Encoding.UTF8.GetString(bytes[..end]), Endian.U32(bytes, crcAt));
            }
        }

        return null;
    }

    /// <summary>The file name, the header's class, encoding, type and machine, and the SONAME when there is one.</summary>
    /// <returns><c>libfoo.so.1 (Elf64 LittleEndian SharedObject X86_64, SONAME libfoo.so.1)</c>.</returns>
    public override string ToString() => Soname is { } soname ? $"{FileName ?? "<memory>"} ({Header}, SONAME {soname})" : $"{FileName ?? "<memory>"} ({Header})";
}
