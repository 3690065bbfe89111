using System.Security.Cryptography;

namespace AtymSecure.Auth.Tests;

public sealed class TokenRulesAndKeyTests
{
    [Fact]
    public void Clock_skew_is_bounded_and_lifetime_positive()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), new TokenRules("i", "a", TimeSpan.FromMinutes(1)).ClockSkew);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenRules("i", "a", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenRules("i", "a", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenRules("i", "a", TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => new TokenRules("", "a", TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentException>(() => new TokenRules("i", "", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Rules_compare_by_value() =>
        Assert.Equal(new TokenRules("i", "a", TimeSpan.FromMinutes(1)), new TokenRules("i", "a", TimeSpan.FromMinutes(1)));

    [Fact]
    public void The_key_id_is_the_truncated_SHA256_of_the_public_key_in_base64url()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var expected = Convert.ToBase64String(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()).AsSpan(0, 16))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var key = new TokenSigningKey(ecdsa);
        Assert.Equal(expected, key.KeyId);
        Assert.Equal(22, key.KeyId.Length);
    }

    [Fact]
    public void Only_P256_keys_make_ES256_keys()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Contains("P-256", Assert.Throws<ArgumentException>(() => new TokenSigningKey(p384)).Message);
    }
}
