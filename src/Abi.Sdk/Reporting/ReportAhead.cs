using System.Runtime.ExceptionServices;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The first items of a large JSON array written on a second thread while the caller is still busy with what comes
/// before the array (the diff's removed and added lists, which are sorted first), into 1 MiB chunks that are kept:
/// when the caller reaches the array the worker stops after its current item, the caller outputs the chunks in
/// order and writes the remaining items itself. The bytes are those of one thread writing every item in order (each
/// chunk starts where the previous one ended; the per-thread state given by the factory is a cache).
/// </summary>
/// <remarks>
/// Unlike <see cref="ReportBlocks"/>, whose worker holds at most a few blocks ahead of the caller, this worker is
/// never held up by the caller: during the sort the caller outputs nothing, so a worker that waits for its buffers
/// to be taken writes a megabyte or two and then idles (why the diff's diagnostics gained nothing from
/// <see cref="ReportBlocks"/>). The memory is what the worker writes before the caller arrives, a few megabytes. An
/// exception on the worker drops its chunks: the caller then writes every item itself, so it fails where one
/// thread fails, after the same output.
/// </remarks>
internal sealed class ReportAhead : IDisposable
{
    // Pooled arrays come in powers of two: a chunk is closed before an item could outgrow its buffer.
    private const int ChunkBytes = 1 << 20;
    private const int ChunkFull = ChunkBytes - (64 << 10);

    private readonly bool _indented;
    private readonly int _depth;
    private readonly int _count;
    private readonly Func<Action<ReportJsonWriter, int, int>> _factory;
    private readonly List<ReportJsonWriter> _chunks = [];
    private readonly Task? _worker;
    private volatile bool _stop;
    private int _done; // items the worker finished, read after it has stopped
    private ExceptionDispatchInfo? _error;

    /// <param name="indented">The layout of the document.</param>
    /// <param name="depth">The depth of the array's values (<see cref="ReportJsonWriter.Depth"/> when the array is open).</param>
    /// <param name="count">The number of items.</param>
    /// <param name="factory">Makes, once per thread and on that thread, the action that writes items [start, end) as values into a writer.</param>
    public ReportAhead(bool indented, int depth, int count, Func<Action<ReportJsonWriter, int, int>> factory)
    {
        _indented = indented;
        _depth = depth;
        _count = count;
        _factory = factory;
        if (count > 0 && Environment.ProcessorCount > 1)
        {
            _worker = Task.Run(Work);
        }
    }

    private void Work()
    {
        int i = 0;
        try
        {
            var write = _factory();
            while (i < _count && !_stop)
            {
                var chunk = ReportJsonWriter.BlockWriter(_indented, ChunkBytes);
                chunk.StartBlock(_depth, first: i == 0);
                _chunks.Add(chunk);
                while (i < _count && !_stop && chunk.Written.Length < ChunkFull)
                {
                    write(chunk, i, i + 1);
                    i++;
                }
            }
        }
        catch (Exception e)
        {
            _error = ExceptionDispatchInfo.Capture(e);
        }

        _done = i;
    }

    /// <summary>Stops the worker and writes every item, in order, into <paramref name="w"/>, whose array is open at the depth given.</summary>
    public void WriteTo(ReportJsonWriter w)
    {
        if (w.Depth != _depth || w.Indented != _indented)
        {
            throw new InvalidOperationException("the items were written for another position in the document");
        }

        _stop = true;
        _worker?.GetAwaiter().GetResult();
        int start = _error is null ? _done : 0;
        foreach (var chunk in _chunks)
        {
            if (_error is null && !chunk.Written.IsEmpty)
            {
                w.RawBlock(chunk.Written);
            }

            chunk.Dispose();
        }

        _chunks.Clear();
        if (start < _count)
        {
            _factory()(w, start, _count);
        }
    }

    /// <summary>Stops the worker (the caller failed before reaching the array) and returns its buffers.</summary>
    public void Dispose()
    {
        _stop = true;
        _worker?.GetAwaiter().GetResult();
        foreach (var chunk in _chunks)
        {
            chunk.Dispose();
        }

        _chunks.Clear();
    }
}
