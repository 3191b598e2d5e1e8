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


    /// <summary>Checks the binary at <paramref name="path"/> (read from this machine) against <paramref name="target"/>.</summary>
    /// <param name="path">An ELF executable or shared library on this machine.</param>
    /// <param name="target">The system it should run on.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ElfFormatException">The binary is not well-formed ELF.</exception>
    /// <exception cref="IOException">The binary cannot be read.</exception>
    public static CompatibilityVerdict Check(string path, Target target)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(target);
        var hostFs = target.HostFileSystem;
        var absolute = Path.GetFullPath(path);
        var resolved = hostFs.Resolve(absolute) ?? throw new FileNotFoundException($"'{path}' does not exist or is not a regular file", path);
        using var image = ElfImage.Open(absolute);
        return Check(image, path, resolved, hostFs, target);
    }

    /// <summary>
    /// Checks an ELF image already in memory against <paramref name="target"/>. <c>$ORIGIN</c> of the binary is the
    /// folder of <paramref name="path"/> on this machine.
    /// </summary>
    /// <param name="image">The binary.</param>
    /// <param name="path">Its path on this machine (its name in the verdict, and its <c>$ORIGIN</c>).</param>
    /// <param name="target">The system it should run on.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ElfFormatException">The binary is malformed.</exception>
    public static CompatibilityVerdict Check(ElfImage image, string path, Target target)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(target);
        var absolute = Path.GetFullPath(path);
        var resolved = target.HostFileSystem.Resolve(absolute) ?? absolute;
        return Check(image, path, resolved, target.HostFileSystem, target);
    }

    /// <summary>
    /// Checks a binary that is part of the target itself, for example <c>/usr/bin/app</c> of an unpacked tree or of a
    /// package in <see cref="Target.FromRpms"/>: it is read from the target, and its <c>$ORIGIN</c> (its bundled
    /// libraries) lies in the target too.
    /// </summary>
    /// <param name="path">The binary's absolute path inside the target; links are followed inside the target.</param>
    /// <param name="target">The system it is installed in.</param>
    /// <returns>The verdict; <see cref="CompatibilityVerdict.Binary"/> is <paramref name="path"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not absolute.</exception>
    /// <exception cref="FileNotFoundException">The target has no regular file at <paramref name="path"/>.</exception>
    /// <exception cref="ElfFormatException">The file is not well-formed ELF.</exception>
    public static CompatibilityVerdict CheckInstalled(string path, Target target)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(target);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"'{path}' is not an absolute path inside the target", nameof(path));
        }

        var fs = target.FileSystem;
        var resolved = target.Resolve(fs, path) ?? throw new FileNotFoundException($"'{path}' is not a regular file in {target.Description}", path);
        if (target.Surface(fs, resolved) is { } surface)
        {
            return Check(surface, path, target);
        }

        // Not readable as ELF: open it again to raise the reader's own error (file, offset, reason).
        using var image = fs.OpenElf(resolved);
        return Check(image, path, resolved, fs, target);
    }

    /// <summary>
    /// Checks every ELF executable and shared library an RPM package installs, as installed in
    /// <paramref name="target"/> — a target that contains the package, such as <see cref="Target.FromRpms"/> given the
    /// package with the system's packages. Ghost files, and files that are not ELF executables or shared objects, are
    /// skipped; static executables get a verdict with <see cref="CompatibilityVerdict.IsDynamic"/> false.
    /// </summary>
    /// <param name="package">The package.</param>
    /// <param name="target">A system the package is installed in.</param>
    /// <returns>One verdict per ELF file, in the package's file order.</returns>
    /// <exception cref="ArgumentException">A regular file of the package is not in the target: the package is not part of it.</exception>
    public static ImmutableArray<CompatibilityVerdict> CheckPackage(RpmPackage package, Target target)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(target);
        var fs = target.FileSystem;
        var verdicts = ImmutableArray.CreateBuilder<CompatibilityVerdict>();
        foreach (var file in package.Files)
        {
            if (!file.IsRegularFile || file.IsGhost)
            {
                continue;
            }

            var resolved = target.Resolve(fs, file.Path)
                ?? throw new ArgumentException($"{file.Path} of {package.Nevra} is not in {target.Description}: build the target with the package", nameof(target));
            if (target.Surface(fs, resolved) is { Image.Header.Type: ElfFileType.Executable or ElfFileType.SharedObject } surface)
            {
                verdicts.Add(Check(surface, file.Path, target));
            }
        }

        return verdicts.ToImmutable();
    }

    private static CompatibilityVerdict Check(ElfImage image, string displayPath, string resolvedPath, TargetFileSystem fs, Target target)
        // A program started by the kernel gets its $ORIGIN from /proc/self/exe: the real path of the file.
        => Check(DynamicObject.ForImage(fs, resolvedPath, image), displayPath, target, mainInTarget: fs == target.FileSystem && !fs.IsHost);

    private static CompatibilityVerdict Check(DynamicObject main, string displayPath, Target target, bool mainInTarget = true)
    {
        if (main.Image.Dynamic is null)
        {
            return new CompatibilityVerdict(displayPath, false, [], [], [], [], [], []);
        }

        var run = new LoaderRun(target, main, displayPath, mainInTarget);
        run.Preload();
        run.LoadAll();
        run.CheckVersions();
        run.BindSymbols();
        return run.Verdict();
    }
}
