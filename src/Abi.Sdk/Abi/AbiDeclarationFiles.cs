using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Abi.Sdk.Dwarf;

namespace Abi.Sdk.Abi;

/// <summary>
/// The files types are declared in (DW_AT_decl_file through each unit's line-table file names), for the builder: one
/// table of names per unit, read on the first type of the unit that needs it, and one string per distinct path, so
/// that every type declared in a header shares it (libc: a few hundred headers for thousands of types).
/// </summary>
internal sealed class AbiDeclarationFiles
{
    private readonly Dictionary<DwarfUnit, ImmutableArray<string?>> _byUnit = [];
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);

    /// <summary>The path of file <paramref name="index"/> of <paramref name="unit"/>'s line table; null when it has none.</summary>
    /// <exception cref="DwarfFormatException">The unit's line-table header is malformed.</exception>
    public string? Get(DwarfUnit unit, ulong index)
    {
        if (!_byUnit.TryGetValue(unit, out var files))
        {
            files = Share(DwarfLineFiles.Read(unit));
            _byUnit[unit] = files;
        }

        return index < (ulong)files.Length ? files[(int)index] : null;
    }

    /// <summary>Drops the tables and paths (the types are built).</summary>
    public void Clear()
    {
        _byUnit.Clear();
        _byUnit.TrimExcess();
        _paths.Clear();
        _paths.TrimExcess();
    }

    /// <summary>
    /// The unit's names with each path replaced by the one string already kept for it: a unit lists every header it
    /// includes (libc: about 1.6 MB of per-unit copies of the same few hundred paths, live for the whole build).
    /// </summary>
    private ImmutableArray<string?> Share(ImmutableArray<string?> files)
    {
        var shared = new string?[files.Length];
        for (int i = 0; i < shared.Length; i++)
        {
            if (files[i] is { } path)
            {
                shared[i] = _paths.TryGetValue(path, out var kept) ? kept : _paths[path] = path;
            }
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(shared);
    }
}
