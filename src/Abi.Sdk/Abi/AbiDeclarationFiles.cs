using System.Collections.Immutable;
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
            files = DwarfLineFiles.Read(unit);
            _byUnit[unit] = files;
        }

        if (index >= (ulong)files.Length || files[(int)index] is not { } path)
        {
            return null;
        }

        return _paths.TryGetValue(path, out var shared) ? shared : _paths[path] = path;
    }
}
