using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Distribution;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.Abi;
using Abi.Sdk.Tests.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>
/// Builds drift-1.0-1 and drift-1.0-2 once with build-pkgdiff-pairs.sh (gcc, version scripts, rpmbuild) into a
/// temporary folder.
/// </summary>
public sealed class DriftPackages : IDisposable
{
    private readonly Lock _lock = new();
    private string? _root;

    public string Old => Path.Combine(Build(), "old", "drift-1.0-1.x86_64.rpm");

    public string New => Path.Combine(Build(), "new", "drift-1.0-2.x86_64.rpm");

    private string Build()
    {
        Tools.Require("gcc", "gcc");
        Tools.Require("rpmbuild", "rpm");
        lock (_lock)
        {
            if (_root is null)
            {
                var root = Directory.CreateTempSubdirectory("abi-pkgdiff-").FullName;
                var script = Path.Combine(Paths.RepositoryRoot, "tests", "Abi.Sdk.Tests", "Distribution", "build-pkgdiff-pairs.sh");
                var (code, stdout, stderr) = Tools.Run("/bin/bash", [script, root]);
                Assert.True(code == 0, stdout + stderr);
                _root = root;
            }

            return _root;
        }
    }

    public void Dispose()
    {
        if (_root is not null)
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

/// <summary>
/// The package diff on a built pair with drift of every kind (against rpm's queries, abipkgdiff and rpm's range
/// matching), and on every real package of the shared corpus (against rpm -qp's queries).
/// </summary>
public sealed class PackageComparerTests(DriftPackages drift) : IClassFixture<DriftPackages>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Drift_pair_reports_each_kind_of_drift()
    {
        var oldContent = PackageContent.Read(drift.Old, cancellationToken: Ct);
        var newContent = PackageContent.Read(drift.New, cancellationToken: Ct);
        var diff = PackageComparer.Default.Compare(oldContent, newContent, PackageSet.Create([newContent.Record]), Ct);

        foreach (var d in diff.Diagnostics)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{d.Path}\t{d}");
        }

        Assert.Equal(EvrMove.Newer, diff.Move);
        Assert.Equal(Verdict.Incompatible, diff.Verdict);
        Assert.Equal(12, diff.ExitCode);
        Assert.All(diff.Diagnostics, d => Assert.Equal("drift-1.0-1.x86_64", d.Package));

        // Provides: the unversioned capabilities and the SONAMEs gone are breaks; drift-ver went down (2.0 → 1.5);
        // drift-api = 1.0-1 and drift = 1.0-1 are kept by the new release's (a rebuild always changes the release).
        var broken = Messages(diff, "ABI3010");
        Assert.Equal(
            ["'drift-old-cap' ", "'drift-ver = 2.0' ", "'libbump.so.1()(64bit)' ", "'libgone.so.1()(64bit)' "],
            broken.Select(m => m[..(m.IndexOf(' ', m.IndexOf('\'', 1)) + 1)]).Order(StringComparer.Ordinal));
        Assert.Contains(diff.Diagnostics, d => d.Id == "ABI3012" && d.Message.Contains("Provides 'drift-api = 1.0-1' changed; still satisfied by 'drift-api = 1.0-2'", StringComparison.Ordinal));
        Assert.Contains(diff.Diagnostics, d => d.Id == "ABI3012" && d.Message.Contains("Provides 'drift(x86-64) = 1.0-1' changed; still satisfied by 'drift(x86-64) = 1.0-2'", StringComparison.Ordinal));

        // A new requirement nothing provides; a new conflict to review; weak dependencies noted.
        var unmet = Assert.Single(diff.Diagnostics, d => d.Id == "ABI3011");
        Assert.Equal("The rebuild's drift-1.0-2.x86_64 requires 'drift-missing-thing >= 3', which no package of the rebuild provides", unmet.Message);
        Assert.Equal(AbiSeverity.Incompatible, unmet.Severity);
        Assert.Contains(diff.Diagnostics, d => d is { Id: "ABI3012", Severity: AbiSeverity.NeedsReview } && d.Message.Contains("Conflicts 'olddrift < 1.0' added", StringComparison.Ordinal));
        Assert.Contains(diff.Diagnostics, d => d is { Id: "ABI3012", Severity: AbiSeverity.Compatible } && d.Message.Contains("Recommends 'drift-docs' removed", StringComparison.Ordinal));
        Assert.Contains(diff.Diagnostics, d => d is { Id: "ABI3012", Severity: AbiSeverity.Compatible } && d.Message.Contains("Suggests 'drift-docs' added", StringComparison.Ordinal));

        // Files: a data file removed, a file that became a folder; the libraries removed are the pairing's to report.
        Assert.Equal(["/usr/share/drift/data.txt"], diff.Diagnostics.Where(d => d.Id == "ABI3020").Select(d => d.Path));
        var typeChanged = Assert.Single(diff.Diagnostics, d => d.Id == "ABI3021");
        Assert.Equal("drift-1.0-1.x86_64: '/usr/share/drift/thing' was a regular file and is a folder in the rebuild", typeChanged.Message);
        Assert.Contains(diff.Files, f => f is { Path: "/usr/share/drift/new.txt", Change: FileChangeKind.Added });
        Assert.Contains(diff.Files, f => f is { Path: "/usr/lib64/libgone.so.1", Change: FileChangeKind.Removed });
        Assert.DoesNotContain(diff.Files, f => f.Path == "/var/lib/drift/state"); // the ghost is in both builds

        // Libraries: by path, by SONAME stem (libbump.so.1 → libbump.so.2), one gone, one private; no executable.
        Assert.Equal(
            ["/usr/lib64/drift/libpriv.so → /usr/lib64/drift/libpriv.so (private)", "/usr/lib64/libbump.so.1 → /usr/lib64/libbump.so.2", "/usr/lib64/libdrift.so.1.0 → /usr/lib64/libdrift.so.1.0"],
            diff.Libraries.Select(l => $"{l.OldPath} → {l.NewPath}{(l.IsPrivate ? " (private)" : "")}"));
        Assert.Contains(diff.Diagnostics, d => d is { Id: "ABI1010", Path: "/usr/lib64/libbump.so.1" } && d.LibraryDiagnostic is not null);
        var gone = Assert.Single(diff.Diagnostics, d => d.Id == "ABI3030");
        Assert.Equal(("/usr/lib64/libgone.so.1", AbiSeverity.Incompatible), (gone.Path, gone.Severity));

        // The private DSO's removed function is lowered one step (incompatible → needs-review), the public one's is not.
        var priv = Assert.Single(diff.Diagnostics, d => d.Id == "ABI1001" && d.Path == "/usr/lib64/drift/libpriv.so");
        Assert.Equal((AbiSeverity.Incompatible, AbiSeverity.NeedsReview), (priv.LibraryDiagnostic!.Severity, priv.Severity));
        Assert.Contains(diff.Diagnostics, d => d is { Id: "ABI1001" or "ABI1002", Path: "/usr/lib64/libdrift.so.1.0", Severity: AbiSeverity.Incompatible });

        // The grown object: abipkgdiff is silent on it without debug info (see Library_symbols_match_abipkgdiff).
        Assert.Contains(diff.Diagnostics, d => d.Id == "ABI1007" && d.LibraryDiagnostic!.Subject.StartsWith("drift_obj", StringComparison.Ordinal));

        // Worst first, then by path and ID.
        var keys = diff.Diagnostics.Select(d => (d.Severity, d.Path ?? "", d.Id)).ToArray();
        for (int i = 1; i < keys.Length; i++)
        {
            var (s0, p0, id0) = keys[i - 1];
            var (s1, p1, id1) = keys[i];
            Assert.True(s0 > s1 || (s0 == s1 && (string.CompareOrdinal(p0, p1) < 0 || (p0 == p1 && string.CompareOrdinal(id0, id1) <= 0))), $"diagnostic {i} is out of order");
        }
    }

    [Fact]
    public void Drift_pair_dependencies_and_files_match_rpm_queries()
    {
        var diff = PackageComparer.Default.Compare(drift.Old, drift.New, Ct);
        AssertMatchesRpm(Query(drift.Old)!, Query(drift.New)!, diff);
    }

    [Fact]
    public void Library_symbols_match_abipkgdiff()
    {
        var reference = Abipkgdiff.Run(drift.Old, drift.New);
        var diff = PackageComparer.Default.Compare(drift.Old, drift.New, Ct);
        foreach (var library in diff.Libraries)
        {
            var name = Path.GetFileName(library.OldPath);
            if (library.OldPath != library.NewPath && Path.GetFileName(library.NewPath) != name)
            {
                // abipkgdiff pairs binaries by file name only: it lists libbump.so.1 as removed and libbump.so.2 as
                // added. We pair them by SONAME stem, so the SONAME change (ABI1010) and the symbol diff are reported.
                Assert.Contains(library.OldPath, reference.RemovedBinaries);
                Assert.Contains(library.NewPath, reference.AddedBinaries);
                continue;
            }

            var removed = library.Diff.RemovedSymbols.Select(s => s.Spelling).ToArray();
            var added = library.Diff.AddedSymbols.Select(s => s.Spelling).ToArray();
            if (!reference.Binaries.TryGetValue(name, out var theirs))
            {
                Assert.Empty(removed);
                Assert.Empty(added);
                continue;
            }

            Abidiff.Result.AssertSameSymbols(theirs.Removed, theirs.RemovedAliases, removed);
            Abidiff.Result.AssertSameSymbols(theirs.Added, theirs.AddedAliases, added);
        }

        // libdrift: drift_gone and drift_moved@DRIFT_1.0 removed (drift_moved moved to DRIFT_2.0 while DRIFT_1.0 stays),
        // drift_new added, as abipkgdiff says; we also report the grown drift_obj (ABI1007), on which abipkgdiff is
        // silent without debug info although an executable that copy-relocated it reads past its copy.
        Assert.Equal(["drift_gone@@DRIFT_1.0", "drift_moved@@DRIFT_1.0"], reference.Binaries["libdrift.so.1.0"].Removed);
        Assert.DoesNotContain("drift_obj", reference.Stdout, StringComparison.Ordinal);
        Assert.Contains(diff.Libraries.Single(l => l.OldPath.EndsWith("libdrift.so.1.0", StringComparison.Ordinal)).Diff.Diagnostics, d => d.Id == "ABI1007");

        // abipkgdiff's other removed binaries are our ABI3030s.
        var paired = diff.Libraries.Select(l => l.OldPath).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(reference.RemovedBinaries.Where(p => !paired.Contains(p)).Order(StringComparer.Ordinal), diff.Diagnostics.Where(d => d.Id == "ABI3030").Select(d => d.Path!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Severity_configuration_and_suppressions_apply_to_package_findings()
    {
        var comparer = PackageComparer.Default.WithLibraryComparer(AbiComparer.Default
            .WithSeverity("ABI3010", AbiSeverity.None)
            .WithSeverity("ABI3020", AbiSeverity.Incompatible)
            .WithSeverity("ABI3012", AbiSeverity.None)
            .WithSeverity("ABI1007", AbiSeverity.None));
        Assert.Same(comparer.LibraryComparer.Severities, comparer.Severities);
        var diff = comparer.Compare(drift.Old, drift.New, Ct);
        Assert.DoesNotContain(diff.Diagnostics, d => d.Id is "ABI3010" or "ABI3012" or "ABI1007");
        Assert.Equal(AbiSeverity.Incompatible, Assert.Single(diff.Diagnostics, d => d.Id == "ABI3020").Severity);

        // The lists are still complete: configuration decides findings, not facts.
        Assert.Contains(diff.Dependencies, c => c.Dependency.Name == "drift-old-cap");

        // A private DSO's finding is lowered after configuration: ABI1001 configured needs-review is compatible there.
        var lowered = PackageComparer.Default.WithLibraryComparer(AbiComparer.Default.WithSeverity("ABI1001", AbiSeverity.NeedsReview)).Compare(drift.Old, drift.New, Ct);
        Assert.Equal(AbiSeverity.Compatible, Assert.Single(lowered.Diagnostics, d => d is { Id: "ABI1001", Path: "/usr/lib64/drift/libpriv.so" }).Severity);
        Assert.Equal(AbiSeverity.NeedsReview, Assert.Single(lowered.Diagnostics, d => d is { Id: "ABI1001", Path: "/usr/lib64/libdrift.so.1.0" }).Severity);
    }

    [Fact]
    public void Without_a_package_set_new_requirements_are_noted_not_judged()
    {
        var diff = PackageComparer.Default.Compare(drift.Old, drift.New, Ct);
        Assert.DoesNotContain(diff.Diagnostics, d => d.Id == "ABI3011");
        Assert.Contains(diff.Diagnostics, d => d is { Id: "ABI3012", Severity: AbiSeverity.Compatible } && d.Message.Contains("Requires 'drift-missing-thing >= 3' added (not checked", StringComparison.Ordinal));
    }

    [Fact]
    public void Identical_rebuild_is_compatible_with_no_findings()
    {
        var content = PackageContent.Read(drift.Old, cancellationToken: Ct);
        var diff = PackageComparer.Default.Compare(content, PackageContent.Read(drift.Old, cancellationToken: Ct), PackageSet.Create([content.Record]), Ct);
        Assert.Empty(diff.Diagnostics);
        Assert.Empty(diff.Dependencies);
        Assert.Empty(diff.Files);
        Assert.Equal(4, diff.Libraries.Length); // libdrift, libbump, libgone and the private libpriv
        Assert.Equal((EvrMove.Same, Verdict.Compatible, 0), (diff.Move, diff.Verdict, diff.ExitCode));
    }

    [Fact]
    public void Downgrade_is_reported_for_review()
    {
        var diff = PackageComparer.Default.Compare(drift.New, drift.Old, Ct);
        Assert.Equal(EvrMove.Older, diff.Move);
        var d = Assert.Single(diff.Diagnostics, d => d.Id == "ABI3004");
        Assert.Equal(("Package 'drift' is 1.0-2 in the reference but older, 1.0-1, in the rebuild", AbiSeverity.NeedsReview), (d.Message, d.Severity));
    }

    [Fact]
    public void Corrupt_package_throws_the_typed_error_naming_the_file()
    {
        var bytes = File.ReadAllBytes(drift.New);
        var truncated = Path.Combine(Path.GetTempPath(), $"abi-pkgdiff-truncated-{Guid.NewGuid():N}.rpm");
        File.WriteAllBytes(truncated, bytes.AsSpan(0, 200).ToArray());
        try
        {
            var e = Assert.Throws<RpmFormatException>(() => PackageComparer.Default.Compare(drift.Old, truncated, Ct));
            Assert.Equal(truncated, e.FileName);
        }
        finally
        {
            File.Delete(truncated);
        }
    }

    /// <summary>
    /// The rule for a changed provide (docs/distribution.md, "Package diff"): the old provide stands for the
    /// requirement a consumer writes (<c>name = E:V-R</c> → <c>name &gt;= E:V</c>; unversioned → the name), and is
    /// kept when rpm's own rpmdsCompare (python3-rpm) says a new provide satisfies that requirement.
    /// </summary>
    [Fact]
    public void Kept_provides_follow_rpmdsCompare()
    {
        var python = Tools.Require("/usr/bin/python3", "python3");
        var (probe, _, _) = Tools.Run(python, ["-c", "import rpm"]);
        if (probe != 0)
        {
            Assert.Skip("rpm's Python binding is not installed (apt-get install python3-rpm); .ci/run installs it");
        }

        var random = new Random(1414);
        var cases = new List<(RpmDependency Old, RpmDependency New)>
        {
            (P("foo", RpmSenseFlags.Equal, "1.0-1.el9"), P("foo", RpmSenseFlags.Equal, "1.0-1.el9.alma")),
            (P("foo", RpmSenseFlags.Equal, "1.0-2"), P("foo", RpmSenseFlags.Equal, "1.0-1")),
            (P("foo", RpmSenseFlags.Equal, "2.0"), P("foo", RpmSenseFlags.Equal, "1.5")),
            (P("foo", RpmSenseFlags.Equal, "1:1.0-1"), P("foo", RpmSenseFlags.Equal, "2.0-1")),
            (P("libfoo.so.1()(64bit)", RpmSenseFlags.None, null), P("libfoo.so.1()(64bit)", RpmSenseFlags.None, null)),
            (P("libfoo.so.1(LIBFOO_1.0)(64bit)", RpmSenseFlags.None, null), P("libfoo.so.1(LIBFOO_1.1)(64bit)", RpmSenseFlags.None, null)),
        };
        for (int i = 0; i < 2000; i++)
        {
            var e1 = EvrTests.RandomEvr(random);
            var e2 = random.Next(2) == 0 ? EvrTests.RandomEvr(random) : e1 + (random.Next(2) == 0 ? ".alma" : "");
            cases.Add((P("foo", RpmSenseFlags.Equal, e1), P("foo", random.Next(6) == 0 ? RpmSenseFlags.None : RpmSenseFlags.Equal, e2)));
        }

        var requirements = cases.Select(c => PackageDependencyDiff.AsRequirement(c.Old)).ToArray();
        var input = Path.Combine(Path.GetTempPath(), $"abi-kept-{Guid.NewGuid():N}.tsv");
        var script = Path.Combine(Path.GetTempPath(), $"abi-kept-{Guid.NewGuid():N}.py");
        File.WriteAllLines(input, cases.Select((c, i) => string.Join('\t',
            requirements[i].Name, ((uint)requirements[i].Flags).ToString(CultureInfo.InvariantCulture), requirements[i].Version?.ToString() ?? "",
            c.New.Name, ((uint)c.New.Flags).ToString(CultureInfo.InvariantCulture), c.New.Version?.ToString() ?? "")));
        File.WriteAllText(script, """
            import sys, rpm
            for line in open(sys.argv[1]):
                n1, f1, e1, n2, f2, e2 = line.rstrip("\n").split("\t")
                r = rpm.ds((n1, int(f1), e1), rpm.RPMTAG_REQUIRENAME)
                p = rpm.ds((n2, int(f2), e2), rpm.RPMTAG_PROVIDENAME)
                print(1 if p.Compare(r) else 0)
            """);
        try
        {
            var (code, stdout, stderr) = Tools.Run(python, [script, input]);
            Assert.True(code == 0, stderr);
            var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(cases.Count, results.Length);
            var mismatches = new List<string>();
            for (int i = 0; i < cases.Count; i++)
            {
                bool kept = PackageDependencyDiff.KeptBy(cases[i].Old, [cases[i].New]) is not null;
                if (kept != (results[i] == "1"))
                {
                    mismatches.Add($"old {cases[i].Old} new {cases[i].New} (as {requirements[i]}): rpm says {results[i]}");
                }
            }

            Assert.True(mismatches.Count == 0, string.Join('\n', mismatches.Take(20)));

            // The documented cases, by rpm's answer.
            Assert.Equal(["1", "1", "0", "0", "1", "0"], results.Take(6));
        }
        finally
        {
            File.Delete(input);
            File.Delete(script);
        }

        static RpmDependency P(string name, RpmSenseFlags flags, string? evr)
            => new(RpmDependencyKind.Provides, name, flags, evr is null ? null : Evr.Parse(evr));
    }

    [Fact]
    public void Corpus_packages_compared_with_themselves_have_no_findings()
    {
        int compared = 0;
        foreach (var path in RpmTestData.CorpusPackages())
        {
            if (TryRead(path) is not { } content)
            {
                continue;
            }

            var diff = PackageComparer.Default.Compare(content, TryRead(path)!, PackageSet.Create([content.Record]), Ct);
            Assert.True(diff.Diagnostics.IsEmpty, $"{path}: {string.Join("; ", diff.Diagnostics.Take(5))}");
            Assert.Equal((Verdict.Compatible, EvrMove.Same), (diff.Verdict, diff.Move));
            Assert.Empty(diff.Dependencies);
            Assert.Empty(diff.Files);
            compared++;
        }

        Assert.True(compared > 20, $"only {compared} corpus packages could be read");
    }

    [Fact]
    public void Corpus_builds_of_one_name_match_rpm_queries_line_by_line()
    {
        Tools.Require("rpm", "rpm");
        var readable = new List<(string Path, PackageContent Content, RpmQuery Query)>();
        foreach (var path in RpmTestData.CorpusPackages())
        {
            if (TryRead(path) is { } content && Query(path) is { } query)
            {
                readable.Add((path, content, query));
            }
        }

        int pairs = 0;
        foreach (var group in readable.GroupBy(r => r.Content.Nevra.Name, StringComparer.Ordinal))
        {
            var builds = group.ToArray();
            for (int i = 0; i < builds.Length; i++)
            {
                for (int j = 0; j < builds.Length; j++)
                {
                    if (i == j)
                    {
                        continue;
                    }

                    var diff = PackageComparer.Default.Compare(builds[i].Content, builds[j].Content, cancellationToken: Ct);
                    AssertMatchesRpm(builds[i].Query, builds[j].Query, diff, $"{builds[i].Path} → {builds[j].Path}");
                    pairs++;
                }
            }
        }

        Assert.True(pairs > 20, $"only {pairs} pairs of builds");
    }

    private static PackageContent? TryRead(string path)
    {
        try
        {
            return PackageContent.Read(path, cancellationToken: Ct);
        }
        catch (RpmFormatException e)
        {
            // The corpus holds deliberately corrupt packages: the typed error names the file.
            Assert.Equal(path, e.FileName);
            return null;
        }
    }

    private static List<string> Messages(PackageDiff diff, string id) => [.. diff.Diagnostics.Where(d => d.Id == id).Select(d => d.Message)];

    /// <summary>What rpm -qp says of a package: each dependency kind's lines, and each file's mode.</summary>
    private sealed record RpmQuery(Dictionary<RpmDependencyKind, HashSet<string>> Dependencies, Dictionary<string, uint> Modes);

    private static readonly (RpmDependencyKind Kind, string Format)[] KindFormats =
    [
        (RpmDependencyKind.Provides, "%{PROVIDENEVRS}"), (RpmDependencyKind.Requires, "%{REQUIRENEVRS}"),
        (RpmDependencyKind.Conflicts, "%{CONFLICTNEVRS}"), (RpmDependencyKind.Obsoletes, "%{OBSOLETENEVRS}"),
        (RpmDependencyKind.Recommends, "%{RECOMMENDNEVRS}"), (RpmDependencyKind.Suggests, "%{SUGGESTNEVRS}"),
        (RpmDependencyKind.Supplements, "%{SUPPLEMENTNEVRS}"), (RpmDependencyKind.Enhances, "%{ENHANCENEVRS}"),
    ];

    /// <summary>
    /// One rpm run per package: the lines --provides, --requires, … print (rpm's popt aliases for these NEVRS tags),
    /// OrderWithRequires from its three tags, and --list's paths with --dump's modes. Null when rpm refuses the package.
    /// </summary>
    private static RpmQuery? Query(string path)
    {
        var rpm = Tools.Require("rpm", "rpm");
        var format = string.Concat(KindFormats.Select(k => $"[{(int)k.Kind}\t{k.Format}\n]"))
            + $"[{(int)RpmDependencyKind.OrderWithRequires}\t%{{ORDERNAME}}\t%{{ORDERFLAGS}}\t%{{ORDERVERSION}}\n]"
            + "[F\t%{FILENAMES}\t%{FILEMODES:octal}\n]";
        var (code, stdout, _) = Tools.Run(rpm, ["-qp", "--nosignature", "--nodigest", "--qf", format, path]);
        if (code != 0)
        {
            return null;
        }

        var dependencies = Enum.GetValues<RpmDependencyKind>().ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal));
        var modes = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (fields[0] == "F")
            {
                modes.TryAdd(fields[1], Convert.ToUInt32(fields[2], 8));
            }
            else if ((RpmDependencyKind)int.Parse(fields[0], CultureInfo.InvariantCulture) == RpmDependencyKind.OrderWithRequires)
            {
                var flags = (RpmSenseFlags)uint.Parse(fields[2], CultureInfo.InvariantCulture);
                dependencies[RpmDependencyKind.OrderWithRequires].Add(new RpmDependency(RpmDependencyKind.OrderWithRequires, fields[1], flags, fields[3].Length == 0 ? null : Evr.Parse(fields[3])).ToString());
            }
            else
            {
                dependencies[(RpmDependencyKind)int.Parse(fields[0], CultureInfo.InvariantCulture)].Add(fields[1]);
            }
        }

        return new RpmQuery(dependencies, modes);
    }

    /// <summary>The diff's dependency and file lists are rpm's set differences, kind by kind and path by path.</summary>
    private static void AssertMatchesRpm(RpmQuery oldQuery, RpmQuery newQuery, PackageDiff diff, string? what = null)
    {
        foreach (var kind in Enum.GetValues<RpmDependencyKind>())
        {
            var removed = oldQuery.Dependencies[kind].Except(newQuery.Dependencies[kind]).Order(StringComparer.Ordinal).ToArray();
            var added = newQuery.Dependencies[kind].Except(oldQuery.Dependencies[kind]).Order(StringComparer.Ordinal).ToArray();
            Assert.True(removed.SequenceEqual(Ours(kind, DependencyChangeKind.Removed)), $"{what}: {kind} removed: rpm says [{string.Join(", ", removed)}], we say [{string.Join(", ", Ours(kind, DependencyChangeKind.Removed))}]");
            Assert.True(added.SequenceEqual(Ours(kind, DependencyChangeKind.Added)), $"{what}: {kind} added: rpm says [{string.Join(", ", added)}], we say [{string.Join(", ", Ours(kind, DependencyChangeKind.Added))}]");
        }

        var expected = new List<string>();
        foreach (var (path, mode) in oldQuery.Modes)
        {
            if (!newQuery.Modes.TryGetValue(path, out var other))
            {
                expected.Add("removed " + path);
            }
            else if ((mode & 0xf000) != (other & 0xf000))
            {
                expected.Add("type-changed " + path);
            }
        }

        expected.AddRange(newQuery.Modes.Keys.Where(p => !oldQuery.Modes.ContainsKey(p)).Select(p => "added " + p));
        var ours = diff.Files.Select(f => f.Change switch
        {
            FileChangeKind.Removed => "removed ",
            FileChangeKind.Added => "added ",
            _ => "type-changed ",
        } + f.Path);
        Assert.Equal(expected.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));

        string[] Ours(RpmDependencyKind kind, DependencyChangeKind change)
            => [.. diff.Dependencies.Where(c => c.Kind == kind && c.Change == change).Select(c => c.Dependency.ToString()).Order(StringComparer.Ordinal)];
    }
}
