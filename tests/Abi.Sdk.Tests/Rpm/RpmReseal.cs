using System.Security.Cryptography;
using System.Text;
using Abi.Sdk.Rpm;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>
/// Rewrites a crafted package's digests (payload digests, header SHA-256/SHA-1, MD5) in place so they match its bytes,
/// as a builder would: tests of what extraction does with hostile content then get past digest verification honestly.
/// </summary>
internal static class RpmReseal
{
    public static byte[] Reseal(byte[] bytes)
    {
        var package = RpmPackage.Parse(bytes);
        int payload = (int)package.PayloadOffset;
        var payloadDigest = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(payload))));
        foreach (var tag in new[] { RpmTag.PayloadDigest, RpmTag.PayloadDigestAlt })
        {
            if (package.Header.Contains(tag))
            {
                payloadDigest.CopyTo(bytes, package.Header.DataFileOffset((int)tag));
            }
        }

        var header = bytes.AsSpan((int)package.Header.FileOffset, package.Header.Size);
        Write(bytes, package.Signature, RpmSignatureTag.Sha256, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(header))));
        Write(bytes, package.Signature, RpmSignatureTag.Sha1, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA1.HashData(header))));
        Write(bytes, package.Signature, RpmSignatureTag.Md5, MD5.HashData(bytes.AsSpan((int)package.Header.FileOffset)));
        return bytes;
    }

    private static void Write(byte[] bytes, RpmHeader signature, RpmSignatureTag tag, byte[] value)
    {
        if (signature.Contains((int)tag))
        {
            value.CopyTo(bytes, signature.DataFileOffset((int)tag));
        }
    }
}
