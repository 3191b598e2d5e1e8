using System.Collections.Immutable;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Dependencies;

/// <summary>
/// <see cref="PackageSet.CheckInstallability"/> as libsolv's <c>installcheck</c> (rpm-flavoured) decides and words
/// it: libsolv's architecture policy (which architectures a pool installs, inferior-architecture rules, packages of
/// another architecture not checked when their name exists for the requested one), and for each uninstallable
/// package the rules of the first conflict libsolv's unit propagation meets, in the order of its proof. The
/// propagation is replayed over the packages that cannot be installed (rules on installable packages can never
/// become false), with libsolv's rule order and two watched literals, so the lines come in libsolv's order.
/// </summary>
internal sealed class InstallCheck
{
    // libsolv's poolarch.c policies: each ':' starts a new (incompatible) class, so every entry is its own class.
    private static readonly Dictionary<string, string[]> Policies = new(StringComparer.Ordinal)
    {
        ["x86_64"] = ["x86_64", "i686", "i586", "i486", "i386"],
        ["i686"] = ["i686", "i586", "i486", "i386"],
        ["i586"] = ["i586", "i486", "i386"],
        ["i486"] = ["i486", "i386"],
        ["i386"] = ["i386"],
        ["s390x"] = ["s390x", "s390"],
        ["s390"] = ["s390"],
        ["ia64"] = ["ia64", "i686", "i586", "i486", "i386"],
        ["ppc64"] = ["ppc64", "ppc"],
        ["ppc"] = ["ppc"],
        ["aarch64"] = ["aarch64"],
        ["armv7hl"] = ["armv7hl"],
    };

    private readonly PackageSet _set;
    private readonly string? _arch;
    private readonly PackageRecord[] _packages;
    private readonly Dictionary<PackageRecord, int> _ids = new(ReferenceEqualityComparer.Instance);

    // Per package: libsolv's architecture score (0: not installable by the pool), inferior-architecture flag, requirements.
    private readonly int[] _score;
    private readonly bool[] _inferior;
    private readonly Requirement[]?[] _requirements;
    private readonly DependencyOrder _order;

    public InstallCheck(PackageSet set, string? architecture)
    {
        _set = set;
        _arch = architecture;
        _packages = [.. set.Packages];
        for (int i = 0; i < _packages.Length; i++)
        {
            _ids[_packages[i]] = i;
        }

        _score = new int[_packages.Length];
        string[] policy = architecture is null ? [] : Policies.TryGetValue(architecture, out var p) ? p : [];
        for (int i = 0; i < _packages.Length; i++)
        {
            var a = _packages[i].Arch;
            _score[i] = a is "src" or "nosrc" ? 0
                : architecture is null || a == "noarch" ? 1
                : Array.IndexOf(policy, a) is var k and >= 0 ? 0x10001 + (0x10000 * k) : 0;
        }

        // Inferior architecture: another installable package of the same name has a better class (noarch never counts).
        _inferior = new bool[_packages.Length];
        if (architecture is not null)
        {
            var best = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < _packages.Length; i++)
            {
                if (_score[i] > 1 && (!best.TryGetValue(_packages[i].Name, out int b) || _score[i] < b))
                {
                    best[_packages[i].Name] = _score[i];
                }
            }

            for (int i = 0; i < _packages.Length; i++)
            {
                _inferior[i] = _score[i] > 1 && ((_score[i] ^ best[_packages[i].Name]) & unchecked((int)0xffff0000)) != 0;
            }
        }

        _requirements = new Requirement[]?[_packages.Length];
        _order = new DependencyOrder(_packages, architecture);
    }

    private bool Installable(int i) => _score[i] != 0;

    public ImmutableArray<InstallProblem> Run()
    {
        int rpm = -1;
        for (int i = 0; _arch is not null && i < _packages.Length; i++)
        {
            if (_packages[i].Name == "rpm" && _packages[i].Arch == _arch)
            {
                rpm = i;
                break;
            }
        }

        var candidates = new List<int>();
        var requestedNames = _arch is null ? null : new HashSet<string>(_packages.Where(p => p.Arch == _arch).Select(p => p.Name), StringComparer.Ordinal);
        for (int i = 0; i < _packages.Length; i++)
        {
            var p = _packages[i];
            // installcheck does not check a package of another architecture whose name exists for the requested one.
            if (Installable(i) && !(requestedNames is not null && p.Arch != _arch && p.Arch != "noarch" && requestedNames.Contains(p.Name)))
            {
                candidates.Add(i);
            }
        }

        var broken = Broken(exemptName: null);
        if (rpm >= 0 && broken[rpm])
        {
            // Every check would fail on rpm itself; libsolv then explains rpm's problem for each package. Not replayed.
            rpm = -1;
        }

        var solver = new Replay(this, broken, rpm);
        var failing = candidates.Where(c => broken[c]).ToList();
        // installcheck first installs every candidate weakly (twice while that prunes installable ones); libsolv keeps
        // its rules between solves, and the watches those solves move decide which conflict a later check meets first.
        if (failing.Count > 0)
        {
            if (failing.Count < candidates.Count)
            {
                solver.Prune(candidates);
            }

            solver.Prune(failing);
        }

        var result = ImmutableArray.CreateBuilder<InstallProblem>();
        foreach (int candidate in failing)
        {
            result.AddRange(solver.Check(candidate));
        }

        return result.ToImmutable();
    }

    /// <summary>The packages that cannot be installed: the greatest fixpoint of "every requirement has an installable provider".</summary>
    private bool[] Broken(string? exemptName)
    {
        var broken = new bool[_packages.Length];
        for (int i = 0; i < _packages.Length; i++)
        {
            broken[i] = !Installable(i);
        }

        bool Unavailable(int q) => broken[q] || (_inferior[q] && _packages[q].Name != exemptName);
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = 0; i < _packages.Length; i++)
            {
                if (broken[i])
                {
                    continue;
                }

                foreach (var requirement in Requirements(i))
                {
                    if (requirement.Clauses.Any(c => c.All(Unavailable)))
                    {
                        broken[i] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }

        return broken;
    }

    /// <summary>One requirement of a package as libsolv turns it into rules: clauses of providers (empty: nothing provides it).</summary>
    private sealed record Requirement(RpmDependency Dependency, ImmutableArray<int[]> Clauses)
    {
        public bool NothingProvides => Clauses.Any(c => c.Length == 0);
    }

    private Requirement[] Requirements(int i)
    {
        if (_requirements[i] is { } known)
        {
            return known;
        }

        var list = new List<Requirement>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dependency in _packages[i].Requires)
        {
            // rpm provides rpmlib() itself; a requirement listed twice (pre-install and plain) is one dependency to libsolv.
            if (dependency.Name.StartsWith("rpmlib(", StringComparison.Ordinal) || !seen.Add(dependency.ToString()))
            {
                continue;
            }

            var clauses = ImmutableArray.CreateBuilder<int[]>();
            foreach (var clause in Clauses(dependency))
            {
                // A clause the package meets itself is self-fulfilling: libsolv adds no rule for it.
                if (clause is null || Array.IndexOf(clause, i) >= 0)
                {
                    continue;
                }

                clauses.Add(clause);
            }

            if (clauses.Count > 0)
            {
                list.Add(new Requirement(dependency, clauses.ToImmutable()));
            }
        }

        return _requirements[i] = [.. list];
    }

    /// <summary>The provider clauses of a requirement: one for a simple dependency, one per operand of a top-level <c>and</c>; null for a clause that always holds.</summary>
    private IEnumerable<int[]?> Clauses(RpmDependency dependency)
    {
        if (!dependency.IsRich)
        {
            return [Ids(_set.SimpleProviders(dependency, p => Installable(_ids[p])))];
        }

        var tree = RichDependency.Parse(dependency.Name, dependency.Kind);
        var operands = tree is RichOperation { Operator: RichOperator.And } and ? and.Operands : [tree];
        return operands.Select(o => _set.Evaluate(o, p => Installable(_ids[p])) is { } providers ? providers.Count == 0 ? null : Ids(providers) : []);
    }

    private int[] Ids(IEnumerable<PackageRecord> providers) => [.. providers.Select(p => _ids[p]).Distinct().Order()];

    /// <summary>A rule of libsolv's: a package's requirement (head and providers), its nothing-provides assertion, or an inferior-architecture or job assertion.</summary>
    private sealed class Rule(int head, int[] providers, RuleKind kind)
    {
        public int Head { get; } = head;

        public int[] Providers { get; } = providers;

        public RuleKind Kind { get; } = kind;

        public List<RpmDependency> Infos { get; } = [];

        public int W1 { get; set; }

        public int W2 { get; set; }
    }

    private enum RuleKind
    {
        Requires,
        NothingProvides,
        InferiorArchitecture,
        Job,
    }

    /// <summary>
    /// libsolv's level-1 solving replayed over the rules of the packages that cannot be installed (rules on installable
    /// packages never become false there), keeping the rules and their watches from solve to solve as installcheck's
    /// one solver does.
    /// </summary>
    private sealed class Replay
    {
        private readonly InstallCheck _check;
        private readonly int _rpm;
        private readonly List<Rule> _rules = [];
        private readonly List<Rule> _nothingProvides;
        private readonly List<Rule> _requires;
        private readonly int[] _inferior;
        private readonly Dictionary<int, Rule> _assertions = [];
        private readonly int[] _decision;
        private readonly List<int> _trail = [];
        private readonly List<Rule> _why = [];
        private Dictionary<int, List<Rule>> _watches = [];

        public Replay(InstallCheck check, bool[] broken, int rpm)
        {
            _check = check;
            _rpm = rpm;
            _decision = new int[check._packages.Length];
            bool CanFail(int q) => broken[q] || check._inferior[q];
            for (int q = 0; q < check._packages.Length; q++)
            {
                if (!broken[q] || !check.Installable(q))
                {
                    continue;
                }

                Rule? assertion = null;
                var byProviders = new List<Rule>();
                foreach (var requirement in check.Requirements(q))
                {
                    if (requirement.NothingProvides)
                    {
                        assertion ??= new Rule(q, [], RuleKind.NothingProvides);
                        assertion.Infos.Add(requirement.Dependency);
                        continue;
                    }

                    foreach (var clause in requirement.Clauses.Where(c => c.All(CanFail)))
                    {
                        // Requirements with the same providers make one rule; libsolv lists each requirement under it.
                        var rule = byProviders.FirstOrDefault(r => r.Providers.AsSpan().SequenceEqual(clause));
                        if (rule is null)
                        {
                            byProviders.Add(rule = new Rule(q, clause, RuleKind.Requires));
                        }

                        if (!rule.Infos.Contains(requirement.Dependency))
                        {
                            rule.Infos.Add(requirement.Dependency);
                        }
                    }
                }

                if (assertion is not null)
                {
                    _rules.Add(assertion);
                    _assertions[q] = assertion;
                }

                _rules.AddRange(byProviders);
            }

            // libsolv's rule order (unifyrules): by first literal -head (higher package first), assertions first, then providers.
            _rules.Sort(check.CompareRules);
            _nothingProvides = [.. _rules.Where(r => r.Kind == RuleKind.NothingProvides)];
            _requires = [.. _rules.Where(r => r.Kind == RuleKind.Requires)];
            _inferior = [.. Enumerable.Range(0, check._packages.Length).Where(q => check._inferior[q] && check.Installable(q))];
            foreach (var rule in _rules)
            {
                check._order.Sort(rule.Infos);
                if (rule.Kind == RuleKind.Requires)
                {
                    rule.W1 = -(rule.Head + 1);
                    rule.W2 = rule.Providers[0] + 1;
                }
            }
        }

        /// <summary>installcheck's pruning solve: every candidate installed weakly; a conflict disables the latest candidate in it, and solving restarts.</summary>
        public void Prune(List<int> candidates)
        {
            MakeWatches();
            var jobs = candidates.ToDictionary(c => c, c => new Rule(c, [], RuleKind.Job));
            var enabled = new HashSet<int>(candidates);
            while (true)
            {
                Strong(job: -1, exempt: null);
                // Weak assertions: one the strong decisions contradict is disabled, and the decisions start over.
                int contradicted = candidates.FirstOrDefault(c => enabled.Contains(c) && _decision[c] < 0, -1);
                if (contradicted >= 0)
                {
                    enabled.Remove(contradicted);
                    continue;
                }

                foreach (int c in candidates.Where(enabled.Contains))
                {
                    Decide(c + 1, jobs[c]);
                }

                var conflict = Propagate();
                if (conflict is null)
                {
                    return;
                }

                var weak = Analyze(conflict).Where(r => r.Kind == RuleKind.Job).Select(r => r.Head).ToHashSet();
                int last = candidates.LastOrDefault(c => enabled.Contains(c) && weak.Contains(c), -1);
                if (last < 0)
                {
                    return;
                }

                enabled.Remove(last);
            }
        }

        /// <summary>One candidate's check: the rules of the first conflict, then a solve without the job (which still moves watches).</summary>
        public IEnumerable<InstallProblem> Check(int candidate)
        {
            MakeWatches();
            var name = _check._packages[candidate].Name;
            // The install job lifts the inferior-architecture rules of the candidate's name when the candidate has one.
            string? exempt = _check._inferior[candidate] ? name : null;
            List<Rule>? proof = null;
            if (_assertions.TryGetValue(candidate, out var own))
            {
                // The job contradicts the package's own assertion: makeruledecisions records it before propagating.
                proof = [own];
                Strong(job: -1, exempt: null);
            }
            else
            {
                Strong(job: candidate, exempt: exempt);
                if (Propagate() is { } conflict)
                {
                    proof = Analyze(conflict);
                    Strong(job: -1, exempt: null);
                }
            }

            Propagate();
            return proof is null ? [] : _check.Lines(candidate, proof);
        }

        private void MakeWatches()
        {
            _watches = [];
            foreach (var rule in _requires)
            {
                Watches(rule.W1).Add(rule);
                Watches(rule.W2).Add(rule);
            }
        }

        private List<Rule> Watches(int literal) => _watches.TryGetValue(literal, out var list) ? list : _watches[literal] = [];

        /// <summary>makeruledecisions' strong assertions from scratch: package assertions, the jobs, inferior-architecture rules.</summary>
        private void Strong(int job, string? exempt)
        {
            Array.Clear(_decision);
            _trail.Clear();
            _why.Clear();
            foreach (var rule in _nothingProvides)
            {
                Decide(-(rule.Head + 1), rule);
            }

            if (job >= 0)
            {
                Decide(job + 1, new Rule(job, [], RuleKind.Job));
            }

            if (_rpm >= 0)
            {
                Decide(_rpm + 1, new Rule(_rpm, [], RuleKind.Job));
            }

            foreach (int q in _inferior)
            {
                if (_check._packages[q].Name != exempt)
                {
                    Decide(-(q + 1), new Rule(q, [], RuleKind.InferiorArchitecture));
                }
            }
        }

        private void Decide(int literal, Rule reason)
        {
            int v = Math.Abs(literal) - 1;
            if (_decision[v] == 0)
            {
                _decision[v] = Math.Sign(literal);
                _trail.Add(literal);
                _why.Add(reason);
            }
        }

        private bool IsTrue(int l) => l > 0 ? _decision[l - 1] > 0 : _decision[-l - 1] < 0;

        private bool IsFalse(int l) => l > 0 ? _decision[l - 1] < 0 : _decision[-l - 1] > 0;

        /// <summary>libsolv's propagate() at level 1 over two watched literals; returns the first conflicting rule.</summary>
        private Rule? Propagate()
        {
            for (int index = 0; index < _trail.Count; index++)
            {
                int falsified = -_trail[index];
                if (!_watches.TryGetValue(falsified, out var list))
                {
                    continue;
                }

                for (int j = 0; j < list.Count;)
                {
                    var r = list[j];
                    int other = r.W1 == falsified ? r.W2 : r.W1;
                    if (IsTrue(other))
                    {
                        j++;
                        continue;
                    }

                    if (r.Providers.Length > 1)
                    {
                        // Move the watch to a literal that is not false: the head first, then the providers in order.
                        int head = -(r.Head + 1);
                        int found = head != other && !IsFalse(head) ? head : 0;
                        for (int k = 0; found == 0 && k < r.Providers.Length; k++)
                        {
                            int l = r.Providers[k] + 1;
                            if (l != other && !IsFalse(l))
                            {
                                found = l;
                            }
                        }

                        if (found != 0)
                        {
                            list.RemoveAt(j);
                            if (r.W1 == falsified)
                            {
                                r.W1 = found;
                            }
                            else
                            {
                                r.W2 = found;
                            }

                            Watches(found).Insert(0, r);
                            continue;
                        }
                    }

                    if (IsFalse(other))
                    {
                        return r;
                    }

                    Decide(other, r);
                    j++;
                }
            }

            return null;
        }

        /// <summary>analyze_unsolvable's proof: the conflicting rule, then the reasons of the involved decisions, newest first.</summary>
        private List<Rule> Analyze(Rule conflict)
        {
            var proof = new List<Rule> { conflict };
            var involved = new HashSet<int>(Literals(conflict).Select(l => Math.Abs(l) - 1));
            for (int k = _trail.Count - 1; k >= 0; k--)
            {
                int v = Math.Abs(_trail[k]) - 1;
                if (!involved.Contains(v))
                {
                    continue;
                }

                var reason = _why[k];
                if (!proof.Contains(reason))
                {
                    proof.Add(reason);
                }

                foreach (int l in Literals(reason))
                {
                    if (l != _trail[k])
                    {
                        involved.Add(Math.Abs(l) - 1);
                    }
                }
            }

            return proof;
        }
    }

    private static IEnumerable<int> Literals(Rule rule) => rule.Kind switch
    {
        RuleKind.Requires => [-(rule.Head + 1), .. rule.Providers.Select(p => p + 1)],
        RuleKind.Job => [rule.Head + 1],
        _ => [-(rule.Head + 1)],
    };

    private int CompareRules(Rule a, Rule b)
    {
        int c = b.Head.CompareTo(a.Head);
        if (c != 0)
        {
            return c;
        }

        if (a.Providers.Length == 0 || b.Providers.Length == 0)
        {
            return a.Providers.Length == 0 ? (b.Providers.Length == 0 ? 0 : -1) : 1;
        }

        return a.Providers.AsSpan().SequenceCompareTo(b.Providers);
    }

    private IEnumerable<InstallProblem> Lines(int candidate, List<Rule> proof)
    {
        var uninstallable = _packages[candidate];
        foreach (var rule in proof)
        {
            var package = _packages[rule.Head];
            switch (rule.Kind)
            {
                case RuleKind.NothingProvides:
                    foreach (var dependency in rule.Infos)
                    {
                        yield return new InstallProblem(package, dependency, InstallProblemKind.NothingProvides) { Uninstallable = uninstallable, Available = Available(dependency) };
                    }

                    break;
                case RuleKind.Requires:
                    foreach (var dependency in rule.Infos)
                    {
                        yield return new InstallProblem(package, dependency, InstallProblemKind.NoInstallableProvider) { Uninstallable = uninstallable };
                    }

                    break;
                case RuleKind.InferiorArchitecture:
                    yield return new InstallProblem(package, null, InstallProblemKind.InferiorArchitecture) { Uninstallable = uninstallable };
                    break;
            }
        }
    }

    /// <summary>installcheck's "(we have …)": for a versioned or rich dependency whose first name is plain, the packages providing that name in any version.</summary>
    private ImmutableArray<PackageRecord> Available(RpmDependency dependency)
    {
        string? name = null;
        if (dependency.IsRich)
        {
            if (RichDependency.Parse(dependency.Name, dependency.Kind) is RichOperation { Operands: [RichSimpleDependency { Dependency: var first }, ..] } && first.Comparison == 0)
            {
                name = first.Name;
            }
        }
        else if (dependency.Comparison != 0)
        {
            name = dependency.Name;
        }

        return name is null ? [] : [.. Ids(_set.SimpleProviders(new RpmDependency(RpmDependencyKind.Requires, name), p => Installable(_ids[p]))).Select(i => _packages[i])];
    }

    /// <summary>
    /// libsolv's dependency ids, which order the lines of one rule: strings numbered in the order the repository
    /// first mentions them (after libsolv's known ids and the architecture policy), relations (versioned and rich
    /// dependencies) numbered apart with the top bit set. libsolv sorts a rule's lines by subtracting ids, which wraps
    /// when a relation meets a string, and its sort is an insertion sort for short lists; both are replayed.
    /// </summary>
    private sealed class DependencyOrder
    {
        // libsolv's known ids (knownid.h) end at ID_NUM_INTERNAL; the ones a repository name can coincide with.
        private const int KnownIds = 206;
        private static readonly Dictionary<string, int> Known = new(StringComparer.Ordinal)
        {
            [string.Empty] = 1, ["src"] = 2, ["nosrc"] = 3, ["noarch"] = 4, ["all"] = 5, ["any"] = 6,
        };

        private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _relations = new(StringComparer.Ordinal);
        private int _nextString = KnownIds;

        public DependencyOrder(PackageRecord[] packages, string? architecture)
        {
            // pool_setarch interns the policy's architectures before any repository is read.
            if (architecture is not null && Policies.TryGetValue(architecture, out var policy))
            {
                foreach (var a in policy)
                {
                    String(a);
                }
            }

            foreach (var package in packages)
            {
                // repo_rpmmd: name, arch and version first, then each dependency, then the files' directories.
                String(package.Name);
                String(package.Arch);
                var evr = package.Evr.ToString();
                String(evr);
                foreach (var dependency in package.Dependencies)
                {
                    Add(dependency);
                }

                foreach (var file in package.Files)
                {
                    foreach (var part in file[..Math.Max(file.LastIndexOf('/'), 0)].Split('/', StringSplitOptions.RemoveEmptyEntries))
                    {
                        String(part);
                    }
                }

                _relations.TryAdd($"{package.Name} = {evr}", _relations.Count + 1);
            }
        }

        private int String(string s)
        {
            if (Known.TryGetValue(s, out int known))
            {
                return known;
            }

            if (!_strings.TryGetValue(s, out int id))
            {
                _strings[s] = id = _nextString++;
            }

            return id;
        }

        private void Add(RpmDependency dependency)
        {
            if (dependency.IsRich)
            {
                if (RichDependency.TryParse(dependency.Name, null, out var tree))
                {
                    Rich(tree!, top: true);
                }

                _relations.TryAdd(dependency.ToString(), _relations.Count + 1);
                return;
            }

            String(dependency.Name);
            if (dependency.Comparison != 0)
            {
                String(dependency.Version?.ToString() ?? string.Empty);
                _relations.TryAdd(dependency.ToString(), _relations.Count + 1);
            }
        }

        // pool_parserpmrichdep: operands left to right, the relations joining them from the right.
        private void Rich(RichDependency tree, bool top)
        {
            if (tree is RichSimpleDependency simple)
            {
                Add(simple.Dependency);
                return;
            }

            var operands = ((RichOperation)tree).Operands;
            foreach (var operand in operands)
            {
                Rich(operand, top: false);
            }

            for (int i = operands.Length - 2; i > 0; i--)
            {
                _relations.TryAdd($"{tree}#{i}", _relations.Count + 1);
            }

            if (!top)
            {
                _relations.TryAdd(tree.ToString(), _relations.Count + 1);
            }
        }

        private int Id(RpmDependency d)
        {
            if (d.IsRich || d.Comparison != 0)
            {
                int index = _relations.TryGetValue(d.ToString(), out int r) ? r : 0xffffff;
                return unchecked(int.MinValue | index);
            }

            return Known.TryGetValue(d.Name, out int known) ? known : _strings.TryGetValue(d.Name, out int s) ? s : int.MaxValue;
        }

        /// <summary>Sorts a rule's dependencies as solver_allruleinfos does (insertion sort, wrapping id difference).</summary>
        public void Sort(List<RpmDependency> dependencies)
        {
            for (int m = 1; m < dependencies.Count; m++)
            {
                for (int l = m; l > 0 && unchecked(Id(dependencies[l - 1]) - Id(dependencies[l])) > 0; l--)
                {
                    (dependencies[l - 1], dependencies[l]) = (dependencies[l], dependencies[l - 1]);
                }
            }
        }
    }
}
