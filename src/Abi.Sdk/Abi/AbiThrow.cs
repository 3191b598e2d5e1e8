using System.Diagnostics.CodeAnalysis;

namespace Abi.Sdk.Abi;

/// <summary>
/// The one place the Abi area's readers (baselines and ABIXML; severity settings and suppression files) raise a
/// format error naming file, offset (or line) and reason.
/// </summary>
internal static class AbiThrow
{
    /// <summary>Throws <see cref="AbiBaselineFormatException"/>.</summary>
    [DoesNotReturn]
    public static void Baseline(string? fileName, long offset, string reason) => throw new AbiBaselineFormatException(fileName, offset, reason);

    /// <summary>Throws <see cref="AbiConfigurationFormatException"/>.</summary>
    [DoesNotReturn]
    public static void Configuration(string? fileName, long offset, string reason) => throw new AbiConfigurationFormatException(fileName, offset, reason);
}
