using System.Diagnostics.CodeAnalysis;

namespace Abi.Sdk.Dependencies;

/// <summary>The one place the repository metadata reader raises a format error (file, offset or line, reason).</summary>
internal static class RepositoryThrow
{
    /// <summary>Throws <see cref="RepositoryFormatException"/>.</summary>
    [DoesNotReturn]
    public static void Format(string? fileName, long offset, string reason) => throw new RepositoryFormatException(fileName, offset, reason);
}
