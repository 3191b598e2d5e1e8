using System.Collections.Concurrent;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dependencies;

/// <summary>rpm's ELF dependency generator, compared with <c>/usr/lib/rpm/rpmdeps</c> file by file.</summary>
public class ElfDependencyGeneratorTests
{
    internal const string RpmDeps = "/usr/lib/rpm/rpmdeps";

    /// <summary>
    /// rpmdeps runs every generator in fileattrs/; only the ELF one is in scope, so the others that fire on ELF
    /// files here are switched off (python.attr provides <c>python(abi)</c> for /usr/bin/pythonX.Y by path).
    /// </summary>
    internal static readonly string[] ElfOnly = ["--define", "__python_provides %{nil}", "--define", "__python_requires %{nil}"];

    /// <summary>Regular ELF files (no symlinks: rpm classifies links as links) in a folder.</summary>
    internal static List<string> ElfFiles(string folder, string pattern)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(folder, pattern).Order(StringComparer.Ordinal).Where(ElfImage.IsElfFile)];
    }

    /// <summary>What <c>rpmdeps --provides --requires</c> prints for one file, computed by the SDK.</summary>
    internal static string Expected(ElfDependencies d)
    {
        var provides = d.Provides.Select(p => p.ToString()).Distinct().Order(StringComparer.Ordinal);
        var requires = d.Requires.Select(p => p.ToString()).Distinct().Order(StringComparer.Ordinal);
        return string.Concat(provides.Concat(requires).Select(l => l + "\n"));
    }

    private static void CompareEveryFile(List<string> files)
    {
        Assert.NotEmpty(files);
        var mismatches = new ConcurrentBag<string>();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 8 }, path =>
        {
            var reference = Tools.Run(RpmDeps, [.. ElfOnly, "--provides", "--requires", path]);
            var ours = Expected(ElfDependencyGenerator.Generate(path));
            if (reference.Stdout != ours)
            {
                mismatches.Add($"{path}:\n--- rpmdeps\n{reference.Stdout}--- abi\n{ours}");
            }
        });
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} of {files.Count} files differ from rpmdeps:\n" + string.Join("\n", mismatches.Take(5)));
    }

    [Fact]
    public void Every_library_in_the_multiarch_folder_matches_rpmdeps()
    {
        Tools.Require(RpmDeps, "rpm");
        CompareEveryFile(ElfFiles("/usr/lib/x86_64-linux-gnu", "*.so*"));
    }

    [Fact]
    public void Every_executable_in_usr_bin_matches_rpmdeps()
    {
        Tools.Require(RpmDeps, "rpm");
        CompareEveryFile(ElfFiles("/usr/bin", "*"));
    }

    [Fact]
    public void Whole_folder_output_of_abi_deps_is_byte_identical_to_rpmdeps()
    {
        Tools.Require(RpmDeps, "rpm");
        var files = ElfFiles("/usr/lib/x86_64-linux-gnu", "*.so*");
        var reference = Tools.Run(RpmDeps, ["--provides", "--requires", .. files]);
        var ours = CliRunner.Run(["deps", "--provides", "--requires", .. files]);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(reference.Stdout, ours.Stdout);
    }

    [Fact]
    public void Generated_dependencies_are_typed_rpm_dependencies()
    {
        const string libz = "/usr/lib/x86_64-linux-gnu/libz.so.1";
        if (!File.Exists(libz))
        {
            Assert.Skip("zlib is not installed");
        }

        var d = ElfDependencyGenerator.Generate(libz);
        Assert.All(d.Provides, p => Assert.Equal(RpmDependencyKind.Provides, p.Kind));
        Assert.All(d.Requires, p => Assert.Equal(RpmDependencyKind.Requires, p.Kind));
        Assert.Contains(d.Provides, p => p.Name == "libz.so.1()(64bit)");
        Assert.Contains(d.Requires, p => p.Name == "libc.so.6(GLIBC_2.2.5)(64bit)");
    }

    [Theory]
    [InlineData("libfoo.so.1", false)]
    [InlineData("ld-linux-x86-64.so.2", false)]
    [InlineData("ld64.so.2", false)]
    [InlineData("foo.so.1", true)]
    [InlineData("libfoo", true)]
    [InlineData("   ", true)]
    public void Soname_filter_keeps_what_rpm_keeps(string soname, bool skipped)
        => Assert.Equal(skipped, ElfDependencyGenerator.SkipSoname(soname, filter: true));
}
