using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Model;

public class MetadataModelTests
{
    internal static object ParseAs(string kind, byte[] bytes) => kind switch
    {
        "root" => SignedMetadata<RootMetadata>.Parse(bytes),
        "timestamp" => SignedMetadata<TimestampMetadata>.Parse(bytes),
        "snapshot" => SignedMetadata<SnapshotMetadata>.Parse(bytes),
        _ => SignedMetadata<TargetsMetadata>.Parse(bytes),
    };

    [Fact]
    public void Every_role_round_trips_with_value_equality()
    {
        void RoundTrip<T>(T document, IMetadataSigner signer) where T : RoleMetadata, IRoleMetadata<T>
        {
            var signed = MetadataSigning.Sign(document, signer);
            var read = SignedMetadata<T>.Parse(signed.ToBytes());
            Assert.Equal(signed, read);
            Assert.Equal(document, read.Signed);
            Assert.Equal(CanonicalJsonWriter.Encode(document.ToJson()), read.SignedBytes.ToArray());
            Assert.Equal(1, ThresholdCheck.CountValid(read, SampleMetadata.KeysOf(signer), SampleMetadata.RoleOf(1, signer)));
        }
        RoundTrip(SampleMetadata.RootDocument(), SampleMetadata.Root);
        RoundTrip(SampleMetadata.TopTargets(), SampleMetadata.Targets);
        RoundTrip(SampleMetadata.CompilerTargets(), SampleMetadata.Compiler);
        RoundTrip(SampleMetadata.SnapshotDocument(("targets", [1, 2, 3], 4)), SampleMetadata.Snapshot);
        RoundTrip(SampleMetadata.TimestampDocument([4, 5]), SampleMetadata.Timestamp);
        RoundTrip(SampleMetadata.DirectorTargets(new string('a', 64)), TestKeys.EcdsaP256());
    }

    [Fact]
    public void Records_compare_by_value_not_by_reference()
    {
        Assert.Equal(SampleMetadata.RootDocument(), SampleMetadata.RootDocument());
        Assert.Equal(SampleMetadata.TopTargets().GetHashCode(), SampleMetadata.TopTargets().GetHashCode());
        Assert.NotEqual(SampleMetadata.RootDocument(1), SampleMetadata.RootDocument(2));
        Assert.NotEqual(SampleMetadata.CompilerTargets("a" + new string('0', 63)), SampleMetadata.CompilerTargets("b" + new string('0', 63)));
    }

    [Fact]
    public void Expiry_is_whole_seconds_in_utc_and_counts_the_skew()
    {
        var root = SampleMetadata.RootDocument() with { Expires = new DateTimeOffset(2030, 1, 1, 2, 0, 0, 500, TimeSpan.FromHours(2)) };
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), root.Expires);
        Assert.Equal("2030-01-01T00:00:00Z", RoleMetadata.FormatTime(root.Expires));
        var skew = TimeSpan.FromMinutes(5);
        Assert.False(root.IsExpired(root.Expires.AddMinutes(4), skew));
        Assert.True(root.IsExpired(root.Expires.AddMinutes(5), skew));
    }

    [Fact]
    public void Key_ids_are_the_sha256_of_the_canonical_key_object()
    {
        var ed = TestKeys.Ed25519("root").PublicKey;
        var expected = $"{{\"keytype\":\"ed25519\",\"keyval\":{{\"public\":\"{ed.PublicValue}\"}},\"scheme\":\"ed25519\"}}";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expected))), ed.KeyId);
        Assert.Equal(64, ed.PublicValue.Length);

        using var ecdsaSigner = TestKeys.EcdsaP256();
        var ec = ecdsaSigner.PublicKey;
        Assert.Equal(("ecdsa", "ecdsa-sha2-nistp256"), (ec.KeyType, ec.Scheme));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", ec.PublicValue, StringComparison.Ordinal);
        Assert.EndsWith("-----END PUBLIC KEY-----\n", ec.PublicValue, StringComparison.Ordinal);
        var ecJson = $"{{\"keytype\":\"ecdsa\",\"keyval\":{{\"public\":\"{ec.PublicValue}\"}},\"scheme\":\"ecdsa-sha2-nistp256\"}}";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ecJson))), ec.KeyId);
    }

    [Fact]
    public void The_older_ecdsa_keytype_spelling_reads_under_its_own_id()
    {
        using var signer = TestKeys.EcdsaP256();
        var json = JsonEdit.Set(signer.PublicKey.ToJson(), "keytype", "ecdsa-sha2-nistp256");
        var key = TufKey.FromJson(JsonFields.Of(json, "$"));
        Assert.Equal(signer.PublicKey.PublicKeyIdentity, key.PublicKeyIdentity);
        Assert.NotEqual(signer.PublicKey.KeyId, key.KeyId);
    }

    /// <summary>A valid target entry: one byte, a sha256.</summary>
    private static readonly string TargetEntry = "{\"length\":1,\"hashes\":{\"sha256\":\"" + new string('0', 64) + "\"}}";

    public static TheoryData<string, string, string?, string> Malformed => new()
    {
        // kind, member path ('|' separated), new value as JSON (null: remove), expected path fragment of the refusal
        { "root", "signed|_type", "\"targets\"", "$.signed._type" },
        { "root", "signed|spec_version", "\"2.0.0\"", "$.signed.spec_version" },
        { "root", "signed|spec_version", "\"1.0.31-rc1\"", "$.signed.spec_version" },
        { "root", "signed|version", "0", "$.signed.version" },
        { "root", "signed|version", "\"1\"", "$.signed.version" },
        { "root", "signed|expires", "\"2030-01-01T00:00:00.000Z\"", "$.signed.expires" },
        { "root", "signed|expires", "\"2030-01-01 00:00:00Z\"", "$.signed.expires" },
        { "root", "signed|expires", "\"2030-13-01T00:00:00Z\"", "$.signed.expires" },
        { "root", "signed|expires", "\"2030-01-01T00:00:00+00:00\"", "$.signed.expires" },
        { "root", "signed|consistent_snapshot", null, "$.signed.consistent_snapshot" },
        { "root", "signed|roles|root", null, "$.signed.roles.root" },
        { "root", "signed|roles|mirrors", "{\"keyids\":[],\"threshold\":1}", "$.signed.roles.mirrors" },
        { "root", "signed|roles|root|threshold", "0", "$.signed.roles.root.threshold" },
        { "root", "signed|roles|root|threshold", "33", "$.signed.roles.root.threshold" },
        { "root", "signed|roles|root|keyids", "[\"" + new string('0', 64) + "\"]", "$.signed.roles.root.keyids[0]" },
        { "root", "signed|roles|root|keyids", "[\"ABC\"]", "$.signed.roles.root.keyids[0]" },
        { "root", "signed|keys", "[]", "$.signed.keys" },
        { "root", "signatures", "{}", "$.signatures" },
        { "root", "signatures|0|keyid", "\"short\"", "$.signatures[0].keyid" },
        { "root", "signatures|0|sig", "\"abc\"", "$.signatures[0].sig" },
        { "root", "signatures|0|sig", "\"ABCD\"", "$.signatures[0].sig" },
        { "root", "signed", null, "$.signed" },
        { "timestamp", "signed|meta|targets.json", "{\"version\":1}", "$.signed.meta[\"targets.json\"]" },
        { "timestamp", "signed|meta|snapshot.json|version", "-1", "$.signed.meta[\"snapshot.json\"].version" },
        { "timestamp", "signed|meta|snapshot.json|length", "-1", "$.signed.meta[\"snapshot.json\"].length" },
        { "timestamp", "signed|meta|snapshot.json|hashes", "{\"md5\":\"00\"}", "$.signed.meta[\"snapshot.json\"].hashes.md5" },
        { "timestamp", "signed|meta|snapshot.json|hashes", "{\"sha512\":\"" + new string('0', 128) + "\"}", "$.signed.meta[\"snapshot.json\"].hashes.sha256" },
        { "snapshot", "signed|meta|../x.json", "{\"version\":1}", "$.signed.meta[\"../x.json\"]" },
        { "snapshot", "signed|meta|root.json", "{\"version\":1}", "$.signed.meta[\"root.json\"]" },
        { "snapshot", "signed|meta|targets", "{\"version\":1}", "$.signed.meta.targets" },
        { "targets", "signed|targets|../escape", TargetEntry, "$.signed.targets[\"../escape\"]" },
        { "targets", "signed|targets|/abs", TargetEntry, "$.signed.targets[\"/abs\"]" },
        { "targets", "signed|targets|a//b", TargetEntry, "$.signed.targets[\"a//b\"]" },
        { "targets", "signed|targets|.hidden", TargetEntry, "$.signed.targets[\".hidden\"]" },
        { "targets", "signed|targets|a\\b", TargetEntry, "$.signed.targets[\"a\\\\b\"]" },
        { "targets", "signed|targets|ok", "{\"length\":1,\"hashes\":{\"sha256\":\"" + new string('A', 64) + "\"}}", "$.signed.targets.ok.hashes.sha256" },
        { "targets", "signed|targets|ok", "{\"length\":1,\"hashes\":{}}", "$.signed.targets.ok.hashes.sha256" },
        { "targets", "signed|targets|ok", "{\"hashes\":{\"sha256\":\"" + new string('0', 64) + "\"}}", "$.signed.targets.ok.length" },
        { "targets", "signed|targets|ok", "{\"length\":1,\"hashes\":{\"sha256\":\"" + new string('0', 64) + "\"},\"custom\":[]}", "$.signed.targets.ok.custom" },
        { "targets", "signed|delegations|roles|0|name", "\"targets\"", "$.signed.delegations.roles[0].name" },
        { "targets", "signed|delegations|roles|0|name", "\"Vendor/x\"", "$.signed.delegations.roles[0].name" },
        { "targets", "signed|delegations|roles|0|name", "\"compiler-linux-x86_64\"", "$.signed.delegations.roles[1]" },
        { "targets", "signed|delegations|roles|0|paths", "[\"sources/[ab]/*\"]", "$.signed.delegations.roles[0].paths[0]" },
        { "targets", "signed|delegations|roles|0|paths", "[\"sources/{a,b}/*\"]", "$.signed.delegations.roles[0].paths[0]" },
        { "targets", "signed|delegations|roles|0|paths", "[\"a\",\"a\"]", "$.signed.delegations.roles[0].paths[1]" },
        { "targets", "signed|delegations|roles|0|paths", null, "$.signed.delegations.roles[0]" },
        { "targets", "signed|delegations|roles|0|path_hash_prefixes", "[\"ab\"]", "$.signed.delegations.roles[0]" },
        { "targets", "signed|delegations|roles|0|terminating", "1", "$.signed.delegations.roles[0].terminating" },
        { "targets", "signed|delegations|roles|0|keyids", "[\"" + new string('1', 64) + "\"]", "$.signed.delegations.roles[0].keyids[0]" },
        { "targets", "signed|delegations|keys", "{\"" + new string('1', 64) + "\":{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" + new string('0', 63) + "1\"}}}", "$.signed.delegations.keys" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Readers_refuse_with_the_path(string kind, string path, string? json, string expectedPath)
    {
        var file = SampleMetadata.AllFiles().Single(f => f.Name == kind).Bytes;
        var tree = (CanonicalJsonObject)StrictJsonReader.Parse(file);
        var edited = JsonEdit.Set(tree, path, json is null ? null : StrictJsonReader.Parse(Encoding.UTF8.GetBytes(json)));
        var e = Assert.Throws<MetadataRefusedException>(() => ParseAs(kind, CanonicalJsonWriter.EncodeDocument(edited)));
        Assert.Equal(ReasonCodes.MetadataMalformed, e.Code);
        Assert.StartsWith(expectedPath, e.Refusal.Path, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadKeys => new()
    {
        { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"zz\"}}", "$.keyval.public" },
        { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" + new string('A', 64) + "\"}}", "$.keyval.public" },
        { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" + new string('0', 64) + "\",\"private\":\"00\"}}", "$.keyval.private" },
        { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" + new string('0', 64) + "\"},\"keyid_hash_algorithms\":[\"sha256\"]}", "$.keyid_hash_algorithms" },
        { "{\"keytype\":\"rsa\",\"scheme\":\"rsassa-pss-sha256\",\"keyval\":{\"public\":\"x\"}}", "$" },
        { "{\"keytype\":\"ed25519\",\"scheme\":\"ecdsa-sha2-nistp256\",\"keyval\":{\"public\":\"" + new string('0', 64) + "\"}}", "$" },
        { "{\"keytype\":\"ecdsa\",\"scheme\":\"ecdsa-sha2-nistp256\",\"keyval\":{\"public\":\"not pem\"}}", "$.keyval.public" },
        { "{\"keytype\":\"ecdsa\",\"scheme\":\"ecdsa-sha2-nistp384\",\"keyval\":{\"public\":\"x\"}}", "$" },
        { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\"}", "$.keyval" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void Key_reader_refuses(string json, string expectedPath)
    {
        var e = Assert.Throws<MetadataRefusedException>(() => TufKey.FromJson(JsonFields.Of(StrictJsonReader.Parse(Encoding.UTF8.GetBytes(json)), "$")));
        Assert.Equal(ReasonCodes.MetadataMalformed, e.Code);
        Assert.Equal(expectedPath, e.Refusal.Path);
    }

    [Fact]
    public void Ecdsa_pem_with_text_around_the_block_is_refused()
    {
        using var signer = TestKeys.EcdsaP256();
        var json = JsonEdit.Set(signer.PublicKey.ToJson(), "keyval|public", "comment\n" + signer.PublicKey.PublicValue);
        Assert.Throws<MetadataRefusedException>(() => TufKey.FromJson(JsonFields.Of(json, "$")));
    }

    [Fact]
    public void Too_many_signatures_are_refused_before_any_is_checked()
    {
        var root = MetadataSigning.Sign(SampleMetadata.RootDocument(), SampleMetadata.Root);
        var padded = SignedMetadata<RootMetadata>.Create(root.Signed, Enumerable.Repeat(root.Signatures[0], MetadataNames.MaxSignatures + 1));
        var e = Assert.Throws<MetadataRefusedException>(() => SignedMetadata<RootMetadata>.Parse(padded.ToBytes()));
        Assert.Equal("$.signatures", e.Refusal.Path);
    }

    [Fact]
    public void Custom_layouts_round_trip_and_refuse_bad_fields()
    {
        var image = new ImageTargetCustom(SampleMetadata.Release, "sha256:" + new string('b', 64));
        Assert.Equal(image, ImageTargetCustom.FromJson(image.ToJson(), "$"));
        var director = new DirectorTargetCustom(SampleMetadata.Release, new ImageReference(new string('a', 64), 10));
        Assert.Equal(director, DirectorTargetCustom.FromJson(director.ToJson(), "$"));
        var document = new DirectorDocumentCustom("atym-0123456789abcdef", "mcu-cortex-m33", "AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(document, DirectorDocumentCustom.FromJson(document.ToJson(), "$"));

        void Refused(Action read, string path) =>
            Assert.Equal(path, Assert.Throws<MetadataRefusedException>(read).Refusal.Path);
        Refused(() => ImageTargetCustom.FromJson(JsonEdit.Set(image.ToJson(), "sourceWasmDigest", "sha256:XYZ"), "$"), "$.sourceWasmDigest");
        Refused(() => ImageTargetCustom.FromJson(JsonEdit.Set(image.ToJson(), "codeKind", "elf"), "$"), "$.codeKind");
        Refused(() => ImageTargetCustom.FromJson(JsonEdit.Set(image.ToJson(), "version", "1.0"), "$"), "$.version");
        Refused(() => ImageTargetCustom.FromJson(JsonEdit.Set(image.ToJson(), "container", "../x"), "$"), "$.container");
        Refused(() => ImageTargetCustom.FromJson(JsonEdit.Set(image.ToJson(), "securityCounter", 1L << 32), "$"), "$.securityCounter");
        Refused(() => ImageTargetCustom.FromJson(null, "$.custom"), "$.custom");
        Refused(() => DirectorTargetCustom.FromJson(JsonEdit.Set(director.ToJson(), "image|sha256", "00"), "$"), "$.image.sha256");
        Refused(() => DirectorTargetCustom.FromJson(JsonEdit.Set(director.ToJson(), "image", null), "$"), "$.image");
        Refused(() => DirectorDocumentCustom.FromJson(JsonEdit.Set(document.ToJson(), "nonce", "short"), "$"), "$.nonce");
        Refused(() => DirectorDocumentCustom.FromJson(JsonEdit.Set(document.ToJson(), "deviceId", "a b"), "$"), "$.deviceId");
        Assert.Equal("wasm2c-object", ReleaseIdentity.CodeKindName(ArtifactKind.Wasm2cObject));
    }

    [Fact]
    public void Image_paths_carry_class_container_version_and_counter()
    {
        var path = TargetPaths.Image(SampleMetadata.Release, new string('a', 64));
        Assert.Equal($"images/linux-x86_64/sensor-filter/1.2.0/c7/{new string('a', 64)}.img", path);
        Assert.True(MetadataNames.IsTargetPath(path));
        Assert.True(PathPattern.Matches(TargetPaths.CompilerPattern("linux-x86_64"), path));
        Assert.False(PathPattern.Matches(TargetPaths.CompilerPattern("mcu-cortex-m33"), path));
        Assert.True(PathPattern.Matches(TargetPaths.VendorPattern("sensor-*"), TargetPaths.Source("sensor-filter", "2.0.0-rc.1+b.5")));
    }
}
