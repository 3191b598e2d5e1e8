using System.Text;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Compatibility;

/// <summary>Where a target's glibc release (<see cref="TargetLayout.GlibcVersion"/>) was read from.</summary>
public enum GlibcVersionSource
{
    /// <summary>The target has no C library: the loader is taken to be a current one.</summary>
    Unknown,

    /// <summary>The C library's own release string ("GNU C Library … release version 2.36."), the one <c>gnu_get_libc_version</c> and running <c>libc.so.6</c> report.</summary>
    ReleaseString,

    /// <summary>The version of the RPM package that installs <c>libc.so.6</c> (glibc-2.34-100.el9: 2.34); its release string could not be read.</summary>
    PackageVersion,

    /// <summary>
    /// The newest <c>GLIBC_2.x</c> version node <c>libc.so.6</c> defines: neither of the above exists (a baseline
    /// stub, for example). It can be newer than the release when a distribution backports a node.
    /// </summary>
    NewestVersionNode,
}

/// <summary>Reads the release of a glibc <c>libc.so.6</c>: its release string, the package version, or its newest version node.</summary>
internal static class GlibcRelease
{
    private const int MaxBannerPrefix = 512; // "GNU C Library (PKGVERSION) stable" ahead of the marker

    /// <summary>The release of the C library and where it was read from.</summary>
    public static (Version? Version, GlibcVersionSource Source) Of(DynamicObject? libc, string? packageVersion)
    {
        if (libc is not null && ReadReleaseString(libc.Image) is { } release)
        {
            return (release, GlibcVersionSource.ReleaseString);
        }

        if (packageVersion is not null && ParseVersion(Encoding.ASCII.GetBytes(packageVersion)) is { Major: 2 } packaged)
        {
            return (packaged, GlibcVersionSource.PackageVersion);
        }

        return NewestNode(libc) is { } node ? (node, GlibcVersionSource.NewestVersionNode) : (null, GlibcVersionSource.Unknown);
    }

    /// <summary>
    /// The version in the banner the C library prints when run (csu/version.c): "GNU C Library … release version
    /// 2.36." in its read-only data. Searched in <c>.rodata</c>, or in the read-only, non-executable loadable
    /// segments of a file without section headers; null when there is none.
    /// </summary>
    internal static Version? ReadReleaseString(ElfImage image)
    {
        try
        {
            if (image.FindSection(".rodata") is { } rodata)
            {
                return FindRelease(image.GetSectionData(rodata).Span);
            }

            foreach (var segment in image.Segments)
            {
                if (segment.Type == ElfSegmentType.PT_LOAD && (segment.Flags & (ElfSegmentFlags.PF_W | ElfSegmentFlags.PF_X)) == 0
                    && FindRelease(image.GetSegmentData(segment).Span) is { } found)
                {
                    return found;
                }
            }
        }
        catch (ElfFormatException)
        {
            // A section or segment that runs past the end of the file: no release string to read.
        }

        return null;
    }

    /// <summary>The first " release version X.Y" whose string starts with "GNU C Library".</summary>
    internal static Version? FindRelease(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> marker = " release version "u8;
        ReadOnlySpan<byte> banner = "GNU C Library"u8;
        int from = 0;
        while (from < data.Length)
        {
            int hit = data[from..].IndexOf(marker);
            if (hit < 0)
            {
                return null;
            }

            hit += from;
            int windowStart = Math.Max(0, hit - MaxBannerPrefix);
            int start = data[windowStart..hit].LastIndexOf((byte)0);
            start = start < 0 ? windowStart : windowStart + start + 1;
            if (data[start..hit].StartsWith(banner) && ParseVersion(data[(hit + marker.Length)..]) is { } version)
            {
                return version;
            }

            from = hit + marker.Length;
        }

        return null;
    }

    /// <summary>Leading digits and dots as a version of two to four parts ("2.36." → 2.36, "2.34-100" → 2.34).</summary>
    private static Version? ParseVersion(ReadOnlySpan<byte> text)
    {
        int end = 0;
        while (end < text.Length && end < 32 && (char.IsAsciiDigit((char)text[end]) || text[end] == (byte)'.'))
        {
            end++;
        }

        var digits = Encoding.ASCII.GetString(text[..end]).TrimEnd('.');
        return digits.Contains('.') && Version.TryParse(digits, out var v) ? v : null;
    }

    /// <summary>The newest GLIBC_2.x version node a C library defines.</summary>
    private static Version? NewestNode(DynamicObject? libc)
    {
        Version? newest = null;
        foreach (var d in libc?.Image.VersionDefinitions ?? [])
        {
            if (d.Name.StartsWith("GLIBC_", StringComparison.Ordinal) && Version.TryParse(d.Name.AsSpan(6), out var v) && (newest is null || v > newest))
            {
                newest = v;
            }
        }

        return newest;
    }
}
