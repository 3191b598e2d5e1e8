using System.CommandLine;
using System.Text.Json;
using Abi.Sdk.Abi;

namespace Abi.Cli.Commands;

/// <summary><c>abi compat</c>: would glibc's dynamic loader accept these binaries on that system?</summary>
internal static class CompatCommands
{
    /// <summary>Exit code when the loader would refuse at least one binary.</summary>
    public const int Incompatible = 12;

    public static void Register(RootCommand root)
    {
        var binaries = new Argument<string[]>("BINARY") { Arity = ArgumentArity.OneOrMore, Description = "ELF executables or shared libraries on this machine." };
        var sysroot = new Option<string?>("--sysroot") { Description = "An unpacked distribution: only its folders are searched (its ld.so.conf, lib64, multiarch folders)." };
        var libPath = new Option<string?>("--lib-path") { Description = "Folders searched first, as LD_LIBRARY_PATH on this machine (DIR[:DIR...]); then this machine's own folders." };
        var rpms = new Option<string[]>("--rpms") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "RPM packages forming the target system (read in place, nothing extracted)." };
        var baselines = new Option<string[]>("--baselines") { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Description = "Baselines of the target's libraries (Abi.Sdk JSON, abidw ABIXML or ELF files), each standing in as a stub library; a later one of the same SONAME wins." };
        var json = new Option<bool>("--json") { Description = "One JSON object per binary per line." };
        var compat = new Command("compat", "Predict whether glibc's dynamic loader would load and bind each binary on the target: exit 0 if all would run, 12 if one would not, 1 on error.")
        {
            binaries, sysroot, libPath, rpms, baselines, json,
        };
        compat.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(binaries)!, r.GetValue(sysroot), r.GetValue(libPath), r.GetValue(rpms), r.GetValue(baselines), r.GetValue(json))));
        root.Subcommands.Add(compat);
    }

    private static int Run(string[] binaries, string? sysroot, string? libPath, string[]? rpms, string[]? baselines, bool json)
    {
        int chosen = (sysroot is null ? 0 : 1) + (libPath is null ? 0 : 1) + (rpms is { Length: > 0 } ? 1 : 0) + (baselines is { Length: > 0 } ? 1 : 0);
        if (chosen != 1)
        {
            Console.Error.WriteLine("abi: compat: give exactly one target: --sysroot DIR, --lib-path DIR[:DIR...], --rpms RPM... or --baselines FILE...");
            return 1;
        }

        Target target;
        try
        {
            target = sysroot is not null ? Target.Sysroot(sysroot)
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

        using var owned = target;
        using var output = new Output();
        bool allCompatible = true;
        foreach (var binary in binaries)
        {
            var verdict = Compatibility.Check(binary, target);
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
        w.WriteStartArray("missingVersions");
        foreach (var m in verdict.MissingVersions)
        {
            w.WriteStartObject();
            w.WriteString("library", m.Library);
            w.WriteString("version", m.Version);
            w.WriteString("requiredBy", m.RequiredBy.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("missingSymbols");
        foreach (var m in verdict.MissingSymbols)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            if (m.Version is null)
            {
                w.WriteNull("version");
                w.WriteNull("library");
            }
            else
            {
                w.WriteString("version", m.Version);
                w.WriteString("library", m.Library);
            }

            w.WriteString("referencedBy", m.ReferencedBy.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
