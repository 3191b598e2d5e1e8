using System.IO.Compression;
using System.Xml.Linq;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Packaging;

/// <summary>
/// Runs <c>dotnet pack</c> once (into a temporary folder, with its own build outputs so it never touches the tree the
/// tests run from) and holds the packages it produced.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    public PackedPackages()
    {
        Root = Directory.CreateTempSubdirectory("abi-pack-").FullName;
        Output = Path.Combine(Root, "packages");
        var build = Path.Combine(Root, "build");
        var dotnet = Tools.Find("dotnet") ?? Path.Combine(Path.GetDirectoryName(Environment.ProcessPath)!, "dotnet");
        Version = ReadVersionPrefix();
        string[][] packs =
        [
            ["pack", "src/Abi.Sdk"],
            ["pack", "src/Abi.Cli"],              // the RID-selecting tool package
            ["pack", "src/Abi.Cli", "-r", "any"], // the framework-dependent tool, for any platform with .NET 10
        ];
        foreach (var pack in packs)
        {
            var (code, stdout, stderr) = Tools.Run(dotnet, [.. pack, "-c", "Release", "-o", Output, "--artifacts-path", build, "-nologo"],
                new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" }, Paths.RepositoryRoot);
            Log += $"$ dotnet {string.Join(' ', pack)}\n{stdout}{stderr}\n";
            if (code != 0)
            {
                throw new InvalidOperationException($"dotnet {string.Join(' ', pack)} failed with {code}:\n{stdout}\n{stderr}");
            }
        }
    }

    public string Root { get; }

    public string Output { get; }

    public string Version { get; }

    public string Log { get; } = "";

    public string PathOf(string fileName)
    {
        var path = Path.Combine(Output, fileName);
        Assert.True(File.Exists(path), $"dotnet pack did not produce {fileName}; it produced: {string.Join(", ", Directory.GetFiles(Output).Select(Path.GetFileName))}");
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>The one place versions come from: VersionPrefix in Directory.Build.props.</summary>
    public static string ReadVersionPrefix() =>
        XDocument.Load(Path.Combine(Paths.RepositoryRoot, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;
}

/// <summary>Unpacks the produced .nupkg/.snupkg files and checks what a consumer of each package gets.</summary>
public sealed class PackageContentTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    // NuGet writes the oldest nuspec schema that can express a package, so namespaces are removed after checking.
    private static readonly XNamespace Nuspec = XNamespace.None;

    [Fact]
    public void Library_package_holds_the_assembly_its_xml_docs_and_the_readme()
    {
        using var zip = ZipFile.OpenRead(packages.PathOf($"Abi.Sdk.{packages.Version}.nupkg"));
        var entries = Entries(zip);
        Assert.Contains("lib/net10.0/Abi.Sdk.dll", entries);
        Assert.Contains("README.md", entries);
        // The library, and the notebook extension where .NET Interactive looks for it (checked below).
        Assert.Equal(["interactive-extensions/dotnet/Abi.Sdk.Interactive.dll", "lib/net10.0/Abi.Sdk.dll"],
            entries.Where(e => e.EndsWith(".dll", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        // The XML docs are the IntelliSense a consumer sees: every public type of the assembly is documented there.
        var docs = XDocument.Load(zip.GetEntry("lib/net10.0/Abi.Sdk.xml")!.Open());
        var documented = docs.Descendants("member").Select(m => (string)m.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var undocumented = typeof(global::Abi.Sdk.Elf.ElfImage).Assembly.GetExportedTypes()
            .Select(t => "T:" + t.FullName!.Replace('+', '.'))
            .Where(id => !documented.Contains(id))
            .ToList();
        Assert.Empty(undocumented);
        Assert.Contains("T:Abi.Sdk.Elf.ElfImage", documented);

        var readme = new StreamReader(zip.GetEntry("README.md")!.Open()).ReadToEnd();
        Assert.Equal(File.ReadAllText(Path.Combine(Paths.RepositoryRoot, "README.md")), readme);
    }

    [Fact]
    public void Library_package_metadata_names_license_readme_repository_and_commit()
    {
        using var zip = ZipFile.OpenRead(packages.PathOf($"Abi.Sdk.{packages.Version}.nupkg"));
        var metadata = NuspecOf(zip).Root!.Element(Nuspec + "metadata")!;
        Assert.Equal("Abi.Sdk", metadata.Element(Nuspec + "id")!.Value);
        Assert.Equal(packages.Version, metadata.Element(Nuspec + "version")!.Value);
        Assert.Equal("expression", (string?)metadata.Element(Nuspec + "license")?.Attribute("type"));
        Assert.Equal("MIT", metadata.Element(Nuspec + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(Nuspec + "readme")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(Nuspec + "description")?.Value));
        Assert.Null(metadata.Element(Nuspec + "icon"));
        var repository = metadata.Element(Nuspec + "repository");
        Assert.NotNull(repository);
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.StartsWith("https://", (string?)repository.Attribute("url"));
        if (Directory.Exists(Path.Combine(Paths.RepositoryRoot, ".git")) || File.Exists(Path.Combine(Paths.RepositoryRoot, ".git")))
        {
            // SourceLink (in the .NET SDK) records the commit the package was built from.
            var (code, head, _) = Tools.Run("git", ["rev-parse", "HEAD"], workingDirectory: Paths.RepositoryRoot);
            Assert.Equal(0, code);
            Assert.Equal(head.Trim(), (string?)repository.Attribute("commit"));
        }
    }

    [Fact]
    public void Library_package_depends_on_exactly_the_documented_packages_at_the_central_versions()
    {
        using var zip = ZipFile.OpenRead(packages.PathOf($"Abi.Sdk.{packages.Version}.nupkg"));
        var groups = NuspecOf(zip).Descendants(Nuspec + "group").ToList();
        var group = Assert.Single(groups);
        Assert.Equal("net10.0", (string?)group.Attribute("targetFramework"));
        var central = XDocument.Load(Path.Combine(Paths.RepositoryRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        var dependencies = group.Elements(Nuspec + "dependency")
            .Select(d => ((string)d.Attribute("id")!, (string)d.Attribute("version")!))
            .OrderBy(d => d.Item1, StringComparer.Ordinal)
            .ToList();
        // LibObjectFile (ELF object model), System.IO.Hashing (CRC), the payload decoders and OpenPGP: see docs/dependencies.md.
        string[] expected = ["BouncyCastle.Cryptography", "LibObjectFile", "SharpCompress", "System.IO.Hashing", "ZstdSharp.Port"];
        Assert.Equal(expected, dependencies.Select(d => d.Item1));
        foreach (var (id, version) in dependencies)
        {
            Assert.Equal(central[id], version);
        }
    }

    [Fact]
    public void Library_package_carries_the_notebook_extension_and_no_dependency_for_it()
    {
        using var zip = ZipFile.OpenRead(packages.PathOf($"Abi.Sdk.{packages.Version}.nupkg"));
        // .NET Interactive loads every assembly in interactive-extensions/dotnet of a package a notebook references
        // and runs its public IKernelExtension types; nothing there is a compile reference (that is lib/ only).
        var entry = zip.GetEntry("interactive-extensions/dotnet/Abi.Sdk.Interactive.dll");
        Assert.NotNull(entry);
        using var bytes = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(bytes);
        }

        bytes.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(bytes);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var exported = metadata.TypeDefinitions.Select(metadata.GetTypeDefinition)
            .Where(t => (t.Attributes & System.Reflection.TypeAttributes.VisibilityMask) == System.Reflection.TypeAttributes.Public)
            .Select(t => $"{metadata.GetString(t.Namespace)}.{metadata.GetString(t.Name)}")
            .ToList();
        Assert.Equal(["Abi.Sdk.Interactive.AbiSdkKernelExtension"], exported);
        var extension = metadata.TypeDefinitions.Select(metadata.GetTypeDefinition).Single(t => metadata.GetString(t.Name) == "AbiSdkKernelExtension");
        var interfaces = extension.GetInterfaceImplementations()
            .Select(i => metadata.GetInterfaceImplementation(i).Interface)
            .Select(h => (System.Reflection.Metadata.TypeReference)metadata.GetTypeReference((System.Reflection.Metadata.TypeReferenceHandle)h))
            .Select(r => $"{metadata.GetString(r.Namespace)}.{metadata.GetString(r.Name)}");
        Assert.Equal(["Microsoft.DotNet.Interactive.IKernelExtension"], interfaces);

        // It needs only what the kernel has loaded (its own assemblies and the runtime) and Abi.Sdk beside it in
        // lib/: so the package gains no dependency, and the kernel's Interactive assemblies are the ones it binds to.
        var references = metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)).Order(StringComparer.Ordinal).ToList();
        Assert.All(references, r => Assert.True(
            r is "Abi.Sdk" or "Microsoft.DotNet.Interactive" or "Microsoft.DotNet.Interactive.Formatting" || r.StartsWith("System.", StringComparison.Ordinal),
            $"the notebook extension references {r}, which a kernel does not provide"));
        Assert.Contains("Abi.Sdk", references);
        var dependencies = NuspecOf(zip).Descendants(Nuspec + "dependency").Select(d => (string)d.Attribute("id")!);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
    }

    [Fact]
    public void Library_symbol_package_holds_a_portable_pdb()
    {
        using var zip = ZipFile.OpenRead(packages.PathOf($"Abi.Sdk.{packages.Version}.snupkg"));
        var pdb = zip.GetEntry("lib/net10.0/Abi.Sdk.pdb");
        Assert.NotNull(pdb);
        var magic = new byte[4];
        pdb.Open().ReadExactly(magic);
        Assert.Equal("BSJB"u8.ToArray(), magic);
        Assert.Equal("SymbolsPackage", NuspecOf(zip).Descendants(Nuspec + "packageType").Single().Attribute("name")!.Value);
    }

    [Fact]
    public void Tool_package_installs_the_abi_command_and_selects_a_runtime_package()
    {
        using var zip = ZipFile.OpenRead(packages.PathOf($"Abi.Cli.{packages.Version}.nupkg"));
        var nuspec = NuspecOf(zip);
        Assert.Equal("DotnetTool", nuspec.Descendants(Nuspec + "packageType").Single().Attribute("name")!.Value);
        Assert.Empty(nuspec.Descendants(Nuspec + "dependency"));
        Assert.Contains("README.md", Entries(zip));

        var settings = XDocument.Load(zip.GetEntry("tools/any/any/DotnetToolSettings.xml")!.Open());
        Assert.Equal("abi", settings.Descendants("Command").Single().Attribute("Name")!.Value);
        var rids = settings.Descendants("RuntimeIdentifierPackage")
            .ToDictionary(p => (string)p.Attribute("RuntimeIdentifier")!, p => (string)p.Attribute("Id")!);
        Assert.Equal("Abi.Cli.any", rids["any"]);
        Assert.Equal("Abi.Cli.linux-x64", rids["linux-x64"]);
        Assert.Equal("Abi.Cli.linux-arm64", rids["linux-arm64"]);
    }

    [Fact]
    public void Framework_dependent_tool_package_runs_abi_dll_with_the_sdk_beside_it()
    {
        using var zip = ZipFile.OpenRead(packages.PathOf($"Abi.Cli.any.{packages.Version}.nupkg"));
        var entries = Entries(zip);
        var settings = XDocument.Load(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
        var command = settings.Descendants("Command").Single();
        Assert.Equal("abi", (string?)command.Attribute("Name"));
        Assert.Equal("abi.dll", (string?)command.Attribute("EntryPoint"));
        Assert.Equal("dotnet", (string?)command.Attribute("Runner"));
        string[] assemblies = ["abi.dll", "Abi.Sdk.dll", "System.CommandLine.dll", "LibObjectFile.dll", "System.IO.Hashing.dll", "ZstdSharp.dll", "SharpCompress.dll"];
        foreach (var assembly in assemblies)
        {
            Assert.Contains($"tools/net10.0/any/{assembly}", entries);
        }

        Assert.Contains("README.md", entries);
        // A runtime package is installed through the pointer package Abi.Cli, never on its own.
        Assert.Equal("DotnetToolRidPackage", NuspecOf(zip).Descendants(Nuspec + "packageType").Single().Attribute("name")!.Value);

        using var symbols = ZipFile.OpenRead(packages.PathOf($"Abi.Cli.any.{packages.Version}.snupkg"));
        Assert.Contains("tools/net10.0/any/abi.pdb", Entries(symbols));
    }

    private static HashSet<string> Entries(ZipArchive zip) => zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

    private static XDocument NuspecOf(ZipArchive zip)
    {
        var entry = zip.Entries.Single(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        var document = XDocument.Load(stream);
        Assert.Matches(@"^http://schemas\.microsoft\.com/packaging/20\d\d/\d\d/nuspec\.xsd$", document.Root!.Name.NamespaceName);
        foreach (var element in document.Descendants())
        {
            element.Name = element.Name.LocalName;
        }

        return document;
    }
}
