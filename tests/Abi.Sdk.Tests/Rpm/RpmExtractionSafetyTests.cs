using System.Security.Cryptography;
using System.Text;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>
/// Hostile payloads against <see cref="RpmPackage.ExtractTo"/>: the target sits in a scratch folder beside an
/// "outside" folder, and after every extraction nothing outside the target may have changed (entries, content,
/// modes, times). The escapes are the ones seen: deferred writes done after a later entry swapped a parent (or the
/// directory itself) for a link to outside.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RpmExtractionSafetyTests : IDisposable
{
    private const int File644 = 0x81a4;
    private const int Dir777 = 0x41ff;
    private const int Link = 0xa1ff;

    private readonly DirectoryInfo _scratch;
    private readonly string _root;
    private readonly string _outside;

    public RpmExtractionSafetyTests()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "safe extraction is Linux only");
        _scratch = Directory.CreateTempSubdirectory("abi-rpm-safety-");
        _root = Path.Combine(_scratch.FullName, "root");
        _outside = Path.Combine(_scratch.FullName, "outside");
        Directory.CreateDirectory(Path.Combine(_outside, "d"));
        System.IO.File.WriteAllText(Path.Combine(_outside, "victim"), "safe");
        System.IO.File.WriteAllText(Path.Combine(_scratch.FullName, "sibling"), "safe");
        foreach (var path in new[] { Path.Combine(_outside, "d"), _outside })
        {
            System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            Directory.SetLastWriteTimeUtc(path, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        }
    }

    public void Dispose() => _scratch.Delete(true);

    private static HandMadeEntry File(string name, string content, int mode = File644) => new(name, mode, Encoding.UTF8.GetBytes(content));

    private HandMadeEntry LinkOut(string name, string? target = null) => new(name, Link, Encoding.UTF8.GetBytes(target ?? _outside));

    /// <summary>Extracts, returning the error (or null), and asserts nothing outside the target changed.</summary>
    private Exception? ExtractAndCheckOutside(byte[] package, RpmPayloadOptions? options = null)
    {
        var before = Snapshot();
        var error = Record.Exception(() => RpmPackage.Parse(package, "evil.rpm").ExtractTo(_root, options, TestContext.Current.CancellationToken));
        Assert.Equal(before, Snapshot());
        return error;
    }

    /// <summary>Everything in the scratch folder except the target: type, mode, mtime and content.</summary>
    private string Snapshot()
    {
        var lines = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var path in Directory.EnumerateFileSystemEntries(_scratch.FullName, "*", options).Append(_scratch.FullName).Order(StringComparer.Ordinal))
        {
            if (path == _root || path.StartsWith(_root + "/", StringComparison.Ordinal))
            {
                continue;
            }

            var info = new FileInfo(path);

            // The scratch folder's time changes when the target is created in it; its mode must not.
            string what = path == _scratch.FullName ? $"dir {System.IO.File.GetUnixFileMode(path)}"
                : info.LinkTarget is { } target ? $"link {target}"
                : Directory.Exists(path) ? $"dir {System.IO.File.GetUnixFileMode(path)} {Directory.GetLastWriteTimeUtc(path):O}"
                : $"file {System.IO.File.GetUnixFileMode(path)} {info.LastWriteTimeUtc:O} {Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(path)))}";
            lines.Add($"{path} {what}");
        }

        return string.Join('\n', lines);
    }

    [Fact]
    public void DeferredHardLinkAfterItsParentBecameALinkIsRefused()
    {
        // ./a/x waits for its content (a hard-link set); ./a then becomes a link to outside; ./b brings the content.
        var content = Encoding.UTF8.GetBytes("owned\n");
        var package = HandMadeRpm.Build(
        [
            new("./a/x", File644, []) { Inode = 7, LinkCount = 2, HeaderSize = content.Length, HeaderDigest = HandMadeEntry.Sha256(content) },
            LinkOut("./a"),
            new("./b", File644, content) { Inode = 7, LinkCount = 2 },
        ]);
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(package));
        Assert.Equal("evil.rpm", error.FileName);
        Assert.Contains("refusing to extract './a/x': the path would be written through the symbolic link 'a'", error.Reason, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Path.Combine(_outside, "x")));
    }

    [Fact]
    public void DeferredHardLinkSetWithoutContentAfterItsParentBecameALinkIsRefused()
    {
        // The set never gets content: cpio leaves an empty file, written at the end, by which time ./a is a link out.
        var package = HandMadeRpm.Build(
        [
            new("./a/x", File644, []) { Inode = 7, LinkCount = 2 },
            LinkOut("./a"),
        ]);
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(package));
        Assert.Contains("symbolic link 'a'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectoryMetadataIsNeverAppliedThroughALinkThatReplacedTheDirectory()
    {
        // "./d" is a 0777 directory whose mode and time wait for the end; "./d/" (another header path, the same name
        // on disk) replaces it with a link to outside. The outside folder must keep its 0750 and its 2001 mtime.
        var package = HandMadeRpm.Build(
        [
            new("./d", Dir777, []) { ModificationTime = 1_700_000_000 },
            LinkOut("./d/"),
        ]);
        Assert.Null(ExtractAndCheckOutside(package));
        Assert.Equal(_outside, new FileInfo(Path.Combine(_root, "d")).LinkTarget);
    }

    [Fact]
    public void NestedDirectoryMetadataIsNotAppliedThroughAReplacedParent()
    {
        // "./p/d" waits for its mode; "./p" cannot be swapped for a link while it holds "d" (like cpio, only an empty
        // directory is replaced), so the attempt fails with a clear error naming the package and the entry.
        var package = HandMadeRpm.Build(
        [
            new("./p/d", Dir777, []),
            LinkOut("./p"),
        ]);
        var error = Assert.IsType<IOException>(ExtractAndCheckOutside(package));
        Assert.StartsWith("evil.rpm: offset 0x", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot extract './p'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileWriteThroughALinkedParentIsRefused()
    {
        var package = HandMadeRpm.Build([LinkOut("./p"), File("./p/victim", "owned\n")]);
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(package));
        Assert.Contains("symbolic link 'p'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ALinkNamedLikeALaterFileIsReplacedNeverFollowed()
    {
        // "./same" links to the outside victim; "./same/" (the same name on disk) is a regular file.
        var package = HandMadeRpm.Build([LinkOut("./same", Path.Combine(_outside, "victim")), File("./same/", "owned\n")]);
        Assert.Null(ExtractAndCheckOutside(package));
        Assert.Equal("owned\n", System.IO.File.ReadAllText(Path.Combine(_root, "same")));
    }

    [Fact]
    public void SetuidSetgidAndStickyAreDroppedUnlessAsked()
    {
        var package = HandMadeRpm.Build(
        [
            File("./suid", "x", 0x8000 | 0xded),     // 06755
            new("./tmp", 0x4000 | 0x3ff, []),         // 01777
        ]);
        Assert.Null(ExtractAndCheckOutside(package));
        Assert.Equal((UnixFileMode)0x1ed, System.IO.File.GetUnixFileMode(Path.Combine(_root, "suid")));
        Assert.Equal((UnixFileMode)0x1ff, System.IO.File.GetUnixFileMode(Path.Combine(_root, "tmp")));

        Directory.Delete(_root, true);
        Assert.Null(ExtractAndCheckOutside(package, new RpmPayloadOptions { PreserveSpecialModeBits = true }));
        Assert.Equal((UnixFileMode)0xded, System.IO.File.GetUnixFileMode(Path.Combine(_root, "suid")));
        Assert.Equal((UnixFileMode)0x3ff, System.IO.File.GetUnixFileMode(Path.Combine(_root, "tmp")));
    }

    [Fact]
    public void RealSetuidFixtureKeepsItsBitOnlyWhenAsked()
    {
        var fixture = Directory.GetFiles(RpmTestData.FixtureDir, "abi-files-gzip-*.rpm").Single();
        var tool = Path.Combine(_root, "usr/share/abi-files/suid-tool");
        RpmPackage.Open(fixture).ExtractTo(_root, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((UnixFileMode)0x1ed, System.IO.File.GetUnixFileMode(tool));
        Directory.Delete(_root, true);
        RpmPackage.Open(fixture).ExtractTo(_root, new RpmPayloadOptions { PreserveSpecialModeBits = true }, TestContext.Current.CancellationToken);
        Assert.Equal((UnixFileMode)0x9ed, System.IO.File.GetUnixFileMode(tool));
    }

    [Fact]
    public void AnEntryNotInTheHeaderIsRefused()
    {
        var package = HandMadeRpm.Build([File("./listed", "a"), File("./extra", "b") with { InHeader = false }]);
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(package));
        Assert.Equal("refusing to extract './extra': it is not in the package header's file list (rpm refuses it too)", error.Reason);
        Assert.Equal(124, error.Offset);
        Assert.False(System.IO.File.Exists(Path.Combine(_root, "extra")));
    }

    [Fact]
    public void AnEntryTwiceInTheArchiveIsRefused()
    {
        var archive = HandMadeRpm.Cpio([File("./a", "x"), File("./a", "x")]);
        var package = HandMadeRpm.Build([File("./a", "x")], archive: archive);
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(package));
        Assert.Contains("appears twice", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x81ed, "its mode is 100755 in the archive but 100644 in the header")]
    [InlineData(0xa1ff, "its mode is 120777 in the archive but 100644 in the header")]
    public void AModeOtherThanTheHeadersIsRefused(int archiveMode, string reason)
    {
        var archive = HandMadeRpm.Cpio([new("./a", archiveMode, "x"u8.ToArray())]);
        var package = HandMadeRpm.Build([File("./a", "x")], archive: archive);
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(package));
        Assert.EndsWith(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ContentLargerThanTheHeaderSaysIsRefusedBeforeWriting()
    {
        var big = new HandMadeEntry("./big", File644, new byte[1 << 20]) { HeaderSize = 10 };
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(HandMadeRpm.Build([big], declaredArchiveSize: null)));
        Assert.Equal("refusing to extract './big': it has 1048576 bytes in the archive but the header says 10", error.Reason);
        Assert.False(System.IO.File.Exists(Path.Combine(_root, "big")));
    }

    [Fact]
    public void ThePayloadIsBoundedByTheDeclaredSizePlusTheTrailer()
    {
        var entries = new HandMadeEntry[] { File("./a", new string('x', 1000)) };
        var archive = HandMadeRpm.Cpio(entries);

        // Declared without the trailer (as older rpm builds did): accepted.
        Assert.Null(ExtractAndCheckOutside(HandMadeRpm.Build(entries, declaredArchiveSize: archive.Length - RpmPayloadReader.TrailerSize)));

        // Declared 200 bytes short: refused where the declared size and trailer end, naming the package and the reason.
        Directory.Delete(_root, true);
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(HandMadeRpm.Build(entries, declaredArchiveSize: archive.Length - 200)));
        Assert.Equal("evil.rpm", error.FileName);
        Assert.Equal(archive.Length - 200 + RpmPayloadReader.TrailerSize, error.Offset);
        Assert.Equal($"payload decompresses past {error.Offset} bytes, the archive size the package declares ({archive.Length - 200}) plus the 124-byte cpio trailer (a decompression bomb?)", error.Reason);
    }

    [Fact]
    public void WithoutADeclaredSizeTheFileListBoundsThePayload()
    {
        // No archive size (as in rpm 6 packages): reading past what the file list can describe is refused.
        var entries = new HandMadeEntry[] { File("./a", "x") };
        var bomb = HandMadeRpm.Cpio([new("./a", File644, new byte[4 << 20])]);
        var package = RpmPackage.Parse(HandMadeRpm.Build(entries, declaredArchiveSize: null, archive: bomb), "bomb.rpm");
        var error = Assert.Throws<RpmFormatException>(() =>
        {
            foreach (var entry in package.ReadPayload())
            {
                entry.DataStream.CopyTo(Stream.Null);
            }
        });
        Assert.Equal("bomb.rpm", error.FileName);
        Assert.Contains("the most the header's file list allows", error.Reason, StringComparison.Ordinal);
        Assert.True(error.Offset < 1024, $"bound {error.Offset}");

        // And the explicit cap of last resort when declared sizes are not trusted.
        var capped = new RpmPayloadOptions { EnforceDeclaredSize = false, MaxDecompressedSize = 1 << 20 };
        error = Assert.Throws<RpmFormatException>(() => package.ExtractTo(_root, capped, TestContext.Current.CancellationToken));
        Assert.Contains("it has 4194304 bytes in the archive but the header says 1", error.Reason, StringComparison.Ordinal);
        error = Assert.Throws<RpmFormatException>(() =>
        {
            foreach (var entry in package.ReadPayload(capped))
            {
                entry.DataStream.CopyTo(Stream.Null);
            }
        });
        Assert.Equal(1 << 20, error.Offset);
        Assert.Contains("RpmPayloadOptions.MaxDecompressedSize", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ADigestMismatchIsRefusedAndTheFileRemoved()
    {
        var entry = File("./a", "tampered\n") with { HeaderDigest = HandMadeEntry.Sha256("original\n"u8.ToArray()) };
        var error = Assert.IsType<RpmFormatException>(ExtractAndCheckOutside(HandMadeRpm.Build([entry])));
        Assert.Equal($"refusing to extract './a': its content's Sha256 digest is {HandMadeEntry.Sha256("tampered\n"u8.ToArray())}, the header says {HandMadeEntry.Sha256("original\n"u8.ToArray())}", error.Reason);
        Assert.False(System.IO.File.Exists(Path.Combine(_root, "a")));
    }

    [Fact]
    public void ANameTooLongNamesThePackageAndTheEntry()
    {
        var name = "./" + new string('n', 300);
        var error = Assert.IsType<IOException>(ExtractAndCheckOutside(HandMadeRpm.Build([File(name, "x")])));
        Assert.Equal($"evil.rpm: offset 0x0: cannot extract '{name}': remove what has the name: File name too long", error.Message);
    }

    [Fact]
    public void TrailerlessFixtureExtractsLikeCpio()
    {
        // An rpmbuild package whose signature declares the archive size without the 124-byte trailer (trailerless.sh).
        var fixture = Path.Combine(RpmTestData.FixtureDir, "trailerless-abi-files-gzip-1.0-1.x86_64.rpm");
        var bash = Tools.Require("bash", "bash");
        Tools.Require("rpm2cpio", "rpm2cpio");
        Tools.Require("cpio", "cpio");
        var expected = Path.Combine(_scratch.FullName, "expected");
        Directory.CreateDirectory(expected);
        // rpm2cpio 4.18 writes the whole archive but exits 1 when it differs from the declared size; cpio extracts it
        // (and rpm itself installs it), so cpio's status is the one that counts.
        var (code, _, stderr) = Tools.Run(bash, ["-c", "rpm2cpio \"$1\" | cpio -idm --quiet", "-", fixture], workingDirectory: expected);
        Assert.True(code == 0, stderr);
        var (_, length, _) = Tools.Run(bash, ["-c", "rpm2cpio \"$1\" | wc -c", "-", fixture]);
        var package = RpmPackage.Open(fixture);
        Assert.Equal(long.Parse(length.Trim(), System.Globalization.CultureInfo.InvariantCulture) - RpmPayloadReader.TrailerSize, package.DeclaredArchiveSize);

        package.ExtractTo(_root, new RpmPayloadOptions { PreserveSpecialModeBits = true }, TestContext.Current.CancellationToken);
        var mine = Path.Combine(_root, "usr/share/abi-files/sub/text");
        Assert.Equal(System.IO.File.ReadAllBytes(Path.Combine(expected, "usr/share/abi-files/sub/text")), System.IO.File.ReadAllBytes(mine));
        Assert.Equal(
            Directory.GetFiles(expected, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(expected, p)).Order(StringComparer.Ordinal),
            Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(_root, p)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CliKeepsSpecialBitsOnlyWithPreservePermissionsAndReportsRefusalsOnOneLine()
    {
        var fixture = Directory.GetFiles(RpmTestData.FixtureDir, "abi-files-gzip-*.rpm").Single();
        var tool = Path.Combine(_root, "usr/share/abi-files/suid-tool");
        var (code, _, stderr) = CliRunner.Run(["rpm", fixture, "--extract", _root]);
        Assert.True(code == 0, stderr);
        Assert.Equal((UnixFileMode)0x1ed, System.IO.File.GetUnixFileMode(tool));
        Directory.Delete(_root, true);
        (code, _, stderr) = CliRunner.Run(["rpm", fixture, "--extract", _root, "--preserve-permissions"]);
        Assert.True(code == 0, stderr);
        Assert.Equal((UnixFileMode)0x9ed, System.IO.File.GetUnixFileMode(tool));

        var evil = Path.Combine(_scratch.FullName, "evil.rpm");
        System.IO.File.WriteAllBytes(evil, HandMadeRpm.Build([LinkOut("./p"), File("./p/victim", "owned\n")]));
        var before = Snapshot();
        (code, _, stderr) = CliRunner.Run(["rpm", evil, "--extract", _root]);
        Assert.Equal(before, Snapshot());
        Assert.Equal(1, code);
        Assert.Matches($"^abi: {System.Text.RegularExpressions.Regex.Escape(evil)}: offset 0x[0-9a-f]+: refusing to extract './p/victim': the path would be written through the symbolic link 'p'\n$", stderr);
    }
}
