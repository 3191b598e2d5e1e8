using System.Collections.Immutable;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// Predicts glibc's dynamic loader (ld.so) without running anything: loads DT_NEEDED breadth-first with the
/// loader's search order, checks version needs as <c>_dl_check_map_versions</c> does, and binds every symbol the
/// relocations look up with the rules of <c>do_lookup_x</c>/<c>check_match</c>. See docs/compatibility.md.
/// </summary>
public static class CompatibilityChecker
{
    /// <summary>Checks a binary on this machine against <paramref name="target"/>.</summary>
    /// <param name="hostPath">An ELF executable or shared library on this machine (its <c>$ORIGIN</c> lies on this machine too).</param>
    /// <param name="target">The system it should run on.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ElfFormatException">The binary is not well-formed ELF.</exception>
    /// <exception cref="IOException">The binary cannot be read.</exception>
    public static CompatibilityVerdict Check(string hostPath, Target target)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        ArgumentNullException.ThrowIfNull(target);
        var hostFs = target.HostFileSystem;
        var absolute = Path.GetFullPath(hostPath);
        var resolved = hostFs.Resolve(absolute) ?? throw new FileNotFoundException($"'{hostPath}' does not exist or is not a regular file", hostPath);
        if (OperatingSystem.IsLinux())
        {
            using var handle = IO.RegularFile.OpenHandle(absolute, out long length); // the errors ElfImage.Open raises
            if (length <= SmallProgram)
            {
                return CheckRead(handle, (int)length, absolute, hostPath, resolved, hostFs, target);
            }
        }

        using var image = ElfImage.Open(absolute);
        return Check(image, hostPath, resolved, hostFs, target);
    }

    /// <summary>
    /// A program up to this size is read into a pooled buffer instead of mapped (half of /usr/bin is under 72 KB):
    /// unmapping a file while another thread of the process runs makes the kernel interrupt that thread's core to
    /// flush its TLB, and with a check per binary on every core those unmaps cost more than copying a small file.
    /// </summary>
    private const int SmallProgram = 256 * 1024;

    private static CompatibilityVerdict CheckRead(Microsoft.Win32.SafeHandles.SafeFileHandle handle, int length, string absolute, string hostPath, string resolved, TargetFileSystem hostFs, Target target)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int read = 0;
            while (read < length && RandomAccess.Read(handle, buffer.AsSpan(read, length - read), read) is > 0 and var n)
            {
                read += n;
            }

            // Disposed before the buffer goes back to the pool: a read of it after that fails as a disposed image does.
            using var image = ElfImage.Parse(buffer.AsMemory(0, read), absolute);
            return Check(image, hostPath, resolved, hostFs, target);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Checks an ELF image already in memory against <paramref name="target"/>. <c>$ORIGIN</c> of the binary is the
    /// folder of <paramref name="hostPath"/> on this machine.
    /// </summary>
    /// <param name="image">The binary.</param>
    /// <param name="hostPath">Its path on this machine (its name in the verdict, and its <c>$ORIGIN</c>).</param>
    /// <param name="target">The system it should run on.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ElfFormatException">The binary is malformed.</exception>
    public static CompatibilityVerdict Check(ElfImage image, string hostPath, Target target)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(hostPath);
        ArgumentNullException.ThrowIfNull(target);
        var absolute = Path.GetFullPath(hostPath);
        var resolved = target.HostFileSystem.Resolve(absolute) ?? absolute;
        return Check(image, hostPath, resolved, target.HostFileSystem, target);
    }

    /// <summary>
    /// Checks a binary that is part of the target itself, for example <c>/usr/bin/app</c> of an unpacked tree or of a
    /// package in <see cref="Target.FromRpms"/>: it is read from the target, and its <c>$ORIGIN</c> (its bundled
    /// libraries) lies in the target too.
    /// </summary>
    /// <param name="pathInTarget">The binary's absolute path inside the target; links are followed inside the target.</param>
    /// <param name="target">The system it is installed in.</param>
    /// <returns>The verdict; <see cref="CompatibilityVerdict.Binary"/> is <paramref name="pathInTarget"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="pathInTarget"/> is not absolute.</exception>
    /// <exception cref="FileNotFoundException">The target has no regular file at <paramref name="pathInTarget"/>.</exception>
    /// <exception cref="ElfFormatException">The file is not well-formed ELF.</exception>
    public static CompatibilityVerdict CheckInstalled(string pathInTarget, Target target)
    {
        ArgumentNullException.ThrowIfNull(pathInTarget);
        ArgumentNullException.ThrowIfNull(target);
        if (!pathInTarget.StartsWith('/'))
        {
            throw new ArgumentException($"'{pathInTarget}' is not an absolute path inside the target", nameof(pathInTarget));
        }

        var fs = target.FileSystem;
        var resolved = target.Resolve(fs, pathInTarget) ?? throw new FileNotFoundException($"'{pathInTarget}' is not a regular file in {target.Description}", pathInTarget);
        if (target.Surface(fs, resolved) is { } surface)
        {
            return Check(surface, pathInTarget, target);
        }

        // Not readable as ELF: open it again to raise the reader's own error (file, offset, reason).
        using var image = fs.OpenElf(resolved);
        return Check(image, pathInTarget, resolved, fs, target);
    }

    /// <summary>
    /// Checks a binary held in memory as if it were installed at <paramref name="pathInTarget"/>, without it being a
    /// file of the target: its <c>$ORIGIN</c> is that path's folder in the target (links followed, as the kernel's
    /// real path of the program), so its RPATH and RUNPATH find the target's files, and every library it needs comes
    /// from the target. This is how a binary of one distribution is judged on another: placed where its package
    /// installs it, with nothing else of its package.
    /// </summary>
    /// <param name="image">The binary.</param>
    /// <param name="pathInTarget">The absolute path it would be installed at, inside the target.</param>
    /// <param name="target">The system it should run on.</param>
    /// <returns>The verdict; <see cref="CompatibilityVerdict.Binary"/> is <paramref name="pathInTarget"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="pathInTarget"/> is not absolute.</exception>
    /// <exception cref="ElfFormatException">The binary's dynamic tables are malformed.</exception>
    public static CompatibilityVerdict CheckAt(ElfImage image, string pathInTarget, Target target)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(pathInTarget);
        ArgumentNullException.ThrowIfNull(target);
        if (!pathInTarget.StartsWith('/'))
        {
            throw new ArgumentException($"'{pathInTarget}' is not an absolute path inside the target", nameof(pathInTarget));
        }

        var fs = target.FileSystem;
        var normalized = MemoryFileSystem.Normalize(pathInTarget);
        var folder = MemoryFileSystem.ParentOf(normalized);
        var name = normalized[(normalized.LastIndexOf('/') + 1)..];
        var realFolder = target.DirectoryExists(fs, folder) ? fs.Resolve(folder, wantDirectory: true) ?? folder : folder;
        var real = realFolder == "/" ? "/" + name : realFolder + "/" + name;
        return Check(DynamicObject.ForImage(fs, real, image), pathInTarget, target, mainInTarget: true);
    }

    /// <summary>
    /// Checks every ELF executable and shared library an RPM package installs, as installed on <paramref name="target"/>:
    /// the package's files are put on top of the target's in memory (nothing is extracted, and the target does not
    /// change, so it can be shared by concurrent checks), where installing them would put them, and the binaries'
    /// <c>$ORIGIN</c> lies there. A target that already has the package gets this package's files in place of its copy.
    /// Ghost files, and files that are not ELF executables or shared objects, are skipped; static executables get a
    /// verdict with <see cref="CompatibilityVerdict.IsDynamic"/> false.
    /// </summary>
    /// <param name="package">The package, from <see cref="RpmPackage.Open"/> or <see cref="RpmPackage.Parse"/> (its payload is read).</param>
    /// <param name="target">The system to install it on: any target (packages, an unpacked tree, this machine, baselines).</param>
    /// <param name="payloadOptions">Payload limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels between payload entries and between binaries.</param>
    /// <returns>One verdict per ELF file, in the package's file order.</returns>
    /// <exception cref="RpmFormatException">The payload is malformed or over the limits.</exception>
    /// <exception cref="InvalidOperationException">The package was read from a stream (see <see cref="RpmPackage.OpenPayload(RpmPayloadOptions?)"/>).</exception>
    /// <exception cref="ArgumentException">A regular file of the package's file list cannot be found where installing puts it (it is not in the payload, or a file of the target is in the way).</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public static ImmutableArray<CompatibilityVerdict> CheckPackage(RpmPackage package, Target target, RpmPayloadOptions? payloadOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        return CheckPackages([package], target, payloadOptions, cancellationToken);
    }

    /// <summary>
    /// Checks every ELF executable and shared library of several RPM packages installed together on
    /// <paramref name="target"/> (an application and its <c>-libs</c> package, for example), as
    /// <see cref="CheckPackage"/> checks one: each finds the others' files.
    /// </summary>
    /// <param name="packages">The packages, from <see cref="RpmPackage.Open"/> or <see cref="RpmPackage.Parse"/>; when two install the same path, the later one wins.</param>
    /// <param name="target">The system to install them on.</param>
    /// <param name="payloadOptions">Payload limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels between payload entries and between binaries.</param>
    /// <returns>One verdict per ELF file, package by package, each in its file order.</returns>
    /// <exception cref="RpmFormatException">A payload is malformed or over the limits.</exception>
    /// <exception cref="InvalidOperationException">A package was read from a stream.</exception>
    /// <exception cref="ArgumentException">A regular file of a package's file list cannot be found where installing puts it.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public static ImmutableArray<CompatibilityVerdict> CheckPackages(IEnumerable<RpmPackage> packages, Target target, RpmPayloadOptions? payloadOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packages);
        ArgumentNullException.ThrowIfNull(target);
        var list = packages.ToList();
        var files = new List<TargetFile>();
        foreach (var package in list)
        {
            ArgumentNullException.ThrowIfNull(package, nameof(packages));
            int first = files.Count;
            Target.AddPayloadFiles(package, files, payloadOptions, cancellationToken);
            Target.MarkPackageOfLibc(files, first, package);
        }

        using var installed = target.WithInstalled(files, $"{target.Description} with {string.Join(", ", list.Select(p => p.Nevra))}");
        var fs = installed.FileSystem;
        var verdicts = ImmutableArray.CreateBuilder<CompatibilityVerdict>();
        foreach (var package in list)
        {
            foreach (var file in package.Files)
            {
                if (!file.IsRegularFile || file.IsGhost)
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var resolved = installed.Resolve(fs, file.Path)
                    ?? throw new ArgumentException($"{file.Path} of {package.Nevra} is in its file list but not found where installing it on {target.Description} puts it", nameof(packages));
                if (installed.Surface(fs, resolved) is { Image.Header.Type: ElfFileType.Executable or ElfFileType.SharedObject } surface)
                {
                    verdicts.Add(Check(surface, file.Path, installed));
                }
            }
        }

        return verdicts.ToImmutable();
    }

    private static CompatibilityVerdict Check(ElfImage image, string displayPath, string resolvedPath, TargetFileSystem fs, Target target)
        // A program started by the kernel gets its $ORIGIN from /proc/self/exe: the real path of the file.
        => Check(DynamicObject.ForImage(fs, resolvedPath, image), displayPath, target, mainInTarget: fs == target.FileSystem && !fs.IsHost);

    private static CompatibilityVerdict Check(DynamicObject main, string displayPath, Target target, bool mainInTarget = true)
    {
        if (StaticExecutableCheck.IsStatic(main.Image))
        {
            return StaticExecutableCheck.Verdict(main, displayPath, target);
        }

        var run = new LoaderRun(target, main, displayPath, mainInTarget);
        run.Preload();
        run.LoadAll();
        run.CheckIsaLevels();
        run.CheckVersions();
        run.BindSymbols();
        return run.Verdict();
    }
}
