using System.Buffers.Binary;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// What the loader needs from one ELF file, read once and shared by every check: its version table
/// (glibc's <c>l_versions</c>), its definitions indexed by name, and the symbols its relocations look up.
/// </summary>
internal sealed class DynamicObject : IDisposable
{
    private const ushort SHN_UNDEF = 0;
    private const ushort SHN_ABS = 0xfff1;

    private Dictionary<string, int[]>? _definitions;
    private Reference[]? _references;

    private readonly bool _ownsImage;

    private DynamicObject(TargetFileSystem fs, string path, ElfImage image, bool ownsImage)
    {
        _ownsImage = ownsImage;
        FileSystem = fs;
        Path = path;
        Image = image;
        int slash = path.LastIndexOf('/');
        Origin = slash <= 0 ? "/" : path[..slash];
        Versions = BuildVersionSlots(image, out bool any);
        HasVersionTable = any && image.DynamicSymbols.HasVersions;
        HasVersionDefinitions = !image.VersionDefinitions.IsEmpty;
    }

    /// <summary>The file system the file was found in.</summary>
    public TargetFileSystem FileSystem { get; }

    /// <summary>The canonical path inside that file system.</summary>
    public string Path { get; }

    /// <summary>The folder of the file: <c>$ORIGIN</c>.</summary>
    public string Origin { get; }

    public ElfImage Image { get; }

    /// <summary>glibc's l_versions: version index to (name, hash, file), hash 0 for unused or base entries.</summary>
    public VersionSlot[] Versions { get; }

    /// <summary>glibc's l_versyms != NULL: the file has a version table the loader consults.</summary>
    public bool HasVersionTable { get; }

    public bool HasVersionDefinitions { get; }

    public readonly record struct VersionSlot(string? Name, uint Hash, string? FileName, bool Weak);

    /// <summary>One symbol a relocation looks up: undefined symbols, and copy-relocated objects of an executable.</summary>
    public readonly record struct Reference(int SymbolIndex, bool IsCopy);

    public static DynamicObject? TryOpen(TargetFileSystem fs, string path)
    {
        try
        {
            return new DynamicObject(fs, path, fs.OpenElf(path), ownsImage: true);
        }
        catch (Exception ex) when (ex is ElfFormatException or IOException or UnauthorizedAccessException)
        {
            return null; // the loader skips what it cannot read as ELF
        }
    }

    /// <summary>A surface over an image the caller owns (the checked binary).</summary>
    public static DynamicObject ForImage(TargetFileSystem fs, string path, ElfImage image) => new(fs, path, image, ownsImage: false);

    /// <summary>The checks of open_verify: same class, byte order and machine as the executable.</summary>
    public bool Matches(ElfHeader header)
        => Image.Header.Class == header.Class && Image.Header.DataEncoding == header.DataEncoding && Image.Header.Machine == header.Machine;

    /// <summary>What ldconfig puts in the cache for this class and machine: a shared object with a dynamic section.</summary>
    public bool IsLoadableLibraryFor(ElfClass cls, ElfMachine machine)
        => Image.Header.Class == cls && Image.Header.Machine == machine && Image.Header.Type == ElfFileType.SharedObject && Image.Dynamic is not null;

    private static VersionSlot[] BuildVersionSlots(ElfImage image, out bool any)
    {
        int high = 0;
        foreach (var need in image.VersionNeeds)
        {
            foreach (var v in need.Versions)
            {
                high = Math.Max(high, v.Index & 0x7fff);
            }
        }

        foreach (var d in image.VersionDefinitions)
        {
            high = Math.Max(high, d.Index & 0x7fff);
        }

        any = high > 0;
        var slots = new VersionSlot[high + 1];
        foreach (var need in image.VersionNeeds)
        {
            foreach (var v in need.Versions)
            {
                slots[v.Index & 0x7fff] = new VersionSlot(v.Name, v.Hash, need.FileName, v.IsWeak);
            }
        }

        foreach (var d in image.VersionDefinitions)
        {
            // The base definition names the file; it cannot be matched as a symbol's version.
            if (!d.IsBase)
            {
                slots[d.Index & 0x7fff] = new VersionSlot(d.Name, d.Hash, null, false);
            }
        }

        return slots;
    }

    public VersionSlot VersionOf(int versionIndex) => (uint)versionIndex < (uint)Versions.Length ? Versions[versionIndex] : default;

    /// <summary>match_symbol of dl-version.c: whether a version definition (the base one included) has this name and hash.</summary>
    public bool DefinesVersion(string name, uint hash)
    {
        foreach (var d in Image.VersionDefinitions)
        {
            if (d.Hash == hash && d.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The symbols check_match can accept at all, by name, in symbol-table order (the order of a GNU hash chain):
    /// defined, with a value (or absolute, or TLS), of a code or data type.
    /// </summary>
    public Dictionary<string, int[]> Definitions => _definitions ?? Interlocked.CompareExchange(ref _definitions, BuildDefinitions(), null) ?? _definitions!;

    private Dictionary<string, int[]> BuildDefinitions()
    {
        var table = Image.DynamicSymbols;
        var map = new Dictionary<string, List<int>>(table.Count, StringComparer.Ordinal);
        for (int i = 1; i < table.Count; i++)
        {
            var s = table[i];
            if (!IsDefinition(s))
            {
                continue;
            }

            var name = s.Name;
            if (!map.TryGetValue(name, out var list))
            {
                map[name] = list = new List<int>(1);
            }

            list.Add(i);
        }

        // A plain dictionary: built once per library but also once per checked binary, where freezing costs more than it saves.
        var result = new Dictionary<string, int[]>(map.Count, StringComparer.Ordinal);
        foreach (var (key, list) in map)
        {
            result[key] = [.. list];
        }

        return result;
    }

    /// <summary>
    /// For each of <see cref="References"/>, the library that satisfied it in an earlier check. Whether a reference
    /// is satisfied does not depend on the order of the scope (a match that cannot bind only moves the search on), so
    /// when that library is in the scope again the reference is satisfied without a walk. Races are benign: any
    /// value written was a real satisfier.
    /// </summary>
    public DynamicObject?[] Satisfiers => _satisfiers ?? Interlocked.CompareExchange(ref _satisfiers, new DynamicObject?[References.Length], null) ?? _satisfiers!;

    private DynamicObject?[]? _satisfiers;

    /// <summary>The first filters of check_match: defined, with a value (or absolute, or TLS), of a code or data type.</summary>
    public static bool IsDefinition(in ElfSymbol s)
    {
        if (s.SectionIndex == SHN_UNDEF)
        {
            return false;
        }

        var type = s.Type;
        if (s.Value == 0 && s.SectionIndex != SHN_ABS && type != ElfSymbolType.Tls)
        {
            return false;
        }

        return type is ElfSymbolType.NoType or ElfSymbolType.Object or ElfSymbolType.Function or ElfSymbolType.Common or ElfSymbolType.Tls or ElfSymbolType.GnuIndirectFunction;
    }

    /// <summary>DT_GNU_HASH, when present and sound: lookups then read a few symbols instead of indexing all names.</summary>
    public GnuHashTable? GnuHash
    {
        get
        {
            if (Volatile.Read(ref _gnuHashRead) == 0)
            {
                _gnuHash = GnuHashTable.TryRead(Image);
                Volatile.Write(ref _gnuHashRead, 1);
            }

            return _gnuHash;
        }
    }

    private GnuHashTable? _gnuHash;
    private int _gnuHashRead;

    /// <summary>The symbols this file's relocations make the loader look up, each once.</summary>
    public Reference[] References => _references ?? Interlocked.CompareExchange(ref _references, BuildReferences(), null) ?? _references!;

    private Reference[] BuildReferences()
    {
        var table = Image.DynamicSymbols;
        var seen = new byte[table.Count]; // 1 looked up, 2 copy
        bool any = RelocationScanner.Scan(Image, seen);
        var result = new List<Reference>();
        for (int i = 1; i < table.Count; i++)
        {
            var s = table[i];
            if (s.Binding == ElfSymbolBinding.Local)
            {
                continue;
            }

            if (seen[i] == 2)
            {
                result.Add(new Reference(i, true));
            }
            else if (s.SectionIndex == SHN_UNDEF && (seen[i] == 1 || !any))
            {
                // Without relocation tables to go by, every undefined symbol counts as looked up.
                result.Add(new Reference(i, false));
            }
        }

        return [.. result];
    }

    public void Dispose()
    {
        if (_ownsImage)
        {
            Image.Dispose();
        }
    }

    public override string ToString() => Path;
}

/// <summary>Reads DT_RELA, DT_REL and DT_JMPREL to learn which symbols the loader looks up and which are copied.</summary>
internal static class RelocationScanner
{
    private const long DT_PLTRELSZ = 2, DT_RELA = 7, DT_RELASZ = 8, DT_RELAENT = 9, DT_REL = 17, DT_RELSZ = 18, DT_RELENT = 19, DT_PLTREL = 20, DT_JMPREL = 23;

    /// <summary>Marks seen[symbol] = 1 for a looked-up symbol, 2 for a copy relocation; returns false when the file has no relocation tables.</summary>
    public static bool Scan(ElfImage image, byte[] seen)
    {
        if (image.Dynamic is not { } dyn)
        {
            return false;
        }

        ulong rela = 0, relasz = 0, relaent = 0, rel = 0, relsz = 0, relent = 0, jmprel = 0, pltrelsz = 0, pltrel = 0;
        bool hasRela = false, hasRel = false, hasJmp = false;
        foreach (var e in dyn.Entries)
        {
            switch (e.Tag)
            {
                case DT_RELA: rela = e.Value; hasRela = true; break;
                case DT_RELASZ: relasz = e.Value; break;
                case DT_RELAENT: relaent = e.Value; break;
                case DT_REL: rel = e.Value; hasRel = true; break;
                case DT_RELSZ: relsz = e.Value; break;
                case DT_RELENT: relent = e.Value; break;
                case DT_JMPREL: jmprel = e.Value; hasJmp = true; break;
                case DT_PLTRELSZ: pltrelsz = e.Value; break;
                case DT_PLTREL: pltrel = e.Value; break;
            }
        }

        bool is64 = image.Header.Class == ElfClass.Elf64;
        uint copyType = CopyType(image.Header.Machine);
        if (hasRela)
        {
            Walk(image, rela, relasz, relaent != 0 ? relaent : (is64 ? 24UL : 12UL), is64, copyType, seen);
        }

        if (hasRel)
        {
            Walk(image, rel, relsz, relent != 0 ? relent : (is64 ? 16UL : 8UL), is64, copyType, seen);
        }

        if (hasJmp)
        {
            bool isRela = pltrel == (ulong)DT_RELA;
            Walk(image, jmprel, pltrelsz, isRela ? (is64 ? 24UL : 12UL) : (is64 ? 16UL : 8UL), is64, copyType, seen);
        }

        return hasRela || hasRel || hasJmp;
    }

    private static uint CopyType(ElfMachine machine) => machine switch
    {
        ElfMachine.X86_64 or ElfMachine.I386 => 5,
        ElfMachine.AArch64 => 1024,
        ElfMachine.PowerPC64 or ElfMachine.PowerPC => 19,
        ElfMachine.S390 => 9,
        ElfMachine.Arm => 20,
        ElfMachine.RiscV => 4,
        ElfMachine.LoongArch => 4,
        _ => uint.MaxValue,
    };

    private static void Walk(ElfImage image, ulong address, ulong size, ulong entrySize, bool is64, uint copyType, byte[] seen)
    {
        if (size == 0 || entrySize < (is64 ? 16UL : 8UL) || !image.TryMapAddress(address, out var offset))
        {
            return;
        }

        var data = image.Memory.Span;
        if (offset > (ulong)data.Length || size > (ulong)data.Length - offset)
        {
            throw new ElfFormatException(image.FileName, (long)Math.Min(offset, long.MaxValue), $"relocation table of 0x{size:x} bytes runs past the end of the file");
        }

        bool little = image.Header.DataEncoding == ElfDataEncoding.LittleEndian;
        int start = (int)offset;
        int count = (int)(size / entrySize);
        for (int i = 0; i < count; i++)
        {
            int o = start + (int)((ulong)i * entrySize);
            uint symbol, type;
            if (is64)
            {
                ulong info = little ? BinaryPrimitives.ReadUInt64LittleEndian(data[(o + 8)..]) : BinaryPrimitives.ReadUInt64BigEndian(data[(o + 8)..]);
                symbol = (uint)(info >> 32);
                type = (uint)info;
            }
            else
            {
                uint info = little ? BinaryPrimitives.ReadUInt32LittleEndian(data[(o + 4)..]) : BinaryPrimitives.ReadUInt32BigEndian(data[(o + 4)..]);
                symbol = info >> 8;
                type = info & 0xff;
            }

            if (symbol == 0 || symbol >= (uint)seen.Length)
            {
                continue;
            }

            if (type == copyType)
            {
                seen[symbol] = 2;
            }
            else if (seen[symbol] == 0)
            {
                seen[symbol] = 1;
            }
        }
    }
}
