using System.Diagnostics;
using Abi.Sdk;

namespace Abi.Cli.Commands;

/// <summary>
/// A live progress line on standard error while a long run goes on: shown only on a terminal (nothing extra when
/// stderr is redirected, so logs and pipes stay clean), at most ten updates a second, cleared when done.
/// </summary>
internal sealed class ProgressLine : IProgress<OperationProgress>, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _label;
    private long _lastDraw = long.MinValue;
    private bool _drawn;

    private ProgressLine(string label) => _label = label;

    /// <summary>A progress line for <paramref name="label"/>, or <see langword="null"/> when stderr is not a terminal.</summary>
    public static ProgressLine? ForStandardError(string label) => Console.IsErrorRedirected ? null : new ProgressLine(label);

    public void Report(OperationProgress value)
    {
        lock (_lock)
        {
            long now = _clock.ElapsedMilliseconds;
            bool last = value.Total is { } total && value.Completed >= total;
            if (!last && now - _lastDraw < 100)
            {
                return;
            }

            _lastDraw = now;
            var count = value.Total is { } t ? $"{value.Completed}/{t}" : $"{value.Completed}";
            var current = value.Current is null ? string.Empty : " " + Path.GetFileName(value.Current);
            var line = $"{_label}: {count}{current}";
            int width = Console.BufferWidth > 10 ? Console.BufferWidth - 1 : 79;
            if (line.Length > width)
            {
                line = line[..width];
            }

            // \r returns to the line's start and ESC[K clears the rest of the previous, longer text.
            Console.Error.Write($"\r{line}\u001b[K");
            _drawn = true;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_drawn)
            {
                Console.Error.Write("\r\u001b[K");
                _drawn = false;
            }
        }
    }
}
