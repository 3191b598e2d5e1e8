using System.Collections.Immutable;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Dependencies;

/// <summary>The switches of rpm's ELF dependency generator (<c>elfdeps</c>), with rpm's defaults.</summary>
public sealed record ElfDependencyOptions
{
    /// <summary>rpm's defaults: fake a missing SONAME from the file name, filter insane sonames.</summary>
    public static ElfDependencyOptions Default { get; } = new();

    /// <summary><c>--soname-only</c>: only the soname provides and NEEDED requires, no version nodes, no <c>rtld(GNU_HASH)</c>.</summary>
    public bool SonameOnly { get; init; }

    /// <summary>Provide the file's base name when a shared library has no DT_SONAME (<c>--no-fake-soname</c> turns it off).</summary>
    public bool FakeSoname { get; init; } = true;

    /// <summary>Drop sonames that do not contain <c>.so</c> or do not start with <c>lib</c> or <c>ld</c> (<c>--no-filter-soname</c> turns it off).</summary>
    public bool FilterSoname { get; init; } = true;

    /// <summary><c>--require-interp</c>: require the program interpreter's path.</summary>
    public bool RequireInterpreter { get; init; }
}

/// <summary>The Provides and Requires rpm generates for one ELF file, in the order <c>elfdeps</c> emits them.</summary>
/// <param name="Provides">Provides: the soname and one per version definition.</param>
/// <param name="Requires">Requires: one per needed library and per needed version, and <c>rtld(GNU_HASH)</c>.</param>
public sealed record ElfDependencies(ImmutableArray<RpmDependency> Provides, ImmutableArray<RpmDependency> Requires);

/// <summary>
/// Generates the dependencies rpm ≥ 4.17's <c>elfdeps</c> generates for an ELF file, decision for decision: the
/// <c>(64bit)</c> marker for 64-bit classes (except Alpha), provides only for shared objects without DT_DEBUG
/// (PIE executables carry DT_DEBUG), requires only for files that are executable or have no program interpreter,
/// the soname filter, the faked soname, and <c>rtld(GNU_HASH)</c> for files with DT_GNU_HASH but no DT_HASH.
/// Like <c>elfdeps</c>, it reads only what the section headers describe.
/// </summary>
public static class ElfDependencyGenerator
{
    /// <summary>Generates the dependencies of the ELF file at <paramref name="path"/>, taking its executable bits from the file system.</summary>
    /// <param name="path">The file; its base name is the fake soname.</param>
    /// <param name="options">The generator's switches, or <see langword="null"/> for rpm's defaults.</param>
    /// <returns>The generated dependencies.</returns>
    /// <exception cref="ElfFormatException">The file is not well-formed ELF.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ElfDependencies Generate(string path, ElfDependencyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var image = ElfImage.Open(path);
        // Windows has no execute bits; treat files there as executable, as a packager building on it would.
        var mode = OperatingSystem.IsWindows() ? UnixFileMode.UserExecute : File.GetUnixFileMode(path);
        return Generate(image, path, mode, options);
    }

    /// <summary>Generates the dependencies of an ELF image, for example a file read from an RPM payload.</summary>
    /// <param name="image">The ELF image.</param>
    /// <param name="fileName">The file's path or name; its base name is the fake soname.</param>
    /// <param name="permissions">
    /// The file's permission bits, as <c>elfdeps</c> reads them from <c>st_mode</c> (for a payload entry,
    /// <c>RpmPayloadEntry.Permissions</c>): a file with a program interpreter but no execute bit gets no requires.
    /// </param>
    /// <param name="options">The generator's switches, or <see langword="null"/> for rpm's defaults.</param>
    /// <returns>The generated dependencies.</returns>
    /// <exception cref="ElfFormatException">A string the generator needs is outside its table.</exception>
    public static ElfDependencies Generate(ElfImage image, string fileName, UnixFileMode permissions, ElfDependencyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(fileName);
        options ??= ElfDependencyOptions.Default;
        var provides = new List<string>();
        var requires = new List<string>();
        var header = image.Header;
        if (header.Type is not (ElfFileType.SharedObject or ElfFileType.Executable))
        {
            return new ElfDependencies([], []);
        }

        string? marker = header.Class == ElfClass.Elf64 && header.Machine is not (ElfMachine.Alpha or ElfMachine.FakeAlpha) ? "(64bit)" : null;
        bool isDso = header.Type == ElfFileType.SharedObject;

        // Requires are generated unless the file has an interpreter but is not executable.
        bool isExecutable = (permissions & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        bool generateRequires = !(image.Interpreter is not null && !isExecutable);
        bool gotDebug = false, gotHash = false, gotGnuHash = false;
        string? soname = null;

        foreach (var section in image.Sections)
        {
            switch (section.Type)
            {
                case ElfSectionType.SHT_GNU_VERDEF:
                    // The base definition names the library; every other definition is provided under that name.
                    string? baseName = null;
                    foreach (var definition in image.VersionDefinitions)
                    {
                        if (definition.IsBase)
                        {
                            baseName = definition.Name;
                        }
                        else if (baseName is not null && !options.SonameOnly)
                        {
                            Add(provides, options, baseName, definition.Name, marker);
                        }
                    }

                    break;
                case ElfSectionType.SHT_GNU_VERNEED:
                    foreach (var need in image.VersionNeeds)
                    {
                        foreach (var version in need.Versions)
                        {
                            if (generateRequires && !options.SonameOnly)
                            {
                                Add(requires, options, need.FileName, version.Name, marker);
                            }
                        }
                    }

                    break;
                case ElfSectionType.SHT_DYNAMIC when image.Dynamic is { } dynamic:
                    gotHash |= dynamic.HasHash;
                    gotGnuHash |= dynamic.HasGnuHash;
                    gotDebug |= dynamic.HasDebug;
                    soname = dynamic.Soname ?? soname;
                    if (generateRequires)
                    {
                        foreach (var needed in dynamic.Needed)
                        {
                            Add(requires, options, needed, null, marker);
                        }
                    }

                    break;
            }
        }

        // A library hashed only with DT_GNU_HASH needs a loader that reads it.
        if (generateRequires && gotGnuHash && !gotHash && !options.SonameOnly)
        {
            requires.Add("rtld(GNU_HASH)");
        }

        // DT_DEBUG tells a PIE executable from a library: only libraries provide their soname.
        if (isDso && !gotDebug)
        {
            if (soname is null && options.FakeSoname)
            {
                soname = Path.GetFileName(fileName);
            }

            if (soname is not null)
            {
                Add(provides, options, soname, null, marker);
            }
        }

        if (image.Interpreter is { } interpreter && options.RequireInterpreter)
        {
            requires.Add(interpreter);
        }

        return new ElfDependencies(ToDependencies(provides, RpmDependencyKind.Provides, RpmSenseFlags.FindProvides), ToDependencies(requires, RpmDependencyKind.Requires, RpmSenseFlags.FindRequires));
    }

    private static ImmutableArray<RpmDependency> ToDependencies(List<string> names, RpmDependencyKind kind, RpmSenseFlags flags)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var builder = ImmutableArray.CreateBuilder<RpmDependency>(names.Count);
        foreach (var name in names)
        {
            if (seen.Add(name))
            {
                builder.Add(new RpmDependency(kind, name, flags, null));
            }
        }

        return builder.ToImmutable();
    }

    private static void Add(List<string> list, ElfDependencyOptions options, string soname, string? version, string? marker)
    {
        if (SkipSoname(soname, options.FilterSoname))
        {
            return;
        }

        list.Add(version is not null || marker is not null ? $"{soname}({version}){marker}" : soname);
    }

    /// <summary>rpm's soname sanity filter: blank names always go; with filtering on, only <c>lib*</c> and loader names containing <c>.so</c> stay.</summary>
    internal static bool SkipSoname(string soname, bool filter)
    {
        if (string.IsNullOrWhiteSpace(soname) || soname.AsSpan().IndexOfAnyExcept(" \t\n\v\f\r") < 0)
        {
            return true;
        }

        if (!filter)
        {
            return false;
        }

        if (!soname.Contains(".so", StringComparison.Ordinal))
        {
            return true;
        }

        // rpm compares only three characters for the ld64 forms, so "ld6…" passes too.
        if (soname.StartsWith("ld.", StringComparison.Ordinal) || soname.StartsWith("ld-", StringComparison.Ordinal) || soname.StartsWith("ld6", StringComparison.Ordinal))
        {
            return false;
        }

        return !soname.StartsWith("lib", StringComparison.Ordinal);
    }
}
