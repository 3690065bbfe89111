using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.Formats.Tests.DeviceProtocol;

/// <summary>Every reader refuses what its format does not define, with the code and JSON path of the first wrong thing.</summary>
public class DeviceProtocolRejectionTests
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static string Valid => Encoding.UTF8.GetString(ProtocolSamples.Enrollment(Key).ToJson());

    private static DeviceProtocolException Refused(string json) =>
        Assert.Throws<DeviceProtocolException>(() => EnrollmentRequest.Parse(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void An_unknown_member_is_refused_at_its_path()
    {
        var e = Refused(Valid.Replace("{\"deviceClass\"", "{\"admin\":true,\"deviceClass\"", StringComparison.Ordinal));
        Assert.Equal(DeviceProtocolCodes.UnknownMember, e.Code);
        Assert.Equal("$.admin", e.Problem.Path);
    }

    [Fact]
    public void An_unknown_member_inside_a_partition_entry_is_refused()
    {
        var e = Refused(Valid.Replace("\"slotBytes\":262144", "\"slotBytes\":262144,\"x\":1", StringComparison.Ordinal));
        Assert.Equal(DeviceProtocolCodes.UnknownMember, e.Code);
        Assert.Equal("$.partitionTable[1].x", e.Problem.Path);
    }

    [Fact]
    public void Another_format_version_is_refused()
    {
        var e = Refused(Valid.Replace("\"formatVersion\":1", "\"formatVersion\":2", StringComparison.Ordinal));
        Assert.Equal(DeviceProtocolCodes.UnsupportedFormatVersion, e.Code);
    }

    [Fact]
    public void A_body_above_the_cap_is_refused_before_parsing()
    {
        var e = Assert.Throws<DeviceProtocolException>(() => EnrollmentRequest.Parse(new byte[EnrollmentRequest.MaxBytes + 1]));
        Assert.Equal(DeviceProtocolCodes.MessageTooLarge, e.Code);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"formatVersion\":1.0}")]
    [InlineData("{\"formatVersion\":1,\"formatVersion\":1}")]
    [InlineData("{\"formatVersion\":\"1\"}")]
    [InlineData("{\"formatVersion\":1} trailing")]
    public void Malformed_json_is_refused_as_malformed(string json)
    {
        var e = Refused(json);
        Assert.Equal(DeviceProtocolCodes.MessageMalformed, e.Code);
    }

    [Theory]
    [InlineData("\"deviceClass\":\"linux-x86_64\"", "\"deviceClass\":\"Linux X\"", "$.deviceClass")]
    [InlineData("\"runtimeVersion\":\"0.1.0\"", "\"runtimeVersion\":\"one\"", "$.runtimeVersion")]
    [InlineData("\"slotBytes\":262144", "\"slotBytes\":12", "$.partitionTable[1].slotBytes")]
    [InlineData("\"slotBytes\":262144", "\"slotBytes\":\"262144\"", "$.partitionTable[1].slotBytes")]
    [InlineData("\"container\":\"logger\"", "\"container\":\"sensor-filter\"", "$.partitionTable")]
    [InlineData("\"container\":\"logger\"", "\"container\":\"Bad Name\"", "$.partitionTable[1].container")]
    public void A_value_outside_its_grammar_is_refused_at_its_path(string good, string bad, string path)
    {
        var e = Refused(Valid.Replace(good, bad, StringComparison.Ordinal));
        Assert.Equal(DeviceProtocolCodes.MessageMalformed, e.Code);
        Assert.Equal(path, e.Problem.Path);
    }

    [Fact]
    public void Padded_or_non_canonical_base64url_is_refused()
    {
        // 32 bytes: 43 characters whose last one carries 2 unused bits, so a second spelling of the same bytes exists.
        var request = new SessionRequest(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), [1, 2, 3, 4, 5, 6, 7, 8]);
        var json = Encoding.UTF8.GetString(request.ToJson());
        var text = ProtocolJson.Base64Url(request.Challenge);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var strayBits = text[..^1] + alphabet[alphabet.IndexOf(text[^1], StringComparison.Ordinal) + 1];
        foreach (var bad in new[] { text + "=", text[..^1] + "+", "!!", strayBits })
        {
            var e = Assert.Throws<DeviceProtocolException>(() => SessionRequest.Parse(Encoding.UTF8.GetBytes(json.Replace(text, bad, StringComparison.Ordinal))));
            Assert.Equal("$.challenge", e.Problem.Path);
        }
    }

    [Fact]
    public void An_empty_partition_table_is_refused()
    {
        var request = ProtocolSamples.Enrollment(Key) with { PartitionTable = [] };
        var e = Assert.Throws<DeviceProtocolException>(() => EnrollmentRequest.Parse(request.ToJson()));
        Assert.Equal("$.partitionTable", e.Problem.Path);
    }

    [Fact]
    public void Device_keys_are_P256_only()
    {
        using var rsa = RSA.Create(2048);
        Assert.ThrowsAny<InvalidPublicKeyException>(() => DeviceKey.Parse(rsa.ExportSubjectPublicKeyInfo()));
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.ThrowsAny<InvalidPublicKeyException>(() => DeviceKey.Parse(p384.ExportSubjectPublicKeyInfo()));
        Assert.Equal("atym-", DeviceKey.Parse(Key.ExportSubjectPublicKeyInfo()).DerivedDeviceId[..5]);
    }

    [Fact]
    public void Report_fields_are_checked_to_their_grammar()
    {
        var report = ProtocolSamples.Report("atym-0123456789abcdef");
        var json = Encoding.UTF8.GetString(report.ToJson());
        foreach (var (good, bad, path) in new[]
        {
            ("\"trust\":\"development\"", "\"trust\":\"root\"", "$.trust"),
            ("\"nonce\":\"" + ProtocolSamples.Nonce + "\"", "\"nonce\":\"short\"", "$.nonce"),
            ("\"slot\":\"a\"", "\"slot\":\"c\"", "$.containers[0].confirmed.slot"),
            ("\"imageDigest\":\"sha256:" + new string('a', 64) + "\"", "\"imageDigest\":\"sha256:AA\"", "$.containers[0].confirmed.imageDigest"),
            ("\"attemptsLeft\":2", "\"attemptsLeft\":-1", "$.containers[0].attemptsLeft"),
            ("\"step\":5", "\"step\":99", "$.lastRefusal.step"),
        })
        {
            var e = Assert.Throws<DeviceProtocolException>(() => VersionReport.Parse(Encoding.UTF8.GetBytes(json.Replace(good, bad, StringComparison.Ordinal))));
            Assert.Equal(path, e.Problem.Path);
        }
    }

    [Fact]
    public void A_window_wait_is_checked_to_its_grammar()
    {
        var json = Encoding.UTF8.GetString(ProtocolSamples.WaitingReport("atym-0123456789abcdef").ToJson());
        foreach (var (good, bad, path) in new[]
        {
            ("\"awaitingWindow\":{\"opensAt\":", "\"awaitingWindow\":{\"opensAt\":-", "$.containers[0].awaitingWindow.opensAt"),
            ("\"awaitingWindow\":{\"opensAt\":", "\"awaitingWindow\":{\"zone\":\"UTC\",\"opensAt\":", "$.containers[0].awaitingWindow.zone"),
            ("\"awaitingWindow\":{\"version\":\"2.0.1\"}", "\"awaitingWindow\":{\"version\":\"soon\"}", "$.containers[1].awaitingWindow.version"),
        })
        {
            Assert.Contains(good, json, StringComparison.Ordinal);
            var e = Assert.Throws<DeviceProtocolException>(() => VersionReport.Parse(Encoding.UTF8.GetBytes(json.Replace(good, bad, StringComparison.Ordinal))));
            Assert.Equal(path, e.Problem.Path);
        }
    }

    [Fact]
    public void Signing_inputs_length_prefix_every_field_so_boundaries_cannot_shift()
    {
        var challenge = new byte[32];
        var a = DeviceSigningInputs.Challenge(challenge, "atym-ab", "https://c:443");
        var b = DeviceSigningInputs.Challenge(challenge, "atym-a", "bhttps://c:443");
        Assert.NotEqual(a, b);
        Assert.Equal("atym-device-auth-v1\0"u8.ToArray(), a[..20]);
        Assert.Equal([0, 32], a[20..22]);
        Assert.Equal([0, 7], a[54..56]);
    }

    [Fact]
    public void The_origin_is_lower_case_with_the_port_written()
    {
        Assert.Equal("https://ota.example:443", DeviceSigningInputs.Origin(new Uri("HTTPS://OTA.Example/")));
        Assert.Equal("http://127.0.0.1:8080", DeviceSigningInputs.Origin(new Uri("http://127.0.0.1:8080/api")));
    }
}
