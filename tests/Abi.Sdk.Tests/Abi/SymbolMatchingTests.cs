using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Tests.Abi;

/// <summary>
/// The comparison matches symbols in one walk per old name; these tests hold it to the per-symbol lookups that define
/// the matching (<see cref="AbiSurface.FindCounterpart(AbiSymbol)"/>, <see cref="AbiSurface.FindPreferred(string)"/>,
/// abidiff's "not new" rule), on real library pairs and on names with every mix of versions.
/// </summary>
public class SymbolMatchingTests
{
    public static TheoryData<string, string, string> Pairs => new()
    {
        { "libLLVM-15.so.1", "libLLVM-16.so.1", "libllvm15 libllvm16" },
        { "libLLVM-16.so.1", "libLLVM-15.so.1", "libllvm15 libllvm16" },
        { "libpthread.so.0", "libc.so.6", "libc6" },
        { "libc.so.6", "libpthread.so.0", "libc6" },
        { "libtinfo.so.5", "libtinfo.so.6", "libtinfo5" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Matching_agrees_with_the_lookups_on_real_libraries(string oldName, string newName, string packages)
    {
        var (o, n) = RealLibraryTests.Require(oldName, newName, packages);
        AssertMatchingAgrees(AbiSurface.Open(o), AbiSurface.Open(n));
    }

    [Fact]
    public void Matching_agrees_with_the_lookups_for_every_mix_of_versions()
    {
        // Each name in each surface: unversioned, default or hidden at V1 or V2, alone or together.
        var kinds = new (string? Version, bool Default)[] { (null, false), ("V1", true), ("V1", false), ("V2", true), ("V2", false) };
        var subsets = Enumerable.Range(0, 1 << kinds.Length)
            .Select(mask => kinds.Where((_, i) => (mask & (1 << i)) != 0).ToArray())
            .Where(s => s.Select(k => k.Version).Distinct().Count() == s.Length) // one symbol per name and version
            .ToArray();
        var oldSymbols = new List<AbiSymbol>();
        var newSymbols = new List<AbiSymbol>();
        for (int a = 0; a < subsets.Length; a++)
        {
            for (int b = 0; b < subsets.Length; b++)
            {
                var name = $"f{a}_{b}";
                oldSymbols.AddRange(subsets[a].Select(k => new AbiSymbol(name, k.Version, k.Default, ElfSymbolType.Function)));
                newSymbols.AddRange(subsets[b].Select(k => new AbiSymbol(name, k.Version, k.Default, ElfSymbolType.Function)));
            }
        }

        var versions = new[] { new AbiVersionNode("V1", []), new AbiVersionNode("V2", ["V1"]) };
        var oldSurface = new AbiSurface("old", "libx.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [.. versions], [.. oldSymbols]);
        var newSurface = new AbiSurface("new", "libx.so.1", ElfClass.Elf64, ElfMachine.X86_64, [], [.. versions], [.. newSymbols]);
        AssertMatchingAgrees(oldSurface, newSurface);
        AssertMatchingAgrees(newSurface, oldSurface);
    }

    private sealed class SymbolIdentity : IEqualityComparer<AbiSymbol>
    {
        public bool Equals(AbiSymbol? x, AbiSymbol? y) => ReferenceEquals(x, y);

        public int GetHashCode(AbiSymbol obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }

    /// <summary>Keeps what the rules see: the matching, in surface order.</summary>
    private sealed class Capture : AbiRule
    {
        public AbiComparisonContext? Context { get; private set; }

        public override System.Collections.Immutable.ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; } = [];

        public override void Analyze(AbiComparisonContext context) => Context = context;
    }

    private static void AssertMatchingAgrees(AbiSurface oldSurface, AbiSurface newSurface)
    {
        var capture = new Capture();
        var diff = AbiComparer.Default.WithRules(capture).Compare(oldSurface, newSurface);
        var context = capture.Context!;

        // The definitions, one lookup per symbol.
        var matched = new List<(AbiSymbol, AbiSymbol)>();
        var removed = new List<AbiSymbol>();
        foreach (var o in oldSurface.Symbols)
        {
            if (newSurface.FindCounterpart(o) is { } n)
            {
                matched.Add((o, n));
            }
            else
            {
                removed.Add(o);
            }
        }

        var added = newSurface.Symbols.Where(n => !oldSurface.FindAll(n.Name).Any(s =>
            s.Version == n.Version || ((n.Version is null || n.IsDefaultVersion) && (s.Version is null || s.IsDefaultVersion)))).ToList();

        Assert.Equal(matched, context.MatchedSymbols.Select(p => (p.Old, p.New)));
        Assert.Equal(removed, context.RemovedSymbols, ReferenceEqualityComparer.Instance);
        Assert.Equal(added, context.AddedSymbols, ReferenceEqualityComparer.Instance);

        // A removed version names what a new link binds to now (ABI1002), with the message arguments it always had.
        var presence = diff.Diagnostics.Where(d => d.Id is "ABI1001" or "ABI1002").ToDictionary(d => d.OldSymbol!, d => d, new SymbolIdentity());
        foreach (var o in removed)
        {
            var d = presence[o];
            var now = o.Version is null ? null : newSurface.FindPreferred(o.Name);
            Assert.Equal(now is null ? "ABI1001" : "ABI1002", d.Id);
            Assert.Same(now, d.NewSymbol);
            object?[] args = now is null ? [o] : [o, o.Version, now];
            Assert.Equal(args, d.MessageArguments);
            Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, d.Descriptor.MessageFormat, args), d.Message);
        }

        foreach (var d in diff.Diagnostics.Where(d => d.Id == "ABI1003"))
        {
            Assert.Equal([d.NewSymbol], d.MessageArguments);
            Assert.Equal($"Symbol '{d.NewSymbol!.Spelling}' was added", d.Message);
        }
    }
}
