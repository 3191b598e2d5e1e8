using System.Buffers.Binary;
using System.Text;
using Abi.Sdk.Rpm;
using ZstdSharp;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>Malformed packages: each must fail with one <see cref="RpmFormatException"/> naming file, offset and reason.</summary>
public class RpmBadInputTests
{
    private static string Fixture(string prefix) => Directory.GetFiles(RpmTestData.FixtureDir, prefix + "*.rpm").Order(StringComparer.Ordinal).First();

    private static byte[] Bytes(string prefix) => File.ReadAllBytes(Fixture(prefix));

    /// <summary>Reads everything a user can ask for; only our typed error may escape.</summary>
    private static void ReadEverything(byte[] bytes, string name = "bad.rpm")
    {
        var p = RpmPackage.Parse(bytes, name);
        _ = p.Nevra.ToString();
        foreach (RpmDependencyKind kind in Enum.GetValues<RpmDependencyKind>())
        {
            _ = p.GetDependencies(kind);
        }

        _ = p.Files;
        foreach (var entry in p.ReadPayload(new RpmPayloadOptions { MaxDecompressedSize = 1 << 24 }))
        {
            if (entry.IsRegularFile)
            {
                entry.DataStream.CopyTo(Stream.Null);
            }
        }
    }

    private static RpmFormatException Fails(byte[] bytes)
    {
        var ex = Assert.Throws<RpmFormatException>(() => ReadEverything(bytes));
        Assert.Equal("bad.rpm", ex.FileName);
        Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
        Assert.Contains("offset 0x", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    private static int MainHeaderOffset(byte[] bytes)
    {
        int il = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(96 + 8));
        int dl = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(96 + 12));
        return (96 + 16 + (16 * il) + dl + 7) & ~7;
    }

    [Fact]
    public void EveryTruncationFailsTyped()
    {
        var bytes = Bytes("abi-files-gzip");
        var package = RpmPackage.Parse(bytes);
        for (int length = 0; length < bytes.Length; length += length < package.PayloadOffset ? 7 : 97)
        {
            var ex = Assert.Throws<RpmFormatException>(() => ReadEverything(bytes[..length]));

            // Header errors carry file offsets; payload errors carry offsets in the decompressed archive.
            Assert.InRange(ex.Offset, 0, length < package.PayloadOffset ? bytes.Length : long.MaxValue);
        }
    }

    [Fact]
    public void BadLeadMagicVersionAndSignatureType()
    {
        var bytes = Bytes("abi-deps");
        var b = (byte[])bytes.Clone();
        b[0] = 0;
        Assert.Contains("lead magic", Fails(b).Reason, StringComparison.Ordinal);
        b = (byte[])bytes.Clone();
        b[4] = 9;
        Assert.Equal(4, Fails(b).Offset);
        b = (byte[])bytes.Clone();
        b[79] = 3;
        Assert.Equal(78, Fails(b).Offset);
    }

    [Fact]
    public void HeaderCountsPastRpmLimits()
    {
        var bytes = Bytes("abi-deps");
        int h = MainHeaderOffset(bytes);
        var b = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(h + 8), 65536);
        var ex = Fails(b);
        Assert.Equal(h + 8, ex.Offset);
        Assert.Contains("65535", ex.Reason, StringComparison.Ordinal);

        b = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(h + 12), 0x10000000);
        ex = Fails(b);
        Assert.Equal(h + 12, ex.Offset);

        // Within the limits but past the end of the file: no allocation sized by the claim.
        b = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(h + 12), 0x0fffffff);
        Assert.Contains("truncated", Fails(b).Reason, StringComparison.Ordinal);

        // The signature header allows only 32 entries.
        b = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(96 + 8), 33);
        Assert.Equal(96 + 8, Fails(b).Offset);
    }

    [Theory]
    [InlineData(4, 42, "unknown data type")]
    [InlineData(4, 0, "unknown data type")]
    [InlineData(8, 0x7fffff00, "outside")]
    [InlineData(12, 0, "bad count")]
    [InlineData(12, 0x20000000, "bad count")]
    [InlineData(8, 1, "aligned")]
    public void CorruptIndexEntry(int field, int value, string reason)
    {
        var bytes = Bytes("abi-deps");
        int h = MainHeaderOffset(bytes);
        int il = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(h + 8));

        // Find an INT32 entry after the region (alignment matters for the "aligned" case).
        int entry = Enumerable.Range(1, il - 1).First(i => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(h + 16 + (16 * i) + 4)) == 4);
        var b = (byte[])bytes.Clone();
        int at = h + 16 + (16 * entry) + field;
        int original = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(at));
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(at), field == 8 && value == 1 ? original + 1 : value);
        var ex = Fails(b);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.InRange(ex.Offset, h, h + 16 + (16 * il) + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(h + 12)));
    }

    [Fact]
    public void CorruptRegion()
    {
        var bytes = Bytes("abi-deps");
        int h = MainHeaderOffset(bytes);
        int il = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(h + 8));
        int regionDataOffset = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(h + 16 + 8));
        int trailer = h + 16 + (16 * il) + regionDataOffset;

        var b = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(trailer), 1234);
        var ex = Fails(b);
        Assert.Contains("region trailer", ex.Reason, StringComparison.Ordinal);

        // The offset is the trailer's place in the file, whether the package is parsed in memory or read from a stream.
        Assert.Equal(trailer, ex.Offset);
        Assert.Equal(trailer, Assert.Throws<RpmFormatException>(() => RpmPackage.Read(new MemoryStream(b), "bad.rpm")).Offset);

        b = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(trailer + 8), -16 * (il + 5));
        Assert.Contains("region", Fails(b).Reason, StringComparison.Ordinal);

        b = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(h + 16 + 12), 17);
        Assert.Contains("region tag", Fails(b).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomCorruptionNeverEscapesTheTypedError()
    {
        var original = Bytes("abi-files-xz");
        var random = new Random(3);
        int typed = 0;
        for (int i = 0; i < 1500; i++)
        {
            var b = (byte[])original.Clone();
            int flips = random.Next(1, 4);
            for (int k = 0; k < flips; k++)
            {
                // Mostly the headers, sometimes the payload.
                int at = random.Next(3) == 0 ? random.Next(b.Length) : random.Next(Math.Min(b.Length, 6000));
                b[at] = (byte)random.Next(256);
            }

            try
            {
                ReadEverything(b);
            }
            catch (RpmFormatException)
            {
                typed++;
            }
        }

        Assert.True(typed > 0);
    }

    [Fact]
    public void DecompressionBombHitsTheDeclaredSize()
    {
        // A real package's headers followed by a zstd payload that inflates to 64 MiB of cpio-looking bytes.
        var bytes = Bytes("abi-files-zstd");
        var package = RpmPackage.Parse(bytes);
        var bomb = Cpio(("./usr/share/abi-files/empty", 0x81a4, new byte[64 << 20]));
        byte[] compressed;
        using (var compressor = new Compressor(3))
        {
            compressed = compressor.Wrap(bomb).ToArray();
        }

        var crafted = bytes[..(int)package.PayloadOffset].Concat(compressed).ToArray();
        static void Drain(RpmPackage p, RpmPayloadOptions? options = null)
        {
            foreach (var entry in p.ReadPayload(options))
            {
                entry.DataStream.CopyTo(Stream.Null);
            }
        }

        var ex = Assert.Throws<RpmFormatException>(() => Drain(RpmPackage.Parse(crafted, "bomb.rpm")));
        Assert.Contains("decompresses past", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(package.DeclaredArchiveSize + RpmPayloadReader.TrailerSize, ex.Offset);

        // And the explicit cap, when the declared size is not trusted.
        var options = new RpmPayloadOptions { EnforceDeclaredSize = false, MaxDecompressedSize = 1 << 20 };
        ex = Assert.Throws<RpmFormatException>(() => Drain(RpmPackage.Parse(crafted, "bomb.rpm"), options));
        Assert.Equal(1 << 20, ex.Offset);
    }

    [Theory]
    [InlineData("./../../escape", "'..'")]
    [InlineData("./usr/../../escape", "'..'")]
    [InlineData("../escape", "'..'")]
    public void MaliciousNamesAreRefused(string name, string reason)
    {
        var target = Directory.CreateTempSubdirectory("abi-rpm-evil-");
        try
        {
            var crafted = WithPayload(Cpio((name, 0x81a4, "owned\n"u8.ToArray())));
            var ex = Assert.Throws<RpmFormatException>(() => RpmPackage.Parse(crafted, "evil.rpm").ExtractTo(Path.Combine(target.FullName, "root"), cancellationToken: TestContext.Current.CancellationToken));
            Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(target.FullName, "escape")));
        }
        finally
        {
            target.Delete(true);
        }
    }

    [Fact]
    public void AbsoluteNamesStayInside()
    {
        // An absolute name lands under the root, as cpio (which strips the leading '/') would put it. Links and
        // deferred writes: RpmExtractionSafetyTests.
        var target = Directory.CreateTempSubdirectory("abi-rpm-evil-");
        try
        {
            var root = Path.Combine(target.FullName, "root");
            var crafted = HandMadeRpm.Build([new("/abs/file", 0x81a4, "x"u8.ToArray())]);
            RpmPackage.Parse(crafted, "evil.rpm").ExtractTo(root, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(File.Exists(Path.Combine(root, "abs", "file")));
            Assert.Equal(["root"], Directory.GetFileSystemEntries(target.FullName).Select(Path.GetFileName));
        }
        finally
        {
            target.Delete(true);
        }
    }

    [Theory]
    [InlineData(0, "070701zzzzzzzz", "not hexadecimal")]
    [InlineData(0, "123456", "unknown payload compression")]
    [InlineData(116, "123456", "bad cpio magic")]
    public void BadCpioHeaders(int at, string start, string reason)
    {
        var archive = Cpio(("./a", 0x81a4, "x"u8.ToArray()), ("./b", 0x81a4, "y"u8.ToArray()));
        Encoding.ASCII.GetBytes(start).CopyTo(archive, at);
        var ex = Assert.Throws<RpmFormatException>(() => RpmPackage.Parse(WithPayload(archive), "evil.rpm").ReadPayload().ToList());
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeCpioNameSizeIsRefusedWithoutAllocating()
    {
        var archive = Cpio(("./a", 0x81a4, "x"u8.ToArray()));
        Encoding.ASCII.GetBytes("7fffffff").CopyTo(archive, 94);
        var ex = Assert.Throws<RpmFormatException>(() => RpmPackage.Parse(WithPayload(archive), "evil.rpm").ReadPayload().ToList());
        Assert.Equal(94, ex.Offset);
    }

    /// <summary>The headers of the uncompressed fixture with a replacement payload (the declared size is not enforced for these).</summary>
    private static byte[] WithPayload(byte[] archive)
    {
        var bytes = Bytes("abi-files-none");
        var package = RpmPackage.Parse(bytes);
        var result = bytes[..(int)package.PayloadOffset].Concat(archive).ToArray();

        // Declare a generous archive size by clearing the signature's size tags is not needed: the crafted archives are small.
        // Matching digests, as a hostile builder would write them: extraction's own checks are what these tests are about.
        return RpmReseal.Reseal(result);
    }

    private static byte[] Cpio(params (string Name, int Mode, byte[] Data)[] entries)
        => HandMadeRpm.Cpio(entries.Select((e, i) => new HandMadeEntry(e.Name, e.Mode, e.Data) { Inode = (uint)i + 1 }));
}
