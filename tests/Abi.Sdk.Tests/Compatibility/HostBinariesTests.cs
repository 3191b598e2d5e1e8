using System.Collections.Concurrent;
using Abi.Sdk.Abi;
using Abi.Sdk.Compatibility;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;
using Checker = global::Abi.Sdk.Compatibility.CompatibilityChecker;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// Every dynamically linked ELF executable in /usr/bin checked against this machine's own libraries: the verdict
/// must be what <c>ldd -r</c> says — the same libraries found at the same paths in the same order, the same problems.
/// ldd costs a process per binary, so by default it runs on every binary with DT_RPATH/DT_RUNPATH and on an evenly
/// spread tenth of the rest, and on every binary the SDK refuses; ABI_COMPAT_LDD_ALL=1 compares all of them (1,121 here,
/// all accepted, all agreeing).
/// </summary>
public class HostBinariesTests
{
    internal static List<string> DynamicExecutables()
    {
        var result = new List<string>();
        var magic = new byte[4];
        foreach (var path in Directory.EnumerateFiles("/usr/bin").Order(StringComparer.Ordinal))
        {
            var real = LddReport.Real(path);
            try
            {
                using (var f = File.OpenRead(real))
                {
                    if (f.Read(magic) < 4 || !ElfImage.IsElf(magic))
                    {
                        continue;
                    }
                }

                using var image = ElfImage.Open(real);
                if (image.Interpreter is not null && image.Dynamic is not null)
                {
                    result.Add(path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ElfFormatException)
            {
            }
        }

        return result;
    }

    [Fact]
    public void Usr_bin_executables_agree_with_ldd()
    {
        Tools.Require("ldd", "libc-bin");
        var binaries = DynamicExecutables();
        Assert.NotEmpty(binaries);
        bool all = Environment.GetEnvironmentVariable("ABI_COMPAT_LDD_ALL") == "1";
        using var target = Target.Host();

        // The SDK's verdicts, all of them; /usr/bin links are checked by their real path, as the kernel starts them.
        var verdicts = new ConcurrentDictionary<string, CompatibilityVerdict>();
        foreach (var path in binaries)
        {
            verdicts[path] = Checker.Check(LddReport.Real(path), target);
        }

        var sample = binaries.Where((path, i) =>
        {
            if (all || i % 10 == 0 || !verdicts[path].IsCompatible)
            {
                return true;
            }

            using var image = ElfImage.Open(path);
            return image.Dynamic is { } d && (d.RPath is not null || d.RunPath is not null);
        }).ToList();

        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(sample, new ParallelOptions { MaxDegreeOfParallelism = 4 }, path =>
        {
            var ldd = LddReport.Run(LddReport.Real(path));
            try
            {
                LddReport.AssertAgrees(ldd, verdicts[path]);
            }
            catch (Exception ex)
            {
                failures.Add($"{path}: {ex.Message}");
            }
        });

        // Every refusal is among the compared ones, so a binary really broken on a machine is confirmed by ldd.
        Assert.True(failures.IsEmpty, $"{failures.Count} of {sample.Count} disagree:\n{string.Join("\n\n", failures.Take(5))}");
        TestContext.Current.SendDiagnosticMessage($"{binaries.Count} executables checked, {sample.Count} compared with ldd -r");
    }
}
