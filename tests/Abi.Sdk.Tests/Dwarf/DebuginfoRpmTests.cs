using Abi.Sdk.Distribution;
using Abi.Sdk.Dwarf;
using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dwarf;

/// <summary>
/// <c>-debuginfo</c> packages read in place (<see cref="RpmDebugFiles"/>): Fixtures/debuginfo-rpm/make-fixtures.sh
/// builds dbgdemo with rpmbuild and find-debuginfo, which strips the two libraries, puts their DWARF under
/// /usr/lib/debug with .build-id links, and runs dwz into /usr/lib/debug/.dwz/dbgdemo-1.0-1.x86_64. The libraries are
/// taken from the main package and their debug files from the -debuginfo package, all in memory; the reference is
/// eu-readelf on the same files extracted with rpm2cpio and cpio.
/// </summary>
public sealed class DebuginfoRpmTests(ITestOutputHelper output)
{
    private static string Fixture(string name) => Path.Combine(Paths.Fixtures, "debuginfo-rpm", name);

    [Fact]
    public void Debug_files_are_found_by_build_id_in_the_package_and_agree_with_eu_readelf_on_the_extracted_files()
    {
        var euReadelf = Tools.Require("eu-readelf", "elfutils");
        var rpm2cpio = Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        var debugFiles = RpmDebugFiles.Read([Fixture("dbgdemo-debuginfo-1.0-1.x86_64.rpm")], cancellationToken: TestContext.Current.CancellationToken);
        output.WriteLine(debugFiles.ToString());
        var content = PackageContent.Read(Fixture("dbgdemo-1.0-1.x86_64.rpm"), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(3, content.ElfFiles.Length); // libdbgalias.so.1 is a hard link to libdbgdemo.so.1

        var extracted = Directory.CreateTempSubdirectory("abi-debuginfo-");
        try
        {
            var (exit, _, stderr) = Tools.Run("bash", ["-c", $"'{rpm2cpio}' '{Fixture("dbgdemo-debuginfo-1.0-1.x86_64.rpm")}' | cpio -idm --quiet"], workingDirectory: extracted.FullName);
            Assert.True(exit == 0, stderr);
            foreach (var library in content.ElfFiles)
            {
                using var image = ElfImage.Parse(library.Content, library.Path);
                Assert.Null(image.FindSection(".debug_info"));
                // No debug root on disk: only the packages.
                var location = new DebugInfoLocator([], debugFiles).Locate(image);
                Assert.NotNull(location);
                Assert.Equal(DebugInfoSource.BuildId, location.Source);
                Assert.Same(debugFiles, location.FileSet);
                Assert.StartsWith("/usr/lib/debug/usr/lib64/libdbg", location.Path, StringComparison.Ordinal);
                Assert.EndsWith("-1.0-1.x86_64.debug", location.Path, StringComparison.Ordinal);

                using var dwarf = DwarfFile.Open(location);
                Assert.NotNull(dwarf.SupplementaryLink);
                var supplementary = dwarf.GetSupplementary();
                Assert.NotNull(supplementary);
                Assert.Contains("/usr/lib/debug/.dwz/dbgdemo-1.0-1.x86_64", supplementary.FileName, StringComparison.Ordinal);

                // Every DIE and attribute (the dwz forms' strings and references into the multifile included) against
                // eu-readelf on the extracted debug file, which finds the multifile by the same relative link.
                string onDisk = Path.Combine(extracted.FullName, location.Path.TrimStart('/'));
                var result = EuReadelfInfoComparison.Run(euReadelf, onDisk, dwarf);
                output.WriteLine($"{location.Path}: {result.Summary()}");
                foreach (var m in result.Mismatches)
                {
                    output.WriteLine(m);
                }

                Assert.True(result.MismatchCount == 0, string.Join(Environment.NewLine, result.Mismatches));
                Assert.True(result.ValuesByForm.ContainsKey("GNU_strp_alt") || result.ValuesByForm.ContainsKey("GNU_ref_alt") || result.ValuesByForm.ContainsKey("strp_sup"),
                    "the debug file uses the dwz multifile");

                // And the multifile itself, from the set, against eu-readelf on the extracted one.
                string supOnDisk = Path.Combine(extracted.FullName, "usr/lib/debug/.dwz/dbgdemo-1.0-1.x86_64");
                var supResult = EuReadelfInfoComparison.Run(euReadelf, supOnDisk, supplementary);
                Assert.True(supResult.MismatchCount == 0, string.Join(Environment.NewLine, supResult.Mismatches));
            }
        }
        finally
        {
            extracted.Delete(recursive: true);
        }
    }

    [Fact]
    public void Links_are_followed_inside_the_set_only()
    {
        var debugFiles = RpmDebugFiles.Read([Fixture("dbgdemo-debuginfo-1.0-1.x86_64.rpm")], cancellationToken: TestContext.Current.CancellationToken);
        var buildIdLinks = debugFiles.Files.Where(f => f.Contains("/.build-id/", StringComparison.Ordinal)).ToList();
        Assert.Empty(buildIdLinks); // the .build-id entries are links, not files
        Assert.Contains("/usr/lib/debug/.dwz/dbgdemo-1.0-1.x86_64", debugFiles.Files);
        // find-debuginfo hard-linked the debug files of the two hard-linked libraries; cpio stored the bytes once.
        Assert.True(debugFiles.TryGetFile("/usr/lib/debug/usr/lib64/libdbgdemo.so.1-1.0-1.x86_64.debug", out var demo, out _));
        Assert.True(debugFiles.TryGetFile("/usr/lib/debug/usr/lib64/libdbgalias.so.1-1.0-1.x86_64.debug", out var alias, out _));
        Assert.True(demo.Length > 0 && demo.Span.SequenceEqual(alias.Span));
        // The .build-id/NN/REST link (without .debug) points at the library in the main package: not in the set.
        using var image = ElfImage.Parse(PackageContent.Read(Fixture("dbgdemo-1.0-1.x86_64.rpm"), cancellationToken: TestContext.Current.CancellationToken).ElfFiles[0].Content);
        string hex = image.BuildIdHex!;
        Assert.False(debugFiles.TryGetFile($"/usr/lib/debug/.build-id/{hex[..2]}/{hex[2..]}", out _, out _));
        Assert.True(debugFiles.TryGetFile($"/usr/lib/debug/.build-id/{hex[..2]}/{hex[2..]}.debug", out var content, out var resolved));
        Assert.True(content.Length > 0);
        Assert.EndsWith(".debug", resolved, StringComparison.Ordinal);
        Assert.Equal("/usr/lib/debug/.dwz/x", DebugFileSet.Combine("/usr/lib/debug/usr/lib64", "../../.dwz/x"));
        Assert.Equal("/x", DebugFileSet.Combine("/usr", "../../../../x"));
    }
}
