using System.CommandLine;
using System.Globalization;
using Abi.Sdk.Rpm;

namespace Abi.Cli.Commands;

/// <summary><c>abi rpm</c> (queries as <c>rpm -qp</c> prints them, safe extraction) and <c>abi vercmp</c>.</summary>
internal static class RpmCommands
{
    private static readonly (string Option, RpmDependencyKind Kind)[] DependencyOptions =
    [
        ("--provides", RpmDependencyKind.Provides),
        ("--requires", RpmDependencyKind.Requires),
        ("--conflicts", RpmDependencyKind.Conflicts),
        ("--obsoletes", RpmDependencyKind.Obsoletes),
        ("--recommends", RpmDependencyKind.Recommends),
        ("--suggests", RpmDependencyKind.Suggests),
        ("--supplements", RpmDependencyKind.Supplements),
        ("--enhances", RpmDependencyKind.Enhances),
    ];

    public static void Register(RootCommand root)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "RPM package files." };
        var rpm = new Command("rpm", "Query RPM package files as 'rpm -qp' does (one query option), or extract one safely.") { files };
        var dependencyOptions = new List<(Option<bool> Option, RpmDependencyKind Kind)>();
        foreach (var (name, kind) in DependencyOptions)
        {
            var option = new Option<bool>(name) { Description = $"List the {kind} dependencies, as 'rpm -qp {name}' prints them." };
            rpm.Options.Add(option);
            dependencyOptions.Add((option, kind));
        }

        var list = new Option<bool>("--list", "-l") { Description = "List the files, as 'rpm -qpl' prints them." };
        var extract = new Option<string?>("--extract") { Description = "Extract the payload of the (single) package into DIR; nothing is written outside DIR.", HelpName = "DIR" };
        var maxSize = new Option<long?>("--max-size") { Description = "With --extract: refuse payloads that decompress past this many bytes (default 64 GiB, and the size the package declares)." };
        var preserve = new Option<bool>("--preserve-permissions") { Description = "With --extract: keep setuid, setgid and sticky bits (dropped by default)." };
        var verify = new Option<bool>("--verify", "-K") { Description = "Check digests (and, with --key, signatures) and print the verdict as 'rpm -K --nosignature' (or 'rpm -K') does; exit 1 if a check fails." };
        var keys = new Option<string[]>("--key") { Description = "With --verify: an OpenPGP public key file (armored or binary) to check signatures against; repeatable.", HelpName = "FILE" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "With --verify: print every check, as 'rpm -Kv' does." };
        var noDigest = new Option<bool>("--nodigest") { Description = "With --extract: extract even when the header or payload digests fail (they are checked by default)." };
        rpm.Options.Add(list);
        rpm.Options.Add(extract);
        rpm.Options.Add(maxSize);
        rpm.Options.Add(preserve);
        rpm.Options.Add(verify);
        rpm.Options.Add(keys);
        rpm.Options.Add(verbose);
        rpm.Options.Add(noDigest);
        rpm.SetAction(r => CliErrors.Guard(() =>
        {
            var paths = r.GetValue(files)!;
            var chosen = dependencyOptions.Where(o => r.GetValue(o.Option)).Select(o => (RpmDependencyKind?)o.Kind).ToList();
            bool doList = r.GetValue(list);
            var extractDir = r.GetValue(extract);
            bool doVerify = r.GetValue(verify);
            int queries = chosen.Count + (doList ? 1 : 0) + (extractDir is null ? 0 : 1) + (doVerify ? 1 : 0);
            if (queries != 1)
            {
                Console.Error.WriteLine("abi: give exactly one of --provides --requires --conflicts --obsoletes --recommends --suggests --supplements --enhances --list --extract --verify");
                return 2;
            }

            if (doVerify)
            {
                var keyFiles = r.GetValue(keys) ?? [];
                return Verify(paths, keyFiles.Length == 0 ? null : OpenPgpKeyRing.Load(keyFiles), r.GetValue(verbose));
            }

            if (extractDir is not null)
            {
                if (paths.Length != 1)
                {
                    Console.Error.WriteLine("abi: --extract takes exactly one package");
                    return 2;
                }

                var options = RpmPayloadOptions.Default with { SkipDigestVerification = r.GetValue(noDigest) };
                if (r.GetValue(maxSize) is { } cap)
                {
                    options = options with { MaxDecompressedSize = cap };
                }

                options = options with { PreserveSpecialModeBits = r.GetValue(preserve) };

                RpmPackage.Open(paths[0]).ExtractTo(extractDir, options);
                return 0;
            }

            return Query(paths, chosen.Count == 1 ? chosen[0] : null);
        }));
        root.Subcommands.Add(rpm);

        var a = new Argument<string?>("A") { Arity = ArgumentArity.ZeroOrOne, Description = "The first [epoch:]version[-release]." };
        var b = new Argument<string?>("B") { Arity = ArgumentArity.ZeroOrOne, Description = "The second [epoch:]version[-release]." };
        var stdin = new Option<bool>("--stdin") { Description = "Read tab-separated pairs from standard input, one per line; print one result per line." };
        var vercmp = new Command("vercmp", "Print -1, 0 or 1 as rpm compares two EVR strings (rpm.vercmp).") { a, b, stdin };
        vercmp.SetAction(r => CliErrors.Guard(() => Vercmp(r.GetValue(a), r.GetValue(b), r.GetValue(stdin))));
        root.Subcommands.Add(vercmp);
    }

    private static int Query(string[] paths, RpmDependencyKind? kind)
    {
        using var output = new Output();
        foreach (var path in paths)
        {
            var package = RpmPackage.Open(path);
            if (kind is { } k)
            {
                foreach (var dependency in package.GetDependencies(k))
                {
                    // rpm prints the header's bytes as they are (Latin-1 names exist): never re-encode them.
                    output.Write(dependency.ToBytes());
                    output.NewLine();
                }

                continue;
            }

            var fileList = package.Files;
            if (fileList.IsEmpty)
            {
                output.WriteLine("(contains no files)");
                continue;
            }

            foreach (var file in fileList)
            {
                output.Write(file.PathBytes.Span);
                output.NewLine();
            }
        }

        return 0;
    }

    /// <summary>Prints each package's verdict as <c>rpm -K</c> does (every check with <paramref name="verbose"/>, as <c>rpm -Kv</c>).</summary>
    private static int Verify(string[] paths, OpenPgpKeyRing? keyRing, bool verbose)
    {
        using var output = new Output();
        int failed = 0;
        foreach (var path in paths)
        {
            var verification = RpmPackage.Open(path).Verify(keyRing);
            if (verbose)
            {
                output.WriteLine(path + ":");
                foreach (var check in verification.Checks)
                {
                    output.WriteLine("    " + check);
                }
            }
            else
            {
                output.WriteLine($"{path}: {verification.Summary}");
            }

            failed += verification.IsOk ? 0 : 1;
        }

        return failed == 0 ? 0 : 1;
    }

    private static int Vercmp(string? a, string? b, bool fromStdin)
    {
        using var output = new Output();
        if (fromStdin)
        {
            if (a is not null || b is not null)
            {
                Console.Error.WriteLine("abi: vercmp takes either A B or --stdin");
                return 2;
            }

            int lineNumber = 0;
            string? line;
            while ((line = Console.In.ReadLine()) is not null)
            {
                lineNumber++;
                int tab = line.IndexOf('\t', StringComparison.Ordinal);
                if (tab < 0)
                {
                    output.Dispose();
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"abi: stdin line {lineNumber}: expected A<TAB>B"));
                    return 2;
                }

                output.WriteLine(Result(Evr.Compare(line.AsSpan(0, tab), line.AsSpan(tab + 1))));
            }

            return 0;
        }

        if (a is null || b is null)
        {
            Console.Error.WriteLine("abi: vercmp needs A and B (or --stdin)");
            return 2;
        }

        if (a.Length == 0 || b.Length == 0)
        {
            // rpm.vercmp refuses empty versions too.
            Console.Error.WriteLine("abi: invalid version ''");
            return 1;
        }

        output.WriteLine(Result(Evr.Compare(a.AsSpan(), b.AsSpan())));
        return 0;
    }

    private static string Result(int c) => c < 0 ? "-1" : c > 0 ? "1" : "0";
}
