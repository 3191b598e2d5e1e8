using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// What the loader needs from one ELF file, read once and shared by every check: its version table
/// (glibc's <c>l_versions</c>), its definitions indexed by name, and the symbols its relocations look up.
/// </summary>
internal sealed class DynamicObject : IDisposable
{
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

    private long _loaderIsaNeeded = -1; // not read yet; the mark is read once per object, not once per check

    /// <summary>The ISA levels the loader takes this object to need (<see cref="ElfImage.LoaderX86IsaNeeded"/>), read once.</summary>
    public ElfX86IsaLevels LoaderIsaNeeded
    {
        get
        {
            long value = Volatile.Read(ref _loaderIsaNeeded);
            if (value < 0)
            {
                value = (long)Image.LoaderX86IsaNeeded(); // idempotent: a race computes the same value twice
                Volatile.Write(ref _loaderIsaNeeded, value);
            }

            return (ElfX86IsaLevels)value;
        }
    }

    public readonly record struct VersionSlot(string? Name, uint Hash, string? FileName, bool Weak);

    /// <summary>One symbol a relocation looks up: undefined symbols, and copy-relocated objects of an executable.</summary>
    public readonly record struct Reference(int SymbolIndex, bool IsCopy);

    /// <summary>Opens and parses the ELF file at a resolved path (<see cref="LoaderFile.Open"/> tells the failures apart).</summary>
    /// <exception cref="ElfFormatException">The file is not well-formed ELF.</exception>
    /// <exception cref="IOException">The file cannot be read, or is not a regular file.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission is denied.</exception>
    public static DynamicObject Open(TargetFileSystem fs, string path) => new(fs, path, fs.OpenElf(path), ownsImage: true);

    /// <summary>A surface over an image the caller owns (the checked binary).</summary>
    public static DynamicObject ForImage(TargetFileSystem fs, string path, ElfImage image) => new(fs, path, image, ownsImage: false);

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

    /// <summary>
    /// The distinct libraries of <see cref="Satisfiers"/> once every reference that can refuse the load (all but weak
    /// ones) has one, or null: when all of them are in a scope, every such reference is satisfied there, and a check
    /// tests these few libraries instead of each reference. Rebuilt by the last check that satisfied them all.
    /// </summary>
    public DynamicObject[]? SatisfiedBy => Volatile.Read(ref _satisfiedBy);

    private DynamicObject[]? _satisfiedBy;

    /// <summary>Builds <see cref="SatisfiedBy"/> from <see cref="Satisfiers"/>; leaves it unchanged when a reference has none.</summary>
    public void SummarizeSatisfiers()
    {
        var table = Image.DynamicSymbols;
        var references = References;
        var satisfiers = Satisfiers;
        var distinct = new List<DynamicObject>();
        for (int r = 0; r < references.Length; r++)
        {
            var reference = references[r];
            if (!reference.IsCopy && table[reference.SymbolIndex].Binding == ElfSymbolBinding.Weak)
            {
                continue; // never refuses the load, never looked up
            }

            // Entries are only ever set, never cleared: each one read is a library that satisfied the reference.
            if (Volatile.Read(ref satisfiers[r]) is not { } satisfier)
            {
                return;
            }

            if (!distinct.Contains(satisfier))
            {
                distinct.Add(satisfier); // a handful of libraries: a list beats a set
            }
        }

        Volatile.Write(ref _satisfiedBy, [.. distinct]);
    }

    /// <summary>The first filters of check_match: defined, with a value (or absolute, or TLS), of a code or data type.</summary>
    public static bool IsDefinition(in ElfSymbol s)
    {
        if (s.SectionIndex == ElfSectionIndex.SHN_UNDEF)
        {
            return false;
        }

        var type = s.Type;
        if (s.Value == 0 && s.SectionIndex != ElfSectionIndex.SHN_ABS && type != ElfSymbolType.Tls)
        {
            return false;
        }

        return type is ElfSymbolType.NoType or ElfSymbolType.Object or ElfSymbolType.Function or ElfSymbolType.Common or ElfSymbolType.Tls or ElfSymbolType.GnuIndirectFunction;
    }

    /// <summary>DT_GNU_HASH, when present and sound: lookups then read a few symbols instead of indexing all names.</summary>
    public GnuHashTable? GnuHash => Image.GnuHashTable;

    /// <summary>The symbols this file's relocations make the loader look up, each once.</summary>
    public Reference[] References => _references ?? Interlocked.CompareExchange(ref _references, BuildReferences(), null) ?? _references!;

    private Reference[] BuildReferences()
    {
        var table = Image.DynamicSymbols;
        var seen = new byte[table.Count]; // 1 looked up, 2 copy
        bool any = ScanRelocations(seen);
        // The first pass decides, leaving in seen[i] 1 for a reference, 2 for a copy, 0 for neither; the second fills
        // an array allocated once at its size (a program has hundreds to thousands).
        int count = 0;
        for (int i = 1; i < table.Count; i++)
        {
            if (any && seen[i] == 0)
            {
                continue; // no relocation names it: not looked up (decoding the symbol would only say so again)
            }

            var s = table[i];
            if (s.Binding == ElfSymbolBinding.Local)
            {
                seen[i] = 0;
            }
            else if (seen[i] == 2)
            {
                count++;
            }
            else if (s.SectionIndex == ElfSectionIndex.SHN_UNDEF && (seen[i] == 1 || !any))
            {
                // Without relocation tables to go by, every undefined symbol counts as looked up.
                seen[i] = 1;
                count++;
            }
            else
            {
                seen[i] = 0;
            }
        }

        var result = new Reference[count];
        for (int i = 1, n = 0; n < count; i++)
        {
            if (seen[i] != 0)
            {
                result[n++] = new Reference(i, seen[i] == 2);
            }
        }

        return result;
    }

    /// <summary>Marks seen[symbol] = 1 for a looked-up symbol, 2 for a copy relocation; returns false when the file has no relocation tables.</summary>
    private bool ScanRelocations(byte[] seen)
    {
        ElfRelocationTable relocations;
        try
        {
            relocations = Image.DynamicRelocations;
        }
        catch (ElfFormatException)
        {
            return false; // tables the loader could not read: count every undefined symbol as looked up
        }

        relocations.MarkSymbolReferences(seen);
        return relocations.Count > 0 || HasRelocationTags(Image.Dynamic);
    }

    private static bool HasRelocationTags(ElfDynamicSection? dyn)
        => dyn is not null && (dyn.TryGetValue(ElfDynamicTag.DT_RELA, out _) || dyn.TryGetValue(ElfDynamicTag.DT_REL, out _) || dyn.TryGetValue(ElfDynamicTag.DT_JMPREL, out _));

    public void Dispose()
    {
        if (_ownsImage)
        {
            Image.Dispose();
        }
    }

    public override string ToString() => Path;
}
