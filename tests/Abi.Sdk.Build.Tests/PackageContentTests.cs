using System.IO.Compression;
using System.Xml.Linq;

namespace Abi.Sdk.Build.Tests;

/// <summary>What the Abi.Sdk.Build package carries: tasks with every assembly they load, targets in build/ and buildTransitive/, no dependency.</summary>
public sealed class PackageContentTests(PackageWorkspace workspace)
{
    [Fact]
    public void Package_has_tasks_with_their_dependencies_targets_and_no_dependency()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(workspace.Feed, $"Abi.Sdk.Build.{workspace.BuildPackageVersion}.nupkg"));
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var dll in new[] { "Abi.Sdk.Build", "Abi.Sdk", "LibObjectFile", "System.IO.Hashing", "ZstdSharp", "SharpCompress", "BouncyCastle.Cryptography" })
        {
            Assert.Contains($"tasks/net10.0/{dll}.dll", names);
        }

        foreach (var file in new[] { "build/Abi.Sdk.Build.props", "build/Abi.Sdk.Build.targets", "buildTransitive/Abi.Sdk.Build.props", "buildTransitive/Abi.Sdk.Build.targets" })
        {
            Assert.Contains(file, names);
        }

        // MSBuild provides its own assemblies; nothing is compiled against (no lib/ or ref/).
        Assert.DoesNotContain(names, n => n.Contains("Microsoft.Build", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("lib/", StringComparison.Ordinal) || n.StartsWith("ref/", StringComparison.Ordinal));

        using var nuspecStream = zip.GetEntry("Abi.Sdk.Build.nuspec")!.Open();
        var nuspec = XDocument.Load(nuspecStream);
        var ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("true", metadata.Element(ns + "developmentDependency")?.Value);
        Assert.Empty(metadata.Descendants(ns + "dependency"));
    }
}
