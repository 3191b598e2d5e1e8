using System.Text.Json;
using Abi.Sdk.Abi;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Abi.Sdk.Build;

/// <summary>
/// Turns findings into MSBuild errors, warnings and messages the way the C# compiler treats analyzer diagnostics:
/// the severity (already configured from .editorconfig) maps error → error, warning → warning, suggestion → message;
/// <c>NoWarn</c> drops an ID whatever its severity; <c>WarningsAsErrors</c> and <c>TreatWarningsAsErrors</c> (less
/// <c>WarningsNotAsErrors</c>) promote warnings. Keeps every reported finding for the SARIF log.
/// </summary>
internal sealed class NativeAbiReporter
{
    private readonly TaskLoggingHelper _log;
    private readonly HashSet<string> _noWarn;
    private readonly HashSet<string> _warningsAsErrors;
    private readonly HashSet<string> _warningsNotAsErrors;
    private readonly bool _treatWarningsAsErrors;
    private readonly List<Finding> _findings = [];

    public NativeAbiReporter(TaskLoggingHelper log, string? noWarn, string? warningsAsErrors, string? warningsNotAsErrors, bool treatWarningsAsErrors)
    {
        _log = log;
        _noWarn = Codes(noWarn);
        _warningsAsErrors = Codes(warningsAsErrors);
        _warningsNotAsErrors = Codes(warningsNotAsErrors);
        _treatWarningsAsErrors = treatWarningsAsErrors;
    }

    /// <summary>The findings reported (not those dropped by severity none or NoWarn).</summary>
    public IReadOnlyList<Finding> Findings => _findings;

    /// <summary>Reports one finding for <paramref name="file"/> (a path inside the package or on disk).</summary>
    public void Report(AbiDiagnosticDescriptor descriptor, AbiSeverity severity, string file, string message)
    {
        if (severity == AbiSeverity.None || _noWarn.Contains(descriptor.Id))
        {
            return;
        }

        var level = severity switch
        {
            AbiSeverity.Incompatible => "error",
            AbiSeverity.NeedsReview => _warningsAsErrors.Contains(descriptor.Id) || (_treatWarningsAsErrors && !_warningsNotAsErrors.Contains(descriptor.Id)) ? "error" : "warning",
            _ => "note",
        };
        _findings.Add(new Finding(descriptor, level, file, message));

        // As the C# compiler prints an analyzer diagnostic's help link after its message.
        message = descriptor.HelpUri is null ? message : $"{message} ({descriptor.HelpUri})";
        switch (level)
        {
            case "error":
                _log.LogError("NativeAbi", descriptor.Id, null, descriptor.HelpUri, file, 0, 0, 0, 0, message);
                break;
            case "warning":
                _log.LogWarning("NativeAbi", descriptor.Id, null, descriptor.HelpUri, file, 0, 0, 0, 0, message);
                break;
            default:
                _log.LogMessage("NativeAbi", descriptor.Id, null, file, 0, 0, 0, 0, MessageImportance.High, message);
                break;
        }
    }

    /// <summary>Writes the findings as a SARIF 2.1.0 log: one run, one rule per ID reported, one result per finding.</summary>
    public void WriteSarif(string path, string toolName)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", toolName);
        w.WriteString("informationUri", "https://github.com/abi-sdk/abi-sdk/blob/main/docs/msbuild.md");
        w.WriteStartArray("rules");
        var rules = _findings.Select(f => f.Descriptor).DistinctBy(d => d.Id).OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        foreach (var d in rules)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("name", d.Title.Replace(" ", string.Empty, StringComparison.Ordinal));
            w.WriteStartObject("shortDescription");
            w.WriteString("text", d.Title);
            w.WriteEndObject();
            if (d.Description is not null)
            {
                w.WriteStartObject("fullDescription");
                w.WriteString("text", d.Description);
                w.WriteEndObject();
            }

            if (d.HelpUri is not null)
            {
                w.WriteString("helpUri", d.HelpUri);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("results");
        foreach (var f in _findings)
        {
            w.WriteStartObject();
            w.WriteString("ruleId", f.Descriptor.Id);
            w.WriteNumber("ruleIndex", rules.FindIndex(d => d.Id == f.Descriptor.Id));
            w.WriteString("level", f.Level);
            w.WriteStartObject("message");
            w.WriteString("text", f.Message);
            w.WriteEndObject();
            w.WriteStartArray("locations");
            w.WriteStartObject();
            w.WriteStartObject("physicalLocation");
            w.WriteStartObject("artifactLocation");
            w.WriteString("uri", f.File.Replace('\\', '/'));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>MSBuild's list of codes: separated by ';' or ',', spaces ignored.</summary>
    private static HashSet<string> Codes(string? list)
        => new((list ?? string.Empty).Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);

    /// <summary>One reported finding.</summary>
    internal sealed record Finding(AbiDiagnosticDescriptor Descriptor, string Level, string File, string Message);
}

/// <summary>The settings every Abi.Sdk.Build task shares: how findings are configured and where they go.</summary>
public abstract class NativeAbiTaskBase : Microsoft.Build.Utilities.Task
{
    /// <summary>The project folder: its <c>.editorconfig</c> files (up to the one with <c>root = true</c>) configure severities.</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>More configuration files (<c>@(EditorConfigFiles)</c>, global configs), applied after those of <see cref="ProjectDirectory"/>.</summary>
    public ITaskItem[] EditorConfigFiles { get; set; } = [];

    /// <summary><c>$(NoWarn)</c>.</summary>
    public string? NoWarn { get; set; }

    /// <summary><c>$(WarningsAsErrors)</c>.</summary>
    public string? WarningsAsErrors { get; set; }

    /// <summary><c>$(WarningsNotAsErrors)</c>.</summary>
    public string? WarningsNotAsErrors { get; set; }

    /// <summary><c>$(TreatWarningsAsErrors)</c>.</summary>
    public bool TreatWarningsAsErrors { get; set; }

    /// <summary>libabigail suppression files (<c>@(NativeAbiSuppressions)</c>).</summary>
    public ITaskItem[] Suppressions { get; set; } = [];

    /// <summary>Where to write the SARIF log (<c>$(NativeAbiSarifFile)</c>), or empty for none.</summary>
    public string? SarifFile { get; set; }

    /// <summary>Reads the configuration, runs <see cref="Run"/>, writes the SARIF log.</summary>
    /// <returns>False when an error was logged.</returns>
    public override bool Execute()
    {
        var reporter = new NativeAbiReporter(Log, NoWarn, WarningsAsErrors, WarningsNotAsErrors, TreatWarningsAsErrors);
        try
        {
            var editorConfig = string.IsNullOrEmpty(ProjectDirectory) ? AbiEditorConfig.Empty : AbiEditorConfig.LoadHierarchy(ProjectDirectory);
            foreach (var item in EditorConfigFiles)
            {
                var path = item.GetMetadata("FullPath");
                if (File.Exists(path))
                {
                    editorConfig = editorConfig.Merge(AbiEditorConfig.Load(path));
                }
            }

            var comparer = AbiComparer.Default;
            foreach (var item in Suppressions)
            {
                var file = AbiSuppressionFile.Load(item.GetMetadata("FullPath"));
                foreach (var warning in file.Warnings)
                {
                    Log.LogWarning(null, null, null, item.ItemSpec, 0, 0, 0, 0, "{0}", warning.ToString());
                }

                comparer = comparer.WithSuppressions(file.Suppressions);
            }

            Run(reporter, editorConfig, comparer);
        }
        catch (Exception e) when (e is AbiSdkFormatException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Log.LogError("NativeAbi", "ABI0001", null, null, 0, 0, 0, 0, "{0}", e.Message);
        }

        if (!string.IsNullOrEmpty(SarifFile))
        {
            reporter.WriteSarif(SarifFile, "Abi.Sdk.Build");
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>The task's work: report each finding through <paramref name="reporter"/>.</summary>
    /// <param name="reporter">Where findings go.</param>
    /// <param name="editorConfig">The severity configuration.</param>
    /// <param name="comparer">The default comparer with the suppression files applied.</param>
    private protected abstract void Run(NativeAbiReporter reporter, AbiEditorConfig editorConfig, AbiComparer comparer);
}
