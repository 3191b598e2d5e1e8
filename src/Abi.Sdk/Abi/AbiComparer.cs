using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// Compares two <see cref="AbiSurface"/>s into an <see cref="AbiDiff"/> by running its rules (the built-in change
/// kinds plus any registered with <see cref="WithRules(AbiRule[])"/>), then applying severity configuration and
/// suppressions. Immutable and thread-safe: the <c>With…</c> methods return new comparers.
/// </summary>
public sealed class AbiComparer
{
    private AbiComparer(ImmutableArray<AbiRule> rules, AbiSeverityConfiguration severities, ImmutableArray<AbiSuppression> suppressions)
    {
        Rules = rules;
        Severities = severities;
        Suppressions = suppressions;
    }

    /// <summary>The built-in rules with default severities and no suppressions.</summary>
    public static AbiComparer Default { get; } = new(AbiBuiltInRules.All, AbiSeverityConfiguration.Empty, []);

    /// <summary>The rules, run in order.</summary>
    public ImmutableArray<AbiRule> Rules { get; }

    /// <summary>Severity overrides by diagnostic ID.</summary>
    public AbiSeverityConfiguration Severities { get; }

    /// <summary>libabigail-style suppressions.</summary>
    public ImmutableArray<AbiSuppression> Suppressions { get; }

    /// <summary>Every descriptor the rules declare, in rule order.</summary>
    public ImmutableArray<AbiDiagnosticDescriptor> SupportedDiagnostics => [.. Rules.SelectMany(r => r.SupportedDiagnostics).Distinct()];

    /// <summary>A comparer that also runs <paramref name="rules"/>.</summary>
    /// <param name="rules">User rules.</param>
    /// <returns>The new comparer.</returns>
    /// <exception cref="ArgumentException">A rule declares a descriptor ID another rule already declares with a different descriptor.</exception>
    public AbiComparer WithRules(params AbiRule[] rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var known = SupportedDiagnostics.ToDictionary(d => d.Id, StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule);
            foreach (var d in rule.SupportedDiagnostics)
            {
                if (known.TryGetValue(d.Id, out var existing) && !ReferenceEquals(existing, d))
                {
                    throw new ArgumentException($"diagnostic ID {d.Id} is already declared by another rule", nameof(rules));
                }

                known[d.Id] = d;
            }
        }

        return new(Rules.AddRange(rules), Severities, Suppressions);
    }

    /// <summary>A comparer reporting <paramref name="id"/> at <paramref name="severity"/> (<see cref="AbiSeverity.None"/> suppresses it).</summary>
    /// <param name="id">The diagnostic ID.</param>
    /// <param name="severity">The severity.</param>
    /// <returns>The new comparer.</returns>
    public AbiComparer WithSeverity(string id, AbiSeverity severity) => new(Rules, Severities.With(id, severity), Suppressions);

    /// <summary>A comparer with these severity overrides added (later ones win).</summary>
    /// <param name="configuration">The overrides, for example from <see cref="AbiSeverityConfiguration.Load(string)"/>.</param>
    /// <returns>The new comparer.</returns>
    public AbiComparer WithSeverities(AbiSeverityConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(Rules, Severities.Merge(configuration), Suppressions);
    }

    /// <summary>A comparer that also applies these suppressions.</summary>
    /// <param name="suppressions">The suppressions, for example <see cref="AbiSuppressionFile.Suppressions"/>.</param>
    /// <returns>The new comparer.</returns>
    public AbiComparer WithSuppressions(IEnumerable<AbiSuppression> suppressions)
    {
        ArgumentNullException.ThrowIfNull(suppressions);
        return new(Rules, Severities, Suppressions.AddRange(suppressions));
    }

    /// <summary>Compares the old library's surface with the new one's.</summary>
    /// <param name="oldSurface">The old library.</param>
    /// <param name="newSurface">The new library.</param>
    /// <param name="cancellationToken">Cancels the comparison between rules.</param>
    /// <returns>The diff.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ArgumentException">A rule reported a diagnostic it does not declare.</exception>
    public AbiDiff Compare(AbiSurface oldSurface, AbiSurface newSurface, CancellationToken cancellationToken = default)
        => Compare(oldSurface, newSurface, null, null, cancellationToken);

    /// <summary>
    /// Compares the old library's surface with the new one's, and the types behind the exported functions and
    /// variables both provide (the ABI2xxx diagnostics) when both graphs have debug information; otherwise the diff
    /// says why types were not compared (<see cref="AbiDiff.TypesNotComparedReason"/>).
    /// </summary>
    /// <param name="oldSurface">The old library.</param>
    /// <param name="newSurface">The new library.</param>
    /// <param name="oldTypes">The old library's types (<see cref="AbiTypeGraph.Load(Elf.ElfImage, IEnumerable{string}?)"/>).</param>
    /// <param name="newTypes">The new library's types.</param>
    /// <param name="cancellationToken">Cancels the comparison between rules and between symbols.</param>
    /// <returns>The diff.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ArgumentException">A rule reported a diagnostic it does not declare.</exception>
    public AbiDiff Compare(AbiSurface oldSurface, AbiSurface newSurface, AbiTypeGraph? oldTypes, AbiTypeGraph? newTypes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(oldSurface);
        ArgumentNullException.ThrowIfNull(newSurface);

        // What FindPreferredNamed finds for each removed symbol, from the matching's walk: the presence rule reads it.
        var removedPreferred = ArrayPool<AbiSymbol?>.Shared.Rent(Math.Max(1, oldSurface.Symbols.Length));
        var matching = AbiSymbolMatching.Match(oldSurface, newSurface, removedPreferred, cancellationToken);
        var (removed, added) = (matching.Removed, matching.Added);
        using var diagnostics = new AbiDiagnosticBuffer(removed.Length + added.Length + 16);
        var context = new AbiComparisonContext(oldSurface, newSurface, matching.Matched, removed, added, diagnostics, cancellationToken) { RemovedPreferred = removedPreferred };
        try
        {
            foreach (var rule in Rules)
            {
                cancellationToken.ThrowIfCancellationRequested();
                context.Run(rule);
            }
        }
        finally
        {
            context.RemovedPreferred = null;
            ArrayPool<AbiSymbol?>.Shared.Return(removedPreferred, clearArray: true);
        }

        string? typesNotCompared = null;
        if (oldTypes is not null || newTypes is not null)
        {
            if (oldTypes is { HasDebugInfo: true } && newTypes is { HasDebugInfo: true })
            {
                new AbiTypeComparison(oldTypes, newTypes).Run(context);
            }
            else
            {
                typesNotCompared = string.Join("; ", new[] { ("old", oldTypes), ("new", newTypes) }
                    .Where(p => p.Item2 is not { HasDebugInfo: true })
                    .Select(p => $"the {p.Item1} library: {p.Item2?.UnavailableReason ?? "no types were given"}"));
            }
        }

        // The reported diagnostics are kept in place in the rules' list: no second list of them.
        var suppressed = new List<AbiDiagnostic>();
        var decided = new Dictionary<AbiDiagnostic, bool>(ReferenceEqualityComparer.Instance);
        int reported = 0;
        AbiDiagnosticDescriptor? lastDescriptor = null;
        var lastSeverity = AbiSeverity.None;
        for (int i = 0; i < diagnostics.Count; i++)
        {
            // Rules report many diagnostics of one kind in a row: the configured severity is looked up once per run.
            var descriptor = diagnostics[i].Descriptor;
            if (!ReferenceEquals(descriptor, lastDescriptor))
            {
                lastSeverity = Severities.GetSeverity(descriptor);
                lastDescriptor = descriptor;
            }

            var effective = diagnostics[i].WithSeverity(lastSeverity);
            if (effective.Severity == AbiSeverity.None || IsSuppressed(effective, oldSurface, newSurface, oldTypes, newTypes, decided))
            {
                suppressed.Add(effective);
            }
            else
            {
                diagnostics[reported++] = effective;
            }
        }

        diagnostics.Truncate(reported);
        foreach (var d in diagnostics.Span)
        {
            d.DetachTypeChange();
        }

        foreach (var d in suppressed)
        {
            d.DetachTypeChange();
        }

        return new AbiDiff(oldSurface, newSurface, Sort(diagnostics.Span), Sort(CollectionsMarshal.AsSpan(suppressed)), context, oldTypes is not null || newTypes is not null, typesNotCompared)
        {
            MissingSplitUnits = typesNotCompared is null ? AbiSplitUnits.Of(oldTypes, newTypes) : [],
        };
    }

    private bool IsSuppressed(AbiDiagnostic diagnostic, AbiSurface oldSurface, AbiSurface newSurface, AbiTypeGraph? oldTypes, AbiTypeGraph? newTypes, Dictionary<AbiDiagnostic, bool> decided)
    {
        if (Suppressions.IsEmpty)
        {
            return false;
        }

        // Type diagnostics are asked again for the types that contain them: each is decided once.
        if (decided.TryGetValue(diagnostic, out bool known))
        {
            return known;
        }

        bool result = Decide();
        decided[diagnostic] = result;
        return result;

        bool Decide()
        {
            foreach (var s in Suppressions)
            {
                if (s.Suppresses(diagnostic, oldSurface, newSurface, oldTypes, newTypes))
                {
                    return true;
                }
            }

            // libabigail hides a type whose sub-changes (its members' changes, and the changes below them) are all
            // suppressed, with its own changes (its size, members inserted or removed): abidiff hides
            // struct R { int a; } → { long a; } when [suppress_type] name = int hides the member's change, and
            // struct M's inserted member when [suppress_variable] name = M::b hides the other member's move.
            if (diagnostic.TypeChange is { IsMemberChange: false } change && change.Walk.Old(change.At).Kind is AbiTypeKind.Struct or AbiTypeKind.Class or AbiTypeKind.Union)
            {
                bool any = false;
                foreach (var other in change.Walk.Diagnostics)
                {
                    if (other.TypeChange is not { } inner || !change.Walk.IsUnder(inner.At, change.At) || (inner.At == change.At && !inner.IsMemberChange))
                    {
                        continue;
                    }

                    if (!IsSuppressed(other, oldSurface, newSurface, oldTypes, newTypes, decided))
                    {
                        return false;
                    }

                    any = true;
                }

                return any;
            }

            return false;
        }
    }

    private static ImmutableArray<AbiDiagnostic> Sort(ReadOnlySpan<AbiDiagnostic> diagnostics)
    {
        // Grouped by ID, stable: rules report in surface order (file order for ELF), which is deterministic, and
        // sorting tens of thousands of long C++ names would cost more than the whole comparison. A counting sort:
        // there are a handful of IDs, so it needs one array and no list per ID.
        if (diagnostics.IsEmpty)
        {
            return [];
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        string? lastId = null;
        int run = 0;
        foreach (var d in diagnostics)
        {
            // Runs of one ID (rules report many of one kind in a row) are counted with one lookup.
            if (!ReferenceEquals(d.Id, lastId))
            {
                if (lastId is not null)
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(counts, lastId, out _) += run;
                }

                lastId = d.Id;
                run = 0;
            }

            run++;
        }

        CollectionsMarshal.GetValueRefOrAddDefault(counts, lastId!, out _) += run;

        int next = 0;
        foreach (var id in counts.Keys.Order(StringComparer.Ordinal).ToArray())
        {
            int n = counts[id];
            counts[id] = next;
            next += n;
        }

        var result = new AbiDiagnostic[diagnostics.Length];
        lastId = null;
        ref int slot = ref System.Runtime.CompilerServices.Unsafe.NullRef<int>();
        foreach (var d in diagnostics)
        {
            if (!ReferenceEquals(d.Id, lastId))
            {
                lastId = d.Id;
                slot = ref CollectionsMarshal.GetValueRefOrNullRef(counts, d.Id);
            }

            result[slot++] = d;
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }
}

/// <summary>
/// The result of comparing two surfaces: the reported diagnostics, those suppressed, and the removed and added symbol
/// lists as abidiff reports them. Immutable. Its text, JSON and SARIF reports are written by <c>Abi.Sdk.Reporting</c>
/// (<c>diff.WriteText(writer)</c>, <c>WriteJson(stream)</c>, <c>WriteSarif(stream)</c>): the model knows nothing of them.
/// </summary>
public sealed class AbiDiff
{
    private readonly ImmutableArray<AbiSymbol> _removed;
    private readonly ImmutableArray<AbiSymbol> _added;
    private AbiSymbol[]? _sortedRemoved;
    private AbiSymbol[]? _sortedAdded;

    internal AbiDiff(AbiSurface oldSurface, AbiSurface newSurface, ImmutableArray<AbiDiagnostic> diagnostics, ImmutableArray<AbiDiagnostic> suppressed, AbiComparisonContext context,
        bool typesRequested = false, string? typesNotCompared = null)
    {
        TypesRequested = typesRequested;
        TypesNotComparedReason = typesNotCompared;
        Old = oldSurface;
        New = newSurface;
        Diagnostics = diagnostics;
        SuppressedDiagnostics = suppressed;
        MatchedSymbols = context.MatchedSymbols;

        // A symbol leaves the lists when its diagnostic was suppressed, as in abidiff.
        var hiddenRemoved = suppressed.Where(d => d.Id is "ABI1001" or "ABI1002" or "ABI1008" && d.OldSymbol is not null).Select(d => d.OldSymbol!).ToHashSet(ReferenceEqualityComparer.Instance);
        var hiddenAdded = suppressed.Where(d => d.Id is "ABI1003" or "ABI1008" && d.NewSymbol is not null).Select(d => d.NewSymbol!).ToHashSet(ReferenceEqualityComparer.Instance);
        _removed = AbidiffList(context.RemovedSymbols, hiddenRemoved, context.MatchedSymbols, old: true);
        _added = AbidiffList(context.AddedSymbols, hiddenAdded, context.MatchedSymbols, old: false);
    }

    /// <summary>
    /// The removed or added list as abidiff's means it, from the comparer's matching: abidiff keeps function and
    /// variable symbols apart, so a symbol that turned from one into the other is removed and added there (the
    /// diagnostic is ABI1008); and it leaves absolute data symbols out (they stay in the diagnostics).
    /// </summary>
    private static ImmutableArray<AbiSymbol> AbidiffList(ImmutableArray<AbiSymbol> symbols, HashSet<object?> hidden, ImmutableArray<AbiSymbolPair> matched, bool old)
    {
        bool same = hidden.Count == 0;
        foreach (var s in symbols)
        {
            same &= !IsAbsoluteData(s);
        }

        foreach (var p in matched)
        {
            same &= p.Old.IsFunction == p.New.IsFunction;
        }

        if (same)
        {
            return symbols; // the usual case: no copy
        }

        var list = new List<AbiSymbol>(symbols.Length);
        foreach (var s in symbols)
        {
            if (!hidden.Contains(s) && !IsAbsoluteData(s))
            {
                list.Add(s);
            }
        }

        foreach (var p in matched)
        {
            var s = old ? p.Old : p.New;
            if (p.Old.IsFunction != p.New.IsFunction && !hidden.Contains(s))
            {
                list.Add(s);
            }
        }

        return [.. list];
    }

    private static bool IsAbsoluteData(AbiSymbol symbol) => symbol.IsAbsolute && !symbol.IsFunction;

    /// <summary>True when types were given to the comparison (whether or not both had debug information).</summary>
    public bool TypesRequested { get; }

    /// <summary>True when the types behind the exported symbols were compared (both libraries had debug information).</summary>
    public bool TypesCompared => TypesRequested && TypesNotComparedReason is null;

    /// <summary>Why types were asked for but not compared (a library without debug information, and where it was looked for); otherwise <see langword="null"/>.</summary>
    public string? TypesNotComparedReason { get; }

    /// <summary>
    /// Split DWARF units whose <c>.dwo</c> was not found when types were compared, prefixed "old: " or "new: "
    /// (<see cref="AbiTypeGraph.MissingSplitUnits"/>): the types of what they declare were not compared.
    /// </summary>
    public ImmutableArray<string> MissingSplitUnits { get; internal init; } = [];

    /// <summary>The old library.</summary>
    public AbiSurface Old { get; }

    /// <summary>The new library.</summary>
    public AbiSurface New { get; }

    /// <summary>The reported diagnostics, by ID then subject.</summary>
    public ImmutableArray<AbiDiagnostic> Diagnostics { get; }

    /// <summary>Diagnostics suppressed by a suppression or by severity <see cref="AbiSeverity.None"/>.</summary>
    public ImmutableArray<AbiDiagnostic> SuppressedDiagnostics { get; }

    /// <summary>Old symbols with their new counterparts.</summary>
    public ImmutableArray<AbiSymbolPair> MatchedSymbols { get; }

    /// <summary>Old symbols the new library no longer provides under the same name and version, sorted by name (abidiff's removed list).</summary>
    public ImmutableArray<AbiSymbol> RemovedSymbols => ImmutableCollectionsMarshal.AsImmutableArray(_sortedRemoved ??= Sorted(_removed));

    /// <summary>New symbols no old symbol matches, sorted by name (abidiff's added list).</summary>
    public ImmutableArray<AbiSymbol> AddedSymbols => ImmutableCollectionsMarshal.AsImmutableArray(_sortedAdded ??= Sorted(_added));

    /// <summary>
    /// Sorts both lists now, each with a pool thread's help when there are two cores (the JSON report, whose
    /// first long part they are: the removed list of libLLVM-15 → 16 is most of its critical path). The lazy
    /// properties alone stay on the caller's thread, so that a diff that never reads them pays nothing.
    /// </summary>
    internal void SortListsInParallel()
    {
        _sortedRemoved ??= Sorted(_removed, parallel: true);
        _sortedAdded ??= Sorted(_added, parallel: true);
    }

    private static AbiSymbol[] Sorted(ImmutableArray<AbiSymbol> symbols, bool parallel = false)
    {
        // Computed on first use; a race computes the same array twice, harmlessly.
        var array = symbols.ToArray();
        AbiSymbolOrder.Sort(array, parallel);
        return array;
    }

    /// <summary>Whether any diagnostic is reported.</summary>
    public bool HasChanges => !Diagnostics.IsEmpty;

    /// <summary>Whether any reported diagnostic is <see cref="AbiSeverity.Incompatible"/>.</summary>
    public bool HasIncompatibleChanges => Diagnostics.Any(d => d.Severity == AbiSeverity.Incompatible);

    /// <summary>abidiff's exit status bits for this diff: 0 none, 4 ABI change, 12 (4|8) incompatible change.</summary>
    public int ExitCode => HasIncompatibleChanges ? AbiExitCodes.AbiChange | AbiExitCodes.IncompatibleChange : HasChanges ? AbiExitCodes.AbiChange : 0;

    /// <summary>
    /// One line for scripts and logs: <c>OLD → NEW: 2 incompatible, 1 needs review, 5 compatible</c> (counts of the
    /// reported diagnostics by severity, zeros left out; <c>no ABI change</c> when none), then how many were suppressed.
    /// </summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        int incompatible = 0, review = 0, compatible = 0;
        foreach (var d in Diagnostics)
        {
            switch (d.Severity)
            {
                case AbiSeverity.Incompatible: incompatible++; break;
                case AbiSeverity.NeedsReview: review++; break;
                default: compatible++; break;
            }
        }

        var text = new StringBuilder();
        text.Append(Old.FileName ?? Old.Soname ?? "(old)").Append(" → ").Append(New.FileName ?? New.Soname ?? "(new)").Append(": ");
        var first = true;
        Count(incompatible, AbiSeverity.Incompatible);
        Count(review, AbiSeverity.NeedsReview);
        Count(compatible, AbiSeverity.Compatible);
        if (first)
        {
            text.Append("no ABI change");
        }

        if (!SuppressedDiagnostics.IsEmpty)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({SuppressedDiagnostics.Length} suppressed)");
        }

        return text.ToString();

        void Count(int count, AbiSeverity severity)
        {
            if (count > 0)
            {
                text.Append(first ? "" : ", ").Append(CultureInfo.InvariantCulture, $"{count} {AbiSeverities.Name(severity)}");
                first = false;
            }
        }
    }
}

/// <summary>abidiff's exit status bits, which <c>abi diff</c> uses too.</summary>
public static class AbiExitCodes
{
    /// <summary>An error (unreadable or malformed input).</summary>
    public const int Error = 1;

    /// <summary>A usage error.</summary>
    public const int UsageError = 2;

    /// <summary>The ABIs differ.</summary>
    public const int AbiChange = 4;

    /// <summary>The ABIs differ incompatibly (always set with <see cref="AbiChange"/>).</summary>
    public const int IncompatibleChange = 8;
}
