using System.Runtime.ExceptionServices;

namespace Abi.Cli.Commands;

/// <summary>
/// Runs independent work items on every core and hands their results back in input order, so that a command's
/// output is the same as a serial loop's: the same lines in the same order, and the first failing item's exception
/// thrown where the serial loop would have thrown it (after the results before it, none after).
/// </summary>
internal static class OrderedParallel
{
    /// <summary>
    /// How many items the workers may run ahead of the consumer, per worker (bounds the results held). Wide: one slow
    /// item (a 130 MB static program searched whole) holds the consumer, and with 32 the other worker soon stopped
    /// and waited for it (`abi compat` over /usr/bin: a core idle for 30 ms); a verdict is a few KB.
    /// </summary>
    private const int WindowPerWorker = 1024;

    /// <summary>
    /// <paramref name="work"/> applied to each of <paramref name="items"/> on up to <paramref name="workers"/> threads
    /// (default: one per core), yielded in order as each becomes ready.
    /// </summary>
    public static IEnumerable<TResult> Select<T, TResult>(IReadOnlyList<T> items, Func<T, TResult> work, int workers = 0)
    {
        workers = Math.Min(workers > 0 ? workers : Environment.ProcessorCount, items.Count);
        return workers <= 1 ? Serial(items, work) : Parallel(items, work, workers);
    }

    private static IEnumerable<TResult> Serial<T, TResult>(IReadOnlyList<T> items, Func<T, TResult> work)
    {
        foreach (var item in items)
        {
            yield return work(item);
        }
    }

    private static IEnumerable<TResult> Parallel<T, TResult>(IReadOnlyList<T> items, Func<T, TResult> work, int workers)
    {
        var results = new TResult[items.Count];
        var errors = new ExceptionDispatchInfo?[items.Count];
        var done = new bool[items.Count];
        var gate = new object();
        int next = 0, consumed = 0;
        bool stop = false;
        int window = WindowPerWorker * workers;

        void Worker()
        {
            while (true)
            {
                int i;
                lock (gate)
                {
                    while (!stop && next < items.Count && next - consumed >= window)
                    {
                        Monitor.Wait(gate);
                    }

                    if (stop || next >= items.Count)
                    {
                        return;
                    }

                    i = next++;
                }

                TResult result = default!;
                ExceptionDispatchInfo? error = null;
                try
                {
                    result = work(items[i]);
                }
                catch (Exception ex)
                {
                    // Rethrown by the consumer at this item's place in the order.
                    error = ExceptionDispatchInfo.Capture(ex);
                }

                lock (gate)
                {
                    results[i] = result;
                    errors[i] = error;
                    done[i] = true;
                    Monitor.PulseAll(gate);
                }
            }
        }

        var threads = new Thread[workers];
        for (int t = 0; t < workers; t++)
        {
            // The loader model recurses over dependency chains: give workers the main thread's usual stack.
            threads[t] = new Thread(Worker, 8 * 1024 * 1024) { IsBackground = true, Name = "abi worker" };
            threads[t].Start();
        }

        try
        {
            for (int i = 0; i < items.Count; i++)
            {
                lock (gate)
                {
                    while (!done[i])
                    {
                        Monitor.Wait(gate);
                    }

                    consumed = i + 1;
                    Monitor.PulseAll(gate);
                }

                errors[i]?.Throw();
                var result = results[i];
                results[i] = default!; // the consumer is done with it: let it be collected
                yield return result;
            }
        }
        finally
        {
            // The consumer stopped (an exception, or it was done): the workers take no more items.
            lock (gate)
            {
                stop = true;
                Monitor.PulseAll(gate);
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }
        }
    }
}
