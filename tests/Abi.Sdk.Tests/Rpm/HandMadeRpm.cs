using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>
/// One cpio entry of a hand-made package and the header's description of it. By default the header agrees with the
/// archive (path without the leading <c>.</c>, mode, size, SHA-256 digest, link target); the overrides make it lie.
/// </summary>
internal sealed record HandMadeEntry(string Name, int Mode, byte[] Data)
{
    public uint Inode { get; init; }

    public uint LinkCount { get; init; } = 1;

    public bool InHeader { get; init; } = true;

    /// <summary>The header's size (for a hard link without content: the set's content size).</summary>
    public long? HeaderSize { get; init; }

    /// <summary>The header's digest (for a hard link without content: the set's content digest).</summary>
    public string? HeaderDigest { get; init; }

    public uint ModificationTime { get; init; } = 1_000_000_000;

    public bool IsRegular => (Mode & 0xf000) == 0x8000;

    public bool IsSymlink => (Mode & 0xf000) == 0xa000;

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}

/// <summary>
/// Builds small hostile rpm packages in memory: a lead, a legacy (region-less) signature header, a main header whose
/// file list describes the entries, and an uncompressed cpio payload. rpm's own tools parse what this writes.
/// </summary>
internal static class HandMadeRpm
{
    private const int Int16 = 3;
    private const int Int32 = 4;
    private const int String = 6;
    private const int StringArray = 8;

    /// <param name="entries">The archive entries, in order.</param>
    /// <param name="declaredArchiveSize">The signature's PAYLOADSIZE, or <see langword="null"/> to declare none (as rpm 6 packages).</param>
    /// <param name="archive">An archive to use instead of the entries' (the header still describes the entries).</param>
    public static byte[] Build(IReadOnlyList<HandMadeEntry> entries, long? declaredArchiveSize = -1, byte[]? archive = null)
    {
        archive ??= Cpio(entries);
        var listed = entries.Where(e => e.InHeader).ToList();
        var main = new List<(int Tag, int Type, byte[] Data, int Count)>
        {
            (1000, String, Strings("evil"), 1),
            (1001, String, Strings("1"), 1),
            (1002, String, Strings("1"), 1),
        };
        if (listed.Count > 0)
        {
            main.Add((1028, Int32, Ints(listed.Select(e => (long)(e.HeaderSize ?? (e.IsSymlink ? e.Data.Length : e.IsRegular ? e.Data.Length : 0)))), listed.Count));
            main.Add((1030, Int16, Shorts(listed.Select(e => e.Mode)), listed.Count));
            main.Add((1034, Int32, Ints(listed.Select(e => (long)e.ModificationTime)), listed.Count));
            main.Add((1035, StringArray, Strings([.. listed.Select(e => e.HeaderDigest ?? (e.IsRegular ? HandMadeEntry.Sha256(e.Data) : string.Empty))]), listed.Count));
            main.Add((1036, StringArray, Strings([.. listed.Select(e => e.IsSymlink ? Encoding.UTF8.GetString(e.Data) : string.Empty)]), listed.Count));
            main.Add((1095, Int32, Ints(listed.Select(_ => 1L)), listed.Count));
            main.Add((1096, Int32, Ints(listed.Select(e => (long)e.Inode)), listed.Count));
            main.Add((1116, Int32, Ints(listed.Select(_ => 0L)), listed.Count));

            // One DIRNAME "/" and the rest of the path as the base name: aliases such as "/d" and "/d/" stay distinct.
            main.Add((1117, StringArray, Strings([.. listed.Select(e => e.Name.TrimStart('.').TrimStart('/'))]), listed.Count));
            main.Add((1118, StringArray, Strings("/"), 1));
            main.Add((5011, Int32, Ints([8L]), 1));
        }

        // Honest digests, as rpmbuild writes them: the payload's SHA-256 in the main header and the main header's
        // SHA-256 in the signature, so extraction gets past verification and meets the hostile content itself.
        main.Add((5092, StringArray, Strings(Convert.ToHexStringLower(SHA256.HashData(archive))), 1));
        main.Add((5093, Int32, Ints([8L]), 1));
        var mainHeader = Header(main);
        var signature = new List<(int Tag, int Type, byte[] Data, int Count)>
        {
            declaredArchiveSize is { } size
                ? (1007, Int32, Ints([size < 0 ? archive.Length : size]), 1)
                : (1000, Int32, Ints([0L]), 1),
            (273, String, Strings(Convert.ToHexStringLower(SHA256.HashData(mainHeader))), 1),
        };

        var output = new MemoryStream();
        output.Write(Lead());
        var sig = Header(signature);
        output.Write(sig);
        output.Write(new byte[(8 - (sig.Length % 8)) % 8]);
        output.Write(mainHeader);
        output.Write(archive);
        return output.ToArray();
    }

    public static byte[] Cpio(IEnumerable<HandMadeEntry> entries)
    {
        var ms = new MemoryStream();
        void Entry(string name, int mode, byte[] data, uint ino, uint nlink, uint mtime)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
            var header = string.Create(CultureInfo.InvariantCulture,
                $"070701{ino:x8}{mode:x8}{0:x8}{0:x8}{nlink:x8}{mtime:x8}{data.Length:x8}{0:x8}{1:x8}{0:x8}{0:x8}{nameBytes.Length:x8}{0:x8}");
            ms.Write(Encoding.ASCII.GetBytes(header));
            ms.Write(nameBytes);
            ms.Write(new byte[RpmPayloadReader.Pad4(110 + nameBytes.Length)]);
            ms.Write(data);
            ms.Write(new byte[RpmPayloadReader.Pad4(data.Length)]);
        }

        foreach (var e in entries)
        {
            Entry(e.Name, e.Mode, e.Data, e.Inode, e.LinkCount, e.ModificationTime);
        }

        Entry("TRAILER!!!", 0, [], 0, 1, 0);
        return ms.ToArray();
    }

    private static byte[] Lead()
    {
        var lead = new byte[96];
        lead[0] = 0xed;
        lead[1] = 0xab;
        lead[2] = 0xee;
        lead[3] = 0xdb;
        lead[4] = 3;
        Encoding.ASCII.GetBytes("evil-1-1").CopyTo(lead, 10);
        lead[79] = 5;
        return lead;
    }

    private static byte[] Header(List<(int Tag, int Type, byte[] Data, int Count)> entries)
    {
        var index = new MemoryStream();
        var store = new MemoryStream();
        var entry = new byte[16];
        foreach (var (tag, type, data, count) in entries)
        {
            int align = type switch { Int16 => 2, Int32 => 4, _ => 1 };
            while (store.Length % align != 0)
            {
                store.WriteByte(0);
            }

            BinaryPrimitives.WriteInt32BigEndian(entry, tag);
            BinaryPrimitives.WriteInt32BigEndian(entry.AsSpan(4), type);
            BinaryPrimitives.WriteInt32BigEndian(entry.AsSpan(8), (int)store.Length);
            BinaryPrimitives.WriteInt32BigEndian(entry.AsSpan(12), count);
            index.Write(entry);
            store.Write(data);
        }

        var result = new MemoryStream();
        result.Write([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
        Span<byte> sizes = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(sizes, entries.Count);
        BinaryPrimitives.WriteInt32BigEndian(sizes[4..], (int)store.Length);
        result.Write(sizes);
        index.WriteTo(result);
        store.WriteTo(result);
        return result.ToArray();
    }

    private static byte[] Strings(params string[] values) => [.. values.SelectMany(v => Encoding.UTF8.GetBytes(v + "\0"))];

    private static byte[] Ints(IEnumerable<long> values) => BigEndian(values, 4);

    private static byte[] Shorts(IEnumerable<int> values) => BigEndian(values.Select(v => (long)v), 2);

    private static byte[] BigEndian(IEnumerable<long> values, int width)
    {
        var list = values.ToList();
        var bytes = new byte[width * list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            if (width == 2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 * i), (ushort)list[i]);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 * i), (uint)list[i]);
            }
        }

        return bytes;
    }
}
