using System.Collections;
using System.Runtime.CompilerServices;
using System.Text;

namespace Abi.Sdk.Elf;

/// <summary>
/// One entry of <c>.dynsym</c>. A small value that decodes its fields from the mapped file when it is read;
/// its name is decoded (and allocated) only when <see cref="Name"/> is asked for.
/// </summary>
public readonly struct ElfSymbol : IEquatable<ElfSymbol>
{
    private readonly ElfSymbolTable? _table;
    private readonly uint _nameOffset;
    private readonly byte _info;
    private readonly byte _other;
    private readonly ushort _versym;

    /// <summary>st_name: the name's offset in the dynamic string table (lets bulk readers prefetch names).</summary>
    internal uint NameOffset => _nameOffset;

    /// <summary>The table the symbol was read from; <see langword="null"/> for <c>default</c>.</summary>
    internal ElfSymbolTable? Table => _table;

    internal ElfSymbol(ElfSymbolTable table, int index, uint nameOffset, ulong value, ulong size, byte info, byte other, ushort sectionIndex, ushort versym)
    {
        _table = table;
        Index = index;
        _nameOffset = nameOffset;
        Value = value;
        Size = size;
        _info = info;
        _other = other;
        SectionIndex = (ElfSectionIndex)sectionIndex;
        _versym = versym;
    }

    /// <summary>The symbol's index in <c>.dynsym</c> (entry 0 is the null symbol).</summary>
    public int Index { get; }

    /// <summary>
    /// The name, decoded from <c>.dynstr</c>; the table keeps the string from the second read of the same symbol on.
    /// To read names without allocating, use <see cref="NameUtf8"/>.
    /// </summary>
    /// <exception cref="ElfFormatException">The name offset is outside the string table or the name is not terminated.</exception>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public string Name => _table is null ? string.Empty : _table.GetName(Index, _nameOffset);

    /// <summary>The name's UTF-8 bytes in the mapped file, without allocating.</summary>
    /// <exception cref="ElfFormatException">The name offset is outside the string table or the name is not terminated.</exception>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public ReadOnlySpan<byte> NameUtf8 => _table is null ? default : _table.GetNameUtf8(_nameOffset);

    /// <summary>st_value.</summary>
    public ulong Value { get; }

    /// <summary>st_size: for an object, the bytes a copy relocation copies.</summary>
    public ulong Size { get; }

    /// <summary>st_shndx: <see cref="ElfSectionIndex.SHN_UNDEF"/>, <see cref="ElfSectionIndex.SHN_ABS"/>, <see cref="ElfSectionIndex.SHN_COMMON"/> or a section index.</summary>
    public ElfSectionIndex SectionIndex { get; }

    /// <summary>ELF_ST_TYPE of st_info.</summary>
    public ElfSymbolType Type => (ElfSymbolType)(_info & 0xf);

    /// <summary>ELF_ST_BIND of st_info.</summary>
    public ElfSymbolBinding Binding => (ElfSymbolBinding)(_info >> 4);

    /// <summary>ELF_ST_VISIBILITY of st_other.</summary>
    public ElfSymbolVisibility Visibility => (ElfSymbolVisibility)(_other & 0x3);

    /// <summary>The raw st_info byte.</summary>
    public byte Info => _info;

    /// <summary>The raw st_other byte.</summary>
    public byte Other => _other;

    /// <summary>True when the symbol is defined in this file (st_shndx is not SHN_UNDEF).</summary>
    public bool IsDefined => SectionIndex != ElfSectionIndex.SHN_UNDEF;

    /// <summary>The raw <c>.gnu.version</c> entry, hidden bit included; 0 when the file has no symbol versioning.</summary>
    public ushort VersionSymbol => _versym;

    /// <summary>The version index (the <c>.gnu.version</c> entry without its hidden bit): 0 local, 1 global, 2 and up a named version.</summary>
    public int VersionIndex => _versym & 0x7fff;

    /// <summary>The hidden bit of <c>.gnu.version</c>: a hidden version (<c>name@VER</c>) only binds references that name it.</summary>
    public bool IsVersionHidden => (_versym & 0x8000) != 0;

    /// <summary>
    /// The symbol's version: the version definition for a defined symbol, the version requirement (with the file that
    /// must provide it) for a reference, or <see langword="null"/> when unversioned (index 0 or 1, or the base definition).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public ElfSymbolVersion? Version => _table?.ResolveVersion(_versym, IsDefined);

    /// <summary>True for the default version of a definition, spelled <c>name@@VER</c>: what an unversioned reference binds to.</summary>
    public bool IsDefaultVersion => !IsVersionHidden && Version is ElfVersionDefinition;

    /// <summary>
    /// True for the absolute symbol the linker emits for each version node, named after it (<c>GLIBC_2.34</c> in
    /// <c>GLIBC_2.34</c>); it marks the node and is not part of the interface.
    /// </summary>
    public bool IsVersionMarker => SectionIndex == ElfSectionIndex.SHN_ABS && Version is ElfVersionDefinition d && (_nameOffset == d.NameOffset || NameUtf8.SequenceEqual(d.NameUtf8));

    /// <summary>
    /// The version as readelf prints it after the name, or <see langword="null"/> when readelf prints none: readelf
    /// omits it when the symbol's name is the version's own string (the version marker symbols).
    /// </summary>
    public ElfSymbolVersion? DisplayVersion => Version is { } v && !(v is ElfVersionDefinition && v.NameOffset == _nameOffset) ? v : null;

    /// <summary>The name as <c>readelf --dyn-syms -W</c> spells it: <c>name@@VER</c>, <c>name@VER</c> or <c>name</c>.</summary>
    /// <returns>The spelled name.</returns>
    public override string ToString()
    {
        var version = DisplayVersion;
        if (version is null)
        {
            return Name;
        }

        return IsDefaultVersion ? $"{Name}@@{version.Name}" : $"{Name}@{version.Name}";
    }

    /// <summary>Compares the name with <paramref name="name"/> without allocating.</summary>
    /// <param name="name">The name to compare with.</param>
    /// <returns>True when they are equal.</returns>
    public bool NameEquals(ReadOnlySpan<byte> name) => NameUtf8.SequenceEqual(name);

    /// <inheritdoc/>
    public bool Equals(ElfSymbol other) => ReferenceEquals(_table, other._table) && Index == other.Index;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ElfSymbol other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(_table!), Index);

    /// <summary>Equality by table and index.</summary>
    /// <param name="left">The left symbol.</param>
    /// <param name="right">The right symbol.</param>
    /// <returns>True when both name the same entry of the same table.</returns>
    public static bool operator ==(ElfSymbol left, ElfSymbol right) => left.Equals(right);

    /// <summary>Inequality by table and index.</summary>
    /// <param name="left">The left symbol.</param>
    /// <param name="right">The right symbol.</param>
    /// <returns>True when they name different entries.</returns>
    public static bool operator !=(ElfSymbol left, ElfSymbol right) => !left.Equals(right);
}

/// <summary>
/// The dynamic symbol table (<c>.dynsym</c>) read in place: indexing decodes one entry; nothing is decoded or
/// allocated per symbol until it is read. Entry 0, the null symbol, is included so that indices match the file.
/// </summary>
public sealed class ElfSymbolTable : IReadOnlyList<ElfSymbol>
{
    private readonly ElfImage _image;
    private readonly int _symOffset;
    private readonly int _entrySize;
    private readonly int _strOffset;
    private readonly int _strSize;
    private readonly int _versymOffset; // -1 when there is no .gnu.version
    private readonly ElfSymbolVersion?[] _definitions;
    private readonly ElfSymbolVersion?[] _requirements;
    private string?[]? _names;
    private byte[]? _seen; // names read once, the next read keeps them in _names
    private bool _namesRead;

    internal ElfSymbolTable(ElfImage image, int symOffset, int count, int entrySize, int strOffset, int strSize, int versymOffset, ElfSymbolVersion?[] definitions, ElfSymbolVersion?[] requirements)
    {
        _image = image;
        _symOffset = symOffset;
        Count = count;
        _entrySize = entrySize;
        _strOffset = strOffset;
        _strSize = strSize;
        _versymOffset = versymOffset;
        _definitions = definitions;
        _requirements = requirements;
    }

    internal static ElfSymbolTable Empty(ElfImage image) => new(image, 0, 0, 0, 0, 0, -1, [], []);

    /// <summary>The number of entries, the null symbol included.</summary>
    public int Count { get; }

    /// <summary>Where the dynamic string table starts in the file, and its size (lets bulk readers prefetch names).</summary>
    internal (int Offset, int Size) StringTable => (_strOffset, _strSize);

    /// <summary>The entry count, for scripts that print the table.</summary>
    /// <returns><c>N entries (the null symbol included)</c>.</returns>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Count} entries (the null symbol included)");

    /// <summary>Whether the file has a <c>.gnu.version</c> table for these symbols.</summary>
    public bool HasVersions => _versymOffset >= 0;

    /// <summary>Decodes entry <paramref name="index"/>.</summary>
    /// <param name="index">The symbol index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not less than <see cref="Count"/>.</exception>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public ElfSymbol this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return Decode(_image.Span, index);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ElfSymbol Decode(ReadOnlySpan<byte> data, int index)
    {
        var e = _image.Endian;
        int o = _symOffset + (index * _entrySize);
        ushort versym = _versymOffset >= 0 ? e.U16(data, _versymOffset + (index * 2)) : (ushort)0;
        if (e.Is64)
        {
            return new ElfSymbol(this, index, e.U32(data, o), e.U64(data, o + 8), e.U64(data, o + 16), data[o + 4], data[o + 5], e.U16(data, o + 6), versym);
        }

        return new ElfSymbol(this, index, e.U32(data, o), e.U32(data, o + 4), e.U32(data, o + 8), data[o + 12], data[o + 13], e.U16(data, o + 14), versym);
    }

    /// <summary>How far ahead an enumeration prefetches names: enough entries to cover a miss's latency.</summary>
    internal const int PrefetchDistance = 16;

    /// <summary>A hint that entry <paramref name="index"/>'s name will be read: never faults, never throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void PrefetchName(int index)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || (uint)index >= (uint)Count || _image.IsDisposed)
        {
            return;
        }

        var data = _image.Span;
        uint nameOffset = _image.Endian.U32(data, _symOffset + (index * _entrySize));
        if (nameOffset < (uint)_strSize)
        {
            fixed (byte* p = data)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + _strOffset + nameOffset);
            }
        }
    }

    internal ReadOnlySpan<byte> GetNameUtf8(uint nameOffset)
    {
        if (!_namesRead)
        {
            _namesRead = true; // benign race: a hint for enumerators to prefetch
        }

        var strtab = _image.Span.Slice(_strOffset, _strSize);
        if (nameOffset >= (uint)_strSize)
        {
            ElfThrow.Format(_image.FileName, _strOffset + (long)nameOffset, $"symbol name offset 0x{nameOffset:x} is outside the dynamic string table of 0x{_strSize:x} bytes");
        }

        var rest = strtab[(int)nameOffset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            ElfThrow.Format(_image.FileName, _strOffset + (long)nameOffset, "symbol name runs past the end of the dynamic string table");
        }

        return rest[..end];
    }

    /// <summary>A format error about entry <paramref name="index"/>, at its offset in the file.</summary>
    internal ElfFormatException EntryError(int index, string reason) => _image.Error(_symOffset + ((long)index * _entrySize), reason);

    internal string GetName(int index, uint nameOffset)
    {
        if (_image.IsDisposed)
        {
            ElfThrow.Disposed(_image); // a cached name too: a disposed image answers nothing
        }

        // The first read of a name decodes it without keeping it: a single walk over all names (the common case)
        // then leaves only garbage that dies young, where a cache would make the collector copy every string up
        // through the generations (measured: twice the time of the walk). A name read again is kept.
        if (_names is { } names && names[index] is { } cached)
        {
            return cached;
        }

        var name = Encoding.UTF8.GetString(GetNameUtf8(nameOffset));
        var seen = _seen ?? Interlocked.CompareExchange(ref _seen, new byte[Count], null) ?? _seen;
        if (seen[index] == 0)
        {
            seen[index] = 1; // a race only costs one more decode
            return name;
        }

        names = _names ?? Interlocked.CompareExchange(ref _names, new string?[Count], null) ?? _names;
        return names[index] ??= name;
    }

    internal ElfSymbolVersion? ResolveVersion(ushort versym, bool defined)
    {
        // readelf's rule: a defined symbol looks in the definitions first (0x8001, hidden global, never does),
        // then in the requirements (copy-relocated data in executables carries a requirement index).
        if (_image.IsDisposed)
        {
            ElfThrow.Disposed(_image);
        }

        int index = versym & 0x7fff;
        if (index < 2)
        {
            return null;
        }

        if (defined && versym != 0x8001 && index < _definitions.Length && _definitions[index] is { } definition)
        {
            return definition;
        }

        return index < _requirements.Length ? _requirements[index] : null;
    }

    /// <summary>Returns a struct enumerator over every entry, the null symbol first.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<ElfSymbol> IEnumerable<ElfSymbol>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates the table without allocating.</summary>
    public struct Enumerator : IEnumerator<ElfSymbol>
    {
        private readonly ElfSymbolTable _table;
        private int _index;

        internal Enumerator(ElfSymbolTable table)
        {
            _table = table;
            _index = -1;
        }

        /// <inheritdoc/>
        public readonly ElfSymbol Current => _table.Decode(_table._image.Span, _index);

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc/>
        public bool MoveNext()
        {
            if (++_index >= _table.Count)
            {
                return false;
            }

            // .dynsym is in hash order and .dynstr in another, so each name read is a cache (and TLB) miss: ask for
            // the name a few entries ahead now, so that the misses of a walk that reads names overlap. Only once
            // names of this table are being read: a walk over values and versions would pay for nothing.
            if (_table._namesRead)
            {
                _table.PrefetchName(_index + PrefetchDistance);
            }

            return true;
        }

        /// <inheritdoc/>
        public void Reset() => _index = -1;

        /// <inheritdoc/>
        public readonly void Dispose()
        {
        }
    }
}
