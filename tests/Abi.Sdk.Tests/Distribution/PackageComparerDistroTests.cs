using Abi.Sdk.Abi;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Distribution;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.Abi;

namespace Abi.Sdk.Tests.Distribution;

/// <summary>
/// The package diff on every reference/rebuild pair of the sample distribution (Fixtures/distro): the intended
/// package-diff verdicts of its README, each library pair's symbols against abipkgdiff, the dependency lists against
/// rpm's (<see cref="DistroFixtures.DependencyDrift"/>).
/// </summary>
public class PackageComparerDistroTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Pairs() => [.. DistroFixtures.Packages.Where(p => p.RebuildEvr is not null).Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Package_diff_verdict_and_symbols_match_the_reference_tools(string name)
    {
        var expected = DistroFixtures.Packages.Single(p => p.Name == name);
        var oldPath = DistroFixtures.Package(DistroFixtures.Reference, name)!;
        var newPath = DistroFixtures.Package(DistroFixtures.Rebuild, name)!;
        var rebuild = PackageSet.Load(DistroFixtures.RebuildPackages);
        var diff = PackageComparer.Default.Compare(PackageContent.Read(oldPath, cancellationToken: Ct), PackageContent.Read(newPath, cancellationToken: Ct), rebuild, Ct);
        Assert.True(expected.DiffVerdict == diff.Verdict, $"{name}: intended {expected.DiffVerdict}, got {diff.Verdict}: {string.Join("; ", diff.Diagnostics.Where(d => d.Severity > AbiSeverity.Compatible))}");
        Assert.Equal(expected.ReferenceEvr, diff.Old.EvrText);
        Assert.Equal(expected.RebuildEvr, diff.New.EvrText);

        // Provides/Requires drift as rpm -qp lists it (the README leaves out the package's own name and rpmlib()).
        foreach (var kind in new[] { ("provides", RpmDependencyKind.Provides), ("requires", RpmDependencyKind.Requires) })
        {
            var drift = DistroFixtures.DependencyDrift.SingleOrDefault(d => d.Package == name && d.Kind == kind.Item1);
            string[] Ours(DependencyChangeKind change) => [.. diff.Dependencies
                .Where(c => c.Kind == kind.Item2 && c.Change == change && !c.Dependency.IsRpmLib && c.Dependency.Name != name && !c.Dependency.Name.StartsWith(name + "(", StringComparison.Ordinal))
                .Select(c => c.Dependency.ToString())];
            Assert.Equal(drift?.Removed.AsEnumerable() ?? [], Ours(DependencyChangeKind.Removed));
            Assert.Equal(drift?.Added.AsEnumerable() ?? [], Ours(DependencyChangeKind.Added));
        }

        var reference = Abipkgdiff.Run(oldPath, newPath);
        foreach (var library in diff.Libraries)
        {
            var file = Path.GetFileName(library.OldPath);
            if (Path.GetFileName(library.NewPath) != file)
            {
                // libd: abipkgdiff lists a removed and an added binary; we pair them by SONAME stem and report ABI1010.
                Assert.Contains(library.OldPath, reference.RemovedBinaries);
                Assert.Contains(library.NewPath, reference.AddedBinaries);
                Assert.Contains(library.Diff.Diagnostics, d => d.Id == "ABI1010");
                continue;
            }

            var removed = library.Diff.RemovedSymbols.Select(s => s.Spelling).ToArray();
            var added = library.Diff.AddedSymbols.Select(s => s.Spelling).ToArray();
            if (reference.Binaries.TryGetValue(file, out var theirs))
            {
                Abidiff.Result.AssertSameSymbols(theirs.Removed, theirs.RemovedAliases, removed);
                Abidiff.Result.AssertSameSymbols(theirs.Added, theirs.AddedAliases, added);
            }
            else
            {
                Assert.Empty(removed);
                Assert.Empty(added);
            }
        }

        // Where we say more than abipkgdiff: libgrow's grown object (no debug info, abipkgdiff is silent on sizes).
        if (name == "libgrow")
        {
            Assert.Empty(reference.Binaries);
            Assert.Contains(diff.Diagnostics, d => d is { Id: "ABI1007", Severity: AbiSeverity.Incompatible });
        }

        // privtool's library is a private DSO: its removed symbol is lowered to needs-review.
        if (name == "privtool")
        {
            var library = Assert.Single(diff.Libraries);
            Assert.True(library.IsPrivate);
            Assert.Contains(diff.Diagnostics, d => d is { Id: "ABI1001", Severity: AbiSeverity.NeedsReview, Path: "/usr/lib64/privtool/libpriv.so" });
        }
    }
}
