using System.Text;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Tests.Wire;

public class WireParserTests
{
    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Pae_matches_the_dsse_spec_example()
    {
        // https://github.com/secure-systems-lab/dsse/blob/v1.0.2/protocol.md#test-vectors
        Assert.Equal("DSSEv1 29 http://example.com/HelloWorld 11 hello world",
            Encoding.UTF8.GetString(Pae.Encode("http://example.com/HelloWorld", U("hello world"))));
        Assert.Equal("DSSEv1 0  0 ", Encoding.UTF8.GetString(Pae.Encode("", [])));
    }

    [Fact]
    public void Pae_counts_utf8_bytes_not_characters()
    {
        Assert.StartsWith("DSSEv1 2 é 3 ", Encoding.UTF8.GetString(Pae.Encode("é", [1, 2, 3])), StringComparison.Ordinal);
    }

    [Fact]
    public void Dsse_envelope_reports_every_problem_with_its_path()
    {
        var error = Assert.Throws<MalformedDocumentException>(() => DsseEnvelope.Parse(U("""{"signatures":[{"keyid":"k"}]}""")));
        Assert.Contains("$.payload: required", error.Errors);
        Assert.Contains("$.payloadType: required", error.Errors);
        Assert.Contains("$.signatures[0].sig: required", error.Errors);
    }

    [Theory]
    [InlineData("""{"payload":"!!notbase64","payloadType":"t","signatures":[{"sig":"AA=="}]}""")]
    [InlineData("""{"payload":"AA==","payloadType":"t","signatures":[]}""")]
    [InlineData("""{"payload":"AA==","payloadType":"t","payloadType":"u","signatures":[{"sig":"AA=="}]}""")] // duplicate key
    [InlineData("""{"payload":"AA==","payloadType":"t","signatures":[{"sig":"AA=="}]} trailing""")]
    [InlineData("[]")]
    [InlineData("null")]
    public void Malformed_dsse_envelopes_are_refused(string json) =>
        Assert.Throws<MalformedDocumentException>(() => DsseEnvelope.Parse(U(json)));

    [Fact]
    public void Statement_reports_every_problem_at_once()
    {
        var error = Assert.Throws<MalformedDocumentException>(() => InTotoStatement.Parse(U(
            """{"_type":"https://in-toto.io/Statement/v9","subject":[{"name":"a","digest":{"sha256":"ABC"}}],"predicateType":"not a uri","predicate":[]}""")));
        Assert.Equal(4, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.StartsWith("$._type", StringComparison.Ordinal));
        Assert.Contains("$.subject[0].digest.sha256: must be 64 lowercase hex characters", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("$.predicateType", StringComparison.Ordinal));
        Assert.Contains("$.predicate: must be a JSON object", error.Errors);
    }

    [Fact]
    public void Statement_v01_is_read_and_v1_is_written()
    {
        var digest = BundleTampering.RandomDigest();
        var written = SignerJson.Serialize(Statements.ForSignature(digest, "demo"));
        Assert.Contains("\"_type\":\"https://in-toto.io/Statement/v1\"", Encoding.UTF8.GetString(written), StringComparison.Ordinal);
        var legacy = InTotoStatement.Parse(U($$$"""{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"x","digest":{"sha256":"{{{digest.Encoded}}}"}}],"predicateType":"https://example.com/p"}"""));
        Assert.True(legacy.HasSubjectDigest("sha256", digest.Encoded));
    }

    [Fact]
    public void Statement_without_subjects_is_refused() =>
        Assert.Contains("$.subject: at least one subject is required",
            Assert.Throws<MalformedDocumentException>(() => InTotoStatement.Parse(U("""{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://x/y"}"""))).Errors);

    [Theory]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"h"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"AAAA"},"dsseEnvelope":{"payload":"","payloadType":"t","signatures":[{"sig":"AA=="}]}}""", "mutually exclusive")]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"h"},"certificate":{"rawBytes":"AA=="}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"signature":"AAAA"}}""", "mutually exclusive")]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"signature":"AAAA"}}""", "hint: required")]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"h"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"AAAA"}}""", "must be 32 bytes")]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"h"}},"dsseEnvelope":{"payload":"","payloadType":"t","signatures":[{"sig":"AA=="},{"sig":"AA=="}]}}""", "exactly one signature")]
    [InlineData("""{"mediaType":"text/plain","verificationMaterial":{"publicKey":{"hint":"h"}},"dsseEnvelope":{"payload":"","payloadType":"t","signatures":[{"sig":"AA=="}]}}""", "not a Sigstore bundle media type")]
    public void Malformed_bundles_name_the_problem(string json, string expected)
    {
        var error = Assert.Throws<MalformedDocumentException>(() => SigstoreBundle.Parse(U(json)));
        Assert.Contains(error.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Oversized_documents_are_refused_before_parsing()
    {
        var big = new byte[SigstoreBundle.MaxBytes + 1];
        Assert.Contains("limit", Assert.Throws<MalformedDocumentException>(() => SigstoreBundle.Parse(big)).Message, StringComparison.Ordinal);
        Assert.Throws<MalformedDocumentException>(() => DsseEnvelope.Parse(new byte[DsseEnvelope.MaxBytes + 1]));
        Assert.Throws<MalformedDocumentException>(() => InTotoStatement.Parse(new byte[InTotoStatement.MaxBytes + 1]));
        Assert.Throws<MalformedDocumentException>(() => SimpleSigningPayload.Parse(new byte[SimpleSigningPayload.MaxBytes + 1]));
    }

    [Fact]
    public void Deeply_nested_json_is_refused()
    {
        var nested = "{\"predicate\":" + new string('[', 200) + new string(']', 200) + "}";
        Assert.Throws<MalformedDocumentException>(() => InTotoStatement.Parse(U(nested)));
    }

    [Fact]
    public void Simple_signing_payload_round_trips_and_checks_its_digest()
    {
        var digest = BundleTampering.RandomDigest();
        var parsed = SimpleSigningPayload.Parse(SignerJson.Serialize(SimpleSigningPayload.For("r/x", digest.ToString())));
        Assert.Equal(digest.ToString(), parsed.Critical!.Image!.DockerManifestDigest);
        var error = Assert.Throws<MalformedDocumentException>(() => SimpleSigningPayload.Parse(U(
            """{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:XYZ"},"type":"something else"}}""")));
        Assert.Equal(2, error.Errors.Count);
    }

    [Fact]
    public void Slsa_provenance_requires_build_type_parameters_and_builder()
    {
        var error = Assert.Throws<MalformedDocumentException>(() => SlsaProvenance.Parse(U("""{"buildDefinition":{},"runDetails":{"builder":{}}}""")));
        Assert.Contains("$.buildDefinition.buildType: required", error.Errors);
        Assert.Contains("$.buildDefinition.externalParameters: required object", error.Errors);
        Assert.Contains("$.runDetails.builder.id: required", error.Errors);
    }

    [Fact]
    public void CycloneDx_bom_validates_format_version_hashes_and_unique_refs()
    {
        var error = Assert.Throws<MalformedDocumentException>(() => CycloneDxBom.Parse(U(
            """{"bomFormat":"SPDX","specVersion":"1.2","version":0,"serialNumber":"42","components":[{"type":"file","name":"a","bom-ref":"x","hashes":[{"alg":"SHA-999","content":"zz"}]},{"name":"b","bom-ref":"x"}]}""")));
        foreach (var path in new[] { "$.bomFormat", "$.specVersion", "$.serialNumber", "$.version", "$.components[0].hashes[0].alg", "$.components[0].hashes[0].content", "$.components[1].type", "$.components[1].bom-ref" })
            Assert.Contains(error.Errors, e => e.StartsWith(path, StringComparison.Ordinal));
    }
}
