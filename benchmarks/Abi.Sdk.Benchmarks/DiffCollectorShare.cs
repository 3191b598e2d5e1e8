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
/// <c>dotnet run -c Release --project benchmarks/Abi.Sdk.Benchmarks -- diff-gc [RUNS]</c>
/// </summary>
internal static class DiffCollectorShare
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";

    public static int Run(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 30;
        Console.WriteLine($"concurrent GC: {GCSettings.LatencyMode != GCLatencyMode.Batch}, server GC: {GCSettings.IsServerGC}, runs: {runs} (after 3 warm-up runs)");
        var with = Measure(runs, noGc: false);
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
