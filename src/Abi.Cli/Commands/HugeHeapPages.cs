using System.Globalization;
using Abi.Sdk.IO;

namespace Abi.Cli.Commands;

/// <summary>
/// Advises transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>) for the collected heap, before a command builds type
/// graphs from DWARF. A libc's graph allocates about 27 MB of fresh heap, each 4 KB page of it faulted in and cleared
/// by the kernel on first touch: on the glibc pair more than half of the run's 14,400 page faults and most of its
/// system time. In 2 MB pages the same memory is a few dozen faults (docs/perf-abi.md "The cold glibc pair: system
/// time and memory"). Most kernels only give huge pages where asked (THP "madvise"), and the runtime does not ask.
/// Where THP is off, or the heap is not laid out as this expects, nothing changes.
/// </summary>
internal static unsafe class HugeHeapPages
{
    /// <summary>
    /// The collector (regions, the runtime's default) reserves its whole address range — tens of GB, twice the
    /// memory — as one anonymous mapping and commits regions in it from the bottom up. A small and a large probe
    /// object are in that range; from the mapping of the lower one, the next <see cref="Window"/> (at least up to the
    /// higher one) is advised, which covers what a diff commits. Only when the contiguous anonymous mappings from
    /// there hold both probes and run on for <see cref="ReserveAtLeast"/>: then the window is inside the reserve. In
    /// any other layout (another collector, a small reserve) nothing is advised, so no other mapping — a thread's
    /// stack, a malloc arena — is ever touched.
    /// </summary>
    public static void Advise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            var small = new byte[16];
            var large = new byte[LargeObjectSize];
            nint a, b;
            fixed (byte* p = small)
            {
                a = (nint)p;
            }

            fixed (byte* p = large)
            {
                b = (nint)p;
            }

            GC.KeepAlive(small);
            GC.KeepAlive(large);
            (nint low, nint high) = a < b ? (a, b) : (b, a);

            // The maps are in address order: find the mapping holding the lower probe, then follow contiguous
            // anonymous mappings up to the one holding the higher.
            nint start = 0, end = 0;
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                bool anonymous = Anonymous(line, out nint from, out nint to);
                if (start == 0)
                {
                    if (anonymous && from <= low && low < to)
                    {
                        (start, end) = (from, to);
                    }
                }
                else if (anonymous && from == end)
                {
                    end = to;
                }
                else
                {
                    break;
                }

                if (start != 0 && high < end && end - start >= ReserveAtLeast)
                {
                    // A hint: when it fails the heap keeps ordinary pages.
                    _ = LinuxMemory.Madvise(start, (nuint)Math.Max(Window, high + LargeObjectSize - start), LinuxMemory.MadviseHugePage);
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: ordinary pages.
        }
    }

    /// <summary>
    /// The <c>.debug_info</c> bytes (as stored) from which a graph build is worth huge pages: a small library's build
    /// allocates under a megabyte, and a 2 MB page would make all of it resident at once (a type fixture's diff:
    /// +1.7 MB). The glibc pair stores 4.6 MB.
    /// </summary>
    public const long DebugInfoWorthIt = 1 << 20;

    /// <summary>How much of the heap's range to advise: far more than a diff commits.</summary>
    private const long Window = 1L << 30;

    /// <summary>The contiguous anonymous run that makes the window surely part of the collector's reserve.</summary>
    private const long ReserveAtLeast = 4 * Window;

    /// <summary>An array this long is a large object (the runtime's threshold is 85,000 bytes).</summary>
    private const int LargeObjectSize = 85_000;

    /// <summary>Parses a /proc/self/maps line ("from-to perms offset dev inode [path]") that maps nothing but memory.</summary>
    private static bool Anonymous(string line, out nint from, out nint to)
    {
        from = to = 0;
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || fields[4] != "0" || (fields.Length == 6 && fields[5].Trim().Length > 0))
        {
            return false;
        }

        int dash = fields[0].IndexOf('-');
        return dash > 0
            && nint.TryParse(fields[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out from)
            && nint.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out to);
    }
}
