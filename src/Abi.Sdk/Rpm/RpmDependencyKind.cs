namespace Abi.Sdk.Rpm;

/// <summary>The kind of an rpm dependency: which tag triple of the header it comes from.</summary>
public enum RpmDependencyKind
{
    /// <summary><c>Provides:</c> (PROVIDENAME/PROVIDEFLAGS/PROVIDEVERSION).</summary>
    Provides,

    /// <summary><c>Requires:</c> (REQUIRENAME/REQUIREFLAGS/REQUIREVERSION).</summary>
    Requires,

    /// <summary><c>Conflicts:</c>.</summary>
    Conflicts,

    /// <summary><c>Obsoletes:</c>.</summary>
    Obsoletes,

    /// <summary><c>Recommends:</c> (also legacy strong <c>Suggests</c>).</summary>
    Recommends,

    /// <summary><c>Suggests:</c> (also legacy weak <c>Suggests</c>).</summary>
    Suggests,

    /// <summary><c>Supplements:</c> (also legacy strong <c>Enhances</c>).</summary>
    Supplements,

    /// <summary><c>Enhances:</c> (also legacy weak <c>Enhances</c>).</summary>
    Enhances,

    /// <summary><c>OrderWithRequires:</c> (ORDERNAME/ORDERFLAGS/ORDERVERSION).</summary>
    OrderWithRequires,
}
