namespace Abi.Sdk.Abi;

/// <summary>A baseline read with the types it records (<see cref="AbiBaseline.OpenWithTypes"/>).</summary>
/// <param name="Surface">The exported symbols, versions, SONAME and NEEDED entries.</param>
/// <param name="Types">
/// The type graph behind the exported functions and variables; when the baseline records none (format version 1, a
/// library without debug information, written without types), a graph whose <see cref="AbiTypeGraph.UnavailableReason"/> says why.
/// </param>
public sealed record AbiBaselineContents(AbiSurface Surface, AbiTypeGraph Types);
