using System.Runtime.InteropServices;

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
        int total = 0;
        for (int i = 0; i < n; i++)
        {
            ref int c = ref CollectionsMarshal.GetValueRefOrAddDefault(interned, keys[i], out bool exists);
            if (!exists)
            {
                c = interned.Count - 1;
            }

            classes[i] = c;
            total += children[i].Length + 1;
        }

        int count = interned.Count;
        var next = new int[n];

        // Each round's signatures (own class, then the children's) live in one flat buffer, keyed by position.
        var buffer = new int[total];
        var starts = new int[n + 1];
        for (int i = 0, at = 0; i < n; i++)
        {
            starts[i] = at;
            at += children[i].Length + 1;
            starts[i + 1] = at;
        }

        var comparer = new SignatureComparer(buffer, starts);
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                int at = starts[i];
                buffer[at] = classes[i];
                var kids = children[i];
                for (int k = 0; k < kids.Length; k++)
                {
                    buffer[at + 1 + k] = classes[kids[k]];
                }
            }

            var signatures = new Dictionary<int, int>(n, comparer);
            for (int i = 0; i < n; i++)
            {
                ref int c = ref CollectionsMarshal.GetValueRefOrAddDefault(signatures, i, out bool exists);
                if (!exists)
                {
                    c = signatures.Count - 1;
                }

                next[i] = c;
            }

            (classes, next) = (next, classes);
            if (signatures.Count == count)
            {
                return classes; // no class split: stable
            }

            count = signatures.Count;
        }
    }

    /// <summary>Compares nodes by their signature in the round's buffer.</summary>
    private sealed class SignatureComparer(int[] buffer, int[] starts) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => Span(x).SequenceEqual(Span(y));

        public int GetHashCode(int node)
        {
            var h = new HashCode();
            h.AddBytes(MemoryMarshal.AsBytes(Span(node)));
            return h.ToHashCode();
        }

        private ReadOnlySpan<int> Span(int node) => buffer.AsSpan(starts[node], starts[node + 1] - starts[node]);
    }
}
