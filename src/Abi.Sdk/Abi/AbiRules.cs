using System.Collections.Immutable;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Abi;

/// <summary>
/// A rule of the comparison, as an analyzer is in Roslyn: it declares the diagnostics it can report and reports them
/// from an <see cref="AbiComparisonContext"/>. The built-in change kinds are themselves rules; register your own with
/// <see cref="AbiComparer.WithRules(AbiRule[])"/>. Rules must be thread-safe and keep no state between comparisons.
/// </summary>
public abstract class AbiRule
{
    /// <summary>The descriptors this rule reports; reporting any other throws.</summary>
    public abstract ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; }

    /// <summary>Examines the comparison and reports diagnostics.</summary>
    /// <param name="context">The comparison.</param>
    public abstract void Analyze(AbiComparisonContext context);
}

/// <summary>A symbol of the old library and the symbol of the new library that its users bind to.</summary>
/// <param name="Old">The old symbol.</param>
/// <param name="New">The new symbol.</param>
public readonly record struct AbiSymbolPair(AbiSymbol Old, AbiSymbol New);

/// <summary>
/// What a rule sees: both surfaces and the symbol matching computed once for all rules (libabigail's and the loader's
/// rule: same name at the same version; an unversioned symbol also matches the default version).
/// </summary>
public sealed class AbiComparisonContext
{
    private readonly AbiDiagnosticBuffer _diagnostics;
    private AbiRule? _currentRule;
    private AbiDiagnosticDescriptor? _lastAccepted; // the current rule declares it: a rule reports many of one kind

    internal AbiComparisonContext(AbiSurface oldSurface, AbiSurface newSurface, ImmutableArray<AbiSymbolPair> matched, ImmutableArray<AbiSymbol> removed, ImmutableArray<AbiSymbol> added, AbiDiagnosticBuffer diagnostics, CancellationToken cancellationToken)
    {
        Old = oldSurface;
        New = newSurface;
        MatchedSymbols = matched;
        RemovedSymbols = removed;
        AddedSymbols = added;
        _diagnostics = diagnostics;
        CancellationToken = cancellationToken;
    }

    /// <summary>The old library.</summary>
    public AbiSurface Old { get; }

    /// <summary>The new library.</summary>
    public AbiSurface New { get; }

    /// <summary>Old symbols with the new symbol their users bind to, in old surface order.</summary>
    public ImmutableArray<AbiSymbolPair> MatchedSymbols { get; }

    /// <summary>Old symbols the new library does not provide under the same name and version, in old surface order.</summary>
    public ImmutableArray<AbiSymbol> RemovedSymbols { get; }

    /// <summary>
    /// New symbols no old symbol matches, in new surface order, by abidiff's rule: a default-version symbol whose name
    /// the old library exported unversioned or at its default version is not new.
    /// </summary>
    public ImmutableArray<AbiSymbol> AddedSymbols { get; }

    /// <summary>
    /// While the rules run: at each index of <see cref="RemovedSymbols"/>, the symbol of its name a new link binds to
    /// (<c>FindPreferredNamed</c>) when the removed symbol has a version, found by the matching's walk; otherwise null.
    /// </summary>
    internal AbiSymbol?[]? RemovedPreferred { get; set; }

    /// <summary>Cancels a long comparison.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Reports a diagnostic.</summary>
    /// <param name="diagnostic">The diagnostic; its descriptor must be one of the reporting rule's <see cref="AbiRule.SupportedDiagnostics"/>.</param>
    /// <exception cref="ArgumentException">The rule does not declare the diagnostic's descriptor.</exception>
    public void Report(AbiDiagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        if (_currentRule is { } rule && !ReferenceEquals(diagnostic.Descriptor, _lastAccepted))
        {
            if (!rule.SupportedDiagnostics.Contains(diagnostic.Descriptor))
            {
                throw new ArgumentException($"rule {rule.GetType().Name} reported {diagnostic.Id}, which is not among its SupportedDiagnostics", nameof(diagnostic));
            }

            _lastAccepted = diagnostic.Descriptor;
        }

        _diagnostics.Add(diagnostic);
    }

    internal void Run(AbiRule rule)
    {
        _currentRule = rule;
        _lastAccepted = null;
        try
        {
            rule.Analyze(this);
        }
        finally
        {
            _currentRule = null;
            _lastAccepted = null;
        }
    }
}

/// <summary>The built-in rules, one per group of change kinds.</summary>
public static class AbiBuiltInRules
{
    /// <summary>ABI1001 symbol removed, ABI1002 symbol version removed (moved to another node), ABI1003 symbol added.</summary>
    public static AbiRule SymbolPresence { get; } = new SymbolPresenceRule();

    /// <summary>ABI1006 default version, ABI1007 object size, ABI1008 kind, ABI1009 binding, ABI1015 visibility.</summary>
    public static AbiRule SymbolAttributes { get; } = new SymbolAttributesRule();

    /// <summary>ABI1004 version node removed, ABI1005 version node added.</summary>
    public static AbiRule VersionNodes { get; } = new VersionNodesRule();

    /// <summary>ABI1010 SONAME, ABI1011 class, ABI1012 machine, ABI1013/ABI1014 DT_NEEDED.</summary>
    public static AbiRule FileIdentity { get; } = new FileIdentityRule();

    /// <summary>All built-in rules.</summary>
    public static ImmutableArray<AbiRule> All { get; } = [FileIdentity, VersionNodes, SymbolPresence, SymbolAttributes];

    private sealed class SymbolPresenceRule : AbiRule
    {
        public override ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; } =
            [AbiDiagnosticIds.SymbolRemoved, AbiDiagnosticIds.SymbolVersionRemoved, AbiDiagnosticIds.SymbolAdded];

        public override void Analyze(AbiComparisonContext context)
        {
            var removed = context.RemovedSymbols;
            var preferred = context.RemovedPreferred;
            for (int i = 0; i < removed.Length; i++)
            {
                // Symbols are passed as message arguments: they format as their spelling, only when read.
                var old = removed[i];
                var now = old.Version is null ? null : preferred is not null ? preferred[i] : context.New.FindPreferredNamed(old);
                // Their arguments follow from the symbols: (old), (old, old.Version, now), (added); built when read.
                if (now is null)
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.SymbolRemoved, old, null, AbiDiagnostic.ArgumentShape.Old));
                }
                else
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.SymbolVersionRemoved, old, now, AbiDiagnostic.ArgumentShape.OldVersionNew));
                }
            }

            foreach (var added in context.AddedSymbols)
            {
                context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.SymbolAdded, null, added, AbiDiagnostic.ArgumentShape.New));
            }
        }
    }

    private sealed class SymbolAttributesRule : AbiRule
    {
        public override ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; } =
            [AbiDiagnosticIds.DefaultVersionChanged, AbiDiagnosticIds.ObjectSizeChanged, AbiDiagnosticIds.SymbolKindChanged, AbiDiagnosticIds.BindingChanged, AbiDiagnosticIds.VisibilityChanged];

        public override void Analyze(AbiComparisonContext context)
        {
            foreach (var (o, n) in context.MatchedSymbols)
            {
                if (o.IsDefaultVersion && !n.IsDefaultVersion)
                {
                    var now = context.New.FindPreferredNamed(o) is { IsDefaultVersion: true } d ? d : null;
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.DefaultVersionChanged, null, o, now ?? n, o.Name, o.Version, now?.Version ?? "(none)"));
                }

                if (o.Type != n.Type && !(o.IsFunction && n.IsFunction))
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.SymbolKindChanged, null, o, n, o, TypeName(o.Type), TypeName(n.Type)));
                }
                else if (o.IsData && n.IsData && o.Size != n.Size)
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.ObjectSizeChanged, null, o, n, o, o.Size, n.Size));
                }

                if (o.Binding != n.Binding)
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.BindingChanged, null, o, n, o, BindingName(o.Binding), BindingName(n.Binding)));
                }

                if (o.Visibility != n.Visibility)
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.VisibilityChanged, null, o, n, o, VisibilityName(o.Visibility), VisibilityName(n.Visibility)));
                }
            }
        }
    }

    private sealed class VersionNodesRule : AbiRule
    {
        public override ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; } = [AbiDiagnosticIds.VersionNodeRemoved, AbiDiagnosticIds.VersionNodeAdded];

        public override void Analyze(AbiComparisonContext context)
        {
            var newNames = context.New.Versions.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
            var oldNames = context.Old.Versions.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var v in context.Old.Versions)
            {
                if (!newNames.Contains(v.Name))
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.VersionNodeRemoved, v.Name, null, null, v.Name));
                }
            }

            foreach (var v in context.New.Versions)
            {
                if (!oldNames.Contains(v.Name))
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.VersionNodeAdded, v.Name, null, null, v.Name));
                }
            }
        }
    }

    private sealed class FileIdentityRule : AbiRule
    {
        public override ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics { get; } =
            [AbiDiagnosticIds.SonameChanged, AbiDiagnosticIds.ElfClassChanged, AbiDiagnosticIds.MachineChanged, AbiDiagnosticIds.NeededAdded, AbiDiagnosticIds.NeededRemoved];

        public override void Analyze(AbiComparisonContext context)
        {
            var (o, n) = (context.Old, context.New);
            if (!string.Equals(o.Soname, n.Soname, StringComparison.Ordinal))
            {
                context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.SonameChanged, "SONAME", null, null, o.Soname ?? string.Empty, n.Soname ?? string.Empty));
            }

            if (o.Class != n.Class)
            {
                context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.ElfClassChanged, "ELF class", null, null, o.Class, n.Class));
            }

            if (o.Machine != n.Machine)
            {
                context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.MachineChanged, "machine", null, null, o.Machine, n.Machine));
            }

            foreach (var needed in o.Needed)
            {
                if (!n.Needed.Contains(needed))
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.NeededRemoved, needed, null, null, needed));
                }
            }

            foreach (var needed in n.Needed)
            {
                if (!o.Needed.Contains(needed))
                {
                    context.Report(AbiDiagnostic.Create(AbiDiagnosticIds.NeededAdded, needed, null, null, needed));
                }
            }
        }
    }

    internal static string TypeName(ElfSymbolType type) => type switch
    {
        ElfSymbolType.Function => "function",
        ElfSymbolType.GnuIndirectFunction => "indirect function",
        ElfSymbolType.Object => "object",
        ElfSymbolType.Tls => "TLS object",
        ElfSymbolType.Common => "common object",
        _ => "untyped symbol",
    };

    internal static string BindingName(ElfSymbolBinding binding) => binding switch
    {
        ElfSymbolBinding.Weak => "weak",
        ElfSymbolBinding.GnuUnique => "unique",
        _ => "global",
    };

    internal static string VisibilityName(ElfSymbolVisibility visibility) => visibility == ElfSymbolVisibility.Protected ? "protected" : "default";
}
