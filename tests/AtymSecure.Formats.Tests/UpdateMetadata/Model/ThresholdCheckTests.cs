using AtymSecure.Primitives;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Model;

public class ThresholdCheckTests
{
    private static readonly IMetadataSigner A = TestKeys.Ed25519("a"), B = TestKeys.Ed25519("b"), C = TestKeys.Ed25519("c"), Outsider = TestKeys.Ed25519("outsider");

    private static int Count(SignedMetadata<RootMetadata> doc, int threshold = 2) =>
        ThresholdCheck.CountValid(doc, SampleMetadata.KeysOf(A, B, C), SampleMetadata.RoleOf(threshold, A, B, C));

    private static readonly RootMetadata Document = SampleMetadata.RootDocument();

    [Fact]
    public void Distinct_valid_signatures_of_role_keys_count()
    {
        Assert.Equal(2, Count(MetadataSigning.Sign(Document, A, B)));
        Assert.Equal(3, Count(MetadataSigning.Sign(Document, C, A, B)));
    }

    [Fact]
    public void One_key_signing_twice_counts_once()
    {
        var once = MetadataSigning.Sign(Document, A);
        var twice = SignedMetadata<RootMetadata>.Create(Document, [once.Signatures[0], once.Signatures[0]]);
        Assert.Equal(1, Count(twice));
        var e = Assert.Throws<MetadataRefusedException>(() =>
            ThresholdCheck.Require(twice, SampleMetadata.KeysOf(A, B, C), SampleMetadata.RoleOf(2, A, B, C), "root"));
        Assert.Equal(ReasonCodes.ThresholdNotMet, e.Code);
        Assert.Equal("root", e.Refusal.Role);
    }

    [Fact]
    public void A_second_signature_by_the_same_ecdsa_key_counts_once()
    {
        using var ecdsa = TestKeys.EcdsaP256();
        var first = MetadataSigning.Sign(Document, ecdsa).Signatures[0];
        // Our signatures are deterministic (RFC 6979), so take the other valid signature of the same key: (r, n − s).
        var second = first with { Sig = Convert.ToHexStringLower(Negated(Convert.FromHexString(first.Sig))) };
        Assert.NotEqual(first.Sig, second.Sig);
        Assert.True(ecdsa.PublicKey.VerificationKey.Verify(Formats.UpdateMetadata.Json.CanonicalJsonWriter.Encode(Document.ToJson()), Convert.FromHexString(second.Sig)));
        var doc = SignedMetadata<RootMetadata>.Create(Document, [first, second]);
        Assert.Equal(1, ThresholdCheck.CountValid(doc, SampleMetadata.KeysOf(ecdsa), SampleMetadata.RoleOf(1, ecdsa)));
    }

    /// <summary>The malleable twin of an ECDSA P-256 DER signature: (r, n − s) verifies as well.</summary>
    private static byte[] Negated(byte[] der)
    {
        var n = System.Numerics.BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);
        var sequence = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        var r = sequence.ReadInteger();
        var sValue = sequence.ReadInteger();
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(r);
            writer.WriteInteger(n - sValue);
        }
        return writer.Encode();
    }

    [Fact]
    public void One_key_listed_under_two_ids_counts_once()
    {
        using var ecdsa = TestKeys.EcdsaP256();
        var legacy = TufKey.FromJson(AtymSecure.Formats.UpdateMetadata.Json.JsonFields.Of(JsonEdit.Set(ecdsa.PublicKey.ToJson(), "keytype", "ecdsa-sha2-nistp256"), "$"));
        var keys = new EquatableMap<TufKey>([KeyValuePair.Create(ecdsa.PublicKey.KeyId, ecdsa.PublicKey), KeyValuePair.Create(legacy.KeyId, legacy)]);
        var role = new RoleKeys([ecdsa.PublicKey.KeyId, legacy.KeyId], 2);
        var signature = MetadataSigning.Sign(Document, ecdsa).Signatures[0];
        var doc = SignedMetadata<RootMetadata>.Create(Document, [signature, signature with { KeyId = legacy.KeyId }]);
        Assert.Equal(1, ThresholdCheck.CountValid(doc, keys, role));
    }

    [Fact]
    public void Unknown_keys_bad_signatures_and_keys_outside_the_role_count_for_nothing()
    {
        Assert.Equal(0, Count(MetadataSigning.Sign(Document, Outsider)));
        var good = MetadataSigning.Sign(Document, A).Signatures[0];
        var flipped = good with { Sig = (good.Sig[0] == '0' ? "1" : "0") + good.Sig[1..] };
        Assert.Equal(0, Count(SignedMetadata<RootMetadata>.Create(Document, [flipped])));
        // B's signature under A's key id: verifies under neither.
        var misattributed = MetadataSigning.Sign(Document, B).Signatures[0] with { KeyId = A.PublicKey.KeyId };
        Assert.Equal(0, Count(SignedMetadata<RootMetadata>.Create(Document, [misattributed])));
        // A known key that the role does not list.
        Assert.Equal(0, ThresholdCheck.CountValid(MetadataSigning.Sign(Document, C), SampleMetadata.KeysOf(A, B, C), SampleMetadata.RoleOf(1, A, B)));
    }

    [Fact]
    public void A_signature_over_other_bytes_does_not_count()
    {
        var other = MetadataSigning.Sign(Document with { Version = 2 }, A).Signatures[0];
        Assert.Equal(0, Count(SignedMetadata<RootMetadata>.Create(Document, [other])));
    }
}
