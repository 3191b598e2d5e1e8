using Abi.Sdk.Abi;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Abi;

/// <summary>Roslyn-style severities from .editorconfig (AbiEditorConfig) and <c>abi diff --editorconfig</c>.</summary>
public class EditorConfigTests
{
    private static readonly IEnumerable<AbiDiagnosticDescriptor> All = AbiDiagnosticIds.All;

    [Fact]
    public void An_ID_entry_wins_over_its_category_which_wins_over_the_entry_for_all()
    {
        var config = AbiEditorConfig.Parse("""
            root = true
            [*]
            dotnet_analyzer_diagnostic.severity = warning
            dotnet_analyzer_diagnostic.category-Removed.severity = suggestion   # a comment
            dotnet_diagnostic.ABI1002.severity = error
            dotnet_diagnostic.ABI1004.severity = default
            """);
        var s = config.ToSeverities(All);
        Assert.True(config.IsRoot);
        Assert.Equal(AbiSeverity.Compatible, s.GetSeverity(AbiDiagnosticIds.SymbolRemoved));        // category
        Assert.Equal(AbiSeverity.Incompatible, s.GetSeverity(AbiDiagnosticIds.SymbolVersionRemoved)); // ID
        Assert.Equal(AbiSeverity.Incompatible, s.GetSeverity(AbiDiagnosticIds.VersionNodeRemoved)); // the ID's "default" wins: its own
        Assert.Equal(AbiSeverity.NeedsReview, s.GetSeverity(AbiDiagnosticIds.SonameChanged));       // all
    }

    [Fact]
    public void Sections_match_the_library_file_name_and_later_entries_win()
    {
        var config = AbiEditorConfig.Parse("""
            [*.so]
            dotnet_diagnostic.ABI1001.severity = warning
            [libfoo.so{,.1}]
            dotnet_diagnostic.ABI1001.severity = none
            """);
        var d = AbiDiagnosticIds.SymbolRemoved;
        Assert.Equal(AbiSeverity.NeedsReview, config.ToSeverities(All, "runtimes/linux-x64/native/libbar.so").GetSeverity(d));
        Assert.Equal(AbiSeverity.None, config.ToSeverities(All, "runtimes/linux-x64/native/libfoo.so").GetSeverity(d));
        Assert.Equal(AbiSeverity.None, config.ToSeverities(All, "/x/libfoo.so.1").GetSeverity(d));
        Assert.Equal(AbiSeverity.Incompatible, config.ToSeverities(All, "libbar.dll").GetSeverity(d));
        Assert.Equal(AbiSeverity.Incompatible, config.ToSeverities(All).GetSeverity(d));
    }

    [Fact]
    public void A_closer_file_wins_and_root_stops_the_walk_up()
    {
        var top = Directory.CreateTempSubdirectory("abi-editorconfig-");
        try
        {
            var inner = Directory.CreateDirectory(Path.Combine(top.FullName, "a", "b"));
            File.WriteAllText(Path.Combine(top.FullName, ".editorconfig"), "root = true\n[*]\ndotnet_diagnostic.ABI1001.severity = none\ndotnet_diagnostic.ABI1003.severity = error\n");
            File.WriteAllText(Path.Combine(top.FullName, "a", ".editorconfig"), "[*]\ndotnet_diagnostic.ABI1001.severity = warning\n");
            var s = AbiEditorConfig.LoadHierarchy(inner.FullName).ToSeverities(All, "libx.so");
            Assert.Equal(AbiSeverity.NeedsReview, s.GetSeverity(AbiDiagnosticIds.SymbolRemoved));
            Assert.Equal(AbiSeverity.Incompatible, s.GetSeverity(AbiDiagnosticIds.SymbolAdded));

            File.WriteAllText(Path.Combine(top.FullName, "a", ".editorconfig"), "root = true\n");
            s = AbiEditorConfig.LoadHierarchy(inner.FullName).ToSeverities(All, "libx.so");
            Assert.Equal(AbiSeverity.Compatible, s.GetSeverity(AbiDiagnosticIds.SymbolAdded));
        }
        finally
        {
            top.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_unknown_severity_names_file_and_offset()
    {
        var ex = Assert.Throws<AbiConfigurationFormatException>(() => AbiEditorConfig.Parse("[*]\ndotnet_diagnostic.ABI1001.severity = fatal\n", "x.editorconfig"));
        Assert.Contains("fatal", ex.Message);
        Assert.Contains("x.editorconfig", ex.Message);
        Assert.Equal(4, ex.Offset);
    }

    [Fact]
    public void Abi_diff_editorconfig_gives_the_same_result_as_the_equivalent_settings_file()
    {
        var dir = Path.Combine(Paths.Fixtures, "abi", "symbol-removed");
        var tmp = Directory.CreateTempSubdirectory("abi-editorconfig-cli-");
        try
        {
            var editorconfig = Path.Combine(tmp.FullName, ".editorconfig");
            File.WriteAllText(editorconfig, "[*.so]\ndotnet_diagnostic.ABI1001.severity = warning\n");
            var settings = Path.Combine(tmp.FullName, "settings.json");
            File.WriteAllText(settings, """{ "diagnostics": { "ABI1001": "needs-review" } }""");
            string[] pair = [Path.Combine(dir, "v1.so"), Path.Combine(dir, "v2.so")];

            var plain = CliRunner.Run(["diff", .. pair, "--json"]);
            var configured = CliRunner.Run(["diff", .. pair, "--json", "--editorconfig", editorconfig]);
            var viaSettings = CliRunner.Run(["diff", .. pair, "--json", "--settings", settings]);
            Assert.Equal(12, plain.ExitCode);
            Assert.Equal(4, configured.ExitCode);
            Assert.Equal(viaSettings.ExitCode, configured.ExitCode);
            Assert.Equal(viaSettings.Stdout, configured.Stdout);
            Assert.Contains("\"needs-review\"", configured.Stdout);
        }
        finally
        {
            tmp.Delete(recursive: true);
        }
    }
}
