using System.Security.Cryptography;
using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Api;

/// <summary>
/// <see cref="RpmPackage.ReadAsync"/> and <see cref="RpmPayloadReader.GetNextEntryAsync"/> give what the synchronous
/// reader gives (which the differential tests hold to <c>rpm</c> and <c>rpm2cpio | cpio</c>) on every fixture and
/// corpus package, read the package asynchronously, and stop when cancelled.
/// </summary>
public class RpmAsyncTests
{
    private static IReadOnlyList<string> Packages => [.. RpmTestData.FixturePackages, .. Paths.Corpus is null ? [] : RpmTestData.CorpusPackages()];

    private sealed record Entry(string Name, string Path, uint Mode, long Size, string? LinkTarget, uint Inode, uint LinkCount, string ContentSha256);

    /// <summary>The package's headers and every entry with a digest of its content, or the error that stopped the reader.</summary>
    private static (string Headers, List<Entry> Entries, string? Error) ReadSync(string path)
    {
        var package = RpmPackage.Open(path);
        var headers = Convert.ToHexString(SHA256.HashData([.. package.Signature.ToArray(), .. package.Header.ToArray()]));
        var entries = new List<Entry>();
        try
        {
            using var reader = package.OpenPayload();
            while (reader.GetNextEntry() is { } e)
            {
                entries.Add(new Entry(e.Name, e.Path, e.Mode, e.Size, e.LinkTarget, e.Inode, e.LinkCount, Convert.ToHexString(SHA256.HashData(e.ReadAllBytes()))));
            }
        }
        catch (RpmFormatException ex)
        {
            return (headers, entries, ex.Message);
        }

        return (headers, entries, null);
    }

    private static async Task<(string Headers, List<Entry> Entries, string? Error, ProbeStream Probe)> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var probe = new ProbeStream(File.OpenRead(path));
        var package = await RpmPackage.ReadAsync(probe, path, cancellationToken);
        Assert.Equal(0, probe.SyncBytes); // lead and both headers were read asynchronously
        var headers = Convert.ToHexString(SHA256.HashData([.. package.Signature.ToArray(), .. package.Header.ToArray()]));
        var entries = new List<Entry>();
        try
        {
            using var reader = package.OpenPayload(probe, leaveOpen: false);
            while (await reader.GetNextEntryAsync(cancellationToken) is { } e)
            {
                var content = await e.ReadAllBytesAsync(cancellationToken: cancellationToken);
                entries.Add(new Entry(e.Name, e.Path, e.Mode, e.Size, e.LinkTarget, e.Inode, e.LinkCount, Convert.ToHexString(SHA256.HashData(content))));
            }
        }
        catch (RpmFormatException ex)
        {
            return (headers, entries, ex.Message, probe);
        }

        return (headers, entries, null, probe);
    }

    [Fact]
    public async Task Async_reading_gives_the_same_headers_entries_contents_and_errors_as_sync()
    {
        var checkedPackages = 0;
        foreach (var path in Packages)
        {
            var sync = ReadSync(path);
            var (headers, entries, error, probe) = await ReadAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(sync.Headers, headers);
            Assert.Equal(sync.Entries, entries);
            Assert.Equal(sync.Error, error);
            var compression = RpmPackage.Open(path).PayloadCompressor;
            if (error is null && compression is "gzip" or "zstd")
            {
                // .NET's gzip and ZstdSharp decode with asynchronous reads: only OpenPayload's 16-byte magic probe is synchronous.
                Assert.True(probe.SyncBytes <= 16, $"{path}: {probe.SyncBytes} bytes read synchronously by the async reader");
            }

            checkedPackages++;
        }

        Assert.True(checkedPackages >= RpmTestData.FixturePackages.Count);
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_reader_before_and_during_reading()
    {
        var path = RpmTestData.FixturePackages.First(p => RpmPackage.Open(p).Files.Length > 2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RpmPackage.ReadAsync(File.OpenRead(path), path, cancelled.Token));

        var package = RpmPackage.Open(path);
        using (var reader = package.OpenPayload())
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.GetNextEntryAsync(cancelled.Token));
        }

        // Cancelled by the stream itself after its first asynchronous read: the reader stops inside the payload.
        using var midway = new CancellationTokenSource();
        using var probe = new ProbeStream(File.OpenRead(path), midway, reads: 1);
        var streamed = await RpmPackage.ReadAsync(probe, path, TestContext.Current.CancellationToken);
        using var payload = streamed.OpenPayload(probe, leaveOpen: true);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            while (await payload.GetNextEntryAsync(midway.Token) is { } e)
            {
                await e.ReadAllBytesAsync(cancellationToken: midway.Token);
            }
        });
    }

    [Fact]
    public async Task An_entry_stream_read_after_the_reader_moved_on_or_was_disposed_throws_ObjectDisposedException()
    {
        var path = RpmTestData.FixturePackages.First(p => RpmPackage.Open(p).Files.Count(f => f.IsRegularFile && f.Size > 0) >= 2);
        var package = RpmPackage.Open(path);
        var reader = package.OpenPayload();
        RpmPayloadEntry? first = null;
        while (reader.GetNextEntry() is { } e)
        {
            if (e.IsRegularFile && e.Size > 0)
            {
                first = e;
                break;
            }
        }

        Assert.NotNull(first);
        var buffer = new byte[16];
        Assert.True(first.DataStream.Read(buffer) > 0); // readable while current
        Assert.NotNull(reader.GetNextEntry());
        var moved = Assert.Throws<ObjectDisposedException>(() => first.DataStream.Read(buffer));
        Assert.Contains(first.Path, moved.Message);
        Assert.Contains("moved past this entry", moved.Message);
        Assert.Throws<ObjectDisposedException>(() => first.ReadAllBytes());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await first.DataStream.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken));

        var current = reader.GetNextEntry();
        reader.Dispose();
        if (current is not null)
        {
            var disposed = Assert.Throws<ObjectDisposedException>(() => current.DataStream.Read(buffer));
            Assert.Contains("disposed", disposed.Message);
        }

        Assert.Throws<ObjectDisposedException>(() => reader.GetNextEntry());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await reader.GetNextEntryAsync(TestContext.Current.CancellationToken));
    }
}
