using System.Text;

namespace Abi.Sdk.Rpm;

/// <summary>
/// One rpm dependency: its kind, name (or rich expression), sense flags and optional EVR.
/// <see cref="ToString"/> spells it exactly as <c>rpm -qp --requires</c> (and the other dependency queries) print it.
/// Immutable and thread-safe.
/// </summary>
public sealed class RpmDependency : IEquatable<RpmDependency>
{
    /// <summary>Creates a dependency.</summary>
    /// <param name="kind">Which kind of dependency.</param>
    /// <param name="name">The capability name, or a rich expression starting with <c>(</c>.</param>
    /// <param name="flags">The sense flags (comparison and context bits).</param>
    /// <param name="version">The EVR compared against, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public RpmDependency(RpmDependencyKind kind, string name, RpmSenseFlags flags = RpmSenseFlags.None, Evr? version = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Kind = kind;
        Name = name;
        Flags = flags;
        Version = version;
    }

    /// <summary>
    /// A dependency read from a header, keeping the positions of the name's and version's bytes in the header's
    /// <paramref name="blob"/> (the version's length is 0 when there is none).
    /// </summary>
    internal RpmDependency(RpmDependencyKind kind, string name, RpmSenseFlags flags, Evr? version, byte[] blob, int nameStart, int nameLength, int versionStart, int versionLength)
    {
        Kind = kind;
        Name = name;
        Flags = flags;
        Version = version;
        _blob = blob;
        _nameStart = nameStart;
        _nameLength = nameLength;
        _versionStart = versionStart;
        _versionLength = versionLength;
    }

    // The header's bytes and positions in them (64 bytes an object instead of 80 with two ReadOnlyMemory<byte>);
    // null for a dependency made from text.
    private readonly byte[]? _blob;
    private readonly int _nameStart, _nameLength, _versionStart, _versionLength;

    /// <summary>
    /// The name as the header stores it: its bytes may not be UTF-8 (Latin-1 names exist in real repositories), and
    /// <see cref="Name"/> is then their Latin-1 reading (<see cref="RpmHeader.DecodeString"/>). For a dependency made
    /// from text, the UTF-8 encoding of <see cref="Name"/>.
    /// </summary>
    public ReadOnlyMemory<byte> NameBytes => _blob is not null ? new ReadOnlyMemory<byte>(_blob, _nameStart, _nameLength) : Encoding.UTF8.GetBytes(Name);

    /// <summary>The EVR as the header stores it (empty when there is none); for a dependency made from text, the UTF-8 encoding of <see cref="Version"/>.</summary>
    public ReadOnlyMemory<byte> VersionBytes => _blob is not null ? new ReadOnlyMemory<byte>(_blob, _versionStart, _versionLength) : Encoding.UTF8.GetBytes(Version?.ToString() ?? string.Empty);

    /// <summary>Which kind of dependency this is.</summary>
    public RpmDependencyKind Kind { get; }

    /// <summary>The capability name (<c>libc.so.6(GLIBC_2.34)(64bit)</c>, <c>/bin/sh</c>, <c>rpmlib(CompressedFileNames)</c>), or a rich expression.</summary>
    public string Name { get; }

    /// <summary>All sense flags as stored in the header.</summary>
    public RpmSenseFlags Flags { get; }

    /// <summary>The EVR the name is compared against, or <see langword="null"/> when the dependency has none.</summary>
    public Evr? Version { get; }

    /// <summary>Only the comparison bits (<c>&lt;</c>, <c>&gt;</c>, <c>=</c>) of <see cref="Flags"/>.</summary>
    public RpmSenseFlags Comparison => Flags & RpmSenseFlags.SenseMask;

    /// <summary>Whether this is a rich (boolean) dependency such as <c>(foo or bar)</c>; see <see cref="RichDependency.Parse"/>.</summary>
    public bool IsRich => Name.Length > 0 && Name[0] == '(';

    /// <summary>Whether this is an <c>rpmlib(...)</c> feature dependency.</summary>
    public bool IsRpmLib => (Flags & RpmSenseFlags.RpmLib) != 0 || Name.StartsWith("rpmlib(", StringComparison.Ordinal);

    /// <summary>
    /// Parses the text form of one dependency as written in a spec file: <c>name</c>, or <c>name OP EVR</c> with
    /// OP one of rpm's <c>&lt; &lt;= =&lt; = == &gt;= =&gt; &gt;</c>. A text starting with <c>(</c> is a rich dependency and is kept whole.
    /// </summary>
    /// <param name="text">The text, for example <c>"foo &gt;= 1:2.0-3"</c>.</param>
    /// <param name="kind">The kind to give the dependency.</param>
    /// <param name="flags">Extra context bits (for example <see cref="RpmSenseFlags.ScriptPre"/>) to add to the comparison.</param>
    /// <returns>The dependency.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is empty, has an unknown operator, an operator without a version or trailing tokens.</exception>
    public static RpmDependency Parse(string text, RpmDependencyKind kind = RpmDependencyKind.Requires, RpmSenseFlags flags = RpmSenseFlags.None)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new FormatException("empty dependency");
        }

        if (trimmed[0] == '(')
        {
            RichDependency.Parse(trimmed, kind);
            return new RpmDependency(kind, trimmed, flags);
        }

        var tokens = trimmed.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 1)
        {
            return new RpmDependency(kind, tokens[0], flags);
        }

        if (tokens.Length != 3)
        {
            throw new FormatException($"expected 'name' or 'name OP version' in '{text}'");
        }

        var sense = ParseOperator(tokens[1]) ?? throw new FormatException($"unknown comparison operator '{tokens[1]}' in '{text}'");
        if (ParseOperator(tokens[2]) is not null)
        {
            throw new FormatException($"version expected after '{tokens[1]}' in '{text}'");
        }

        return new RpmDependency(kind, tokens[0], (flags & ~RpmSenseFlags.SenseMask) | sense, Evr.Parse(tokens[2]));
    }

    /// <summary>rpm's comparison operators (<c>rpmParseDSFlags</c>).</summary>
    /// <param name="op">The operator text.</param>
    /// <returns>The comparison bits, or <see langword="null"/> when <paramref name="op"/> is not an operator.</returns>
    public static RpmSenseFlags? ParseOperator(ReadOnlySpan<char> op) => op switch
    {
        "<=" or "=<" => RpmSenseFlags.LessOrEqual,
        "<" => RpmSenseFlags.Less,
        "==" or "=" => RpmSenseFlags.Equal,
        ">=" or "=>" => RpmSenseFlags.GreaterOrEqual,
        ">" => RpmSenseFlags.Greater,
        _ => null,
    };

    /// <summary>
    /// rpm's <c>rpmdsCompare</c>: whether this dependency and <paramref name="other"/> name the same capability
    /// with intersecting version ranges. A side without a comparison or without a version matches any version.
    /// </summary>
    /// <param name="other">The other dependency (for example a provide when this is a requirement).</param>
    /// <returns>Whether the two overlap.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public bool Overlaps(RpmDependency other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!string.Equals(Name, other.Name, StringComparison.Ordinal))
        {
            return false;
        }

        if (Comparison == 0 || other.Comparison == 0)
        {
            return true;
        }

        if (Version is null || Version.ToString().Length == 0 || other.Version is null || other.Version.ToString().Length == 0)
        {
            return true;
        }

        return Evr.Overlaps(Version, Flags, other.Version, other.Flags);
    }

    /// <summary>Whether <paramref name="provide"/> satisfies this requirement: the same as <see cref="Overlaps"/>.</summary>
    /// <param name="provide">A provide.</param>
    /// <returns>Whether the provide satisfies this dependency.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="provide"/> is null.</exception>
    public bool IsSatisfiedBy(RpmDependency provide) => Overlaps(provide);

    /// <summary>The comparison operator as rpm prints it (<c>&lt;</c>, <c>&gt;=</c>, …), or an empty string.</summary>
    /// <returns>The operator text.</returns>
    public string OperatorText() => OperatorText(Flags);

    /// <summary>The comparison operator of <paramref name="flags"/> as rpm prints it: <c>&lt;</c>, <c>&gt;</c> and <c>=</c> in that order.</summary>
    /// <param name="flags">The flags.</param>
    /// <returns>The operator text, or an empty string when no comparison bit is set.</returns>
    public static string OperatorText(RpmSenseFlags flags) => (flags & RpmSenseFlags.SenseMask) switch
    {
        RpmSenseFlags.Less => "<",
        RpmSenseFlags.Greater => ">",
        RpmSenseFlags.Equal => "=",
        RpmSenseFlags.LessOrEqual => "<=",
        RpmSenseFlags.GreaterOrEqual => ">=",
        RpmSenseFlags.Less | RpmSenseFlags.Greater => "<>",
        RpmSenseFlags.SenseMask => "<>=",
        _ => string.Empty,
    };

    /// <summary>
    /// The dependency as <c>rpm -qp --requires</c> (and the other dependency queries) writes it: <see cref="ToString"/>
    /// spelled with the header's own bytes (<see cref="NameBytes"/>, <see cref="VersionBytes"/>), which rpm prints raw.
    /// </summary>
    /// <returns>The bytes, without a line end.</returns>
    public byte[] ToBytes()
    {
        var name = NameBytes.Span;
        var op = OperatorText(Flags);
        var evr = VersionBytes.Span;
        var result = new List<byte>(name.Length + op.Length + evr.Length + 2);
        result.AddRange(name);
        if (op.Length > 0)
        {
            if (result.Count == 0 || result[^1] != (byte)' ')
            {
                result.Add((byte)' ');
            }

            result.AddRange(Encoding.ASCII.GetBytes(op));
        }

        if (evr.Length > 0)
        {
            if (result.Count == 0 || result[^1] != (byte)' ')
            {
                result.Add((byte)' ');
            }

            result.AddRange(evr);
        }

        return [.. result];
    }

    /// <summary>The dependency as rpm prints it (<c>rpmdsNewDNEVR</c>): <c>name</c>, <c>name OP</c> or <c>name OP EVR</c>.</summary>
    /// <returns>The rpm text.</returns>
    public override string ToString()
    {
        var op = OperatorText(Flags);
        var evr = Version?.ToString() ?? string.Empty;
        if (op.Length == 0 && evr.Length == 0)
        {
            return Name;
        }

        var sb = new StringBuilder(Name.Length + op.Length + evr.Length + 2);
        sb.Append(Name);
        if (op.Length > 0)
        {
            if (sb.Length == 0 || sb[^1] != ' ')
            {
                sb.Append(' ');
            }

            sb.Append(op);
        }

        if (evr.Length > 0)
        {
            if (sb.Length == 0 || sb[^1] != ' ')
            {
                sb.Append(' ');
            }

            sb.Append(evr);
        }

        return sb.ToString();
    }

    /// <summary>Structural equality: same kind, name, flags and EVR text.</summary>
    /// <param name="other">The other dependency.</param>
    /// <returns>Whether they are the same.</returns>
    public bool Equals(RpmDependency? other) => other is not null && Kind == other.Kind && Flags == other.Flags
        && string.Equals(Name, other.Name, StringComparison.Ordinal)
        && string.Equals(Version?.ToString(), other.Version?.ToString(), StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RpmDependency other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Name, Flags, Version?.ToString());
}
