using System.Runtime;

namespace Abi.Cli.Commands;

/// <summary>
/// A stretch of a batch command in which the collector does not run until <c>budget</c> bytes are allocated
/// (<see cref="GC.TryStartNoGCRegion(long)"/>): for work whose garbage is small next to what it keeps, where a
/// collection mostly copies live data. Past the budget the runtime collects and ends the region by itself; a
/// region the runtime refuses is simply not entered.
/// </summary>
internal sealed class NoCollectionRegion : IDisposable
{
    private readonly bool _entered;

    private NoCollectionRegion(bool entered) => _entered = entered;

    /// <summary>Enters a region of up to <paramref name="budget"/> bytes, when the runtime agrees.</summary>
    public static NoCollectionRegion Enter(long budget)
    {
        try
        {
            return new NoCollectionRegion(GC.TryStartNoGCRegion(budget));
        }
        catch (ArgumentOutOfRangeException)
        {
            return new NoCollectionRegion(false); // more than the runtime allows in one region: collect as usual
        }
        catch (InvalidOperationException)
        {
            return new NoCollectionRegion(false); // already in a region
        }
    }

    public void Dispose()
    {
        // The region ends by itself once its budget is spent; ending it again would throw.
        if (_entered && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            GC.EndNoGCRegion();
        }
    }
}
