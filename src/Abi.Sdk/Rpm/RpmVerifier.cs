using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Abi.Sdk.Rpm;

/// <summary>
/// Computes and judges a package's digests and signatures as rpm 4.18's <c>rpmvs</c> does: one pass over the main header
/// and the payload, then rpm's rules for which results it reports (an alternative that verifies hides a failed one; an
/// absent tag is reported only when nothing else covers its range).
/// </summary>
internal static class RpmVerifier
{
    private const int DigestType = 1;
    private const int SignatureType = 2;

    // rpm's RPMVSF_* disabler flags: items sharing one are alternatives, and they break ties when rpm sorts.
    private const int NoSha1Header = 1 << 8, NoSha256Header = 1 << 9, NoDsaHeader = 1 << 10, NoRsaHeader = 1 << 11;
    private const int NoPayload = 1 << 16, NoMd5 = 1 << 17, NoDsa = 1 << 18, NoRsa = 1 << 19;

    // rpm 6's tags, unknown to rpm 4.18: flags of their own above rpm 4.18's.
    private const int NoSha3_256Header = 1 << 20, NoOpenPgp = 1 << 21;

    // rpm's vfyitems, in rpm's order, with rpm 6's two signature-header tags added.
    private static readonly (int Tag, bool InSignature, RpmCheckKind Kind, int Type, RpmCheckRange Range, int HashAlgo, int Group)[] Table =
    [
        ((int)RpmSignatureTag.Pgp, true, RpmCheckKind.HeaderAndPayloadSignature, SignatureType, RpmCheckRange.HeaderAndPayload, 0, NoRsa),
        ((int)RpmSignatureTag.Md5, true, RpmCheckKind.HeaderAndPayloadMd5, DigestType, RpmCheckRange.HeaderAndPayload, 1, NoMd5),
        ((int)RpmSignatureTag.Gpg, true, RpmCheckKind.HeaderAndPayloadSignature, SignatureType, RpmCheckRange.HeaderAndPayload, 0, NoDsa),
        ((int)RpmSignatureTag.Dsa, true, RpmCheckKind.HeaderSignature, SignatureType, RpmCheckRange.Header, 0, NoDsaHeader),
        ((int)RpmSignatureTag.Rsa, true, RpmCheckKind.HeaderSignature, SignatureType, RpmCheckRange.Header, 0, NoRsaHeader),
        ((int)RpmSignatureTag.Sha1, true, RpmCheckKind.HeaderSha1, DigestType, RpmCheckRange.Header, 2, NoSha1Header),
        ((int)RpmSignatureTag.Sha256, true, RpmCheckKind.HeaderSha256, DigestType, RpmCheckRange.Header, 8, NoSha256Header),
        ((int)RpmSignatureTag.OpenPgp, true, RpmCheckKind.OpenPgpSignature, SignatureType, RpmCheckRange.Header, 0, NoOpenPgp),
        ((int)RpmSignatureTag.Sha3_256, true, RpmCheckKind.HeaderSha3_256, DigestType, RpmCheckRange.Header, 12, NoSha3_256Header),
        ((int)RpmTag.PayloadDigest, false, RpmCheckKind.PayloadDigest, DigestType, RpmCheckRange.Payload, 8, NoPayload),
        ((int)RpmTag.PayloadDigestAlt, false, RpmCheckKind.PayloadDigestAlt, DigestType, RpmCheckRange.Payload, 8, NoPayload),
    ];

    public static RpmVerification Verify(RpmPackage package, Stream headerAndPayload, OpenPgpKeyRing? keyRing, CancellationToken cancellationToken)
    {
        var items = new List<Item>();
        foreach (var row in Table)
        {
            var header = row.InSignature ? package.Signature : package.Header;
            bool disabled = row.Type == SignatureType && keyRing is null;
            if (disabled || !header.TryGetEntry(row.Tag, out var entry))
            {
                items.Add(new Item(row.Kind, row.Tag, 0, row.Type, row.Range, !row.InSignature, row.Group) { HashAlgo = row.HashAlgo, Status = Status.NotFound });
                continue;
            }

            int count = entry.Type == RpmTagType.StringArray ? entry.Count : 1;
            var values = entry.Type == RpmTagType.StringArray ? header.GetStringArray(row.Tag) : [];
            for (int i = 0; i < count; i++)
            {
                var item = new Item(row.Kind, row.Tag, i, row.Type, row.Range, !row.InSignature, row.Group) { HashAlgo = row.HashAlgo };
                string origin = header == package.Signature ? "package" : "header";
                if (row.Type == DigestType)
                {
                    InitDigest(item, header, entry, i < values.Length ? values[i] : null, package, origin);
                }
                else
                {
                    InitSignature(item, header, entry, i < values.Length ? values[i] : null, keyRing!, origin);
                }

                items.Add(item);
            }
        }

        Hash(items, package, headerAndPayload, cancellationToken);
        foreach (var item in items)
        {
            item.Finish();
        }

        return new RpmVerification(package.FileName, Report(items), keyRing is not null);
    }

    private static void InitDigest(Item item, RpmHeader header, RpmHeaderEntry entry, string? arrayValue, RpmPackage package, string origin)
    {
        string? expected = entry.Type switch
        {
            RpmTagType.Bin => Convert.ToHexStringLower(header.GetBytes(item.Tag).Span),
            RpmTagType.String => header.GetString(item.Tag),
            RpmTagType.StringArray => arrayValue,
            _ => null,
        };
        if (item.Kind is RpmCheckKind.PayloadDigest or RpmCheckKind.PayloadDigestAlt)
        {
            item.HashAlgo = (int)(package.Header.GetInteger(RpmTag.PayloadDigestAlgo) ?? 8);
        }

        if (expected is null)
        {
            item.Fail($"{origin} tag {item.Tag}: invalid type {(int)entry.Type}");
            return;
        }

        if (entry.Type != RpmTagType.Bin && !IsValidHex(expected))
        {
            item.Fail($"{origin}: tag {item.Tag}: invalid hex");
            return;
        }

        item.Expected = expected.ToLowerInvariant();
        item.Initialized = true;
        item.Hash = CreateHash(item.HashAlgo);
        if (item.Hash is null)
        {
            // rpm handles a digest it cannot compute like a disabled one.
            item.Status = Status.NotFound;
            item.Expected = null;
        }
    }

    private static void InitSignature(Item item, RpmHeader header, RpmHeaderEntry entry, string? arrayValue, OpenPgpKeyRing keyRing, string origin)
    {
        byte[] data;
        if (entry.Type == RpmTagType.Bin)
        {
            data = header.GetBytes(item.Tag).ToArray();
        }
        else if (arrayValue is not null && TryBase64(arrayValue, out var decoded))
        {
            data = decoded;
        }
        else
        {
            item.Fail($"{origin} tag {item.Tag}: invalid OpenPGP signature");
            return;
        }

        PgpSignature signature;
        try
        {
            var list = new PgpObjectFactory(data).NextPgpObject() as PgpSignatureList;
            if (list is null || list.Count != 1)
            {
                FailOrUnsupported(item, data, $"{origin} tag {item.Tag}: invalid OpenPGP signature");
                return;
            }

            signature = list[0];
        }
        catch (Exception ex) when (OpenPgpKeyRing.IsLibraryError(ex))
        {
            FailOrUnsupported(item, data, $"{origin} tag {item.Tag}: invalid OpenPGP signature: {ex.Message}");
            return;
        }

        item.Signature = signature;
        item.Initialized = true;
        item.HashAlgo = (int)signature.HashAlgorithm;
        item.Expected = ((ulong)signature.KeyId).ToString("x16", CultureInfo.InvariantCulture);
        item.SignatureDescription = SignatureDescription(signature.Version, (int)signature.KeyAlgorithm, item.HashAlgo, item.Expected);
        if (signature.SignatureType != PgpSignature.BinaryDocument)
        {
            item.Status = Status.Bad;
            return;
        }

        var key = keyRing.Find((ulong)signature.KeyId);
        if (key?.Key is null)
        {
            item.Status = Status.NoKey;
            return;
        }

        item.Actual = key.Fingerprint;
        if (key.IsRevoked || (key.Expires is { } expires && signature.CreationTime > expires.UtcDateTime))
        {
            item.Status = Status.Bad;
            item.Message = key.IsRevoked ? $"key {key.KeyId} is revoked" : $"key {key.KeyId} expired on {key.Expires:yyyy-MM-dd}";
            return;
        }

        try
        {
            signature.InitVerify(key.Key);
        }
        catch (Exception ex) when (OpenPgpKeyRing.IsLibraryError(ex))
        {
            item.Fail($"cannot verify with key {key.KeyId}: {ex.Message}");
        }
    }

    private static void FailOrUnsupported(Item item, byte[] data, string failure)
    {
        if (OpenPgpPacketInfo.TryReadSignature(data) is { Version: not (3 or 4) } info)
        {
            // A well-formed signature the library cannot read (RFC 9580 v6, post-quantum algorithms): say so, never guess.
            item.SignatureDescription = info.Description;
            item.Expected = info.KeyId;
            item.Status = Status.Unsupported;
            item.Message = $"BouncyCastle here cannot read OpenPGP v{info.Version} signatures";
            return;
        }

        item.Fail(failure);
    }

    private static void Hash(List<Item> items, RpmPackage package, Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long headerLeft = package.Header.Size;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int want = headerLeft > 0 ? (int)Math.Min(buffer.Length, headerLeft) : buffer.Length;
            int n = stream.Read(buffer, 0, want);
            if (n <= 0)
            {
                if (headerLeft > 0)
                {
                    RpmThrow.Format(package.FileName, package.PayloadOffset - headerLeft, "truncated package: the main header ends early");
                }

                break;
            }

            var range = headerLeft > 0 ? RpmCheckRange.Header : RpmCheckRange.Payload;
            foreach (var item in items)
            {
                if ((item.Range & range) != 0)
                {
                    item.Update(buffer.AsSpan(0, n));
                }
            }

            if (headerLeft > 0)
            {
                headerLeft -= n;
            }
        }
    }

    /// <summary>rpm's <c>rpmvsVerify</c>: sort, then decide which items it reports.</summary>
    private static ImmutableArray<RpmVerificationCheck> Report(List<Item> items)
    {
        // Range, then signatures before digests, then the newer (higher) tag first.
        var sorted = items.OrderBy(i => (int)i.Range).ThenByDescending(i => i.Type).ThenByDescending(i => i.Id).ThenByDescending(i => i.Group).ToList();
        var verified = new int[3];
        int range = 0;
        foreach (var item in sorted)
        {
            // Digests in a signed header are as strong as its signature.
            if (item.Wrapped && (verified[SignatureType] & (int)RpmCheckRange.Header) != 0)
            {
                item.Strength = SignatureType;
            }

            if (item.Computed && item.Status == Status.Ok)
            {
                verified[item.Type] |= (int)item.Range;
                verified[item.Strength] |= (int)item.Range;
            }

            range |= (int)item.Range;
        }

        int level = DigestType | (verified[SignatureType] != 0 ? SignatureType : 0);
        var result = ImmutableArray.CreateBuilder<RpmVerificationCheck>();
        var unsupported = new List<RpmVerificationCheck>();
        foreach (var item in sorted)
        {
            int strength = item.Type | item.Strength;
            if (item.Status is Status.Bad)
            {
                var alternative = sorted.FirstOrDefault(a => a.Id != item.Id && a.Group == item.Group);
                if (alternative is { Status: Status.Ok })
                {
                    item.Status = Status.NotFound;
                }
            }

            int required = 0;
            if ((level & strength & DigestType) != 0)
            {
                required |= range & ~verified[DigestType] & (int)item.Range;
            }

            if ((level & strength & SignatureType) != 0)
            {
                required |= range & ~verified[SignatureType] & (int)item.Range;
            }

            if (required == 0 && item.Status == Status.NotFound)
            {
                continue;
            }

            if (item.Status == Status.Unsupported && required == 0)
            {
                // rpm would treat it as absent and say nothing; the API lists it so nobody mistakes it for checked.
                unsupported.Add(item.ToCheck());
                continue;
            }

            result.Add(item.ToCheck());
        }

        result.AddRange(unsupported);
        return result.ToImmutable();
    }

    /// <summary>rpm's <c>pgpIdentItem</c>: <c>V4 RSA/SHA256 Signature, key ID 1964c5fc</c>.</summary>
    internal static string SignatureDescription(int version, int keyAlgorithm, int hashAlgorithm, string keyId)
        => $"V{version} {OpenPgpKeyRing.AlgorithmName(keyAlgorithm)}/{HashName(hashAlgorithm)} Signature, key ID {keyId[^8..]}";

    private static IncrementalHash? CreateHash(int algo)
    {
        HashAlgorithmName? name = algo switch
        {
            1 => HashAlgorithmName.MD5,
            2 => HashAlgorithmName.SHA1,
            8 => HashAlgorithmName.SHA256,
            9 => HashAlgorithmName.SHA384,
            10 => HashAlgorithmName.SHA512,
            12 when SHA3_256.IsSupported => HashAlgorithmName.SHA3_256,
            14 when SHA3_512.IsSupported => HashAlgorithmName.SHA3_512,
            _ => null,
        };
        return name is { } n ? IncrementalHash.CreateHash(n) : null;
    }

    private static string HashName(int algo) => algo switch
    {
        1 => "MD5",
        2 => "SHA1",
        3 => "RIPEMD160",
        8 => "SHA256",
        9 => "SHA384",
        10 => "SHA512",
        11 => "SHA224",
        12 => "SHA3-256",
        14 => "SHA3-512",
        _ => $"hash {algo}",
    };

    private static bool IsValidHex(string text)
        => text.Length % 2 == 0 && text.Length >= 40 && text.All(char.IsAsciiHexDigit);

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out int written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }

    private enum Status
    {
        Ok,
        Bad,
        NoKey,
        NotFound,
        Unsupported,
    }

    private sealed class Item(RpmCheckKind kind, int tag, int index, int type, RpmCheckRange range, bool wrapped, int group)
    {
        public RpmCheckKind Kind { get; } = kind;

        public int Tag { get; } = tag;

        public int Type { get; } = type;

        public RpmCheckRange Range { get; } = range;

        public bool Wrapped { get; } = wrapped;

        public int Group { get; } = group;

        public int Strength { get; set; } = type;

        public int HashAlgo { get; set; }

        public Status Status { get; set; } = Status.Ok;

        public string? Expected { get; set; }

        public string? Actual { get; set; }

        public string? Message { get; set; }

        public IncrementalHash? Hash { get; set; }

        public PgpSignature? Signature { get; set; }

        public string? SignatureDescription { get; set; }

        /// <summary>Whether the item was computed (rpm's "has a digest context"); absent and malformed items were not.</summary>
        public bool Computed { get; private set; }

        /// <summary>Whether the tag's value parsed (rpm then gives the item an id).</summary>
        public bool Initialized { get; set; }

        /// <summary>rpm's id: tag and array index, or 0 for an item whose value did not parse.</summary>
        public int Id => Initialized ? (Tag << 16) | index : 0;

        public void Fail(string message)
        {
            Status = Status.Bad;
            Message = message;
        }

        public void Update(ReadOnlySpan<byte> bytes)
        {
            if (Status != Status.Ok)
            {
                return;
            }

            if (Hash is not null)
            {
                Hash.AppendData(bytes);
            }
            else
            {
                Signature?.Update(bytes);
            }
        }

        public void Finish()
        {
            if (Status != Status.Ok)
            {
                return;
            }

            if (Hash is not null)
            {
                Computed = true;
                Actual = Convert.ToHexStringLower(Hash.GetHashAndReset());
                Hash.Dispose();
                if (!string.Equals(Actual, Expected, StringComparison.Ordinal))
                {
                    Status = Status.Bad;
                    Message = $"Expected {Expected} != {Actual}";
                }
            }
            else if (Signature is not null)
            {
                Computed = true;
                bool ok;
                try
                {
                    ok = Signature.Verify();
                }
                catch (Exception ex) when (OpenPgpKeyRing.IsLibraryError(ex))
                {
                    ok = false;
                    Message = ex.Message;
                }

                Status = ok ? Status.Ok : Status.Bad;
            }
        }

        public RpmVerificationCheck ToCheck()
        {
            var status = Status switch
            {
                Status.Ok => RpmCheckStatus.Ok,
                Status.Bad => RpmCheckStatus.Bad,
                Status.NoKey => RpmCheckStatus.NoKey,
                Status.Unsupported => RpmCheckStatus.Unsupported,
                _ => RpmCheckStatus.Absent,
            };
            return new RpmVerificationCheck(Kind, Tag, Range, Describe(), status, Expected, Status == Status.Ok || Type == DigestType ? Actual : null, Message);
        }

        private string Describe()
        {
            string rangeName = Range switch
            {
                RpmCheckRange.Header => "Header ",
                RpmCheckRange.Payload => "Payload ",
                _ => string.Empty,
            };
            if (Type == SignatureType)
            {
                return SignatureDescription is { } d ? rangeName + d : $"{rangeName}{(Tag is (int)RpmSignatureTag.Dsa or (int)RpmSignatureTag.Gpg ? "DSA" : "RSA")} signature";
            }

            var text = new StringBuilder(rangeName).Append(HashName(HashAlgo));
            if (Kind == RpmCheckKind.PayloadDigestAlt)
            {
                text.Append(" ALT");
            }

            return text.Append(" digest").ToString();
        }
    }
}
