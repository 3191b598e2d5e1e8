using System.Collections.Immutable;

namespace Abi.Sdk.Elf;

/// <summary>One entry of the dynamic section.</summary>
/// <param name="Tag">d_tag.</param>
/// <param name="Value">d_val or d_ptr.</param>
public readonly record struct ElfDynamicEntry(ElfDynamicTag Tag, ulong Value);

/// <summary>The dynamic section (PT_DYNAMIC), decoded up to DT_NULL, with its strings resolved.</summary>
public sealed class ElfDynamicSection
{
    internal ElfDynamicSection(ImmutableArray<ElfDynamicEntry> entries, string? soname, ImmutableArray<string> needed, string? rpath, string? runpath, ImmutableArray<string> filters = default, ImmutableArray<string> auxiliaries = default)
    {
        Filters = filters.IsDefault ? [] : filters;
        Auxiliaries = auxiliaries.IsDefault ? [] : auxiliaries;
        Entries = entries;
        Soname = soname;
        Needed = needed;
        RPath = rpath;
        RunPath = runpath;
        foreach (var entry in entries)
        {
            switch (entry.Tag)
            {
                case ElfDynamicTag.DT_FLAGS: Flags = (ElfDynamicFlags)entry.Value; break;
                case ElfDynamicTag.DT_FLAGS_1: Flags1 = (ElfDynamicFlags1)entry.Value; break;
                case ElfDynamicTag.DT_HASH: HasHash = true; break;
                case ElfDynamicTag.DT_GNU_HASH: HasGnuHash = true; break;
                case ElfDynamicTag.DT_DEBUG: HasDebug = true; break;
            }
        }
    }

    /// <summary>Every entry before DT_NULL, in file order.</summary>
    public ImmutableArray<ElfDynamicEntry> Entries { get; }

    /// <summary>DT_SONAME, or <see langword="null"/>.</summary>
    public string? Soname { get; }

    /// <summary>DT_NEEDED names, in file order (the loader's order).</summary>
    public ImmutableArray<string> Needed { get; }

    /// <summary>
    /// DT_FILTER names, in file order: this object is a standard filter, and the loader must load each of these
    /// filtees (before the filter in the lookup scope, so their definitions win) or stop.
    /// </summary>
    public ImmutableArray<string> Filters { get; }

    /// <summary>
    /// DT_AUXILIARY names, in file order: this object is an auxiliary filter; the loader loads each filtee it finds
    /// before the filter in the lookup scope and ignores one it cannot find.
    /// </summary>
    public ImmutableArray<string> Auxiliaries { get; }

    /// <summary>DT_RPATH (colon-separated, unexpanded), or <see langword="null"/>.</summary>
    public string? RPath { get; }

    /// <summary>DT_RUNPATH (colon-separated, unexpanded), or <see langword="null"/>.</summary>
    public string? RunPath { get; }

    /// <summary>DT_FLAGS.</summary>
    public ElfDynamicFlags Flags { get; }

    /// <summary>DT_FLAGS_1.</summary>
    public ElfDynamicFlags1 Flags1 { get; }

    /// <summary>Whether DT_HASH (the SysV hash table) is present.</summary>
    public bool HasHash { get; }

    /// <summary>Whether DT_GNU_HASH is present (rpm's <c>rtld(GNU_HASH)</c> requirement comes from it).</summary>
    public bool HasGnuHash { get; }

    /// <summary>Whether DT_DEBUG is present (executables have it, libraries usually not).</summary>
    public bool HasDebug { get; }

    /// <summary>The value of the first entry with <paramref name="tag"/>, as the loader takes it.</summary>
    /// <param name="tag">The tag.</param>
    /// <param name="value">d_val or d_ptr of the first such entry; 0 when there is none.</param>
    /// <returns>Whether the section has an entry with that tag.</returns>
    public bool TryGetValue(ElfDynamicTag tag, out ulong value)
    {
        foreach (var entry in Entries)
        {
            if (entry.Tag == tag)
            {
                value = entry.Value;
                return true;
            }
        }

        value = 0;
        return false;
    }
}

/// <summary>The <c>.gnu_debuglink</c> section: the name of the separate debug file and the CRC-32 of its bytes.</summary>
/// <param name="FileName">The debug file's name.</param>
/// <param name="Crc32">The CRC-32 (IEEE, as zlib computes it) of the whole debug file.</param>
public sealed record ElfDebugLink(string FileName, uint Crc32)
{
    /// <summary>Computes the CRC-32 gdb and rpm check a debug file with.</summary>
    /// <param name="stream">The debug file's bytes, read to the end.</param>
    /// <returns>The CRC-32.</returns>
    public static uint ComputeCrc32(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(stream);
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>Whether the file at <paramref name="debugFilePath"/> is the one this link names, by its CRC-32.</summary>
    /// <param name="debugFilePath">The candidate debug file.</param>
    /// <returns>True when the CRC matches.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public bool Matches(string debugFilePath)
    {
        using var stream = IO.RegularFile.OpenRead(debugFilePath);
        return ComputeCrc32(stream) == Crc32;
    }
}
