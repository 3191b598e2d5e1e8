using System.Collections.Concurrent;

namespace Abi.Sdk.Compatibility;

/// <summary>
/// The last library seen to satisfy a reference (name, version name, version hash), per target. Whether a reference
/// is satisfied does not depend on the order of the lookup scope, only on which libraries are in it. Keyed by the
/// name's UTF-8 bytes and looked up with the bytes in the mapped file: a check of a program's references allocates
/// nothing for the references an earlier check has seen (most of them, over a folder of programs).
/// </summary>
internal sealed class SatisfierCache
{
    private readonly ConcurrentDictionary<Key, DynamicObject> _map;
    private readonly ConcurrentDictionary<Key, DynamicObject>.AlternateLookup<View> _byView;

    public SatisfierCache()
    {
        _map = new ConcurrentDictionary<Key, DynamicObject>(Comparer.Instance);
        _byView = _map.GetAlternateLookup<View>();
    }

    /// <summary>The library last seen to satisfy the reference, or null.</summary>
    /// <param name="name">The symbol's name (UTF-8).</param>
    /// <param name="nameHash">Its GNU hash (<see cref="Elf.GnuHashTable.Hash"/>).</param>
    /// <param name="version">The version name, or null for an unversioned reference.</param>
    /// <param name="versionHash">The version's ELF hash, 0 when unversioned.</param>
    public DynamicObject? Get(ReadOnlySpan<byte> name, uint nameHash, string? version, uint versionHash)
        => _byView.TryGetValue(new View(name, nameHash, version, versionHash), out var found) ? found : null;

    /// <summary>Records <paramref name="satisfier"/> as the library that satisfied the reference.</summary>
    public void Set(ReadOnlySpan<byte> name, uint nameHash, string? version, uint versionHash, DynamicObject satisfier)
        => _byView[new View(name, nameHash, version, versionHash)] = satisfier;

    private sealed class Key(byte[] name, uint nameHash, string? version, uint versionHash)
    {
        public byte[] Name { get; } = name;
        public uint NameHash { get; } = nameHash;
        public string? Version { get; } = version;
        public uint VersionHash { get; } = versionHash;
    }

    private readonly ref struct View(ReadOnlySpan<byte> name, uint nameHash, string? version, uint versionHash)
    {
        public ReadOnlySpan<byte> Name { get; } = name;
        public uint NameHash { get; } = nameHash;
        public string? Version { get; } = version;
        public uint VersionHash { get; } = versionHash;
    }

    private sealed class Comparer : IEqualityComparer<Key>, IAlternateEqualityComparer<View, Key>
    {
        public static readonly Comparer Instance = new();

        private static int Hash(uint nameHash, uint versionHash) => (int)(nameHash ^ (versionHash * 0x9E3779B1u));

        public bool Equals(Key? x, Key? y)
            => ReferenceEquals(x, y) || (x is not null && y is not null && x.NameHash == y.NameHash && x.VersionHash == y.VersionHash
                && string.Equals(x.Version, y.Version, StringComparison.Ordinal) && x.Name.AsSpan().SequenceEqual(y.Name));

        public int GetHashCode(Key obj) => Hash(obj.NameHash, obj.VersionHash);

        public bool Equals(View alternate, Key other)
            => alternate.NameHash == other.NameHash && alternate.VersionHash == other.VersionHash
               && string.Equals(alternate.Version, other.Version, StringComparison.Ordinal) && alternate.Name.SequenceEqual(other.Name);

        public int GetHashCode(View alternate) => Hash(alternate.NameHash, alternate.VersionHash);

        public Key Create(View alternate) => new(alternate.Name.ToArray(), alternate.NameHash, alternate.Version, alternate.VersionHash);
    }
}
