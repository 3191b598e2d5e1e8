using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// The verdict of a binary the dynamic loader never sees: a static executable (no dynamic section), or a static-pie
/// (a dynamic section but no PT_INTERP and no DT_NEEDED: the kernel maps it alone and it relocates itself; ldd says
/// "statically linked"). What the loader would check does not apply; what the binary's own startup code checks
/// does, and the verdict says which was checked against what.
/// </summary>
internal static class StaticExecutableCheck
{
    // glibc's static startup before 2.36 compared uname's release with the kernel it was configured for, in these words.
    private static readonly byte[] KernelCheckMessage = Encoding.ASCII.GetBytes("FATAL: kernel too old");
    private static readonly byte[] ReleaseMarker = Encoding.ASCII.GetBytes(" release version ");

    /// <summary>True when no dynamic loader takes part in starting the binary.</summary>
    public static bool IsStatic(ElfImage image)
        => image.Dynamic is null
           || (image.Interpreter is null && image.Needed.IsEmpty
               && (image.IsPositionIndependentExecutable || image.Header.Type == ElfFileType.Executable));

    public static CompatibilityVerdict Verdict(DynamicObject main, string displayPath, Target target)
    {
        var image = main.Image;
        string kind = image.Dynamic is null ? "statically linked" : "static-pie (no PT_INTERP, no DT_NEEDED: it relocates itself)";
        var notApplicable = $"not applicable: {kind}; no dynamic loader runs";
        var checks = ImmutableArray.CreateBuilder<LoaderCheckResult>();
        var refused = ImmutableArray.CreateBuilder<RefusedObject>();
        checks.Add(new LoaderCheckResult(LoaderCheck.ObjectAcceptance, false, $"not applicable: {kind}; the kernel maps it"));
        checks.Add(new LoaderCheckResult(LoaderCheck.LibrarySearch, false, notApplicable));
        checks.Add(new LoaderCheckResult(LoaderCheck.VersionNeeds, false, notApplicable));
        checks.Add(new LoaderCheckResult(LoaderCheck.SymbolBinding, false, notApplicable));
        checks.Add(IsaLevel(image, target.Cpu));
        checks.Add(Kernel(image, displayPath, main.Path, target, refused));
        return new CompatibilityVerdict(displayPath, false, [], [], [], [], [], [], [], refused.ToImmutable(), [], checks.ToImmutable());
    }

    // glibc's static startup (csu/libc-start.c, _dl_non_dynamic_init) reads no GNU property note: nothing refuses the
    // binary; an instruction the CPU lacks faults only when it runs.
    private static LoaderCheckResult IsaLevel(ElfImage image, TargetCpu cpu)
    {
        if (!IsaLevelCheck.AppliesTo(image.Header.Machine))
        {
            return new LoaderCheckResult(LoaderCheck.IsaLevel, false, $"not applicable: not an x86 binary ({image.Header.Machine})");
        }

        var needed = IsaLevelCheck.LoaderNeeded(image);
        var mark = needed == ElfX86IsaLevels.None ? "it carries no ISA-level mark"
            : $"it is marked {IsaLevelNames.Highest(needed)}, which the target's CPU {cpu.Name} {((needed & cpu.X86IsaLevels) == needed ? "has" : "lacks: an instruction of that level would fault when it runs")}";
        return new LoaderCheckResult(LoaderCheck.IsaLevel, false, $"not checked at startup: glibc's static startup makes no ISA-level check; {mark}");
    }

    private static LoaderCheckResult Kernel(ElfImage image, string displayPath, string path, Target target, ImmutableArray<RefusedObject>.Builder refused)
    {
        var (release, hasCheck) = FindMarkers(image);
        ElfAbiTag? tag;
        try
        {
            tag = image.AbiTag;
        }
        catch (ElfFormatException ex)
        {
            return new LoaderCheckResult(LoaderCheck.KernelVersion, false, $"not checked: its notes are malformed ({ex.Message})");
        }

        var glibc = release is null ? string.Empty : $"its glibc {release}, ";
        if (!hasCheck)
        {
            return new LoaderCheckResult(LoaderCheck.KernelVersion, false,
                $"not checked: {glibc}its startup has no kernel-version check (no \"FATAL: kernel too old\"; glibc 2.36 removed it)");
        }

        if (tag is not { Os: ElfAbiTagOs.GNU_ABI_TAG_LINUX } linux)
        {
            return new LoaderCheckResult(LoaderCheck.KernelVersion, false, $"not checked: {glibc}its startup checks the kernel, but it has no Linux ABI tag to say against which release");
        }

        var needed = new Version((int)linux.Major, (int)linux.Minor, (int)linux.Patch);
        if (target.KernelVersion is not { } kernel)
        {
            return new LoaderCheckResult(LoaderCheck.KernelVersion, false, $"not checked: {glibc}its startup needs kernel {needed}, and the target's kernel is not known (Target.WithKernel, --kernel)");
        }

        if (kernel < needed)
        {
            refused.Add(new RefusedObject(displayPath, path, ObjectRejection.KernelTooOld, "FATAL: kernel too old", new NeededChain([displayPath])));
        }

        return new LoaderCheckResult(LoaderCheck.KernelVersion, true, $"{glibc}its startup needs kernel {needed}, the target runs {kernel}");
    }

    /// <summary>
    /// The release of glibc's banner (at its first occurrence) and whether the kernel check's message is there, in
    /// the whole file. A file the image maps is read again in pieces into one buffer rather than searched through the
    /// mapping: the same bytes, without faulting in every page of a 130 MB program (and tearing its page tables down
    /// again when the image is closed) only to read each byte once.
    /// </summary>
    internal static (Version? Release, bool HasCheck) FindMarkers(ElfImage image)
    {
        if (OperatingSystem.IsLinux() && image.IsFileMapped && image.FileName is { } file && image.Memory.Length > FileChunk)
        {
            try
            {
                return FindMarkersInFile(file, image.Memory.Length);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not readable again (removed, replaced by something else): search the mapping as it is.
            }
        }

        var bytes = image.Span;
        var (releaseAt, checkAt) = FindMarkers(bytes);
        return (releaseAt < 0 ? null : ReleaseAt(bytes[(releaseAt + ReleaseMarker.Length)..]), checkAt >= 0);
    }

    /// <summary>The piece read at a time; a file no larger is searched through its mapping.</summary>
    internal const int FileChunk = 1 << 20;

    private static (Version? Release, bool HasCheck) FindMarkersInFile(string file, int length)
    {
        // Pieces overlap by a marker's length less one: an occurrence that starts in one piece is found whole in it or
        // in the next, and the first piece that finds a marker finds its first occurrence.
        int overlap = Math.Max(ReleaseMarker.Length, KernelCheckMessage.Length) - 1;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(overlap + FileChunk);
        try
        {
            using var handle = IO.RegularFile.OpenHandle(file, out _);
            long releaseAt = -1;
            bool hasCheck = false;
            int carried = 0;
            for (long offset = 0; offset < length && (releaseAt < 0 || !hasCheck);)
            {
                int read = ReadFully(handle, buffer.AsSpan(carried, (int)Math.Min(FileChunk, length - offset)), offset);
                if (read == 0)
                {
                    break;
                }

                var window = buffer.AsSpan(0, carried + read);
                var (r, c) = FindMarkers(window);
                if (releaseAt < 0 && r >= 0)
                {
                    releaseAt = offset - carried + r;
                }

                hasCheck |= c >= 0;
                offset += read;
                carried = Math.Min(overlap, window.Length);
                window[^carried..].CopyTo(buffer);
            }

            Version? release = null;
            if (releaseAt >= 0)
            {
                long versionAt = releaseAt + ReleaseMarker.Length;
                Span<byte> version = stackalloc byte[16]; // what ReleaseAt reads
                release = ReleaseAt(version[..ReadFully(handle, version[..(int)Math.Min(version.Length, length - versionAt)], versionAt)]);
            }

            return (release, hasCheck);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> into, long offset)
    {
        int total = 0;
        while (total < into.Length)
        {
            int n = RandomAccess.Read(handle, into[total..], offset + total);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>
    /// Where the release banner and the kernel check message first occur in the file (-1 when absent). Static
    /// executables can be large (Go programs of 50–130 MB in /usr/bin) and the whole file is searched, so both
    /// markers are searched in one pass: 16 bytes at a time, a position is a candidate when two bytes of either
    /// marker are where that marker has them ('F' and ':' of the kernel message, 'v' and 'n' of the banner), and only
    /// candidates are compared whole. Positions are visited in order, so the first candidate that matches is the first
    /// occurrence.
    /// </summary>
    internal static (int Release, int Check) FindMarkers(ReadOnlySpan<byte> bytes)
    {
        int release = -1, check = -1;
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref byte start = ref MemoryMarshal.GetReference(bytes);
            var f = Vector128.Create((byte)'F');
            var colon = Vector128.Create((byte)':');
            var v = Vector128.Create((byte)'v');
            var n = Vector128.Create((byte)'n');
            // Each step reads 16 bytes at offsets 0, 5, 9 and 15 from i: the last read ends at i + 31.
            for (int last = bytes.Length - 31; i < last; i += 16)
            {
                var m = (Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)i), f) & Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)(i + 5)), colon))
                        | (Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)(i + 9)), v) & Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)(i + 15)), n));
                if (m == Vector128<byte>.Zero)
                {
                    continue;
                }

                for (uint bits = m.ExtractMostSignificantBits(); bits != 0; bits &= bits - 1)
                {
                    int at = i + BitOperations.TrailingZeroCount(bits);
                    Match(bytes, at, ref release, ref check);
                }

                if (release >= 0 && check >= 0)
                {
                    return (release, check);
                }
            }
        }

        for (; i < bytes.Length && (release < 0 || check < 0); i++)
        {
            Match(bytes, i, ref release, ref check);
        }

        return (release, check);

        static void Match(ReadOnlySpan<byte> bytes, int at, ref int release, ref int check)
        {
            var rest = bytes[at..];
            if (check < 0 && rest.StartsWith(KernelCheckMessage))
            {
                check = at;
            }

            if (release < 0 && rest.StartsWith(ReleaseMarker))
            {
                release = at;
            }
        }
    }

    /// <summary>The X.Y of glibc's "… release version X.Y" banner, from the bytes after the marker.</summary>
    private static Version? ReleaseAt(ReadOnlySpan<byte> rest)
    {
        int n = 0;
        while (n < rest.Length && n < 16 && (char.IsAsciiDigit((char)rest[n]) || rest[n] == '.'))
        {
            n++;
        }

        return Version.TryParse(Encoding.ASCII.GetString(rest[..n]).TrimEnd('.'), out var v) ? v : null;
    }
}
