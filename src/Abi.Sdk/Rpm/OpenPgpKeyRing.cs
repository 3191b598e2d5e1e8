using System.Collections.Immutable;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Abi.Sdk.Rpm;

/// <summary>An OpenPGP public key file is malformed or unacceptable (as <c>rpmkeys --import</c> refuses it): names the file and the reason.</summary>
public sealed class OpenPgpKeyException : AbiSdkFormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The key file, or <see langword="null"/> for in-memory input.</param>
    /// <param name="offset">The byte offset of the problem when known, else 0.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">The OpenPGP library's error, if any.</param>
    public OpenPgpKeyException(string? fileName, long offset, string reason, Exception? inner = null)
        : base(fileName, offset, reason, inner)
    {
    }
}

/// <summary>One signing key of a key ring: a primary key or a subkey whose binding signature verifies.</summary>
/// <param name="KeyId">The 64-bit key ID, 16 lower-case hex digits.</param>
/// <param name="Fingerprint">The fingerprint, lower-case hex.</param>
/// <param name="Version">The key packet version (4, or 6 for RFC 9580 keys).</param>
/// <param name="Algorithm">rpm's name of the public-key algorithm (<c>RSA</c>, <c>DSA</c>, <c>ECDSA</c>, <c>EdDSA</c>…).</param>
/// <param name="IsSubkey">Whether this is a subkey.</param>
/// <param name="PrimaryKeyId">The key ID of the primary key it belongs to (its own for a primary key).</param>
/// <param name="Created">When the key was made.</param>
/// <param name="Expires">When the key stops being valid, or <see langword="null"/> when it does not expire.</param>
/// <param name="IsRevoked">Whether a verified revocation signature revokes it (a revoked key verifies nothing).</param>
public sealed record OpenPgpKey(
    string KeyId,
    string Fingerprint,
    int Version,
    string Algorithm,
    bool IsSubkey,
    string PrimaryKeyId,
    DateTimeOffset Created,
    DateTimeOffset? Expires,
    bool IsRevoked)
{
    internal PgpPublicKey? Key { get; init; }
}

/// <summary>
/// The OpenPGP public keys <see cref="RpmPackage.Verify"/> checks signatures against, as <c>rpmkeys --import</c> builds
/// rpm's key ring: primary keys, and subkeys only when a binding signature by their primary key verifies (a key with an
/// unbound subkey is refused whole, as rpm refuses the keys of CVE-2021-3521). Immutable.
/// </summary>
public sealed class OpenPgpKeyRing
{
    private OpenPgpKeyRing(ImmutableArray<OpenPgpKey> keys) => Keys = keys;

    /// <summary>The empty ring: every signature is <see cref="RpmCheckStatus.NoKey"/>.</summary>
    public static OpenPgpKeyRing Empty { get; } = new([]);

    /// <summary>The keys, primary keys followed by their subkeys, in file order.</summary>
    public ImmutableArray<OpenPgpKey> Keys { get; }

    /// <summary>Reads key files (ASCII-armored or binary, each holding one or more public keys) into a ring.</summary>
    /// <param name="paths">The files.</param>
    /// <returns>The ring.</returns>
    /// <exception cref="OpenPgpKeyException">A file holds no public key, or a malformed or unacceptable one.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static OpenPgpKeyRing Load(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var ring = Empty;
        foreach (var path in paths)
        {
            ring = ring.Add(File.ReadAllBytes(path), path);
        }

        return ring;
    }

    /// <summary>Adds the public keys held in <paramref name="data"/> (ASCII-armored or binary).</summary>
    /// <param name="data">The key file's bytes.</param>
    /// <param name="fileName">The file name for errors, or <see langword="null"/>.</param>
    /// <returns>A new ring with the keys added.</returns>
    /// <exception cref="OpenPgpKeyException">The data holds no public key, or a malformed or unacceptable one.</exception>
    public OpenPgpKeyRing Add(ReadOnlyMemory<byte> data, string? fileName = null)
    {
        var added = ImmutableArray.CreateBuilder<OpenPgpKey>();
        PgpPublicKeyRingBundle bundle;
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(data.ToArray(), writable: false));
            bundle = new PgpPublicKeyRingBundle(input);
        }
        catch (Exception ex) when (IsLibraryError(ex))
        {
            throw new OpenPgpKeyException(fileName, 0, $"not an OpenPGP public key: {ex.Message}", ex);
        }

        foreach (PgpPublicKeyRing keyRing in bundle.GetKeyRings())
        {
            AddRing(keyRing, fileName, added);
        }

        if (added.Count == 0)
        {
            RpmThrow.Key(fileName, 0, "no OpenPGP public key in the file");
        }

        return new OpenPgpKeyRing(Keys.AddRange(added));
    }

    /// <summary>The key (primary key or bound subkey) with the given 64-bit key ID, or <see langword="null"/>.</summary>
    /// <param name="keyId">The key ID.</param>
    /// <returns>The key.</returns>
    public OpenPgpKey? Find(ulong keyId)
    {
        var hex = keyId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        return Keys.FirstOrDefault(k => k.KeyId == hex);
    }

    /// <summary>
    /// Whether <paramref name="ex"/> is the OpenPGP library refusing its input. BouncyCastle reports malformed packets
    /// through many exception types (its own, and IO, argument, cast and index errors), so all but the fatal ones count.
    /// </summary>
    internal static bool IsLibraryError(Exception ex)
        => ex is not (OpenPgpKeyException or OutOfMemoryException or OperationCanceledException or ThreadAbortException);

    internal static string AlgorithmName(int algorithm) => algorithm switch
    {
        1 or 2 or 3 => "RSA",
        16 => "Elgamal",
        17 => "DSA",
        18 => "ECDH",
        19 => "ECDSA",
        22 => "EdDSA",
        25 => "X25519",
        26 => "X448",
        27 => "Ed25519",
        28 => "Ed448",
        30 => "ML-DSA-65+Ed25519",
        31 => "ML-DSA-87+Ed448",
        _ => $"algorithm {algorithm}",
    };

    private static void AddRing(PgpPublicKeyRing keyRing, string? fileName, ImmutableArray<OpenPgpKey>.Builder added)
    {
        try
        {
            var keys = keyRing.GetPublicKeys().ToList();
            var primary = keys[0];
            if (!primary.IsMasterKey)
            {
                RpmThrow.Key(fileName, 0, "the key ring does not start with a primary key");
            }

            string primaryId = Hex(primary.KeyId);
            added.Add(Describe(primary, primaryId, isSubkey: false, expires: Expiry(primary, SelfSignatures(primary)), revoked: IsRevoked(primary, primary, PgpSignature.KeyRevocation)));
            foreach (var subkey in keys.Skip(1))
            {
                // CVE-2021-3521: a subkey counts only when its primary key signs the binding; rpm refuses the key otherwise.
                var bindings = subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding).Cast<PgpSignature>()
                    .Where(s => s.KeyId == primary.KeyId && VerifiesBinding(s, primary, subkey)).ToList();
                if (bindings.Count == 0)
                {
                    RpmThrow.Key(fileName, 0, $"subkey {Hex(subkey.KeyId)} of key {primaryId} has no valid binding signature by its primary key");
                }

                added.Add(Describe(subkey, primaryId, isSubkey: true, expires: Expiry(subkey, bindings), revoked: IsRevoked(primary, subkey, PgpSignature.SubkeyRevocation)));
            }
        }
        catch (Exception ex) when (IsLibraryError(ex))
        {
            throw new OpenPgpKeyException(fileName, 0, $"malformed OpenPGP public key: {ex.Message}", ex);
        }
    }

    private static List<PgpSignature> SelfSignatures(PgpPublicKey primary)
        => primary.GetSignatures().Cast<PgpSignature>().Where(s => s.KeyId == primary.KeyId && s.IsCertification()).ToList();

    private static bool VerifiesBinding(PgpSignature signature, PgpPublicKey primary, PgpPublicKey subkey)
    {
        try
        {
            signature.InitVerify(primary);
            return signature.VerifyCertification(primary, subkey);
        }
        catch (Exception ex) when (IsLibraryError(ex))
        {
            return false;
        }
    }

    private static bool IsRevoked(PgpPublicKey primary, PgpPublicKey key, int type)
        => key.GetSignaturesOfType(type).Cast<PgpSignature>().Any(s =>
        {
            try
            {
                s.InitVerify(primary);
                return type == PgpSignature.KeyRevocation ? s.VerifyCertification(key) : s.VerifyCertification(primary, key);
            }
            catch (Exception ex) when (IsLibraryError(ex))
            {
                return false;
            }
        });

    private static DateTimeOffset? Expiry(PgpPublicKey key, List<PgpSignature> signatures)
    {
        // The newest self-signature speaks for the key (RFC 9580, 5.2.3.10).
        var newest = signatures.OrderByDescending(s => s.CreationTime).FirstOrDefault();
        long seconds = newest?.GetHashedSubPackets()?.GetKeyExpirationTime() ?? 0;
        return seconds > 0 ? new DateTimeOffset(key.CreationTime, TimeSpan.Zero).AddSeconds(seconds) : null;
    }

    private static OpenPgpKey Describe(PgpPublicKey key, string primaryId, bool isSubkey, DateTimeOffset? expires, bool revoked)
        => new(
            Hex(key.KeyId),
            Convert.ToHexStringLower(key.GetFingerprint()),
            key.Version,
            AlgorithmName((int)key.Algorithm),
            isSubkey,
            primaryId,
            new DateTimeOffset(key.CreationTime, TimeSpan.Zero),
            expires,
            revoked)
        {
            Key = key,
        };

    private static string Hex(long keyId) => ((ulong)keyId).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
