using Abi.Sdk.Abi;
using Abi.Sdk.Elf;
using Abi.Sdk.Reporting;
using BenchmarkDotNet.Attributes;

namespace Abi.Sdk.Benchmarks;

/// <summary>
/// The reports of the libLLVM-15 → 16 diff (49 623 diagnostics; text 8.6 MB, JSON 36.5 MB, SARIF 48.6 MB) written
/// to a stream that counts and discards the bytes, so that Allocated is the writer's own (a MemoryStream would
/// add its growth). <c>*FromDiff</c> writes a diff built once (its sorted symbol lists cached after the first
/// write); <c>*WithCompare</c> compares the two ready surfaces and writes, as <c>abi diff</c> does after reading them.
/// </summary>
[MemoryDiagnoser]
public class ReportBenchmarks
{
    private const string Lib = "/usr/lib/x86_64-linux-gnu/";
    private AbiSurface _oldSurface = null!;
    private AbiSurface _newSurface = null!;
    private AbiDiff _diff = null!;

    /// <summary>Reads both surfaces (apt: libllvm15 libllvm16) and compares them once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        using var oldImage = ElfImage.Open(Lib + "libLLVM-15.so.1");
        using var newImage = ElfImage.Open(Lib + "libLLVM-16.so.1");
        _oldSurface = AbiSurface.Of(oldImage);
        _newSurface = AbiSurface.Of(newImage);
        _diff = AbiComparer.Default.Compare(_oldSurface, _newSurface);
    }

    /// <summary>The text report of the ready diff.</summary>
    [Benchmark(Baseline = true)]
    public long TextFromDiff()
    {
        var sink = new CountingStream();
        using (var writer = new StreamWriter(sink, leaveOpen: true) { NewLine = "\n" })
        {
            _diff.WriteText(writer);
        }

        return sink.Length;
    }

    /// <summary>The JSON report of the ready diff.</summary>
    [Benchmark]
    public long JsonFromDiff()
    {
        var sink = new CountingStream();
        _diff.WriteJson(sink);
        return sink.Length;
    }

    /// <summary>The SARIF log of the ready diff.</summary>
    [Benchmark]
    public long SarifFromDiff()
    {
        var sink = new CountingStream();
        _diff.WriteSarif(sink);
        return sink.Length;
    }

    /// <summary>Compare the ready surfaces and write the text report.</summary>
    [Benchmark]
    public long TextWithCompare()
    {
        var sink = new CountingStream();
        using (var writer = new StreamWriter(sink, leaveOpen: true) { NewLine = "\n" })
        {
            AbiComparer.Default.Compare(_oldSurface, _newSurface).WriteText(writer);
        }

        return sink.Length;
    }

    /// <summary>Compare the ready surfaces and write the JSON report (the in-process JSON row; the removed list is sorted here).</summary>
    [Benchmark]
    public long JsonWithCompare()
    {
        var sink = new CountingStream();
        AbiComparer.Default.Compare(_oldSurface, _newSurface).WriteJson(sink);
        return sink.Length;
    }

    /// <summary>Compare the ready surfaces and write the SARIF log.</summary>
    [Benchmark]
    public long SarifWithCompare()
    {
        var sink = new CountingStream();
        AbiComparer.Default.Compare(_oldSurface, _newSurface).WriteSarif(sink);
        return sink.Length;
    }

    /// <summary>A write-only stream that counts the bytes and keeps none.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override void WriteByte(byte value) => _length++;
    }
}
