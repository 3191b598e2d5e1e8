using Abi.Sdk.Rpm;

namespace Abi.Sdk.Tests.Rpm;

public class RpmDependencyTests
{
    [Theory]
    [InlineData("foo", "foo")]
    [InlineData("foo >= 1:2.0-3", "foo >= 1:2.0-3")]
    [InlineData("  foo   =>  1.0 ", "foo >= 1.0")]
    [InlineData("foo =< 1.0", "foo <= 1.0")]
    [InlineData("foo == 1.0", "foo = 1.0")]
    [InlineData("libc.so.6(GLIBC_2.34)(64bit)", "libc.so.6(GLIBC_2.34)(64bit)")]
    [InlineData("(foo or bar >= 2)", "(foo or bar >= 2)")]
    public void ParseAndFormatAsRpmPrints(string text, string printed)
    {
        Assert.Equal(printed, RpmDependency.Parse(text).ToString());
    }

    [Theory]
    [InlineData("foo >=")]
    [InlineData("foo ~ 1.0")]
    [InlineData("foo >= 1.0 bar")]
    [InlineData("")]
    public void ParseRejectsMalformedText(string text)
    {
        Assert.Throws<FormatException>(() => RpmDependency.Parse(text));
    }

    [Fact]
    public void FlagsWithoutVersionPrintTheOperatorOnly()
    {
        var d = new RpmDependency(RpmDependencyKind.Requires, "foo", RpmSenseFlags.GreaterOrEqual | RpmSenseFlags.ScriptPre);
        Assert.Equal("foo >=", d.ToString());
        Assert.Equal(RpmSenseFlags.GreaterOrEqual, d.Comparison);
    }

    [Theory]
    // (provide, requirement, overlaps) per rpmdsCompare / rpmverOverlap.
    [InlineData("foo = 1.3-1", "foo >= 1.2", true)]
    [InlineData("foo = 1.3-1", "foo = 1.3", true)]
    [InlineData("foo = 1.3", "foo = 1.3-1", true)]
    [InlineData("foo = 1.3-1", "foo > 1.3", false)]
    [InlineData("foo = 1.3-1", "foo < 1.3", false)]
    [InlineData("foo = 1.3-1", "foo <= 1.3", true)]
    [InlineData("foo = 1:1.0", "foo >= 2.0", true)]
    [InlineData("foo = 0:1.0", "foo = 1.0", true)]
    [InlineData("foo = 1.0", "foo < 1:0.1", true)]
    [InlineData("foo", "foo >= 9", true)]
    [InlineData("bar = 1", "foo", false)]
    [InlineData("foo < 2", "foo > 1", true)]
    [InlineData("foo < 1", "foo > 2", false)]
    [InlineData("foo = 1.0~rc1-1", "foo >= 1.0", false)]
    [InlineData("foo = 1.0^git1-1", "foo > 1.0", true)]
    public void OverlapsFollowsRpmdsCompare(string provide, string require, bool expected)
    {
        var p = RpmDependency.Parse(provide, RpmDependencyKind.Provides);
        var r = RpmDependency.Parse(require);
        Assert.Equal(expected, r.IsSatisfiedBy(p));
        Assert.Equal(expected, p.Overlaps(r));
    }
}
