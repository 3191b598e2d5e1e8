using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Distribution;

/// <summary>One ELF file of a package: where it installs, and its bytes (read from the payload once).</summary>
public sealed class PackageElfFile
{
    private AbiSurface? _surface;

    internal PackageElfFile(string path, ReadOnlyMemory<byte> content, ElfHeader header, string? soname, bool hasDynamic)
    {
        Path = path;
        Content = content;
        Header = header;
        Soname = soname;
        IsDynamic = hasDynamic;
    }

    /// <summary>The installed path (<c>/usr/lib64/libfoo.so.1</c>).</summary>
    public string Path { get; }

    /// <summary>The file's bytes.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>The ELF header: class, machine, file type.</summary>
    public ElfHeader Header { get; }

    /// <summary>DT_SONAME, if any.</summary>
    public string? Soname { get; }

    /// <summary>True when the file has a dynamic section (false for static executables and relocatable objects).</summary>
    public bool IsDynamic { get; }

    /// <summary>True for a shared object with a dynamic section (a library, or a PIE executable: ET_DYN either way).</summary>
    public bool IsSharedObject => Header.Type == ElfFileType.SharedObject && IsDynamic;

    /// <summary>The exported ABI surface, computed on first use.</summary>
    /// <exception cref="ElfFormatException">The file's dynamic tables are malformed.</exception>
    public AbiSurface Surface
    {
        get
        {
            if (_surface is null)
            {
                using var image = ElfImage.Parse(Content, Path);
                _surface = AbiSurface.Of(image).WithFileName(System.IO.Path.GetFileName(Path));
            }

            return _surface;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Soname is null ? Path : $"{Path} ({Soname})";
}

/// <summary>
/// What comparisons need from one RPM package, read in one pass over its payload: identity, header dependencies and
/// file list, the files the loader would see once it is installed (folders, links, ELF files, the loader's
/// configuration), and its ELF files. Nothing is written to disk.
/// </summary>
public sealed class PackageContent
{
    private PackageContent(string path, RpmPackage package, ImmutableArray<TargetFile> installed, ImmutableArray<PackageElfFile> elfFiles)
    {
        Path = path;
        Nevra = package.Nevra;
        Record = PackageRecord.FromPackage(package);
        Dependencies = [.. Enum.GetValues<RpmDependencyKind>().SelectMany(k => package.GetDependencies(k))];
        Files = package.Files;
        InstalledFiles = installed;
        ElfFiles = elfFiles;
    }

    /// <summary>The package file.</summary>
    public string Path { get; }

    /// <summary>Name, epoch, version, release and architecture.</summary>
    public RpmNevra Nevra { get; }

    /// <summary>The package as a package set sees it: dependencies of every kind and every file path.</summary>
    public PackageRecord Record { get; }

    /// <summary>Every dependency of rpm's nine kinds (<see cref="RpmDependencyKind"/> order, each in header order, as <c>rpm -qp --provides</c> and the other queries list them); <see cref="Record"/> leaves out OrderWithRequires, which installability does not weigh.</summary>
    public ImmutableArray<RpmDependency> Dependencies { get; }

    /// <summary>The header's file list, in header order.</summary>
    public ImmutableArray<RpmFile> Files { get; }

    /// <summary>What installing the package puts where the loader looks: folders, links, ELF files and <c>/etc/ld.so.conf*</c> whole, other files by their first bytes.</summary>
    public ImmutableArray<TargetFile> InstalledFiles { get; }

    /// <summary>The ELF files of the payload (hard links each under their own path), in payload order.</summary>
    public ImmutableArray<PackageElfFile> ElfFiles { get; }

    /// <summary>Reads a package file: its headers, then its payload once.</summary>
    /// <param name="path">The <c>.rpm</c> file.</param>
    /// <param name="options">Payload limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels between payload entries.</param>
    /// <returns>The content.</returns>
    /// <exception cref="RpmFormatException">The package is malformed or over the payload limits.</exception>
    /// <exception cref="ElfFormatException">An ELF file of the payload has a malformed header or dynamic section.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PackageContent Read(string path, RpmPayloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var package = RpmPackage.Open(path);
        return FromPackage(package, path, options, cancellationToken);
    }

    /// <summary>Reads the payload of a package already opened with <see cref="RpmPackage.Open"/> or <see cref="RpmPackage.Parse"/>.</summary>
    /// <param name="package">The package.</param>
    /// <param name="path">Its file, for messages and reports.</param>
    /// <param name="options">Payload limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels between payload entries.</param>
    /// <returns>The content.</returns>
    /// <exception cref="RpmFormatException">The payload is malformed or over the payload limits.</exception>
    /// <exception cref="ElfFormatException">An ELF file of the payload has a malformed header or dynamic section.</exception>
    public static PackageContent FromPackage(RpmPackage package, string path, RpmPayloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(path);
        var files = new List<TargetFile>();
        Target.AddPayloadFiles(package, files, options, cancellationToken);
        return Create(package, path, files);
    }

    /// <summary>The content of a package from its header and the target files of its payload (read now, or from a cache).</summary>
    internal static PackageContent Create(RpmPackage package, string path, List<TargetFile> files)
    {
        var elf = ImmutableArray.CreateBuilder<PackageElfFile>();
        foreach (var file in files)
        {
            if (file.IsDirectory || file.LinkTarget is not null)
            {
                continue;
            }

            var bytes = file.OpenContent();
            if (bytes.Length < 16 || !ElfImage.IsElf(bytes.Span))
            {
                continue;
            }

            using var image = ElfImage.Parse(bytes, $"{path}:{file.Path}");
            elf.Add(new PackageElfFile(file.Path, bytes, image.Header, image.Soname, image.Dynamic is not null));
        }

        return new PackageContent(path, package, [.. files], elf.ToImmutable());
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Nevra}: {Files.Length} files, {ElfFiles.Length} ELF";
}
