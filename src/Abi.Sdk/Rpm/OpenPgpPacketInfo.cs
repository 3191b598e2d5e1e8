using System.Buffers.Binary;

namespace Abi.Sdk.Rpm;

/// <summary>
/// The few fields of an OpenPGP signature packet needed to name it (version, algorithms, issuer), read without the
/// OpenPGP library: only for signatures the library cannot parse (RFC 9580 v6), so they are reported, not verified.
/// </summary>
internal sealed record OpenPgpPacketInfo(int Version, int KeyAlgorithm, int HashAlgorithm, string KeyId)
{
    private const int SignatureTag = 2;
    private const int IssuerKeyIdSubpacket = 16;
    private const int IssuerFingerprintSubpacket = 33;

    public string Description => RpmVerifier.SignatureDescription(Version, KeyAlgorithm, HashAlgorithm, KeyId);

    /// <summary>Reads the packet's header fields, or <see langword="null"/> when it is not a well-formed v4–v6 signature packet.</summary>
    public static OpenPgpPacketInfo? TryReadSignature(ReadOnlySpan<byte> packet)
    {
        if (!TryBody(packet, out var body) || body.Length < 10 || body[0] is < 4 or > 6)
        {
            return null;
        }

        int version = body[0];
        int lengthSize = version == 4 ? 2 : 4;
        var rest = body[4..];
        string? keyId = null;
        for (int area = 0; area < 2 && keyId is null; area++)
        {
            if (rest.Length < lengthSize)
            {
                return null;
            }

            long length = lengthSize == 2 ? BinaryPrimitives.ReadUInt16BigEndian(rest) : BinaryPrimitives.ReadUInt32BigEndian(rest);
            if (length > rest.Length - lengthSize)
            {
                return null;
            }

            keyId = FindIssuer(rest.Slice(lengthSize, (int)length), version);
            rest = rest[(lengthSize + (int)length)..];
        }

        return keyId is null ? null : new OpenPgpPacketInfo(version, body[2], body[3], keyId);
    }

    private static bool TryBody(ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (packet.Length < 2 || (packet[0] & 0xc0) != 0xc0 || (packet[0] & 0x3f) != SignatureTag)
        {
            return false;
        }

        // 224..254 are partial body lengths, which a signature packet never uses.
        if (!TryLength(packet[1..], lastTwoOctet: 223, out long length, out int size))
        {
            return false;
        }

        int headerSize = 1 + size;
        if (length > packet.Length - headerSize)
        {
            return false;
        }

        body = packet.Slice(headerSize, (int)length);
        return true;
    }

    private static string? FindIssuer(ReadOnlySpan<byte> subpackets, int version)
    {
        while (!subpackets.IsEmpty)
        {
            if (!TryLength(subpackets, lastTwoOctet: 254, out long length, out int size))
            {
                return null;
            }

            if (length < 1 || length > subpackets.Length - size)
            {
                return null;
            }

            var data = subpackets.Slice(size + 1, (int)length - 1);
            switch (subpackets[size] & 0x7f)
            {
                case IssuerKeyIdSubpacket when data.Length == 8:
                    return Convert.ToHexStringLower(data);
                case IssuerFingerprintSubpacket when data.Length > 8:
                    // v6 key IDs are the fingerprint's first 8 bytes, v4 key IDs its last 8.
                    var fingerprint = data[1..];
                    return Convert.ToHexStringLower(version == 6 ? fingerprint[..8] : fingerprint[^8..]);
            }

            subpackets = subpackets[(size + (int)length)..];
        }

        return null;
    }

    /// <summary>An OpenPGP length: one octet below 192, two up to <paramref name="lastTwoOctet"/>, five after 255.</summary>
    private static bool TryLength(ReadOnlySpan<byte> bytes, int lastTwoOctet, out long length, out int size)
    {
        (length, size) = (0, 0);
        if (bytes.IsEmpty)
        {
            return false;
        }

        int first = bytes[0];
        if (first < 192)
        {
            (length, size) = (first, 1);
        }
        else if (first <= lastTwoOctet && bytes.Length >= 2)
        {
            (length, size) = (((first - 192) << 8) + bytes[1] + 192, 2);
        }
        else if (first == 255 && bytes.Length >= 5)
        {
            (length, size) = (BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]), 5);
        }

        return size > 0;
    }
}
