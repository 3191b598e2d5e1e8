using System.Security.Cryptography;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>Our extraction against <c>rpm2cpio | cpio -idm</c> (or <c>rpm2archive | tar</c> for rpm's stripped payloads), file by file.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class RpmExtractionDifferentialTests
{
    [Fact]
    public void FixturesExtractLikeCpio() => CompareAll(RpmTestData.FixturePackages);

    [Fact]
    public void CorpusExtractsLikeCpio() => CompareAll(RpmTestData.CorpusPackages());

    [Fact]
    public void StreamingEntriesMatchTheFileList()
    {
        // Every non-ghost file of the header appears in the payload with the header's mode, and regular files' content hashes to the header digest.
        foreach (var path in RpmTestData.FixturePackages)
        {
            var package = RpmPackage.Open(path);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in package.ReadPayload())
            {
                seen.Add(entry.Path);
                Assert.NotNull(entry.File);
                Assert.Equal(entry.File!.Mode, entry.Mode);
                if (entry.IsSymbolicLink)
                {
                    Assert.Equal(entry.File.LinkTarget, entry.LinkTarget);
                }
                else if (entry.IsRegularFile && entry.Size > 0)
                {
                    var bytes = entry.ReadAllBytes();
                    Assert.Equal(entry.File.Size, bytes.Length);
                    Assert.Equal(RpmDigestAlgorithm.Sha256, entry.File.DigestAlgorithm);
                    Assert.Equal(entry.File.Digest, Convert.ToHexStringLower(SHA256.HashData(bytes)));
                }
            }

            foreach (var file in package.Files.Where(f => !f.IsGhost))
            {
                Assert.Contains(file.Path, seen);
            }
        }
    }

    [Fact]
    public void FileOverFourGibUsesTheStrippedFormat()
    {
        var package = RpmPackage.Open(RpmTestData.LargePackage);
        var big = package.Files.Single(f => f.Path.EndsWith("big.img", StringComparison.Ordinal));
        Assert.Equal(4294967297L, big.Size);
        Assert.True(package.Header.Contains(RpmTag.LongFileSizes));
        bool sawBig = false;
        foreach (var entry in package.ReadPayload())
        {
            Assert.NotNull(entry.StrippedFileIndex);
            if (entry.Path == big.Path)
            {
                sawBig = true;
                Assert.Equal(big.Size, entry.Size);

                // Read the start and let the reader skip (decompress) the rest.
                var head = new byte[4096];
                entry.DataStream.ReadExactly(head);
                Assert.All(head, b => Assert.Equal(0, b));
            }
            else if (entry.IsRegularFile)
            {
                Assert.Equal("small\n"u8.ToArray(), entry.ReadAllBytes());
            }
        }

        Assert.True(sawBig);
    }

    private static void CompareAll(IReadOnlyList<string> packages)
    {
        var rpm2cpio = Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        var bash = Tools.Require("bash", "bash");
        var scratch = Directory.CreateTempSubdirectory("abi-rpm-extract-");
        try
        {
            int compared = 0;
            foreach (var package in packages)
            {
                var expected = Path.Combine(scratch.FullName, "expected");
                var actual = Path.Combine(scratch.FullName, "actual");
                Directory.CreateDirectory(expected);

                // rpm2cpio cannot write rpm's stripped entries (rpm 6 payloads, files over 4 GiB); rpm2archive can.
                var (code, _, stderr) = Tools.Run(bash, ["-c", "set -o pipefail; rpm2cpio \"$1\" | cpio -idm --quiet", "-", package], workingDirectory: expected);
                if (code != 0 && Tools.Find("rpm2archive") is not null)
                {
                    Directory.Delete(expected, true);
                    Directory.CreateDirectory(expected);
                    (code, _, stderr) = Tools.Run(bash, ["-c", "set -o pipefail; rpm2archive - < \"$1\" | tar -xzf -", "-", package], workingDirectory: expected);
                }

                if (code != 0)
                {
                    // The reference cannot read it (a truncated test package): we must fail with our typed error too.
                    Assert.Throws<RpmFormatException>(() => RpmPackage.Open(package).ExtractTo(actual, cancellationToken: TestContext.Current.CancellationToken));
                }
                else
                {
                    // cpio keeps setuid/setgid/sticky bits; we keep them only when asked.
                    RpmPackage.Open(package).ExtractTo(actual, new RpmPayloadOptions { PreserveSpecialModeBits = true }, TestContext.Current.CancellationToken);
                    AssertSameTree(package, expected, actual);
                    compared++;
                }

                Directory.Delete(expected, true);
                if (Directory.Exists(actual))
                {
                    Directory.Delete(actual, true);
                }
            }

            Assert.True(compared > 0);
        }
        finally
        {
            scratch.Delete(true);
        }
    }

    private static void AssertSameTree(string package, string expected, string actual)
    {
        var e = Walk(expected);
        var a = Walk(actual);
        Assert.True(e.Keys.Order().SequenceEqual(a.Keys.Order()), $"{package}: entries differ:\n cpio: {string.Join(", ", e.Keys.Order())}\n abi:  {string.Join(", ", a.Keys.Order())}");
        foreach (var (rel, info) in e)
        {
            var mine = a[rel];
            Assert.True(info == mine, $"{package}: {rel}:\n cpio: {info}\n abi:  {mine}");
        }
    }

    private static Dictionary<string, string> Walk(string root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var rel = Path.GetRelativePath(root, path);
            var info = new FileInfo(path);
            string description;
            if (info.LinkTarget is { } target)
            {
                description = $"link -> {target}";
            }
            else if (Directory.Exists(path))
            {
                description = $"dir {File.GetUnixFileMode(path)}";
            }
            else
            {
                var bytes = File.ReadAllBytes(path);
                description = $"file {File.GetUnixFileMode(path)} {bytes.Length} {Convert.ToHexStringLower(SHA256.HashData(bytes))} mtime {info.LastWriteTimeUtc:O}";
            }

            result[rel] = description;
        }

        return result;
    }
}
