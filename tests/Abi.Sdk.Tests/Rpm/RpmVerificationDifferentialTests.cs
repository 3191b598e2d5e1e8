using Abi.Sdk.Rpm;
using Abi.Sdk.Tests.TestSupport;

namespace Abi.Sdk.Tests.Rpm;

/// <summary>
/// <see cref="RpmPackage.Verify"/> against <c>rpm -Kv</c> (rpm 4.18): every package of the fixtures and the shared corpus,
/// copies we corrupt, and rpm's signed test packages against its test keys imported with <c>rpmkeys --import</c> into a
/// private <c>--dbpath</c>.
/// </summary>
public sealed class RpmVerificationDifferentialTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("abi-rpm-verify-");

    public void Dispose() => _scratch.Delete(true);

    [Fact]
    public void DigestsAgreeWithRpmKNoSignatureOnEveryPackage()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var packages = RpmTestData.AllPackages(includeCorpus: true);
        var db = EmptyDb();
        foreach (var path in packages)
        {
            AssertAgrees(rpm, db, path, keyRing: null);
        }

        // The corpus holds rpm's deliberately corrupted package: rpm and we both call it NOT OK.
        if (Paths.Corpus is { } corpus)
        {
            var corrupted = RpmPackage.Open(Path.Combine(corpus, "rpm", "rpm-tests", "hello-2.0-1.x86_64-corrupted.rpm")).Verify(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("DIGESTS NOT OK", corrupted.Summary);
            Assert.Equal(RpmCheckKind.PayloadDigest, corrupted.FirstFailure!.Kind);
        }
    }

    [Fact]
    public void CorruptedCopiesAgreeWithRpmK()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var db = EmptyDb();
        int corrupted = 0;
        foreach (var path in RpmTestData.FixturePackages)
        {
            var bytes = File.ReadAllBytes(path);
            var package = RpmPackage.Parse(bytes);

            // A header byte (inside the description text, so the header still parses) and a payload byte.
            var header = (byte[])bytes.Clone();
            header[package.Header.DataFileOffset((int)RpmTag.Description)] ^= 0x01;
            var payload = (byte[])bytes.Clone();
            payload[(int)(package.PayloadOffset + ((bytes.Length - package.PayloadOffset) / 2))] ^= 0x20;
            foreach (var (name, data) in new[] { ("header", header), ("payload", payload) })
            {
                var copy = Path.Combine(_scratch.FullName, $"{name}-{Path.GetFileName(path)}");
                File.WriteAllBytes(copy, data);
                var ours = AssertAgrees(rpm, db, copy, keyRing: null);
                Assert.False(ours.IsOk, $"{copy}: a flipped {name} byte went unnoticed");
                Assert.False(ours.DigestsOk);
                corrupted++;
            }
        }

        Assert.True(corrupted >= 10);
    }

    [Fact]
    public void SignaturesAgreeWithRpmKAfterRpmkeysImport()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var rpmkeys = Tools.Require("rpmkeys", "rpm");
        var keys = Path.Combine(Paths.RequireCorpus(), "rpm", "keys");
        var key = Path.Combine(keys, "rpm.org-rsa-2048-test.pub");
        var db = EmptyDb();
        var (code, _, stderr) = Tools.Run(rpmkeys, ["--dbpath", db, "--import", key]);
        Assert.True(code == 0, stderr);
        var ring = OpenPgpKeyRing.Load([key]);
        int verified = 0;
        foreach (var path in RpmTestData.AllPackages(includeCorpus: true))
        {
            if (path.EndsWith("rpm-basic-with-ecdsa-2.3.4-5.el9.noarch.rpm", StringComparison.Ordinal))
            {
                // rpm 4.18 here cannot parse ECDSA signatures ("BAD (package tag 267: invalid OpenPGP signature)");
                // we read it and, the key being elsewhere, say NOKEY.
                var ecdsa = RpmPackage.Open(path).Verify(ring, TestContext.Current.CancellationToken).Checks.Single(c => c.IsSignature);
                Assert.Equal(RpmCheckStatus.NoKey, ecdsa.Status);
                Assert.StartsWith("Header V4 ECDSA/SHA256 Signature, key ID d139a931", ecdsa.Description, StringComparison.Ordinal);
                continue;
            }

            var ours = AssertAgrees(rpm, db, path, ring);
            verified += ours.Checks.Count(c => c.IsSignature && c.IsOk && c.Kind != RpmCheckKind.OpenPgpSignature);
        }

        // hello-2.0-1.x86_64-signed, -v3-signed (header and header+payload signatures) and -signed-mldsa87.
        Assert.True(verified >= 5, $"{verified} signatures verified");

        // Without the key, rpm and we both say NOKEY for each.
        var empty = EmptyDb();
        foreach (var path in Directory.GetFiles(Path.Combine(Paths.RequireCorpus(), "rpm", "rpm-tests"), "hello-2.0-1.x86_64*signed*.rpm"))
        {
            var ours = AssertAgrees(rpm, empty, path, OpenPgpKeyRing.Empty);
            Assert.Contains(ours.Checks, c => c.Status == RpmCheckStatus.NoKey);
            Assert.Equal("digests SIGNATURES NOT OK", ours.Summary);
        }
    }

    [Fact]
    public void SubkeySignaturesRpmHereCannotJudge()
    {
        // rpm 4.18's own OpenPGP parser refuses to import these valid keys (their subkey bindings carry a critical
        // embedded back-signature, or the key is NIST P-256), so `rpm -K` can only say NOKEY. BouncyCastle reads them;
        // we assert what we say: the subkey that signed each package verifies it.
        var corpus = Paths.RequireCorpus();
        var keys = Path.Combine(corpus, "rpm", "keys");
        var tests = Path.Combine(corpus, "rpm", "rpm-tests");
        var addSubkey = OpenPgpKeyRing.Load([Path.Combine(keys, "rpm.org-rsa-2048-add-subkey.asc")]);
        Assert.Contains(addSubkey.Keys, k => k.IsSubkey && k.Algorithm == "EdDSA");
        var newSubkey = RpmPackage.Open(Path.Combine(tests, "hello-2.0-1.x86_64-signed-with-new-subkey.rpm")).Verify(addSubkey, TestContext.Current.CancellationToken);
        Assert.True(newSubkey.IsOk, string.Join("\n", newSubkey.Checks));
        Assert.Contains(newSubkey.Checks, c => c.Description == "Header V4 EdDSA/SHA512 Signature, key ID 11450b6c" && c.IsOk);

        var alice = OpenPgpKeyRing.Load([Path.Combine(keys, "alice.asc")]);
        var withSubkey = RpmPackage.Open(Path.Combine(tests, "hello-2.0-1.x86_64-signed-with-subkey.rpm"));
        var good = withSubkey.Verify(alice, TestContext.Current.CancellationToken);
        Assert.True(good.IsOk, string.Join("\n", good.Checks));
        Assert.Equal("digests signatures OK", good.Summary);

        // The same subkey revoked: its signatures no longer count.
        var revoked = OpenPgpKeyRing.Load([Path.Combine(keys, "alice-revoked-subkey.asc")]);
        Assert.Contains(revoked.Keys, k => k.IsSubkey && k.IsRevoked);
        var bad = withSubkey.Verify(revoked, TestContext.Current.CancellationToken);
        Assert.Equal("digests SIGNATURES NOT OK", bad.Summary);
        Assert.Contains(bad.Checks, c => c.IsSignature && c.Status == RpmCheckStatus.Bad && c.Message!.Contains("revoked", StringComparison.Ordinal));

        // An expired subkey: expired before the package was signed, so its signature is refused too.
        var expired = OpenPgpKeyRing.Load([Path.Combine(keys, "alice-expired-subkey.asc")]);
        var expiredKey = Assert.Single(expired.Keys, k => k.IsSubkey);
        Assert.NotNull(expiredKey.Expires);
        Assert.False(withSubkey.Verify(expired, TestContext.Current.CancellationToken).IsOk);
    }

    [Fact]
    public void V6AndPostQuantumSignaturesAreReportedUnsupported()
    {
        // rpm 4.18 ignores RPMSIGTAG_OPENPGP (and cannot import v6 keys); BouncyCastle 2.7 cannot read v6 packets.
        // We name each such signature and mark it UNSUPPORTED rather than guess; digests still decide the verdict.
        var corpus = Paths.RequireCorpus();
        var ring = OpenPgpKeyRing.Load([Path.Combine(corpus, "rpm", "keys", "rpm.org-rsa-2048-test.pub")]);
        var mldsa = RpmPackage.Open(Path.Combine(corpus, "rpm", "rpm-tests", "hello-2.0-1.x86_64-signed-mldsa87.rpm")).Verify(ring, TestContext.Current.CancellationToken);
        Assert.Equal("digests signatures OK", mldsa.Summary);
        var unsupported = Assert.Single(mldsa.Checks, c => c.Status == RpmCheckStatus.Unsupported);
        Assert.Equal("Header V6 ML-DSA-87+Ed448/SHA512 Signature, key ID d7ae9cd3", unsupported.Description);

        var multiple = RpmPackage.Open(Path.Combine(corpus, "rpm", "rpm-rs", "RPMS", "v6", "signed", "rpm-basic-multiple-signatures-2.3.4-5.el9.noarch.rpm")).Verify(ring, TestContext.Current.CancellationToken);
        Assert.Equal(
            ["Header V6 Ed25519/SHA512 Signature, key ID 2365d909", "Header V6 RSA/SHA512 Signature, key ID 46105918"],
            multiple.Checks.Where(c => c.Status == RpmCheckStatus.Unsupported).Select(c => c.Description));
        Assert.Contains(multiple.Checks, c => c.Kind == RpmCheckKind.HeaderSha3_256 && c.IsOk);

        foreach (var v6Key in new[] { "rpm.org-v6-ed25519-test.asc", "rpm.org-v6-rsa4k-test.asc", "rpm.org-v6-mldsa87-test.asc" })
        {
            var ex = Assert.Throws<OpenPgpKeyException>(() => OpenPgpKeyRing.Load([Path.Combine(corpus, "rpm", "keys", v6Key)]));
            Assert.Contains("version: 6", ex.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KeysAreAcceptedAndRefusedAsRpmkeysImportDoes()
    {
        var rpmkeys = Tools.Require("rpmkeys", "rpm");
        var keys = Path.Combine(Paths.RequireCorpus(), "rpm", "keys");

        // Malformed keys: CVE-2021-3521's unbound subkeys and a binding signature by another key's type.
        foreach (var name in new[] { "CVE-2021-3521-badbind.asc", "CVE-2021-3521-nosubsig.asc", "CVE-2021-3521-nosubsig-last.asc", "type-confusion.asc", "keyidcollision1.asc" })
        {
            var file = Path.Combine(keys, name);
            var ex = Assert.Throws<OpenPgpKeyException>(() => OpenPgpKeyRing.Load([file]));
            Assert.Equal(file, ex.FileName);
            Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
            Assert.NotEqual(0, Tools.Run(rpmkeys, ["--dbpath", EmptyDb(), "--import", file]).ExitCode);
        }

        // Keys rpm imports, we read too.
        foreach (var name in new[] { "rpm.org-rsa-2048-test.pub", "rpm.org-ed25519-test.pub", "different-creation-times.asc", "keyidcollision1.pub", "keyidcollision2.pub" })
        {
            var file = Path.Combine(keys, name);
            Assert.Equal(0, Tools.Run(rpmkeys, ["--dbpath", EmptyDb(), "--import", file]).ExitCode);
            Assert.NotEmpty(OpenPgpKeyRing.Load([file]).Keys);
        }

        // rpmkeys here takes only armored keys; we also read the same key in binary form.
        Assert.Equal(
            OpenPgpKeyRing.Load([Path.Combine(keys, "rpm.org-rsa-2048-test.pub")]).Keys.Select(k => k.Fingerprint),
            OpenPgpKeyRing.Load([Path.Combine(keys, "rpm.org-rsa-2048-test.pgp")]).Keys.Select(k => k.Fingerprint));
        Assert.Equal("4344591e1964c5fc", OpenPgpKeyRing.Load([Path.Combine(keys, "rpm.org-rsa-2048-test.pub")]).Keys[0].KeyId);
    }

    [Fact]
    public void ExtractionRefusesADamagedPackageUnlessTold()
    {
        var path = RpmTestData.FixturePackages.First(p => Path.GetFileName(p).StartsWith("abi-files-none", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(path);
        bytes[^200] ^= 0x01;
        var damaged = Path.Combine(_scratch.FullName, "damaged.rpm");
        File.WriteAllBytes(damaged, bytes);

        var ex = Assert.Throws<RpmFormatException>(() => RpmPackage.Open(damaged).ExtractTo(Path.Combine(_scratch.FullName, "a"), cancellationToken: TestContext.Current.CancellationToken));
        // An uncompressed payload: both payload digests (ALT first, as rpm sorts) cover the same bytes and fail.
        Assert.Contains("Payload SHA256 ALT digest: BAD (Expected ", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(damaged, ex.FileName);
        Assert.False(Directory.Exists(Path.Combine(_scratch.FullName, "a")));

        var options = new RpmPayloadOptions { SkipDigestVerification = true };
        Assert.True(RpmPackage.Open(damaged).ExtractTo(Path.Combine(_scratch.FullName, "b"), options, TestContext.Current.CancellationToken) > 0);
        Assert.True(RpmPackage.Open(path).Verify(cancellationToken: TestContext.Current.CancellationToken).IsOk);

        // The tool: --verify prints rpm's verdict, --extract refuses, --nodigest extracts anyway.
        var verify = AbiCli.Run(["rpm", "--verify", damaged]);
        Assert.Equal(1, verify.ExitCode);
        Assert.Equal($"{damaged}: DIGESTS NOT OK\n", verify.Stdout);
        var refused = AbiCli.Run(["rpm", "--extract", Path.Combine(_scratch.FullName, "c"), damaged]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("refusing to extract a damaged package", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, AbiCli.Run(["rpm", "--extract", Path.Combine(_scratch.FullName, "d"), "--nodigest", damaged]).ExitCode);
    }

    [Fact]
    public void CliPrintsWhatRpmKPrints()
    {
        var rpm = Tools.Require("rpm", "rpm");
        var packages = RpmTestData.CorpusPackages().Where(p => p.Contains("rpm-tests", StringComparison.Ordinal)).ToArray();
        var db = EmptyDb();
        var expected = Tools.Run(rpm, ["--dbpath", db, "-K", "--nosignature", .. packages]);
        var actual = AbiCli.Run(["rpm", "--verify", .. packages]);
        Assert.Equal(expected.Stdout, actual.Stdout);
        Assert.Equal(expected.ExitCode == 0 ? 0 : 1, actual.ExitCode);

        var verbose = Tools.Run(rpm, ["--dbpath", db, "-Kv", "--nosignature", .. packages]);
        // rpm 4.18 does not know rpm 6's SHA3-256 header digest, which we also check.
        var ours = AbiCli.Run(["rpm", "--verify", "-v", .. packages]).Stdout.Split('\n').Where(l => !l.Contains("Header SHA3-256 digest: OK", StringComparison.Ordinal));
        Assert.Equal(verbose.Stdout, string.Join('\n', ours));

        var key = Path.Combine(Paths.RequireCorpus(), "rpm", "keys", "rpm.org-rsa-2048-test.pub");
        var signed = packages.Single(p => p.EndsWith("hello-2.0-1.x86_64-signed.rpm", StringComparison.Ordinal));
        var withKey = AbiCli.Run(["rpm", "--verify", "--key", key, signed]);
        Assert.Equal(0, withKey.ExitCode);
        Assert.Equal($"{signed}: digests signatures OK\n", withKey.Stdout);
        var badKey = AbiCli.Run(["rpm", "--verify", "--key", Path.Combine(Paths.RequireCorpus(), "rpm", "keys", "type-confusion.asc"), signed]);
        Assert.Equal(1, badKey.ExitCode);
        Assert.StartsWith("abi: ", badKey.Stderr, StringComparison.Ordinal);
        Assert.Single(badKey.Stderr.TrimEnd('\n').Split('\n'));
    }

    /// <summary>
    /// Compares our checks with <c>rpm -Kv</c>'s lines and exit code (rpm 6's SHA3-256 and OPENPGP tags aside: rpm 4.18
    /// does not know them), and our verdict with <c>rpm -K</c>'s.
    /// </summary>
    private static RpmVerification AssertAgrees(string rpm, string db, string path, OpenPgpKeyRing? keyRing)
    {
        string[] mode = keyRing is null ? ["--nosignature"] : [];
        var verbose = Tools.Run(rpm, ["--dbpath", db, "-Kv", .. mode, path]);
        var expected = verbose.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Trim()).ToList();
        var ours = RpmPackage.Open(path).Verify(keyRing, TestContext.Current.CancellationToken);
        var actual = ours.Checks.Where(c => c.Kind is not (RpmCheckKind.HeaderSha3_256 or RpmCheckKind.OpenPgpSignature)).Select(c => c.ToString()).ToList();
        Assert.True(expected.SequenceEqual(actual), $"{path}:\n rpm -Kv: {string.Join(" | ", expected)}\n ours:    {string.Join(" | ", actual)}");
        Assert.Equal(verbose.ExitCode == 0, ours.IsOk);

        bool rpm418Knows = ours.Checks.All(c => c.Kind is not (RpmCheckKind.HeaderSha3_256 or RpmCheckKind.OpenPgpSignature));
        if (rpm418Knows)
        {
            var brief = Tools.Run(rpm, ["--dbpath", db, "-K", .. mode, path]);
            Assert.Equal($"{path}: {ours.Summary}\n", brief.Stdout);
        }

        return ours;
    }

    /// <summary>A private, empty rpm database folder (rpm's key ring), never the system's.</summary>
    private string EmptyDb() => Directory.CreateDirectory(Path.Combine(_scratch.FullName, "db-" + Guid.NewGuid().ToString("n"))).FullName;
}
