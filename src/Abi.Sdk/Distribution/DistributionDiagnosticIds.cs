using System.Collections.Immutable;
using Abi.Sdk.Abi;

namespace Abi.Sdk.Distribution;

/// <summary>
/// The diagnostics of package and distribution diffs (<c>ABI3xxx</c>). IDs are stable; each has a help page under
/// <c>docs/diagnostics/</c>. Library pairs inside packages report the <c>ABI1xxx</c> diagnostics of
/// <see cref="AbiDiagnosticIds"/> next to these.
/// </summary>
public static class DistributionDiagnosticIds
{
    private const string HelpBase = "https://github.com/abi-sdk/abi-sdk/blob/main/docs/diagnostics/";

    private static AbiDiagnosticDescriptor D(string id, string title, string format, AbiChangeCategory category, AbiSeverity severity, string description)
        => new(id, title, format, category, severity, HelpBase + id + ".md", description);

    /// <summary>ABI3001: a package of the reference has no package of the same name and architecture in the rebuild, and nothing there provides its name.</summary>
    public static readonly AbiDiagnosticDescriptor PackageMissing = D("ABI3001", "Package missing",
        "Package '{0}' is in the reference but not in the rebuild, and no rebuild package provides '{1}'", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "Applications and packages that need it cannot be installed on the rebuild.");

    /// <summary>ABI3002: a package of the reference is not in the rebuild under its name, but another rebuild package provides that name.</summary>
    public static readonly AbiDiagnosticDescriptor PackageReplaced = D("ABI3002", "Package replaced",
        "Package '{0}' is not in the rebuild; '{1}' provides '{2}' in its place", AbiChangeCategory.Changed, AbiSeverity.NeedsReview,
        "Rebuilds rename branding packages (redhat-release becomes almalinux-release) and provide the old name; requirements on the name still resolve, but its files and dependencies are the replacement's.");

    /// <summary>ABI3003: a package only the rebuild has.</summary>
    public static readonly AbiDiagnosticDescriptor PackageAdded = D("ABI3003", "Package added",
        "Package '{0}' is only in the rebuild", AbiChangeCategory.Added, AbiSeverity.Compatible,
        "Nothing built for the reference needs it.");

    /// <summary>ABI3004: the rebuild's package is older than the reference's (rpm's version comparison).</summary>
    public static readonly AbiDiagnosticDescriptor PackageDowngraded = D("ABI3004", "Package older in the rebuild",
        "Package '{0}' is {1} in the reference but older, {2}, in the rebuild", AbiChangeCategory.Changed, AbiSeverity.NeedsReview,
        "Requirements on the reference's version (Requires: name >= EVR) may not be met, and fixes of the newer build may be missing.");

    /// <summary>ABI3010: something the reference package provides, the rebuild's package no longer provides (range semantics).</summary>
    public static readonly AbiDiagnosticDescriptor ProvideRemoved = D("ABI3010", "Provide removed",
        "'{1}' provided by the reference's {0} is not satisfied by the rebuild's package", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "A package that requires the reference's capability, at the reference's version, cannot be installed on the rebuild.");

    /// <summary>ABI3011: a requirement of the rebuild's package that nothing in the rebuild's set provides.</summary>
    public static readonly AbiDiagnosticDescriptor RequirementUnmet = D("ABI3011", "Requirement not met",
        "The rebuild's {0} requires '{1}', which no package of the rebuild provides", AbiChangeCategory.Added, AbiSeverity.Incompatible,
        "The package cannot be installed from the rebuild.");

    /// <summary>ABI3012: another dependency changed (a new requirement the set meets, a new conflict or obsolete, a changed weak dependency).</summary>
    public static readonly AbiDiagnosticDescriptor DependencyChanged = D("ABI3012", "Dependency changed",
        "{0}: {1} '{2}' {3}", AbiChangeCategory.Changed, AbiSeverity.Compatible,
        "New conflicts and obsoletes can change what installs together (they are needs-review); requirements the set meets and weak dependencies are noted.");

    /// <summary>ABI3020: a file of the reference package is not in the rebuild's package.</summary>
    public static readonly AbiDiagnosticDescriptor FileRemoved = D("ABI3020", "File removed",
        "{0}: '{1}' is not in the rebuild's package", AbiChangeCategory.Removed, AbiSeverity.NeedsReview,
        "Scripts and programs that open the file by path fail. (A shared library's removal is reported by ABI3030 or by the loader checks.)");

    /// <summary>ABI3021: a file changed type (regular file, folder, symbolic link, device…).</summary>
    public static readonly AbiDiagnosticDescriptor FileTypeChanged = D("ABI3021", "File type changed",
        "{0}: '{1}' was {2} and is {3} in the rebuild", AbiChangeCategory.Changed, AbiSeverity.NeedsReview,
        "A path that was a folder, a link or a file is now something else.");

    /// <summary>ABI3030: a shared library of the reference package has no counterpart (by path, then by SONAME) in the rebuild's package.</summary>
    public static readonly AbiDiagnosticDescriptor LibraryRemoved = D("ABI3030", "Shared library removed",
        "{0}: shared library '{1}' (SONAME {2}) has no counterpart in the rebuild's package", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "Programs that need the SONAME fail to load unless another package provides it.");

    /// <summary>ABI3040: a library a binary needs is found nowhere on the rebuild's search path.</summary>
    public static readonly AbiDiagnosticDescriptor LibraryNotFound = D("ABI3040", "Needed library not found",
        "{0}: {1}: cannot open shared object file (needed by {2})", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "The loader stops: 'error while loading shared libraries: NAME: cannot open shared object file'.");

    /// <summary>ABI3041: a version node a binary (or a library it loads) requires is not defined by the library on the rebuild.</summary>
    public static readonly AbiDiagnosticDescriptor VersionNotFound = D("ABI3041", "Required version not found",
        "{0}: version '{1}' not found in {2} (required by {3})", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "The loader stops before the program runs: 'version `VER' not found (required by OBJ)'.");

    /// <summary>ABI3042: a symbol a binary references is not defined by any object the loader loads on the rebuild.</summary>
    public static readonly AbiDiagnosticDescriptor SymbolNotFound = D("ABI3042", "Undefined symbol",
        "{0}: undefined symbol: {1} (referenced by {2})", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "With LD_BIND_NOW=1 (and for data references always) the loader stops: 'undefined symbol: NAME, version VER'; with lazy binding a function fails when first called.");

    /// <summary>ABI3043: an object an executable copy-relocates has another size on the rebuild.</summary>
    public static readonly AbiDiagnosticDescriptor CopyRelocationSizeChanged = D("ABI3043", "Copy-relocated object changed size",
        "{0}: object '{1}' is {2} bytes in {3} on the rebuild but the executable copied {4} bytes", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "The executable's copy keeps the size it was linked with; the loader warns 'Symbol `NAME' has different size in shared object, consider re-linking' and the library reads or writes past the copy when it grew.");

    /// <summary>ABI3044: a weak version requirement is not met (the loader goes on; ldd -v lists it).</summary>
    public static readonly AbiDiagnosticDescriptor WeakVersionNotFound = D("ABI3044", "Weak version not found",
        "{0}: weak version '{1}' not found in {2} (required by {3})", AbiChangeCategory.Removed, AbiSeverity.NeedsReview,
        "The loader accepts a missing weak version; symbols bound to it may still be missing.");

    /// <summary>ABI3045: a binary, or a library it loads, is marked as needing an x86-64 ISA level the target's CPU lacks.</summary>
    public static readonly AbiDiagnosticDescriptor IsaLevelTooLow = D("ABI3045", "CPU ISA level too low",
        "{0}: {1}: CPU ISA level is lower than required (needs {2}, the CPU has {3})", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "glibc's loader (2.33 and later) stops before the program runs: 'OBJECT: CPU ISA level is lower than required'.");

    /// <summary>ABI3050: an application package cannot be installed on the rebuild: some requirement cannot be met from the rebuild's packages.</summary>
    public static readonly AbiDiagnosticDescriptor PackageNotInstallable = D("ABI3050", "Package not installable",
        "{0} cannot be installed on the rebuild: {1}", AbiChangeCategory.Removed, AbiSeverity.Incompatible,
        "The reasons are libsolv installcheck's.");

    /// <summary>ABI3060: no package of a set owns the merged-/usr links, so the layout every RPM distribution since RHEL 7 has was assumed.</summary>
    public static readonly AbiDiagnosticDescriptor MergedUsrAssumed = D("ABI3060", "Merged /usr assumed",
        "No package of the {0} set owns /lib64, /lib, /bin or /sbin; the merged-/usr layout (/lib64 → usr/lib64, …) of the filesystem package was assumed", AbiChangeCategory.Changed, AbiSeverity.Compatible,
        "The program interpreter /lib64/ld-linux-x86-64.so.2 and the loader's default folders are found the way the installed system finds them.");

    /// <summary>ABI3090: a package of a set could not be read; it takes no part in the comparison.</summary>
    public static readonly AbiDiagnosticDescriptor PackageUnreadable = D("ABI3090", "Package unreadable",
        "{0}: {1}", AbiChangeCategory.Changed, AbiSeverity.Incompatible,
        "A corrupt, truncated or unreadable package is reported with the file, offset and reason; the run goes on without it and its exit code has bit 1 set.");

    /// <summary>Every descriptor of this family, in ID order.</summary>
    public static ImmutableArray<AbiDiagnosticDescriptor> All { get; } =
    [
        PackageMissing, PackageReplaced, PackageAdded, PackageDowngraded, ProvideRemoved, RequirementUnmet,
        DependencyChanged, FileRemoved, FileTypeChanged, LibraryRemoved, LibraryNotFound, VersionNotFound,
        SymbolNotFound, CopyRelocationSizeChanged, WeakVersionNotFound, IsaLevelTooLow, PackageNotInstallable, MergedUsrAssumed,
        PackageUnreadable,
    ];
}
