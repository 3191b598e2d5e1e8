using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// Real drift: ONNX Runtime puts every export in one version node named after the release (VERS_1.30.0,
/// VERS_1.31.0). A program built against one release is checked against the other, and against its own; the
/// verdict must equal the loader's. The native libraries come from the NuGet package, restored at test time into
/// a cache folder (the test skips when the package source cannot be reached).
/// </summary>
public class OnnxRuntimeDriftTests
{
    private static readonly string[] Versions = ["1.30.0", "1.31.0"];

    private static string Cache => Path.Combine(Path.GetTempPath(), "abi-sdk-tests", "nuget-onnxruntime");

    private static string Library(string version) => Path.Combine(Cache, "pkgs", "microsoft.ml.onnxruntime", version, "runtimes", "linux-x64", "native", "libonnxruntime.so");

    private static void Restore()
    {
        if (Versions.All(v => File.Exists(Library(v))))
        {
            return;
        }

        var dotnet = Tools.Find("dotnet") ?? Path.Combine(Path.GetDirectoryName(Environment.ProcessPath) ?? "", "dotnet");
        Directory.CreateDirectory(Cache);
        var csproj = Path.Combine(Cache, "restore.csproj");
        File.WriteAllText(csproj, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
              <ItemGroup><PackageDownload Include="Microsoft.ML.OnnxRuntime" Version="{string.Join(';', Versions.Select(v => $"[{v}]"))}" /></ItemGroup>
            </Project>
            """);
        var (code, stdout, stderr) = Tools.Run(dotnet, ["restore", csproj, "--packages", Path.Combine(Cache, "pkgs")]);
        if (code != 0 || !Versions.All(v => File.Exists(Library(v))))
        {
            Assert.Skip($"cannot restore Microsoft.ML.OnnxRuntime {string.Join(", ", Versions)} (package source unreachable?): {stdout}{stderr}".Trim());
        }
    }

    /// <summary>A program calling OrtGetApiBase, linked against the given release; and a folder holding that release as libonnxruntime.so.1.</summary>
    private static (string Program, string LibraryFolder) Build(string version)
    {
        var gcc = Tools.Require("gcc", "gcc");
        var dir = Path.Combine(Cache, "build", version);
        var lib = Path.Combine(dir, "lib");
        Directory.CreateDirectory(lib);
        var soname = Path.Combine(lib, "libonnxruntime.so.1");
        if (!File.Exists(soname))
        {
            File.CreateSymbolicLink(soname, Library(version));
        }

        var program = Path.Combine(dir, "ort_app");
        if (!File.Exists(program))
        {
            var source = Path.Combine(dir, "ort_app.c");
            File.WriteAllText(source, "const void* OrtGetApiBase(void);\nint main(void) { return OrtGetApiBase() ? 0 : 1; }\n");
            var (code, _, err) = Tools.Run(gcc, ["-Os", "-o", program, source, soname]);
            Assert.True(code == 0, err);
        }

        return (program, lib);
    }

    [Theory]
    [InlineData("1.30.0", "1.31.0")]
    [InlineData("1.31.0", "1.30.0")]
    [InlineData("1.31.0", "1.31.0")]
    public void Program_built_against_one_release_checked_against_another(string builtAgainst, string runsOn)
    {
        Tools.Require("ldd", "libc-bin");
        Restore();
        var (program, _) = Build(builtAgainst);
        var (_, targetLib) = Build(runsOn);

        using var target = Target.LibraryPaths([targetLib]);
        var verdict = Checker.Check(program, target);
        var ldd = LddReport.Run(program, targetLib);
        LddReport.AssertAgrees(ldd, verdict);

        if (builtAgainst == runsOn)
        {
            Assert.True(verdict.IsCompatible, verdict.ToString());
            return;
        }

        var missing = Assert.Single(verdict.MissingVersions);
        Assert.Equal(("libonnxruntime.so.1", $"VERS_{builtAgainst}"), (missing.Library, missing.Version));
        Assert.Equal(["OrtGetApiBase"], missing.Symbols);
        Assert.Contains(verdict.MissingSymbols, s => s.Name == "OrtGetApiBase" && s.Version == $"VERS_{builtAgainst}");
    }
}
