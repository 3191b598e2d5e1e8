using System.Globalization;
using System.Text;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>
/// Every integer column of the file list and the per-file dependencies, as the reader converts them (a block of 64
/// files at a time, one byte-swapping pass per column; FILEDEPENDSX/N and DEPENDSDICT swapped once), against
/// <c>rpm -qp --qf</c>: on a package built here with 150 files (three blocks, mixed kinds, scripts with per-file
/// requirements) and on every test and corpus package.
/// </summary>
public class RpmFileColumnsDifferentialTests
{
    private const string Format = "[%{FILENAMES}\t%{FILESIZES}\t%{FILEMODES}\t%{FILERDEVS}\t%{FILEDEVICES}\t%{FILEINODES}\t%{FILEVERIFYFLAGS}\t%{FILECOLORS}\t%{FILEFLAGS}\t%{FILEMTIMES}\t%{FILECLASS}\t%{FILEREQUIRE}\t%{FILEPROVIDE}\n]";

    [Fact]
    public void A_package_of_three_blocks_of_files_reads_as_rpm_prints_it()
    {
        var rpm = Tools.Require("rpm", "rpm");
        Tools.Require("rpmbuild", "rpm");
        var dir = Directory.CreateTempSubdirectory("abi-many-files-").FullName;
        try
        {
            var (code, stdout, stderr) = Tools.Run("/bin/bash", [Path.Combine(Paths.RepositoryRoot, "tests", "Abi.Sdk.Tests", "Rpm", "build-many-files.sh"), dir]);
            Assert.True(code == 0, stdout + stderr);
            var package = Path.Combine(dir, "abi-many-1.0-1.noarch.rpm");
            Assert.True(RpmPackage.Open(package).Files.Length > 128, "the package must span three blocks of 64 files");
            Compare(rpm, [package]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_test_and_corpus_package_reads_as_rpm_prints_it() =>
        Compare(Tools.Require("rpm", "rpm"), RpmTestData.AllPackages(includeCorpus: true));

    private static void Compare(string rpm, IReadOnlyList<string> packages)
    {
        var (accepted, expected) = RpmQueryDifferentialTests.RunRpm(rpm, ["-qp", "--qf", Format], packages);
        var actual = new StringBuilder();
        foreach (var path in accepted)
        {
            var package = RpmPackage.Open(path);
            var h = package.Header;
            string Col(RpmTag tag, object value) => h.Contains(tag) ? Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty : "(none)";
            foreach (var f in package.Files)
            {
                actual.Append(f.Path).Append('\t').Append(Col(RpmTag.FileSizes, f.Size)).Append('\t').Append(Col(RpmTag.FileModes, f.Mode)).Append('\t')
                    .Append(Col(RpmTag.FileRdevs, f.Rdev)).Append('\t').Append(Col(RpmTag.FileDevices, f.Device)).Append('\t')
                    .Append(Col(RpmTag.FileInodes, f.Inode)).Append('\t').Append(Col(RpmTag.FileVerifyFlags, f.VerifyFlags)).Append('\t')
                    .Append(Col(RpmTag.FileColors, f.Color)).Append('\t').Append(Col(RpmTag.FileFlags, (uint)f.Flags)).Append('\t')
                    .Append(Col(RpmTag.FileMtimes, f.ModificationTime)).Append('\t').Append(f.Class).Append('\t')
                    .Append(string.Join(' ', f.Dependencies.Where(d => d.Kind == RpmDependencyKind.Requires).Select(d => d.ToString()))).Append('\t')
                    .Append(string.Join(' ', f.Dependencies.Where(d => d.Kind == RpmDependencyKind.Provides).Select(d => d.ToString()))).Append('\n');
            }
        }

        RpmQueryDifferentialTests.AssertSameLines(expected, actual.ToString());
    }
}
