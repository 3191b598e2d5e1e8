using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;

namespace Abi.Sdk.Distribution;

/// <summary>
/// One finding of a distribution or package diff: a distribution diagnostic (<c>ABI3xxx</c>, see
/// <see cref="DistributionDiagnosticIds"/>) or a library's ABI diagnostic (<c>ABI1xxx</c>, with
/// <see cref="LibraryDiagnostic"/> set), located by package and file.
/// </summary>
/// <param name="Descriptor">What kind of finding it is (its stable ID, title and help page).</param>
/// <param name="Severity">Its severity after configuration (and, for a private library, lowered one step).</param>
/// <param name="Message">The finding in one sentence.</param>
public sealed record DistributionDiagnostic(AbiDiagnosticDescriptor Descriptor, AbiSeverity Severity, string Message)
{
    /// <summary>The stable ID (<c>ABI3001</c>, <c>ABI1002</c>, …).</summary>
    public string Id => Descriptor.Id;

    /// <summary>The package the finding is about (its NEVRA; the reference package where both sides have one), if any.</summary>
    public string? Package { get; init; }

    /// <summary>The file inside the package the finding is about (an installed path such as <c>/usr/lib64/libfoo.so.1</c>), if any.</summary>
    public string? Path { get; init; }

    /// <summary>For a loader problem: the object with the unmet need, then the objects that loaded it, up to the checked binary.</summary>
    public NeededChain? NeededBy { get; init; }

    /// <summary>For a library pair's ABI change: the diagnostic of the library diff (<see cref="AbiDiff"/>).</summary>
    public AbiDiagnostic? LibraryDiagnostic { get; init; }

    /// <summary>The verdict this finding decides.</summary>
    public Verdict Verdict => Verdicts.Of(Severity);

    /// <inheritdoc/>
    public override string ToString() => $"{Id} {Verdicts.Name(Verdict)}: {Message}";
}
