using Abi.Sdk.Abi;

namespace Abi.Sdk.Distribution;

/// <summary>What a distribution diff says of a package, a binary or the whole rebuild.</summary>
public enum Verdict
{
    /// <summary>Nothing that was built for the reference notices the change.</summary>
    Compatible = 0,

    /// <summary>A change that can break some programs or builds; a person should look.</summary>
    Review = 1,

    /// <summary>Something built for the reference fails to load, or is missing, on the rebuild.</summary>
    Incompatible = 2,
}

/// <summary>Conversions between <see cref="Verdict"/> and the severities of diagnostics.</summary>
public static class Verdicts
{
    /// <summary>The verdict a diagnostic of this severity decides.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns><see cref="Verdict.Incompatible"/> for incompatible, <see cref="Verdict.Review"/> for needs-review, else compatible.</returns>
    public static Verdict Of(AbiSeverity severity) => severity switch
    {
        AbiSeverity.Incompatible => Verdict.Incompatible,
        AbiSeverity.NeedsReview => Verdict.Review,
        _ => Verdict.Compatible,
    };

    /// <summary>The worst verdict of several diagnostics: compatible when there are none.</summary>
    /// <param name="diagnostics">The diagnostics.</param>
    /// <returns>The verdict.</returns>
    public static Verdict Of(IEnumerable<DistributionDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var worst = Verdict.Compatible;
        foreach (var d in diagnostics)
        {
            var v = Of(d.Severity);
            if (v > worst)
            {
                worst = v;
            }
        }

        return worst;
    }

    /// <summary>The word reports use: <c>compatible</c>, <c>review</c> or <c>incompatible</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The word.</returns>
    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Incompatible => "incompatible",
        Verdict.Review => "review",
        _ => "compatible",
    };
}
