using System.Text.RegularExpressions;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// The type-level diff matrix of issue 16 (Fixtures/abi-types-matrix/make-fixtures.sh): 18 change kinds (C and C++)
/// × DWARF 5/4 × -O0/-O2 × plain, dwz multifile, zlib, zstd, debug file by build-id, by debug link — 432 library
/// pairs, built at test time (about 18 MB, too large to commit) into one temporary folder shared by the tests here.
/// The committed abidiff-expected.tsv must still be abidiff's answer (so the expectations the type diff is held to
/// cannot rot), and the DWARF reader must read every variant and find the DIEs eu-readelf prints.
/// </summary>
public sealed partial class AbiTypesMatrixTests(ITestOutputHelper output) : IClassFixture<AbiTypesMatrixTests.Matrix>
{
    private static readonly Regex DieLine = new(@"^ \[ *[0-9a-f]+\]", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private static string Folder => Path.Combine(Paths.Fixtures, "abi-types-matrix");

    [Fact]
    public void Abidiff_still_answers_what_the_committed_expectations_say()
    {
        var matrix = Matrix.Get();
        Tools.Require("abidiff", "abigail-tools");
        var expected = File.ReadAllLines(Path.Combine(Folder, "abidiff-expected.tsv"));
        var actual = File.ReadAllLines(Path.Combine(matrix, "abidiff-expected.tsv"));
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"abidiff now answers differently; rerun make-fixtures.sh and review.\ncommitted only:\n{string.Join('\n', missing.Take(20))}\nnow only:\n{string.Join('\n', extra.Take(20))}");
        Assert.Equal(433, expected.Length);
    }

    /// <summary>
    /// Every library of every variant (its separate debug file for the stripped ones, found by build-id under the
    /// pair's debug/ root or by debug link; the dwz multifile through .gnu_debugaltlink): every DIE walked, every
    /// string and reference decoded, without an error; the DIE count equals the number of DIEs eu-readelf prints for
    /// the same file (for zstd, which eu-readelf 0.188 cannot decompress, for the uncompressed file it was made from).
    /// </summary>
    [Fact]
    public void The_dwarf_reader_reads_every_variant_and_finds_the_dies_eu_readelf_prints()
    {
        var matrix = Matrix.Get();
        var euReadelf = Tools.Require("eu-readelf", "elfutils");
        int files = 0;
        long dies = 0;
        var failures = new List<string>();
        foreach (var pairDir in Directory.GetDirectories(matrix).SelectMany(Directory.GetDirectories).Order(StringComparer.Ordinal))
        {
            string variant = Path.GetFileName(pairDir);
            var libraries = Directory.GetFiles(pairDir, "*.so").Order(StringComparer.Ordinal).ToList();
            if (File.Exists(Path.Combine(pairDir, "common.debug")))
            {
                libraries.Add(Path.Combine(pairDir, "common.debug"));
            }

            foreach (var library in libraries)
            {
                string? path = library;
                // The multifile is read as it is (it may hold only shared strings, no .debug_info).
                using (var image = ElfImage.Open(library))
                if (!library.EndsWith("common.debug", StringComparison.Ordinal))
                {
                    var location = new DebugInfoLocator([Path.Combine(pairDir, "debug")]).Locate(image);
                    path = location?.Path;
                    var expectedSource = variant.EndsWith("-buildid", StringComparison.Ordinal) ? DebugInfoSource.BuildId
                        : variant.EndsWith("-debuglink", StringComparison.Ordinal) ? DebugInfoSource.DebugLink
                        : DebugInfoSource.InFile;
                    if (location?.Source != expectedSource)
                    {
                        failures.Add($"{library}: debug information found {location?.Source.ToString() ?? "nowhere"}, expected {expectedSource}");
                        continue;
                    }
                }

                long ours = ReadEverything(path!);
                string reference = variant.EndsWith("-zstd", StringComparison.Ordinal)
                    ? Path.Combine(Path.GetDirectoryName(pairDir)!, variant[..^"zstd".Length] + "plain", Path.GetFileName(library))
                    : path!;
                long theirs = CountEuReadelfDies(euReadelf, reference);
                if (ours != theirs)
                {
                    failures.Add($"{path}: we read {ours} DIEs, eu-readelf prints {theirs} ({reference})");
                }

                files++;
                dies += ours;
            }
        }

        output.WriteLine($"{files} files, {dies} DIEs");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
        Assert.Equal(864 + Directory.GetFiles(matrix, "common.debug", SearchOption.AllDirectories).Length, files);
    }

    private static long ReadEverything(string path)
    {
        using var dwarf = DwarfFile.Open(path);
        long count = 0;
        foreach (var unit in dwarf.Units)
        {
            var reader = unit.ReadDies();
            while (reader.MoveNext())
            {
                count++;
                foreach (var a in reader.Current.Attributes)
                {
                    if (a.IsString)
                    {
                        _ = a.AsStringBytes();
                    }
                    else if (a.IsReference)
                    {
                        _ = a.ResolveReference();
                    }
                }
            }
        }

        return count;
    }

    private static long CountEuReadelfDies(string euReadelf, string path)
    {
        // A dwz'd file's alternate strings may not resolve for eu-readelf (it says so on stderr); its DIEs still print.
        var (_, stdout, _) = Tools.Run(euReadelf, ["--debug-dump=info", path], new Dictionary<string, string> { ["LC_ALL"] = "C" });
        return stdout.Split('\n').Count(l => DieLine.IsMatch(l));
    }

    /// <summary>Builds the matrix once per test run, with the committed script.</summary>
    public sealed class Matrix : IDisposable
    {
        private static readonly Lock Gate = new();
        private static string? s_folder;
        private static string? s_error;

        public static string Get()
        {
            foreach (var (tool, package) in new[] { ("gcc", "gcc"), ("g++", "g++"), ("objcopy", "binutils"), ("dwz", "dwz"), ("abidiff", "abigail-tools") })
            {
                Tools.Require(tool, package);
            }

            lock (Gate)
            {
                if (s_folder is null && s_error is null)
                {
                    var dir = Directory.CreateTempSubdirectory("abi-types-matrix-").FullName;
                    var (exit, stdout, stderr) = Tools.Run("bash", [Path.Combine(Folder, "make-fixtures.sh"), dir]);
                    if (exit == 0)
                    {
                        s_folder = dir;
                    }
                    else
                    {
                        s_error = $"make-fixtures.sh failed ({exit}): {stdout}\n{stderr}";
                    }
                }

                return s_folder ?? throw new InvalidOperationException(s_error);
            }
        }

        public void Dispose()
        {
            lock (Gate)
            {
                if (s_folder is not null && Directory.Exists(s_folder))
                {
                    Directory.Delete(s_folder, recursive: true);
                }

                s_folder = null;
            }
        }
    }
}
