using System.CommandLine;
using System.Text.Json;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Rpm;

namespace Abi.Cli.Commands;

/// <summary><c>abi compat</c>: would glibc's dynamic loader accept these binaries on that system?</summary>
internal static class CompatCommands
{
    /// <summary>Exit code when the loader would refuse at least one binary.</summary>
    public const int Incompatible = 12;

    public static void Register(RootCommand root)
    {
        var binaries = new Argument<string[]>("BINARY") { Arity = ArgumentArity.ZeroOrMore, Description = "ELF executables or shared libraries on this machine." };
        var sysroot = new Option<string?>("--sysroot") { Description = "An unpacked distribution: only its folders are searched (its ld.so.conf, lib64, multiarch folders)." };
        var libPath = new Option<string?>("--lib-path") { Description = "Folders searched first, as LD_LIBRARY_PATH on this machine (DIR[:DIR...]); then this machine's own folders." };
        var rpms = new Option<string[]>("--rpms") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "RPM packages forming the target system (read in place, nothing extracted)." };
        var packages = new Option<string[]>("--package") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "Application packages, installed together on the target in memory (they need not be among --rpms); every ELF executable and shared library they install is checked there." };
        var installed = new Option<string[]>("--installed") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "Binaries that are part of the target, by their path inside it (with --sysroot or --rpms)." };
        var baselines = new Option<string[]>("--baselines") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "Baselines of the target's libraries (Abi.Sdk JSON, abidw ABIXML or ELF files), each standing in as a stub library; a later one of the same SONAME wins." };
        var preload = new Option<string?>("--preload") { Description = "Objects preloaded as LD_PRELOAD preloads them (LIST separated by colons or spaces); the target's /etc/ld.so.preload is read too." };
        var json = new Option<bool>("--json") { Description = "One JSON object per binary per line." };
        var compat = new Command("compat", "Predict whether glibc's dynamic loader would load and bind each binary on the target: exit 0 if all would run, 12 if one would not, 1 on error.")
        {
            binaries, sysroot, libPath, rpms, baselines, packages, installed, preload, json,
        };
        compat.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(binaries) ?? [], r.GetValue(sysroot), r.GetValue(libPath), r.GetValue(rpms), r.GetValue(baselines), r.GetValue(packages) ?? [], r.GetValue(installed) ?? [], r.GetValue(preload), r.GetValue(json))));
        root.Subcommands.Add(compat);
    }

    private static int Run(string[] binaries, string? sysroot, string? libPath, string[]? rpms, string[]? baselines, string[] packages, string[] installed, string? preload, bool json)
    {
        int chosen = (sysroot is null ? 0 : 1) + (libPath is null ? 0 : 1) + (rpms is { Length: > 0 } ? 1 : 0) + (baselines is { Length: > 0 } ? 1 : 0);
        if (chosen != 1)
        {
            Console.Error.WriteLine("abi: compat: give exactly one target: --sysroot DIR, --lib-path DIR[:DIR...], --rpms RPM... or --baselines FILE...");
            return 1;
        }

        if (installed.Length > 0 && sysroot is null && rpms is not { Length: > 0 })
        {
            Console.Error.WriteLine("abi: compat: --installed needs --sysroot or --rpms: otherwise give the binaries as arguments");
            return 1;
        }

        if (binaries.Length + packages.Length + installed.Length == 0)
        {
            Console.Error.WriteLine("abi: compat: nothing to check: give BINARY..., --installed PATH... or --package RPM...");
            return 1;
        }

        Target system;
        try
        {
            system = sysroot is not null ? Target.Sysroot(sysroot)
                : rpms is { Length: > 0 } ? Target.FromRpms(rpms)
                : baselines is { Length: > 0 } ? Target.FromBaselines(baselines.Select(AbiSurface.Open).ToList(), baselines.Length == 1 ? baselines[0] : $"{baselines.Length} baselines")
                : Target.LibraryPaths(libPath!.Split([':', ';'], StringSplitOptions.RemoveEmptyEntries));
        }
        catch (ArgumentException ex)
        {
            // A baseline with neither SONAME nor file name cannot be placed in the target.
            Console.Error.WriteLine($"abi: compat: {ex.Message}");
            return 1;
        }

        using var owned = system;
        using var preloaded = string.IsNullOrWhiteSpace(preload) ? null : system.WithPreload([preload]);
        var target = preloaded ?? system;
        using var output = new Output();
        bool allCompatible = true;
        void Report(CompatibilityVerdict verdict)
        {
            allCompatible &= verdict.IsCompatible;
            if (json)
            {
                output.JsonLine(w => WriteJson(w, verdict));
            }
            else
            {
                WriteText(output, verdict);
            }
        }

        foreach (var binary in binaries)
        {
            Report(CompatibilityChecker.Check(binary, target));
        }

        foreach (var path in installed)
        {
            Report(CompatibilityChecker.CheckInstalled(path, target));
        }

        if (packages.Length > 0)
        {
            foreach (var verdict in CompatibilityChecker.CheckPackages(packages.Select(RpmPackage.Open).ToList(), target))
            {
                Report(verdict);
            }
        }

        return allCompatible ? 0 : Incompatible;
    }

    private static void WriteText(Output output, CompatibilityVerdict verdict)
    {
        if (!verdict.IsDynamic)
        {
            output.WriteLine($"{verdict.Binary}: compatible (statically linked)");
            return;
        }

        output.WriteLine($"{verdict.Binary}: {(verdict.IsCompatible ? "compatible" : "incompatible")}");
        foreach (var m in verdict.MissingLibraries)
        {
            output.WriteLine($"  missing library {m.Name} (needed by {m.NeededBy})");
        }

        foreach (var m in verdict.MissingVersions)
        {
            var symbols = m.Symbols.IsEmpty ? string.Empty : $" [{string.Join(", ", m.Symbols)}]";
            output.WriteLine($"  missing version {m.Library}: {m.Version} (needed by {m.RequiredBy}){symbols}");
        }

        foreach (var m in verdict.MissingSymbols)
        {
            var version = m.Version is null ? string.Empty : $", version {m.Version} from {m.Library}";
            output.WriteLine($"  undefined symbol {m.Name}{version} (referenced by {m.ReferencedBy})");
        }

        foreach (var m in verdict.MissingWeakVersions)
        {
            output.WriteLine($"  warning: weak version {m.Library}: {m.Version} not found (needed by {m.RequiredBy})");
        }

        foreach (var name in verdict.IgnoredPreloads)
        {
            output.WriteLine($"  warning: preload {name} cannot be loaded: ignored");
        }

        foreach (var c in verdict.CopyRelocationSizeChanges)
        {
            output.WriteLine($"  warning: copy-relocated {c.Name} is {c.TargetSize} bytes in {c.DefinedIn}, {c.LinkedSize} when linked");
        }
    }

    private static void WriteJson(Utf8JsonWriter w, CompatibilityVerdict verdict)
    {
        w.WriteStartObject();
        w.WriteString("binary", verdict.Binary);
        w.WriteBoolean("compatible", verdict.IsCompatible);
        w.WriteStartArray("missingLibraries");
        foreach (var m in verdict.MissingLibraries)
        {
            w.WriteStringValue(m.Name);
        }

        w.WriteEndArray();
        WriteVersions(w, "missingVersions", verdict.MissingVersions);
        w.WriteStartArray("missingSymbols");
        foreach (var m in verdict.MissingSymbols)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteStringOrNull("version", m.Version);
            w.WriteStringOrNull("library", m.Version is null ? null : m.Library);

            w.WriteString("referencedBy", m.ReferencedBy.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();

        // What the loader only warns about.
        WriteVersions(w, "missingWeakVersions", verdict.MissingWeakVersions);
        w.WriteStartArray("copyRelocationSizeChanges");
        foreach (var c in verdict.CopyRelocationSizeChanges)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteStringOrNull("version", c.Version);

            w.WriteString("library", c.DefinedIn);
            w.WriteNumber("linkedSize", c.LinkedSize);
            w.WriteNumber("targetSize", c.TargetSize);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("ignoredPreloads");
        foreach (var name in verdict.IgnoredPreloads)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteVersions(Utf8JsonWriter w, string property, System.Collections.Immutable.ImmutableArray<MissingVersion> versions)
    {
        w.WriteStartArray(property);
        foreach (var m in versions)
        {
            w.WriteStartObject();
            w.WriteString("library", m.Library);
            w.WriteString("version", m.Version);
            w.WriteString("requiredBy", m.RequiredBy.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
