using System.Diagnostics;
using System.Reflection;
using Abi.Sdk.Tests.TestSupport;

[assembly: AssemblyFixture(typeof(Abi.Sdk.Build.Tests.PackageWorkspace))]

namespace Abi.Sdk.Build.Tests;

/// <summary>
/// A folder for generated projects, set up once per test run: Abi.Sdk.Build packed (from its build output, with a
/// version of this run) into a local feed, a NuGet.config naming that feed and a feed for the fixture packages next
/// to the machine's own sources (for the SDK's packages), and a global packages folder of this run, so no package
/// of an earlier run is taken from a cache.
/// </summary>
public sealed class PackageWorkspace : IDisposable
{
    public PackageWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "abi-build-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Path.Combine(Root, "packages"));
        BuildPackageVersion = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
        var configuration = typeof(PackageWorkspace).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "Configuration").Value!;
        var project = Path.Combine(RepositoryRoot, "src", "Abi.Sdk.Build", "Abi.Sdk.Build.csproj");
        var (code, output) = Dotnet(RepositoryRoot, "pack", project, "-c", configuration, "--no-build", "-o", Feed, $"-p:PackageVersion={BuildPackageVersion}");
        if (code != 0)
        {
            throw new InvalidOperationException($"packing Abi.Sdk.Build failed:\n{output}");
        }

        // No <clear/>: the machine's configured sources stay, for whatever SDK package a restore needs.
        WriteNuGetConfig();

        // The baseline every producer test compares with: Fixture.Native 1.0.0 with the v1 library, in the feed.
        var baseline = NewProjectFolder("baseline");
        (code, output) = Run(baseline, PackageProject(BaselineId, "1.0.0", [("runtimes/linux-x64/native/", Path.Combine(Natives, "v1", "libdemo.so"))]), "pack");
        if (code != 0)
        {
            throw new InvalidOperationException($"packing the baseline failed:\n{output}");
        }
    }

    /// <summary>The ID of the fixture package whose version 1.0.0 (the v1 library) is the producer tests' baseline.</summary>
    public const string BaselineId = "Fixture.Native";

    private void WriteNuGetConfig()
    {
        File.WriteAllText(Path.Combine(Root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" /></config>
              <packageSources><add key="abi-sdk-build" value="{Feed}" /></packageSources>
            </configuration>
            """);
    }

    /// <summary>The repository root (the folder holding Abi.Sdk.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>tests/Abi.Sdk.Build.Tests/Fixtures/native/out: the libraries make-fixtures.sh builds.</summary>
    public static string Natives => Path.Combine(RepositoryRoot, "tests", "Abi.Sdk.Build.Tests", "Fixtures", "native", "out");

    /// <summary>The folder of this run's projects.</summary>
    public string Root { get; }

    /// <summary>The local feed: Abi.Sdk.Build and the fixture packages the tests pack.</summary>
    public string Feed { get; }

    /// <summary>The version of Abi.Sdk.Build packed for this run.</summary>
    public string BuildPackageVersion { get; }

    /// <summary>A new project folder under <see cref="Root"/>.</summary>
    public string NewProjectFolder(string name)
    {
        var dir = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A package project (net10.0) that packs <paramref name="natives"/> (package path → file) and validates them when <paramref name="validation"/> is given.</summary>
    public string PackageProject(string id, string version, IEnumerable<(string PackagePath, string File)> natives, string? validation = null)
    {
        var items = string.Join("\n", natives.Select(n => $"""    <None Include="{n.File}" Pack="true" PackagePath="{n.PackagePath}" />"""));
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <PackageId>{id}</PackageId>
                <Version>{version}</Version>
                <PackageOutputPath>{Feed}</PackageOutputPath>
                <IsPackable>true</IsPackable>
                {validation}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Abi.Sdk.Build" Version="{BuildPackageVersion}" PrivateAssets="all" />
            {items}
              </ItemGroup>
            </Project>
            """;
    }

    /// <summary>Runs <c>dotnet ARGS</c> in <paramref name="directory"/>: the exit code and stdout+stderr.</summary>
    public static (int ExitCode, string Output) Dotnet(string directory, params string[] arguments)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        // The test host runs under `dotnet test`: MSBuild's variables of that build must not steer these builds.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Writes a project and runs <c>dotnet VERB</c> on it (with <c>-nodeReuse:false</c>).</summary>
    public (int ExitCode, string Output) Run(string folder, string projectXml, string verb, params string[] extra)
    {
        var project = Path.Combine(folder, Path.GetFileName(folder) + ".csproj");
        File.WriteAllText(project, projectXml);
        return Dotnet(folder, [verb, project, "-nodeReuse:false", "-nologo", .. extra]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file; the folder is under the temporary folder.
        }
    }

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Abi.Sdk.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("cannot find Abi.Sdk.sln above the test binaries");
    }
}
