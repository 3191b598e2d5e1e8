using System.Collections.Immutable;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Dwarf;

/// <summary>The sections the reader uses, by role.</summary>
internal enum DwarfSectionKind
{
    Info,
    Abbrev,
    Str,
    LineStr,
    StrOffsets,
    Addr,
    Types,
    CuIndex,
    TuIndex,
    Ranges,
    Rnglists,
    Line,
    Loclists,
    Loc,
}

/// <summary>Options for reading DWARF.</summary>
public sealed record DwarfReaderOptions
{
    /// <summary>The default limit on decompressed section bytes per file: 256 MiB.</summary>
    public const long DefaultMaxDecompressedSize = 256L << 20;

    /// <summary>
    /// The most bytes all compressed sections of one file may decompress to together; a section that declares more
    /// is a <see cref="DwarfFormatException"/> before anything is allocated.
    /// </summary>
    public long MaxDecompressedSize { get; init; } = DefaultMaxDecompressedSize;

    /// <summary>
    /// Where to look for a supplementary file by build-id (<c>.build-id/NN/REST.debug</c>) or by its linked name
    /// re-rooted; by default the system's debug root.
    /// </summary>
    public ImmutableArray<string> DebugRoots { get; init; } = DebugInfoLocator.DefaultDebugRoots;

    /// <summary>The supplementary (dwz multifile) to use instead of the one the file links to; <see langword="null"/> to find it.</summary>
    public string? SupplementaryFile { get; init; }

    /// <summary>
    /// Whether to look for the supplementary file the input links to (default true). False for untrusted input that
    /// should not make the reader open other files: the supplementary forms then fail with a <see cref="DwarfFormatException"/>.
    /// </summary>
    public bool FindSupplementaryFile { get; init; } = true;

    /// <summary>
    /// A set of debug files (for example <c>-debuginfo</c> packages read in memory) where the supplementary file is
    /// looked for after the disk, by its recorded name and by build-id. Set by <see cref="DwarfFile.Open(DebugInfoLocation, DwarfReaderOptions?)"/>
    /// for a file of a set.
    /// </summary>
    public DebugFileSet? DebugFiles { get; init; }

    /// <summary>
    /// Whether <see cref="DwarfFile.GetSplitUnit"/> looks for split units in <c>.dwo</c> and <c>.dwp</c> files (default
    /// true). False for untrusted input that should not make the reader open other files.
    /// </summary>
    public bool FindSplitUnits { get; init; } = true;

    /// <summary>
    /// Folders searched for split DWARF after the skeleton's DW_AT_comp_dir and the file's own folder: for
    /// <c>NAME.dwp</c> (NAME the file's name) and for the <c>.dwo</c> files its skeleton units name.
    /// </summary>
    public ImmutableArray<string> SplitDwarfDirectories { get; init; } = [];
}

/// <summary>A file's link to its supplementary file (dwz's <c>.gnu_debugaltlink</c>, or DWARF 5's <c>.debug_sup</c>).</summary>
/// <param name="FileName">The supplementary file's name as recorded.</param>
/// <param name="BuildId">Its build-id (for <c>.debug_sup</c>, the checksum), empty when not recorded.</param>
public sealed record DwarfSupplementaryLink(string FileName, ImmutableArray<byte> BuildId);

/// <summary>
/// The DWARF debugging information of one ELF file, read in place: units are listed on first use, sections
/// decompressed on first use, DIEs decoded as they are walked. References resolve across units, into DWARF 4's
/// <c>.debug_types</c>, to type units by signature, and into a supplementary file (dwz). Safe for concurrent reads.
/// </summary>
public sealed class DwarfFile : IDisposable
{
    private readonly bool _ownsImage;
    private readonly DwarfReaderOptions _options;
    private readonly DwarfSection?[] _sections = new DwarfSection?[14];
    private readonly Dictionary<(ulong Offset, int Format), DwarfAbbreviationTable> _abbreviations = [];
    private readonly DwarfAbbreviationShapes _abbreviationShapes = new();
    private readonly Lock _lock = new();
    private long _budget;
    private ImmutableArray<DwarfUnit> _units;
    private DwarfUnit[]? _infoUnits;
    private DwarfUnit[]? _typesUnits;
    private Dictionary<ulong, DwarfUnit>? _typeUnits;
    private DwarfFile? _supplementary;
    private bool _supplementaryLoaded;
    private string? _installedPath;
    private DwarfPackageIndex? _packageIndex;
    private bool _packageIndexRead;
    private readonly Dictionary<ulong, DwarfUnit?> _splitUnits = [];
    private readonly Dictionary<string, DwarfFile?> _splitFiles = new(StringComparer.Ordinal);

    private DwarfFile(ElfImage image, bool ownsImage, DwarfReaderOptions? options)
    {
        Image = image;
        _ownsImage = ownsImage;
        _options = options ?? new DwarfReaderOptions();
        _budget = _options.MaxDecompressedSize;
        SupplementaryLink = ReadSupplementaryLink();
    }

    /// <summary>The ELF image holding the debugging information.</summary>
    public ElfImage Image { get; }

    /// <summary>The file's path, or the label it was loaded with.</summary>
    public string? FileName => Image.FileName;

    /// <summary>True when the file has DIEs (<c>.debug_info</c> or <c>.debug_types</c> with bytes in the file).</summary>
    public bool HasDebugInfo => HasSection(".debug_info") || HasSection(".debug_types");

    /// <summary>True for a DWARF package (<c>.dwp</c>): the file has <c>.debug_cu_index</c> or <c>.debug_tu_index</c>.</summary>
    /// <exception cref="DwarfFormatException">An index is malformed.</exception>
    public bool IsPackage => PackageIndex is not null;

    /// <summary>The link to a supplementary file, or <see langword="null"/> when the file has none.</summary>
    public DwarfSupplementaryLink? SupplementaryLink { get; }

    /// <summary>
    /// The units: those of <c>.debug_info</c> in file order, then those of <c>.debug_types</c>. Headers are read on
    /// first use.
    /// </summary>
    /// <exception cref="DwarfFormatException">A unit header is malformed.</exception>
    public ImmutableArray<DwarfUnit> Units
    {
        get
        {
            EnsureUnits();
            return _units;
        }
    }

    /// <summary>Opens and memory-maps <paramref name="path"/>; disposing the result unmaps it.</summary>
    /// <param name="path">An ELF file with DWARF (a library, or its separate debug file).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="ElfFormatException">The file is not well-formed ELF.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static DwarfFile Open(string path, DwarfReaderOptions? options = null)
    {
        var image = ElfImage.Open(path);
        try
        {
            return new DwarfFile(image, ownsImage: true, options);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the file a <see cref="DebugInfoLocator"/> found: from disk, or from its <see cref="DebugInfoLocation.FileSet"/>
    /// (read in place in the set's memory), in which case the supplementary file is also looked for in the set.
    /// </summary>
    /// <param name="location">The location.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="ElfFormatException">The file is not well-formed ELF.</exception>
    /// <exception cref="IOException">The file cannot be read, or is no longer in the set.</exception>
    public static DwarfFile Open(DebugInfoLocation location, DwarfReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.FileSet is not { } set)
        {
            return Open(location.Path, options);
        }

        if (!set.TryGetFile(location.Path, out var content, out var resolved))
        {
            throw new IOException($"{set.Describe(location.Path)} is not in the set of debug files");
        }

        var image = ElfImage.Parse(content, set.Describe(resolved));
        return new DwarfFile(image, ownsImage: true, (options ?? new DwarfReaderOptions()) with { DebugFiles = set }) { _installedPath = resolved };
    }

    /// <summary>Reads the DWARF of an image the caller keeps open (and disposes).</summary>
    /// <param name="image">The image.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The reader.</returns>
    public static DwarfFile Of(ElfImage image, DwarfReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new DwarfFile(image, ownsImage: false, options);
    }

    /// <summary>
    /// The supplementary file the file links to, opened on first use: <see cref="DwarfReaderOptions.SupplementaryFile"/>,
    /// or the linked name (relative to this file's folder), or the build-id under a debug root; then, in
    /// <see cref="DwarfReaderOptions.DebugFiles"/>, the linked name (relative to this file's installed folder) or the build-id.
    /// </summary>
    /// <returns>The file, or <see langword="null"/> when there is no link or the file is not found.</returns>
    public DwarfFile? GetSupplementary()
    {
        lock (_lock)
        {
            if (!_supplementaryLoaded)
            {
                _supplementaryLoaded = true;
                var path = _options.SupplementaryFile ?? (SupplementaryLink is { } link && _options.FindSupplementaryFile ? DebugInfoLocator.FindSupplementary(FileName, link, _options.DebugRoots) : null);
                if (path is not null)
                {
                    _supplementary = Open(path, _options with { SupplementaryFile = null });
                }
                else if (_options.FindSupplementaryFile && _options.SupplementaryFile is null && SupplementaryLink is { } setLink && _options.DebugFiles is { } set
                    && DebugInfoLocator.FindSupplementary(set, _installedPath ?? DebugFileSet.DebugRoot + "/", setLink) is { } found)
                {
                    _supplementary = new DwarfFile(ElfImage.Parse(found.Content, set.Describe(found.Path)), ownsImage: true, _options) { _installedPath = found.Path };
                }
            }

            return _supplementary;
        }
    }

    /// <summary>
    /// The split unit of a skeleton unit (split DWARF, <c>gcc -gsplit-dwarf</c>), joined to it so that its
    /// <c>addrx</c>/<c>GNU_addr_index</c> values resolve through the skeleton's <c>.debug_addr</c>, and its strings
    /// through the split file's own <c>.debug_str_offsets.dwo</c>. The unit is looked for, and matched by DWO id, in
    /// <list type="number">
    /// <item>a DWARF package <c>NAME.dwp</c> (NAME this file's name) in this file's folder, then in each of
    /// <see cref="DwarfReaderOptions.SplitDwarfDirectories"/>;</item>
    /// <item>the <c>.dwo</c> file DW_AT_dwo_name (DW_AT_GNU_dwo_name) names, under the skeleton's DW_AT_comp_dir, this
    /// file's folder, then each of <see cref="DwarfReaderOptions.SplitDwarfDirectories"/>.</item>
    /// </list>
    /// The recorded name never leaves its search folder: a relative name is taken under each folder only when it stays
    /// inside it once normalized, and an absolute name or one that climbs out (<c>../../etc/x</c>) is looked for by its
    /// file name alone under each folder. A candidate that is not ELF, or has no split unit with the skeleton's DWO id,
    /// is passed over. Files are opened once, kept open and disposed with this file. Nothing is searched when
    /// <see cref="DwarfReaderOptions.FindSplitUnits"/> is false.
    /// </summary>
    /// <param name="skeleton">A skeleton unit of this file (<see cref="DwarfUnitType.Skeleton"/>).</param>
    /// <returns>The split unit, or <see langword="null"/> when none was found.</returns>
    /// <exception cref="ArgumentException"><paramref name="skeleton"/> is not a skeleton unit of this file.</exception>
    /// <exception cref="DwarfFormatException">The skeleton unit or a found package is malformed.</exception>
    public DwarfUnit? GetSplitUnit(DwarfUnit skeleton)
    {
        ArgumentNullException.ThrowIfNull(skeleton);
        if (skeleton.File != this || skeleton.UnitType != DwarfUnitType.Skeleton)
        {
            throw new ArgumentException($"{skeleton} is not a skeleton unit of {this}", nameof(skeleton));
        }

        ulong id = skeleton.DwoId;
        lock (_lock)
        {
            if (_splitUnits.TryGetValue(skeleton.Offset, out var known))
            {
                return known;
            }
        }

        DwarfUnit? found = null;
        if (_options.FindSplitUnits)
        {
            var (dwoName, compDir) = skeleton.ReadSplitUnitName();

            foreach (var (path, package) in DebugInfoLocator.SplitCandidates(FileName, dwoName, compDir, _options.SplitDwarfDirectories))
            {
                var file = OpenSplitFile(path);
                if (file is not null && file.FindSplitUnit(id, package) is { } unit)
                {
                    found = unit;
                    break;
                }
            }
        }

        found?.JoinSkeleton(skeleton);
        lock (_lock)
        {
            return _splitUnits.TryAdd(skeleton.Offset, found) ? found : _splitUnits[skeleton.Offset];
        }
    }

    /// <summary>The DIE at a reference's target.</summary>
    /// <param name="reference">The target.</param>
    /// <returns>The DIE.</returns>
    /// <exception cref="DwarfFormatException">No unit holds the offset, no type unit has the signature, or the supplementary file is absent.</exception>
    public DwarfDie GetDie(DwarfReference reference) => GetDie(reference, DwarfForm.RefAddr);

    /// <summary>The type unit with <paramref name="signature"/> (DWARF 5 type units and DWARF 4 <c>.debug_types</c>).</summary>
    /// <param name="signature">The 8-byte type signature.</param>
    /// <param name="unit">The unit.</param>
    /// <returns>False when no type unit has it.</returns>
    public bool TryGetTypeUnit(ulong signature, out DwarfUnit unit)
    {
        EnsureUnits();
        if (_typeUnits!.TryGetValue(signature, out var u))
        {
            unit = u;
            return true;
        }

        unit = null!;
        return false;
    }

    /// <summary>The unit of <c>.debug_info</c> (or of <c>.debug_types</c>) whose bytes hold <paramref name="offset"/>.</summary>
    /// <param name="offset">A section offset.</param>
    /// <param name="typesSection">True to look in <c>.debug_types</c>.</param>
    /// <returns>The unit, or <see langword="null"/>.</returns>
    public DwarfUnit? FindUnit(ulong offset, bool typesSection = false)
    {
        EnsureUnits();
        var units = typesSection ? _typesUnits! : _infoUnits!;
        int lo = 0, hi = units.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            var u = units[mid];
            if (offset < u.Offset)
            {
                hi = mid - 1;
            }
            else if (offset >= u.EndOffset)
            {
                lo = mid + 1;
            }
            else
            {
                return u;
            }
        }

        return null;
    }

    /// <summary>Unmaps the file if this reader opened it, frees the sections it decompressed, and disposes the supplementary file it opened.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var section in _sections)
            {
                section?.Release();
            }

            // The abbreviation tables (libc: 67 000 entries, about 4 MB) go with the sections they were read from, so
            // that a reader disposed while still referenced (a type graph's builder) no longer holds them.
            _abbreviations.Clear();
            _abbreviations.TrimExcess();
            foreach (var unit in _units.IsDefault ? [] : _units)
            {
                unit.ReleaseAbbreviations();
            }
        }

        _supplementary?.Dispose();
        foreach (var file in _splitFiles.Values)
        {
            file?.Dispose();
        }

        if (_ownsImage)
        {
            Image.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"DWARF of {FileName ?? "<memory>"}";

    internal DwarfDie GetDie(DwarfReference reference, DwarfForm form)
    {
        switch (reference.Kind)
        {
            case DwarfReferenceKind.Supplementary:
                return RequireSupplementary(form).GetDie(reference with { Kind = DwarfReferenceKind.Info }, DwarfForm.RefAddr);
            case DwarfReferenceKind.Signature:
                if (!TryGetTypeUnit(reference.Value, out var typeUnit))
                {
                    throw Section(DwarfSectionKind.Info).Error(0, $"no type unit has signature 0x{reference.Value:x16}");
                }

                return typeUnit.TypeDie;
            default:
                bool types = reference.Kind == DwarfReferenceKind.Types;
                var unit = FindUnit(reference.Value, types)
                    ?? throw Section(types ? DwarfSectionKind.Types : DwarfSectionKind.Info).Error((long)Math.Min(reference.Value, long.MaxValue), $"reference to 0x{reference.Value:x} is outside every unit");
                return DwarfDie.ReadAt(unit, (int)reference.Value);
        }
    }

    /// <summary>
    /// The files on disk besides this one that reading it opened so far: the supplementary file, and the split-DWARF
    /// files that hold split units (what a cache of results built from this file must check besides it).
    /// </summary>
    internal List<string> FilesRead()
    {
        lock (_lock)
        {
            var files = new List<string>();
            if (_supplementary is { _installedPath: null, FileName: { } supplementary })
            {
                files.Add(supplementary);
            }

            files.AddRange(_splitFiles.Where(f => f.Value is not null).Select(f => f.Key).Order(StringComparer.Ordinal));
            return files;
        }
    }

    internal DwarfFile RequireSupplementary(DwarfForm form)
        => GetSupplementary() ?? throw Section(DwarfSectionKind.Info).Error(0,
            SupplementaryLink is { } link
                ? $"{DwarfNames.GetName(form)} refers to the supplementary file {link.FileName}, which was not found"
                : $"{DwarfNames.GetName(form)} refers to a supplementary file, but the file has neither .gnu_debugaltlink nor .debug_sup");

    /// <summary>True for a split DWARF file (<c>.dwo</c> or <c>.dwp</c>): its sections are named <c>.debug_*.dwo</c>.</summary>
    internal bool IsSplitObject => Image.FindSection(".debug_info.dwo") is not null || Image.FindSection(".debug_abbrev.dwo") is not null;

    internal DwarfPackageIndex? PackageIndex
    {
        get
        {
            lock (_lock)
            {
                if (!_packageIndexRead)
                {
                    _packageIndex = DwarfPackageIndex.Read(Section(DwarfSectionKind.CuIndex), Section(DwarfSectionKind.TuIndex));
                    _packageIndexRead = true;
                }

                return _packageIndex;
            }
        }
    }

    internal ReadOnlySpan<byte> ReadString(DwarfSectionKind kind, ulong offset)
    {
        var section = Section(kind);
        if (offset >= (ulong)section.Length)
        {
            throw section.Error((long)Math.Min(offset, long.MaxValue), $"string offset 0x{offset:x} is past the end of the section (0x{section.Length:x} bytes)");
        }

        var c = section.Cursor((long)offset);
        var (start, length) = c.CString();
        return c.Data.Slice(start, length);
    }

    internal ulong ReadIndexed(DwarfSectionKind kind, ulong @base, ulong index, int size)
    {
        var section = Section(kind);
        ulong limit = (ulong)section.Length;
        if (index > limit / (ulong)size || @base > limit || index * (ulong)size > limit - @base || limit - @base - index * (ulong)size < (ulong)size)
        {
            throw section.Error((long)Math.Min(@base, long.MaxValue), $"index {index} from base 0x{@base:x} is past the end of the section (0x{limit:x} bytes)");
        }

        var c = section.Cursor((long)(@base + (index * (ulong)size)));
        return c.Sized(size);
    }

    internal DwarfAbbreviationTable GetAbbreviations(ulong offset, int addressSize, int offsetSize, int version)
    {
        int format = addressSize | offsetSize << 8 | (version <= 2 ? 1 << 16 : 0);
        lock (_lock)
        {
            if (_abbreviations.TryGetValue((offset, format), out var table))
            {
                return table;
            }
        }

        var read = DwarfAbbreviationTable.Read(Section(DwarfSectionKind.Abbrev), offset, addressSize, offsetSize, version, _abbreviationShapes);
        lock (_lock)
        {
            return _abbreviations.TryAdd((offset, format), read) ? read : _abbreviations[(offset, format)];
        }
    }

    /// <summary>
    /// Frees a decompressed section nothing will read again, so that it does not stay resident for the rest of the
    /// reader's life (<c>.debug_abbrev</c> once every unit's table is read); read and inflated again if asked for.
    /// Only for a reader no other thread uses.
    /// </summary>
    internal void ReleaseSection(DwarfSectionKind kind)
    {
        lock (_lock)
        {
            _sections[(int)kind]?.Release();
            _sections[(int)kind] = null;
        }
    }

    internal DwarfSection Section(DwarfSectionKind kind)
    {
        var s = Volatile.Read(ref _sections[(int)kind]);
        if (s is not null)
        {
            return s;
        }

        lock (_lock)
        {
            return _sections[(int)kind] ??= DwarfSectionLoader.Load(Image, SectionName(kind), ref _budget);
        }
    }

    private static string SectionName(DwarfSectionKind kind) => kind switch
    {
        DwarfSectionKind.Info => ".debug_info",
        DwarfSectionKind.Abbrev => ".debug_abbrev",
        DwarfSectionKind.Str => ".debug_str",
        DwarfSectionKind.LineStr => ".debug_line_str",
        DwarfSectionKind.StrOffsets => ".debug_str_offsets",
        DwarfSectionKind.Addr => ".debug_addr",
        DwarfSectionKind.CuIndex => ".debug_cu_index",
        DwarfSectionKind.TuIndex => ".debug_tu_index",
        DwarfSectionKind.Ranges => ".debug_ranges",
        DwarfSectionKind.Rnglists => ".debug_rnglists",
        DwarfSectionKind.Line => ".debug_line",
        DwarfSectionKind.Loclists => ".debug_loclists",
        DwarfSectionKind.Loc => ".debug_loc",
        _ => ".debug_types",
    };

    private bool HasSection(string name)
        => (Image.FindSection(name) ?? Image.FindSection(".z" + name[1..])) is { } s && s.Type != ElfSectionType.SHT_NOBITS && s.Size > 0;

    private void EnsureUnits()
    {
        if (!_units.IsDefault)
        {
            return;
        }

        var info = ReadUnits(Section(DwarfSectionKind.Info), inTypesSection: false);
        var types = ReadUnits(Section(DwarfSectionKind.Types), inTypesSection: true);
        var signatures = new Dictionary<ulong, DwarfUnit>();
        foreach (var u in info.Concat(types))
        {
            if (u.IsTypeUnitByHeader)
            {
                // The first unit of a signature wins, as in libdw.
                signatures.TryAdd(u.TypeSignature, u);
            }
        }

        lock (_lock)
        {
            if (_units.IsDefault)
            {
                _infoUnits = info;
                _typesUnits = types;
                _typeUnits = signatures;
                _units = [.. info, .. types];
            }
        }
    }

    /// <summary>The split compile unit with DWO id <paramref name="id"/>: by the package index, or among the units.</summary>
    private DwarfUnit? FindSplitUnit(ulong id, bool package)
    {
        if (package || IsPackage)
        {
            return PackageIndex is { } index && index.TryGetCompileUnit(id, out var offset) && FindUnit(offset) is { } u && u.Offset == offset && u.UnitType == DwarfUnitType.SplitCompile && u.DwoId == id ? u : null;
        }

        foreach (var u in Units)
        {
            if (!u.IsTypeUnitByHeader && u.UnitType == DwarfUnitType.SplitCompile && u.DwoId == id)
            {
                return u;
            }
        }

        return null;
    }

    /// <summary>Opens a candidate split file once; <see langword="null"/> when it is no ELF file or holds no split DWARF.</summary>
    private DwarfFile? OpenSplitFile(string path)
    {
        string key = Path.GetFullPath(path);
        lock (_lock)
        {
            if (_splitFiles.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        DwarfFile? file = null;
        try
        {
            file = Open(key, _options with { SupplementaryFile = null });
            if (!file.IsSplitObject)
            {
                file.Dispose();
                file = null;
            }
        }
        catch (Exception ex) when (ex is ElfFormatException or IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            file = null;
        }

        lock (_lock)
        {
            if (_splitFiles.TryAdd(key, file))
            {
                return file;
            }
        }

        file?.Dispose();
        return _splitFiles[key];
    }

    private DwarfUnit[] ReadUnits(DwarfSection section, bool inTypesSection)
    {
        var units = new List<DwarfUnit>();
        var package = section.Length > 0 ? PackageIndex : null;
        var c = section.Cursor(0);
        while (!c.AtEnd)
        {
            int start = c.Position;
            ulong length = c.U32();
            bool is64 = false;
            if (length == 0xffffffff)
            {
                is64 = true;
                length = c.U64();
            }
            else if (length >= 0xfffffff0)
            {
                throw section.Error(start, $"unit length 0x{length:x} is a reserved value");
            }

            int lengthEnd = c.Position;
            if (length > (ulong)(section.Length - lengthEnd))
            {
                throw section.Error(start, $"unit length 0x{length:x} runs past the end of the section (0x{section.Length:x} bytes)");
            }

            int end = lengthEnd + (int)length;
            ushort version = c.U16();
            if (version is < 2 or > 5)
            {
                throw section.Error(start + (lengthEnd - start), $"unit has DWARF version {version}; versions 2 to 5 are read");
            }

            int offsetSize = is64 ? 8 : 4;
            DwarfUnitType type = inTypesSection ? DwarfUnitType.Type : DwarfUnitType.Compile;
            byte addressSize;
            ulong abbrevOffset, signature = 0, typeOffset = 0, dwoId = 0;
            if (version >= 5)
            {
                type = (DwarfUnitType)c.U8();
                addressSize = c.U8();
                abbrevOffset = c.Sized(offsetSize);
                switch (type)
                {
                    case DwarfUnitType.Type or DwarfUnitType.SplitType:
                        signature = c.U64();
                        typeOffset = c.Sized(offsetSize);
                        break;
                    case DwarfUnitType.Skeleton or DwarfUnitType.SplitCompile:
                        dwoId = c.U64();
                        break;
                    case DwarfUnitType.Compile or DwarfUnitType.Partial:
                        break;
                    default:
                        throw section.Error(start, $"unit type 0x{(byte)type:x} is not one DWARF 5 defines");
                }
            }
            else
            {
                abbrevOffset = c.Sized(offsetSize);
                addressSize = c.U8();
                if (inTypesSection)
                {
                    signature = c.U64();
                    typeOffset = c.Sized(offsetSize);
                }
            }

            if (addressSize is not (1 or 2 or 4 or 8))
            {
                throw section.Error(start, $"unit has address size {addressSize}");
            }

            if (c.Position > end)
            {
                throw section.Error(start, $"unit header runs past the unit's end (0x{end:x})");
            }

            var contribution = package?.Find((ulong)start, inTypesSection) ?? default;
            if (contribution.UnitSize != 0 && (ulong)(end - start) > contribution.UnitSize)
            {
                throw section.Error(start, $"unit of 0x{end - start:x} bytes is larger than its 0x{contribution.UnitSize:x}-byte contribution in the package index");
            }

            units.Add(new DwarfUnit(this, section, inTypesSection, (ulong)start, (ulong)end, is64, version, type, addressSize, abbrevOffset, signature, typeOffset, dwoId, c.Position, contribution));
            c.Position = end;
        }

        return [.. units];
    }

    private DwarfSupplementaryLink? ReadSupplementaryLink()
    {
        if (Image.FindSection(".gnu_debugaltlink") is { } alt && alt.Type != ElfSectionType.SHT_NOBITS)
        {
            var bytes = Image.GetSectionData(alt).Span;
            int nul = bytes.IndexOf((byte)0);
            if (nul < 0)
            {
                throw new DwarfFormatException(FileName, alt.Name, 0, "file name is not NUL-terminated");
            }

            return new DwarfSupplementaryLink(System.Text.Encoding.UTF8.GetString(bytes[..nul]), [.. bytes[(nul + 1)..]]);
        }

        if (Image.FindSection(".debug_sup") is { } sup && sup.Type != ElfSectionType.SHT_NOBITS)
        {
            var section = new DwarfSection(sup.Name, Image.GetSectionData(sup), FileName, Image.Header.DataEncoding == ElfDataEncoding.BigEndian);
            var c = section.Cursor(0);
            ushort version = c.U16();
            if (version != 5)
            {
                throw section.Error(0, $".debug_sup version {version}, expected 5");
            }

            bool isSupplementary = c.U8() != 0;
            var (start, length) = c.CString();
            ulong checksumLength = c.Uleb();
            int checksumAt = c.Position;
            c.Skip(checksumLength);
            // A supplementary file's own .debug_sup describes itself, not a link.
            return isSupplementary
                ? null
                : new DwarfSupplementaryLink(System.Text.Encoding.UTF8.GetString(section.Data.Span.Slice(start, length)), [.. section.Data.Span.Slice(checksumAt, (int)checksumLength)]);
        }

        return null;
    }
}
