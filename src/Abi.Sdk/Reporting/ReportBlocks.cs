using System.Runtime.ExceptionServices;

namespace Abi.Sdk.Reporting;

/// <summary>
/// The values of one large JSON array (a report's diagnostics, a file's symbols) written on two cores in document
/// order: the items are cut into blocks, which both threads claim from the front. A second thread writes each block
/// it claims into a buffer (<see cref="ReportJsonWriter.BlockWriter"/>). The caller's thread outputs the blocks in
/// order: it copies a block already written, writes the next one straight into its writer when nobody has claimed
/// it, and while the worker is still on the block it needs, writes the next unclaimed block into a buffer too; with
/// nothing left to claim it waits at most a millisecond, then writes that block itself (the worker's copy is dropped),
/// so that a worker descheduled on a busy machine never holds the output up. The
/// bytes are those of one thread writing every item in order: each block starts where the previous one ended
/// (same depth, a separator unless it opens the array), and the per-thread state given by the factory is a cache.
/// </summary>
/// <remarks>
/// The worker starts at construction, so that it works while the caller writes what comes before the array (the
/// diff's sorted symbol lists). It holds at most <see cref="Buffers"/> blocks ahead, so the memory is a few blocks
/// whatever the size of the document. An exception in a block is thrown on the caller's thread when the caller
/// reaches that block, after the part of the block written before it: the output is what one thread would have
/// written before failing.
/// </remarks>
internal sealed class ReportBlocks : IDisposable
{
    private const int Buffers = 4;

    private readonly object _lock = new();
    private readonly int _count;
    private readonly int _blockSize;
    private readonly int _blocks;
    private readonly int _depth;
    private readonly int _blockBytes;
    private readonly bool _indented;
    private readonly Func<Action<ReportJsonWriter, int, int>> _factory;
    private readonly Thread? _worker;
    private readonly Dictionary<int, (ReportJsonWriter Writer, ExceptionDispatchInfo? Error)> _done = [];
    private readonly Stack<ReportJsonWriter> _free = new();
    private readonly HashSet<int> _takenOver = []; // blocks the worker was on when the caller wrote them itself
    private int _created;
    private int _next; // the first block nobody has claimed
    private bool _stopped;

    /// <param name="indented">The layout of the document.</param>
    /// <param name="depth">The depth of the array's values (<see cref="ReportJsonWriter.Depth"/> when the array is open).</param>
    /// <param name="count">The number of items.</param>
    /// <param name="blockSize">Items per block: large enough that a block is hundreds of kilobytes.</param>
    /// <param name="blockBytes">About how many bytes a block holds (the size of the worker's buffers).</param>
    /// <param name="factory">
    /// Makes, once per thread and on that thread, the action that writes items [start, end) as values into a writer.
    /// A thread's ranges mostly come in increasing order, but not always (a block taken over from the worker).
    /// </param>
    public ReportBlocks(bool indented, int depth, int count, int blockSize, int blockBytes, Func<Action<ReportJsonWriter, int, int>> factory)
    {
        _blockBytes = blockBytes;
        _indented = indented;
        _depth = depth;
        _count = count;
        _blockSize = blockSize;
        _blocks = (int)(((long)count + blockSize - 1) / blockSize);
        _factory = factory;
        if (_blocks >= 2 && Environment.ProcessorCount > 1)
        {
            _worker = new Thread(Work) { IsBackground = true, Name = "report blocks" };
            _worker.Start();
        }
    }

    /// <summary>Writes every item, in order, into <paramref name="w"/>, whose array is open at the depth given.</summary>
    public void WriteTo(ReportJsonWriter w)
    {
        if (w.Depth != _depth || w.Indented != _indented)
        {
            throw new InvalidOperationException("the blocks were made for another position in the document");
        }

        Action<ReportJsonWriter, int, int>? write = null;
        for (int block = 0; block < _blocks;)
        {
            (ReportJsonWriter Writer, ExceptionDispatchInfo? Error) done = default;
            bool direct = _worker is null;
            int ahead = -1;
            ReportJsonWriter? buffer = null;
            bool waited = false;
            if (!direct)
            {
                lock (_lock)
                {
                    while (true)
                    {
                        if (_done.Remove(block, out done))
                        {
                            break;
                        }

                        if (_next == block)
                        {
                            _next++;
                            direct = true;
                            break;
                        }

                        // The worker is writing this block: rather than wait, write the next free one into a buffer.
                        if (_next < _blocks && TryTakeBuffer(out buffer))
                        {
                            ahead = _next++;
                            break;
                        }

                        // Nothing else to do: wait a moment (a block takes a fraction of a millisecond), then write
                        // the block here rather than wait for a worker that a busy machine may not be running.
                        if (!waited)
                        {
                            waited = true;
                            Monitor.Wait(_lock, 1);
                            continue;
                        }

                        _takenOver.Add(block);
                        direct = true;
                        break;
                    }
                }
            }

            if (direct)
            {
                write ??= _factory();
                write(w, block * _blockSize, End(block));
                block++;
                continue;
            }

            if (ahead >= 0)
            {
                Fill(ref buffer, ahead, ref write);
                continue;
            }

            w.RawBlock(done.Writer!.Written);
            done.Error?.Throw();
            lock (_lock)
            {
                _free.Push(done.Writer);
                Monitor.PulseAll(_lock);
            }

            block++;
        }
    }

    /// <summary>Stops the worker (it finishes the block in hand) and returns the buffers.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _stopped = true;
            Monitor.PulseAll(_lock);
        }

        _worker?.Join();
        foreach (var writer in _free)
        {
            writer.Dispose();
        }

        foreach (var (writer, _) in _done.Values)
        {
            writer.Dispose();
        }

        _free.Clear();
        _done.Clear();
    }

    private int End(int block) => (int)Math.Min(_count, ((long)block + 1) * _blockSize);

    /// <summary>A free buffer (null: make a new one), if fewer than <see cref="Buffers"/> are in use. Under the lock.</summary>
    private bool TryTakeBuffer(out ReportJsonWriter? buffer)
    {
        buffer = null;
        if (_free.Count > 0)
        {
            buffer = _free.Pop();
            return true;
        }

        if (_created < Buffers)
        {
            _created++;
            return true;
        }

        return false;
    }

    /// <summary>Writes a block into a buffer and hands it over; false when it failed (the caller throws it when it reaches the block).</summary>
    private bool Fill(ref ReportJsonWriter? buffer, int block, ref Action<ReportJsonWriter, int, int>? write)
    {
        ExceptionDispatchInfo? error = null;
        buffer ??= ReportJsonWriter.BlockWriter(_indented, _blockBytes);
        buffer.StartBlock(_depth, first: block == 0);
        try
        {
            write ??= _factory();
            write(buffer, block * _blockSize, End(block));
        }
        catch (Exception e)
        {
            error = ExceptionDispatchInfo.Capture(e);
        }

        lock (_lock)
        {
            if (_takenOver.Remove(block))
            {
                _free.Push(buffer); // the caller wrote it itself
            }
            else
            {
                _done.Add(block, (buffer, error));
            }

            Monitor.PulseAll(_lock);
        }

        return error is null;
    }

    private void Work()
    {
        Action<ReportJsonWriter, int, int>? write = null;
        while (true)
        {
            ReportJsonWriter? buffer;
            int block;
            lock (_lock)
            {
                while (true)
                {
                    if (_stopped || _next >= _blocks)
                    {
                        return;
                    }

                    if (TryTakeBuffer(out buffer))
                    {
                        break;
                    }

                    Monitor.Wait(_lock);
                }

                block = _next++;
            }

            if (!Fill(ref buffer, block, ref write))
            {
                return; // later blocks are not needed
            }
        }
    }
}
