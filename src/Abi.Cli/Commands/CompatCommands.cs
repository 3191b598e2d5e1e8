using System.CommandLine;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Reporting;
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
        var kernel = new Option<string?>("--kernel") { Description = "The Linux kernel release the target runs (4.18.0, 5.14.0-284.el9): loaders before glibc 2.36 skip libraries whose ABI tag asks for a newer one, and refuse to start on a kernel older than their C library's. Default: this machine's with --lib-path, unknown (not checked) otherwise." };
        var cpu = new Option<string?>("--cpu") { Description = "The target's CPU: baseline, x86-64-v2, x86-64-v3, x86-64-v4 or host, optionally followed by ,platform=NAME and hwcap names (x86-64-v4,platform=haswell,avx512_1). Default: host with --lib-path, baseline otherwise." };
        var compat = new Command("compat", "Predict whether glibc's dynamic loader would load and bind each binary on the target: exit 0 if all would run, 12 if one would not, 1 on error.")
        {
            binaries, sysroot, libPath, rpms, baselines, packages, installed, preload, json, kernel, cpu,
        };
        compat.SetAction(r => CliErrors.Guard(() => Run(r.GetValue(binaries) ?? [], r.GetValue(sysroot), r.GetValue(libPath), r.GetValue(rpms), r.GetValue(baselines), r.GetValue(packages) ?? [], r.GetValue(installed) ?? [], r.GetValue(preload), r.GetValue(json), r.GetValue(kernel), r.GetValue(cpu))));
        root.Subcommands.Add(compat);
    }

    private static int Run(string[] binaries, string? sysroot, string? libPath, string[]? rpms, string[]? baselines, string[] packages, string[] installed, string? preload, bool json, string? kernel = null, string? cpuText = null)
    {
        Version? kernelVersion = null;
        if (kernel is not null && (kernelVersion = ParseKernel(kernel)) is null)
        {
            Console.Error.WriteLine($"abi: compat: --kernel: '{kernel}' is not a kernel release (MAJOR.MINOR[.PATCH][-...])");
            return 1;
        }

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

        TargetCpu? cpu = null;
        try
        {
            cpu = cpuText is null ? null : TargetCpu.Parse(cpuText);
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"abi: compat: --cpu: {ex.Message}");
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
        using var onCpu = cpu is null ? null : system.WithCpu(cpu);
        using var preloaded = string.IsNullOrWhiteSpace(preload) ? null : (onCpu ?? system).WithPreload([preload]);
        using var kerneled = kernelVersion is null ? null : (preloaded ?? onCpu ?? system).WithKernel(kernelVersion);
        var target = kerneled ?? preloaded ?? onCpu ?? system;
        using var output = new Output();

        // Disposed before the output: its buffered text reaches the stream first.
        using var text = json ? null : new StreamWriter(output.Stream, leaveOpen: true) { NewLine = "\n" };
        bool allCompatible = true;
        void Report(CompatibilityVerdict verdict)
        {
            allCompatible &= verdict.IsCompatible;
            if (text is null)
            {
                verdict.WriteJson(output.Stream);
            }
            else
            {
                verdict.WriteText(text);
            }
        }

        // A check allocates some 55 KB per binary, and most of what outlives it is the target's cache of the libraries
        // read: a collection would mostly copy that cache from generation to generation (over /usr/bin, 3 or 4 of
        // them cost 11 % of the instructions and 60 ms of CPU). So none runs until this budget is spent, and then the
        // runtime collects as usual.
        using var noCollection = NoCollectionRegion.Enter(Math.Min(1L << 30, (32L << 20) + ((binaries.Length + installed.Length) * (96L << 10))));

        // Each binary's check is independent and the target is thread-safe (each library is read once, whichever
        // thread reaches it first): the checks run on every core, the verdicts are written in the order given.
        foreach (var verdict in OrderedParallel.Select(binaries, binary => CompatibilityChecker.Check(binary, target)))
        {
            Report(verdict);
        }

        foreach (var verdict in OrderedParallel.Select(installed, path => CompatibilityChecker.CheckInstalled(path, target)))
        {
            Report(verdict);
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

    /// <summary>A kernel release as uname -r prints it: its first three numeric parts (4.18.0-553.el8 is 4.18.0).</summary>
    internal static Version? ParseKernel(string release)
    {
        var parts = new int[3];
        int count = 0;
        foreach (var part in release.Split('.', 3))
        {
            int digits = 0;
            while (digits < part.Length && char.IsAsciiDigit(part[digits]))
            {
                digits++;
            }

            if (digits == 0 || !int.TryParse(part.AsSpan(0, digits), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parts[count]))
            {
                break;
            }

            count++;
            if (digits < part.Length)
            {
                break; // 5.14.0-284: the rest is the distribution's
            }
        }

        return count >= 2 ? new Version(parts[0], parts[1], parts[2]) : null;
    }
}
