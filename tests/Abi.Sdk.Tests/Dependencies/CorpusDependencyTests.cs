using Abi.Sdk.Dependencies;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Dependencies;

/// <summary>Dependencies generated from ELF files read inside real RPM payloads, against rpmdeps on the extracted files.</summary>
public class CorpusDependencyTests
{
    [Fact]
    public void Elf_files_inside_corpus_packages_match_rpmdeps_on_the_extracted_files()
    {
        Tools.Require(ElfDependencyGeneratorTests.RpmDeps, "rpm");
        var rpm2cpio = Tools.Require("rpm2cpio", "rpm2cpio");
        var cpio = Tools.Require("cpio", "cpio");
        var corpus = Paths.RequireCorpus();
        int checkedFiles = 0;
        var mismatches = new List<string>();
        foreach (var path in Directory.EnumerateFiles(corpus, "*.rpm", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (path.EndsWith(".src.rpm", StringComparison.Ordinal) || path.Contains("corrupted", StringComparison.Ordinal) || path.Contains("badima", StringComparison.Ordinal))
            {
                continue;
            }

            var package = RpmPackage.Open(path);
            var ours = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in package.ReadPayload())
            {
                if (!entry.IsRegularFile || entry.Size < 4)
                {
                    continue;
                }

                var bytes = entry.ReadAllBytes();
                if (!ElfImage.IsElf(bytes))
                {
                    continue;
                }

                using var image = ElfImage.Parse(bytes, entry.Path);
                ours[entry.Path] = ElfDependencyGeneratorTests.Expected(ElfDependencyGenerator.Generate(image, entry.Path, entry.Permissions));
            }

            if (ours.Count == 0)
            {
                continue;
            }

            var dir = Directory.CreateTempSubdirectory("abi-corpus-deps-");
            try
            {
                var extract = Tools.Run("/bin/sh", ["-c", $"'{rpm2cpio}' '{path}' | '{cpio}' -idm --quiet"], workingDirectory: dir.FullName);
                Assert.True(extract.ExitCode == 0, extract.Stderr);
                foreach (var (file, expected) in ours)
                {
                    var reference = Tools.Run(ElfDependencyGeneratorTests.RpmDeps, [.. ElfDependencyGeneratorTests.ElfOnly, "--provides", "--requires", dir.FullName + file]);
                    checkedFiles++;
                    if (reference.Stdout != expected)
                    {
                        mismatches.Add($"{Path.GetFileName(path)}:{file}\n--- rpmdeps\n{reference.Stdout}--- abi\n{expected}");
                    }
                }
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        Assert.True(checkedFiles > 0, "the corpus holds no ELF files");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }
}
