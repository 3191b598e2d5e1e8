using System.Globalization;

namespace Abi.Sdk.Rpm;

/// <summary>A package's name, epoch, version, release and architecture.</summary>
/// <param name="Name">The name.</param>
/// <param name="Epoch">The epoch, or <see langword="null"/> when the package has none.</param>
/// <param name="Version">The version.</param>
/// <param name="Release">The release.</param>
/// <param name="Arch">The architecture.</param>
public sealed record RpmNevra(string Name, long? Epoch, string Version, string Release, string Arch)
{
    /// <summary>The <c>[epoch:]version-release</c> of the package.</summary>
    public Evr Evr => Evr.Parse(EvrText);

    /// <summary>The <c>[epoch:]version-release</c> text.</summary>
    public string EvrText => Epoch is { } e ? string.Create(CultureInfo.InvariantCulture, $"{e}:{Version}-{Release}") : $"{Version}-{Release}";

    /// <summary><c>name-[epoch:]version-release.arch</c>, as rpm's <c>%{NEVRA}</c> prints it.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Name}-{EvrText}.{Arch}";
}
