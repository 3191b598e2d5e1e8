using System.Globalization;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Interactive;

/// <summary>
/// The columns each model part shows in a table. ELF columns are spelled as readelf spells them, RPM columns as
/// rpm does, ABI columns as the <c>abi</c> tool's reports do: a notebook reads like the tools people already know.
/// </summary>
internal static class Columns
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    internal static string Number(long value) => value.ToString(Invariant);

    internal static string Number(ulong value) => value.ToString(Invariant);

    internal static string Hex(ulong value, int digits) => value.ToString("x" + digits.ToString(Invariant), Invariant);

    private static string? Join(IEnumerable<string> values)
    {
        var text = string.Join(", ", values);
        return text.Length == 0 ? null : text;
    }

    private static string? Flags<TEnum>(TEnum flags)
        where TEnum : struct, Enum => Convert.ToUInt64(flags, Invariant) == 0 ? null : flags.ToString();

    // ---- ELF (readelf --dyn-syms -W, readelf -V, readelf -S -W, readelf -l -W) ----

    /// <summary><c>readelf --dyn-syms -W</c>'s columns; the value is padded to the class's width as readelf pads it.</summary>
    internal static Column<ElfSymbol>[] ElfSymbols(ElfOsAbi osAbi = ElfOsAbi.Gnu, ElfClass elfClass = ElfClass.Elf64)
    {
        var digits = elfClass == ElfClass.Elf32 ? 8 : 16;
        return
        [
            new("Num", s => Number(s.Index), Numeric: true),
            new("Value", s => Hex(s.Value, digits)),
            new("Size", s => Number(s.Size), Numeric: true),
            new("Type", s => ReadelfNames.SymbolType(s.Type, osAbi)),
            new("Bind", s => ReadelfNames.SymbolBinding(s.Binding, osAbi)),
            new("Vis", s => ReadelfNames.SymbolVisibility(s.Visibility)),
            new("Ndx", s => ReadelfNames.SectionIndex(s.SectionIndex)),
            new("Name", s => s.ToString()),
        ];
    }

    internal static readonly Column<ElfVersionDefinition>[] VersionDefinitions =
    [
        new("Index", v => Number(v.Index), Numeric: true),
        new("Name", v => v.Name),
        new("Flags", v => ReadelfNames.VersionFlags(v.Flags)),
        new("Predecessors", v => Join(v.Predecessors)),
    ];

    /// <summary>The definitions of one image, with how many defined symbols (not the node's own marker) each node holds.</summary>
    internal static Column<ElfVersionDefinition>[] VersionDefinitionsOf(ElfImage image)
    {
        var counts = new Dictionary<ElfVersionDefinition, int>(ReferenceEqualityComparer.Instance);
        foreach (var s in image.DynamicSymbols)
        {
            if (s.IsDefined && !s.IsVersionMarker && s.Version is ElfVersionDefinition d)
            {
                counts[d] = counts.GetValueOrDefault(d) + 1;
            }
        }

        return [.. VersionDefinitions, new("Symbols", v => Number(counts.GetValueOrDefault(v)), Numeric: true)];
    }

    internal static readonly Column<ElfVersionNeed>[] VersionNeeds =
    [
        new("File", n => n.FileName),
        new("Versions", n => Join(n.Versions.Select(v => v.IsWeak ? v.Name + " (weak)" : v.Name))),
    ];

    internal static readonly Column<ElfVersionRequirement>[] VersionRequirements =
    [
        new("File", v => v.FileName),
        new("Name", v => v.Name),
        new("Flags", v => ReadelfNames.VersionFlags(v.Flags)),
        new("Version", v => Number(v.Index), Numeric: true),
    ];

    internal static readonly Column<ElfSection>[] Sections =
    [
        new("Nr", s => Number(s.Index), Numeric: true),
        new("Name", s => s.Name),
        new("Type", s => s.Type.ToString()),
        new("Address", s => Hex(s.Address, 16)),
        new("Offset", s => Hex(s.Offset, 6)),
        new("Size", s => Hex(s.Size, 6)),
        new("Flags", s => s.Flags.ToString()),
        new("Link", s => Number(s.Link), Numeric: true),
        new("Info", s => Number(s.Info), Numeric: true),
        new("Align", s => Number(s.Alignment), Numeric: true),
    ];

    internal static readonly Column<ElfSegment>[] Segments =
    [
        new("Type", s => s.Type.ToString()),
        new("Offset", s => Hex(s.Offset, 6)),
        new("VirtAddr", s => Hex(s.VirtualAddress, 16)),
        new("FileSiz", s => Hex(s.FileSize, 6)),
        new("MemSiz", s => Hex(s.MemorySize, 6)),
        new("Flags", s => s.Flags.ToString()),
        new("Align", s => Number(s.Alignment), Numeric: true),
    ];

    internal static readonly Column<ElfImage>[] Images =
    [
        new("File", i => i.FileName),
        new("Type", i => i.Header.Type.ToString()),
        new("Machine", i => ReadelfNames.Machine(i.Header.Machine)),
        new("SONAME", i => i.Soname),
        new("Needed", i => Join(i.Needed)),
        new("Dynamic symbols", i => Number(i.DynamicSymbols.Count), Numeric: true),
        new("Version definitions", i => Number(i.VersionDefinitions.Length), Numeric: true),
    ];

    // ---- ABI (the abi tool's diff report) ----

    internal static readonly Column<AbiDiagnostic>[] Diagnostics =
    [
        new("Id", d => d.Id),
        new("Severity", d => AbiSeverities.Name(d.Severity)),
        new("Subject", d => d.Subject),
        new("Message", d => d.Message),
    ];

    /// <summary>One row per diagnostic ID: what a reader of a large diff looks at first.</summary>
    internal sealed record DiagnosticCount(string Id, string Title, AbiSeverity Severity, int Count);

    internal static readonly Column<DiagnosticCount>[] DiagnosticCounts =
    [
        new("Id", c => c.Id),
        new("Title", c => c.Title),
        new("Severity", c => AbiSeverities.Name(c.Severity)),
        new("Count", c => Number(c.Count), Numeric: true),
    ];

    internal static readonly Column<AbiDiagnosticDescriptor>[] Descriptors =
    [
        new("Id", d => d.Id),
        new("Title", d => d.Title),
        new("Category", d => d.Category.ToString()),
        new("Default severity", d => AbiSeverities.Name(d.DefaultSeverity)),
        new("Help", d => d.HelpUri),
    ];

    internal static readonly Column<AbiSymbol>[] Symbols =
    [
        new("Symbol", s => s.Spelling),
        new("Type", s => s.Type.ToString()),
        new("Binding", s => s.Binding.ToString()),
        new("Visibility", s => s.Visibility.ToString()),
        new("Size", s => Number(s.Size), Numeric: true),
    ];

    internal static readonly Column<AbiVersionNode>[] VersionNodes =
    [
        new("Name", v => v.Name),
        new("Predecessors", v => Join(v.Predecessors)),
    ];

    internal static readonly Column<AbiSurface>[] Surfaces =
    [
        new("File", s => s.FileName),
        new("SONAME", s => s.Soname),
        new("Class", s => s.Class.ToString()),
        new("Machine", s => ReadelfNames.Machine(s.Machine)),
        new("Symbols", s => Number(s.Symbols.Length), Numeric: true),
        new("Version nodes", s => Number(s.Versions.Length), Numeric: true),
        new("Needed", s => Join(s.Needed)),
    ];

    internal static readonly Column<AbiDiff>[] Diffs =
    [
        new("Old", d => d.Old.FileName ?? d.Old.Soname),
        new("New", d => d.New.FileName ?? d.New.Soname),
        new("Incompatible", d => Number(d.Diagnostics.Count(x => x.Severity == AbiSeverity.Incompatible)), Numeric: true),
        new("Needs review", d => Number(d.Diagnostics.Count(x => x.Severity == AbiSeverity.NeedsReview)), Numeric: true),
        new("Compatible", d => Number(d.Diagnostics.Count(x => x.Severity == AbiSeverity.Compatible)), Numeric: true),
        new("Exit code", d => Number(d.ExitCode), Numeric: true),
    ];

    // ---- Compatibility (ld.so's messages) ----

    internal static readonly Column<MissingLibrary>[] MissingLibraries =
    [
        new("Library", m => m.Name),
        new("Needed by", m => m.NeededBy.ToString()),
    ];

    internal static readonly Column<MissingVersion>[] MissingVersions =
    [
        new("Library", m => m.Library),
        new("Version", m => m.Version),
        new("Required by", m => m.RequiredBy.ToString()),
        new("Symbols", m => Join(m.Symbols)),
        new("Found at", m => m.LibraryPath),
    ];

    internal static readonly Column<MissingSymbol>[] MissingSymbols =
    [
        new("Symbol", m => m.Name),
        new("Version", m => m.Version),
        new("Library", m => m.Library),
        new("Referenced by", m => m.ReferencedBy.ToString()),
    ];

    internal static readonly Column<CopyRelocationSizeChange>[] SizeChanges =
    [
        new("Symbol", c => c.Name),
        new("Version", c => c.Version),
        new("Linked size", c => Number(c.LinkedSize), Numeric: true),
        new("Target size", c => Number(c.TargetSize), Numeric: true),
        new("Defined in", c => c.DefinedIn),
    ];

    internal static readonly Column<LoadedObject>[] LoadOrder =
    [
        new("Name", o => o.Name),
        new("Path", o => o.Path),
        new("SONAME", o => o.Soname),
        new("From", o => o.FromHost ? "host" : "target"),
    ];

    internal static readonly Column<string>[] Strings = [new("Path", s => s)];

    internal static readonly Column<CompatibilityVerdict>[] Verdicts =
    [
        new("Binary", v => v.Binary),
        new("Verdict", v => v.IsCompatible ? "compatible" : "incompatible"),
        new("Missing libraries", v => Number(v.MissingLibraries.Length), Numeric: true),
        new("Missing versions", v => Number(v.MissingVersions.Length), Numeric: true),
        new("Missing symbols", v => Number(v.MissingSymbols.Length), Numeric: true),
    ];

    // ---- RPM (rpm -qp) ----

    /// <summary>The dependency as <c>rpm -qp --requires</c> (and the other queries) prints it, with its kind and qualifiers.</summary>
    internal static readonly Column<RpmDependency>[] Dependencies =
    [
        new("Kind", d => d.Kind.ToString()),
        new("Dependency", d => d.ToString()),
        new("Qualifiers", d => Flags(d.Flags & ~RpmSenseFlags.SenseMask)),
    ];

    /// <summary>What <c>rpm -qlv</c> shows of a file: permissions as rpm's <c>perms</c> format, owner, size, path, link.</summary>
    internal static readonly Column<RpmFile>[] Files =
    [
        new("Mode", f => Perms(f.Mode)),
        new("User", f => f.UserName),
        new("Group", f => f.GroupName),
        new("Size", f => Number(f.Size), Numeric: true),
        new("Path", f => f.Path),
        new("Link to", f => f.LinkTarget),
        new("Attributes", f => Flags(f.Flags)),
    ];

    internal static readonly Column<RpmPackage>[] Packages =
    [
        new("NEVRA", p => p.Nevra.ToString()),
        new("Summary", p => p.Summary),
        new("License", p => p.License),
        new("Source RPM", p => p.SourceRpm),
        new("File", p => p.FileName),
    ];

    /// <summary>rpm's <c>perms</c> query format (rpmPermsString): the type letter, then rwx with s/S, s/S and t/T.</summary>
    internal static string Perms(uint mode)
    {
        Span<char> p = stackalloc char[10];
        p[0] = (mode & 0xf000) switch
        {
            0x4000 => 'd',
            0xa000 => 'l',
            0x1000 => 'p',
            0xc000 => 's',
            0x2000 => 'c',
            0x6000 => 'b',
            0x8000 => '-',
            _ => '?',
        };
        p[1] = (mode & 0x100) != 0 ? 'r' : '-';
        p[2] = (mode & 0x80) != 0 ? 'w' : '-';
        p[3] = Exec((mode & 0x40) != 0, (mode & 0x800) != 0, 's');
        p[4] = (mode & 0x20) != 0 ? 'r' : '-';
        p[5] = (mode & 0x10) != 0 ? 'w' : '-';
        p[6] = Exec((mode & 0x8) != 0, (mode & 0x400) != 0, 's');
        p[7] = (mode & 0x4) != 0 ? 'r' : '-';
        p[8] = (mode & 0x2) != 0 ? 'w' : '-';
        p[9] = Exec((mode & 0x1) != 0, (mode & 0x200) != 0, 't');
        return new string(p);

        static char Exec(bool x, bool special, char letter) => special ? (x ? letter : char.ToUpperInvariant(letter)) : (x ? 'x' : '-');
    }
}
