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

        int rc = VerCmp(left.Epoch ?? "0", right.Epoch ?? "0");
        if (rc == 0)
        {
            rc = VerCmp(left.Version, right.Version);
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
        if (left.SequenceEqual(right))
        {
            return 0;
        }

        // One scalar pass per string (EVRs are short): cut at NUL, find the epoch and the last '-'.
        Split(left, out var e1, out bool he1, out var v1, out var r1, out bool hr1);
        Split(right, out var e2, out bool he2, out var v2, out var r2, out bool hr2);
        int rc = VerCmp(he1 && !e1.IsEmpty ? e1 : "0", he2 && !e2.IsEmpty ? e2 : "0");
        if (rc == 0)
        {
            rc = VerCmp(v1, v2);
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
    public static int RpmVerCmp(ReadOnlySpan<char> left, ReadOnlySpan<char> right) => VerCmp(UntilNul(left), UntilNul(right));

    // The character classes rpmvercmp distinguishes, for ASCII; everything else separates segments.
    private const byte Separator = 0, Digit = 1, Alpha = 2, Tilde = 3, Caret = 4;

    private static ReadOnlySpan<byte> Classes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
        0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 4, 0,
        0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 3, 0,
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte ClassOf(char c) => c < 128 ? Classes[c] : Separator;

    /// <summary>rpmvercmp over NUL-free spans.</summary>
    internal static int VerCmp(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.SequenceEqual(b))
        {
            return 0;
        }

        int i = 0, j = 0;
        while (true)
        {
            byte ka = Separator, kb = Separator;
            while (i < a.Length && (ka = ClassOf(a[i])) == Separator)
            {
                i++;
            }

            while (j < b.Length && (kb = ClassOf(b[j])) == Separator)
            {
                j++;
            }

            bool endA = i >= a.Length, endB = j >= b.Length;
            if (endA)
            {
                ka = Separator;
            }

            if (endB)
            {
                kb = Separator;
            }

            // Tilde sorts before everything else, even the end of the string.
            if (ka == Tilde || kb == Tilde)
            {
                if (ka != Tilde)
                {
                    return 1;
                }

                if (kb != Tilde)
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            // Caret sorts after the end of the string but before anything else.
            if (ka == Caret || kb == Caret)
            {
                if (endA)
                {
                    return -1;
                }

                if (endB)
                {
                    return 1;
                }

                if (ka != Caret)
                {
                    return 1;
                }

                if (kb != Caret)
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            if (endA || endB)
            {
                return endA == endB ? 0 : (endA ? -1 : 1);
            }

            int si, sj;
            if (ka == Digit)
            {
                // A numeric segment beats an alpha one.
                if (kb != Digit)
                {
                    return 1;
                }

                // Leading zeros do not count; more digits wins; then digit by digit.
                while (i < a.Length && a[i] == '0')
                {
                    i++;
                }

                while (j < b.Length && b[j] == '0')
                {
                    j++;
                }

                si = i;
                sj = j;
                while (i < a.Length && (uint)(a[i] - '0') <= 9)
                {
                    i++;
                }

                while (j < b.Length && (uint)(b[j] - '0') <= 9)
                {
                    j++;
                }

                int la = i - si, lb = j - sj;
                if (la != lb)
                {
                    return la > lb ? 1 : -1;
                }
            }
            else
            {
                if (kb != Alpha)
                {
                    return -1;
                }

                si = i;
                sj = j;
                while (i < a.Length && ClassOf(a[i]) == Alpha)
                {
                    i++;
                }

                while (j < b.Length && ClassOf(b[j]) == Alpha)
                {
                    j++;
                }
            }

            // strcmp of the two segments.
            int n = Math.Min(i - si, j - sj);
            for (int k = 0; k < n; k++)
            {
                int d = a[si + k] - b[sj + k];
                if (d != 0)
                {
                    return d < 0 ? -1 : 1;
                }
            }

            if (i - si != j - sj)
            {
                return i - si < j - sj ? -1 : 1;
            }
        }
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
            return VerCmp(r1, r2);
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

        // The last '-' at or after the epoch digits, and the end of the C string.
        int dash = -1, end = s.Length;
        for (int k = digits; k < s.Length; k++)
        {
            char c = s[k];
            if (c == '-')
            {
                dash = k;
            }
            else if (c == '\0')
            {
                end = k;
                break;
            }
        }

        int versionStart;
        if (digits < end && s[digits] == ':')
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
            release = s[(dash + 1)..end];
            hasRelease = true;
        }
        else
        {
            version = s[versionStart..end];
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
}
