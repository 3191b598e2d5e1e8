using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>The packages the RPM differential tests run over.</summary>
internal static class RpmTestData
{
    public static string FixtureDir => Path.Combine(Paths.Fixtures, "rpm");

    /// <summary>The packages built by Fixtures/rpm/build.sh, except the 4 GiB one (tested on its own).</summary>
    public static IReadOnlyList<string> FixturePackages =>
        Directory.GetFiles(FixtureDir, "*.rpm").Where(p => !Path.GetFileName(p).StartsWith("abi-large", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    public static string LargePackage => Directory.GetFiles(FixtureDir, "abi-large-*.rpm").Single();

    /// <summary>Every package of the shared corpus (skips the test when the corpus is absent).</summary>
    public static IReadOnlyList<string> CorpusPackages()
    {
        var corpus = Paths.RequireCorpus();
        return Directory.GetFiles(Path.Combine(corpus, "rpm"), "*.rpm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The fixture packages, and with <paramref name="includeCorpus"/> the corpus's (skipping the test, as for any missing input, when the corpus is absent).</summary>
    public static IReadOnlyList<string> AllPackages(bool includeCorpus)
        => includeCorpus ? [.. FixturePackages, .. CorpusPackages()] : FixturePackages;
}
