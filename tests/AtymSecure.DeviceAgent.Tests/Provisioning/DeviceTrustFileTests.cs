using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.DeviceAgent.Tests.Provisioning;

/// <summary>trusted/trust.json format 1 (<see cref="DeviceTrustFile"/>): golden files kept forever, negatives with their reason, and a fuzz test.</summary>
public sealed class DeviceTrustFileTests
{
    private static byte[] Golden(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Provisioning", "Golden", name));

    [Fact]
    public void Golden_trust_file_reads_to_its_values_and_writes_back_byte_for_byte()
    {
        var bytes = Golden("trust-v1.json");
        var file = DeviceTrustFile.Parse(bytes);
        Assert.Equal(DeviceTrustFile.Development, file.Mode);
        Assert.Equal(
            [
                new DeviceTrustEntry("vendor", "Z2HMl8RyM1oKwZK6-1k4xfdKa1rcW5Ww3JSlKespuTA.pub", "acme-*,legacy-app"),
                new DeviceTrustEntry("compiler", "compiler-key.pub", "*"),
                new DeviceTrustEntry("recovery", "ops_key-1.pub", "*"),
            ], file.Keys);
        Assert.Equal(bytes, file.ToJson());
        Assert.Equal(file, DeviceTrustFile.Parse(file.ToJson()));
    }

    [Theory]
    [InlineData("trust-v1-bare-role-negative.json", TrustAnchorProblemCodes.InvalidRole, "keys[0].role")]
    [InlineData("trust-v1-path-in-key-negative.json", DeviceIdentityProblemCodes.InvalidKeyFile, "keys[0].key")]
    [InlineData("trust-v1-recovery-only-negative.json", TrustAnchorProblemCodes.NoBundleKey, "keys")]
    public void Negative_golden_trust_files_are_refused_with_the_reason(string name, string code, string path)
    {
        var e = Assert.Throws<DeviceDataException>(() => DeviceTrustFile.Parse(Golden(name)));
        var problems = Assert.IsType<ProblemException>(e.InnerException);
        Assert.Contains(problems.Problems, p => (p.Code, p.Path) == (code, path));
    }

    [Fact]
    public void A_field_format_1_does_not_define_is_refused_not_ignored() =>
        Assert.Contains("unknown field 'mayNative'", Assert.Throws<DeviceDataException>(() => DeviceTrustFile.Parse(Golden("trust-v1-unknown-field-negative.json"))).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("\"format\": 1", "\"format\": 2", "format must be 1")]
    [InlineData("\"mode\": \"development\"", "\"mode\": \"factory\"", "'factory' is not a trust mode")]
    [InlineData("\"mode\": \"development\"", "\"mode\": \"production\"", "holds recovery keys only")]
    [InlineData("\"pattern\": \"acme-*,legacy-app\"", "\"pattern\": \"Acme-*\"", "keys[0].pattern")]
    [InlineData("\"pattern\": \"acme-*,legacy-app\"", "\"pattern\": \"acme-*\", \"pattern\": \"*\"", "Duplicate")]
    [InlineData("\"key\": \"compiler-key.pub\"", "\"key\": \"Z2HMl8RyM1oKwZK6-1k4xfdKa1rcW5Ww3JSlKespuTA.pub\"", "listed 2 times")]
    public void Edits_of_the_golden_that_break_format_1_are_refused_with_the_reason(string valid, string invalid, string expected)
    {
        var golden = System.Text.Encoding.UTF8.GetString(Golden("trust-v1.json"));
        Assert.Contains(valid, golden, StringComparison.Ordinal);
        var e = Assert.Throws<DeviceDataException>(() => DeviceTrustFile.Parse(System.Text.Encoding.UTF8.GetBytes(golden.Replace(valid, invalid, StringComparison.Ordinal))));
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_oversized_file_is_refused_before_it_is_parsed() =>
        Assert.Contains("above", Assert.Throws<DeviceDataException>(() => DeviceTrustFile.Parse(new byte[DeviceTrustFile.MaxFileBytes + 1])).Message, StringComparison.Ordinal);

    [Fact]
    public void Mutated_trust_files_give_a_device_data_error_or_a_valid_file()
    {
        var golden = Golden("trust-v1.json");
        Gen.Select(Gen.Int[0, golden.Length - 1], Gen.Byte).Array[1, 6].Sample(edits =>
        {
            var copy = (byte[])golden.Clone();
            foreach (var (at, value) in edits) copy[at] = value;
            try
            {
                Assert.Empty(DeviceTrustFile.Parse(copy).Validate());
            }
            catch (DeviceDataException)
            {
            }
        }, iter: 2000);
    }
}
