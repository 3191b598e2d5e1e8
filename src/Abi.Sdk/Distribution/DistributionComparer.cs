using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>
/// Compares a reference distribution with its rebuild: pairs their packages by name and architecture, diffs each
/// pair, and loads every ELF executable and shared library of the reference (and of added application packages) on
/// the rebuild as glibc's loader would, nothing extracted to disk. See docs/distribution.md.
/// </summary>
/// <remarks>
/// A binary's problems on the rebuild are findings only when the same binary loads without them on the reference
/// (checked the same way, against the reference's own packages): a plugin that needs its host program's symbols, or a
/// binary that needs a library neither set has, is not the rebuild's doing. <see cref="BinaryVerdict.Check"/> keeps the
/// whole result on the rebuild.
/// </remarks>
public sealed record DistributionComparer
{
    /// <summary>The folders the rebuild's libraries are searched in first when a <see cref="BaseSystem"/> lies beneath it (the lib64 folders of RPM distributions).</summary>
    private static readonly ImmutableArray<string> RebuildLibraryPath = ["/lib64", "/usr/lib64"];

    /// <summary>The merged-/usr links the filesystem package of every RPM distribution since RHEL 7 makes.</summary>
    private static readonly ImmutableArray<(string Link, string Target)> MergedUsr =
        [("/bin", "usr/bin"), ("/sbin", "usr/sbin"), ("/lib", "usr/lib"), ("/lib64", "usr/lib64")];

    /// <summary>The comparer with the defaults: every core, the default payload limits, no base system.</summary>
    public static DistributionComparer Default { get; } = new();

    /// <summary>How many packages are read and checked at once; the number of cores by default.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Payload limits for every package read, or <see langword="null"/> for the defaults.</summary>
    public RpmPayloadOptions? PayloadOptions { get; init; }

    /// <summary>
    /// A system beneath the packages of both sets, supplying what neither has: for example this machine
    /// (<see cref="Target.Host"/> or <c>Target.Sysroot("/")</c>) when the sets are small samples without a C library.
    /// A set's files win over it; the sets' lib64 folders are searched first, as <c>LD_LIBRARY_PATH=/lib64:/usr/lib64</c>
    /// would make the loader search them. <see langword="null"/> (the default): the sets alone. The comparer does not
    /// dispose it.
    /// </summary>
    public Target? BaseSystem { get; init; }

    /// <summary>
    /// The CPU both sets' systems run on (their ISA-level checks and glibc-hwcaps subfolders), or <see langword="null"/>
    /// (the default) for <see cref="TargetCpu.Baseline"/>, or the base system's own when there is one.
    /// </summary>
    public TargetCpu? Cpu { get; init; }

    /// <summary>
    /// Compares the two builds of each package both sets have (docs/distribution.md, "Package diff"): its library
    /// comparer's rules, suppressions and severities apply to every library pair, and its severities to the
    /// <c>ABI3xxx</c> findings too.
    /// </summary>
    public PackageComparer Packages { get; init; } = PackageComparer.Default;

    /// <summary>
    /// The content-addressed cache of package contents, or <see langword="null"/> (the default) to read every payload.
    /// With a cache, a package read before (the same bytes, by SHA-256) is not decompressed again, and its ELF files are
    /// memory-mapped from the cache rather than held in memory. The comparer does not dispose it; the diff's
    /// verdicts do not refer to it after the comparison.
    /// </summary>
    public PackageContentCache? Cache { get; init; }

    private PackageContent ReadContent(PackageCollectionEntry entry, CancellationToken cancellationToken)
        => Cache is { } cache
            ? cache.Read(entry.Path, PayloadOptions, cancellationToken)
            : PackageContent.FromPackage(entry.Package, entry.Path, PayloadOptions, cancellationToken);

    /// <summary>Compares a reference distribution with its rebuild; see <see cref="CompareAsync"/>.</summary>
    /// <param name="reference">The reference set.</param>
    /// <param name="rebuild">The rebuild set.</param>
    /// <param name="applications">Application packages (<c>.rpm</c> files) to install and check on the rebuild, or <see langword="null"/>.</param>
    /// <param name="progress">Receives one report per package read and per package checked, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between packages, payload entries and binaries.</param>
    /// <returns>The diff.</returns>
    /// <exception cref="FileNotFoundException">An application package does not exist.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public DistributionDiff Compare(PackageCollection reference, PackageCollection rebuild, IEnumerable<string>? applications = null, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
        => CompareAsync(reference, rebuild, applications, progress, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Compares a reference distribution with its rebuild: each package's payload is read once, in parallel; the
    /// rebuild's packages become the target every reference binary is loaded on, at its installed path; each added
    /// application is installed on the rebuild (its Requires resolved as libsolv resolves them, its binaries loaded).
    /// A package that cannot be read is reported (<see cref="DistributionDiff.Errors"/>, <c>ABI3090</c>) and the
    /// comparison goes on without it.
    /// </summary>
    /// <param name="reference">The reference set.</param>
    /// <param name="rebuild">The rebuild set.</param>
    /// <param name="applications">Application packages (<c>.rpm</c> files) to install and check on the rebuild, or <see langword="null"/>.</param>
    /// <param name="progress">Receives one report per package read and per package checked, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between packages, payload entries and binaries.</param>
    /// <returns>The diff.</returns>
    /// <exception cref="FileNotFoundException">An application package does not exist.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public async Task<DistributionDiff> CompareAsync(PackageCollection reference, PackageCollection rebuild, IEnumerable<string>? applications = null, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(rebuild);
        var apps = PackageCollection.Open(applications ?? [], null, cancellationToken);
        var run = new Run(this, reference, rebuild, apps, progress, cancellationToken);
        try
        {
            return await run.ExecuteAsync().ConfigureAwait(false);
        }
        finally
        {
            run.Dispose();
        }
    }

    /// <summary>The problems of a loader verdict, each with a key that says whether the reference has the same problem.</summary>
    internal static IEnumerable<(string Key, DistributionDiagnostic Diagnostic)> Problems(CompatibilityVerdict verdict, string package, string path)
    {
        DistributionDiagnostic D(AbiDiagnosticDescriptor d, NeededChain chain, params object[] args)
            => new(d, d.DefaultSeverity, string.Format(CultureInfo.InvariantCulture, d.MessageFormat, args)) { Package = package, Path = path, NeededBy = chain };

        foreach (var i in verdict.IsaLevelShortfalls)
        {
            var needed = IsaLevelNames.Highest(i.Needed);
            yield return ($"isa\0{i.Object}\0{needed}", D(DistributionDiagnosticIds.IsaLevelTooLow, i.NeededBy, path, i.Path, needed, IsaLevelNames.Highest(i.Supported)));
        }

        foreach (var m in verdict.MissingLibraries)
        {
            yield return ($"lib\0{m.Name}\0{m.NeededBy.Object}", D(DistributionDiagnosticIds.LibraryNotFound, m.NeededBy, path, m.Name, m.NeededBy.Object));
        }

        foreach (var m in verdict.MissingVersions)
        {
            yield return ($"ver\0{m.Library}\0{m.Version}\0{m.RequiredBy.Object}", D(DistributionDiagnosticIds.VersionNotFound, m.RequiredBy, path, m.Version, m.Library, m.RequiredBy.Object));
        }

        foreach (var m in verdict.MissingSymbols)
        {
            var name = m.Version is null ? m.Name : $"{m.Name}, version {m.Version}";
            yield return ($"sym\0{m.Name}\0{m.Version}\0{m.ReferencedBy.Object}", D(DistributionDiagnosticIds.SymbolNotFound, m.ReferencedBy, path, name, m.ReferencedBy.Object));
        }

        foreach (var c in verdict.CopyRelocationSizeChanges)
        {
            yield return ($"copy\0{c.Name}\0{c.Version}\0{c.TargetSize}", D(DistributionDiagnosticIds.CopyRelocationSizeChanged, new NeededChain([path]), path, c.Name, c.TargetSize, c.DefinedIn, c.LinkedSize));
        }

        foreach (var m in verdict.MissingWeakVersions)
        {
            yield return ($"weak\0{m.Library}\0{m.Version}\0{m.RequiredBy.Object}", D(DistributionDiagnosticIds.WeakVersionNotFound, m.RequiredBy, path, m.Version, m.Library, m.RequiredBy.Object));
        }
    }

    /// <summary>
    /// The configured severity of each finding (settings files name <c>ABI3xxx</c> IDs too; library findings come
    /// configured from the package comparer), findings configured to none left out; worst first, otherwise in the
    /// order found.
    /// </summary>
    internal static ImmutableArray<DistributionDiagnostic> WorstFirst(IEnumerable<DistributionDiagnostic> diagnostics, AbiSeverityConfiguration severities)
        => [.. diagnostics
            .Select(d => d.LibraryDiagnostic is null && severities.Overrides.TryGetValue(d.Id, out var configured) ? d with { Severity = configured } : d)
            .Where(d => d.Severity != AbiSeverity.None)
            .OrderByDescending(d => Verdicts.Of(d.Severity))];

    internal static DistributionDiagnostic Unreadable(PackageReadError error, string? package = null)
    {
        var d = DistributionDiagnosticIds.PackageUnreadable;
        var reason = error.Offset is { } at ? $"at offset {at}: {error.Reason}" : error.Reason;
        return new DistributionDiagnostic(d, d.DefaultSeverity, string.Format(CultureInfo.InvariantCulture, d.MessageFormat, error.Path, reason)) { Package = package, Path = error.Path };
    }

    private static DistributionDiagnostic Diagnostic(AbiDiagnosticDescriptor d, string? package, params object[] args)
        => new(d, d.DefaultSeverity, string.Format(CultureInfo.InvariantCulture, d.MessageFormat, args)) { Package = package };

    private static bool IsLoadable(PackageElfFile file) => file.Header.Type is ElfFileType.Executable or ElfFileType.SharedObject;

    /// <summary>One comparison: the contents read, the targets built, and what is found.</summary>
    private sealed class Run : IDisposable
    {
        private readonly DistributionComparer _options;
        private readonly PackageCollection _reference;
        private readonly PackageCollection _rebuild;
        private readonly PackageCollection _apps;
        private readonly IProgress<OperationProgress>? _progress;
        private readonly CancellationToken _cancellationToken;
        private readonly ConcurrentDictionary<PackageCollectionEntry, PackageContent> _contents = new(ReferenceEqualityComparer.Instance);
        private readonly ConcurrentDictionary<PackageCollectionEntry, PackageReadError> _unreadable = new(ReferenceEqualityComparer.Instance);
        private readonly ConcurrentQueue<PackageReadError> _binaryErrors = new();
        private readonly List<Target> _owned = [];
        private readonly List<DistributionDiagnostic> _setDiagnostics = [];
        private readonly Lazy<Target> _referenceTarget;
        private Target? _rebuildTarget;
        private int _done;
        private int _total;

        public Run(DistributionComparer options, PackageCollection reference, PackageCollection rebuild, PackageCollection apps, IProgress<OperationProgress>? progress, CancellationToken cancellationToken)
        {
            _options = options;
            _reference = reference;
            _rebuild = rebuild;
            _apps = apps;
            _progress = progress;
            _cancellationToken = cancellationToken;
            _referenceTarget = new(() => BuildTarget(_reference, "reference", null), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        private ParallelOptions Parallelism => new() { MaxDegreeOfParallelism = Math.Max(1, _options.MaxDegreeOfParallelism), CancellationToken = _cancellationToken };

        public async Task<DistributionDiff> ExecuteAsync()
        {
            var toRead = _reference.Newest.Concat(_rebuild.Newest).Concat(_apps.Packages).ToList();
            _total = toRead.Count + _reference.Newest.Length + _apps.Packages.Length;
            await Parallel.ForEachAsync(toRead, Parallelism, (entry, ct) =>
            {
                try
                {
                    _contents[entry] = _options.ReadContent(entry, ct);
                }
                catch (Exception ex) when (PackageCollection.IsInputError(ex))
                {
                    _unreadable[entry] = PackageCollection.ErrorOf(entry.Path, ex);
                }

                Report(entry.Path);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);

            // Layout findings of both sets, in a stable order, before anything is checked.
            _rebuildTarget = BuildTarget(_rebuild, "rebuild", _setDiagnostics);
            LayoutFindings(_reference, "reference", _setDiagnostics);

            var binaries = new ConcurrentDictionary<PackageCollectionEntry, ImmutableArray<BinaryVerdict>>(ReferenceEqualityComparer.Instance);
            await Parallel.ForEachAsync(_reference.Newest, Parallelism, (entry, ct) =>
            {
                if (_contents.TryGetValue(entry, out var content))
                {
                    binaries[entry] = CheckReferencePackage(entry, content, ct);
                }

                Report(entry.Path);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);

            var packages = Pair(binaries);
            var applications = new ApplicationVerdict?[_apps.Packages.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, applications.Length), Parallelism, (i, ct) =>
            {
                applications[i] = CheckApplication(_apps.Packages[i], ct);
                Report(_apps.Packages[i].Path);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);

            var errors = _reference.Errors.Concat(_rebuild.Errors).Concat(_apps.Errors)
                .Concat(_unreadable.Values.OrderBy(e => e.Path, StringComparer.Ordinal))
                .Concat(_binaryErrors.OrderBy(e => e.Path, StringComparer.Ordinal))
                .ToImmutableArray();
            var diagnostics = _setDiagnostics.Concat(errors.Select(e => Unreadable(e)));
            return new DistributionDiff(_reference.Inputs, _rebuild.Inputs, packages, [.. applications.OfType<ApplicationVerdict>()], WorstFirst(diagnostics, _options.Packages.Severities), errors);
        }

        private void Report(string current) => _progress?.Report(new OperationProgress(Interlocked.Increment(ref _done), _total, current));

        /// <summary>ABI3060 when the set owns none of the merged-/usr links and nothing beneath supplies them.</summary>
        private List<(string Link, string Target)> LayoutFindings(PackageCollection set, string name, List<DistributionDiagnostic>? findings)
        {
            var owned = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in set.Newest)
            {
                foreach (var file in entry.Record.Files)
                {
                    if (file.Length <= 6 && MergedUsr.Any(m => m.Link == file))
                    {
                        owned.Add(file);
                    }
                }
            }

            var baseFs = _options.BaseSystem?.FileSystem;
            var assumed = MergedUsr.Where(m => !owned.Contains(m.Link) && (baseFs is null || baseFs.KindOf(m.Link, out _) == TargetFileSystem.EntryKind.Missing)).ToList();
            if (assumed.Count > 0 && findings is not null)
            {
                findings.Add(Diagnostic(DistributionDiagnosticIds.MergedUsrAssumed, null, name));
            }

            return assumed;
        }

        /// <summary>
        /// The system the set's newest packages make once installed: the base system, the assumed merged-/usr links,
        /// the packages that own the top folders (the filesystem package), then the others, each layer installed on the
        /// one beneath as rpm installs (following the folder links).
        /// </summary>
        private Target BuildTarget(PackageCollection set, string name, List<DistributionDiagnostic>? findings)
        {
            var assumed = LayoutFindings(set, name, findings);
            var lower = _options.BaseSystem is null ? null : OnCpu(_options.BaseSystem);
            if (assumed.Count > 0)
            {
                var links = assumed.SelectMany(m => new[] { TargetFile.Directory("/" + m.Target), TargetFile.Symlink(m.Link, m.Target) }).ToList();
                lower = lower is null ? OnCpu(Own(Target.FromFiles(links, "merged /usr (assumed)"))) : Own(lower.WithInstalled(links, $"{lower.Description} with merged /usr (assumed)"));
            }

            lower ??= OnCpu(Own(Target.FromFiles([], $"{name} set")));
            var installed = set.Newest.Where(_contents.ContainsKey).ToList();
            var topOwners = installed.Where(e => e.Record.Files.Any(f => MergedUsr.Any(m => m.Link == f))).ToList();
            if (topOwners.Count > 0)
            {
                lower = Own(lower.WithInstalled(topOwners.SelectMany(e => _contents[e].InstalledFiles), $"{name} set (layout packages)"));
            }

            var others = installed.Except(topOwners).SelectMany(e => _contents[e].InstalledFiles);
            var libraryPath = _options.BaseSystem is null ? null : RebuildLibraryPath.Concat(_options.BaseSystem.LibraryPath);
            return Own(lower.WithInstalled(others, $"{name} set ({installed.Count} packages)", libraryPath));
        }

        // The layers above inherit the CPU of the one beneath.
        private Target OnCpu(Target target) => _options.Cpu is { } cpu ? Own(target.WithCpu(cpu)) : target;

        private Target Own(Target target)
        {
            lock (_owned)
            {
                _owned.Add(target);
            }

            return target;
        }

        private ImmutableArray<BinaryVerdict> CheckReferencePackage(PackageCollectionEntry entry, PackageContent content, CancellationToken ct)
        {
            var nevra = entry.Nevra.ToString();
            var verdicts = ImmutableArray.CreateBuilder<BinaryVerdict>();
            foreach (var file in content.ElfFiles)
            {
                ct.ThrowIfCancellationRequested();
                if (!IsLoadable(file))
                {
                    continue;
                }

                try
                {
                    using var image = ElfImage.Parse(file.Content, $"{content.Path}:{file.Path}");
                    var onRebuild = CompatibilityChecker.CheckAt(image, file.Path, _rebuildTarget!);
                    verdicts.Add(Judge(nevra, file.Path, onRebuild, () => CompatibilityChecker.CheckAt(image, file.Path, _referenceTarget.Value)));
                }
                catch (Exception ex) when (PackageCollection.IsInputError(ex))
                {
                    _binaryErrors.Enqueue(PackageCollection.ErrorOf($"{content.Path}:{file.Path}", ex));
                }
            }

            return verdicts.ToImmutable();
        }

        /// <summary>The findings of a binary on the rebuild that it does not also have on the reference.</summary>
        private BinaryVerdict Judge(string package, string path, CompatibilityVerdict onRebuild, Func<CompatibilityVerdict> onReference)
        {
            var problems = Problems(onRebuild, package, path).ToList();
            if (problems.Count == 0)
            {
                return new BinaryVerdict(package, path, onRebuild, []);
            }

            var reference = onReference();
            var known = Problems(reference, package, path).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            var found = problems.Where(p => !known.Contains(p.Key)).Select(p => p.Diagnostic);
            return new BinaryVerdict(package, path, onRebuild, WorstFirst(found, _options.Packages.Severities)) { ReferenceCheck = reference };
        }

        private ImmutableArray<PackageComparison> Pair(ConcurrentDictionary<PackageCollectionEntry, ImmutableArray<BinaryVerdict>> binaries)
        {
            var keys = _reference.Newest.Select(e => (e.Nevra.Name, e.Nevra.Arch))
                .Union(_rebuild.Newest.Select(e => (e.Nevra.Name, e.Nevra.Arch)))
                .OrderBy(k => k.Name, StringComparer.Ordinal).ThenBy(k => k.Arch, StringComparer.Ordinal);
            var result = ImmutableArray.CreateBuilder<PackageComparison>();
            foreach (var (name, arch) in keys)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var old = _reference.Find(name, arch);
                var @new = _rebuild.Find(name, arch);
                var diagnostics = new List<DistributionDiagnostic>();
                PackageDiff? diff = null;
                var checkedBinaries = old is not null && binaries.TryGetValue(old, out var b) ? b : [];
                foreach (var side in new[] { old, @new })
                {
                    if (side is not null && _unreadable.TryGetValue(side, out var error))
                    {
                        diagnostics.Add(Unreadable(error, side.Nevra.ToString()));
                    }
                }

                if (old is not null && @new is not null)
                {
                    if (_contents.TryGetValue(old, out var a) && _contents.TryGetValue(@new, out var c))
                    {
                        try
                        {
                            diff = _options.Packages.Compare(a, c, _rebuild.Set, _cancellationToken);
                        }
                        catch (Exception ex) when (PackageCollection.IsInputError(ex))
                        {
                            var error = PackageCollection.ErrorOf(@new.Path, ex);
                            _binaryErrors.Enqueue(error);
                            diagnostics.Add(Unreadable(error, @new.Nevra.ToString()));
                        }
                    }
                }
                else if (old is not null)
                {
                    var provider = _rebuild.Set.WhatProvides(new RpmDependency(RpmDependencyKind.Requires, name)).FirstOrDefault(p => p.Name != name);
                    diagnostics.Add(provider is null
                        ? Diagnostic(DistributionDiagnosticIds.PackageMissing, old.Nevra.ToString(), old.Nevra, name)
                        : Diagnostic(DistributionDiagnosticIds.PackageReplaced, old.Nevra.ToString(), old.Nevra, provider, name));
                }
                else
                {
                    diagnostics.Add(Diagnostic(DistributionDiagnosticIds.PackageAdded, @new!.Nevra.ToString(), @new.Nevra));
                }

                diagnostics.AddRange(diff?.Diagnostics ?? []);
                diagnostics.AddRange(checkedBinaries.SelectMany(v => v.Diagnostics));
                result.Add(new PackageComparison(name, arch, old?.Nevra, @new?.Nevra, diff, checkedBinaries, WorstFirst(diagnostics, _options.Packages.Severities)));
            }

            return result.ToImmutable();
        }

        private ApplicationVerdict? CheckApplication(PackageCollectionEntry app, CancellationToken ct)
        {
            if (!_contents.TryGetValue(app, out var content))
            {
                return null; // unreadable: in the errors
            }

            var nevra = app.Nevra.ToString();
            var diagnostics = new List<DistributionDiagnostic>();

            // Installability: libsolv's installcheck over the rebuild's packages plus the application.
            var set = PackageSet.Create(_rebuild.Packages.Select(p => p.Record).Append(app.Record));
            var problems = set.CheckInstallability(ArchitectureFor(app)).Where(p => ReferenceEquals(p.Uninstallable, app.Record)).ToImmutableArray();
            diagnostics.AddRange(problems.Select(p => Diagnostic(DistributionDiagnosticIds.PackageNotInstallable, nevra, nevra, p)));

            // Its binaries, installed on the rebuild with all its files (its $ORIGIN bundle inside).
            var verdicts = ImmutableArray.CreateBuilder<BinaryVerdict>();
            using var onRebuild = _rebuildTarget!.WithInstalled(content.InstalledFiles, $"rebuild with {nevra}");
            Target? onReference = null;
            try
            {
                foreach (var file in content.ElfFiles)
                {
                    ct.ThrowIfCancellationRequested();
                    if (!IsLoadable(file))
                    {
                        continue;
                    }

                    try
                    {
                        var verdict = CompatibilityChecker.CheckInstalled(file.Path, onRebuild);
                        verdicts.Add(Judge(nevra, file.Path, verdict, () =>
                        {
                            onReference ??= _referenceTarget.Value.WithInstalled(content.InstalledFiles, $"reference with {nevra}");
                            return CompatibilityChecker.CheckInstalled(file.Path, onReference);
                        }));
                    }
                    catch (Exception ex) when (PackageCollection.IsInputError(ex))
                    {
                        _binaryErrors.Enqueue(PackageCollection.ErrorOf($"{app.Path}:{file.Path}", ex));
                    }
                }
            }
            finally
            {
                onReference?.Dispose();
            }

            var binaries = verdicts.ToImmutable();
            diagnostics.AddRange(binaries.SelectMany(v => v.Diagnostics));
            return new ApplicationVerdict(app.Path, app.Nevra, problems, binaries, WorstFirst(diagnostics, _options.Packages.Severities));
        }

        /// <summary>installcheck's architecture for an application: its own, or for a noarch one the rebuild's most common.</summary>
        private string? ArchitectureFor(PackageCollectionEntry app)
        {
            if (app.Nevra.Arch != "noarch")
            {
                return app.Nevra.Arch;
            }

            return _rebuild.Newest.Select(p => p.Nevra.Arch).Where(a => a != "noarch")
                .GroupBy(a => a, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key).FirstOrDefault();
        }

        public void Dispose()
        {
            // Upper layers first: each reads its files through the layers beneath.
            for (int i = _owned.Count - 1; i >= 0; i--)
            {
                _owned[i].Dispose();
            }
        }
    }
}
