using System.CommandLine;
using Abi.Sdk;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Distribution;
using Abi.Sdk.Reporting;

namespace Abi.Cli.Commands;

/// <summary><c>abi pkgdiff</c> and <c>abi distdiff</c>: two builds of a package, or a reference distribution and its rebuild.</summary>
internal static class DistCommands
{
    public static void Register(RootCommand root)
    {
        var json = new Option<bool>("--json") { Description = "Write the JSON report (docs/schemas) instead of text." };
        var sarif = new Option<bool>("--sarif") { Description = "Write a SARIF 2.1.0 log instead of text." };
        var html = new Option<string?>("--html") { Description = "Also write a self-contained HTML report to this file." };
        var suppressions = new Option<string[]>("--suppressions", "--suppr") { Description = "A libabigail suppression file for the library diffs; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var settings = new Option<string?>("--settings") { Description = "A settings file of severity overrides: {\"diagnostics\": {\"ABI3004\": \"none\"}}." };

        var oldRpm = new Argument<string>("OLD") { Description = "The old (reference) build of the package: an .rpm file." };
        var newRpm = new Argument<string>("NEW") { Description = "The new (rebuild) build of the package: an .rpm file." };
        var pkgdiff = new Command("pkgdiff", "Compare two builds of a package: EVR, dependencies (with range semantics), files, and the ABI of every shared library. Exit code: 0 compatible, 4 review, 12 incompatible, 1 error.")
        {
            oldRpm, newRpm, json, sarif, html, suppressions, settings,
        };
        pkgdiff.SetAction(r => Format("pkgdiff", r, json, sarif) is { } format
            ? Guard(() => PackageDiffCommand(r.GetValue(oldRpm)!, r.GetValue(newRpm)!, format, r.GetValue(html), AbiCommands.LoadComparer(r.GetValue(suppressions) ?? [], r.GetValue(settings))))
            : AbiExitCodes.UsageError);
        root.Subcommands.Add(pkgdiff);

        var reference = new Argument<string[]>("REF") { Description = "The reference distribution: folders of .rpm files, repositories (with repodata/), or .rpm files; merged.", Arity = ArgumentArity.OneOrMore };
        var against = new Option<string[]>("--against") { Description = "The rebuild: folders of .rpm files, repositories, or .rpm files; merged.", Arity = ArgumentArity.OneOrMore, Required = true, AllowMultipleArgumentsPerToken = true };
        var apps = new Option<string[]>("--app") { Description = "A third-party application package to check on the rebuild; repeatable.", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var cache = new Option<string?>("--cache") { Description = "A folder for the content-addressed cache of package facts: a re-run reads only changed packages." };
        var cpu = new Option<string?>("--cpu") { Description = "The CPU both systems run on (ISA-level checks, glibc-hwcaps): baseline (the default), x86-64-v2, x86-64-v3, x86-64-v4, host, or a list as abi compat --cpu takes." };
        var baseSysroot = new Option<string?>("--base-sysroot") { Description = "A system tree that supplies what neither set has (for example / for sample sets without glibc), beneath the rebuild's packages." };
        var distdiff = new Command("distdiff", "Compare a reference distribution with its rebuild, package by package and binary by binary. Exit code: 0 compatible, 4 review, 12 incompatible, plus 1 when some input could not be read.")
        {
            reference, against, apps, cache, baseSysroot, cpu, json, sarif, html, suppressions, settings,
        };
        distdiff.SetAction(r => Format("distdiff", r, json, sarif) is { } format
            ? Guard(() => DistributionDiffCommand(r.GetValue(reference)!, r.GetValue(against)!, r.GetValue(apps) ?? [], r.GetValue(cache), r.GetValue(baseSysroot), format, r.GetValue(html), AbiCommands.LoadComparer(r.GetValue(suppressions) ?? [], r.GetValue(settings)), r.GetValue(cpu)))
            : AbiExitCodes.UsageError);
        root.Subcommands.Add(distdiff);
    }

    private enum ReportFormat { Text, Json, Sarif }

    private static ReportFormat? Format(string command, ParseResult r, Option<bool> json, Option<bool> sarif)
    {
        if (r.GetValue(json) && r.GetValue(sarif))
        {
            Console.Error.WriteLine($"abi {command}: --json and --sarif cannot be combined");
            return null;
        }

        return r.GetValue(json) ? ReportFormat.Json : r.GetValue(sarif) ? ReportFormat.Sarif : ReportFormat.Text;
    }

    private static int PackageDiffCommand(string oldPath, string newPath, ReportFormat format, string? htmlPath, AbiComparer comparer)
    {
        var diff = PackageComparer.Default.WithLibraryComparer(comparer).Compare(oldPath, newPath);
        if (htmlPath is not null)
        {
            using var file = File.Create(htmlPath);
            diff.WriteHtml(file);
        }

        Print(format, diff.WriteJson, diff.WriteSarif, diff.WriteText);
        return diff.ExitCode;
    }

    private static int DistributionDiffCommand(string[] reference, string[] rebuild, string[] apps, string? cacheFolder, string? baseSysroot, ReportFormat format, string? htmlPath, AbiComparer comparer, string? cpuText = null)
    {
        TargetCpu? cpu;
        try
        {
            cpu = cpuText is null ? null : TargetCpu.Parse(cpuText);
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"abi: distdiff: --cpu: {ex.Message}");
            return 1;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops the run between packages; the tool then exits with the error bit.
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            using var progress = ProgressLine.ForStandardError("distdiff");
            var referenceSet = PackageCollection.Open(reference, progress, cancel.Token);
            var rebuildSet = PackageCollection.Open(rebuild, progress, cancel.Token);
            using var cache = cacheFolder is null ? null : new PackageContentCache(cacheFolder);
            using var baseSystem = baseSysroot is null ? null : Target.Sysroot(baseSysroot);
            var comparerOptions = DistributionComparer.Default with
            {
                Packages = PackageComparer.Default.WithLibraryComparer(comparer),
                Cache = cache,
                BaseSystem = baseSystem,
                Cpu = cpu,
            };
            var diff = comparerOptions.Compare(referenceSet, rebuildSet, apps, progress, cancel.Token);
            progress?.Dispose();
            if (htmlPath is not null)
            {
                using var file = File.Create(htmlPath);
                diff.WriteHtml(file);
            }

            Print(format, diff.WriteJson, diff.WriteSarif, diff.WriteText);
            return diff.ExitCode;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Writes the chosen report to standard output.</summary>
    private static void Print(ReportFormat format, Action<Stream> json, Action<Stream> sarif, Action<TextWriter> text)
    {
        using var output = new Output();
        switch (format)
        {
            case ReportFormat.Json:
                json(output.Stream);
                break;
            case ReportFormat.Sarif:
                sarif(output.Stream);
                break;
            default:
                using (var writer = new StreamWriter(output.Stream, leaveOpen: true) { NewLine = "\n" })
                {
                    text(writer);
                }

                break;
        }
    }

    private static int Guard(Func<int> body) => CliErrors.Guard(body, AbiExitCodes.Error);
}
