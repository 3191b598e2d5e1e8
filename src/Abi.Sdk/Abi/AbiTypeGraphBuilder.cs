using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;

using Proto = Abi.Sdk.Abi.AbiTypeGraphAssembler.Proto;

namespace Abi.Sdk.Abi;

/// <summary>
/// Builds an <see cref="AbiTypeGraph"/>: one walk over the units finds the DIEs of exported functions and variables
/// (by linkage name, then name, then address), the definitions of named types and the C++ scopes; then the types the
/// declarations reach are built from a work list (no recursion, so cycles and deep nesting cost no stack), and
/// finally canonicalised by partition refinement (structurally equal types, wherever declared, become one).
/// </summary>
internal sealed partial class AbiTypeGraphBuilder
{
    internal const int MaxTypes = 1 << 24;

    private readonly ElfImage _image;
    private readonly DwarfFile _dwarf;
    private readonly List<Proto> _protos = [];
    private readonly DieMap _byDie = new(1 << 12);
    private readonly List<(DwarfDie Die, DieAttributes Attributes)> _chain = new(8);
    private readonly Queue<(DwarfDie Die, int Index)> _work = new();
    private readonly NameCache _names;
    private readonly Dictionary<ulong, QualifiedName> _scopedNames = [];
    private readonly Dictionary<(string Scope, string Name), (string Qualified, string Inner)> _scopes = [];
    private readonly Dictionary<DwarfFile, int> _keyFiles = new(ReferenceEqualityComparer.Instance);
    private DwarfFile? _lastKeyFile;
    private int _lastKeyIndex;
    private readonly Dictionary<(int Kind, string Name), DwarfDie> _definitions = [];
    private readonly Dictionary<string, DwarfDie> _functionsByLinkage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedDies> _functionsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, DwarfDie> _functionsByAddress = [];
    private readonly Dictionary<string, DwarfDie> _variablesByLinkage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedDies> _variablesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, DwarfDie> _variablesByAddress = [];
    private readonly Dictionary<ulong, DwarfDie> _tlsByOffset = [];
    private readonly AbiDeclarationFiles _declarationFiles = new();
    private readonly List<(DwarfUnit? Unit, ulong File)> _declFiles = [];
    private readonly HashSet<ulong> _definedStrp = [];
    private readonly List<DwarfUnit> _missingSplitUnits = [];

    public AbiTypeGraphBuilder(ElfImage image, DwarfFile dwarf)
    {
        _image = image;
        _dwarf = dwarf;
        _names = new NameCache(dwarf);
    }

    /// <summary>
    /// A DIE's identity as one integer: its offset (below 2^31), whether it is in <c>.debug_types</c>, and which of the
    /// files walked holds it (the debug file, its supplementary file, split files), numbered as they are met.
    /// </summary>
    private ulong KeyOf(DwarfDie die) => KeyOf(die.Unit, die.Offset);

    private ulong KeyOf(DwarfUnit unit, ulong offset)
    {
        var file = unit.File;
        if (!ReferenceEquals(file, _lastKeyFile))
        {
            ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_keyFiles, file, out bool known);
            if (!known)
            {
                slot = _keyFiles.Count - 1;
            }

            _lastKeyFile = file;
            _lastKeyIndex = slot;
        }

        return (ulong)_lastKeyIndex << 33 | (unit.IsInTypesSection ? 1UL << 32 : 0) | offset;
    }

    /// <summary>
    /// The definitions of one plain name, in the order walked: the first inline (nearly every name has one: a list per
    /// name was 8 400 objects and about 0.7 MB for libc's 4 200 names, 66 of them defined more than once), any others
    /// in a list.
    /// </summary>
    private struct NamedDies
    {
        public DwarfDie Die;
        public ulong Address;
        public List<(DwarfDie Die, ulong Address)>? More;

        public static void Add(Dictionary<string, NamedDies> byName, string name, DwarfDie die, ulong address)
        {
            ref var named = ref CollectionsMarshal.GetValueRefOrAddDefault(byName, name, out bool exists);
            if (!exists)
            {
                named = new NamedDies { Die = die, Address = address };
            }
            else
            {
                (named.More ??= []).Add((die, address));
            }
        }
    }

    /// <summary>
    /// A DIE's name inside a C++ scope, kept as the scope (one string shared by every DIE of that scope, in every unit)
    /// and its own name, and joined only when read: a libstdc++ walk records some 400 000 of them, nearly all of which no
    /// exported declaration reaches (joining each one was 27 MB of strings).
    /// </summary>
    private readonly record struct QualifiedName(string Scope, string Name)
    {
        public override string ToString() => string.Concat(Scope, Name);

        /// <summary>Whether both spell the same text (compared without joining either).</summary>
        public bool SameText(QualifiedName other)
        {
            if (Scope is null || other.Scope is null)
            {
                return Scope is null && other.Scope is null;
            }

            if (Scope.Length + Name.Length != other.Scope.Length + other.Name.Length)
            {
                return false;
            }

            // Compare the two halves of each as one text: the shorter scope's part first.
            var (a, b) = Scope.Length <= other.Scope.Length ? (this, other) : (other, this);
            int split = a.Scope.Length;
            return a.Scope.AsSpan().SequenceEqual(b.Scope.AsSpan(0, split))
                && a.Name.AsSpan(0, b.Scope.Length - split).SequenceEqual(b.Scope.AsSpan(split))
                && a.Name.AsSpan(b.Scope.Length - split).SequenceEqual(b.Name);
        }
    }

    /// <summary>A DIE's qualified name when it is in a C++ scope; null otherwise.</summary>
    private string? QualifiedNameOf(ulong key) => _scopedNames.TryGetValue(key, out var q) ? q.ToString() : null;

    /// <summary>
    /// The qualified name of <paramref name="name"/> in <paramref name="scope"/>, and the scope it opens, made once per
    /// pair: a class declared in hundreds of units opens the same scope string in each.
    /// </summary>
    private (string Qualified, string Inner) Nested(string scope, string name)
    {
        ref var nested = ref CollectionsMarshal.GetValueRefOrAddDefault(_scopes, (scope, name), out bool exists);
        if (!exists)
        {
            string qualified = string.Concat(scope, name);
            nested = (qualified, string.Concat(qualified, "::"));
        }

        return nested;
    }

    private sealed record PendingDeclaration(string Symbol, string Name, string? Linkage, bool IsFunction, int Type);

    /// <summary>
    /// The builder may dispose the DWARF reader once the declarations are read (its caller opened it for this graph
    /// alone and disposes it after): the inflated sections and abbreviation tables are then freed before the graph is
    /// canonicalised, and <c>.debug_abbrev</c> as soon as every unit's table is read.
    /// </summary>
    public bool OwnsDwarf { get; init; }

    /// <summary>Whether the kept types' declaration files are read (from their units' line tables); true by default.</summary>
    public bool DeclarationFiles { get; init; } = true;

    public AbiTypeGraph Build()
    {
        _protos.Add(new Proto { Kind = AbiTypeKind.Void, Name = "void" }); // index 0: void, for every missing DW_AT_type
        Walk(_dwarf, declarations: true);
        if (_dwarf.SupplementaryLink is not null && _dwarf.GetSupplementary() is { } sup)
        {
            Walk(sup, declarations: false);
        }

        if (OwnsDwarf)
        {
            // Every walked unit's abbreviation table is read: the section would only be read again for a unit never
            // walked (a DWARF 5 skeleton's, for the report of missing split units), and is then inflated again.
            _dwarf.ReleaseSection(DwarfSectionKind.Abbrev);
        }

        // libc: 31 700 DIEs in the map at the end, one per 180 bytes of .debug_info; sized once, it does not pass
        // through the doubling steps whose arrays are garbage (0.7 MB of them for libc).
        _byDie.EnsureCapacity(_dwarf.Section(DwarfSectionKind.Info).Length / 256);
        var pending = new List<PendingDeclaration>();
        var seen = new HashSet<(string, bool)>();
        var unmatched = new List<(string Name, ulong Address, ElfSymbolType Type)>();
        var table = _image.DynamicSymbols.Count > 0 ? _image.DynamicSymbols : _image.ReadSymbolTable();
        // Default versions first: a name exported at several versions (an old and a new implementation) is
        // declared as programs linked today see it, as abidw does.
        var order = new List<int>(table.Count);
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 1; i < table.Count; i++)
            {
                if (table[i].IsVersionHidden == (pass == 1))
                {
                    order.Add(i);
                }
            }
        }

        foreach (int i in order)
        {
            var s = table[i];
            if (!AbiSurface.IsExported(s) || s.SectionIndex == ElfSectionIndex.SHN_ABS)
            {
                continue;
            }

            bool function = s.Type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction;
            bool variable = s.Type is ElfSymbolType.Object or ElfSymbolType.Tls or ElfSymbolType.Common;
            if (!function && !variable)
            {
                continue;
            }

            var name = s.Name;
            if (name.Length == 0 || !seen.Add((name, function)))
            {
                continue;
            }

            var die = function
                ? Match(name, s.Value, _functionsByLinkage, _functionsByName, _functionsByAddress, s.Type != ElfSymbolType.GnuIndirectFunction, zeroIsAddress: false)
                : Match(name, s.Value, _variablesByLinkage, _variablesByName, AddressIndex(s.Type), useAddress: true, zeroIsAddress: s.Type == ElfSymbolType.Tls);
            if (die is not { } d)
            {
                // An IFUNC's value is its resolver's address: it never finds the function's DIE by address.
                unmatched.Add((name, s.Value, s.Type));
                continue;
            }

            // An alias at the same address (fflush for _IO_fflush, whose DIE has DW_AT_ranges, not an address).
            if ((s.Value != 0 || s.Type == ElfSymbolType.Tls) && s.Type != ElfSymbolType.GnuIndirectFunction)
            {
                AddressIndex(s.Type).TryAdd(s.Value, d);
            }

            pending.Add(function ? DeclareFunction(name, d) : DeclareVariable(name, d));
            Drain();
        }

        foreach (var (name, address, type) in unmatched)
        {
            bool function = type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction;
            if (type != ElfSymbolType.GnuIndirectFunction && (address != 0 || type == ElfSymbolType.Tls) && AddressIndex(type).TryGetValue(address, out var d))
            {
                pending.Add(function ? DeclareFunction(name, d) : DeclareVariable(name, d));
                Drain();
            }
        }

        var missingSplitUnits = AbiSplitDwarfReport.Describe(_dwarf, _missingSplitUnits);
        ReleaseWalk();
        if (!DeclarationFiles)
        {
            // Nothing after the walk reads the DWARF when no declaration file is wanted: its sections (libc: 6 MB of
            // .debug_info) go before the keys are made, not after.
            ReleaseDwarf();
        }
        ComputeSizes();
        var graph = Finish(pending);
        graph.MissingSplitUnits = missingSplitUnits;
        return graph;
    }

    /// <summary>
    /// Drops what only the walk and the declarations need (the indexes by name and address, the DIE map, names; libc:
    /// about 5 MB) before the canonical keys and the graph are made.
    /// </summary>
    private void ReleaseWalk()
    {
        _functionsByLinkage.Clear();
        _functionsByLinkage.TrimExcess();
        _variablesByLinkage.Clear();
        _variablesByLinkage.TrimExcess();
        _functionsByName.Clear();
        _functionsByName.TrimExcess();
        _variablesByName.Clear();
        _variablesByName.TrimExcess();
        _functionsByAddress.Clear();
        _functionsByAddress.TrimExcess();
        _variablesByAddress.Clear();
        _variablesByAddress.TrimExcess();
        _tlsByOffset.Clear();
        _byDie.Clear();
        _scopedNames.Clear();
        _scopedNames.TrimExcess();
        _scopes.Clear();
        _scopes.TrimExcess();
        _definitions.Clear();
        _definitions.TrimExcess();
        _chain.Clear();
        _missingSplitUnits.Clear();
        _names.Clear();
        ReleaseRaw();
    }

    /// <summary>
    /// Drops the declaration-file tables and, when the builder owns it, the DWARF reader's sections and tables: called
    /// once the kept types' files are read, which needs the line tables of their units.
    /// </summary>
    private void ReleaseDwarf()
    {
        _declarationFiles.Clear();
        if (OwnsDwarf)
        {
            _dwarf.Dispose();
        }
    }

    /// <summary>
    /// A TLS variable's offset in its module's block, as its symbol's value says it. A split unit's DW_OP_constx takes
    /// it from .debug_addr, where GNU ld resolved the DTP-relative relocation to the variable's address in the
    /// PT_TLS image instead (0x3dd0 for offset 0): such a value is made an offset again.
    /// </summary>
    private ulong TlsOffset(ulong value)
    {
        foreach (var segment in _image.Segments)
        {
            if (segment.Type == ElfSegmentType.PT_TLS && segment.VirtualAddress > 0 && value >= segment.VirtualAddress && value - segment.VirtualAddress < Math.Max(segment.MemorySize, 1))
            {
                return value - segment.VirtualAddress;
            }
        }

        return value;
    }

    /// <summary>Functions by entry address, variables by address, thread-local variables by offset in the TLS block (the value of their symbols).</summary>
    private Dictionary<ulong, DwarfDie> AddressIndex(ElfSymbolType type)
        => type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction ? _functionsByAddress : type == ElfSymbolType.Tls ? _tlsByOffset : _variablesByAddress;

    private static DwarfDie? Match(string symbol, ulong address, Dictionary<string, DwarfDie> byLinkage, Dictionary<string, NamedDies> byName, Dictionary<ulong, DwarfDie> byAddress, bool useAddress, bool zeroIsAddress)
    {
        if (byLinkage.TryGetValue(symbol, out var die))
        {
            return die;
        }

        if (byName.TryGetValue(symbol, out var named))
        {
            if (named.Address == address)
            {
                return named.Die;
            }

            if (named.More is { } more)
            {
                foreach (var (d, a) in more)
                {
                    if (a == address)
                    {
                        return d;
                    }
                }
            }

            return named.Die;
        }

        return useAddress && (address != 0 || zeroIsAddress) && byAddress.TryGetValue(address, out die) ? die : null;
    }

    // ---- the walk ----

    /// <summary>
    /// The units to walk: a skeleton's split unit (from its <c>.dwo</c> or <c>.dwp</c>) in place of the skeleton, and
    /// the type units of each split file once, since the declarations and the types are there.
    /// </summary>
    private static IEnumerable<DwarfUnit> UnitsToWalk(DwarfFile file, List<DwarfUnit>? missing)
    {
        HashSet<DwarfFile>? splitFiles = null;
        foreach (var unit in file.Units)
        {
            if (unit.UnitType != DwarfUnitType.Skeleton)
            {
                yield return unit;
                continue;
            }

            if (file.GetSplitUnit(unit) is not { } split)
            {
                missing?.Add(unit);
                continue;
            }

            yield return split;
            if ((splitFiles ??= []).Add(split.File))
            {
                foreach (var typeUnit in split.File.Units)
                {
                    if (typeUnit.IsTypeUnitByHeader)
                    {
                        yield return typeUnit;
                    }
                }
            }
        }
    }

    private void Walk(DwarfFile file, bool declarations)
    {
        var prefix = new List<string?>(16);
        _definedStrp.Clear(); // offsets into this file's .debug_str
        foreach (var unit in UnitsToWalk(file, declarations ? _missingSplitUnits : null))
        {
            prefix.Clear();
            bool c = false;
            var dies = unit.ReadDies();
            while (dies.MoveNext())
            {
                var die = dies.Current;
                int depth = dies.Depth;
                while (prefix.Count <= depth + 1)
                {
                    prefix.Add(null);
                }

                if (depth == 0)
                {
                    prefix[1] = string.Empty;
                    c = IsC(die);
                    _names.CachesLinkageNames = !c;
                    continue;
                }

                var scope = prefix[depth];
                if (scope is null)
                {
                    if (die.HasChildren && !dies.SkipChildren())
                    {
                        prefix[depth + 1] = null;
                    }

                    continue;
                }

                string? childScope = null;
                switch (die.Tag)
                {
                    case DwarfTag.Namespace:
                    {
                        ReadAttributes(die, out var ns); // the name through the cache: "std" is opened in every unit
                        childScope = Nested(scope, ns.Name ?? "(anonymous namespace)").Inner;
                        break;
                    }

                    case DwarfTag.StructureType or DwarfTag.ClassType or DwarfTag.UnionType or DwarfTag.EnumerationType:
                    {
                        if (c && scope.Length == 0 && DefinesNothing(die.Shape))
                        {
                            break; // childScope stays null: nothing below is read either
                        }

                        // The same type defined again in a later C unit (its name the same .debug_str entry): the
                        // first definition of that name is already recorded, so the DIE can change nothing.
                        ulong? strpKey = null;
                        if (c && scope.Length == 0 && ReferenceEquals(unit.File, file) && StrpName(die) is { } strp)
                        {
                            strpKey = (ulong)DefinitionKind(die.Tag) << 62 | strp;
                            if (_definedStrp.Contains(strpKey.Value))
                            {
                                break;
                            }
                        }

                        ReadAttributes(die, out var a);
                        if (a.Name is { } n)
                        {
                            // gcc's DWARF 4 type units define a type outside its namespace, with DW_AT_specification
                            // pointing at a declaration inside it (walked first): the declaration's scope is the type's.
                            var name = a.Specification is { } spec && _scopedNames.TryGetValue(KeyOf(spec.ResolveReference()), out var declared)
                                ? declared
                                : new QualifiedName(scope, n);
                            // A C type, or an enumeration, opens no scope the walk reads (below): at the top level its name is
                            // its qualified name, and nothing is made for it.
                            var (qualified, inner) = name.Scope.Length == 0 && (c || die.Tag == DwarfTag.EnumerationType)
                                ? (name.Name, null)
                                : Nested(name.Scope, name.Name);
                            if (name.Scope.Length > 0)
                            {
                                _scopedNames.TryAdd(KeyOf(die), name);
                            }

                            if (!a.Declaration && a.Signature is null)
                            {
                                _definitions.TryAdd((DefinitionKind(die.Tag), qualified), die);
                                if (strpKey is { } defined)
                                {
                                    _definedStrp.Add(defined);
                                }
                            }

                            childScope = inner;
                        }
                        else
                        {
                            childScope = scope;
                        }

                        // Nothing the walk records can be a child of an enumeration (enumerators only), nor of a C
                        // struct or union (members only: C gives a tag declared inside a struct the enclosing scope,
                        // and gcc writes it there): jump over them, most of a C unit's DIEs after its top level.
                        if (c || die.Tag == DwarfTag.EnumerationType)
                        {
                            childScope = null;
                        }

                        break;
                    }

                    case DwarfTag.Typedef when scope.Length > 0:
                    {
                        ReadAttributes(die, out var td); // the name through the cache: a class's typedefs recur in every unit
                        if (td.Name is { } typedefName)
                        {
                            _scopedNames.TryAdd(KeyOf(die), new QualifiedName(scope, typedefName));
                        }

                        break;
                    }

                    case DwarfTag.Subprogram:
                    {
                        // Most subprogram DIEs of C units are declarations of functions called: nothing to read.
                        if (scope.Length == 0 && !Has(die, DwarfAttribute.LowPc) && !Has(die, DwarfAttribute.Ranges))
                        {
                            break;
                        }

                        ReadAttributes(die, out var a);
                        if (a.Name is { } n && scope.Length > 0)
                        {
                            _scopedNames.TryAdd(KeyOf(die), new QualifiedName(scope, n));
                        }

                        if (declarations && (a.LowPc is not null || a.HasRanges) && !a.Declaration)
                        {
                            // A function split into hot and cold parts has DW_AT_ranges instead: its entry is the first range's start.
                            ulong low = a.LowPc ?? (a.HasRanges ? die.GetAddressRanges() is { IsEmpty: false } r ? r[0].Start : 0 : 0);
                            if (a.LinkageName is { } l)
                            {
                                _functionsByLinkage.TryAdd(l, die);
                            }

                            // By name too when there is a linkage name: C code declares hidden aliases that way
                            // (glibc's fseek is linkage name __GI_fseek); a mangled symbol never equals a plain name.
                            if (a.Name is { } plain)
                            {
                                NamedDies.Add(_functionsByName, plain, die, low);
                            }

                            if (low != 0)
                            {
                                _functionsByAddress.TryAdd(low, die);
                            }
                        }

                        break; // a function's contents are not interface
                    }

                    case DwarfTag.Variable:
                    {
                        if (scope.Length == 0 && !Has(die, DwarfAttribute.Location) && !Has(die, DwarfAttribute.Specification))
                        {
                            break;
                        }

                        ReadAttributes(die, out var a);
                        a.ResolveLocationList();
                        if (a.Name is { } n && scope.Length > 0)
                        {
                            _scopedNames.TryAdd(KeyOf(die), new QualifiedName(scope, n));
                        }

                        if (declarations && !a.Declaration && (a.Address is not null || a.TlsOffset is not null || a.Specification is not null))
                        {
                            if (a.LinkageName is { } l)
                            {
                                _variablesByLinkage.TryAdd(l, die);
                            }

                            var plainName = a.Name ?? (a.Specification is { } spec ? ReadAttributes(spec.ResolveReference()).Name : null);
                            if (plainName is not null)
                            {
                                NamedDies.Add(_variablesByName, plainName, die, a.Address ?? (a.TlsOffset is { } tls ? TlsOffset(tls) : 0));
                            }

                            if (a.Address is { } address)
                            {
                                _variablesByAddress.TryAdd(address, die);
                            }
                            else if (a.TlsOffset is { } offset)
                            {
                                _tlsByOffset.TryAdd(TlsOffset(offset), die);
                            }
                        }

                        break;
                    }
                }

                // Nothing under a DIE without a child scope (a function's parameters, locals, inlined calls: most
                // of a C library's DIEs) is read: jump to its sibling where the producer says where that is.
                if (die.HasChildren && (childScope is not null || !dies.SkipChildren()))
                {
                    prefix[depth + 1] = childScope;
                }
            }
        }
    }

    private DieAttributes ReadAttributes(DwarfDie die) => DieAttributes.Read(die, _names);

    // Filled in place: returning the large struct by value copied it (with write barriers) on every read.
    private void ReadAttributes(DwarfDie die, out DieAttributes attributes) => DieAttributes.Read(die, _names, out attributes);

    /// <summary>
    /// For a type at a C unit's top level, whose only effect on the walk is to define its name: true when its
    /// abbreviation says it cannot (no name, a declaration by DW_FORM_flag_present, or a type unit's signature),
    /// and it has no DW_AT_specification. Most of the type DIEs of a C library's units are such declarations.
    /// </summary>
    private static bool DefinesNothing(DwarfAbbreviationShape abbreviation)
    {
        bool named = false, nothing = false;
        foreach (var spec in abbreviation.Specs)
        {
            switch (spec.Attribute)
            {
                case DwarfAttribute.Name:
                    named = true;
                    break;
                case DwarfAttribute.Declaration when spec.Form == DwarfForm.FlagPresent:
                case DwarfAttribute.Signature when spec.Form == DwarfForm.RefSig8:
                    nothing = true;
                    break;
                case DwarfAttribute.Specification:
                    return false;
            }
        }

        return nothing || !named;
    }

    /// <summary>
    /// The <c>.debug_str</c> offset of a DIE's DW_AT_name when its form is DW_FORM_strp and only fixed-size values
    /// precede it, and the DIE has no DW_AT_specification; null otherwise.
    /// </summary>
    private static ulong? StrpName(DwarfDie die)
    {
        var unit = die.Unit;
        int at = -1, position = 0;
        foreach (var spec in die.Shape.Specs)
        {
            if (spec.Attribute == DwarfAttribute.Specification)
            {
                return null;
            }

            if (spec.Attribute == DwarfAttribute.Name && at < 0)
            {
                if (spec.Form != DwarfForm.Strp || position < 0)
                {
                    return null;
                }

                at = position;
            }

            if (position >= 0)
            {
                int size = DwarfForms.FixedSize(spec.Form, unit.AddressSize, unit.OffsetSize, unit.Version);
                position = size < 0 ? -1 : position + size;
            }
        }

        if (at < 0)
        {
            return null;
        }

        var cursor = unit.Section.Cursor(die.AttributesOffset + at);
        return cursor.Sized(unit.OffsetSize);
    }

    /// <summary>True for a unit DIE whose DW_AT_language is C (C89, C, C99, C11, C17).</summary>
    private static bool IsC(DwarfDie unitDie)
        => unitDie.TryGetAttribute(DwarfAttribute.Language, out var language) && language.RawValue is 0x01 or 0x02 or 0x0c or 0x1d or 0x2c;

    private static bool Has(DwarfDie die, DwarfAttribute attribute)
    {
        foreach (var spec in die.Shape.Specs)
        {
            if (spec.Attribute == attribute)
            {
                return true;
            }
        }

        return false;
    }

    private static int DefinitionKind(DwarfTag tag) => tag switch
    {
        DwarfTag.UnionType => 1,
        DwarfTag.EnumerationType => 2,
        _ => 0, // struct and class name the same kind of type: 'class C;' may be defined as 'struct C'
    };

    // ---- declarations ----

    private PendingDeclaration DeclareFunction(string symbol, DwarfDie die)
    {
        var chain = Chain(die);
        string? name = null, linkage = null;
        DwarfAttributeValue? returns = null;
        DwarfDie? withParameters = null;
        foreach (var (d, a) in chain)
        {
            name ??= QualifiedNameOf(KeyOf(d)) ?? a.Name;
            linkage ??= a.LinkageName;
            returns ??= a.Type;
            if (HasParameters(d))
            {
                withParameters = d; // the deepest in the chain: abstract origins and declarations carry the types
            }
        }

        var proto = new Proto { Kind = AbiTypeKind.Function, Parameters = [] };
        int index = Add(proto);
        proto.Target = returns is { } r ? Reserve(r) : 0;
        if (withParameters is { } p)
        {
            AddParameters(proto, p);
        }

        return new PendingDeclaration(symbol, name ?? symbol, linkage, true, index);
    }

    private PendingDeclaration DeclareVariable(string symbol, DwarfDie die)
    {
        string? name = null, linkage = null;
        DwarfAttributeValue? type = null;
        foreach (var (d, a) in Chain(die))
        {
            name ??= QualifiedNameOf(KeyOf(d)) ?? a.Name;
            linkage ??= a.LinkageName;
            type ??= a.Type;
        }

        return new PendingDeclaration(symbol, name ?? symbol, linkage, false, type is { } t ? Reserve(t) : 0);
    }

    /// <summary>The DIE and those it continues (DW_AT_abstract_origin, DW_AT_specification), at most 8 deep.</summary>
    private List<(DwarfDie Die, DieAttributes Attributes)> Chain(DwarfDie die)
    {
        // One list, reused: each caller is done with the chain before the next is asked for (an entry is large).
        var chain = _chain;
        chain.Clear();
        for (int i = 0; i < 8; i++)
        {
            ReadAttributes(die, out var a);
            chain.Add((die, a));
            var next = a.AbstractOrigin ?? a.Specification;
            if (next is null)
            {
                break;
            }

            die = next.Value.ResolveReference();
        }

        return chain;
    }

    private static bool HasParameters(DwarfDie die)
    {
        foreach (var c in die.Children)
        {
            if (c.Tag is DwarfTag.FormalParameter or DwarfTag.UnspecifiedParameters)
            {
                return true;
            }
        }

        return false;
    }

    private void AddParameters(Proto proto, DwarfDie die)
    {
        foreach (var c in die.Children)
        {
            if (c.Tag == DwarfTag.UnspecifiedParameters)
            {
                proto.Variadic = true;
            }
            else if (c.Tag == DwarfTag.FormalParameter)
            {
                ReadAttributes(c, out var a);
                var type = a.Type;
                for (int i = 0; type is null && a.AbstractOrigin is { } origin && i < 8; i++)
                {
                    ReadAttributes(origin.ResolveReference(), out a);
                    type = a.Type;
                }

                proto.Parameters!.Add(type is { } t ? Reserve(t) : 0);
            }
        }
    }

    // ---- types ----

    private int Add(Proto proto)
    {
        if (_protos.Count >= MaxTypes)
        {
            throw new DwarfFormatException(_dwarf.FileName, ".debug_info", 0, $"the exported declarations reach more than {MaxTypes} types");
        }

        _protos.Add(proto);
        return _protos.Count - 1;
    }

    /// <summary>The index of the type a reference points at; a unit-local one already met is found by its offset alone.</summary>
    private int Reserve(DwarfAttributeValue reference)
    {
        var unit = reference.Unit;
        ulong raw = reference.RawValue;
        if (reference.Form is DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata
            && raw < unit.EndOffset - unit.Offset && _byDie.TryGetValue(KeyOf(unit, unit.Offset + raw), out int known))
        {
            return known;
        }

        return Reserve(reference.ResolveReference());
    }

    /// <summary>The index of the type a DIE describes: built once per DIE (queued), declarations resolved to a definition.</summary>
    private int Reserve(DwarfDie die)
    {
        if (_byDie.TryGetValue(KeyOf(die), out int known))
        {
            return known;
        }

        var original = die;
        die = ResolveDefinition(die);
        if (die != original && _byDie.TryGetValue(KeyOf(die), out known))
        {
            _byDie[KeyOf(original)] = known;
            return known;
        }

        // The same type already built from another unit, confirmed by its bytes: no proto, no fill.
        if (RawDuplicate(die) is var duplicate and >= 0)
        {
            _byDie[KeyOf(original)] = duplicate;
            _byDie.TryAdd(KeyOf(die), duplicate);
            return duplicate;
        }

        int index = Add(new Proto { Kind = AbiTypeKind.Void });
        _byDie[KeyOf(original)] = index;
        _byDie.TryAdd(KeyOf(die), index);
        _work.Enqueue((die, index));
        return index;
    }

    /// <summary>
    /// The DIE a type DIE stands for: a type unit's DIE for a DW_AT_signature, the first definition in file order for
    /// a named declaration-only struct, class, union or enumeration; the DIE itself otherwise.
    /// </summary>
    private DwarfDie ResolveDefinition(DwarfDie die)
    {
        if (die.Tag is not (DwarfTag.StructureType or DwarfTag.ClassType or DwarfTag.UnionType or DwarfTag.EnumerationType)
            || !MayBeDeclaration(die.Shape))
        {
            return die;
        }

        ReadAttributes(die, out var a);
        if (a.Signature is { } sig)
        {
            return sig.ResolveReference();
        }

        if (a.Declaration && a.Name is { } n)
        {
            var qualified = _scopedNames.TryGetValue(KeyOf(die), out var q) ? Nested(q.Scope, q.Name).Qualified : n;
            if (_definitions.TryGetValue((DefinitionKind(die.Tag), qualified), out var definition))
            {
                return definition;
            }
        }

        return die;
    }

    /// <summary>False when the abbreviation has neither DW_AT_declaration nor DW_AT_signature: the DIE is a definition.</summary>
    private static bool MayBeDeclaration(DwarfAbbreviationShape abbreviation)
    {
        foreach (var spec in abbreviation.Specs)
        {
            if (spec.Attribute is DwarfAttribute.Declaration or DwarfAttribute.Signature)
            {
                return true;
            }
        }

        return false;
    }

    private void Drain()
    {
        while (_work.TryDequeue(out var item))
        {
            Fill(item.Die, item.Index);
        }
    }

    private void Fill(DwarfDie die, int index)
    {
        var p = _protos[index];
        ReadAttributes(die, out var a);
        p.Name = QualifiedNameOf(KeyOf(die)) ?? a.Name;
        p.Size = a.ByteSize;
        if (a.DeclFile is { } declFile && DeclarationFiles)
        {
            // Resolved in Finish, for the types that stand for their class: the line tables of most units are never read.
            while (_declFiles.Count <= index)
            {
                _declFiles.Add(default);
            }

            _declFiles[index] = (die.Unit, declFile);
        }
        int Target() => a.Type is { } t ? Reserve(t) : 0;
        switch (die.Tag)
        {
            case DwarfTag.BaseType:
                p.Kind = AbiTypeKind.Base;
                break;
            case DwarfTag.PointerType:
                p.Kind = AbiTypeKind.Pointer;
                p.Size ??= die.Unit.AddressSize;
                p.Target = Target();
                break;
            case DwarfTag.ReferenceType:
                p.Kind = AbiTypeKind.LValueReference;
                p.Size ??= die.Unit.AddressSize;
                p.Target = Target();
                break;
            case DwarfTag.RvalueReferenceType:
                p.Kind = AbiTypeKind.RValueReference;
                p.Size ??= die.Unit.AddressSize;
                p.Target = Target();
                break;
            case DwarfTag.PtrToMemberType:
                p.Kind = AbiTypeKind.PointerToMember;
                p.Target = Target();
                // Named after its class (DW_AT_containing_type), as C++ spells it: int S::*.
                if (die.TryGetAttribute(DwarfAttribute.ContainingType, out var containing) && containing.IsReference)
                {
                    var cls = containing.ResolveReference();
                    p.Name = QualifiedNameOf(KeyOf(cls)) ?? cls.Name;
                }

                break;
            case DwarfTag.ConstType or DwarfTag.VolatileType or DwarfTag.RestrictType or DwarfTag.AtomicType:
                p.Kind = AbiTypeKind.Qualified;
                p.Qualifiers = die.Tag switch
                {
                    DwarfTag.ConstType => AbiQualifiers.Const,
                    DwarfTag.VolatileType => AbiQualifiers.Volatile,
                    DwarfTag.RestrictType => AbiQualifiers.Restrict,
                    _ => AbiQualifiers.Atomic,
                };
                p.Target = Target();
                break;
            case DwarfTag.Typedef:
                p.Kind = AbiTypeKind.Typedef;
                p.Target = Target();
                break;
            case DwarfTag.StructureType or DwarfTag.ClassType or DwarfTag.UnionType:
                p.Kind = die.Tag switch { DwarfTag.StructureType => AbiTypeKind.Struct, DwarfTag.ClassType => AbiTypeKind.Class, _ => AbiTypeKind.Union };
                p.DeclarationOnly = a.Declaration;
                FillRecord(die, p);
                break;
            case DwarfTag.EnumerationType:
                p.Kind = AbiTypeKind.Enum;
                p.DeclarationOnly = a.Declaration;
                if (a.Type is not null)
                {
                    p.Target = Target();
                }

                p.Enumerators = [];
                bool unsigned = IsUnsigned(a.Type);
                foreach (var c in die.Children)
                {
                    if (c.Tag == DwarfTag.Enumerator)
                    {
                        ReadAttributes(c, out var e);
                        long value = e.ConstValue is { } v ? (unsigned && v.Form is not DwarfForm.Sdata ? (long)v.RawValue : v.AsSigned()) : 0;
                        p.Enumerators.Add(new AbiEnumerator(e.Name ?? string.Empty, value));
                    }
                }

                break;
            case DwarfTag.ArrayType:
                p.Kind = AbiTypeKind.Array;
                p.Target = Target();
                p.Dimensions = [];
                foreach (var c in die.Children)
                {
                    if (c.Tag == DwarfTag.SubrangeType)
                    {
                        ReadAttributes(c, out var r);
                        p.Dimensions.Add(r.Count is { } count ? count : r.UpperBound is { } upper ? (upper == ulong.MaxValue ? 0 : upper + 1) : null);
                    }
                }

                break;
            case DwarfTag.SubroutineType:
                p.Kind = AbiTypeKind.Function;
                p.Target = Target();
                p.Parameters = [];
                AddParameters(p, die);
                break;
            default:
                p.Kind = AbiTypeKind.Other;
                p.Name ??= DwarfNames.GetName(die.Tag) ?? $"DW_TAG 0x{(ushort)die.Tag:x}";
                break;
        }

        RegisterRaw(die, index);
    }

    private bool IsUnsigned(DwarfAttributeValue? type)
    {
        // An enum's underlying type (DWARF 3+) says how data1…data8 enumerator values extend; without it, gcc's
        // choice of form does (sdata for negative values).
        for (int i = 0; type is { } t && i < 8; i++)
        {
            var die = t.ResolveReference();
            ReadAttributes(die, out var a);
            if (die.Tag == DwarfTag.BaseType)
            {
                return a.Encoding is 0x07 or 0x08 or 0x02 or 0x10; // DW_ATE_unsigned, unsigned_char, boolean, UTF
            }

            type = a.Type;
        }

        return false;
    }

    private void FillRecord(DwarfDie die, Proto p)
    {
        p.Members = [];
        p.Bases = [];
        p.Virtuals = [];
        foreach (var c in die.Children)
        {
            switch (c.Tag)
            {
                case DwarfTag.Member:
                {
                    ReadAttributes(c, out var m);
                    if (m.External || m.Declaration)
                    {
                        break; // a static data member (DWARF 4): no part of the layout
                    }

                    ulong bitOffset;
                    if (m.DataBitOffset is { } dbo)
                    {
                        bitOffset = dbo;
                    }
                    else
                    {
                        bitOffset = (m.MemberLocation ?? 0) * 8;
                        if (m.BitOffset is { } legacy && m.BitSize is { } width)
                        {
                            // DWARF 2/3 bit-fields: DW_AT_bit_offset counts from the storage unit's most significant bit.
                            ulong storage = (m.ByteSize ?? 0) * 8;
                            if (_image.Header.DataEncoding != ElfDataEncoding.BigEndian && storage >= legacy + width)
                            {
                                bitOffset += storage - legacy - width;
                            }
                            else
                            {
                                bitOffset += legacy;
                            }
                        }
                    }

                    p.Members.Add((m.Name, m.Type is { } t ? Reserve(t) : 0, bitOffset, m.BitSize));
                    break;
                }

                case DwarfTag.Inheritance:
                {
                    ReadAttributes(c, out var b);
                    p.Bases.Add((b.Type is { } t ? Reserve(t) : 0, b.MemberLocation ?? 0, b.Virtuality != 0));
                    break;
                }

                case DwarfTag.Subprogram:
                {
                    ReadAttributes(c, out var f);
                    if (f.Virtuality != 0)
                    {
                        p.Virtuals.Add(new AbiVirtualFunction(f.Name ?? string.Empty, f.LinkageName, f.VtableSlot ?? -1));
                    }

                    break;
                }
            }
        }
    }

    private void ComputeSizes()
    {
        // Typedefs and qualifiers take their target's size, arrays their element's times their dimensions; chains
        // resolve over passes, in work-list style (no recursion).
        // Only the types still without a size are visited again, in the same order, over the same passes.
        var open = new List<Proto>();
        foreach (var p in _protos)
        {
            if (p.Size is null && p.Kind is AbiTypeKind.Typedef or AbiTypeKind.Qualified or AbiTypeKind.Array)
            {
                open.Add(p);
            }
        }

        bool changed = true;
        for (int pass = 0; changed && pass < 64; pass++)
        {
            changed = false;
            foreach (var p in open)
            {
                if (p.Size is not null)
                {
                    continue;
                }

                switch (p.Kind)
                {
                    case AbiTypeKind.Typedef or AbiTypeKind.Qualified when p.Target > 0 && _protos[p.Target].Size is { } s:
                        p.Size = s;
                        changed = true;
                        break;
                    case AbiTypeKind.Array when p.Target > 0 && _protos[p.Target].Size is { } e && p.Dimensions!.All(d => d is not null):
                        ulong n = e;
                        foreach (var d in p.Dimensions!)
                        {
                            n *= d!.Value;
                        }

                        p.Size = n;
                        changed = true;
                        break;
                }
            }
        }
    }

    // ---- canonicalisation ----

    private AbiTypeGraph Finish(List<PendingDeclaration> pending)
    {
        int n = _protos.Count;
        var classes = new int[n];
        var children = new int[n][];
        var key = new StringBuilder();
        var kids = new List<int>();
        // Classes of equal local keys, numbered in order of first appearance as the canonicaliser would: most protos
        // repeat a key (the same type declared in many units).
        var keyClasses = new AbiLocalKeyClasses();
        for (int i = 0; i < n; i++)
        {
            children[i] = LocalKey(_protos[i], key, kids);
            classes[i] = keyClasses.ClassOf(key);
        }

        var refined = AbiTypeCanonicalizer.Refine(classes, keyClasses.Count, children);
        // The file of a type is the one of the first proto of its class (the one Materialize keeps).
        var represented = new bool[n];
        for (int i = 0; i < n; i++)
        {
            if (!represented[refined[i]])
            {
                represented[refined[i]] = true;
                if (i < _declFiles.Count && _declFiles[i] is { Unit: { } unit } declared)
                {
                    _protos[i].File = _declarationFiles.Get(unit, declared.File);
                }
            }
        }

        ReleaseDwarf();
        return AbiTypeGraphAssembler.Materialize(_protos, refined, _dwarf.FileName,
            pending.Select(d => (d.Symbol, d.Name, d.Linkage, d.IsFunction, d.Type)));
    }

    private static int[] LocalKey(Proto p, StringBuilder key, List<int> children)
    {
        key.Clear();
        children.Clear();
        key.Append((int)p.Kind).Append('|').Append(p.Name).Append('|');
        AppendOptional(key, p.Size).Append('|').Append((int)p.Qualifiers).Append(p.DeclarationOnly ? "|d" : "|").Append(p.Variadic ? "|v" : "|");
        if (p.Target >= 0)
        {
            children.Add(p.Target);
        }

        AppendLayout(key, p.Members, p.Bases, p.Virtuals, p.Enumerators, p.Dimensions, p.Parameters, children);
        return [.. children];
    }

    /// <summary>Appends a value when there is one, as <c>Append(object)</c> would, without boxing it.</summary>
    private static StringBuilder AppendOptional(StringBuilder key, ulong? value) => value is { } v ? key.Append(v) : key;

    internal static void AppendLayout(StringBuilder key, IEnumerable<(string? Name, int Type, ulong BitOffset, ulong? BitSize)>? members, IEnumerable<(int Type, ulong Offset, bool Virtual)>? bases,
        IEnumerable<AbiVirtualFunction>? virtuals, IEnumerable<AbiEnumerator>? enumerators, IEnumerable<ulong?>? dimensions, IEnumerable<int>? parameters, List<int> children)
    {
        if (members is not null)
        {
            key.Append("|m");
            foreach (var m in members)
            {
                AppendOptional(key.Append(m.Name).Append('@').Append(m.BitOffset).Append(':'), m.BitSize).Append(';');
                children.Add(m.Type);
            }
        }

        if (bases is not null)
        {
            key.Append("|b");
            foreach (var b in bases)
            {
                key.Append(b.Offset).Append(b.Virtual ? 'v' : '-').Append(';');
                children.Add(b.Type);
            }
        }

        if (virtuals is not null)
        {
            key.Append("|f");
            foreach (var v in virtuals)
            {
                key.Append(v.Name).Append('/').Append(v.LinkageName).Append('@').Append(v.Slot).Append(';');
            }
        }

        if (enumerators is not null)
        {
            key.Append("|e");
            foreach (var e in enumerators)
            {
                key.Append(e.Name).Append('=').Append(e.Value).Append(';');
            }
        }

        if (dimensions is not null)
        {
            key.Append("|a");
            foreach (var d in dimensions)
            {
                AppendOptional(key, d).Append(';');
            }
        }

        if (parameters is not null)
        {
            key.Append("|p");
            foreach (var x in parameters)
            {
                key.Append(';');
                children.Add(x);
            }
        }
    }
}

/// <summary>The attributes the builder reads, decoded in one pass over a DIE's attributes.</summary>
internal struct DieAttributes
{
    public string? Name;
    public string? LinkageName;
    public DwarfAttributeValue? Type;
    public DwarfAttributeValue? Specification;
    public DwarfAttributeValue? AbstractOrigin;
    public DwarfAttributeValue? Signature;
    public DwarfAttributeValue? ConstValue;
    public ulong? ByteSize;
    public ulong? LowPc;
    public ulong? Address;
    public ulong? TlsOffset;
    public ulong? MemberLocation;
    public ulong? DataBitOffset;
    public ulong? BitOffset;
    public ulong? BitSize;
    public ulong? UpperBound;
    public ulong? Count;
    public long? VtableSlot;
    public int Encoding;
    public int Virtuality;
    public bool Declaration;
    public bool External;
    public bool HasRanges;
    public ulong? DeclFile;
    public DwarfAttributeValue? LocationList;

    public static DieAttributes Read(DwarfDie die, NameCache? names = null)
    {
        Read(die, names, out var r);
        return r;
    }

    public static void Read(DwarfDie die, NameCache? names, out DieAttributes r)
    {
        r = default;
        var unit = die.Unit;
        int addressSize = unit.AddressSize, offsetSize = unit.OffsetSize, version = unit.Version;
        // One cursor over the values; the attributes the builder never looks at (decl_line, sibling,
        // high_pc…) are stepped over by their size without being decoded.
        var c = unit.Section.Cursor(die.AttributesOffset);
        foreach (var spec in die.Shape.Specs)
        {
            if (!IsRead(spec.Attribute) && DwarfForms.FixedSize(spec.Form, addressSize, offsetSize, version) is >= 0 and var size)
            {
                c.Skip((ulong)size);
                continue;
            }

            var form = DwarfForms.Read(ref c, spec.Form, spec.ImplicitConstant, unit, out ulong raw, out int dataOffset, out int dataLength);
            var a = new DwarfAttributeValue(unit, spec.Attribute, form, raw, dataOffset, dataLength);
            switch (a.Attribute)
            {
                case DwarfAttribute.Name when a.IsString:
                    r.Name = names is null ? a.AsString() : names.Get(a);
                    break;
                case DwarfAttribute.LinkageName or DwarfAttribute.MipsLinkageName when a.IsString:
                    r.LinkageName = names is { CachesLinkageNames: true } ? names.Get(a) : a.AsString();
                    break;
                case DwarfAttribute.Type when a.IsReference:
                    r.Type = a;
                    break;
                case DwarfAttribute.Specification when a.IsReference:
                    r.Specification = a;
                    break;
                case DwarfAttribute.AbstractOrigin when a.IsReference:
                    r.AbstractOrigin = a;
                    break;
                case DwarfAttribute.Signature when a.IsReference:
                    r.Signature = a;
                    break;
                case DwarfAttribute.ConstValue when a.IsConstant:
                    r.ConstValue = a;
                    break;
                case DwarfAttribute.ByteSize when a.IsConstant:
                    r.ByteSize = a.RawValue;
                    break;
                case DwarfAttribute.LowPc when a.Form is DwarfForm.Addr or DwarfForm.Addrx or DwarfForm.Addrx1 or DwarfForm.Addrx2 or DwarfForm.Addrx3 or DwarfForm.Addrx4 or DwarfForm.GnuAddrIndex:
                    r.LowPc = a.AsAddress();
                    break;
                case DwarfAttribute.Location when a.Form is DwarfForm.Exprloc or DwarfForm.Block1 or DwarfForm.Block:
                    (r.Address, r.TlsOffset) = LocationOf(a.AsBytes(), die.Unit);
                    break;
                case DwarfAttribute.Location when a.Form is DwarfForm.Loclistx or DwarfForm.SecOffset || (a.Form is DwarfForm.Data4 or DwarfForm.Data8 && die.Unit.Version < 4):
                    r.LocationList = a; // decoded only for the variables that need it (ResolveLocationList)
                    break;
                case DwarfAttribute.DataMemberLocation:
                    r.MemberLocation = a.IsConstant ? a.RawValue : PlusUconst(a.AsBytes());
                    break;
                case DwarfAttribute.DataBitOffset when a.IsConstant:
                    r.DataBitOffset = a.RawValue;
                    break;
                case DwarfAttribute.BitOffset when a.IsConstant:
                    r.BitOffset = a.RawValue;
                    break;
                case DwarfAttribute.BitSize when a.IsConstant:
                    r.BitSize = a.RawValue;
                    break;
                case DwarfAttribute.UpperBound when a.IsConstant:
                    r.UpperBound = a.Form is DwarfForm.Sdata && a.AsSigned() < 0 ? ulong.MaxValue : a.RawValue;
                    break;
                case DwarfAttribute.Count when a.IsConstant:
                    r.Count = a.RawValue;
                    break;
                case DwarfAttribute.VtableElemLocation:
                    r.VtableSlot = a.IsConstant ? (long)a.RawValue : (long?)Constu(a.AsBytes());
                    break;
                case DwarfAttribute.Encoding:
                    r.Encoding = (int)a.RawValue;
                    break;
                case DwarfAttribute.Virtuality:
                    r.Virtuality = (int)a.RawValue;
                    break;
                case DwarfAttribute.Declaration:
                    r.Declaration = a.AsFlag();
                    break;
                case DwarfAttribute.External:
                    r.External = a.AsFlag();
                    break;
                case DwarfAttribute.Ranges:
                    r.HasRanges = true;
                    break;
                case DwarfAttribute.DeclFile when a.IsConstant:
                    r.DeclFile = a.RawValue;
                    break;
            }
        }
    }

    private static bool IsRead(DwarfAttribute attribute) => attribute is DwarfAttribute.Name or DwarfAttribute.LinkageName or DwarfAttribute.MipsLinkageName
        or DwarfAttribute.Type or DwarfAttribute.Specification or DwarfAttribute.AbstractOrigin or DwarfAttribute.Signature or DwarfAttribute.ConstValue
        or DwarfAttribute.ByteSize or DwarfAttribute.LowPc or DwarfAttribute.Location or DwarfAttribute.DataMemberLocation or DwarfAttribute.DataBitOffset
        or DwarfAttribute.BitOffset or DwarfAttribute.BitSize or DwarfAttribute.UpperBound or DwarfAttribute.Count or DwarfAttribute.VtableElemLocation
        or DwarfAttribute.Encoding or DwarfAttribute.Virtuality or DwarfAttribute.Declaration or DwarfAttribute.External or DwarfAttribute.Ranges
        or DwarfAttribute.DeclFile;

    /// <summary>
    /// A variable whose DW_AT_location is a location list (DW_FORM_loclistx, or a section offset into
    /// <c>.debug_loclists</c>/<c>.debug_loc</c>): the first of its expressions that is a static location (an address, or a
    /// TLS offset) is its location.
    /// </summary>
    public void ResolveLocationList()
    {
        if (LocationList is not { } list || Address is not null || TlsOffset is not null)
        {
            return;
        }

        foreach (var expression in DwarfLocationLists.Expressions(list))
        {
            var (address, tls) = LocationOf(expression.Span, list.Unit);
            if (address is not null || tls is not null)
            {
                (Address, TlsOffset) = (address, tls);
                return;
            }
        }
    }

    /// <summary>
    /// A variable's static location: an address from an expression that is just DW_OP_addr (0x03), DW_OP_addrx (0xa1)
    /// or DW_OP_GNU_addr_index (0xfb) — the last two, split DWARF's, through <c>.debug_addr</c>; or a thread-local
    /// variable's offset in its module's TLS block: DW_OP_const4u/const8u/constu/constx/GNU_const_index, then
    /// DW_OP_form_tls_address (0x9b) or DW_OP_GNU_push_tls_address (0xe0).
    /// </summary>
    private static (ulong? Address, ulong? TlsOffset) LocationOf(ReadOnlySpan<byte> expression, DwarfUnit unit)
    {
        if (expression.IsEmpty)
        {
            return (null, null);
        }

        int addressSize = unit.AddressSize;
        bool bigEndian = unit.File.Image.Header.DataEncoding == ElfDataEncoding.BigEndian;
        byte op = expression[0];
        var rest = expression[1..];
        if (op == 0x03)
        {
            return rest.Length == addressSize ? (Fixed(rest, bigEndian), null) : (null, null);
        }

        if (op is 0xa1 or 0xfb)
        {
            return Leb(rest, out int used) is { } index && used == rest.Length ? (unit.ReadAddressIndex(index), null) : (null, null);
        }

        ulong? value = null;
        int length = 0;
        switch (op)
        {
            case 0x0c when rest.Length >= 4: // DW_OP_const4u
                value = Fixed(rest[..4], bigEndian);
                length = 4;
                break;
            case 0x0e when rest.Length >= 8: // DW_OP_const8u
                value = Fixed(rest[..8], bigEndian);
                length = 8;
                break;
            case 0x10: // DW_OP_constu
                value = Leb(rest, out length);
                break;
            case 0xa2 or 0xfc: // DW_OP_constx, DW_OP_GNU_const_index
                value = Leb(rest, out length) is { } index ? unit.ReadAddressIndex(index) : null;
                break;
        }

        return value is not null && rest.Length == length + 1 && rest[length] is 0x9b or 0xe0 ? (null, value) : (null, null);
    }

    private static ulong Fixed(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        ulong v = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            int b = bigEndian ? i : bytes.Length - 1 - i;
            v = (v << 8) | bytes[b];
        }

        return v;
    }

    /// <summary>An unsigned LEB128 at the start of <paramref name="bytes"/>, and how many bytes it took; null when unterminated.</summary>
    private static ulong? Leb(ReadOnlySpan<byte> bytes, out int used)
    {
        for (int i = 0; i < bytes.Length && i < 10; i++)
        {
            if ((bytes[i] & 0x80) == 0)
            {
                used = i + 1;
                return Uleb(bytes[..used]);
            }
        }

        used = 0;
        return null;
    }

    /// <summary>DW_OP_plus_uconst N (0x23), the form gcc writes member offsets in before DWARF 3.</summary>
    private static ulong? PlusUconst(ReadOnlySpan<byte> expression) => expression.Length >= 2 && expression[0] == 0x23 ? Uleb(expression[1..]) : null;

    /// <summary>DW_OP_constu N (0x10), gcc's vtable slot.</summary>
    private static ulong? Constu(ReadOnlySpan<byte> expression) => expression.Length >= 2 && expression[0] == 0x10 ? Uleb(expression[1..]) : null;

    private static ulong Uleb(ReadOnlySpan<byte> bytes)
    {
        ulong v = 0;
        int shift = 0;
        foreach (var b in bytes)
        {
            if (shift < 64)
            {
                v |= (ulong)(b & 0x7f) << shift;
            }

            shift += 7;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        return v;
    }
}

/// <summary>
/// Names read through <c>.debug_str</c> of one file, decoded once per string offset: the same type and function names
/// recur in every unit that includes a header (libc: 2 063 units), and the strings are merged in the section.
/// </summary>
internal sealed class NameCache(DwarfFile file)
{
    private readonly Dictionary<ulong, string> _byOffset = [];

    /// <summary>
    /// Whether linkage names go through the cache too: in a C++ unit, where a member's mangled name is read again in
    /// every unit that declares its class; not in a C unit, whose linkage names are its own functions', read once.
    /// </summary>
    public bool CachesLinkageNames { get; set; }

    public string Get(DwarfAttributeValue value)
    {
        if (value.Form != DwarfForm.Strp || !ReferenceEquals(value.Unit.File, file))
        {
            return value.AsString();
        }

        ref var name = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byOffset, value.RawValue, out _);
        return name ??= value.AsString();
    }

    public void Clear()
    {
        _byOffset.Clear();
        _byOffset.TrimExcess();
    }
}
