using Abi.Sdk.Rpm;

namespace Abi.Sdk.Tests.Api;

/// <summary>One exception family for malformed input: a caller catches <see cref="AbiSdkFormatException"/> once.</summary>
public class ExceptionFamilyTests
{
    [Fact]
    public void Every_public_exception_of_the_sdk_is_a_format_exception()
    {
        // Errors in what a caller passes (an ELF stub definition that cannot be laid out) are ArgumentExceptions, as in
        // .NET; every other public exception reports malformed input and belongs to the one family.
        var all = typeof(AbiSdkFormatException).Assembly.GetExportedTypes().Where(t => typeof(Exception).IsAssignableFrom(t)).ToList();
        Assert.Equal([typeof(global::Abi.Sdk.Elf.ElfStubException)], all.Where(t => typeof(ArgumentException).IsAssignableFrom(t)));
        var exceptions = all.Where(t => !typeof(ArgumentException).IsAssignableFrom(t)).ToList();
        Assert.Contains(typeof(RichDependencyFormatException), exceptions);
        Assert.All(exceptions, t => Assert.True(typeof(AbiSdkFormatException).IsAssignableFrom(t), $"{t} does not derive from AbiSdkFormatException"));
    }

    [Fact]
    public void A_rich_dependency_error_keeps_rpms_wording_and_names_its_offset()
    {
        // rpm -q --qf '[%{REQUIRES}\n]' refuses this with "Cannot chain different ops"; the offset is the second operator's.
        AbiSdkFormatException ex = Assert.Throws<RichDependencyFormatException>(() => RichDependency.Parse("(foo and bar or baz)"));
        Assert.Equal("Cannot chain different ops", ex.Reason);
        Assert.Equal(13, ex.Offset);
        Assert.Null(ex.FileName);
        Assert.StartsWith("Cannot chain different ops (at offset 13 of '(foo and bar or baz)')", ex.Message);
    }
}
