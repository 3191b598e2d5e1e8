using System.Collections.Immutable;
using System.Text;

namespace Abi.Sdk.Rpm;

/// <summary>The operators of rpm's rich (boolean) dependencies.</summary>
public enum RichOperator
{
    /// <summary><c>and</c>: every operand.</summary>
    And,

    /// <summary><c>or</c>: at least one operand.</summary>
    Or,

    /// <summary><c>A if B [else C]</c>: A when B holds, else C (or nothing).</summary>
    If,

    /// <summary><c>A unless B [else C]</c>: A when B does not hold, else C (or nothing).</summary>
    Unless,

    /// <summary><c>else</c> without a preceding <c>if</c>/<c>unless</c> (accepted by rpm's parser; only the left operand counts).</summary>
    Else,

    /// <summary><c>with</c>: one package satisfies every operand.</summary>
    With,

    /// <summary><c>without</c>: one package satisfies the first operand but not the second.</summary>
    Without,
}

/// <summary>
/// A rich (boolean) dependency such as <c>(foo &gt;= 1.0 and (bar or baz))</c>, parsed into an expression tree with
/// rpm's rules (<c>rpmrichParseForTag</c>). Immutable and thread-safe.
/// </summary>
public abstract class RichDependency
{
    /// <summary>
    /// The deepest nesting of parenthesised groups <see cref="Parse"/> accepts. rpm's parser has no limit (and real
    /// packages nest a handful of levels); a bound keeps hostile input from exhausting the stack.
    /// </summary>
    public const int MaxNestingDepth = 256;

    private protected RichDependency()
    {
    }

    /// <summary>
    /// Parses a rich dependency with rpm's rules: operators <c>and or if unless else with without</c>; only
    /// <c>and</c>, <c>or</c> and <c>with</c> chain; <c>if</c>/<c>unless</c> take one optional <c>else</c>;
    /// <c>with</c>/<c>without</c> operands may only be simple dependencies, <c>or</c> groups or other <c>with</c> groups.
    /// Given a <paramref name="kind"/>, the context rules of that tag apply too: in Requires-like tags <c>unless</c>
    /// may not appear where <c>and</c> is meant, and in Conflicts/Supplements/Enhances <c>if</c> may not appear where <c>or</c> is meant.
    /// </summary>
    /// <param name="text">The text, starting with <c>(</c>.</param>
    /// <param name="kind">The dependency kind whose context rules apply, or <see langword="null"/> for the syntax rules only.</param>
    /// <returns>The expression tree (never a <see cref="RichSimpleDependency"/> at the top).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="RichDependencyFormatException">The text breaks one of rpm's rules; the message is rpm's.</exception>
    public static RichDependency Parse(string text, RpmDependencyKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var leafKind = kind ?? RpmDependencyKind.Requires;
        int check = kind is null ? 0 : CheckEnabled;
        int p = 0;
        var result = ParseGroup(text, ref p, leafKind, ref check, 1);
        if (p < text.Length)
        {
            throw new RichDependencyFormatException(text, p, "Junk after rich dependency");
        }

        if (kind is not null)
        {
            var contextOp = kind is RpmDependencyKind.Conflicts or RpmDependencyKind.Supplements or RpmDependencyKind.Enhances ? RichOperator.Or : RichOperator.And;
            CheckContext(text, 0, contextOp, check);
        }

        return result;
    }

    /// <summary>Whether the text parses as a rich dependency under <see cref="Parse"/>'s rules.</summary>
    /// <param name="text">The text.</param>
    /// <param name="kind">The context, or <see langword="null"/>.</param>
    /// <param name="result">The tree, when valid.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string text, RpmDependencyKind? kind, out RichDependency? result)
    {
        try
        {
            result = Parse(text, kind);
            return true;
        }
        catch (RichDependencyFormatException)
        {
            result = null;
            return false;
        }
    }

    /// <summary>
    /// Evaluates the expression against installed packages, each given by the capabilities it provides.
    /// A simple dependency holds when some package has an overlapping provide (<see cref="RpmDependency.Overlaps"/>);
    /// <c>with</c>/<c>without</c> are decided package by package.
    /// </summary>
    /// <param name="packages">The provides of each package.</param>
    /// <returns>Whether the expression holds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="packages"/> is null.</exception>
    public bool IsSatisfiedBy(IEnumerable<IReadOnlyCollection<RpmDependency>> packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var list = packages as IReadOnlyList<IReadOnlyCollection<RpmDependency>> ?? packages.ToList();
        return Evaluate(list);
    }

    /// <summary>Evaluates the expression against the provides of a single package (or a flat set treated as one package).</summary>
    /// <param name="provides">The provides.</param>
    /// <returns>Whether the expression holds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="provides"/> is null.</exception>
    public bool IsSatisfiedBy(IReadOnlyCollection<RpmDependency> provides)
    {
        ArgumentNullException.ThrowIfNull(provides);
        return Evaluate([provides]);
    }

    /// <summary>Every simple dependency in the tree, left to right.</summary>
    /// <returns>The leaves.</returns>
    public IEnumerable<RpmDependency> SimpleDependencies()
    {
        if (this is RichSimpleDependency s)
        {
            yield return s.Dependency;
            yield break;
        }

        foreach (var operand in ((RichOperation)this).Operands)
        {
            foreach (var d in operand.SimpleDependencies())
            {
                yield return d;
            }
        }
    }

    /// <summary>The expression in rpm's canonical spelling: operands separated by single spaces, groups in parentheses.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb);
        return sb.ToString();
    }

    internal abstract bool Evaluate(IReadOnlyList<IReadOnlyCollection<RpmDependency>> packages);

    internal abstract void Append(StringBuilder sb);

    private const int CheckEnabled = 1 << 0;
    private const int NoWith = 1 << 1;
    private const int NoAnd = 1 << 2;
    private const int NoOr = 1 << 3;

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static void SkipWhite(string s, ref int p)
    {
        while (p < s.Length && (IsSpace(s[p]) || s[p] == ','))
        {
            p++;
        }
    }

    private static void SkipNonWhite(string s, ref int p)
    {
        int depth = 0;
        while (p < s.Length && s[p] != '\0' && !(IsSpace(s[p]) || s[p] == ',' || (s[p] == ')' && depth-- <= 0)))
        {
            if (s[p++] == '(')
            {
                depth++;
            }
        }
    }

    private static void CheckContext(string text, int offset, RichOperator? op, int check)
    {
        if (op is RichOperator.With or RichOperator.Without && (check & NoWith) != 0)
        {
            throw new RichDependencyFormatException(text, offset, "Illegal ops in with/without");
        }

        if ((check & CheckEnabled) == 0)
        {
            return;
        }

        if (op is RichOperator.And or RichOperator.If && (check & NoAnd) != 0)
        {
            throw new RichDependencyFormatException(text, offset, "Illegal context for 'unless', please use 'or' instead");
        }

        if (op is RichOperator.Or or RichOperator.Unless && (check & NoOr) != 0)
        {
            throw new RichDependencyFormatException(text, offset, "Illegal context for 'if', please use 'and' instead");
        }
    }

    private static RichOperator ParseOperator(string s, ref int p)
    {
        int start = p;
        while (p < s.Length && !IsSpace(s[p]) && s[p] != ')')
        {
            p++;
        }

        return s.AsSpan(start, p - start) switch
        {
            "and" => RichOperator.And,
            "or" => RichOperator.Or,
            "if" => RichOperator.If,
            "unless" => RichOperator.Unless,
            "else" => RichOperator.Else,
            "with" => RichOperator.With,
            "without" => RichOperator.Without,
            _ => throw new RichDependencyFormatException(s, start, $"Unknown rich dependency op '{s[start..p]}'"),
        };
    }

    private static RichSimpleDependency ParseSimple(string s, ref int p, RpmDependencyKind kind)
    {
        int n = p;
        SkipNonWhite(s, ref p);
        if (p == n)
        {
            throw new RichDependencyFormatException(s, p, "Name required");
        }

        var name = s[n..p];
        SkipWhite(s, ref p);
        RpmSenseFlags sense = 0;
        string? evr = null;
        if (p < s.Length)
        {
            int pe = p;
            SkipNonWhite(s, ref pe);
            if (RpmDependency.ParseOperator(s.AsSpan(p, pe - p)) is { } op)
            {
                sense = op;
                p = pe;
                SkipWhite(s, ref p);
                int e = p;
                SkipNonWhite(s, ref p);
                if (p == e)
                {
                    throw new RichDependencyFormatException(s, p, "Version required");
                }

                evr = s[e..p];
            }
        }

        if (kind == RpmDependencyKind.Requires && name.Length > 7 && name.StartsWith("rpmlib(", StringComparison.Ordinal))
        {
            sense |= RpmSenseFlags.RpmLib;
        }

        return new RichSimpleDependency(new RpmDependency(kind, name, sense, evr is null ? null : Evr.Parse(evr)));
    }

    private static RichDependency ParseGroup(string s, ref int p, RpmDependencyKind kind, ref int checkInOut, int depth)
    {
        int start = p;
        if (p >= s.Length || s[p] != '(')
        {
            throw new RichDependencyFormatException(s, p, "Rich dependency does not start with '('");
        }

        if (depth > MaxNestingDepth)
        {
            throw new RichDependencyFormatException(s, p, $"Rich dependency nests deeper than {MaxNestingDepth} groups");
        }

        p++;
        int check = checkInOut;
        RichOperator? op = null, firstOp = null, chainOp = null;
        var operands = ImmutableArray.CreateBuilder<RichDependency>();
        var ops = new List<RichOperator>();
        while (true)
        {
            SkipWhite(s, ref p);
            if (p < s.Length && s[p] == ')')
            {
                throw new RichDependencyFormatException(s, p, chainOp is not null ? "Missing argument to rich dependency op" : "Empty rich dependency");
            }

            if (p < s.Length && s[p] == '(')
            {
                int subCheck = check & CheckEnabled;
                operands.Add(ParseGroup(s, ref p, kind, ref subCheck, depth + 1));
                if (op is RichOperator.If or RichOperator.Unless)
                {
                    subCheck &= ~(NoAnd | NoOr);
                }

                check |= subCheck;
            }
            else
            {
                operands.Add(ParseSimple(s, ref p, kind));
            }

            SkipWhite(s, ref p);
            if (p >= s.Length || s[p] == '\0')
            {
                throw new RichDependencyFormatException(s, p, $"Unterminated rich dependency: {s[start..]}");
            }

            if (s[p] == ')')
            {
                break;
            }

            int opAt = p;
            op = ParseOperator(s, ref p);
            firstOp ??= op;
            if (op == RichOperator.Else && chainOp is RichOperator.If or RichOperator.Unless)
            {
                chainOp = null;
            }

            if (chainOp is not null && op != chainOp)
            {
                throw new RichDependencyFormatException(s, opAt, "Cannot chain different ops");
            }

            if (chainOp is not null && op is not (RichOperator.And or RichOperator.Or or RichOperator.With))
            {
                throw new RichDependencyFormatException(s, opAt, "Can only chain and/or/with ops");
            }

            ops.Add(op.GetValueOrDefault());
            chainOp = op;
        }

        CheckContext(s, start, firstOp, check);
        if (firstOp == RichOperator.If)
        {
            check |= NoOr;
        }

        if (firstOp == RichOperator.Unless)
        {
            check |= NoAnd;
        }

        if (op is RichOperator.And or RichOperator.Or)
        {
            check &= ~(NoAnd | NoOr);
        }

        if (op is not (null or RichOperator.With or RichOperator.Without or RichOperator.Or))
        {
            check |= NoWith;
        }

        p++;
        checkInOut |= check;
        if (firstOp is null)
        {
            // "(foo)": a group of one; rpm treats it as the dependency itself.
            return operands[0];
        }

        return new RichOperation(firstOp.Value, operands.ToImmutable());
    }
}

/// <summary>A leaf of a rich dependency: one simple dependency (<c>name [OP EVR]</c>).</summary>
public sealed class RichSimpleDependency : RichDependency
{
    internal RichSimpleDependency(RpmDependency dependency) => Dependency = dependency;

    /// <summary>The simple dependency.</summary>
    public RpmDependency Dependency { get; }

    internal override bool Evaluate(IReadOnlyList<IReadOnlyCollection<RpmDependency>> packages)
    {
        foreach (var package in packages)
        {
            foreach (var provide in package)
            {
                if (Dependency.Overlaps(provide))
                {
                    return true;
                }
            }
        }

        return false;
    }

    internal override void Append(StringBuilder sb) => sb.Append(Dependency.ToString());
}

/// <summary>
/// An operation of a rich dependency. For <see cref="RichOperator.And"/>, <see cref="RichOperator.Or"/> and
/// <see cref="RichOperator.With"/> the operands are the chained terms; for <see cref="RichOperator.If"/> and
/// <see cref="RichOperator.Unless"/> they are the consequence, the condition and, optionally, the <c>else</c> branch;
/// for <see cref="RichOperator.Without"/> and <see cref="RichOperator.Else"/> the two sides.
/// </summary>
public sealed class RichOperation : RichDependency
{
    internal RichOperation(RichOperator op, ImmutableArray<RichDependency> operands)
    {
        Operator = op;
        Operands = operands;
    }

    /// <summary>The operator.</summary>
    public RichOperator Operator { get; }

    /// <summary>The operands, left to right.</summary>
    public ImmutableArray<RichDependency> Operands { get; }

    internal override bool Evaluate(IReadOnlyList<IReadOnlyCollection<RpmDependency>> packages)
    {
        switch (Operator)
        {
            case RichOperator.And:
                return Operands.All(o => o.Evaluate(packages));
            case RichOperator.Or:
                return Operands.Any(o => o.Evaluate(packages));
            case RichOperator.If:
                return Operands[1].Evaluate(packages) ? Operands[0].Evaluate(packages) : Operands.Length < 3 || Operands[2].Evaluate(packages);
            case RichOperator.Unless:
                return !Operands[1].Evaluate(packages) ? Operands[0].Evaluate(packages) : Operands.Length < 3 || Operands[2].Evaluate(packages);
            case RichOperator.Else:
                return Operands[0].Evaluate(packages);
            case RichOperator.With:
                foreach (var package in packages)
                {
                    IReadOnlyList<IReadOnlyCollection<RpmDependency>> one = [package];
                    if (Operands.All(o => o.Evaluate(one)))
                    {
                        return true;
                    }
                }

                return false;
            default:
                foreach (var package in packages)
                {
                    IReadOnlyList<IReadOnlyCollection<RpmDependency>> one = [package];
                    if (Operands[0].Evaluate(one) && !Operands[1].Evaluate(one))
                    {
                        return true;
                    }
                }

                return false;
        }
    }

    internal override void Append(StringBuilder sb)
    {
        sb.Append('(');
        for (int i = 0; i < Operands.Length; i++)
        {
            if (i > 0)
            {
                var word = Operator switch
                {
                    RichOperator.If when i == 2 => "else",
                    RichOperator.Unless when i == 2 => "else",
                    _ => Operator.ToString().ToLowerInvariant(),
                };
                sb.Append(' ').Append(word).Append(' ');
            }

            Operands[i].Append(sb);
        }

        sb.Append(')');
    }
}

/// <summary>
/// A rich dependency breaks one of rpm's rules. The message is rpm's own wording plus the offset;
/// <see cref="AbiSdkFormatException.Offset"/> is the character offset in <see cref="Text"/> and
/// <see cref="AbiSdkFormatException.Reason"/> rpm's message (for example <c>Cannot chain different ops</c>).
/// </summary>
public sealed class RichDependencyFormatException : AbiSdkFormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="text">The rich dependency text.</param>
    /// <param name="offset">The character offset where the problem is.</param>
    /// <param name="reason">rpm's message.</param>
    public RichDependencyFormatException(string text, int offset, string reason)
        : base($"{Excerpt(reason)} (at offset {offset} of '{Excerpt(text)}')", null, offset, reason, null)
    {
        Text = text;
    }

    /// <summary>The rich dependency text.</summary>
    public string Text { get; }

    // A hostile dependency may be megabytes long: the message quotes its start only.
    private static string Excerpt(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
