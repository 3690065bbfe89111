using System.Security.Cryptography;
using System.Text.Json;
using CsCheck;

namespace AtymSecure.Primitives.Tests;

public sealed class DigestTests
{
    private static readonly Gen<Digest> AnyDigest =
        Gen.Select(Gen.Byte.Array[0, 64], Gen.Bool, (b, big) => Digest.Compute(b, big ? Digest.Sha512 : Digest.Sha256));

    [Fact]
    public void Digest_round_trips_and_random_text_throws_only_InvalidDigestException()
    {
        AnyDigest.Sample(d => Assert.Equal(d, Digest.Parse(d.ToString())), iter: 1000);
        Gen.Char["sha256:0123456789abcdefABCDEF+._-="].Array[0, 140].Select(a => new string(a)).Sample(text =>
        {
            try
            {
                var d = Digest.Parse(text);
                Assert.Equal(text, d.ToString());
            }
            catch (InvalidDigestException)
            {
            }
        }, iter: 5000);
    }

    [Fact]
    public void The_binary_sha256_form_round_trips_through_bytes_span_and_text()
    {
        Gen.Byte.Array[Digest.Sha256Size].Sample(hash =>
        {
            var digest = Digest.FromSha256(hash);
            Assert.Equal(hash, digest.ToBytes());
            var span = new byte[Digest.Sha256Size + 4];
            digest.WriteTo(span);
            Assert.Equal(hash, span[..Digest.Sha256Size]);
            Assert.Equal(digest, Digest.Parse(digest.ToString()));
            Assert.Equal(Digest.Sha256Size, digest.HashSize);
        }, iter: 1000);
    }

    [Fact]
    public void The_binary_form_of_a_computed_digest_is_the_SHA256_of_the_content()
    {
        Gen.Byte.Array[0, 200].Sample(data =>
        {
            Assert.Equal(SHA256.HashData(data), Digest.Compute(data).ToBytes());
            Assert.Equal(Digest.Compute(data), Digest.FromSha256(SHA256.HashData(data)));
        }, iter: 300);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_binary_sha256_of_the_wrong_length_is_refused(int length) =>
        Assert.Contains($"got {length}", Assert.Throws<ArgumentException>(() => Digest.FromSha256(new byte[length])).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true)]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", false)]
    [InlineData("sha256:e3b0c442", false)]
    [InlineData("sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", false)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsSha256Text_accepts_only_sha256_with_64_lowercase_hex(string? text, bool expected) =>
        Assert.Equal(expected, Digest.IsSha256Text(text));

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void TryFromSha256_gives_false_and_a_digest_that_is_not_sha256_for_the_wrong_length(int length)
    {
        Assert.False(Digest.TryFromSha256(new byte[length], out var digest));
        Assert.False(digest.IsSha256);
        Assert.Equal(default, digest);
    }

    [Fact]
    public void TryFromSha256_of_32_bytes_is_the_same_digest_as_FromSha256()
    {
        Gen.Byte.Array[Digest.Sha256Size].Sample(hash =>
        {
            Assert.True(Digest.TryFromSha256(hash, out var digest));
            Assert.True(digest.IsSha256);
            Assert.Equal(Digest.FromSha256(hash), digest);
        }, iter: 300);
        Assert.False(Digest.Compute("x"u8, Digest.Sha512).IsSha256);
    }

    [Fact]
    public void Writing_to_a_span_too_small_is_refused()
    {
        var digest = Digest.Compute("x"u8);
        Assert.Throws<ArgumentException>(() => digest.WriteTo(new byte[Digest.Sha256Size - 1]));
    }

    [Fact]
    public void A_sha512_digest_has_a_64_byte_binary_form_and_an_unknown_algorithm_has_none()
    {
        Assert.Equal(SHA512.HashData("x"u8), Digest.Compute("x"u8, Digest.Sha512).ToBytes());
        var unknown = Digest.Parse("blake3:abc");
        Assert.False(unknown.IsSupported);
        Assert.Throws<NotSupportedException>(() => unknown.ToBytes());
    }

    [Theory]
    [InlineData("", "digest is empty")]
    [InlineData("sha256", "grammar")]
    [InlineData("sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", "64 lowercase hex")]
    [InlineData("sha256:abc", "64 lowercase hex")]
    [InlineData("sha512:abc", "128 lowercase hex")]
    public void Malformed_digests_are_refused_with_the_reason(string text, string reason)
    {
        var e = Assert.Throws<InvalidDigestException>(() => Digest.Parse(text));
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Equal(text, e.Digest);
    }

    [Fact]
    public void An_overlong_digest_is_refused_before_the_grammar_runs() =>
        Assert.Contains("longer than 255", Assert.Throws<InvalidDigestException>(() => Digest.Parse("a:" + new string('b', 300))).Reason,
            StringComparison.Ordinal);

    [Fact]
    public void Equal_digests_made_different_ways_find_the_same_dictionary_entry()
    {
        var data = "layer"u8.ToArray();
        var byDigest = new Dictionary<Digest, string> { [Digest.Compute(data)] = "found" };
        Assert.Equal("found", byDigest[Digest.FromSha256(SHA256.HashData(data))]);
        Assert.Equal("found", byDigest[Digest.Parse(Digest.Compute(data).ToString())]);
        Assert.False(byDigest.ContainsKey(Digest.Compute("other"u8)));
    }

    [Fact]
    public void Json_holds_a_digest_as_its_string_and_refuses_an_invalid_one()
    {
        var digest = Digest.Compute("x"u8);
        var json = JsonSerializer.Serialize(new Holder(digest));
        Assert.Equal($$"""{"D":"{{digest}}"}""", json);
        Assert.Equal(digest, JsonSerializer.Deserialize<Holder>(json)!.D);
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Holder>("""{"D":"sha256:XYZ"}"""));
        Assert.Contains("invalid digest 'sha256:XYZ'", e.Message, StringComparison.Ordinal);
    }

    private sealed record Holder(Digest D);
}
