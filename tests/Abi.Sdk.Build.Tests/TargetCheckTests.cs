using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Build.Tests;

/// <summary>
/// <c>dotnet build -r linux-x64</c> of an application that references a package whose native library
/// (libneedsnew.so, calling arc4random) needs GLIBC_2.36: checked against NativeAbiTarget items, it names the
/// library, the node and the symbol where glibc's loader refuses it, and is clean where the loader takes it.
/// </summary>
public sealed class TargetCheckTests(PackageWorkspace workspace)
{
    private static readonly string NeedsNew = Path.Combine(PackageWorkspace.Natives, "needsnew", "libneedsnew.so");

    /// <summary>Needs libneedsnew.so beside it (RUNPATH $ORIGIN): the GLIBC_2.36 need one NEEDED step down.</summary>
    private static readonly string Wrapper = Path.Combine(PackageWorkspace.Natives, "needsnew", "libwrapper.so");

    /// <summary>A stand-in glibc 2.34 package (its libc.so.6 defines version nodes up to GLIBC_2.35): an RPM-set target.</summary>
    private static readonly string Glibc234Rpm = Path.Combine(PackageWorkspace.RepositoryRoot, "tests", "Abi.Sdk.Tests", "Fixtures", "loader-filter", "out", "glibc-2.34-100.abifixture.x86_64.rpm");

    private (int ExitCode, string Output) BuildApp(string name, string targets)
    {
        // The package that carries the library, packed into the local feed under an ID of this test.
        var id = "Fixture.NeedsNew." + name;
        var package = workspace.NewProjectFolder("needsnew-" + name);
        var (code, output) = workspace.Run(package, workspace.PackageProject(id, "1.0.0", [("runtimes/linux-x64/native/", NeedsNew), ("runtimes/linux-x64/native/", Wrapper)]), "pack");
        Assert.True(code == 0, output);

        var app = workspace.NewProjectFolder("app-" + name);
        File.WriteAllText(Path.Combine(app, "Program.cs"), "System.Console.WriteLine(\"app\");\n");
        return workspace.Run(app, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Abi.Sdk.Build" Version="{workspace.BuildPackageVersion}" PrivateAssets="all" />
                <PackageReference Include="{id}" Version="1.0.0" />
                {targets}
              </ItemGroup>
            </Project>
            """, "build");
    }

    [Fact]
    public void Library_needing_a_newer_glibc_node_than_the_target_has_is_reported_with_node_and_symbol()
    {
        // The reference: glibc's loader (this machine's) with the target's libc.so.6 says the same.
        var loader = Tools.Require("/lib64/ld-linux-x86-64.so.2", "libc6");
        Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        var root = workspace.NewProjectFolder("glibc234-root");
        var (x, _, xerr) = Tools.Run("bash", ["-c", $"rpm2cpio '{Glibc234Rpm}' | cpio -idm --quiet"], workingDirectory: root);
        Assert.True(x == 0, xerr);
        var (_, ldOut, ldErr) = Tools.Run(loader, ["--list", "--library-path", Path.Combine(root, "usr", "lib64"), NeedsNew]);
        Assert.Contains("version `GLIBC_2.36' not found (required by " + NeedsNew + ")", ldOut + ldErr);
        (_, ldOut, ldErr) = Tools.Run(loader, ["--list", "--library-path", Path.Combine(root, "usr", "lib64"), Wrapper]);
        Assert.Contains("version `GLIBC_2.36' not found (required by " + NeedsNew + ")", ldOut + ldErr);

        var (code, output) = BuildApp("old", $"""<NativeAbiTarget Include="{Glibc234Rpm}" Name="el-glibc234" />""");
        Assert.NotEqual(0, code);
        Assert.Contains("libneedsnew.so : NativeAbi error ABI3041: libneedsnew.so needs GLIBC_2.36 (arc4random) from libc.so.6; target el-glibc234 has up to GLIBC_2.34 (https://", output);

        // Checked itself, the wrapper brings the same need in, and the finding says through which NEEDED.
        Assert.Contains("libwrapper.so : NativeAbi error ABI3041: libneedsnew.so needs GLIBC_2.36 (arc4random) from libc.so.6; target el-glibc234 has up to GLIBC_2.34 (NEEDED chain: libneedsnew.so ← libwrapper.so)", output);
    }

    [Fact]
    public void Same_library_against_a_target_that_has_the_node_is_clean()
    {
        // The reference: this machine's loader binds everything the library needs (ldd -r style).
        var loader = Tools.Require("/lib64/ld-linux-x86-64.so.2", "libc6");
        var (ldCode, ldOut, ldErr) = Tools.Run(loader, ["--list", NeedsNew]);
        Assert.True(ldCode == 0 && !(ldOut + ldErr).Contains("not found", StringComparison.Ordinal), ldOut + ldErr);

        (ldCode, ldOut, ldErr) = Tools.Run(loader, ["--list", Wrapper]);
        Assert.True(ldCode == 0 && !(ldOut + ldErr).Contains("not found", StringComparison.Ordinal), ldOut + ldErr);

        // The same machine as a sysroot, and as abi dump baselines of its C library and of the loader libc.so.6
        // needs (two items, one Name: one target; a baseline of libc.so.6 alone lacks ld-linux-x86-64.so.2, ABI3040).
        var folder = workspace.NewProjectFolder("baseline");
        var libc = Path.Combine(folder, "libc.so.6.json");
        var ld = Path.Combine(folder, "ld-linux-x86-64.so.2.json");
        foreach (var (from, to) in new[] { ("/lib/x86_64-linux-gnu/libc.so.6", libc), ("/lib64/ld-linux-x86-64.so.2", ld) })
        {
            var (dumpCode, _, dumpErr) = CliRunner.Run(["dump", from, "-o", to]);
            Assert.True(dumpCode == 0, dumpErr);
        }

        var (code, output) = BuildApp("host", $"""
            <NativeAbiTarget Include="/" Name="this-machine" />
            <NativeAbiTarget Include="{libc};{ld}" Name="this-machine-baselines" />
            """);
        Assert.True(code == 0, output);
        Assert.DoesNotContain("ABI30", output);
    }
}
