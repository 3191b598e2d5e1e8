using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Text.Unicode;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Abi;

/// <summary>
/// One exported symbol of a library's ABI surface: a name at a version (the default <c>name@@VER</c>, a hidden
/// <c>name@VER</c>, or unversioned <c>name</c>) with the attributes a program linked against it depends on.
/// Immutable and thread-safe.
/// </summary>
/// <remarks>
/// The name is kept as UTF-8 bytes, with a hash of them, and decoded into a <see cref="string"/> only when
/// <see cref="Name"/> is read: surfaces of large libraries hold tens of thousands of long C++ names, and comparisons
/// match them by bytes. Symbols read from one ELF file share 64 KiB buffers that hold their names.
/// </remarks>
public sealed class AbiSymbol : IEquatable<AbiSymbol>, IComparable<AbiSymbol>
{
    // The buffer that holds the name's UTF-8 bytes (a byte[], alone or a surface's shared name buffer), or a Decoded
    // with that buffer once the name is decoded: one field for the bytes and the rarely read strings keeps the object
    // at 56 bytes (a surface of a large library holds tens of thousands).
    private object _name;
    private readonly int _nameStart;
    private readonly int _nameLength;
    private readonly byte _flags; // DefaultVersionFlag | LossyNameFlag | AbsoluteFlag: one byte
    private const byte DefaultVersionFlag = 1;
    private const byte LossyNameFlag = 2;
    private const byte AbsoluteFlag = 4;

    /// <summary>Creates a symbol.</summary>
    /// <param name="name">The symbol name.</param>
    /// <param name="version">The version node name, or <see langword="null"/> when unversioned.</param>
    /// <param name="isDefaultVersion">True for <c>name@@VER</c>; ignored (false) when <paramref name="version"/> is null.</param>
    /// <param name="type">The symbol type (one of the types a library exports: object, function, common, TLS, indirect function, or no type).</param>
    /// <param name="binding">The binding.</param>
    /// <param name="visibility">The visibility.</param>
    /// <param name="size">st_size.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public AbiSymbol(string name, string? version, bool isDefaultVersion, ElfSymbolType type, ElfSymbolBinding binding = ElfSymbolBinding.Global, ElfSymbolVisibility visibility = ElfSymbolVisibility.Default, ulong size = 0)
        : this(EncodeName(name, out bool lossy), 0, -1, lossy, name, version, isDefaultVersion, type, binding, visibility, size)
    {
    }

    /// <summary>Creates a symbol whose name is <paramref name="nameLength"/> UTF-8 bytes of <paramref name="nameBuffer"/> (a surface's shared buffer); <paramref name="nameLength"/> -1 means all of it.</summary>
    internal AbiSymbol(byte[] nameBuffer, int nameStart, int nameLength, bool nameIsLossy, string? name, string? version, bool isDefaultVersion, ElfSymbolType type, ElfSymbolBinding binding, ElfSymbolVisibility visibility, ulong size, bool isAbsolute = false)
    {
        _name = name is null ? nameBuffer : new Decoded(nameBuffer, name);
        _nameStart = nameStart;
        _nameLength = nameLength < 0 ? nameBuffer.Length : nameLength;
        NameHash = HashName(NameUtf8);
        Version = string.IsNullOrEmpty(version) ? null : version;
        _flags = (byte)((Version is not null && isDefaultVersion ? DefaultVersionFlag : 0) | (nameIsLossy ? LossyNameFlag : 0) | (isAbsolute ? AbsoluteFlag : 0));
        Type = type;
        Binding = binding;
        Visibility = visibility;
        Size = size;
    }

    /// <summary>
    /// Whether the ELF symbol was absolute (SHN_ABS). abidiff leaves absolute data symbols out of its lists; a symbol
    /// read from a baseline is never absolute.
    /// </summary>
    internal bool IsAbsolute => (_flags & AbsoluteFlag) != 0;

    /// <summary>The symbol name (decoded from the stored UTF-8 bytes when first read).</summary>
    public string Name => _name is Decoded decoded ? decoded.Name : DecodeName();

    /// <summary>
    /// The name's UTF-8 bytes: for a symbol read from an ELF file the bytes of its string table (re-encoded from
    /// <see cref="Name"/> when they are not valid UTF-8), otherwise <see cref="Name"/> encoded with lone surrogates
    /// replaced by U+FFFD. Reading it allocates nothing.
    /// </summary>
    public ReadOnlySpan<byte> NameUtf8 => new(NameBuffer, _nameStart, _nameLength);

    private byte[] NameBuffer => _name as byte[] ?? System.Runtime.CompilerServices.Unsafe.As<Decoded>(_name).Buffer;

    /// <summary>How far ahead a sorted list's names are hinted (<see cref="PrefetchNames"/>); objects twice as far.</summary>
    internal const int PrefetchDistance = 16;

    /// <summary>
    /// A hint that <c>symbols[index]</c>'s name will be read soon, and the object <see cref="PrefetchDistance"/>
    /// further: a sorted list visits its symbols and their names out of the order they lie in memory, so each name
    /// was a cache (and TLB) miss in turn. Never throws, never faults.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PrefetchNames(ImmutableArray<AbiSymbol> symbols, int index)
    {
        int far = index + (2 * PrefetchDistance);
        if ((uint)far < (uint)symbols.Length)
        {
            PrefetchObject(symbols.ItemRef(far));
        }

        int near = index + PrefetchDistance;
        if ((uint)near < (uint)symbols.Length)
        {
            symbols[near].PrefetchName();
        }
    }

    /// <summary>A hint that this symbol's name bytes will be read soon (both cache lines of a name that crosses one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void PrefetchName()
    {
        if (Sse.IsSupported)
        {
            // Only an address for the hint: nothing is read through it, so the array need not be pinned.
            byte* p = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(NameBuffer), _nameStart));
            Sse.Prefetch0(p);
            if (((nint)p & 63) + _nameLength > 64)
            {
                Sse.Prefetch0(p + 64);
            }
        }
    }

    /// <summary>A hint that the object <paramref name="reference"/> refers to will be read soon (null or moved: harmless).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void PrefetchObject<T>(in T? reference)
        where T : class
    {
        if (Sse.IsSupported)
        {
            // The reference's bits are the object's address; a prefetch never faults.
            Sse.Prefetch0((void*)Unsafe.As<T?, nint>(ref Unsafe.AsRef(in reference)));
        }
    }

    /// <summary>A hash of <see cref="NameUtf8"/>, equal for equal names whichever surface they come from.</summary>
    internal int NameHash { get; }

    /// <summary>The version node, or <see langword="null"/> for an unversioned symbol.</summary>
    public string? Version { get; }

    /// <summary>True for the default version (<c>name@@VER</c>), which unversioned references and new links bind to.</summary>
    public bool IsDefaultVersion => (_flags & DefaultVersionFlag) != 0;

    // The name string has a lone surrogate, so its UTF-8 form has U+FFFD in its place and bytes do not decide equality.
    private bool NameIsLossy => (_flags & LossyNameFlag) != 0;

    /// <summary>The symbol type (ELF's STT_*, as <see cref="ElfSymbol.Type"/>).</summary>
    public ElfSymbolType Type { get; }

    /// <summary>The binding.</summary>
    public ElfSymbolBinding Binding { get; }

    /// <summary>The visibility.</summary>
    public ElfSymbolVisibility Visibility { get; }

    /// <summary>st_size: for data (<see cref="IsData"/>) the bytes a copy relocation copies; for code only informative.</summary>
    public ulong Size { get; }

    /// <summary>True for functions (plain or indirect).</summary>
    public bool IsFunction => Type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction;

    /// <summary>True for data whose size is ABI: objects, TLS and common symbols.</summary>
    public bool IsData => Type is ElfSymbolType.Object or ElfSymbolType.Tls or ElfSymbolType.Common;

    /// <summary>The name as abidiff and <c>readelf --dyn-syms -W</c> spell it: <c>name@@VER</c>, <c>name@VER</c> or <c>name</c>.</summary>
    public string Spelling => Version is null ? Name : (_name as Decoded)?.Spelling ?? Spell();

    private string Spell()
    {
        // Two threads may spell at once; both get equal strings, and whichever is kept is right.
        var name = Name;
        var spelling = string.Concat(name, IsDefaultVersion ? "@@" : "@", Version);
        System.Runtime.CompilerServices.Unsafe.As<Decoded>(_name).Spelling = spelling;
        return spelling;
    }

    /// <summary>Writes <see cref="Spelling"/> without building the string.</summary>
    /// <param name="writer">The destination.</param>
    public void WriteSpelling(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_name is Decoded decoded)
        {
            if (decoded.Spelling is { } spelling)
            {
                writer.Write(spelling);
                return;
            }

            writer.Write(decoded.Name);
        }
        else
        {
            WriteName(writer);
        }

        if (Version is not null)
        {
            writer.Write(IsDefaultVersion ? "@@" : "@");
            writer.Write(Version);
        }
    }

    private void WriteName(TextWriter writer)
    {
        // Decoded into a rented buffer: reports of large diffs write tens of thousands of names once each.
        var utf8 = NameUtf8;
        char[]? rented = null;
        Span<char> chars = utf8.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        int n = Encoding.UTF8.GetChars(utf8, chars);
        writer.Write(chars[..n]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>Whether <paramref name="other"/> names the same interface: the same name and version.</summary>
    /// <param name="other">The other symbol.</param>
    /// <returns>True when name and version are equal.</returns>
    public bool HasSameKey(AbiSymbol other) => other is not null && HasSameName(other) && string.Equals(Version, other.Version, StringComparison.Ordinal);

    /// <summary>Whether the names are equal, ordinally, as strings (compared by their UTF-8 bytes).</summary>
    internal bool HasSameName(AbiSymbol other) =>
        NameHash == other.NameHash && NameUtf8.SequenceEqual(other.NameUtf8)
        && (!(NameIsLossy || other.NameIsLossy) || string.Equals(Name, other.Name, StringComparison.Ordinal));

    /// <summary>Whether the name equals <paramref name="name"/>, whose UTF-8 form, hash and lossiness the caller computed.</summary>
    internal bool HasName(ReadOnlySpan<byte> utf8, int hash, string name, bool lossy) =>
        NameHash == hash && NameUtf8.SequenceEqual(utf8)
        && (!(NameIsLossy || lossy) || string.Equals(Name, name, StringComparison.Ordinal));

    /// <summary>The hash of a name's UTF-8 bytes that <see cref="NameHash"/> holds.</summary>
    internal static int HashName(ReadOnlySpan<byte> utf8)
    {
        ulong h = System.IO.Hashing.XxHash3.HashToUInt64(utf8);
        return (int)(h ^ (h >> 32));
    }

    /// <summary>Encodes a name as UTF-8; <paramref name="lossy"/> tells that a lone surrogate became U+FFFD.</summary>
    internal static byte[] EncodeName(string name, out bool lossy)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var bytes = new byte[Encoding.UTF8.GetByteCount(name)];
        lossy = Utf8.FromUtf16(name, bytes, out _, out _, replaceInvalidSequences: false) != OperationStatus.Done;
        if (lossy)
        {
            bytes = Encoding.UTF8.GetBytes(name);
        }

        return bytes;
    }

    private string DecodeName()
    {
        // Two threads may decode at once; both get equal strings and one is kept.
        var current = _name;
        if (current is not byte[] buffer)
        {
            return System.Runtime.CompilerServices.Unsafe.As<Decoded>(current).Name;
        }

        var decoded = new Decoded(buffer, Encoding.UTF8.GetString(NameUtf8));
        return Interlocked.CompareExchange(ref _name, decoded, buffer) is Decoded other ? other.Name : decoded.Name;
    }

    /// <summary>The name's buffer with the decoded name and, once read, the spelling (<c>name@@VER</c> or <c>name@VER</c>).</summary>
    private sealed class Decoded(byte[] buffer, string name)
    {
        public byte[] Buffer { get; } = buffer;

        public string Name { get; } = name;

        public string? Spelling; // set racily: every thread writes an equal string
    }

    /// <summary>Builds the surface entry for an exported ELF symbol.</summary>
    /// <param name="symbol">A defined, exported dynamic symbol.</param>
    /// <returns>The ABI symbol.</returns>
    /// <exception cref="ElfFormatException">The symbol's name cannot be read, or it is empty.</exception>
    /// <exception cref="ArgumentException"><paramref name="symbol"/> is <see langword="default"/> (read from no table).</exception>
    public static AbiSymbol FromElf(ElfSymbol symbol)
    {
        var version = symbol.Version;
        var utf8 = symbol.NameUtf8;
        if (utf8.IsEmpty)
        {
            // An exported definition nothing can bind to by name: malformed input, reported like any other.
            throw (Exception?)symbol.Table?.EntryError(symbol.Index, $"dynamic symbol {symbol.Index} is exported but has no name")
                ?? new ArgumentException("the symbol has no name", nameof(symbol));
        }

        // Invalid UTF-8 keeps the name's decoded form (with U+FFFD), so that byte and string equality agree.
        string? name = Utf8.IsValid(utf8) ? null : symbol.Name;
        var bytes = name is null ? utf8.ToArray() : Encoding.UTF8.GetBytes(name);
        return new AbiSymbol(bytes, 0, -1, false, name, version?.Name, version is not null && !symbol.IsVersionHidden, ExportedType(symbol.Type), ExportedBinding(symbol.Binding), symbol.Visibility == ElfSymbolVisibility.Protected ? ElfSymbolVisibility.Protected : ElfSymbolVisibility.Default, symbol.Size, symbol.SectionIndex == ElfSectionIndex.SHN_ABS);
    }

    // Types and bindings a surface cannot hold (section, file; local) fold to no type and global, as abidiff reads them.
    internal static ElfSymbolType ExportedType(ElfSymbolType type) => type switch
    {
        ElfSymbolType.Object => ElfSymbolType.Object,
        ElfSymbolType.Function => ElfSymbolType.Function,
        ElfSymbolType.Common => ElfSymbolType.Common,
        ElfSymbolType.Tls => ElfSymbolType.Tls,
        ElfSymbolType.GnuIndirectFunction => ElfSymbolType.GnuIndirectFunction,
        _ => ElfSymbolType.NoType,
    };

    internal static ElfSymbolBinding ExportedBinding(ElfSymbolBinding binding) => binding switch
    {
        ElfSymbolBinding.Weak => ElfSymbolBinding.Weak,
        ElfSymbolBinding.GnuUnique => ElfSymbolBinding.GnuUnique,
        _ => ElfSymbolBinding.Global,
    };

    /// <summary>Orders by name, then version (unversioned first), ordinally: the order of surfaces and reports.</summary>
    /// <param name="other">The other symbol.</param>
    /// <returns>The ordering.</returns>
    public int CompareTo(AbiSymbol? other)
    {
        if (other is null)
        {
            return 1;
        }

        int c = CompareNames(other);
        return c != 0 ? c : string.CompareOrdinal(Version, other.Version);
    }

    private int CompareNames(AbiSymbol other)
    {
        // UTF-8 byte order is code point order, and agrees with the UTF-16 ordinal order of string.CompareOrdinal
        // up to the first difference when that difference is between two ASCII bytes (or one name ends there).
        // Otherwise (U+E000..U+FFFF against a surrogate pair, lossy names) compare the strings.
        var a = NameUtf8;
        var b = other.NameUtf8;
        int i = a.CommonPrefixLength(b);
        if (i == a.Length || i == b.Length)
        {
            return NameIsLossy || other.NameIsLossy ? string.CompareOrdinal(Name, other.Name) : a.Length - b.Length;
        }

        if (a[i] < 0x80 && b[i] < 0x80 && !(NameIsLossy || other.NameIsLossy))
        {
            return a[i] - b[i];
        }

        return string.CompareOrdinal(Name, other.Name);
    }

    /// <inheritdoc/>
    public bool Equals(AbiSymbol? other) =>
        other is not null && HasSameKey(other) && IsDefaultVersion == other.IsDefaultVersion && Type == other.Type
        && Binding == other.Binding && Visibility == other.Visibility && Size == other.Size;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AbiSymbol);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(NameHash, Version, IsDefaultVersion, Type, Binding, Visibility, Size);

    /// <summary>The abidiff spelling, <see cref="Spelling"/>.</summary>
    /// <returns>The spelling.</returns>
    public override string ToString() => Spelling;
}
