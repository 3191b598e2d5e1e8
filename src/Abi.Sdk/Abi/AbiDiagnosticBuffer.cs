using System.Buffers;

namespace Abi.Sdk.Abi;

/// <summary>
/// The diagnostics a comparison's rules report, in a rented array: a large diff reports tens of thousands, and a
/// list's array of that size would be garbage on the large object heap once they are sorted into the diff.
/// Not thread-safe (the rules run one after another); <see cref="Dispose"/> returns the array.
/// </summary>
internal sealed class AbiDiagnosticBuffer : IDisposable
{
    private AbiDiagnostic[] _items;

    public AbiDiagnosticBuffer(int capacity) => _items = ArrayPool<AbiDiagnostic>.Shared.Rent(Math.Max(16, capacity));

    public int Count { get; private set; }

    public AbiDiagnostic this[int index]
    {
        get => _items.AsSpan(0, Count)[index];
        set => _items.AsSpan(0, Count)[index] = value;
    }

    public ReadOnlySpan<AbiDiagnostic> Span => _items.AsSpan(0, Count);

    public void Add(AbiDiagnostic diagnostic)
    {
        if (Count == _items.Length)
        {
            var larger = ArrayPool<AbiDiagnostic>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<AbiDiagnostic>.Shared.Return(_items, clearArray: true);
            _items = larger;
        }

        _items[Count++] = diagnostic;
    }

    /// <summary>Keeps the first <paramref name="count"/> diagnostics.</summary>
    public void Truncate(int count)
    {
        _items.AsSpan(count, Count - count).Clear();
        Count = count;
    }

    public void Dispose()
    {
        var items = _items;
        _items = [];
        ArrayPool<AbiDiagnostic>.Shared.Return(items, clearArray: true);
        Count = 0;
    }
}
