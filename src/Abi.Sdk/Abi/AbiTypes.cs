using System.Collections.Immutable;

namespace Abi.Sdk.Abi;

/// <summary>What a type is, in the terms libabigail uses.</summary>
public enum AbiTypeKind
{
    /// <summary><c>void</c> (a missing DW_AT_type).</summary>
    Void,
    /// <summary>A base type: <c>int</c>, <c>char</c>, <c>double</c>…</summary>
    Base,
    /// <summary>A pointer.</summary>
    Pointer,
    /// <summary>An lvalue reference (<c>T &amp;</c>).</summary>
    LValueReference,
    /// <summary>An rvalue reference (<c>T &amp;&amp;</c>).</summary>
    RValueReference,
    /// <summary>A pointer to member (<c>int C::*</c>).</summary>
    PointerToMember,
    /// <summary>A const, volatile, restrict or atomic qualified type.</summary>
    Qualified,
    /// <summary>A typedef.</summary>
    Typedef,
    /// <summary>A struct.</summary>
    Struct,
    /// <summary>A class.</summary>
    Class,
    /// <summary>A union.</summary>
    Union,
    /// <summary>An enum.</summary>
    Enum,
    /// <summary>An array.</summary>
    Array,
    /// <summary>A function type (the type of a function, or what a function pointer points to).</summary>
    Function,
    /// <summary>A type the model does not describe further (DW_TAG_unspecified_type, and tags of other languages), known by its name.</summary>
    Other,
}

/// <summary>The qualifiers of an <see cref="AbiTypeKind.Qualified"/> type.</summary>
[Flags]
public enum AbiQualifiers
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary><c>const</c>.</summary>
    Const = 1,
    /// <summary><c>volatile</c>.</summary>
    Volatile = 2,
    /// <summary><c>restrict</c>.</summary>
    Restrict = 4,
    /// <summary><c>_Atomic</c>.</summary>
    Atomic = 8,
}

/// <summary>
/// A type of the graph (<see cref="AbiTypeGraph"/>) behind a library's exported functions and variables, built from
/// DWARF. One class for every kind; the properties a kind does not have are empty or <see langword="null"/>. Types
/// refer to one another through the graph, so cycles (<c>struct s { struct s *next; }</c>) need no special care.
/// Immutable; structurally equal types are one object (canonicalised across compilation units).
/// </summary>
public sealed class AbiType
{
    private readonly int _target;
    private readonly int[] _parameters;

    internal AbiType(AbiTypeGraph graph, int index, AbiTypeKind kind, string? name, ulong? size, int target, AbiQualifiers qualifiers, bool isDeclarationOnly,
        ImmutableArray<AbiMember> members, ImmutableArray<AbiBaseClass> baseClasses, ImmutableArray<AbiVirtualFunction> virtualFunctions,
        ImmutableArray<AbiEnumerator> enumerators, ImmutableArray<ulong?> dimensions, int[] parameters, bool isVariadic, string? declarationFile = null)
    {
        Graph = graph;
        Index = index;
        Kind = kind;
        Name = name;
        Size = size;
        _target = target;
        Qualifiers = qualifiers;
        IsDeclarationOnly = isDeclarationOnly;
        Members = members;
        BaseClasses = baseClasses;
        VirtualFunctions = virtualFunctions;
        Enumerators = enumerators;
        Dimensions = dimensions;
        _parameters = parameters;
        IsVariadic = isVariadic;
        DeclarationFile = declarationFile;
    }

    /// <summary>The graph the type belongs to.</summary>
    public AbiTypeGraph Graph { get; }

    /// <summary>The type's position in <see cref="AbiTypeGraph.Types"/>.</summary>
    public int Index { get; }

    /// <summary>The kind.</summary>
    public AbiTypeKind Kind { get; }

    /// <summary>
    /// The declared name, qualified with its C++ namespaces and classes (<c>std::string</c>, <c>timespec</c>,
    /// <c>size_t</c>, <c>int</c>); <see langword="null"/> for anonymous and derived types (pointers, arrays…).
    /// </summary>
    public string? Name { get; }

    /// <summary>The size in bytes, when known (not for void, functions and declaration-only types).</summary>
    public ulong? Size { get; }

    /// <summary>
    /// What a pointer, reference, pointer to member or qualified type points to or qualifies, what a typedef names,
    /// an array's element type, a function's return type, an enum's underlying type (when DWARF records it).
    /// </summary>
    public AbiType? Target => _target < 0 ? null : Graph.Types[_target];

    /// <summary>The qualifiers of a qualified type.</summary>
    public AbiQualifiers Qualifiers { get; }

    /// <summary>True for a struct, class, union or enum only declared (<c>struct s;</c>) with no definition anywhere in the debug information.</summary>
    public bool IsDeclarationOnly { get; }

    /// <summary>The data members of a struct, class or union, in declaration order (static members are not part of the layout and left out).</summary>
    public ImmutableArray<AbiMember> Members { get; }

    /// <summary>The base classes of a C++ class or struct.</summary>
    public ImmutableArray<AbiBaseClass> BaseClasses { get; }

    /// <summary>The virtual functions a C++ class declares, with their vtable slots.</summary>
    public ImmutableArray<AbiVirtualFunction> VirtualFunctions { get; }

    /// <summary>The enumerators of an enum, in declaration order.</summary>
    public ImmutableArray<AbiEnumerator> Enumerators { get; }

    /// <summary>An array's dimensions, outermost first; <see langword="null"/> for an unknown bound (<c>int a[]</c>).</summary>
    public ImmutableArray<ulong?> Dimensions { get; }

    /// <summary>A function type's parameter types, in order (C++ member functions include the artificial <c>this</c>).</summary>
    public ImmutableArray<AbiType> Parameters => [.. _parameters.Select(p => Graph.Types[p])];

    /// <summary>True for a function type that takes variable arguments (<c>...</c>).</summary>
    public bool IsVariadic { get; }

    /// <summary>
    /// The file the type is declared in, as libabigail records it (DW_AT_decl_file through the unit's line-table file
    /// names, the directory joined as libdw joins it: <c>/usr/include/stdio.h</c>, <c>./a.h</c>); <see langword="null"/>
    /// when not recorded (base, pointer, array and function types, which have no declaration). For a type declared
    /// identically in several files, the file of the first declaration read.
    /// </summary>
    public string? DeclarationFile { get; }

    /// <summary>The type spelled as C or C++ declares it: <c>struct S *</c>, <c>const char *</c>, <c>int (*)(void *)</c>, <c>long[4]</c>.</summary>
    public string Spelling => Graph.Spell(Index);

    internal int TargetIndex => _target;

    internal int[] ParameterIndexes => _parameters;

    /// <inheritdoc/>
    public override string ToString() => Spelling;
}

/// <summary>A data member of a struct, class or union.</summary>
public sealed class AbiMember
{
    internal AbiMember(AbiTypeGraph graph, string? name, int type, ulong bitOffset, ulong? bitSize)
    {
        Graph = graph;
        Name = name;
        TypeIndex = type;
        BitOffset = bitOffset;
        BitSize = bitSize;
    }

    /// <summary>The member's name, or <see langword="null"/> for an anonymous struct or union member.</summary>
    public string? Name { get; }

    /// <summary>The member's type.</summary>
    public AbiType Type => Graph.Types[TypeIndex];

    /// <summary>The offset of the member from the start of its struct, in bits.</summary>
    public ulong BitOffset { get; }

    /// <summary>The offset in bytes (rounded down for a bit-field).</summary>
    public ulong ByteOffset => BitOffset / 8;

    /// <summary>The width of a bit-field in bits; <see langword="null"/> for an ordinary member.</summary>
    public ulong? BitSize { get; }

    internal AbiTypeGraph Graph { get; }

    internal int TypeIndex { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Type.Spelling} {Name ?? "(anonymous)"} @ {ByteOffset}";
}

/// <summary>A base class of a C++ class.</summary>
public sealed class AbiBaseClass
{
    internal AbiBaseClass(AbiTypeGraph graph, int type, ulong offset, bool isVirtual)
    {
        Graph = graph;
        TypeIndex = type;
        Offset = offset;
        IsVirtual = isVirtual;
    }

    /// <summary>The base class.</summary>
    public AbiType Type => Graph.Types[TypeIndex];

    /// <summary>Its offset in bytes inside the derived class (0 for a virtual base, whose place is found at run time).</summary>
    public ulong Offset { get; }

    /// <summary>True for a virtual base.</summary>
    public bool IsVirtual { get; }

    internal AbiTypeGraph Graph { get; }

    internal int TypeIndex { get; }
}

/// <summary>A virtual function a C++ class declares.</summary>
/// <param name="Name">Its name.</param>
/// <param name="LinkageName">Its mangled name, when recorded.</param>
/// <param name="Slot">Its vtable slot (DW_AT_vtable_elem_location), or -1 when not recorded.</param>
public sealed record AbiVirtualFunction(string Name, string? LinkageName, long Slot);

/// <summary>An enumerator.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Value">Its value (an unsigned value above <see cref="long.MaxValue"/> wraps).</param>
public sealed record AbiEnumerator(string Name, long Value);

/// <summary>An exported function or variable with its type, as the debug information declares it.</summary>
/// <param name="SymbolName">The <c>.dynsym</c> name it was matched by.</param>
/// <param name="Name">The declared name, qualified with its C++ namespaces and classes.</param>
/// <param name="LinkageName">The mangled name, when recorded.</param>
/// <param name="IsFunction">True for a function, false for a variable.</param>
/// <param name="Type">A function's <see cref="AbiTypeKind.Function"/> type, or a variable's type.</param>
public sealed record AbiDeclaration(string SymbolName, string Name, string? LinkageName, bool IsFunction, AbiType Type)
{
    /// <summary>As abidiff names it: <c>function int f(struct S *)</c>, <c>variable long counter</c>.</summary>
    public string Spelling => IsFunction
        ? $"function {Type.Graph.SpellFunction(Type.Index, Name)}"
        : $"variable {Type.Graph.SpellDeclarator(Type.Index, Name)}";

    /// <inheritdoc/>
    public override string ToString() => Spelling;
}
