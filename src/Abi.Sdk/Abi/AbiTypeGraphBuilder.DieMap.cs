using System.Runtime.CompilerServices;

namespace Abi.Sdk.Abi;

internal sealed partial class AbiTypeGraphBuilder
{
    /// <summary>
    /// The DIE map (a DIE's key to its proto): open addressing with linear probing over one array of keys and one of
    /// values, for the half a million lookups a glibc pair makes, most of them while confirming types by their bytes.
    /// Removal shifts the entries after the hole back, so no tombstones accumulate over failed comparisons.
    /// </summary>
    private sealed class DieMap
    {
        private const ulong Empty = ulong.MaxValue; // never a key: a key's file index stays far below 2^30
        private ulong[] _keys;
        private int[] _values;
        private int _count;
        private int _mask;

        public DieMap(int capacity)
        {
            int size = 16;
            while (size < capacity * 2)
            {
                size <<= 1;
            }

            (_keys, _values, _mask) = (NewKeys(size), new int[size], size - 1);
        }

        public int Count => _count;

        /// <summary>While empty, makes room for <paramref name="capacity"/> keys at once instead of doubling up to it.</summary>
        public void EnsureCapacity(int capacity)
        {
            int size = _keys.Length;
            while (size < capacity * 2 && size < 1 << 24)
            {
                size <<= 1;
            }

            if (_count == 0 && size > _keys.Length)
            {
                (_keys, _values, _mask) = (NewKeys(size), new int[size], size - 1);
            }
        }

        public int this[ulong key]
        {
            set => Set(key, value, overwrite: true);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Slot(ulong key, int mask) => (int)((key * 0x9E3779B97F4A7C15UL) >> 32) & mask;

        public bool TryGetValue(ulong key, out int value)
        {
            var keys = _keys;
            int mask = _mask;
            for (int i = Slot(key, mask); ; i = (i + 1) & mask)
            {
                ulong k = keys[i];
                if (k == key)
                {
                    value = _values[i];
                    return true;
                }

                if (k == Empty)
                {
                    value = 0;
                    return false;
                }
            }
        }

        public int GetValueOrDefault(ulong key, int fallback) => TryGetValue(key, out int value) ? value : fallback;

        public void Add(ulong key, int value)
        {
            if (!Set(key, value, overwrite: false))
            {
                throw new ArgumentException($"key 0x{key:x} is already in the DIE map", nameof(key));
            }
        }

        public bool TryAdd(ulong key, int value) => Set(key, value, overwrite: false);

        private bool Set(ulong key, int value, bool overwrite)
        {
            if (key == Empty)
            {
                throw new ArgumentOutOfRangeException(nameof(key));
            }

            if ((_count + 1) * 2 > _keys.Length)
            {
                Grow();
            }

            var keys = _keys;
            int mask = _mask;
            for (int i = Slot(key, mask); ; i = (i + 1) & mask)
            {
                ulong k = keys[i];
                if (k == key)
                {
                    if (overwrite)
                    {
                        _values[i] = value;
                    }

                    return overwrite;
                }

                if (k == Empty)
                {
                    keys[i] = key;
                    _values[i] = value;
                    _count++;
                    return true;
                }
            }
        }

        public bool Remove(ulong key)
        {
            var keys = _keys;
            int mask = _mask;
            int i = Slot(key, mask);
            while (true)
            {
                ulong k = keys[i];
                if (k == Empty)
                {
                    return false;
                }

                if (k == key)
                {
                    break;
                }

                i = (i + 1) & mask;
            }

            // Backward-shift deletion: move each later entry of the run into the hole when its home slot allows it.
            int hole = i;
            for (int j = (i + 1) & mask; keys[j] != Empty; j = (j + 1) & mask)
            {
                int home = Slot(keys[j], mask);
                bool movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
                if (movable)
                {
                    keys[hole] = keys[j];
                    _values[hole] = _values[j];
                    hole = j;
                }
            }

            keys[hole] = Empty;
            _count--;
            return true;
        }

        public void Clear()
        {
            _keys = NewKeys(16);
            _values = new int[16];
            _mask = 15;
            _count = 0;
        }

        private void Grow()
        {
            var (oldKeys, oldValues) = (_keys, _values);
            int size = oldKeys.Length * 2;
            (_keys, _values, _mask) = (NewKeys(size), new int[size], size - 1);
            var keys = _keys;
            for (int n = 0; n < oldKeys.Length; n++)
            {
                ulong key = oldKeys[n];
                if (key == Empty)
                {
                    continue;
                }

                int i = Slot(key, _mask);
                while (keys[i] != Empty)
                {
                    i = (i + 1) & _mask;
                }

                keys[i] = key;
                _values[i] = oldValues[n];
            }
        }

        private static ulong[] NewKeys(int size)
        {
            var keys = GC.AllocateUninitializedArray<ulong>(size);
            Array.Fill(keys, Empty);
            return keys;
        }
    }
}
