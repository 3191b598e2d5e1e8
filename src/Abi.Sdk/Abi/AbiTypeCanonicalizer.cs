using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Abi.Sdk.Abi;

/// <summary>
/// Structural equivalence of the nodes of a type graph, cycles included, by partition refinement: nodes start in
/// classes of equal local keys (kind, name, size, layout), and a class splits while its nodes' children fall in
/// different classes. The result is exact (no hash collision decides anything) and needs no recursion.
/// </summary>
internal static class AbiTypeCanonicalizer
{
    /// <summary>The class of every node: equal classes are structurally equal types.</summary>
    public static int[] Refine(string[] keys, int[][] children)
    {
        int n = keys.Length;
        var classes = new int[n];
        var interned = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            ref int c = ref CollectionsMarshal.GetValueRefOrAddDefault(interned, keys[i], out bool exists);
            if (!exists)
            {
                c = interned.Count - 1;
            }

            classes[i] = c;
        }

        return Refine(classes, interned.Count, children);
    }

    /// <summary>
    /// The same, from classes of equal local keys already numbered 0…<paramref name="count"/>-1 in order of first
    /// appearance (refined in place).
    /// </summary>
    public static int[] Refine(int[] classes, int count, int[][] children)
    {
        int n = classes.Length;

        // Work-list refinement: only a class one of whose members has a child that moved to another class can
        // split, so after the first pass only those are looked at again (the result is the same coarsest stable
        // partition a round-by-round refinement of every node reaches; class numbers differ, only equality counts).
        var members = new List<List<int>>(count);
        for (int c = 0; c < count; c++)
        {
            members.Add([]);
        }

        for (int i = 0; i < n; i++)
        {
            members[classes[i]].Add(i);
        }

        // Parents of each node (reverse edges), flat.
        var parentStart = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            foreach (int k in children[i])
            {
                parentStart[k + 1]++;
            }
        }

        for (int i = 0; i < n; i++)
        {
            parentStart[i + 1] += parentStart[i];
        }

        var parents = new int[parentStart[n]];
        var fill = parentStart[..n];
        for (int i = 0; i < n; i++)
        {
            foreach (int k in children[i])
            {
                parents[fill[k]++] = i;
            }
        }

        var queued = new List<bool>(count);
        var queue = new List<int>();
        for (int c = 0; c < count; c++)
        {
            bool splittable = members[c].Count > 1;
            queued.Add(splittable);
            if (splittable)
            {
                queue.Add(c);
            }
        }

        var groups = new Dictionary<int, int>(new SignatureComparer(classes, children));
        var groupOf = new List<int>();
        var moved = new List<int>();
        while (queue.Count > 0)
        {
            var current = queue;
            current.Sort();
            queue = [];
            foreach (int c in current)
            {
                queued[c] = false;
                var m = members[c];
                if (m.Count < 2)
                {
                    continue;
                }

                groups.Clear();
                groupOf.Clear();
                foreach (int node in m)
                {
                    ref int g = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, node, out bool exists);
                    if (!exists)
                    {
                        g = groups.Count - 1;
                    }

                    groupOf.Add(g);
                }

                if (groups.Count == 1)
                {
                    continue;
                }

                // The first member's group keeps the class; every other group becomes a new one.
                int firstNew = members.Count;
                for (int g = 1; g < groups.Count; g++)
                {
                    members.Add([]);
                    queued.Add(false);
                }

                var kept = new List<int>();
                moved.Clear();
                for (int k = 0; k < m.Count; k++)
                {
                    int node = m[k], g = groupOf[k];
                    if (g == 0)
                    {
                        kept.Add(node);
                    }
                    else
                    {
                        classes[node] = firstNew + g - 1;
                        members[firstNew + g - 1].Add(node);
                        moved.Add(node);
                    }
                }

                members[c] = kept;
                foreach (int node in moved)
                {
                    for (int p = parentStart[node]; p < parentStart[node + 1]; p++)
                    {
                        int pc = classes[parents[p]];
                        if (!queued[pc] && members[pc].Count > 1)
                        {
                            queued[pc] = true;
                            queue.Add(pc);
                        }
                    }
                }
            }
        }

        return classes;
    }

    /// <summary>Compares nodes of one class by their children's current classes, in order.</summary>
    private sealed class SignatureComparer(int[] classes, int[][] children) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y)
        {
            var a = children[x];
            var b = children[y];
            if (a.Length != b.Length)
            {
                return false;
            }

            for (int k = 0; k < a.Length; k++)
            {
                if (classes[a[k]] != classes[b[k]])
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(int node)
        {
            // A few ints per node: a multiply-rotate mix is enough (equal hashes are compared in full).
            uint h = 0x9E3779B9u ^ (uint)children[node].Length;
            foreach (int k in children[node])
            {
                h = BitOperations.RotateLeft(h ^ (uint)classes[k], 5) * 0x85EBCA6Bu;
            }

            return (int)(h ^ (h >> 15));
        }
    }
}

/// <summary>
/// Local keys numbered in order of first appearance, as the canonicaliser's first classes: most keys repeat (the same
/// type declared in many units, or on both sides of a pair), so a key is made a string only the first time it is seen.
/// </summary>
internal sealed class AbiLocalKeyClasses
{
    private readonly Dictionary<string, int> _classes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private char[] _buffer = new char[256];

    public AbiLocalKeyClasses() => _lookup = _classes.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>How many distinct keys have been seen.</summary>
    public int Count => _classes.Count;

    /// <summary>The class of the key in <paramref name="key"/>: a new one (the next number) the first time it is seen.</summary>
    public int ClassOf(StringBuilder key)
    {
        if (_buffer.Length < key.Length)
        {
            _buffer = new char[key.Length * 2];
        }

        key.CopyTo(0, _buffer, key.Length);
        var span = _buffer.AsSpan(0, key.Length);
        if (!_lookup.TryGetValue(span, out int c))
        {
            c = _classes.Count;
            _classes.Add(span.ToString(), c);
        }

        return c;
    }
}
