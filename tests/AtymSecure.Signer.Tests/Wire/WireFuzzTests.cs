using System.Text;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;
using CsCheck;

namespace AtymSecure.Signer.Tests.Wire;

/// <summary>
/// Property tests: untrusted bytes reach each parser and the verifier, which may only accept or
/// fail with their own typed exception — never crash with anything else.
/// </summary>
public class WireFuzzTests
{
    private static readonly byte[] Manifest = "{\"schemaVersion\":2}"u8.ToArray();
    private static readonly Digest ManifestDigest = Digest.Compute(Manifest);
    private static readonly byte[] ValidDsseBundle =
        BundleFactory.CreateDsseAsync(TestKeys.EcdsaA, Statements.ForSignature(ManifestDigest, "demo/app")).GetAwaiter().GetResult().ToJson();
    private static readonly byte[] ValidMessageBundle =
        BundleFactory.CreateMessageSignatureAsync(TestKeys.EcdsaA, Manifest).GetAwaiter().GetResult().ToJson();

    private static readonly Func<byte[], object>[] Parsers =
    [
        b => DsseEnvelope.Parse(b), b => InTotoStatement.Parse(b), b => SigstoreBundle.Parse(b),
        b => SimpleSigningPayload.Parse(b), b => SlsaProvenance.Parse(b), b => CycloneDxBom.Parse(b),
    ];

    /// <summary>Random bytes, random JSON-ish text, and byte mutations of valid documents.</summary>
    private static readonly Gen<byte[]> Inputs = Gen.OneOf(
        Gen.Byte.Array[0, 300],
        Gen.Char["{}[]\":,0123456789abcdefnulltrue-+eE. \\"].Array[0, 200].Select(c => Encoding.UTF8.GetBytes(new string(c))),
        Gen.Select(Gen.OneOf<byte[]>(ValidDsseBundle, ValidMessageBundle), Gen.Int[0, int.MaxValue], Gen.Byte).Select((doc, at, value) =>
        {
            var copy = (byte[])doc.Clone();
            copy[at % copy.Length] = value;
            return copy;
        }));

    [Fact]
    public void Every_parser_either_parses_or_throws_MalformedDocumentException() =>
        Inputs.Sample(bytes =>
        {
            foreach (var parse in Parsers)
            {
                try { parse(bytes); }
                catch (MalformedDocumentException) { }
            }
        }, iter: 3000);

    [Fact]
    public void Verifier_on_mutated_bundles_only_verifies_or_fails_with_a_typed_error() =>
        Inputs.Sample(bytes =>
        {
            try
            {
                var verified = BundleVerifier.Verify(bytes, TrustedKeys.Of(TestKeys.EcdsaA.PublicKey), ManifestDigest, Manifest);
                // A mutation can only survive where the signature does not cover it (e.g. the hint).
                Assert.Equal(TestKeys.EcdsaA.KeyId, verified.KeyId);
            }
            catch (SignatureVerificationException)
            {
            }
        }, iter: 3000);

    [Fact]
    public void Statements_about_any_digest_round_trip_and_bind_exactly_that_digest() =>
        Gen.Select(Gen.Byte.Array[1, 64], Gen.String[1, 40]).Sample((content, name) =>
        {
            var digest = Digest.Compute(content);
            var parsed = InTotoStatement.Parse(SignerJson.Serialize(Statements.ForSignature(digest, name)));
            Assert.True(parsed.HasSubjectDigest("sha256", digest.Encoded));
            Assert.Equal(name, parsed.Subject![0].Name);
            Assert.False(parsed.HasSubjectDigest("sha256", Digest.Compute([.. content, 0]).Encoded));
        }, iter: 500);

    [Fact]
    public void Dsse_envelopes_round_trip_any_payload_and_type() =>
        Gen.Select(Gen.Byte.Array[0, 256], Gen.String[1, 40]).Sample((payload, type) =>
        {
            var envelope = new DsseEnvelope { Payload = payload, PayloadType = type, Signatures = [new DsseSignature { Sig = [1, 2, 3], KeyId = "k" }] };
            var back = DsseEnvelope.Parse(SignerJson.Serialize(envelope));
            Assert.Equal(payload, back.Payload);
            Assert.Equal(type, back.PayloadType);
            Assert.Equal(envelope.PreAuthenticationEncoding(), back.PreAuthenticationEncoding());
        }, iter: 500);
}
