using System.Collections.Immutable;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.Unicode;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Abi;

/// <summary>A version node a library defines (not the base definition that names the file).</summary>
/// <param name="Name">The node name, for example <c>FOO_1.0</c>.</param>
/// <param name="Predecessors">The nodes it inherits from, in file order.</param>
public sealed record AbiVersionNode(string Name, ImmutableArray<string> Predecessors)
{
    /// <summary>Whether two nodes have the same name and predecessors.</summary>
    /// <param name="other">The other node.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(AbiVersionNode? other) => other is not null && Name == other.Name && Predecessors.SequenceEqual(other.Predecessors);

    /// <inheritdoc/>
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// The ABI surface of a shared library: what a program linked against it can depend on. Its SONAME, ELF class and
/// machine, DT_NEEDED, the version nodes it defines, and every exported symbol: defined, global, weak or unique
/// binding, default or protected visibility, keyed by name and version. The version-node marker symbols are not
/// part of it. Immutable and thread-safe; it holds no reference to the file it was read from.
/// </summary>
public sealed class AbiSurface
{
    private NameIndex? _index;
    private System.Runtime.CompilerServices.StrongBox<AbiFingerprint>? _fingerprint; // a reference, so publication is atomic

    /// <summary>Creates a surface from its parts (baselines, tests, synthetic surfaces).</summary>
    /// <param name="fileName">A label for reports: the file or baseline it came from; may be <see langword="null"/>.</param>
    /// <param name="soname">DT_SONAME, or <see langword="null"/>.</param>
    /// <param name="elfClass">The ELF class.</param>
    /// <param name="machine">The machine.</param>
    /// <param name="needed">DT_NEEDED in order.</param>
    /// <param name="versions">The version nodes defined (the base definition excluded).</param>
    /// <param name="symbols">The exported symbols.</param>
    /// <exception cref="ArgumentException">Two symbols have the same name and version.</exception>
    public AbiSurface(string? fileName, string? soname, ElfClass elfClass, ElfMachine machine, ImmutableArray<string> needed, ImmutableArray<AbiVersionNode> versions, ImmutableArray<AbiSymbol> symbols)
    {
        FileName = fileName;
        Soname = soname;
        Class = elfClass;
        Machine = machine;
        Needed = needed.IsDefault ? [] : needed;
        Versions = versions.IsDefault ? [] : versions;
        Symbols = symbols.IsDefault ? [] : symbols;
        _index = NameIndex.Build(Symbols, throwOnDuplicate: true);
    }

    private AbiSurface(string? fileName, string? soname, ElfClass elfClass, ElfMachine machine, ImmutableArray<string> needed, ImmutableArray<AbiVersionNode> versions, ImmutableArray<AbiSymbol> symbols, bool trusted)
    {
        _ = trusted;
        FileName = fileName;
        Soname = soname;
        Class = elfClass;
        Machine = machine;
        Needed = needed;
        Versions = versions;
        Symbols = symbols;
    }

    /// <summary>The file or baseline the surface came from (a label for reports), or <see langword="null"/>.</summary>
    public string? FileName { get; }

    /// <summary>DT_SONAME, or <see langword="null"/>.</summary>
    public string? Soname { get; }

    /// <summary>The ELF class (32 or 64 bit).</summary>
    public ElfClass Class { get; }

    /// <summary>The machine.</summary>
    public ElfMachine Machine { get; }

    /// <summary>DT_NEEDED, in the loader's order.</summary>
    public ImmutableArray<string> Needed { get; }

    /// <summary>The version nodes the library defines, in file order; the base definition (named after the file) is not included.</summary>
    public ImmutableArray<AbiVersionNode> Versions { get; }

    /// <summary>The exported symbols, in the source's order (<c>.dynsym</c> order for ELF files; name order for baselines).</summary>
    public ImmutableArray<AbiSymbol> Symbols { get; }

    /// <summary>A stable 128-bit fingerprint of the surface: equal surfaces have equal fingerprints, whatever the symbol order.</summary>
    public AbiFingerprint Fingerprint => (_fingerprint ??= new(AbiFingerprint.Compute(this))).Value;

    /// <summary>Reads the surface of an opened ELF image.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="ElfFormatException">A symbol name cannot be read.</exception>
    public static AbiSurface Of(ElfImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var table = image.DynamicSymbols;
        if (table.Count == 0)
        {
            // No dynamic symbols (a relocatable object, a static executable, a debug file): abidiff compares the
            // static symbol table then, and so does this; with neither there is nothing to compare, which is said.
            return OfSymbolTable(image);
        }

        var file = image.Span;

        // One pass: each name is read once, and copied while it is in the cache into buffers the symbols share.
        // No string per name: comparisons match names by their bytes, and Name decodes on first read.
        // Gathered in a rented array and copied once at the final count (a second large array otherwise).
        var symbols = ArrayPool<AbiSymbol>.Shared.Rent(Math.Max(1, table.Count));
        var names = new NameCopier(file);
        var (strtab, strtabSize) = table.StringTable;
        int count = 0;
        try
        {
            for (int i = 1; i < table.Count; i++)
            {
                // .dynsym is in hash order and .dynstr in another, so each name is a cache miss: ask for the name a few
                // symbols ahead now, so that the misses overlap instead of following one another.
                if (i + PrefetchDistance < table.Count)
                {
                    Prefetch(file, strtab, strtabSize, table[i + PrefetchDistance].NameOffset);
                }

                var s = table[i];
                if (!IsExported(s))
                {
                    continue;
                }

                var utf8 = AsciiName(file, strtab, strtabSize, s.NameOffset);
                bool ascii = !utf8.IsEmpty;
                if (!ascii)
                {
                    utf8 = s.NameUtf8; // not plain ASCII, or malformed: the table's own read, which reports bad offsets
                }

                if (utf8.IsEmpty)
                {
                    // The loader looks symbols up by name: one without a name can never be bound, so it is no interface.
                    continue;
                }

                if (utf8.Length > NameChunkOverlap || (!ascii && !Utf8.IsValid(utf8)))
                {
                    // Long or not UTF-8: FromElf keeps the decoded name.
                    symbols[count++] = AbiSymbol.FromElf(s);
                    continue;
                }

                var buffer = names.Copy(utf8, out int at);
                var version = s.Version;
                symbols[count++] = new AbiSymbol(buffer, at, utf8.Length, false, null, version?.Name, version is not null && !s.IsVersionHidden, AbiSymbol.ExportedType(s.Type), AbiSymbol.ExportedBinding(s.Binding), s.Visibility == ElfSymbolVisibility.Protected ? ElfSymbolVisibility.Protected : ElfSymbolVisibility.Default, s.Size, s.SectionIndex == ElfSectionIndex.SHN_ABS);
            }

            ImmutableArray<AbiSymbol> exported = [.. symbols.AsSpan(0, count)];
            return Of(image, exported);
        }
        finally
        {
            ArrayPool<AbiSymbol>.Shared.Return(symbols, clearArray: true);
        }
    }

    /// <summary>The surface of a file without dynamic symbols, from <c>.symtab</c>: not a hot path, one name string per symbol.</summary>
    private static AbiSurface OfSymbolTable(ElfImage image)
    {
        var table = image.ReadSymbolTable();
        if (table.Count == 0)
        {
            throw new ElfFormatException(image.FileName, 0, "the file has neither dynamic symbols (.dynsym) nor a symbol table (.symtab): there are no symbols to compare");
        }

        var symbols = ImmutableArray.CreateBuilder<AbiSymbol>();
        for (int i = 1; i < table.Count; i++)
        {
            var s = table[i];
            if (IsExported(s) && !s.NameUtf8.IsEmpty)
            {
                symbols.Add(AbiSymbol.FromElf(s));
            }
        }

        return Of(image, symbols.ToImmutable());
    }

    private const int PrefetchDistance = 16;

    /// <summary>
    /// The name at <paramref name="nameOffset"/> when it is a terminated run of ASCII bytes, else empty: one scan finds
    /// both its end and that it is valid UTF-8 (C and mangled C++ names are ASCII), where the table's read and a
    /// validation pass would make two. Anything else is left to the table's read, which reports malformed offsets.
    /// </summary>
    private static ReadOnlySpan<byte> AsciiName(ReadOnlySpan<byte> file, int strtab, int strtabSize, uint nameOffset)
    {
        if (nameOffset >= (uint)strtabSize)
        {
            return default;
        }

        var rest = file.Slice(strtab + (int)nameOffset, strtabSize - (int)nameOffset);
        int end = rest.IndexOfAnyExceptInRange((byte)1, (byte)0x7F);
        return end > 0 && rest[end] == 0 ? rest[..end] : default;
    }

    private static unsafe void Prefetch(ReadOnlySpan<byte> file, int strtab, int strtabSize, uint nameOffset)
    {
        // A hint only: it neither faults nor changes results; out-of-table offsets are left to the real read to report.
        if (Sse.IsSupported && nameOffset < (uint)strtabSize)
        {
            fixed (byte* p = file)
            {
                Sse.Prefetch0(p + strtab + nameOffset);
            }
        }
    }

    // Name buffers stay below the large object heap's 85 000 bytes, whose allocations bring on full collections;
    // names longer than NameChunkOverlap get their own.
    private const int NameChunkSize = 64 * 1024;
    private const int NameChunkOverlap = 4 * 1024;
    private const int NameChunkStride = NameChunkSize - NameChunkOverlap;

    /// <summary>
    /// Copies the names of one surface into shared buffers: one after another in symbol order, so that a walk over
    /// the symbols reads their names in sequence. Names may overlap in the string table; once the copies would
    /// exceed the file (a crafted file), the file itself is copied instead, in overlapping chunks on demand so that
    /// each name lies whole in one: never more than about twice the file is allocated.
    /// </summary>
    private ref struct NameCopier
    {
        private readonly ReadOnlySpan<byte> _file;
        private byte[]?[]? _region;
        private long _copied;
        private byte[] _chunk;
        private int _used;

        public NameCopier(ReadOnlySpan<byte> file)
        {
            _file = file;
            _chunk = [];
        }

        /// <summary>Copies a name, a slice of the file of at most <see cref="NameChunkOverlap"/> bytes.</summary>
        public byte[] Copy(ReadOnlySpan<byte> name, out int at)
        {
            if (_region is null && _copied + name.Length <= _file.Length)
            {
                if (_chunk.Length - _used < name.Length)
                {
                    // On the pinned object heap: the names live as long as the surface, and there the collector does
                    // not copy them from generation to generation (measured: half the GC pause of a large diff).
                    _chunk = GC.AllocateUninitializedArray<byte>((int)Math.Min(NameChunkSize, _file.Length - _copied), pinned: true);
                    _used = 0;
                }

                name.CopyTo(_chunk.AsSpan(_used));
                at = _used;
                _used += name.Length;
                _copied += name.Length;
                return _chunk;
            }

            // The name is a slice of the file: its offset is its distance from the file's start.
            _region ??= new byte[]?[(_file.Length / NameChunkStride) + 1];
            int offset = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(_file), ref MemoryMarshal.GetReference(name));
            int j = offset / NameChunkStride;
            at = offset % NameChunkStride;
            if (_region[j] is not { } part)
            {
                int from = j * NameChunkStride;
                _region[j] = part = _file[from..Math.Min(_file.Length, from + NameChunkSize)].ToArray();
            }

            return part;
        }
    }

    private static AbiSurface Of(ElfImage image, ImmutableArray<AbiSymbol> symbols)
    {
        var versions = ImmutableArray.CreateBuilder<AbiVersionNode>(image.VersionDefinitions.Length);
        foreach (var v in image.VersionDefinitions)
        {
            if (!v.IsBase)
            {
                versions.Add(new AbiVersionNode(v.Name, v.Predecessors));
            }
        }

        return new AbiSurface(image.FileName, image.Soname, image.Header.Class, image.Header.Machine, image.Needed, versions.DrainToImmutable(), symbols, trusted: true)
        {
            // An ELF file may define one name at one version twice (a linker quirk); keep the first, as ld.so does.
            _index = NameIndex.Build(symbols, throwOnDuplicate: false),
        };
    }

    /// <summary>
    /// Reads the surface of <paramref name="path"/>: an ELF file, an Abi.Sdk baseline (JSON, see
    /// <see cref="AbiBaseline"/>) or libabigail ABIXML (<c>abidw</c> output), recognised by their first bytes.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="ElfFormatException">The file is a malformed ELF file.</exception>
    /// <exception cref="AbiBaselineFormatException">The file is neither ELF nor a well-formed baseline or ABIXML file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AbiSurface Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Span<byte> prefix = stackalloc byte[4];
        int n;
        using (var probe = IO.RegularFile.OpenRead(path))
        {
            n = probe.ReadAtLeast(prefix, 4, throwOnEndOfStream: false);
        }

        if (ElfImage.IsElf(prefix[..n]))
        {
            using var image = ElfImage.Open(path);
            return Of(image);
        }

        using var stream = IO.RegularFile.OpenRead(path);
        return AbiBaseline.Read(stream, path);
    }

    /// <summary>
    /// Reads the surface of the rest of <paramref name="stream"/>: an ELF file, an Abi.Sdk baseline or libabigail
    /// ABIXML, recognised by their first bytes. The stream is copied into memory.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fileName">A label for errors and <see cref="FileName"/>.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="ElfFormatException">The input is a malformed ELF file.</exception>
    /// <exception cref="AbiBaselineFormatException">The input is neither ELF nor a well-formed baseline or ABIXML file.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static AbiSurface Read(Stream stream, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(IO.StreamBuffer.ReadToEnd(stream), fileName);
    }

    /// <summary>
    /// Reads the surface of the rest of <paramref name="stream"/> asynchronously (an ELF file, an Abi.Sdk baseline or
    /// libabigail ABIXML): the stream is copied into memory with asynchronous reads, then parsed.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fileName">A label for errors and <see cref="FileName"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="ElfFormatException">The input is a malformed ELF file.</exception>
    /// <exception cref="AbiBaselineFormatException">The input is neither ELF nor a well-formed baseline or ABIXML file.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<AbiSurface> ReadAsync(Stream stream, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(await IO.StreamBuffer.ReadToEndAsync(stream, cancellationToken).ConfigureAwait(false), fileName);
    }

    /// <summary>
    /// Parses the surface of bytes held in memory: an ELF file, an Abi.Sdk baseline or libabigail ABIXML,
    /// recognised by their first bytes.
    /// </summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="fileName">A label for errors and <see cref="FileName"/>.</param>
    /// <returns>The surface.</returns>
    /// <exception cref="ElfFormatException">The input is a malformed ELF file.</exception>
    /// <exception cref="AbiBaselineFormatException">The input is neither ELF nor a well-formed baseline or ABIXML file.</exception>
    public static AbiSurface Parse(ReadOnlyMemory<byte> bytes, string? fileName = null)
    {
        if (ElfImage.IsElf(bytes.Span))
        {
            using var image = ElfImage.Parse(bytes, fileName);
            return Of(image);
        }

        return AbiBaseline.Parse(bytes, fileName);
    }

    /// <summary>Whether an ELF dynamic symbol is part of the ABI surface.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>True for a defined global, weak or unique symbol of default or protected visibility that is not a version marker, an absolute linker-defined table (<c>_DYNAMIC</c>, <c>_GLOBAL_OFFSET_TABLE_</c>), an untyped symbol (the linker's <c>_end</c>…), a section or a file symbol.</returns>
    public static bool IsExported(ElfSymbol symbol)
    {
        if (!symbol.IsDefined)
        {
            return false;
        }

        var binding = symbol.Binding;
        if (binding is not (ElfSymbolBinding.Global or ElfSymbolBinding.Weak or ElfSymbolBinding.GnuUnique))
        {
            return false;
        }

        var visibility = symbol.Visibility;
        if (visibility is not (ElfSymbolVisibility.Default or ElfSymbolVisibility.Protected))
        {
            return false;
        }

        // Untyped symbols are the linker's markers (_edata, _end, __bss_start), not interface; libabigail skips them too.
        if (symbol.Type is ElfSymbolType.Section or ElfSymbolType.File or ElfSymbolType.NoType)
        {
            return false;
        }

        // Only absolute symbols can be markers or linker-defined tables; test that first, these tests compare names.
        return symbol.SectionIndex != ElfSectionIndex.SHN_ABS || !(symbol.IsVersionMarker || IsLinkerDefinedTable(symbol.NameUtf8));
    }

    /// <summary>
    /// _DYNAMIC, _GLOBAL_OFFSET_TABLE_ and _PROCEDURE_LINKAGE_TABLE_, which old linkers exported as absolute symbols:
    /// every link defines its own, so no program binds to a library's; abidiff ignores them too.
    /// </summary>
    private static bool IsLinkerDefinedTable(ReadOnlySpan<byte> name)
        => name.SequenceEqual("_DYNAMIC"u8) || name.SequenceEqual("_GLOBAL_OFFSET_TABLE_"u8) || name.SequenceEqual("_PROCEDURE_LINKAGE_TABLE_"u8);

    /// <summary>Finds the symbol with this name and version.</summary>
    /// <param name="name">The name.</param>
    /// <param name="version">The version, or <see langword="null"/> for the unversioned symbol.</param>
    /// <returns>The symbol, or <see langword="null"/>.</returns>
    public AbiSymbol? Find(string name, string? version)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = new NameKey(name);
        var index = Index;
        for (int i = index.First(key); i >= 0; i = index.Next(i, key))
        {
            if (string.Equals(Symbols[i].Version, version, StringComparison.Ordinal))
            {
                return Symbols[i];
            }
        }

        return null;
    }

    /// <summary>Every exported symbol with this name, whatever its version, in surface order.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The symbols; empty when none.</returns>
    public ImmutableArray<AbiSymbol> FindAll(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = new NameKey(name);
        var index = Index;
        int i = index.First(key);
        if (i < 0)
        {
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<AbiSymbol>();
        for (; i >= 0; i = index.Next(i, key))
        {
            builder.Add(Symbols[i]);
        }

        return builder.ToImmutable();
    }

    /// <summary>
    /// The symbol of this name that a new link binds to: the unversioned one, else the default version, else the
    /// first hidden version in surface order; <see langword="null"/> when the name is not exported.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <returns>The symbol, or <see langword="null"/>.</returns>
    public AbiSymbol? FindPreferred(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return FindPreferred(new NameKey(name));
    }

    /// <summary><see cref="FindPreferred(string)"/> for the name of <paramref name="symbol"/> (of any surface), without decoding it.</summary>
    internal AbiSymbol? FindPreferredNamed(AbiSymbol symbol) => FindPreferred(new NameKey(symbol));

    private AbiSymbol? FindPreferred(NameKey key)
    {
        var index = Index;
        int i = index.First(key);
        if (i < 0)
        {
            return null;
        }

        AbiSymbol? first = Symbols[i], preferred = null;
        for (; i >= 0; i = index.Next(i, key))
        {
            var s = Symbols[i];
            if (s.Version is null)
            {
                return s;
            }

            if (s.IsDefaultVersion)
            {
                preferred ??= s;
            }
        }

        return preferred ?? first;
    }

    /// <summary>
    /// Finds the symbol a program that used <paramref name="symbol"/> of another surface binds to here, by libabigail's
    /// rule (which is also the loader's for these cases): the same name at the same version; for an unversioned
    /// symbol, the unversioned one or else the default version.
    /// </summary>
    /// <param name="symbol">The symbol of the other surface.</param>
    /// <returns>The matching symbol, or <see langword="null"/>.</returns>
    public AbiSymbol? FindCounterpart(AbiSymbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return FindCounterpart(symbol, symbol.Version);
    }

    /// <summary>The counterpart of the name of <paramref name="symbol"/> at <paramref name="version"/> (see <see cref="FindCounterpart(AbiSymbol)"/>).</summary>
    internal AbiSymbol? FindCounterpart(AbiSymbol symbol, string? version)
    {
        var key = new NameKey(symbol);
        var index = Index;
        int first = index.First(key);
        if (first < 0)
        {
            return null;
        }

        if (version is not null)
        {
            for (int i = first; i >= 0; i = index.Next(i, key))
            {
                if (string.Equals(Symbols[i].Version, version, StringComparison.Ordinal))
                {
                    return Symbols[i];
                }
            }

            return null;
        }

        AbiSymbol? fallback = null;
        for (int i = first; i >= 0; i = index.Next(i, key))
        {
            var s = Symbols[i];
            if (s.Version is null)
            {
                return s;
            }

            if (s.IsDefaultVersion)
            {
                fallback ??= s;
            }
        }

        return fallback;
    }

    /// <summary>
    /// Whether <paramref name="symbol"/> of another surface has a counterpart here (<see cref="FindCounterpart(AbiSymbol)"/>)
    /// or, when it is a default version, whether this surface exported its name unversioned or at a default version:
    /// abidiff's test for a symbol that is not new. One walk over the name's symbols.
    /// </summary>
    internal bool HasCounterpartOrPredecessor(AbiSymbol symbol)
    {
        var key = new NameKey(symbol);
        var index = Index;
        for (int i = index.First(key); i >= 0; i = index.Next(i, key))
        {
            var s = Symbols[i];
            if (string.Equals(s.Version, symbol.Version, StringComparison.Ordinal))
            {
                return true;
            }

            // FindCounterpart(name, null) finds the unversioned symbol, else a default version.
            if ((symbol.Version is null || symbol.IsDefaultVersion) && (s.Version is null || s.IsDefaultVersion))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The index in <see cref="Symbols"/> of the first symbol named like <paramref name="symbol"/> (of any surface), or -1;
    /// with <see cref="NextNamed"/> a walk over the name's symbols in surface order, as the lookups above walk them.
    /// </summary>
    internal int FirstNamed(AbiSymbol symbol) => Index.First(new NameKey(symbol));

    /// <summary>The index of the next symbol after <paramref name="i"/> named like <paramref name="symbol"/>, or -1.</summary>
    internal int NextNamed(int i, AbiSymbol symbol) => Index.Next(i, new NameKey(symbol));

    /// <summary>Whether the lookups see symbol <paramref name="i"/>: false for a repeat of an earlier symbol's name and version.</summary>
    internal bool IsLookedUp(int i) => Index.IsChained(i);

    /// <summary>Whether a version node of this name is defined.</summary>
    /// <param name="name">The node name.</param>
    /// <returns>True when defined.</returns>
    public bool DefinesVersion(string name)
    {
        foreach (var v in Versions)
        {
            if (v.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A copy with another label (for example the path a baseline describes).</summary>
    /// <param name="fileName">The new label.</param>
    /// <returns>The relabelled surface.</returns>
    public AbiSurface WithFileName(string? fileName) => new(fileName, Soname, Class, Machine, Needed, Versions, Symbols, trusted: true) { _index = _index, _fingerprint = _fingerprint };

    /// <inheritdoc/>
    public override string ToString() => $"{FileName ?? Soname ?? "<surface>"}: {Symbols.Length} symbols, {Versions.Length} version nodes";

    private NameIndex Index => _index ??= NameIndex.Build(Symbols, throwOnDuplicate: false);

    /// <summary>A name to look up: a symbol's (its stored bytes and hash) or a string's (encoded once).</summary>
    private readonly ref struct NameKey
    {
        private readonly AbiSymbol? _symbol;
        private readonly string? _name;
        private readonly ReadOnlySpan<byte> _utf8;
        private readonly bool _lossy;

        public NameKey(AbiSymbol symbol)
        {
            _symbol = symbol;
            Hash = symbol.NameHash;
        }

        public NameKey(string name)
        {
            _name = name;
            _utf8 = name.Length == 0 ? [] : AbiSymbol.EncodeName(name, out _lossy);
            Hash = AbiSymbol.HashName(_utf8);
        }

        public int Hash { get; }

        public bool Matches(AbiSymbol candidate) =>
            _symbol is not null ? candidate.HasSameName(_symbol) : candidate.HasName(_utf8, Hash, _name!, _lossy);
    }

    /// <summary>
    /// A hash table of the symbols by name: each bucket chains its symbols in surface order, and a chain holds every
    /// symbol of a name (exact duplicates of name and version left out). Hashes are those the symbols hold, so a
    /// lookup with another surface's symbol hashes nothing. Three int arrays; nothing per symbol.
    /// </summary>
    private sealed class NameIndex
    {
        private readonly ImmutableArray<AbiSymbol> _symbols;
        private readonly int[] _heads; // bucket -> first symbol index + 1 (0: empty)
        private readonly Entry[] _entries; // per symbol: its name hash and the next symbol index + 1 in its bucket (0: end; -1: a repeat, in no chain)
        private readonly int _mask;

        private NameIndex(ImmutableArray<AbiSymbol> symbols, int[] heads, Entry[] entries)
        {
            _symbols = symbols;
            _heads = heads;
            _entries = entries;
            _mask = heads.Length - 1;
        }

        /// <summary>The first symbol with the key's name, or -1.</summary>
        public int First(in NameKey key) => Scan(_heads[key.Hash & _mask] - 1, key);

        /// <summary>The next symbol after <paramref name="i"/> with the key's name, or -1.</summary>
        public int Next(int i, in NameKey key) => Scan(_entries[i].Next - 1, key);

        /// <summary>Whether symbol <paramref name="i"/> is in a chain (a repeat of a name and version is left out).</summary>
        public bool IsChained(int i) => _entries[i].Next >= 0;

        private int Scan(int i, in NameKey key)
        {
            // The hashes sit in the chain, so that other names in the bucket are passed over without touching them.
            var entries = _entries;
            while (i >= 0)
            {
                ref readonly var e = ref entries[i];
                if (e.Hash == key.Hash && key.Matches(_symbols[i]))
                {
                    return i;
                }

                i = e.Next - 1;
            }

            return -1;
        }

        public static NameIndex Build(ImmutableArray<AbiSymbol> symbols, bool throwOnDuplicate)
        {
            // At most half full: chains stay short without comparing names.
            int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, symbols.Length));
            var heads = new int[size];
            var next = new Entry[symbols.Length];
            var tails = ArrayPool<int>.Shared.Rent(size);
            try
            {
                int mask = size - 1;
                for (int i = 0; i < symbols.Length; i++)
                {
                    var s = symbols[i];
                    next[i].Hash = s.NameHash;
                    int bucket = s.NameHash & mask;
                    int head = heads[bucket] - 1;
                    if (head < 0)
                    {
                        heads[bucket] = i + 1;
                        tails[bucket] = i;
                        continue;
                    }

                    bool duplicate = false;
                    for (int j = head; j >= 0; j = next[j].Next - 1)
                    {
                        // The chain's hashes first: another name in the bucket is passed over without touching its symbol.
                        var other = symbols[j];
                        if (next[j].Hash == s.NameHash && other.HasSameName(s) && string.Equals(other.Version, s.Version, StringComparison.Ordinal))
                        {
                            duplicate = true;
                            break;
                        }
                    }

                    if (duplicate)
                    {
                        if (throwOnDuplicate)
                        {
                            throw new ArgumentException($"the symbol {s.Spelling} appears twice", nameof(symbols));
                        }

                        next[i].Next = -1; // left out: no chain leads here
                        continue;
                    }

                    next[tails[bucket]].Next = i + 1;
                    tails[bucket] = i;
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(tails);
            }

            return new NameIndex(symbols, heads, next);
        }

        private struct Entry
        {
            public int Hash;
            public int Next;
        }
    }
}
