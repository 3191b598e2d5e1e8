using System.CommandLine;
using System.CommandLine.Invocation;
using Abi.Sdk;
using Abi.Sdk.Abi;
using Abi.Sdk.Reporting;

namespace Abi.Cli.Commands;

/// <summary><c>abi diff</c> and <c>abi dump</c>.</summary>
internal static class AbiCommands
{
    public static void Register(RootCommand root)
    {
        var oldFile = new Argument<string>("OLD") { Description = "The old library: an ELF file, an abi dump baseline (JSON) or abidw ABIXML." };
        var newFile = new Argument<string>("NEW") { Description = "The new library: an ELF file, an abi dump baseline (JSON) or abidw ABIXML." };
        var json = new Option<bool>("--json") { Description = "Write the JSON report (with abidiff-spelled 'removed' and 'added' lists)." };
        var sarif = new Option<bool>("--sarif") { Description = "Write a SARIF 2.1.0 log." };
        var suppressions = new Option<string[]>("--suppressions", "--suppr") { Description = "A libabigail suppression file; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var settings = new Option<string?>("--settings") { Description = "A settings file of severity overrides: {\"diagnostics\": {\"ABI1003\": \"none\"}}." };
        var debugRoot1 = new Option<string[]>("--debug-root1", "--d1") { Description = "Where the old library's separate debug files are (.build-id/NN/REST.debug or its debug link); repeatable. Default: /usr/lib/debug.", Arity = ArgumentArity.ZeroOrMore };
        var debugRoot2 = new Option<string[]>("--debug-root2", "--d2") { Description = "Where the new library's separate debug files are; repeatable. Default: /usr/lib/debug.", Arity = ArgumentArity.ZeroOrMore };
        var editorConfig = new Option<string[]>("--editorconfig") { Description = "An .editorconfig or global config file of Roslyn-style severities (dotnet_diagnostic.ABI1001.severity = warning); repeatable, later files win; sections match the NEW library's file name.", Arity = ArgumentArity.ZeroOrMore };
        var noTypes = new Option<bool>("--no-types") { Description = "Compare symbols only, not the types behind them (as without debug information)." };
        var dwoDir = new Option<string[]>("--dwo-dir") { Description = "Where split DWARF (.dwo files, NAME.dwp) of both libraries is when it is no longer where the build put it (DW_AT_comp_dir); looked up by the recorded name, then by file name; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var dwoDir1 = new Option<string[]>("--dwo-dir1") { Description = "As --dwo-dir, for the old library only; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var dwoDir2 = new Option<string[]>("--dwo-dir2") { Description = "As --dwo-dir, for the new library only; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var typeCache = new Option<string?>("--type-cache") { Description = "A folder of built type graphs: a library whose exact bytes and debug files were seen before is not decoded again. Default: $ABI_TYPE_CACHE; no cache when neither is given." };
        var diff = new Command("diff", "Compare the ABI of two versions of a library: symbols, and the types behind them when both have debug information. Exit code: abidiff's bits (1 error, 2 usage error, 4 ABI change, 8 incompatible change).")
        {
            oldFile, newFile, json, sarif, suppressions, settings, debugRoot1, debugRoot2, noTypes, editorConfig, dwoDir, dwoDir1, dwoDir2, typeCache,
        };
        diff.Action = new DiffAction(r =>
        {
            if (r.GetValue(json) && r.GetValue(sarif))
            {
                Console.Error.WriteLine("abi diff: --json and --sarif cannot be combined");
                return AbiExitCodes.UsageError;
            }

            var bothDwo = r.GetValue(dwoDir) ?? [];
            var types = new TypeOptions(r.GetValue(noTypes), r.GetValue(debugRoot1) ?? [], r.GetValue(debugRoot2) ?? [])
            {
                OldDwoDirs = [.. r.GetValue(dwoDir1) ?? [], .. bothDwo],
                NewDwoDirs = [.. r.GetValue(dwoDir2) ?? [], .. bothDwo],
                CacheFolder = TypeCacheFolder(r.GetValue(typeCache)),
            };
            return Guard(() => Diff(r.GetValue(oldFile)!, r.GetValue(newFile)!, r.GetValue(json), r.GetValue(sarif), r.GetValue(suppressions) ?? [], r.GetValue(settings), types, r.GetValue(editorConfig) ?? []));
        });
        root.Subcommands.Add(diff);

        var file = new Argument<string>("FILE") { Description = "An ELF library (or a baseline or ABIXML file to normalise)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the baseline to this file instead of standard output." };
        var debugRoot = new Option<string[]>("--debug-root", "--d") { Description = "Where the library's separate debug files are; repeatable. Default: /usr/lib/debug.", Arity = ArgumentArity.ZeroOrMore };
        var dumpNoTypes = new Option<bool>("--no-types") { Description = "Record symbols only, not the types behind them." };
        var dumpDwoDir = new Option<string[]>("--dwo-dir") { Description = "Where the library's split DWARF (.dwo files, NAME.dwp) is when it is no longer where the build put it; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var dumpTypeCache = new Option<string?>("--type-cache") { Description = "A folder of built type graphs (as abi diff's). Default: $ABI_TYPE_CACHE; no cache when neither is given." };
        var dump = new Command("dump", "Write the ABI surface of a library, and the types behind its exported symbols when it has debug information, as a stable, diff-friendly JSON baseline.") { file, output, debugRoot, dumpNoTypes, dumpDwoDir, dumpTypeCache };
        dump.SetAction(r => Guard(() => Dump(r.GetValue(file)!, r.GetValue(output), r.GetValue(debugRoot) ?? [], r.GetValue(dumpNoTypes), r.GetValue(dumpDwoDir) ?? [], TypeCacheFolder(r.GetValue(dumpTypeCache)))));
        root.Subcommands.Add(dump);
    }

    /// <summary>
    /// What <c>abi diff</c> may allocate for the two type graphs, the comparison and the report before the collector
    /// runs: the glibc pair's graphs need under 48 MB of small objects (large ones are counted apart). A larger budget
    /// only piles up garbage for larger pairs (libstdc++ against itself allocates 91 MB: 192 MB without a collection
    /// peaked 21 MB higher for no CPU saved), so past this the runtime collects as before.
    /// </summary>
    private const long PairCollectionBudget = 64L << 20;

    private sealed record TypeOptions(bool NoTypes, string[] OldRoots, string[] NewRoots)
    {
        public string[] OldDwoDirs { get; init; } = [];

        public string[] NewDwoDirs { get; init; } = [];

        /// <summary>The folder of built type graphs (<c>--type-cache</c>, else <c>$ABI_TYPE_CACHE</c>), or null for none.</summary>
        public string? CacheFolder { get; init; }
    }

    /// <summary>The type-graph cache folder: the option, else <c>ABI_TYPE_CACHE</c>; none unless one is given (a tool must not write into a home folder unasked).</summary>
    private static string? TypeCacheFolder(string? option) =>
        !string.IsNullOrEmpty(option) ? option : Environment.GetEnvironmentVariable("ABI_TYPE_CACHE") is { Length: > 0 } env ? env : null;

    /// <summary>Opens the type-graph cache folder; a folder that cannot be created (a file in its place, no permission) is one error naming the option.</summary>
    private static AbiTypeGraphCache OpenTypeCache(string folder)
    {
        try
        {
            return new AbiTypeGraphCache(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the type-graph cache folder '{folder}' (--type-cache or ABI_TYPE_CACHE) cannot be used: {e.Message}", e);
        }
    }

    private static int Diff(string oldPath, string newPath, bool json, bool sarif, string[] suppressionFiles, string? settingsFile, TypeOptions types, string[] editorConfigFiles)
    {
        var comparer = LoadComparer(suppressionFiles, settingsFile);
        if (editorConfigFiles.Length > 0)
        {
            // Roslyn-style severities, as the MSBuild package (Abi.Sdk.Build) applies them; over the settings file.
            var editor = editorConfigFiles.Select(AbiEditorConfig.Load).Aggregate(AbiEditorConfig.Empty, (a, b) => a.Merge(b));
            comparer = comparer.WithSeverities(editor.ToSeverities(comparer.SupportedDiagnostics, newPath));
        }

        // The two sides share nothing: with two cores or more, load them (and build their type graphs) side by side.
        // One build of a libc holds about 21 MB at its peak; on one core the second is built after the first, with a
        // collection in between, so only one builder's memory is ever live: the same CPU time, a fifth less peak RSS
        // (docs/perf-abi.md "Type diff memory, this stop").
        // With two cores, no collector from here to the report: each collection stopped both builders and marked
        // both live sets (the glibc pair: 3 collections, 200-290 ms of pauses, a third more CPU than building in
        // turn), and the first one after the builds walked their whole garbage (15 % of the instructions) to free
        // memory the comparison hardly needs; a build's garbage is not reclaimed before it ends anyway
        // (docs/perf-abi.md "The glibc pair on two cores").
        // Only when both libraries have debug information: a symbol-level diff of large libraries (libLLVM) spends
        // the budget and then collects later and dearer (+2 % instructions).
        // With a type cache, both graphs are looked up first (hashing the inputs, side by side): a graph read from
        // the cache is built by nobody, so the region is only worth entering when a side still has to be built.
        var cache = types.NoTypes || types.CacheFolder is null ? null : OpenTypeCache(types.CacheFolder);
        CachedSide? oldCached = null, newCached = null;
        if (cache is not null)
        {
            var oldLookup = Environment.ProcessorCount > 1 ? Task.Run(() => LookUp(cache, oldPath, types.OldRoots, types.OldDwoDirs)) : null;
            newCached = LookUp(cache, newPath, types.NewRoots, types.NewDwoDirs);
            oldCached = oldLookup is null ? LookUp(cache, oldPath, types.OldRoots, types.OldDwoDirs) : oldLookup.GetAwaiter().GetResult();
        }

        using var oldImage = oldCached?.Image;
        using var newImage = newCached?.Image;
        bool bothCached = oldCached?.Graph is not null && newCached?.Graph is not null;
        long oldDebugInfo = 0, newDebugInfo = 0;
        bool buildsTypes = !types.NoTypes && !bothCached
            && (oldDebugInfo = DebugInfoSize(oldPath, types.OldRoots)) > 0 && (newDebugInfo = DebugInfoSize(newPath, types.NewRoots)) > 0;
        if (buildsTypes && oldDebugInfo + newDebugInfo >= HugeHeapPages.DebugInfoWorthIt)
        {
            // Tens of MB of fresh heap for the graphs: in 2 MB pages, not 4 KB ones (docs/perf-abi.md "The cold glibc pair").
            HugeHeapPages.Advise();
        }

        // A diff reads types' declaration files only for suppressions that name source locations; a graph stored in
        // the type cache must have them (abi dump may read it).
        bool files = cache is not null || comparer.Suppressions.Any(s => s.ReadsDeclarationFiles);
        using var noCollection = Environment.ProcessorCount > 1 && buildsTypes ? NoCollectionRegion.Enter(PairCollectionBudget) : null;
        AbiSurface oldSurface, newSurface;
        AbiTypeGraph? oldTypes, newTypes;
        if (Environment.ProcessorCount > 1)
        {
            var oldSide = Task.Run(() => Load(oldPath, types.OldRoots, types.NoTypes, types.OldDwoDirs, cache, oldCached, files));
            (newSurface, newTypes) = Load(newPath, types.NewRoots, types.NoTypes, types.NewDwoDirs, cache, newCached, files);
            (oldSurface, oldTypes) = oldSide.GetAwaiter().GetResult();
        }
        else
        {
            (oldSurface, oldTypes) = Load(oldPath, types.OldRoots, types.NoTypes, types.OldDwoDirs, cache, oldCached, files);
            if (!types.NoTypes && oldCached?.Graph is null)
            {
                GC.Collect();
            }

            (newSurface, newTypes) = Load(newPath, types.NewRoots, types.NoTypes, types.NewDwoDirs, cache, newCached, files);
        }

        // The JSON report begins with both surfaces' fingerprints (a hash of every symbol, about a fifth of the
        // report's CPU on libLLVM): the comparison runs on one thread, so they are computed beside it.
        var fingerprints = json && Environment.ProcessorCount > 1
            ? Task.Run(() => (oldSurface.Fingerprint, newSurface.Fingerprint))
            : null;
        var result = types.NoTypes
            ? comparer.Compare(oldSurface, newSurface)
            : comparer.Compare(oldSurface, newSurface, oldTypes, newTypes);
        fingerprints?.GetAwaiter().GetResult();
        using var output = new Output();
        if (json)
        {
            result.WriteJson(output.Unbuffered);
        }
        else if (sarif)
        {
            result.WriteSarif(output.Unbuffered);
        }
        else
        {
            using var writer = new StreamWriter(output.Stream, leaveOpen: true) { NewLine = "\n" };
            result.WriteText(writer);
        }

        return result.ExitCode;
    }

    /// <summary>
    /// A library's surface and types: an ELF file's from its debug information (found as abidiff finds it), a
    /// baseline's (abi dump JSON or abidw ABIXML) from what it records; without types, a graph that says why.
    /// </summary>
    private static (AbiSurface Surface, AbiTypeGraph? Types) Load(string path, string[] roots, bool noTypes, string[] dwoDirs, AbiTypeGraphCache? cache = null, CachedSide? cached = null, bool declarationFiles = true)
    {
        // The surface first: it refuses what is not a regular file (a FIFO would block the probe below).
        var surface = AbiSurface.Open(path);
        if (cached?.Graph is { } hit)
        {
            return (surface, hit);
        }

        if (noTypes || IsElf(path))
        {
            return (surface, noTypes ? null : LoadTypes(path, roots, dwoDirs, cache, cached?.Image, declarationFiles));
        }

        var baseline = AbiBaseline.OpenWithTypes(path);
        return (baseline.Surface, baseline.Types);
    }

    /// <summary>
    /// The size of an ELF library's <c>.debug_info</c> (as stored: compressed or not), in the file or in the debug file
    /// where the graph will look for one; 0 when there is none (cheap: a section lookup and a few file probes).
    /// </summary>
    private static long DebugInfoSize(string path, string[] roots)
    {
        try
        {
            // ElfImage.Open refuses what is not a regular file (a FIFO would block) and what is not ELF (a baseline).
            using var image = Abi.Sdk.Elf.ElfImage.Open(path);
            if (image.FindSection(".debug_info") is { } inFile)
            {
                return (long)Math.Min(inFile.Size, long.MaxValue);
            }

            if (new Abi.Sdk.Dwarf.DebugInfoLocator(roots.Length > 0 ? roots : null).Locate(image) is not { } location)
            {
                return 0;
            }

            try
            {
                using var debug = Abi.Sdk.Elf.ElfImage.Open(location.Path);
                return Math.Max(1, (long)Math.Min(debug.FindSection(".debug_info")?.Size ?? 0, long.MaxValue));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or AbiSdkFormatException)
            {
                return 1; // found, but the graph's load will say what is wrong with it
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AbiSdkFormatException)
        {
            return 0; // the load itself reports what is wrong with the file
        }
    }

    private static bool IsElf(string path)
    {
        Span<byte> prefix = stackalloc byte[4];
        int n;
        using (var probe = File.OpenRead(path))
        {
            n = probe.ReadAtLeast(prefix, 4, throwOnEndOfStream: false);
        }

        return Abi.Sdk.Elf.ElfImage.IsElf(prefix[..n]);
    }

    /// <summary>
    /// A side looked up in the type cache: the graph on a hit; on a miss the library's image, kept open so that the
    /// build that follows reuses the look-up's hashes.
    /// </summary>
    private sealed record CachedSide(AbiTypeGraph? Graph, Abi.Sdk.Elf.ElfImage? Image);

    private static CachedSide? LookUp(AbiTypeGraphCache cache, string path, string[] roots, string[] dwoDirs)
    {
        Abi.Sdk.Elf.ElfImage? image = null;
        try
        {
            if (!IsElf(path))
            {
                return null; // a baseline: its types are read from it
            }

            image = Abi.Sdk.Elf.ElfImage.Open(path);
            if (cache.TryGet(image, roots.Length > 0 ? roots : null, dwoDirs, out var graph))
            {
                image.Dispose();
                return new CachedSide(graph, null);
            }

            return new CachedSide(null, image);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AbiSdkFormatException)
        {
            image?.Dispose();
            return null; // the load itself reports what is wrong with the file
        }
    }

    /// <summary>The types of an ELF library from its debug information; debug information that cannot be read leaves the diff at the symbol level, saying why.</summary>
    private static AbiTypeGraph LoadTypes(string path, string[] roots, string[] dwoDirs, AbiTypeGraphCache? cache = null, Abi.Sdk.Elf.ElfImage? opened = null, bool declarationFiles = true)
    {
        using var owned = opened is null ? Abi.Sdk.Elf.ElfImage.Open(path) : null;
        var image = opened ?? owned!;
        try
        {
            return cache is null
                ? AbiTypeGraph.Load(image, roots.Length > 0 ? roots : null, dwoDirs, declarationFiles)
                : AbiTypeGraph.Load(image, roots.Length > 0 ? roots : null, dwoDirs, cache);
        }
        catch (AbiSdkFormatException e)
        {
            return AbiTypeGraph.Unavailable($"the debug information of {path} could not be read: {e.Message}");
        }
    }

    /// <summary>The default comparer with a settings file's severities and the suppression files (their warnings on stderr); shared by diff, pkgdiff and distdiff.</summary>
    internal static AbiComparer LoadComparer(string[] suppressionFiles, string? settingsFile)
    {
        var comparer = AbiComparer.Default;
        if (settingsFile is not null)
        {
            comparer = comparer.WithSeverities(AbiSeverityConfiguration.Load(settingsFile));
        }

        foreach (var path in suppressionFiles)
        {
            var file = AbiSuppressionFile.Load(path);
            foreach (var warning in file.Warnings)
            {
                Console.Error.WriteLine($"abi: warning: {path}: {warning}");
            }

            comparer = comparer.WithSuppressions(file.Suppressions);
        }

        return comparer;
    }

    private static int Dump(string path, string? outputPath, string[] roots, bool noTypes, string[] dwoDirs, string? cacheFolder)
    {
        var cache = noTypes || cacheFolder is null ? null : OpenTypeCache(cacheFolder);

        // As abi diff does: the cache first, so that a graph read from it is neither probed for nor given huge pages.
        var cached = cache is null ? null : LookUp(cache, path, roots, dwoDirs);
        using var cachedImage = cached?.Image;
        if (!noTypes && cached?.Graph is null && DebugInfoSize(path, roots) >= HugeHeapPages.DebugInfoWorthIt)
        {
            // A graph built from DWARF allocates tens of MB of fresh heap: in 2 MB pages, not 4 KB ones.
            HugeHeapPages.Advise();
        }

        var (surface, types) = Load(path, roots, noTypes, dwoDirs, cache, cached);
        if (types is { HasDebugInfo: false })
        {
            Console.Error.WriteLine($"abi dump: types not recorded: {types.UnavailableReason}");
        }

        foreach (var missing in types?.MissingSplitUnits ?? [])
        {
            Console.Error.WriteLine($"abi dump: types partly recorded: split DWARF {missing}");
        }

        if (outputPath is not null)
        {
            AbiBaseline.Write(surface, types, outputPath);
            return 0;
        }

        using var output = new Output();
        AbiBaseline.Write(surface, types, output.Stream);
        return 0;
    }

    /// <summary><see cref="CliErrors.Guard"/> with abidiff's error bit as the exit code.</summary>
    private static int Guard(Func<int> body) => CliErrors.Guard(body, AbiExitCodes.Error);

    /// <summary>Runs <c>abi diff</c> even when parsing failed, so that usage errors exit with abidiff's 2, not 1.</summary>
    private sealed class DiffAction(Func<ParseResult, int> body) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            if (parseResult.Errors.Count > 0 || parseResult.UnmatchedTokens.Count > 0)
            {
                foreach (var token in parseResult.UnmatchedTokens)
                {
                    Console.Error.WriteLine($"abi diff: unrecognized argument '{token}'");
                }

                foreach (var error in parseResult.Errors)
                {
                    Console.Error.WriteLine($"abi diff: {error.Message}");
                }

                Console.Error.WriteLine("usage: abi diff OLD NEW [--json|--sarif] [--suppressions FILE]... [--settings FILE] [--debug-root1 DIR]... [--debug-root2 DIR]... [--dwo-dir[12] DIR]... [--no-types] [--editorconfig FILE]... [--type-cache DIR]");
                return AbiExitCodes.UsageError;
            }

            return body(parseResult);
        }
    }
}
