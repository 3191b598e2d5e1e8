using System.Diagnostics;
using System.Runtime;
using Abi.Sdk.Abi;
using Abi.Sdk.Elf;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// The collector's share of the in-process <c>abi diff</c> of libLLVM-15 → 16 from fresh maps (what
/// <see cref="AbiDiffBenchmarks.OpenAndCompare"/> measures): per run the wall time, the process's CPU time
/// (every thread: a background collection runs on its own), the collector's pauses (<see cref="GC.GetTotalPauseDuration"/>),
/// the collections of each generation and the bytes allocated; then the same runs inside a no-GC region, which
/// leaves the work without the collector.
/// <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- diff-gc [RUNS] [--trace]</c>; with <c>--trace</c>, also
/// each collection of the runs with the collector (generation, kind, heap sizes before and after) and, from the
/// runtime's events, what started each and how much each heap was given: a diagnosis, whose timings are not a measure.
/// </summary>
internal static class DiffCollectorShare
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";

    public static int Run(string[] args)
    {
        int runs = args.Length > 0 && args[0] != "--trace" ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 30;
        s_trace = args.Contains("--trace");
        using var events = s_trace ? new GcEvents() : null;
        Console.WriteLine($"concurrent GC: {GCSettings.LatencyMode != GCLatencyMode.Batch}, server GC: {GCSettings.IsServerGC}, runs: {runs} (after 3 warm-up runs)");
        var with = Measure(runs, noGc: false);
        if (events is not null)
        {
            // The runs with the collector only (the no-GC region's own collections are induced); warm-up runs included.
            events.Counting = false;
            events.Report(runs + 3);
        }

        var without = Measure(runs, noGc: true);
        Report("with the collector", with);
        Report("in a no-GC region", without);
        if (with.Count > 0 && without.Count > 0)
        {
            // The collector's share: what the medians with it cost beyond those without it (pauses, the background
            // collection's work on another thread, and its effect on the caches).
            double wall = Median(with.Select(x => x.Wall)), cpu = Median(with.Select(x => x.Cpu));
            double wallShare = wall - Median(without.Select(x => x.Wall)), cpuShare = cpu - Median(without.Select(x => x.Cpu));
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the collector's share of the median: wall {wallShare:F1} ms ({100 * wallShare / wall:F0} %), process CPU {cpuShare:F1} ms ({100 * cpuShare / cpu:F0} %)"));
        }

        return 0;
    }

    private static List<Sample> Measure(int runs, bool noGc)
    {
        var samples = new List<Sample>();
        for (int i = 0; i < runs + 3; i++)
        {
            if (noGc)
            {
                GC.Collect();
                if (!GC.TryStartNoGCRegion(240_000_000, 120_000_000))
                {
                    throw new InvalidOperationException("no-GC region refused");
                }
            }

            var pause = GC.GetTotalPauseDuration();
            int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            long faults = MinorFaults();
            double cpu = CpuMilliseconds();
            var clock = Stopwatch.StartNew();
            double surfaces;
            using (var oldImage = ElfImage.Open(Lib + "libLLVM-15.so.1"))
            using (var newImage = ElfImage.Open(Lib + "libLLVM-16.so.1"))
            {
                var oldSurface = AbiSurface.Of(oldImage);
                var newSurface = AbiSurface.Of(newImage);
                surfaces = clock.Elapsed.TotalMilliseconds;
                _ = AbiComparer.Default.Compare(oldSurface, newSurface).Diagnostics.Length;
            }

            if (s_trace && !noGc)
            {
                Trace(i);
            }

            var sample = new Sample(
                clock.Elapsed.TotalMilliseconds,
                CpuMilliseconds() - cpu,
                (GC.GetTotalPauseDuration() - pause).TotalMilliseconds,
                GC.CollectionCount(0) - g0,
                GC.CollectionCount(1) - g1,
                GC.CollectionCount(2) - g2,
                (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6,
                surfaces,
                MinorFaults() - faults);
            if (noGc)
            {
                if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
                {
                    // The runtime left the region (it may collect for a pinned-heap allocation): not a run without the collector.
                    continue;
                }

                GC.EndNoGCRegion();
            }

            if (i >= 3)
            {
                samples.Add(sample);
            }
        }

        return samples;
    }

    private static bool s_trace;
    private static readonly long[] s_lastIndex = new long[3];

    // The collections of the last run, one line each (the last of each kind the runtime reports: ephemeral,
    // full blocking, background): which generation, why it was likely triggered (the heaps' sizes before it), its pause.
    private static void Trace(int run)
    {
        GCKind[] kinds = [GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background];
        for (int k = 0; k < kinds.Length; k++)
        {
            var info = GC.GetGCMemoryInfo(kinds[k]);
            if (info.Index == 0 || info.Index == s_lastIndex[k])
            {
                continue;
            }

            s_lastIndex[k] = info.Index;
            var g = info.GenerationInfo;
            static string Mb(long b) => (b / 1e6).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"run {run} gc #{info.Index} {kinds[k]} gen{info.Generation} compacted={info.Compacted} concurrent={info.Concurrent} pause {info.PauseDurations[0].TotalMilliseconds:F2}+{info.PauseDurations[1].TotalMilliseconds:F2} ms; " +
                $"before/after MB gen0 {Mb(g[0].SizeBeforeBytes)}/{Mb(g[0].SizeAfterBytes)} gen1 {Mb(g[1].SizeBeforeBytes)}/{Mb(g[1].SizeAfterBytes)} gen2 {Mb(g[2].SizeBeforeBytes)}/{Mb(g[2].SizeAfterBytes)} loh {Mb(g[3].SizeBeforeBytes)}/{Mb(g[3].SizeAfterBytes)} poh {Mb(g[4].SizeBeforeBytes)}/{Mb(g[4].SizeAfterBytes)}; promoted {Mb(info.PromotedBytes)} heap {Mb(info.HeapSizeBytes)} committed {Mb(info.TotalCommittedBytes)}"));
        }
    }

    // The runtime's own account of each collection, read in process (DOTNET_gcTrace is not in release runtimes):
    // why it started and what it condemned (GCStart), and what was allocated on which heap (GCAllocationTick, one
    // event per about 100 KB: small object, large object or pinned object heap).
    private sealed class GcEvents : System.Diagnostics.Tracing.EventListener
    {
        private readonly Dictionary<string, int> _starts = [];
        private readonly long[] _allocated = new long[3];

        public bool Counting { get; set; } = true;

        public void Report(int runs)
        {
            lock (_starts)
            {
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"allocated per run, from the runtime's allocation ticks: small object heap {_allocated[0] / 1e6 / runs:F2} MB, large object heap {_allocated[1] / 1e6 / runs:F2} MB, pinned object heap {_allocated[2] / 1e6 / runs:F2} MB"));
                foreach (var (key, n) in _starts.OrderBy(x => x.Key, StringComparer.Ordinal))
                {
                    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"collections {key}: {n} ({(double)n / runs:F2} per run)"));
                }
            }
        }

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1); // GC keyword
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (!Counting || e.Payload is null)
            {
                return;
            }

            var culture = System.Globalization.CultureInfo.InvariantCulture;
            lock (_starts)
            {
                if (e.EventName == "GCAllocationTick_V4")
                {
                    // AllocationAmount, AllocationKind (0 small, 1 large, 2 pinned), ...
                    _allocated[Math.Clamp(Convert.ToInt32(e.Payload[1], culture), 0, 2)] += Convert.ToInt64(e.Payload[0], culture);
                }
                else if (e.EventName == "GCStart_V2")
                {
                    // Count, Depth, Reason, Type: the runtime's GC_REASON and GC_TYPE values.
                    int reason = Convert.ToInt32(e.Payload[2], culture), type = Convert.ToInt32(e.Payload[3], culture);
                    string key = $"gen{e.Payload[1]} {type switch { 0 => "blocking", 1 => "background", 2 => "foreground", _ => $"type {type}" }}, started by " +
                        reason switch { 0 => "a small-object allocation (gen-0 budget)", 1 => "an induced collection", 4 => "a large- or pinned-object allocation (that heap's budget)", _ => $"reason {reason}" };
                    _starts[key] = _starts.GetValueOrDefault(key) + 1;
                }
            }
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static void Report(string label, List<Sample> s)
    {
        if (s.Count == 0)
        {
            Console.WriteLine($"{label}: no run completed");
            return;
        }

        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{label} ({s.Count} runs): wall min {s.Min(x => x.Wall):F1} median {Median(s.Select(x => x.Wall)):F1} ms; process CPU min {s.Min(x => x.Cpu):F1} median {Median(s.Select(x => x.Cpu)):F1} ms; " +
            $"GC pauses median {Median(s.Select(x => x.Pause)):F1} ms; maps and surfaces median {Median(s.Select(x => x.Surfaces)):F1} ms; minor page faults per run {s.Average(x => (double)x.Faults):F0}; collections per run gen0 {s.Average(x => x.Gen0):F2} gen1 {s.Average(x => x.Gen1):F2} gen2 {s.Average(x => x.Gen2):F2}; allocated {s.Average(x => x.AllocatedMb):F1} MB"));
    }

    // The process's CPU time, user and system, every thread (a background collection runs on its own thread);
    // time spent waiting for a core is not counted, which makes it the steadier figure on a loaded machine.
    private static double CpuMilliseconds() => Environment.CpuUsage.TotalTime.TotalMilliseconds;

    // Minor page faults of the process so far (/proc/self/stat, field 10): the fresh maps' pages and the heap's new ones.
    private static long MinorFaults()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture); // field 10 counts from 1, the state is field 3
    }

    private readonly record struct Sample(double Wall, double Cpu, double Pause, int Gen0, int Gen1, int Gen2, double AllocatedMb, double Surfaces, long Faults);
}
