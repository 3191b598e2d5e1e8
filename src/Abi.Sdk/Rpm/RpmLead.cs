using System.Buffers.Binary;
using System.Text;

namespace Abi.Sdk.Rpm;

/// <summary>The 96-byte lead at the start of every rpm package (mostly vestigial; rpm checks magic, version and signature type).</summary>
/// <param name="Major">The format major version: 3 or 4 (rpm 6 packages also carry 4).</param>
/// <param name="Minor">The format minor version.</param>
/// <param name="IsSource">Whether the lead marks a source package.</param>
/// <param name="ArchNum">rpm's architecture number.</param>
/// <param name="Name">The NEVR-ish name written by the builder (at most 65 bytes).</param>
/// <param name="OsNum">rpm's operating system number.</param>
/// <param name="SignatureType">The signature type: 5 (a signature header) in every readable package.</param>
public sealed record RpmLead(byte Major, byte Minor, bool IsSource, ushort ArchNum, string Name, ushort OsNum, ushort SignatureType)
{
    /// <summary>The size of the lead.</summary>
    public const int Size = 96;

    internal static ReadOnlySpan<byte> Magic => [0xed, 0xab, 0xee, 0xdb];

    /// <summary>Parses and checks a lead as rpm does (<c>rpmLeadCheck</c>).</summary>
    /// <param name="bytes">At least 96 bytes.</param>
    /// <param name="fileName">The file for error messages.</param>
    /// <returns>The lead.</returns>
    /// <exception cref="RpmFormatException">Too short, bad magic, unsupported version or signature type.</exception>
    public static RpmLead Parse(ReadOnlySpan<byte> bytes, string? fileName = null)
    {
        if (bytes.Length < Size)
        {
            RpmThrow.Format(fileName, bytes.Length, $"truncated lead: {bytes.Length} of {Size} bytes");
        }

        if (!bytes[..4].SequenceEqual(Magic))
        {
            RpmThrow.Format(fileName, 0, $"not an rpm package: lead magic {Convert.ToHexStringLower(bytes[..4])} (expected edabeedb)");
        }

        byte major = bytes[4];
        if (major < 3 || major > 4)
        {
            RpmThrow.Format(fileName, 4, $"unsupported rpm package version {major} (rpm reads 3 and 4)");
        }

        ushort type = BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]);
        ushort sigType = BinaryPrimitives.ReadUInt16BigEndian(bytes[78..]);
        if (sigType != 5)
        {
            RpmThrow.Format(fileName, 78, $"illegal signature type {sigType} (expected 5, a header-style signature)");
        }

        var nameBytes = bytes.Slice(10, 66);
        int nul = nameBytes.IndexOf((byte)0);
        var name = Encoding.UTF8.GetString(nul >= 0 ? nameBytes[..nul] : nameBytes);
        return new RpmLead(major, bytes[5], type == 1, BinaryPrimitives.ReadUInt16BigEndian(bytes[8..]), name, BinaryPrimitives.ReadUInt16BigEndian(bytes[76..]), sigType);
    }
}
