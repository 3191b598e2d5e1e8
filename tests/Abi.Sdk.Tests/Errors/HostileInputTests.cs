using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Abi.Sdk.Abi;
using Abi.Sdk.Dependencies;
using Abi.Sdk.Elf;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Errors;

/// <summary>
/// Every error one line, every run bounded: each command on malformed input prints one line on stderr and its
/// documented error exit code, never a stack trace; hostile inputs (deep nesting, huge tokens, FIFOs, huge
/// regular expressions) end with a typed error in bounded memory. Hostile inputs are generated here, not committed.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private static readonly Regex StackTraceLine = new(@"^\s+at \S|Unhandled exception|Stack overflow|--- End of|Exception:\s*$", RegexOptions.Multiline);
    private readonly string _dir = Directory.CreateTempSubdirectory("abi-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    private static string Fixture(string name) => Path.Combine(Paths.Fixtures, "elf", name);

    /// <summary>Runs abi (killed after 120 s, so a hang fails instead of blocking) and checks the one-line error.</summary>
    private static string RunExpectingError(int expectedExit, params string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(args, timeoutSeconds: 120);
        Assert.NotEqual(CliRunner.TimedOut, code);
        Assert.DoesNotMatch(StackTraceLine, stderr);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"abi {string.Join(' ', args)}: expected one line on stderr, got:\n{stderr}");
        Assert.StartsWith("abi", lines[0]);
        Assert.Equal(expectedExit, code);
        return lines[0];
    }

    /// <summary>The error <paramref name="action"/> throws, and the bytes it allocated on this thread (where the readers run).</summary>
    private static (T Error, long Allocated) ThrowsMeasured<T>(Func<object?> action)
        where T : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<T>(action);
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary><paramref name="head"/>, <paramref name="size"/> bytes of 'x', <paramref name="tail"/>: one huge token.</summary>
    private static byte[] Padded(ReadOnlySpan<byte> head, int size, ReadOnlySpan<byte> tail)
    {
        var bytes = new byte[head.Length + size + tail.Length];
        head.CopyTo(bytes);
        bytes.AsSpan(head.Length, size).Fill((byte)'x');
        tail.CopyTo(bytes.AsSpan(head.Length + size));
        return bytes;
    }

    private const string PrimaryHead = """<?xml version="1.0"?><metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">""";

    private static string Primary(string requires) =>
        PrimaryHead + $"""<package type="rpm"><name>a</name><arch>x86_64</arch><version epoch="0" ver="1" rel="1"/><format><rpm:requires><rpm:entry name="{requires}"/></rpm:requires></format></package></metadata>""";

    [Fact]
    public void EveryCommandOnMalformedInputPrintsOneLineAndNoStackTrace()
    {
        var elf = Write("bad.so", [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0, 1, 2, 3]);
        var json = Write("bad.json", [.. "{\"format\": \""u8, 0xff, .. "\"}"u8]);
        var xml = Write("primary.xml", "<metadata><package>");
        var rpm = Write("bad.rpm", [0xed, 0xab, 0xee, 0xdb, 3, 0, 0, 1]);
        var dir = Path.Combine(_dir, "out");

        // Documented error codes: abi diff/dump 1 (abidiff's error bit), installcheck 2, rpm 1, compat 1, stub 1.
        RunExpectingError(1, "symbols", elf);
        RunExpectingError(1, "elf", elf);
        RunExpectingError(1, "deps", "-P", "-R", elf, elf, elf); // the parallel loop's AggregateException, unwrapped
        RunExpectingError(1, "compat", elf, "--lib-path", _dir);
        RunExpectingError(1, "compat", Fixture("libconsumer.so"), "--baselines", json);
        RunExpectingError(1, "rpm", "-l", rpm);
        RunExpectingError(2, "installcheck", xml);
        RunExpectingError(2, "installcheck", rpm);
        RunExpectingError(1, "diff", elf, elf);
        RunExpectingError(1, "diff", json, json);
        RunExpectingError(1, "dump", elf);
        RunExpectingError(1, "dump", json);
        RunExpectingError(1, "stub", json, "-o", dir);
        RunExpectingError(1, "stub", elf, "-o", dir);
    }

    [Fact]
    public void JsonWithInvalidUtf8OrLoneSurrogateIsAFormatErrorEverywhere()
    {
        var lib = Fixture("libversioned.so");
        var invalid = Write("invalid.json", [.. "{\"format\": \"abi-sdk-baseline\", \"soname\": \""u8, 0xc3, 0x28, .. "\"}"u8]);
        var surrogate = Write("surrogate.json", """{"format": "abi-sdk-baseline", "soname": "\ud800"}""");
        var settings = Write("settings.json", """{"diagnostics": {"\udc00": "none"}}""");
        var settingsBytes = Write("settings-bytes.json", [.. "{\"diagnostics\": {\"ABI1003\": \"n"u8, 0xff, .. "ne\"}}"u8]);

        foreach (var baseline in new[] { invalid, surrogate })
        {
            var ex = Assert.Throws<AbiBaselineFormatException>(() => AbiSurface.Open(baseline));
            Assert.Contains("UTF-8", ex.Message);
            Assert.Contains("offset 0x", ex.Message);
            RunExpectingError(1, "diff", baseline, lib);
            RunExpectingError(1, "dump", baseline);
            RunExpectingError(1, "stub", baseline, "-o", Path.Combine(_dir, "out"));
            RunExpectingError(1, "compat", Fixture("libconsumer.so"), "--baselines", baseline);
        }

        foreach (var file in new[] { settings, settingsBytes })
        {
            Assert.Throws<AbiConfigurationFormatException>(() => AbiSeverityConfiguration.Load(file));
            Assert.Contains("settings", RunExpectingError(1, "diff", lib, lib, "--settings", file));
        }
    }

    [Fact]
    public void MalformedRichDependencyIsAFormatErrorWithInstallcheckErrorCode()
    {
        var primary = Write("rich/primary.xml", Primary("(foo or)"));
        var ex = Assert.Throws<RepositoryFormatException>(() => RepositoryMetadata.Open(primary));
        Assert.Contains("Missing argument to rich dependency op", ex.Message);
        Assert.Contains("primary.xml", RunExpectingError(2, "installcheck", primary));
    }

    [Fact]
    public void DeeplyNestedRichDependencyFailsInsteadOfOverflowingTheStack()
    {
        // Runs in this process: before the depth limit this killed the test host with a stack overflow.
        const int Depth = 100_000;
        var text = new string('(', Depth) + "a" + new string(')', Depth);
        var ex = Assert.Throws<RichDependencyFormatException>(() => RichDependency.Parse(text, RpmDependencyKind.Requires));
        Assert.Contains($"deeper than {RichDependency.MaxNestingDepth}", ex.Reason);
        Assert.True(ex.Message.Length < 1000, "the message quotes an excerpt, not the whole text");

        // At the limit it still parses (rpm's own parser has no limit; real packages nest a few levels).
        var deepest = new string('(', RichDependency.MaxNestingDepth) + "a or b" + new string(')', RichDependency.MaxNestingDepth);
        Assert.Equal("(a or b)", RichDependency.Parse(deepest).ToString());

        var primary = Write("deep/primary.xml", Primary(text));
        Assert.Throws<RepositoryFormatException>(() => RepositoryMetadata.Open(primary));
        RunExpectingError(2, "installcheck", primary);
    }

    [Theory]
    [InlineData("primary.xml.gz", new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    [InlineData("primary.xml.xz", new byte[] { 0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0, 0, 9, 9, 9, 9, 9, 9, 9 })]
    [InlineData("primary.xml.bz2", new byte[] { (byte)'B', (byte)'Z', (byte)'h', (byte)'9', 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    [InlineData("primary.xml.zst", new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    public void CorruptCompressedPrimaryIsAFormatError(string name, byte[] bytes)
    {
        var path = Write(name, bytes);
        var ex = Assert.Throws<RepositoryFormatException>(() => RepositoryMetadata.Open(path));
        Assert.Equal(path, ex.FileName);
        RunExpectingError(2, "installcheck", path);
    }

    [Fact]
    public void FifoWhereAFileIsExpectedIsReportedNotOpened()
    {
        var mkfifo = Tools.Require("mkfifo", "coreutils");
        string Fifo(string relative)
        {
            var path = Path.Combine(_dir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Assert.Equal(0, Tools.Run(mkfifo, [path]).ExitCode);
            return path;
        }

        var binary = Fifo("fifo/app");
        var ex = Assert.ThrowsAny<IOException>(() => ElfImage.Open(binary)); // NotRegularFileException
        Assert.Contains("FIFO", ex.Message);
        Assert.False(ElfImage.IsElfFile(binary));
        Assert.Contains("not a regular file (a FIFO)", RunExpectingError(1, "compat", binary, "--lib-path", _dir));
        Assert.Contains("FIFO", RunExpectingError(1, "dump", binary));

        // A FIFO as a library in a searched folder, as a preload and as the sysroot's ld.so.conf: the run ends, the
        // library is refused (the loader's open blocks on it: ObjectAcceptanceTests), the preload is reported as ignored.
        var lib = Path.Combine(_dir, "fifo-lib");
        Fifo("fifo-lib/libversioned.so.2");
        var preload = Fifo("fifo-pre/libpre.so");
        var (code, stdout, stderr) = CliRunner.Run(["compat", Fixture("libconsumer.so"), "--lib-path", lib, "--preload", preload], timeoutSeconds: 120);
        Assert.Equal(12, code);
        Assert.Contains($"refused {lib}/libversioned.so.2: a FIFO", stdout);
        Assert.Contains($"preload {preload} cannot be loaded: ignored", stdout);
        Assert.Empty(stderr);

        var sysroot = Path.Combine(_dir, "fifo-root");
        Fifo("fifo-root/etc/ld.so.conf");
        (code, _, stderr) = CliRunner.Run(["compat", Fixture("libconsumer.so"), "--sysroot", sysroot], timeoutSeconds: 120);
        Assert.Equal(12, code);
        Assert.Empty(stderr);
    }

    [Fact]
    public void SuppressionRegexWithTwoHundredThousandAlternativesIsRefused()
    {
        var text = "[suppress_function]\nsymbol_name_regexp = " + string.Join('|', Enumerable.Range(0, 200_000).Select(i => $"sym{i}")) + "\n";
        var ex = Assert.Throws<AbiConfigurationFormatException>(() => AbiSuppressionFile.Parse(text, "huge.supp"));
        Assert.Contains($"over the limit of {AbiSuppression.MaxPatternLength}", ex.Message);
        Assert.True(ex.Message.Length < 1000);
    }

    [Fact]
    public void ManySuppressionSectionsTakeMemoryLinearInTheFile()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            sb.Append("[suppress_function]\nsymbol_name_regexp = ^foo").Append(i).Append("_[a-z]+$\n");
        }

        var text = sb.ToString();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var file = AbiSuppressionFile.Parse(text, "many.supp");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20_000, file.Suppressions.Length);

        // The non-backtracking engine took about 280 KB per pattern (5.5 GB here); the interpreter takes about 3.6 KB.
        Assert.True(allocated < 100L * text.Length, $"{allocated} bytes allocated for a {text.Length}-character file");
        Assert.All(file.Suppressions, s => Assert.True(s.SelectsSymbols));
    }

    [Fact]
    public void HugeAttributeInGzipPrimaryFailsInBoundedMemory()
    {
        // 1.8 MB of gzip expanding to one 400 MB attribute took 2.7-3.7 GB before the token limit.
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(PrimaryHead + "<package type=\"rpm\"><name a=\""));
            var chunk = new byte[1 << 20];
            chunk.AsSpan().Fill((byte)'x');
            for (int i = 0; i < 400; i++)
            {
                gzip.Write(chunk);
            }

            gzip.Write("\"/></package></metadata>"u8);
        }

        compressed.Position = 0;
        var (ex, allocated) = ThrowsMeasured<RepositoryFormatException>(() => RepositoryMetadata.Read(compressed, "huge.xml.gz"));
        Assert.Contains($"longer than {RepositoryMetadata.MaxTokenSize} bytes", ex.Message);
        Assert.True(allocated < 256L << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void HugeAbiXmlAttributeFailsInBoundedMemory()
    {
        var input = Padded("<abi-corpus path='x' soname='"u8, 200 << 20, ""u8);
        using var stream = new MemoryStream(input, writable: false);

        var (ex, allocated) = ThrowsMeasured<AbiBaselineFormatException>(() => AbiBaseline.Read(stream, "huge.abi"));
        Assert.Contains($"longer than {AbiBaseline.MaxTokenSize} bytes", ex.Message);

        // Read holds a copy of the input; beyond that the XML reader stops at the token limit (1.7 GB before).
        Assert.True(allocated < input.Length + (128L << 20), $"{allocated} bytes allocated for {input.Length} bytes of input");
    }

    [Fact]
    public void HugeNameInJsonBaselineFailsInBoundedMemory()
    {
        var input = Padded("{\"format\": \"abi-sdk-baseline\", \"soname\": \""u8, 100 << 20, "\"}"u8);
        using var stream = new MemoryStream(input, writable: false);

        var (ex, allocated) = ThrowsMeasured<AbiBaselineFormatException>(() => AbiBaseline.Read(stream, "huge.json"));
        Assert.Contains($"longer than the limit of {AbiBaseline.MaxTokenSize} bytes", ex.Message);
        Assert.True(allocated < input.Length + (32L << 20), $"{allocated} bytes allocated for {input.Length} bytes of input (0.8 GB before)");
    }

    [Fact]
    public void ExportedSymbolWithoutANameIsNoInterface()
    {
        // libversioned.so with the first exported symbol's st_name set to 0: an unnamed symbol the loader can never bind.
        var bytes = File.ReadAllBytes(Fixture("libversioned.so"));
        string victim;
        using (var image = ElfImage.Parse(bytes.ToArray(), "libversioned.so"))
        {
            var dynsym = image.Sections.Single(s => s.Name == ".dynsym");
            var symbol = image.DynamicSymbols.First(s => AbiSurface.IsExported(s));
            victim = symbol.Name;
            BitConverter.TryWriteBytes(bytes.AsSpan((int)dynsym.Offset + (symbol.Index * 24), 4), 0u);
        }

        var path = Write("libunnamed.so.1", bytes);
        var surface = AbiSurface.Open(path);
        Assert.DoesNotContain(surface.Symbols, s => s.Name.Length == 0);
        var expected = AbiSurface.Open(Fixture("libversioned.so")).Symbols.Count(s => s.Name == victim);
        Assert.Equal(expected - 1, surface.Symbols.Count(s => s.Name == victim));
        Assert.Equal(AbiSurface.Open(Fixture("libversioned.so")).Symbols.Length - 1, surface.Symbols.Length); // counted as exported, then left out

        var (code, stdout, stderr) = CliRunner.Run(["stub", path, "-o", Path.Combine(_dir, "stubs")]);
        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.Contains("stubs", stdout);
    }
}
