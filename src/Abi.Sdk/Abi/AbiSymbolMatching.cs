using System.Buffers;
using System.Collections.Immutable;

namespace Abi.Sdk.Abi;

/// <summary>
/// The symbol matching of a comparison in one walk over the old symbols: each old symbol's name is looked up once in
/// the new surface, and that walk over the name's new symbols gives its counterpart, the symbol a new link binds to
/// (for a removed version), and which new symbols are not new. The separate lookups gave the same answers with three
/// lookups per symbol (<see cref="AbiSurface.FindCounterpart(AbiSymbol)"/>, <c>FindPreferredNamed</c>, and
/// <c>HasCounterpartOrPredecessor</c> in the old surface for every new symbol), each a cache miss on a large library.
/// </summary>
internal readonly struct AbiSymbolMatching
{
    private AbiSymbolMatching(ImmutableArray<AbiSymbolPair> matched, ImmutableArray<AbiSymbol> removed, ImmutableArray<AbiSymbol> added)
    {
        Matched = matched;
        Removed = removed;
        Added = added;
    }

    /// <summary>Old symbols with their counterparts, in old surface order.</summary>
    public ImmutableArray<AbiSymbolPair> Matched { get; }

    /// <summary>Old symbols without a counterpart, in old surface order.</summary>
    public ImmutableArray<AbiSymbol> Removed { get; }

    /// <summary>New symbols that are not new by abidiff's rule, in new surface order.</summary>
    public ImmutableArray<AbiSymbol> Added { get; }

    /// <summary>Matches the symbols of two surfaces.</summary>
    /// <param name="oldSurface">The old surface.</param>
    /// <param name="newSurface">The new surface.</param>
    /// <param name="removedPreferred">
    /// At least as long as the old surface: receives, at each removed symbol's index in <see cref="Removed"/>, what
    /// <c>FindPreferredNamed</c> finds for it in the new surface (the unversioned symbol of the name, else its default
    /// version, else its first symbol) when the removed symbol has a version; null otherwise and when the name is gone.
    /// </param>
    /// <param name="cancellationToken">Cancels between the two halves.</param>
    public static AbiSymbolMatching Match(AbiSurface oldSurface, AbiSurface newSurface, AbiSymbol?[] removedPreferred, CancellationToken cancellationToken)
    {
        var oldSymbols = oldSurface.Symbols;
        var newSymbols = newSurface.Symbols;

        // Gathered in rented arrays and copied once at their final lengths: growing lists of tens of thousands of
        // references (or pairs: a growing builder of 22 000 pairs allocates about 1.3 MB, most of it on the large object
        // heap, whose budget brings on full collections) would allocate twice that.
        var found = ArrayPool<AbiSymbol>.Shared.Rent(Math.Max(1, Math.Max(oldSymbols.Length, newSymbols.Length)));
        var pairs = ArrayPool<AbiSymbolPair>.Shared.Rent(Math.Max(1, oldSymbols.Length));
        var covered = ArrayPool<bool>.Shared.Rent(Math.Max(1, newSymbols.Length));
        int matchedCount = 0;
        try
        {
            covered.AsSpan(0, newSymbols.Length).Clear();
            int count = 0;
            for (int i = 0; i < oldSymbols.Length; i++)
            {
                var o = oldSymbols[i];
                var version = o.Version;
                bool oldBindsUnversioned = version is null || o.IsDefaultVersion;

                // A repeat of an old name and version is invisible to the old surface's lookups, so it makes no new
                // symbol "not new"; it is still matched, as every old symbol is.
                bool covers = oldSurface.IsLookedUp(i);
                AbiSymbol? counterpart = null, unversioned = null, defaultVersion = null, first = null;
                for (int j = newSurface.FirstNamed(o); j >= 0; j = newSurface.NextNamed(j, o))
                {
                    var n = newSymbols[j];
                    first ??= n;
                    var nVersion = n.Version;
                    bool sameVersion = string.Equals(nVersion, version, StringComparison.Ordinal);
                    bool newBindsUnversioned = nVersion is null || n.IsDefaultVersion;
                    if (sameVersion)
                    {
                        counterpart ??= n;
                    }

                    if (nVersion is null)
                    {
                        unversioned ??= n;
                    }
                    else if (n.IsDefaultVersion)
                    {
                        defaultVersion ??= n;
                    }

                    // HasCounterpartOrPredecessor, asked from the other side: the same version, or both bind unversioned references.
                    if (covers && (sameVersion || (oldBindsUnversioned && newBindsUnversioned)))
                    {
                        covered[j] = true;
                    }
                }

                // FindCounterpart: the same version; an unversioned symbol binds to the unversioned one, else the default version.
                if ((version is null ? unversioned ?? defaultVersion : counterpart) is { } c)
                {
                    pairs[matchedCount++] = new AbiSymbolPair(o, c);
                }
                else
                {
                    // FindPreferred: the unversioned symbol, else the default version, else the first.
                    removedPreferred[count] = version is null ? null : unversioned ?? defaultVersion ?? first;
                    found[count++] = o;
                }
            }

            var removed = ImmutableArray.Create(found, 0, count);
            cancellationToken.ThrowIfCancellationRequested();
            count = 0;
            for (int j = 0; j < newSymbols.Length; j++)
            {
                // A repeat in the new surface is in no chain, so the walk above never reached it: ask directly.
                if (newSurface.IsLookedUp(j) ? !covered[j] : !oldSurface.HasCounterpartOrPredecessor(newSymbols[j]))
                {
                    found[count++] = newSymbols[j];
                }
            }

            return new AbiSymbolMatching(ImmutableArray.Create(pairs, 0, matchedCount), removed, ImmutableArray.Create(found, 0, count));
        }
        finally
        {
            ArrayPool<AbiSymbol>.Shared.Return(found, clearArray: true);
            pairs.AsSpan(0, matchedCount).Clear(); // only the part written: the rest is as the pool gave it
            ArrayPool<AbiSymbolPair>.Shared.Return(pairs);
            ArrayPool<bool>.Shared.Return(covered);
        }
    }
}
