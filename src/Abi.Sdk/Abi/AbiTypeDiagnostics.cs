using System.Collections.Immutable;

namespace Abi.Sdk.Abi;

/// <summary>
/// The diagnostics of the type-level comparison (ABI2xxx), reported when both libraries have debug information. Each
/// names the exported function or variable affected (the subject) and the path from it to the change:
/// <c>f → parameter 1 (struct S *) → struct S → member b: offset 4 → 8</c>. Message arguments: {0} the declaration
/// as abidiff spells it (<c>function int f(struct S *)</c>), {1} the path. IDs are stable; each has a help page under
/// <c>docs/diagnostics/</c>.
/// </summary>
public static class AbiTypeDiagnosticIds
{
    private const string HelpBase = "https://github.com/abi-sdk/abi-sdk/blob/main/docs/diagnostics/";

    private static AbiDiagnosticDescriptor D(string id, string title, AbiChangeCategory category, AbiSeverity severity, string description)
        => new(id, title, "{0}: {1}", category, severity, HelpBase + id + ".md", description);

    /// <summary>ABI2001: the size of a type behind an exported symbol changed.</summary>
    public static readonly AbiDiagnosticDescriptor TypeSizeChanged = D("ABI2001", "Type size changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "A struct, union, enum, array or base type reached from an exported function or variable has another size: programs built against the old library allocate, copy and index it with the old size.");

    /// <summary>ABI2002: a data member (or base class) moved.</summary>
    public static readonly AbiDiagnosticDescriptor MemberOffsetChanged = D("ABI2002", "Member offset changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Programs built against the old library read and write the member at its old offset.");

    /// <summary>ABI2003: a data member (or base class) was removed.</summary>
    public static readonly AbiDiagnosticDescriptor MemberRemoved = D("ABI2003", "Member removed", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "Programs built against the old library still read and write the member's bytes, which now belong to something else or to nothing.");

    /// <summary>ABI2004: a data member's type changed (or its bit-field width).</summary>
    public static readonly AbiDiagnosticDescriptor MemberTypeChanged = D("ABI2004", "Member type changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "The member is at the same place but holds another type: programs built against the old library interpret its bytes the old way.");

    /// <summary>ABI2005: a data member was added after every old member.</summary>
    public static readonly AbiDiagnosticDescriptor MemberAddedAtEnd = D("ABI2005", "Member added at the end", AbiChangeCategory.Added, AbiSeverity.NeedsReview,
        "Old members keep their offsets, so code that only reaches the type through a pointer the library hands out keeps working; code that allocates, copies or embeds the type does not (the size change, if any, is ABI2001).");

    /// <summary>ABI2006: a data member was inserted before or between old members.</summary>
    public static readonly AbiDiagnosticDescriptor MemberInsertedInMiddle = D("ABI2006", "Member inserted in the middle", AbiChangeCategory.Added, AbiSeverity.Incompatible,
        "A member placed before an old member's end overlaps or moves the old layout (the moved members are also reported, as ABI2002).");

    /// <summary>ABI2007: an enumerator has another value.</summary>
    public static readonly AbiDiagnosticDescriptor EnumeratorValueChanged = D("ABI2007", "Enumerator value changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Programs built against the old library pass and compare the old value, compiled in.");

    /// <summary>ABI2008: an enumerator was removed.</summary>
    public static readonly AbiDiagnosticDescriptor EnumeratorRemoved = D("ABI2008", "Enumerator removed", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "Programs built against the old library still pass the removed value, which the new library does not expect.");

    /// <summary>ABI2009: an enumerator was added.</summary>
    public static readonly AbiDiagnosticDescriptor EnumeratorAdded = D("ABI2009", "Enumerator added", AbiChangeCategory.Added, AbiSeverity.Compatible,
        "Old programs never pass the new value, but may receive it: code that switches over every old value should be checked. abidiff filters this change out by default.");

    /// <summary>ABI2010: a parameter has another type.</summary>
    public static readonly AbiDiagnosticDescriptor ParameterTypeChanged = D("ABI2010", "Parameter type changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Callers built against the old library pass the argument as the old type: in other registers, with another width or layout.");

    /// <summary>ABI2011: a function takes another number of parameters (or became or stopped being variadic).</summary>
    public static readonly AbiDiagnosticDescriptor ParameterCountChanged = D("ABI2011", "Parameter count changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Callers built against the old library pass the old number of arguments: the function reads garbage for a new parameter, or ignores an old one.");

    /// <summary>ABI2012: a function returns another type.</summary>
    public static readonly AbiDiagnosticDescriptor ReturnTypeChanged = D("ABI2012", "Return type changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Callers built against the old library read the result as the old type (another register, width, or a hidden return pointer).");

    /// <summary>ABI2013: an exported variable has another type.</summary>
    public static readonly AbiDiagnosticDescriptor VariableTypeChanged = D("ABI2013", "Variable type changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Programs built against the old library read and write the variable as the old type; executables that copy-relocated it keep the old size.");

    /// <summary>ABI2014: a typedef names another type.</summary>
    public static readonly AbiDiagnosticDescriptor TypedefRetargeted = D("ABI2014", "Typedef retargeted", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Code built against the old library uses the old underlying type wherever the typedef appears (the size change, if any, is also reported as ABI2001).");

    /// <summary>ABI2015: a C++ class's virtual functions or their vtable slots changed.</summary>
    public static readonly AbiDiagnosticDescriptor VirtualTableChanged = D("ABI2015", "Virtual table changed", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "Programs built against the old library call virtual functions through the old slots, and derived classes they define override the old layout.");

    /// <summary>Every type-level descriptor, in ID order.</summary>
    public static ImmutableArray<AbiDiagnosticDescriptor> All { get; } =
    [
        TypeSizeChanged, MemberOffsetChanged, MemberRemoved, MemberTypeChanged, MemberAddedAtEnd, MemberInsertedInMiddle,
        EnumeratorValueChanged, EnumeratorRemoved, EnumeratorAdded, ParameterTypeChanged, ParameterCountChanged,
        ReturnTypeChanged, VariableTypeChanged, TypedefRetargeted, VirtualTableChanged,
    ];
}
