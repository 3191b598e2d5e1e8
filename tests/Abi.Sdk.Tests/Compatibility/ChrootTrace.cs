using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Compatibility;

/// <summary>
/// This machine's loader run inside an unpacked system: chroot(2), then exec with ldd -r's variables
/// (LD_TRACE_LOADED_OBJECTS, LD_WARN, LD_BIND_NOW). The variables must reach only the traced program: a chroot(1) run
/// with them in its own environment would have its own loader trace chroot instead.
/// </summary>
internal static class ChrootTrace
{
    /// <summary>Compiles the helper once per test process.</summary>
    public static string Build()
    {
        var gcc = Tools.Require("gcc", "gcc");
        var dir = Path.Combine(Path.GetTempPath(), "abi-sdk-tests");
        Directory.CreateDirectory(dir);
        var source = Path.Combine(dir, $"chroot-trace-{Environment.ProcessId}.c");
        var program = Path.Combine(dir, $"chroot-trace-{Environment.ProcessId}");
        lock (typeof(ChrootTrace))
        {
            if (File.Exists(program))
            {
                return program;
            }

            // With a third argument the loader is run explicitly on the file, as ldd does: that traces shared
            // libraries too, which cannot be exec'ed themselves.
            File.WriteAllText(source, """
                #include <stdio.h>
                #include <unistd.h>
                int main(int argc, char **argv) {
                    if ((argc != 3 && argc != 4) || chroot(argv[1]) != 0 || chdir("/") != 0) { perror("chroot"); return 2; }
                    char *direct[] = { argv[2], NULL };
                    char *viaLoader[] = { argc == 4 ? argv[3] : NULL, argv[2], NULL };
                    char *env[] = { "LD_TRACE_LOADED_OBJECTS=1", "LD_WARN=yes", "LD_BIND_NOW=yes", NULL };
                    execve(argc == 4 ? argv[3] : argv[2], argc == 4 ? viaLoader : direct, env);
                    perror("execve");
                    return 2;
                }
                """);
            var (code, _, err) = Tools.Run(gcc, ["-o", program, source]);
            Assert.True(code == 0, err);
            return program;
        }
    }

    /// <summary>What the loader says about <paramref name="path"/> (inside <paramref name="root"/>), in ldd's terms.</summary>
    /// <param name="helper">The program <see cref="Build"/> returned.</param>
    /// <param name="root">The unpacked system.</param>
    /// <param name="path">The binary, as a path inside the root.</param>
    /// <param name="interpreter">The loader to run it with (inside the root), or null to exec the program itself.</param>
    public static LddReport Run(string helper, string root, string path, string? interpreter = null)
    {
        var (_, stdout, stderr) = Tools.Run(helper, interpreter is null ? [root, path] : [root, path, interpreter]);
        return LddReport.Parse(stdout + "\n" + stderr, p => InRoot(root, p));
    }

    /// <summary>A path the chrooted loader printed, as the real path inside the root.</summary>
    private static string InRoot(string root, string path)
    {
        var real = LddReport.Real(root + path);
        return real.StartsWith(root, StringComparison.Ordinal) ? real[root.Length..] : path;
    }
}
