using Abi.Sdk.Elf;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Elf;

/// <summary>
/// <see cref="ElfImage.IsElfFile"/> picks what rpm's classifier hands to elfdeps: regular ELF files, never links. The
/// reference is rpmdeps itself: a link to an ELF library gets no dependencies, the library does.
/// </summary>
public class IsElfFileTests
{
    [Fact]
    public void Regular_elf_files_only_links_folders_and_text_are_not()
    {
        var dir = Path.Combine(Path.GetTempPath(), "abi-sdk-tests", $"iselffile-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var lib = Path.Combine(dir, "libver.so.1");
            File.Copy(Path.Combine(Paths.Fixtures, "compat", "out", "target", "libver.so.1"), lib);
            var link = Path.Combine(dir, "libver.so");
            File.CreateSymbolicLink(link, "libver.so.1");
            var text = Path.Combine(dir, "notes.txt");
            File.WriteAllText(text, "\x7f" + "EL");

            Assert.True(ElfImage.IsElfFile(lib));
            Assert.False(ElfImage.IsElfFile(link));
            Assert.False(ElfImage.IsElfFile(text));
            Assert.False(ElfImage.IsElfFile(dir));
            Assert.False(ElfImage.IsElfFile(Path.Combine(dir, "missing")));

            var rpmdeps = "/usr/lib/rpm/rpmdeps";
            if (!File.Exists(rpmdeps))
            {
                Assert.Skip("rpmdeps is not installed (apt-get install rpm)");
            }

            foreach (var (path, expectDeps) in new[] { (lib, true), (link, false) })
            {
                var (code, stdout, stderr) = Tools.Run("/bin/sh", ["-c", $"echo '{path}' | {rpmdeps} --provides"]);
                Assert.True(code == 0, stderr);
                Assert.Equal(expectDeps, stdout.Contains("libver.so.1", StringComparison.Ordinal));
                Assert.Equal(expectDeps, ElfImage.IsElfFile(path));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
