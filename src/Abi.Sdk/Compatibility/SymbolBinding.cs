using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <content>Symbol binding: every symbol a relocation looks up must bind to a definition in the lookup scope (dl-lookup.c).</content>
internal sealed partial class LoaderRun
{
    /// <summary>Relocation processing with immediate binding (LD_BIND_NOW): every looked-up symbol of every object.</summary>
    public void BindSymbols()
    {
        if (_stopped)
        {
            return; // the loader stopped at a refused object
        }

        foreach (var m in _scope)
        {
            _scopeSurfaces.Add(m.Surface);
        }

        foreach (var map in _loaded)
        {
            if (!map.InScope && map != _rtld)
            {
                continue;
            }

            var surface = map.Surface;
            var satisfiers = map.IsMain ? null : surface.Satisfiers;
            if (satisfiers is not null && surface.SatisfiedBy is { } summary && AllInScope(summary))
            {
                continue; // every reference has a satisfier in this scope: what the loop below would find, reference by reference
            }

            var table = surface.Image.DynamicSymbols;
            bool symbolic = (surface.Image.Dynamic!.Flags & ElfDynamicFlags.DF_SYMBOLIC) != 0;
            var references = surface.References;
            bool allSatisfied = true;
            for (int r = 0; r < references.Length; r++)
            {
                var reference = references[r];
                var symbol = table[reference.SymbolIndex];
                if (!reference.IsCopy && symbol.Binding == ElfSymbolBinding.Weak)
                {
                    continue; // bound or left 0, a weak reference never refuses the load
                }

                if (satisfiers is not null && satisfiers[r] is { } known && _scopeSurfaces.Contains(known))
                {
                    continue;
                }

                var utf8 = symbol.NameUtf8;
                uint hash = GnuHashTable.Hash(utf8);
                DynamicObject.VersionSlot version = default;
                if (surface.HasVersionTable)
                {
                    version = surface.VersionOf(symbol.VersionIndex);
                }

                bool versioned = version.Hash != 0;
                string? versionName = versioned ? version.Name : null;
                uint versionHash = versioned ? version.Hash : 0u;
                if (!reference.IsCopy && !symbolic && _target.Satisfiers.Get(utf8, hash, versionName, versionHash) is { } seen && _scopeSurfaces.Contains(seen))
                {
                    if (satisfiers is not null)
                    {
                        satisfiers[r] = seen;
                    }

                    continue;
                }

                var name = symbol.Name;
                var (defMap, defIndex) = Lookup(name, utf8, hash, versioned ? version : null, reference.IsCopy, symbolic ? map : null);
                if (defMap is null)
                {
                    allSatisfied = false;
                    if (symbol.Binding != ElfSymbolBinding.Weak)
                    {
                        _missingSymbols.Add(new MissingSymbol(name, versionName, versioned ? version.FileName : null, Chain(map)));
                    }

                    continue;
                }

                if (satisfiers is not null)
                {
                    satisfiers[r] = defMap.Surface;
                }

                if (!reference.IsCopy)
                {
                    _target.Satisfiers.Set(utf8, hash, versionName, versionHash, defMap.Surface);
                }

                if (reference.IsCopy)
                {
                    var def = defMap.Surface.Image.DynamicSymbols[defIndex];
                    if (def.Size != symbol.Size)
                    {
                        _sizeChanges.Add(new CopyRelocationSizeChange(name, versionName, symbol.Size, def.Size, defMap.Surface.Path));
                    }
                }
            }

            if (satisfiers is not null && allSatisfied)
            {
                surface.SummarizeSatisfiers();
            }
        }
    }

    /// <summary>True when every library of <paramref name="libraries"/> is in this run's lookup scope.</summary>
    private bool AllInScope(DynamicObject[] libraries)
    {
        foreach (var library in libraries)
        {
            if (!_scopeSurfaces.Contains(library))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>do_lookup_x over the scope: the first object whose definition check_match accepts and that binds globally.</summary>
    private (LinkMap? Map, int Index) Lookup(string name, ReadOnlySpan<byte> utf8, uint hash, DynamicObject.VersionSlot? version, bool isCopy, LinkMap? symbolicSelf)
    {
        if (symbolicSelf is not null && Match(symbolicSelf.Surface, name, utf8, hash, version) is int selfIndex && selfIndex > 0 && Binds(symbolicSelf.Surface, selfIndex))
        {
            return (symbolicSelf, selfIndex);
        }

        foreach (var map in _scope)
        {
            if (isCopy && map.IsMain)
            {
                continue; // a copy relocation never binds to the executable itself
            }

            int index = Match(map.Surface, name, utf8, hash, version);
            if (index > 0 && Binds(map.Surface, index))
            {
                return (map, index);
            }
        }

        return (null, 0);
    }

    /// <summary>Hidden and internal definitions are local; local bindings are ignored; weak, global and unique bind.</summary>
    private static bool Binds(DynamicObject surface, int index)
    {
        var s = surface.Image.DynamicSymbols[index];
        if (s.Visibility is ElfSymbolVisibility.Hidden or ElfSymbolVisibility.Internal)
        {
            return false;
        }

        return s.Binding is ElfSymbolBinding.Global or ElfSymbolBinding.Weak or ElfSymbolBinding.GnuUnique;
    }

    /// <summary>check_match over one object's definitions of the name, with the num_versions rule for unversioned references.</summary>
    private static int Match(DynamicObject surface, string name, ReadOnlySpan<byte> utf8, uint hash, DynamicObject.VersionSlot? version)
    {
        var table = surface.Image.DynamicSymbols;
        scoped ReadOnlySpan<int> candidates;
        Span<int> buffer = stackalloc int[16];
        if (surface.GnuHash is { } gnu)
        {
            // As ld.so: bloom filter, bucket, chain; then the same first filters and the name.
            int n = gnu.Candidates(hash, buffer, out bool overflow);
            if (overflow)
            {
                candidates = surface.Definitions.TryGetValue(name, out var all) ? all : [];
            }
            else
            {
                int kept = 0;
                for (int i = 0; i < n; i++)
                {
                    var s = table[buffer[i]];
                    if (DynamicObject.IsDefinition(s) && s.NameEquals(utf8))
                    {
                        buffer[kept++] = buffer[i];
                    }
                }

                candidates = buffer[..kept];
            }
        }
        else if (surface.Definitions.TryGetValue(name, out var indexed))
        {
            candidates = indexed;
        }
        else
        {
            return 0;
        }

        int numVersions = 0, versionedIndex = 0;
        foreach (int index in candidates)
        {
            if (!surface.HasVersionTable)
            {
                return index; // the object has no versioning: any definition is accepted
            }

            ushort versym = table[index].VersionSymbol;
            int ndx = versym & 0x7fff;
            bool hidden = (versym & 0x8000) != 0;
            if (version is { } wanted)
            {
                var have = surface.VersionOf(ndx);
                if ((have.Hash != wanted.Hash || have.Name != wanted.Name) && (have.Hash != 0 || hidden))
                {
                    continue; // not the version we want, and not an unversioned default
                }

                return index;
            }

            if (ndx >= 3)
            {
                // An unversioned reference takes a versioned definition only if it is the only non-hidden one.
                if (!hidden && numVersions++ == 0)
                {
                    versionedIndex = index;
                }

                continue;
            }

            return index; // local, global or the first (oldest) version: the "old binary" rule
        }

        return numVersions == 1 ? versionedIndex : 0;
    }
}
