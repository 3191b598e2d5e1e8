using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Distribution;

namespace Abi.Sdk.Reporting;

/// <summary>
/// One verb per report format for every result type: <c>WriteText(TextWriter)</c>, <c>WriteJson(Stream)</c>,
/// <c>WriteSarif(Stream)</c> and, for package and distribution diffs, <c>WriteHtml(Stream or TextWriter)</c>. The result types are plain data; the reports live here, so <c>using Abi.Sdk.Reporting;</c>
/// is what brings them in. Each method writes exactly what the <c>abi</c> tool prints for that result.
/// </summary>
public static class ReportExtensions
{
    /// <summary>Writes the text report of an ABI diff (laid out like abidiff's), as <c>abi diff</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteText(this AbiDiff diff, TextWriter writer) => AbiTextReport.Write(diff, writer);

    /// <summary>Writes the JSON report of an ABI diff, as <c>abi diff --json</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void WriteJson(this AbiDiff diff, Stream stream) => AbiJsonReport.Write(diff, stream);

    /// <summary>Writes a SARIF 2.1.0 log of an ABI diff, as <c>abi diff --sarif</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void WriteSarif(this AbiDiff diff, Stream stream) => AbiSarifReport.Write(diff, stream);

    /// <summary>Writes the text report of a compatibility verdict, as <c>abi compat</c> prints it.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteText(this CompatibilityVerdict verdict, TextWriter writer) => CompatibilityTextReport.Write(verdict, writer);

    /// <summary>Writes a compatibility verdict as one JSON line, as <c>abi compat --json</c> prints it.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void WriteJson(this CompatibilityVerdict verdict, Stream stream) => CompatibilityJsonReport.Write(verdict, stream);

    /// <summary>Writes the text reports of several verdicts, as <c>abi compat</c> prints them.</summary>
    /// <param name="verdicts">The verdicts.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteText(this IEnumerable<CompatibilityVerdict> verdicts, TextWriter writer) => CompatibilityTextReport.Write(verdicts, writer);

    /// <summary>Writes several verdicts as JSON Lines, as <c>abi compat --json</c> prints them.</summary>
    /// <param name="verdicts">The verdicts.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void WriteJson(this IEnumerable<CompatibilityVerdict> verdicts, Stream stream) => CompatibilityJsonReport.Write(verdicts, stream);

    /// <summary>Writes the installability problems of a package set, as libsolv's installcheck and <c>abi installcheck</c> print them.</summary>
    /// <param name="problems">The problems.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteText(this IEnumerable<InstallProblem> problems, TextWriter writer) => InstallCheckTextReport.Write(problems, writer);

    /// <summary>Writes the text report of a package diff (laid out like abipkgdiff's), as <c>abi pkgdiff</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteText(this PackageDiff diff, TextWriter writer) => DistributionTextReport.Write(diff, writer);

    /// <summary>Writes the JSON report of a package diff, as <c>abi pkgdiff --json</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void WriteJson(this PackageDiff diff, Stream stream) => DistributionJsonReport.Write(diff, stream);

    /// <summary>Writes a SARIF 2.1.0 log of a package diff, as <c>abi pkgdiff --sarif</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void WriteSarif(this PackageDiff diff, Stream stream) => DistributionSarifReport.Write(diff, stream);

    /// <summary>Writes the self-contained HTML page of a package diff, as <c>abi pkgdiff --html FILE</c> writes it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8); left open.</param>
    public static void WriteHtml(this PackageDiff diff, Stream stream) => DistributionHtmlReport.Write(diff, stream);

    /// <summary>Writes the self-contained HTML page of a package diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteHtml(this PackageDiff diff, TextWriter writer) => DistributionHtmlReport.Write(diff, writer);

    /// <summary>Writes the text report of a distribution diff (verdict and counts, then the worst problems first), as <c>abi distdiff</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteText(this DistributionDiff diff, TextWriter writer) => DistributionTextReport.Write(diff, writer);

    /// <summary>Writes the JSON report of a distribution diff, as <c>abi distdiff --json</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void WriteJson(this DistributionDiff diff, Stream stream) => DistributionJsonReport.Write(diff, stream);

    /// <summary>Writes a SARIF 2.1.0 log of a distribution diff, as <c>abi distdiff --sarif</c> prints it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8).</param>
    public static void WriteSarif(this DistributionDiff diff, Stream stream) => DistributionSarifReport.Write(diff, stream);

    /// <summary>Writes the self-contained HTML page of a distribution diff, as <c>abi distdiff --html FILE</c> writes it.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="stream">The destination (UTF-8); left open.</param>
    public static void WriteHtml(this DistributionDiff diff, Stream stream) => DistributionHtmlReport.Write(diff, stream);

    /// <summary>Writes the self-contained HTML page of a distribution diff.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteHtml(this DistributionDiff diff, TextWriter writer) => DistributionHtmlReport.Write(diff, writer);
}
