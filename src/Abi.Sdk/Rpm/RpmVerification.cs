using System.Collections.Immutable;
using System.Text;

namespace Abi.Sdk.Rpm;

/// <summary>What one check of <see cref="RpmPackage.Verify"/> verifies.</summary>
public enum RpmCheckKind
{
    /// <summary>RPMSIGTAG_SHA256: SHA-256 of the main header.</summary>
    HeaderSha256,

    /// <summary>RPMSIGTAG_SHA1: SHA-1 of the main header (rpm 4.0 to 4.x packages).</summary>
    HeaderSha1,

    /// <summary>RPMSIGTAG_SHA3_256 (rpm 6): SHA3-256 of the main header. rpm 4.18 does not know this tag.</summary>
    HeaderSha3_256,

    /// <summary>RPMTAG_PAYLOADDIGEST: digest of the payload as stored (compressed).</summary>
    PayloadDigest,

    /// <summary>
    /// RPMTAG_PAYLOADDIGESTALT: meant as the digest of the uncompressed archive; rpm 4.18 hashes the stored payload for
    /// it too and reports it only when it verifies or when <see cref="PayloadDigest"/> fails as well.
    /// </summary>
    PayloadDigestAlt,

    /// <summary>RPMSIGTAG_MD5: MD5 of the main header and the payload (every rpm 3 and 4 package).</summary>
    HeaderAndPayloadMd5,

    /// <summary>RPMSIGTAG_RSA or RPMSIGTAG_DSA: a v4-era OpenPGP signature of the main header.</summary>
    HeaderSignature,

    /// <summary>RPMSIGTAG_PGP or RPMSIGTAG_GPG: a v3-era OpenPGP signature of the main header and the payload.</summary>
    HeaderAndPayloadSignature,

    /// <summary>RPMSIGTAG_OPENPGP (rpm 6): one of the OpenPGP signatures of the main header. rpm 4.18 does not know this tag.</summary>
    OpenPgpSignature,
}

/// <summary>The outcome of one check, in rpm's words.</summary>
public enum RpmCheckStatus
{
    /// <summary>The digest matches or the signature verifies (<c>OK</c>).</summary>
    Ok,

    /// <summary>The digest differs, the signature does not verify, or the tag is malformed (<c>BAD</c>).</summary>
    Bad,

    /// <summary>The signature's key is not in the key ring given (<c>NOKEY</c>).</summary>
    NoKey,

    /// <summary>The package lacks the tag, and rpm needs it because nothing else covers its range (<c>NOTFOUND</c>).</summary>
    Absent,

    /// <summary>
    /// A well-formed signature this library cannot check (an RFC 9580 v6 signature, a post-quantum algorithm): listed so
    /// nobody takes it for checked, never counted as a failure or a success (<c>UNSUPPORTED</c>).
    /// </summary>
    Unsupported,
}

/// <summary>The bytes a check covers (rpm's <c>RPMSIG_HEADER</c>/<c>RPMSIG_PAYLOAD</c> range bits).</summary>
[Flags]
public enum RpmCheckRange
{
    /// <summary>The main header.</summary>
    Header = 1,

    /// <summary>The payload as stored.</summary>
    Payload = 2,

    /// <summary>The main header followed by the payload.</summary>
    HeaderAndPayload = Header | Payload,
}

/// <summary>One digest or signature check, as <c>rpm -Kv</c> reports it.</summary>
/// <param name="Kind">What is checked.</param>
/// <param name="Tag">The tag holding the expected value (a signature-header tag, or a main-header tag for payload digests).</param>
/// <param name="Range">The bytes covered.</param>
/// <param name="Description">rpm's description, for example <c>Header SHA256 digest</c> or <c>Header V4 RSA/SHA256 Signature, key ID 1964c5fc</c>.</param>
/// <param name="Status">The outcome.</param>
/// <param name="Expected">For digests: the value the package declares (lower-case hex); for signatures: the issuer key ID (16 hex digits).</param>
/// <param name="Actual">For digests: the value computed; for signatures: the fingerprint of the key that verified it, else <see langword="null"/>.</param>
/// <param name="Message">rpm's detail (for example <c>Expected … != …</c>), or <see langword="null"/>.</param>
public sealed record RpmVerificationCheck(
    RpmCheckKind Kind,
    int Tag,
    RpmCheckRange Range,
    string Description,
    RpmCheckStatus Status,
    string? Expected,
    string? Actual,
    string? Message)
{
    /// <summary>Whether this is a signature check (else a digest check).</summary>
    public bool IsSignature => Kind is RpmCheckKind.HeaderSignature or RpmCheckKind.HeaderAndPayloadSignature or RpmCheckKind.OpenPgpSignature;

    /// <summary>Whether the check passed.</summary>
    public bool IsOk => Status == RpmCheckStatus.Ok;

    /// <summary>Whether the check counts toward the verdict (every status but <see cref="RpmCheckStatus.Unsupported"/>).</summary>
    public bool Counts => Status != RpmCheckStatus.Unsupported;

    /// <summary>The line <c>rpm -Kv</c> prints (without its indentation): <c>Header SHA256 digest: OK</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString()
    {
        var status = Status switch
        {
            RpmCheckStatus.Ok => "OK",
            RpmCheckStatus.Bad => "BAD",
            RpmCheckStatus.NoKey => "NOKEY",
            RpmCheckStatus.Unsupported => "UNSUPPORTED",
            _ => "NOTFOUND",
        };
        return Message is null ? $"{Description}: {status}" : $"{Description}: {status} ({Message})";
    }
}

/// <summary>
/// The result of <see cref="RpmPackage.Verify"/>: the checks rpm reports for the package, in rpm's order (by range, signatures
/// before digests, newer tags first), and the verdict <c>rpm -K</c> prints. Immutable.
/// </summary>
public sealed class RpmVerification
{
    internal RpmVerification(string? fileName, ImmutableArray<RpmVerificationCheck> checks, bool signaturesChecked)
    {
        FileName = fileName;
        Checks = checks;
        SignaturesChecked = signaturesChecked;
    }

    /// <summary>The package file, or <see langword="null"/> for in-memory input.</summary>
    public string? FileName { get; }

    /// <summary>
    /// The checks rpm reports, in its order, then any signatures this library cannot check
    /// (<see cref="RpmCheckStatus.Unsupported"/>). Checks that are absent but not needed are left out, as rpm leaves them out.
    /// </summary>
    public ImmutableArray<RpmVerificationCheck> Checks { get; }

    /// <summary>Whether signatures were checked (a key ring was given), as <c>rpm -K</c> does; else only digests, as <c>rpm -K --nosignature</c>.</summary>
    public bool SignaturesChecked { get; }

    /// <summary>Whether every reported check passed: <c>rpm -K</c>'s exit code 0.</summary>
    public bool IsOk => Checks.All(c => c.IsOk || !c.Counts);

    /// <summary>Whether every reported digest check passed (signatures aside).</summary>
    public bool DigestsOk => Checks.All(c => c.IsSignature || c.IsOk);

    /// <summary>The verdict <c>rpm -K</c> prints after the file name: <c>digests OK</c>, <c>DIGESTS NOT OK</c>, <c>digests SIGNATURES NOT OK</c>…</summary>
    public string Summary
    {
        get
        {
            var text = new StringBuilder();
            if (Checks.Any(c => !c.IsSignature))
            {
                text.Append(DigestsOk ? "digests " : "DIGESTS ");
            }

            if (Checks.Any(c => c.IsSignature && c.Counts))
            {
                text.Append(Checks.All(c => !c.IsSignature || c.IsOk || !c.Counts) ? "signatures " : "SIGNATURES ");
            }

            text.Append(IsOk ? "OK" : "NOT OK");
            return text.ToString();
        }
    }

    /// <summary>The first failed check, or <see langword="null"/>.</summary>
    public RpmVerificationCheck? FirstFailure => Checks.FirstOrDefault(c => !c.IsOk && c.Counts);
}
