using Abi.Sdk.Rpm;

namespace Abi.Sdk.Tests.Rpm;

public class RichDependencyTests
{
    [Theory]
    [InlineData("(foo or bar)", RichOperator.Or, 2)]
    [InlineData("(foo and bar >= 2 and baz)", RichOperator.And, 3)]
    [InlineData("(foo if bar)", RichOperator.If, 2)]
    [InlineData("(foo if bar else baz)", RichOperator.If, 3)]
    [InlineData("(foo unless bar else baz)", RichOperator.Unless, 3)]
    [InlineData("(a-lib with a-lib-devel with foo)", RichOperator.With, 3)]
    [InlineData("(foo without bar)", RichOperator.Without, 2)]
    [InlineData("((a or b) and (c or d))", RichOperator.And, 2)]
    [InlineData("(lib(x86-64) >= 1.0 or other)", RichOperator.Or, 2)]
    public void ParsesAsRpmDoes(string text, RichOperator op, int operands)
    {
        var tree = Assert.IsType<RichOperation>(RichDependency.Parse(text));
        Assert.Equal(op, tree.Operator);
        Assert.Equal(operands, tree.Operands.Length);
        Assert.Equal(tree.ToString(), RichDependency.Parse(tree.ToString()).ToString());
    }

    [Theory]
    [InlineData("foo", "Rich dependency does not start with '('")]
    [InlineData("()", "Empty rich dependency")]
    [InlineData("(foo or)", "Missing argument to rich dependency op")]
    [InlineData("(foo or bar", "Unterminated rich dependency")]
    [InlineData("(foo xor bar)", "Unknown rich dependency op 'xor'")]
    [InlineData("(foo and bar or baz)", "Cannot chain different ops")]
    [InlineData("(foo if bar if baz)", "Can only chain and/or/with ops")]
    [InlineData("(foo >= )", "Version required")]
    [InlineData("(foo) junk", "Junk after rich dependency")]
    [InlineData("((foo and bar) with baz)", "Illegal ops in with/without")]
    public void RejectsWithRpmsMessage(string text, string message)
    {
        var ex = Assert.Throws<RichDependencyFormatException>(() => RichDependency.Parse(text));
        Assert.StartsWith(message, ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    // rpmbuild's own verdicts (rpmrichParseForTag): 'unless' where 'and' is meant in Requires, 'if' where 'or' is meant in Conflicts.
    [InlineData("(x unless y)", RpmDependencyKind.Requires, "Illegal context for 'unless', please use 'or' instead")]
    [InlineData("(x or (y unless z))", RpmDependencyKind.Requires, null)]
    [InlineData("(c3 unless c4)", RpmDependencyKind.Conflicts, null)]
    [InlineData("(x if y)", RpmDependencyKind.Conflicts, "Illegal context for 'if', please use 'and' instead")]
    [InlineData("(x if y)", RpmDependencyKind.Requires, null)]
    [InlineData("((x if y) or z)", RpmDependencyKind.Requires, "Illegal context for 'if', please use 'and' instead")]
    [InlineData("(supp and langpacks-de)", RpmDependencyKind.Supplements, null)]
    public void ContextRulesOfTheTag(string text, RpmDependencyKind kind, string? message)
    {
        if (message is null)
        {
            Assert.NotNull(RichDependency.Parse(text, kind));
        }
        else
        {
            var ex = Assert.Throws<RichDependencyFormatException>(() => RichDependency.Parse(text, kind));
            Assert.Equal(message, ex.Reason);
        }
    }

    [Fact]
    public void EvaluatesAgainstProvides()
    {
        static RpmDependency P(string text) => RpmDependency.Parse(text, RpmDependencyKind.Provides);
        var glibc = new[] { P("libc.so.6()(64bit)"), P("glibc = 2.34-100.el9") };
        var devel = new[] { P("glibc-devel = 2.34-100.el9") };
        IReadOnlyCollection<RpmDependency>[] installed = [glibc, devel];

        Assert.True(RichDependency.Parse("(glibc >= 2.34 and glibc-devel)").IsSatisfiedBy(installed));
        Assert.False(RichDependency.Parse("(glibc >= 2.35 or missing)").IsSatisfiedBy(installed));
        Assert.True(RichDependency.Parse("(missing if absent)").IsSatisfiedBy(installed));
        Assert.False(RichDependency.Parse("(missing if glibc)").IsSatisfiedBy(installed));
        Assert.True(RichDependency.Parse("(missing if absent else glibc)").IsSatisfiedBy(installed));
        Assert.True(RichDependency.Parse("(missing unless glibc)").IsSatisfiedBy(installed));
        Assert.False(RichDependency.Parse("(missing unless absent)").IsSatisfiedBy(installed));

        // 'with' needs one package providing both; 'without' one providing the first but not the second.
        Assert.False(RichDependency.Parse("(glibc with glibc-devel)").IsSatisfiedBy(installed));
        Assert.True(RichDependency.Parse("(glibc with libc.so.6()(64bit))").IsSatisfiedBy(installed));
        Assert.True(RichDependency.Parse("(glibc without glibc-devel)").IsSatisfiedBy(installed));
        Assert.False(RichDependency.Parse("(glibc without libc.so.6()(64bit))").IsSatisfiedBy(installed));
    }

    [Fact]
    public void RichDependenciesOfTheFixtureParseUnderTheirTagsRules()
    {
        var package = RpmPackage.Open(Directory.GetFiles(RpmTestData.FixtureDir, "abi-deps-*.noarch.rpm").Single());
        int rich = 0;
        foreach (RpmDependencyKind kind in Enum.GetValues<RpmDependencyKind>())
        {
            foreach (var d in package.GetDependencies(kind).Where(d => d.IsRich))
            {
                rich++;
                Assert.Equal(d.Name, RichDependency.Parse(d.Name, kind).ToString());
            }
        }

        Assert.Equal(8, rich);
    }
}
