using Microsoft.DotNet.Interactive;

namespace Abi.Sdk.Interactive;

/// <summary>
/// Loaded by a .NET Interactive kernel (Polyglot Notebooks, Jupyter, dotnet-repl) when a notebook references the
/// Abi.Sdk package: registers HTML formatters, so that evaluating an <c>AbiDiff</c>, a <c>CompatibilityVerdict</c>,
/// an <c>ElfImage</c>, an <c>RpmPackage</c> or a collection of their parts displays a table (summary first, details
/// in collapsed sections). Tables show at most <c>Formatter.ListExpansionLimit</c> rows and say how many more there are.
/// </summary>
public sealed class AbiSdkKernelExtension : IKernelExtension
{
    /// <summary>Registers the formatters.</summary>
    /// <param name="kernel">The kernel that loads the extension (the formatters are process-wide, as the kernel's own).</param>
    /// <returns>A completed task.</returns>
    public Task OnLoadAsync(Kernel kernel)
    {
        AbiFormatters.Register();
        return Task.CompletedTask;
    }
}
