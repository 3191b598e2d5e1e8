namespace Abi.Sdk;

/// <summary>Progress of an operation over many inputs (packages, files), reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Completed">How many inputs are done.</param>
/// <param name="Total">How many inputs there are, or <see langword="null"/> when not known in advance.</param>
/// <param name="Current">The input just finished (a path or a package name), if any.</param>
public readonly record struct OperationProgress(int Completed, int? Total, string? Current);
