using System.Globalization;
using System.Xml;

namespace Abi.Sdk.Abi;

/// <summary>
/// Reads the types of libabigail's ABIXML (the <c>abi-instr</c> elements abidw writes) into the model the DWARF
/// builder produces, so that an ABIXML baseline compares with a library's debug information: type ids are resolved
/// across translation units (a type may be used before, or in another unit than, where it is defined), names are
/// qualified with their namespaces and classes, anonymous types (<c>__anonymous_struct__</c>, and types named by a
/// typedef, which libabigail calls by the typedef's name) are anonymous, declaration-only types are resolved to a
/// definition of the same name, and what abidw leaves out that DWARF has is restored or marked unknown (see
/// <see cref="Finish"/>). Elements it does not know are skipped with their contents.
/// </summary>
internal sealed class AbiXmlTypeReader
{
    /// <summary>The deepest element nesting accepted: abidw's output nests a handful of scopes; this bounds the reader's recursion.</summary>
    public const int MaxDepth = 256;

    private readonly string? _fileName;
    private readonly AbiTypeGraphAssembler _types = new();
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly HashSet<int> _defined = [];
    private readonly Dictionary<(int Kind, string Name), int> _definitions = [];
    private readonly List<(int Index, int Kind, string Name)> _declarationOnly = [];
    private readonly Dictionary<string, string> _filePaths = new(StringComparer.Ordinal);
    private readonly List<(string Symbol, string Name, string? Linkage, bool Function, int Type)> _hidden = [];
    private readonly HashSet<(string, bool)> _declared = [];
    private int _addressSize = 8;
    private bool _c;
    private int _void = -1;

    public AbiXmlTypeReader(string? fileName)
    {
        _fileName = fileName;
    }

    /// <summary>The aliases of each symbol, by abidw's symbol id (<c>name</c>, <c>name@VER</c> or <c>name@@VER</c>): a declaration names the main symbol only.</summary>
    public Dictionary<string, List<string>> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads one <c>abi-instr</c> element, positioned on its start tag; leaves the reader after its end tag.</summary>
    public void ReadInstr(XmlReader r)
    {
        if (r.GetAttribute("address-size") is { } bits && int.TryParse(bits, NumberStyles.None, CultureInfo.InvariantCulture, out int b) && b is 32 or 64)
        {
            _addressSize = b / 8;
        }

        _c = r.GetAttribute("language") is { } language && language.StartsWith("LANG_C", StringComparison.Ordinal) && !language.StartsWith("LANG_C_plus_plus", StringComparison.Ordinal);

        Children(r, x => Element(x, string.Empty));
    }

    /// <summary>The graph: sizes derived, declaration-only types resolved, ids never defined made opaque, canonicalised.</summary>
    public AbiTypeGraph Finish()
    {
        foreach (var (index, kind, name) in _declarationOnly)
        {
            if (_definitions.TryGetValue((kind, name), out int definition))
            {
                Copy(_types[definition], _types[index]);
            }
        }

        for (int i = 0; i < _types.Count; i++)
        {
            var p = _types[i];
            if (!_defined.Contains(i) && p.Kind == AbiTypeKind.Other && p.Name is null)
            {
                p.Name = "(type id not defined in the ABIXML)";
            }
        }

        AddVtablePointers();
        foreach (var (symbol, name, linkage, function, type) in _hidden)
        {
            if (_declared.Add((symbol, function)))
            {
                _types.Declare(symbol, name, linkage, function, type);
            }
        }

        _types.ComputeSizes();
        for (int i = 0; i < _types.Count; i++)
        {
            // An enum's size is its underlying type's: abidw writes it there only.
            var p = _types[i];
            if (p.Kind == AbiTypeKind.Enum && p.Size is null && p.Target >= 0 && _types[p.Target].Size is { } s)
            {
                p.Size = s;
            }
        }

        return _types.Finish(_fileName is null ? null : Path.GetFileName(_fileName));
    }

    /// <summary>
    /// libabigail spells integral types in its own order (<c>unsigned long int</c>) and C's <c>_Bool</c> as
    /// <c>bool</c>; the DWARF they are compared with spells them as gcc does (<c>long unsigned int</c>).
    /// </summary>
    internal static string GccName(string name, bool c) => name switch
    {
        "unsigned long int" => "long unsigned int",
        "unsigned short int" => "short unsigned int",
        "unsigned long long int" => "long long unsigned int",
        "unsigned __int128" => "__int128 unsigned",
        "bool" when c => "_Bool",
        _ => name,
    };

    private static void Copy(AbiTypeGraphAssembler.Proto from, AbiTypeGraphAssembler.Proto to)
    {
        to.Kind = from.Kind;
        to.Name = from.Name;
        to.Size = from.Size;
        to.Target = from.Target;
        to.DeclarationOnly = from.DeclarationOnly;
        to.Members = from.Members;
        to.Bases = from.Bases;
        to.Virtuals = from.Virtuals;
        to.Enumerators = from.Enumerators;
    }

    /// <summary>
    /// gcc declares a dynamic class's vtable pointer as an artificial data member <c>_vptr.NAME</c> at offset 0
    /// (a pointer to <c>__vtbl_ptr_type</c>, itself a pointer to <c>int (...)</c>); abidw leaves it out. It is
    /// restored in a class that declares virtual functions and has no base to hold it, so that the layout compares
    /// equal to the one built from DWARF.
    /// </summary>
    private void AddVtablePointers()
    {
        int vptr = -1;
        int count = _types.Count;
        for (int i = 0; i < count; i++)
        {
            var p = _types[i];
            if (p.Kind is not (AbiTypeKind.Struct or AbiTypeKind.Class) || p.Virtuals is not { Count: > 0 } || p.Bases is { Count: > 0 } || p.Members is null)
            {
                continue;
            }

            if (vptr < 0)
            {
                int fn = Add(new AbiTypeGraphAssembler.Proto { Kind = AbiTypeKind.Function, Target = Id("int-for-vtbl", () => new AbiTypeGraphAssembler.Proto { Kind = AbiTypeKind.Base, Name = "int", Size = 4 }), Parameters = [], Variadic = true });
                int vtbl = Add(new AbiTypeGraphAssembler.Proto { Kind = AbiTypeKind.Pointer, Name = "__vtbl_ptr_type", Size = (ulong)_addressSize, Target = fn });
                vptr = Add(new AbiTypeGraphAssembler.Proto { Kind = AbiTypeKind.Pointer, Size = (ulong)_addressSize, Target = vtbl });
            }

            var local = p.Name is { } n ? n[(n.LastIndexOf("::", StringComparison.Ordinal) + 1)..].TrimStart(':') : string.Empty;
            p.Members.Insert(0, ("_vptr." + local, vptr, 0, null));
        }
    }

    private int Id(string key, Func<AbiTypeGraphAssembler.Proto> create)
    {
        if (!_ids.TryGetValue("\0" + key, out int index))
        {
            index = Add(create());
            _ids["\0" + key] = index;
            _defined.Add(index);
        }

        return index;
    }

    private int Add(AbiTypeGraphAssembler.Proto proto) => _types.Add(proto, () => new AbiBaselineFormatException(_fileName, 0, $"the ABIXML holds more than {AbiTypeGraphBuilder.MaxTypes} types"));

    /// <summary>The index of a type id, reserved at its first mention (definitions may follow uses).</summary>
    private int Ref(string id)
    {
        if (!_ids.TryGetValue(id, out int index))
        {
            index = Add(new AbiTypeGraphAssembler.Proto());
            _ids[id] = index;
        }

        return index;
    }

    private int TypeOf(XmlReader r) => r.GetAttribute("type-id") is { Length: > 0 } id ? Ref(id) : Void();

    private int Void() => _void >= 0 ? _void : _void = Id("void", () => new AbiTypeGraphAssembler.Proto { Kind = AbiTypeKind.Void, Name = "void" });

    /// <summary>The proto an element defines (its <c>id</c>), or a fresh one for an element without an id.</summary>
    private AbiTypeGraphAssembler.Proto Define(XmlReader r, out int index)
    {
        var id = r.GetAttribute("id");
        index = id is { Length: > 0 } ? Ref(id) : Add(new AbiTypeGraphAssembler.Proto());
        if (!_defined.Add(index))
        {
            // abidw writes each type once per corpus; a second definition describes the same type: read it into a
            // scratch proto so that the first stays.
            index = Add(new AbiTypeGraphAssembler.Proto());
            _defined.Add(index);
        }

        // abidw's location: the file as libdw names it, which [suppress_type] source_location_not_* match.
        if (r.GetAttribute("filepath") is { Length: > 0 } path)
        {
            _types[index].File = _filePaths.TryGetValue(path, out var shared) ? shared : _filePaths[path] = path;
        }

        return _types[index];
    }

    private void Children(XmlReader r, Action<XmlReader> onChild)
    {
        if (r.IsEmptyElement)
        {
            r.Read();
            return;
        }

        int depth = r.Depth;
        r.Read();
        while (!(r.NodeType == XmlNodeType.EndElement && r.Depth == depth))
        {
            if (r.EOF)
            {
                Fail(r, "the document ends inside an element");
            }

            if (r.NodeType == XmlNodeType.Element)
            {
                if (r.Depth > MaxDepth)
                {
                    Fail(r, $"elements nest deeper than {MaxDepth} levels");
                }

                onChild(r);
            }
            else
            {
                r.Read();
            }
        }

        r.Read();
    }

    private void Element(XmlReader r, string scope)
    {
        switch (r.LocalName)
        {
            case "namespace-decl":
                var ns = r.GetAttribute("name");
                var inner = scope + (string.IsNullOrEmpty(ns) ? "(anonymous namespace)" : ns) + "::";
                Children(r, x => Element(x, inner));
                break;
            case "type-decl":
            {
                var name = r.GetAttribute("name");
                var p = Define(r, out _);
                var size = Bits(r, "size-in-bits");
                p.Kind = name == "void" && size is null ? AbiTypeKind.Void : AbiTypeKind.Base;
                p.Name = name is null ? null : GccName(name, _c);
                p.Size = size;
                r.Skip();
                break;
            }

            case "pointer-type-def" or "reference-type-def":
            {
                var p = Define(r, out _);
                p.Kind = r.LocalName == "pointer-type-def" ? AbiTypeKind.Pointer : r.GetAttribute("kind") == "rvalue" ? AbiTypeKind.RValueReference : AbiTypeKind.LValueReference;
                p.Size = Bits(r, "size-in-bits") ?? (ulong)_addressSize;
                p.Target = TypeOf(r);
                r.Skip();
                break;
            }

            case "ptr-to-mbr-type":
            {
                var p = Define(r, out _);
                p.Kind = AbiTypeKind.PointerToMember;
                p.Size = Bits(r, "size-in-bits");
                p.Target = r.GetAttribute("member-type-id") is { Length: > 0 } m ? Ref(m) : Void();
                r.Skip();
                break;
            }

            case "qualified-type-def":
                Qualified(r);
                break;
            case "typedef-decl":
            {
                var p = Define(r, out _);
                p.Kind = AbiTypeKind.Typedef;
                p.Name = scope + r.GetAttribute("name");
                p.Target = TypeOf(r);
                r.Skip();
                break;
            }

            case "class-decl" or "union-decl":
                Record(r, scope);
                break;
            case "enum-decl":
                Enum(r, scope);
                break;
            case "array-type-def":
                Array(r);
                break;
            case "function-type" or "method-type":
            {
                var p = Define(r, out _);
                p.Kind = AbiTypeKind.Function;
                Signature(r, p);
                break;
            }

            case "function-decl":
                Function(r, scope, null);
                break;
            case "var-decl":
                Variable(r, scope);
                break;
            default:
                r.Skip();
                break;
        }
    }

    private void Qualified(XmlReader r)
    {
        var p = Define(r, out _);
        int target = TypeOf(r);
        var q = AbiQualifiers.None;
        q |= r.GetAttribute("const") == "yes" ? AbiQualifiers.Const : 0;
        q |= r.GetAttribute("volatile") == "yes" ? AbiQualifiers.Volatile : 0;
        q |= r.GetAttribute("restrict") == "yes" ? AbiQualifiers.Restrict : 0;
        r.Skip();
        p.Kind = AbiTypeKind.Qualified;

        // DWARF qualifies one at a time (const volatile int is a const of a volatile): so does the model.
        foreach (var one in new[] { AbiQualifiers.Restrict, AbiQualifiers.Volatile })
        {
            if (q.HasFlag(one) && q != one)
            {
                target = Add(new AbiTypeGraphAssembler.Proto { Kind = AbiTypeKind.Qualified, Qualifiers = one, Target = target });
                q &= ~one;
            }
        }

        p.Qualifiers = q;
        p.Target = target;
    }

    private void Record(XmlReader r, string scope)
    {
        var p = Define(r, out int index);
        bool union = r.LocalName == "union-decl";
        p.Kind = union ? AbiTypeKind.Union : r.GetAttribute("is-struct") == "yes" ? AbiTypeKind.Struct : AbiTypeKind.Class;
        var local = r.GetAttribute("name");
        bool anonymous = r.GetAttribute("is-anonymous") == "yes" || r.GetAttribute("naming-typedef-id") is not null || string.IsNullOrEmpty(local);
        p.Name = anonymous ? null : scope + local;
        p.DeclarationOnly = r.GetAttribute("is-declaration-only") == "yes";
        p.Size = Bits(r, "size-in-bits") ?? (p.DeclarationOnly ? null : 0); // abidw leaves a size of 0 out
        p.Members = [];
        p.Bases = [];
        p.Virtuals = [];
        int kind = union ? 1 : 0;
        if (p.Name is { } qualified)
        {
            if (p.DeclarationOnly)
            {
                _declarationOnly.Add((index, kind, qualified));
            }
            else
            {
                _definitions.TryAdd((kind, qualified), index);
            }
        }

        var inner = p.Name is null ? scope : p.Name + "::";
        Children(r, x =>
        {
            switch (x.LocalName)
            {
                case "base-class":
                {
                    long offset = SignedBits(x, "layout-offset-in-bits") ?? 0;
                    p.Bases.Add((TypeOf(x), offset < 0 ? 0 : (ulong)offset / 8, x.GetAttribute("is-virtual") == "yes"));
                    x.Skip();
                    break;
                }

                case "data-member":
                {
                    bool isStatic = x.GetAttribute("static") == "yes";
                    ulong offset = Bits(x, "layout-offset-in-bits") ?? 0;
                    Children(x, m =>
                    {
                        if (m.LocalName == "var-decl")
                        {
                            if (isStatic)
                            {
                                Variable(m, inner);
                                return;
                            }

                            var name = m.GetAttribute("name");
                            p.Members.Add((string.IsNullOrEmpty(name) ? null : name, TypeOf(m), offset, null));
                        }

                        m.Skip();
                    });
                    break;
                }

                case "member-function":
                {
                    var slot = SignedBits(x, "vtable-offset");
                    Children(x, f =>
                    {
                        if (f.LocalName == "function-decl")
                        {
                            Function(f, inner, slot is { } s ? (p, s) : null);
                        }
                        else
                        {
                            f.Skip();
                        }
                    });
                    break;
                }

                case "member-type":
                    Children(x, t => Element(t, inner));
                    break;
                default:
                    x.Skip();
                    break;
            }
        });
    }

    private void Enum(XmlReader r, string scope)
    {
        var p = Define(r, out int index);
        p.Kind = AbiTypeKind.Enum;
        var local = r.GetAttribute("name");
        bool anonymous = r.GetAttribute("is-anonymous") == "yes" || r.GetAttribute("naming-typedef-id") is not null || string.IsNullOrEmpty(local);
        p.Name = anonymous ? null : scope + local;
        p.Size = Bits(r, "size-in-bits");
        p.DeclarationOnly = r.GetAttribute("is-declaration-only") == "yes";
        p.Enumerators = [];
        if (p.Name is { } qualified)
        {
            if (p.DeclarationOnly)
            {
                _declarationOnly.Add((index, 2, qualified));
            }
            else
            {
                _definitions.TryAdd((2, qualified), index);
            }
        }

        Children(r, x =>
        {
            if (x.LocalName == "underlying-type")
            {
                p.Target = TypeOf(x);
            }
            else if (x.LocalName == "enumerator")
            {
                var text = x.GetAttribute("value");
                long value = 0;
                if (text is null || (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
                    && !(ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var big) && (value = unchecked((long)big)) == value)))
                {
                    Fail(x, $"enumerator value '{text}' is not a number");
                }

                p.Enumerators.Add(new AbiEnumerator(x.GetAttribute("name") ?? string.Empty, value));
            }

            x.Skip();
        });
    }

    private void Array(XmlReader r)
    {
        var p = Define(r, out _);
        p.Kind = AbiTypeKind.Array;
        p.Target = TypeOf(r);
        p.Size = Bits(r, "size-in-bits");
        p.Dimensions = [];
        Children(r, x =>
        {
            if (x.LocalName == "subrange")
            {
                var length = x.GetAttribute("length");
                // 'infinite' (a[]) and 'unknown' have no length; a[0] is compared as a[] (see AbiXmlTypeView).
                p.Dimensions.Add(length is not null && ulong.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n != 0 ? n : null);
            }

            x.Skip();
        });
    }

    /// <summary>Parameters and return type of a function-type or function-decl into a function proto.</summary>
    private void Signature(XmlReader r, AbiTypeGraphAssembler.Proto p)
    {
        p.Parameters = [];
        p.Target = Void();
        p.Size = null; // DWARF gives function types no size; abidw writes a pointer's
        Children(r, x =>
        {
            if (x.LocalName == "parameter")
            {
                if (x.GetAttribute("is-variadic") == "yes")
                {
                    p.Variadic = true;
                }
                else
                {
                    p.Parameters.Add(TypeOf(x));
                }
            }
            else if (x.LocalName == "return")
            {
                p.Target = TypeOf(x);
            }

            x.Skip();
        });
    }

    private void Function(XmlReader r, string scope, (AbiTypeGraphAssembler.Proto Owner, long Slot)? @virtual)
    {
        var name = r.GetAttribute("name") ?? string.Empty;
        var linkage = r.GetAttribute("mangled-name");
        var symbol = r.GetAttribute("elf-symbol-id");
        @virtual?.Owner.Virtuals!.Add(new AbiVirtualFunction(name, linkage, @virtual.Value.Slot));
        if (symbol is null)
        {
            r.Skip();
            return;
        }

        var p = new AbiTypeGraphAssembler.Proto { Kind = AbiTypeKind.Function };
        int index = Add(p);
        _defined.Add(index);
        Signature(r, p);
        Declare(symbol, scope + name, linkage, true, index);
    }

    private void Variable(XmlReader r, string scope)
    {
        if (r.GetAttribute("elf-symbol-id") is { } symbol)
        {
            Declare(symbol, scope + r.GetAttribute("name"), r.GetAttribute("mangled-name"), false, TypeOf(r));
        }

        r.Skip();
    }

    /// <summary>Declares a symbol and its aliases: default and unversioned ones now, hidden versions after all (a name's default version wins, as in the DWARF builder).</summary>
    private void Declare(string symbolId, string name, string? linkage, bool function, int type)
    {
        int at = symbolId.IndexOf('@', StringComparison.Ordinal);
        bool hidden = at >= 0 && !symbolId.AsSpan(at).StartsWith("@@");
        var names = new List<string> { at < 0 ? symbolId : symbolId[..at] };
        if (Aliases.TryGetValue(symbolId, out var aliases))
        {
            names.AddRange(aliases);
        }

        foreach (var n in names)
        {
            if (hidden)
            {
                _hidden.Add((n, name, linkage, function, type));
            }
            else if (_declared.Add((n, function)))
            {
                _types.Declare(n, name, linkage, function, type);
            }
        }
    }

    private ulong? Bits(XmlReader r, string attribute)
    {
        var text = r.GetAttribute(attribute);
        if (text is null or "infinite" or "unknown")
        {
            return null;
        }

        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
        {
            Fail(r, $"{attribute} '{text}' is not a number");
        }

        return attribute == "size-in-bits" ? bits / 8 : bits;
    }

    private long? SignedBits(XmlReader r, string attribute)
    {
        var text = r.GetAttribute(attribute);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Fail(r, $"{attribute} '{text}' is not a number");
        }

        return value;
    }

    private void Fail(XmlReader r, string reason)
    {
        var line = r is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;
        AbiThrow.Baseline(_fileName, line, $"ABIXML line {line}: {reason}");
    }
}
