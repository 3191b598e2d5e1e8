using System.Text.Json;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Build.Tests;

/// <summary>
/// <c>dotnet pack</c> of a package project that references Abi.Sdk.Build and sets EnableNativeAbiValidation with
/// NativeAbiBaselineVersion 1.0.0 (restored from the local feed into this run's global packages folder): the
/// findings are those abidiff reports on the same two libraries, as MSBuild errors and warnings configured the Roslyn way.
/// </summary>
public sealed class PackValidationTests(PackageWorkspace workspace)
{
    private const string Validation = "<EnableNativeAbiValidation>true</EnableNativeAbiValidation><NativeAbiBaselineVersion>1.0.0</NativeAbiBaselineVersion>";

    private static string Library(string variant) => Path.Combine(PackageWorkspace.Natives, variant, "libdemo.so");

    private (int ExitCode, string Output) PackNew(string variant, string version, string? extraProperties = null, Action<string>? prepare = null)
    {
        var folder = workspace.NewProjectFolder(variant);
        prepare?.Invoke(folder);
        var xml = workspace.PackageProject(PackageWorkspace.BaselineId, version, [("runtimes/linux-x64/native/", Library(variant))], Validation + extraProperties);
        return workspace.Run(folder, xml, "pack");
    }

    /// <summary>abidiff's removed function symbols between the v1 library and a variant: the reference.</summary>
    private static List<string> AbidiffRemoved(string variant)
    {
        var abidiff = Tools.Require("abidiff", "abigail-tools");
        var (_, stdout, _) = Tools.Run(abidiff, [Library("v1"), Library(variant)]);
        // Its "[D] NAME@@VERSION" lines: the removed function and variable symbols.
        var removed = stdout.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("[D] ", StringComparison.Ordinal)).Select(l => l[4..].Trim()).ToList();
        return removed;
    }

    [Fact]
    public void Removed_symbol_fails_pack_with_ABI1001_naming_the_symbol_abidiff_lists_and_writes_sarif()
    {
        Assert.Equal(["demo_mul@@DEMO_1.0"], AbidiffRemoved("removed"));
        var sarif = Path.Combine(workspace.Root, "removed.sarif");
        var (code, output) = PackNew("removed", "2.0.0-removed", $"<NativeAbiSarifFile>{sarif}</NativeAbiSarifFile>");
        Assert.NotEqual(0, code);
        Assert.Contains("error ABI1001: runtimes/linux-x64/native/libdemo.so: Symbol 'demo_mul@@DEMO_1.0' was removed", output);
        Assert.Contains("docs/diagnostics/ABI1001.md", output);
        Assert.Contains("Fixture.Native.2.0.0-removed.nupkg/runtimes/linux-x64/native/libdemo.so", output);

        using var log = JsonDocument.Parse(File.ReadAllText(sarif));
        var result = Assert.Single(log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
        Assert.Equal("ABI1001", result.GetProperty("ruleId").GetString());
        Assert.Equal("error", result.GetProperty("level").GetString());
        Assert.Contains("demo_mul", result.GetProperty("message").GetProperty("text").GetString());
    }

    [Fact]
    public void Symbol_moved_to_a_new_version_node_fails_pack_with_ABI1002()
    {
        // abidiff lists the move as the removal of demo_sub@@DEMO_1.0 (the name stays, at DEMO_2.0).
        Assert.Equal(["demo_sub@@DEMO_1.0"], AbidiffRemoved("moved"));
        var (code, output) = PackNew("moved", "2.0.0-moved");
        Assert.NotEqual(0, code);
        Assert.Contains("error ABI1002: runtimes/linux-x64/native/libdemo.so: Symbol 'demo_sub@@DEMO_1.0' is no longer provided at version DEMO_1.0", output);
        Assert.DoesNotContain("error ABI1001", output);
    }

    [Fact]
    public void Additive_version_passes_and_reports_the_additions_as_messages()
    {
        Assert.Empty(AbidiffRemoved("added"));
        var (code, output) = PackNew("added", "2.0.0-added", null, null);
        Assert.True(code == 0, output);
        Assert.DoesNotContain("error ABI", output);
        Assert.DoesNotContain("warning ABI", output);
        Assert.Contains("Successfully created package", output);
    }

    [Fact]
    public void Editorconfig_severity_turns_the_removal_into_a_warning_and_TreatWarningsAsErrors_back_into_an_error()
    {
        void Editorconfig(string folder) => File.WriteAllText(Path.Combine(folder, ".editorconfig"), "root = true\n\n[*.so]\ndotnet_diagnostic.ABI1001.severity = warning\n");
        var (code, output) = PackNew("removed", "2.0.0-warn", null, Editorconfig);
        Assert.True(code == 0, output);
        Assert.Contains("warning ABI1001: runtimes/linux-x64/native/libdemo.so: Symbol 'demo_mul@@DEMO_1.0' was removed", output);

        (code, output) = PackNew("removed", "2.0.0-warnaserror", "<TreatWarningsAsErrors>true</TreatWarningsAsErrors>", Editorconfig);
        Assert.NotEqual(0, code);
        Assert.Contains("error ABI1001", output);
    }

    [Fact]
    public void NoWarn_and_a_category_severity_of_none_drop_the_finding()
    {
        var (code, output) = PackNew("removed", "2.0.0-nowarn", "<NoWarn>$(NoWarn);ABI1001</NoWarn>");
        Assert.True(code == 0, output);
        Assert.DoesNotContain("ABI1001", output);

        (code, output) = PackNew("moved", "2.0.0-category", null, folder => File.WriteAllText(Path.Combine(folder, ".editorconfig"), "root = true\n[*]\ndotnet_analyzer_diagnostic.category-removed.severity = none\n"));
        Assert.True(code == 0, output);
        Assert.DoesNotContain("ABI1002", output);
    }

    [Fact]
    public void A_libabigail_suppression_file_suppresses_the_removal_as_it_does_for_abidiff()
    {
        var suppr = Path.Combine(workspace.Root, "demo.suppr");
        File.WriteAllText(suppr, "[suppress_function]\n  symbol_name = demo_mul\n  change_kind = deleted-function\n");
        var abidiff = Tools.Require("abidiff", "abigail-tools");
        var (abidiffCode, abidiffOut, _) = Tools.Run(abidiff, ["--suppressions", suppr, Library("v1"), Library("removed")]);
        Assert.True(abidiffCode == 0, abidiffOut);

        var (code, output) = PackNew("removed", "2.0.0-suppressed", $"</PropertyGroup><ItemGroup><NativeAbiSuppressions Include=\"{suppr}\" /></ItemGroup><PropertyGroup>");
        Assert.True(code == 0, output);
        Assert.DoesNotContain("ABI1001", output);
    }

    [Fact]
    public void A_library_missing_from_the_new_package_is_an_error_and_a_new_one_a_message()
    {
        var folder = workspace.NewProjectFolder("renamed");
        var xml = workspace.PackageProject(PackageWorkspace.BaselineId, "2.0.0-renamed", [("runtimes/linux-arm64/native/", Library("v1"))], Validation);
        var (code, output) = workspace.Run(folder, xml, "pack");
        Assert.NotEqual(0, code);
        Assert.Contains("error ABI3030: runtimes/linux-x64/native/libdemo.so: native library of the baseline", output);
        Assert.Contains("runtimes/linux-arm64/native/libdemo.so: new native library", output);
    }
}
