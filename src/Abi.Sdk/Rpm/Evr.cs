using System.Runtime.CompilerServices;

namespace Abi.Sdk.Rpm;

/// <summary>
/// An rpm <c>[epoch:]version[-release]</c> string, split as rpm splits it and ordered exactly as rpm orders it.
/// Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Splitting follows rpm's <c>parseEVR</c>: the epoch is the leading run of digits when a <c>:</c> follows it
/// (an empty epoch, <c>":1.0"</c>, reads as <c>"0"</c>); the release is everything after the last <c>-</c>.
/// Ordering follows rpm's <c>rpmverCmp</c> (what <c>rpm.vercmp()</c> returns): a missing epoch is <c>0</c>,
/// a present release (even empty) sorts after a missing one, and each part is compared with <see cref="RpmVerCmp"/>. Equality is rpm's
/// equality: <c>1.0</c> equals <c>1_0</c> and <c>01.0</c>; <see cref="ToString"/> keeps the text as written.
/// </remarks>
public sealed class Evr : IComparable<Evr>, IComparable, IEquatable<Evr>
{
    private readonly string _text;

    private Evr(string text, string? epoch, string version, string? release)
    {
        _text = text;
        Epoch = epoch;
        Version = version;
        Release = release;
    }

    /// <summary>The epoch digits as written (<c>"0"</c> for an empty epoch such as <c>":1.0"</c>), or <see langword="null"/> when absent.</summary>
    public string? Epoch { get; }

    /// <summary>The version.</summary>
    public string Version { get; }

    /// <summary>The release (after the last <c>-</c>), or <see langword="null"/> when absent.</summary>
    public string? Release { get; }

    /// <summary>The epoch as a number (0 when absent); saturates at <see cref="long.MaxValue"/> for absurdly long digit runs.</summary>
    public long EpochNumber
    {
        get
        {
            if (Epoch is null)
            {
                return 0;
            }

            long value = 0;
            foreach (char c in Epoch)
            {
                if (value > (long.MaxValue - 9) / 10)
                {
                    return long.MaxValue;
                }

                value = (value * 10) + (c - '0');
            }

            return value;
        }
    }

    /// <summary>Splits <paramref name="text"/> as rpm's <c>parseEVR</c> does. Every string is accepted; text after an embedded NUL is ignored, as in C.</summary>
    /// <param name="text">The EVR text, for example <c>"1:2.34-231.el9_7.2"</c>.</param>
    /// <returns>The parsed EVR; <see cref="ToString"/> returns <paramref name="text"/> up to any NUL.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static Evr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            text = text[..nul];
        }

        Split(text, out var e, out bool hasEpoch, out var v, out var r, out bool hasRelease);
        return new Evr(
            text,
            hasEpoch ? (e.IsEmpty ? "0" : e.ToString()) : null,
            v.ToString(),
            hasRelease ? r.ToString() : null);
    }

    /// <summary>Compares two EVRs as rpm does (<c>rpmverCmp</c>); a <see langword="null"/> EVR sorts first.</summary>
    /// <param name="left">The first EVR.</param>
    /// <param name="right">The second EVR.</param>
    /// <returns>-1, 0 or 1.</returns>
    public static int Compare(Evr? left, Evr? right)
    {
        if (ReferenceEquals(left, right))
        {
            return 0;
        }

        if (left is null)
        {
            return -1;
        }

        if (right is null)
        {
            return 1;
        }

        int rc = RpmVerCmp(left.Epoch ?? "0", right.Epoch ?? "0");
        if (rc == 0)
        {
            rc = RpmVerCmp(left.Version, right.Version);
            if (rc == 0)
            {
                rc = CompareReleases(left.Release, left.Release is not null, right.Release, right.Release is not null);
            }
        }

        return rc;
    }

    /// <summary>
    /// Compares two EVR strings exactly as <c>rpm --eval '%{lua: print(rpm.vercmp(a, b))}'</c> does, without allocating.
    /// </summary>
    /// <param name="left">The first EVR text.</param>
    /// <param name="right">The second EVR text.</param>
    /// <returns>-1, 0 or 1.</returns>
    public static int Compare(ReadOnlySpan<char> left, ReadOnlySpan<char> right)
    {
        left = UntilNul(left);
        right = UntilNul(right);
        if (left.SequenceEqual(right))
        {
            return 0;
        }

        Split(left, out var e1, out bool he1, out var v1, out var r1, out bool hr1);
        Split(right, out var e2, out bool he2, out var v2, out var r2, out bool hr2);
        int rc = RpmVerCmp(he1 && !e1.IsEmpty ? e1 : "0", he2 && !e2.IsEmpty ? e2 : "0");
        if (rc == 0)
        {
            rc = RpmVerCmp(v1, v2);
            if (rc == 0)
            {
                rc = CompareReleases(r1, hr1, r2, hr2);
            }
        }

        return rc;
    }

    /// <summary>
    /// rpm's <c>rpmvercmp</c>: compares two version (or release) strings segment by segment. Runs of ASCII digits
    /// compare numerically (leading zeros ignored, more digits wins), runs of ASCII letters compare as bytes,
    /// a numeric run beats a letter run, other characters only separate runs, <c>~</c> sorts before everything
    /// (even the end of the string) and <c>^</c> sorts after the end but before anything else.
    /// </summary>
    /// <param name="left">The first string.</param>
    /// <param name="right">The second string.</param>
    /// <returns>-1, 0 or 1.</returns>
    public static int RpmVerCmp(ReadOnlySpan<char> left, ReadOnlySpan<char> right)
    {
        var a = UntilNul(left);
        var b = UntilNul(right);
        if (a.SequenceEqual(b))
        {
            return 0;
        }

        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while (i < a.Length && !IsSegmentStart(a[i]))
            {
                i++;
            }

            while (j < b.Length && !IsSegmentStart(b[j]))
            {
                j++;
            }

            char ca = i < a.Length ? a[i] : '\0';
            char cb = j < b.Length ? b[j] : '\0';

            // Tilde sorts before everything else, even the end of the string.
            if (ca == '~' || cb == '~')
            {
                if (ca != '~')
                {
                    return 1;
                }

                if (cb != '~')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            // Caret sorts after the end of the string but before anything else.
            if (ca == '^' || cb == '^')
            {
                if (ca == '\0')
                {
                    return -1;
                }

                if (cb == '\0')
                {
                    return 1;
                }

                if (ca != '^')
                {
                    return 1;
                }

                if (cb != '^')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            if (ca == '\0' || cb == '\0')
            {
                break;
            }

            int si = i, sj = j;
            bool isNumeric = IsDigit(ca);
            if (isNumeric)
            {
                while (i < a.Length && IsDigit(a[i]))
                {
                    i++;
                }

                while (j < b.Length && IsDigit(b[j]))
                {
                    j++;
                }
            }
            else
            {
                while (i < a.Length && IsAlpha(a[i]))
                {
                    i++;
                }

                while (j < b.Length && IsAlpha(b[j]))
                {
                    j++;
                }
            }

            // Different kinds of segment: numeric is newer than alpha.
            if (sj == j)
            {
                return isNumeric ? 1 : -1;
            }

            var sa = a[si..i];
            var sb = b[sj..j];
            if (isNumeric)
            {
                sa = sa.TrimStart('0');
                sb = sb.TrimStart('0');
                if (sa.Length != sb.Length)
                {
                    return sa.Length > sb.Length ? 1 : -1;
                }
            }

            int rc = sa.SequenceCompareTo(sb);
            if (rc != 0)
            {
                return rc < 0 ? -1 : 1;
            }
        }

        if (i >= a.Length && j >= b.Length)
        {
            return 0;
        }

        return i >= a.Length ? -1 : 1;
    }

    /// <summary>
    /// rpm's <c>rpmverOverlap</c>: whether the range <paramref name="leftFlags"/> <paramref name="left"/> intersects
    /// the range <paramref name="rightFlags"/> <paramref name="right"/>. Only the comparison bits of the flags count.
    /// A missing epoch matches epoch 0; when exactly one side has a release, the ranges overlap if the side
    /// without a release includes equality (so <c>foo = 1.3-1</c> satisfies <c>foo &gt;= 1.3</c> and <c>foo = 1.3</c>).
    /// </summary>
    /// <param name="left">The first EVR.</param>
    /// <param name="leftFlags">The first comparison.</param>
    /// <param name="right">The second EVR.</param>
    /// <param name="rightFlags">The second comparison.</param>
    /// <returns>Whether the two ranges share at least one version.</returns>
    /// <exception cref="ArgumentNullException">An EVR is null.</exception>
    public static bool Overlaps(Evr left, RpmSenseFlags leftFlags, Evr right, RpmSenseFlags rightFlags)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var f1 = leftFlags & RpmSenseFlags.SenseMask;
        var f2 = rightFlags & RpmSenseFlags.SenseMask;
        int sense = 0;
        bool e1 = !string.IsNullOrEmpty(left.Epoch), e2 = !string.IsNullOrEmpty(right.Epoch);
        if (e1 && e2)
        {
            sense = RpmVerCmp(left.Epoch, right.Epoch);
        }
        else if (e1 && left.Epoch!.AsSpan().ContainsAnyExcept('0'))
        {
            sense = 1;
        }
        else if (e2 && right.Epoch!.AsSpan().ContainsAnyExcept('0'))
        {
            sense = -1;
        }

        if (sense == 0)
        {
            sense = RpmVerCmp(left.Version, right.Version);
            if (sense == 0)
            {
                bool r1 = !string.IsNullOrEmpty(left.Release), r2 = !string.IsNullOrEmpty(right.Release);
                if (r1 && r2)
                {
                    sense = RpmVerCmp(left.Release, right.Release);
                }
                else if ((r1 && (f2 & RpmSenseFlags.Equal) != 0) || (r2 && (f1 & RpmSenseFlags.Equal) != 0))
                {
                    return true;
                }
            }
        }

        if (sense < 0)
        {
            return (f1 & RpmSenseFlags.Greater) != 0 || (f2 & RpmSenseFlags.Less) != 0;
        }

        if (sense > 0)
        {
            return (f1 & RpmSenseFlags.Less) != 0 || (f2 & RpmSenseFlags.Greater) != 0;
        }

        return (f1 & f2) != 0;
    }

    /// <inheritdoc/>
    public int CompareTo(Evr? other) => Compare(this, other);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="obj"/> is not an <see cref="Evr"/>.</exception>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Evr other => Compare(this, other),
        _ => throw new ArgumentException("not an Evr", nameof(obj)),
    };

    /// <summary>rpm equality: <see cref="Compare(Evr?, Evr?)"/> returns 0.</summary>
    /// <param name="other">The other EVR.</param>
    /// <returns>Whether rpm considers the two equal.</returns>
    public bool Equals(Evr? other) => other is not null && Compare(this, other) == 0;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Evr other && Equals(other);

    /// <summary>A hash consistent with rpm equality (separators ignored, leading zeros of numbers ignored).</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        AddSegments(ref hash, Epoch ?? "0");
        hash.Add('|');
        AddSegments(ref hash, Version);
        hash.Add('|');
        if (Release is not null)
        {
            hash.Add('-');
            AddSegments(ref hash, Release);
        }
        return hash.ToHashCode();
    }

    /// <summary>The text as written.</summary>
    /// <returns>The EVR text.</returns>
    public override string ToString() => _text;

    /// <summary>rpm's ordering.</summary>
    /// <param name="left">The first EVR.</param>
    /// <param name="right">The second EVR.</param>
    /// <returns>Whether <paramref name="left"/> sorts before <paramref name="right"/>.</returns>
    public static bool operator <(Evr? left, Evr? right) => Compare(left, right) < 0;

    /// <summary>rpm's ordering.</summary>
    /// <param name="left">The first EVR.</param>
    /// <param name="right">The second EVR.</param>
    /// <returns>Whether <paramref name="left"/> sorts after <paramref name="right"/>.</returns>
    public static bool operator >(Evr? left, Evr? right) => Compare(left, right) > 0;

    /// <summary>rpm's ordering.</summary>
    /// <param name="left">The first EVR.</param>
    /// <param name="right">The second EVR.</param>
    /// <returns>Whether <paramref name="left"/> does not sort after <paramref name="right"/>.</returns>
    public static bool operator <=(Evr? left, Evr? right) => Compare(left, right) <= 0;

    /// <summary>rpm's ordering.</summary>
    /// <param name="left">The first EVR.</param>
    /// <param name="right">The second EVR.</param>
    /// <returns>Whether <paramref name="left"/> does not sort before <paramref name="right"/>.</returns>
    public static bool operator >=(Evr? left, Evr? right) => Compare(left, right) >= 0;

    /// <summary>rpm equality.</summary>
    /// <param name="left">The first EVR.</param>
    /// <param name="right">The second EVR.</param>
    /// <returns>Whether rpm considers the two equal.</returns>
    public static bool operator ==(Evr? left, Evr? right) => Compare(left, right) == 0;

    /// <summary>rpm inequality.</summary>
    /// <param name="left">The first EVR.</param>
    /// <param name="right">The second EVR.</param>
    /// <returns>Whether rpm considers the two different.</returns>
    public static bool operator !=(Evr? left, Evr? right) => Compare(left, right) != 0;

    // rpm's compare_values: a present release (even an empty one, "1.0-") sorts after a missing one.
    private static int CompareReleases(ReadOnlySpan<char> r1, bool has1, ReadOnlySpan<char> r2, bool has2)
    {
        if (has1 && has2)
        {
            return RpmVerCmp(r1, r2);
        }

        return has1 == has2 ? 0 : (has1 ? 1 : -1);
    }

    /// <summary>rpm's parseEVR over a span (already cut at any NUL).</summary>
    internal static void Split(ReadOnlySpan<char> s, out ReadOnlySpan<char> epoch, out bool hasEpoch, out ReadOnlySpan<char> version, out ReadOnlySpan<char> release, out bool hasRelease)
    {
        int digits = 0;
        while (digits < s.Length && IsDigit(s[digits]))
        {
            digits++;
        }

        int dash = s[digits..].LastIndexOf('-');
        if (dash >= 0)
        {
            dash += digits;
        }

        int versionStart;
        if (digits < s.Length && s[digits] == ':')
        {
            hasEpoch = true;
            epoch = s[..digits];
            versionStart = digits + 1;
        }
        else
        {
            hasEpoch = false;
            epoch = default;
            versionStart = 0;
        }

        if (dash >= 0)
        {
            version = s[versionStart..dash];
            release = s[(dash + 1)..];
            hasRelease = true;
        }
        else
        {
            version = s[versionStart..];
            release = default;
            hasRelease = false;
        }
    }

    private static void AddSegments(ref HashCode hash, ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (c is '~' or '^')
            {
                hash.Add(c);
                i++;
            }
            else if (IsDigit(c))
            {
                while (i < s.Length && s[i] == '0')
                {
                    i++;
                }

                hash.Add('#');
                while (i < s.Length && IsDigit(s[i]))
                {
                    hash.Add(s[i++]);
                }
            }
            else if (IsAlpha(c))
            {
                hash.Add('$');
                while (i < s.Length && IsAlpha(s[i]))
                {
                    hash.Add(s[i++]);
                }
            }
            else
            {
                i++;
            }
        }
    }

    private static ReadOnlySpan<char> UntilNul(ReadOnlySpan<char> s)
    {
        int nul = s.IndexOf('\0');
        return nul >= 0 ? s[..nul] : s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAlpha(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSegmentStart(char c) => IsDigit(c) || IsAlpha(c) || c == '~' || c == '^';
}
