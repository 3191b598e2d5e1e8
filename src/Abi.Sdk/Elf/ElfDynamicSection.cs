using System.Collections.Immutable;

namespace Abi.Sdk.Elf;

/// <summary>One entry of the dynamic section.</summary>
/// <param name="Tag">d_tag (DT_NEEDED = 1, DT_SONAME = 14, …; see the constants of <see cref="ElfDynamicSection"/>).</param>
/// <param name="Value">d_val or d_ptr.</param>
public readonly record struct ElfDynamicEntry(long Tag, ulong Value);

/// <summary>The dynamic section (PT_DYNAMIC), decoded up to DT_NULL, with its strings resolved.</summary>
public sealed class ElfDynamicSection
{
    /// <summary>DT_NULL.</summary>
    public const long DT_NULL = 0;
    /// <summary>DT_NEEDED.</summary>
    public const long DT_NEEDED = 1;
    /// <summary>DT_HASH.</summary>
    public const long DT_HASH = 4;
    /// <summary>DT_STRTAB.</summary>
    public const long DT_STRTAB = 5;
    /// <summary>DT_SYMTAB.</summary>
    public const long DT_SYMTAB = 6;
    /// <summary>DT_STRSZ.</summary>
    public const long DT_STRSZ = 10;
    /// <summary>DT_SYMENT.</summary>
    public const long DT_SYMENT = 11;
    /// <summary>DT_SONAME.</summary>
    public const long DT_SONAME = 14;
    /// <summary>DT_RPATH.</summary>
    public const long DT_RPATH = 15;
    /// <summary>DT_DEBUG.</summary>
    public const long DT_DEBUG = 21;
    /// <summary>DT_RUNPATH.</summary>
    public const long DT_RUNPATH = 29;
    /// <summary>DT_FLAGS.</summary>
    public const long DT_FLAGS = 30;
    /// <summary>DT_GNU_HASH.</summary>
    public const long DT_GNU_HASH = 0x6ffffef5;
    /// <summary>DT_VERSYM.</summary>
    public const long DT_VERSYM = 0x6ffffff0;
    /// <summary>DT_FLAGS_1.</summary>
    public const long DT_FLAGS_1 = 0x6ffffffb;
    /// <summary>DT_VERDEF.</summary>
    public const long DT_VERDEF = 0x6ffffffc;
    /// <summary>DT_VERDEFNUM.</summary>
    public const long DT_VERDEFNUM = 0x6ffffffd;
    /// <summary>DT_VERNEED.</summary>
    public const long DT_VERNEED = 0x6ffffffe;
    /// <summary>DT_VERNEEDNUM.</summary>
    public const long DT_VERNEEDNUM = 0x6fffffff;
    /// <summary>DT_AUXILIARY.</summary>
    public const long DT_AUXILIARY = 0x7ffffffd;
    /// <summary>DT_FILTER.</summary>
    public const long DT_FILTER = 0x7fffffff;

    internal ElfDynamicSection(ImmutableArray<ElfDynamicEntry> entries, string? soname, ImmutableArray<string> needed, string? rpath, string? runpath)
    {
        Entries = entries;
        Soname = soname;
        Needed = needed;
        RPath = rpath;
        RunPath = runpath;
        foreach (var entry in entries)
        {
            switch (entry.Tag)
            {
                case DT_FLAGS: Flags = (ElfDynamicFlags)entry.Value; break;
                case DT_FLAGS_1: Flags1 = (ElfDynamicFlags1)entry.Value; break;
                case DT_HASH: HasHash = true; break;
                case DT_GNU_HASH: HasGnuHash = true; break;
                case DT_DEBUG: HasDebug = true; break;
            }
        }
    }

    /// <summary>Every entry before DT_NULL, in file order.</summary>
    public ImmutableArray<ElfDynamicEntry> Entries { get; }

    /// <summary>DT_SONAME, or <see langword="null"/>.</summary>
    public string? Soname { get; }

    /// <summary>DT_NEEDED names, in file order (the loader's order).</summary>
    public ImmutableArray<string> Needed { get; }

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
