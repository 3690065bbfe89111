using System.Security.Cryptography;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.Auth.Tests;

/// <summary>Every refusal the token check promises: tampered, expired, wrong kid, alg none, wrong alg, skew, issuer, audience.</summary>
public sealed class Es256TokensTests : IDisposable
{
    private static readonly TokenRules Rules = new("atym-registry", "atym-registry", TimeSpan.FromMinutes(5));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TokenSigningKey _key;
    private readonly Es256Tokens _tokens;

    public Es256TokensTests()
    {
        _key = new TokenSigningKey(_ecdsa);
        _tokens = new Es256Tokens(_key, Rules, _clock);
    }

    public void Dispose() => _key.Dispose();

    private long Now => _clock.GetUtcNow().ToUnixTimeSeconds();

    private object Header(string alg = "ES256", string? kid = null, string typ = "JWT") => new { alg, typ, kid = kid ?? _key.KeyId };

    private object Payload(long? exp = null, long? nbf = null, string iss = "atym-registry", string aud = "atym-registry") =>
        new { iss, aud, sub = "bob", exp = exp ?? Now + 300, nbf = nbf ?? Now, iat = Now };

    private async Task AssertRefused(string token, string reason)
    {
        var verdict = await _tokens.ValidateAsync(token);
        Assert.False(verdict.IsAccepted, $"token accepted, expected refusal: {reason}");
        Assert.Null(verdict.Token);
        Assert.Equal(reason, verdict.Refusal);
    }

    [Fact]
    public async Task An_issued_token_validates_with_its_subject_expiry_and_own_claims()
    {
        var issued = _tokens.Issue("bob", new Dictionary<string, object> { ["access"] = ForgedToken.Json(new[] { new { name = "a/b" } }) });
        Assert.Equal(_clock.GetUtcNow(), issued.IssuedAt);
        Assert.Equal(issued.IssuedAt + Rules.Lifetime, issued.Expires);

        var verdict = await _tokens.ValidateAsync(issued.Token);
        Assert.True(verdict.IsAccepted, verdict.Refusal);
        Assert.Equal("bob", verdict.Token!.Subject);
        Assert.Equal(issued.Expires, verdict.Token.Expires);
        Assert.Equal("a/b", verdict.Token.Payload.GetProperty("access")[0].GetProperty("name").GetString());
        Assert.Equal("atym-registry", verdict.Token.Payload.GetProperty("iss").GetString());
    }

    [Fact]
    public async Task The_header_names_ES256_JWT_and_this_key()
    {
        var (header, payload) = ForgedToken.Open(_tokens.Issue("").Token);
        Assert.Equal("ES256", header["alg"].GetString());
        Assert.Equal("JWT", header["typ"].GetString());
        Assert.Equal(_key.KeyId, header["kid"].GetString());
        Assert.Equal("", payload["sub"].GetString());
        Assert.Equal(32, payload["jti"].GetString()!.Length);
        Assert.True((await _tokens.ValidateAsync(_tokens.Issue("").Token)).IsAccepted, "an anonymous token (empty subject) is valid");
    }

    [Theory]
    [InlineData(299, true)]
    [InlineData(300 + 30, true)]  // expired, but within the 30 s skew
    [InlineData(300 + 31, false)]
    [InlineData(3600, false)]
    public async Task Expiry_is_checked_on_the_injected_clock_with_bounded_skew(int secondsLater, bool accepted)
    {
        var token = _tokens.Issue("bob").Token;
        _clock.Advance(TimeSpan.FromSeconds(secondsLater));
        var verdict = await _tokens.ValidateAsync(token);
        Assert.Equal(accepted, verdict.IsAccepted);
        if (!accepted) Assert.Equal("token has expired", verdict.Refusal);
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public async Task A_token_from_the_future_is_accepted_only_within_the_skew(int secondsAhead, bool accepted)
    {
        var token = ForgedToken.SignedWith(_ecdsa, Header(), Payload(nbf: Now + secondsAhead, exp: Now + 600));
        var verdict = await _tokens.ValidateAsync(token);
        Assert.Equal(accepted, verdict.IsAccepted);
        if (!accepted) Assert.Equal("token is not valid yet", verdict.Refusal);
    }

    [Fact]
    public async Task A_hand_signed_token_with_the_right_key_and_fields_is_accepted() =>
        // The control for the forgeries below: what they change is what gets them refused.
        Assert.True((await _tokens.ValidateAsync(ForgedToken.SignedWith(_ecdsa, Header(), Payload()))).IsAccepted);

    [Fact]
    public async Task A_tampered_payload_fails_the_signature()
    {
        var parts = _tokens.Issue("bob").Token.Split('.');
        var (_, payload) = ForgedToken.Open(string.Join('.', parts));
        payload["sub"] = ForgedToken.Json("admin");
        await AssertRefused(parts[0] + "." + ForgedToken.Encode(payload) + "." + parts[2], "token signature does not verify");
    }

    [Fact]
    public async Task A_tampered_signature_fails()
    {
        var token = _tokens.Issue("bob").Token;
        var flipped = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        await AssertRefused(flipped, "token signature does not verify");
    }

    [Fact]
    public async Task A_token_of_another_key_names_another_kid_and_is_refused()
    {
        using var other = TokenSigningKey.Generate();
        await AssertRefused(new Es256Tokens(other, Rules, _clock).Issue("bob").Token, "token names another signing key (kid)");
    }

    [Fact]
    public async Task Another_key_claiming_this_kid_fails_the_signature()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await AssertRefused(ForgedToken.SignedWith(other, Header(), Payload()), "token signature does not verify");
    }

    [Fact]
    public async Task A_token_without_a_kid_is_refused() =>
        await AssertRefused(ForgedToken.SignedWith(_ecdsa, new { alg = "ES256", typ = "JWT" }, Payload()), "token names another signing key (kid)");

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("")]
    public async Task An_unsigned_token_is_refused(string alg) =>
        await AssertRefused(ForgedToken.Unsigned(Header(alg), Payload()), "token algorithm is not ES256");

    [Fact]
    public async Task An_ES256_header_with_an_empty_signature_is_refused() =>
        await AssertRefused(ForgedToken.Unsigned(Header(), Payload()), "token signature does not verify");

    [Fact]
    public async Task HS256_keyed_with_the_public_key_is_refused()
    {
        // The classic algorithm confusion: an HMAC "signed" with the verifier's public key bytes.
        var token = ForgedToken.SignedWithHmac(_ecdsa.ExportSubjectPublicKeyInfo(), Header("HS256"), Payload());
        await AssertRefused(token, "token algorithm is not ES256");
    }

    [Fact]
    public async Task ES384_is_refused_even_with_a_valid_P384_signature()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var input = ForgedToken.Encode(Header("ES384")) + "." + ForgedToken.Encode(Payload());
        var signature = p384.SignData(System.Text.Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        await AssertRefused(input + "." + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(signature), "token algorithm is not ES256");
    }

    [Fact]
    public async Task Issuer_and_audience_must_match_exactly()
    {
        await AssertRefused(ForgedToken.SignedWith(_ecdsa, Header(), Payload(iss: "someone-else")), "token issuer is not this server");
        await AssertRefused(ForgedToken.SignedWith(_ecdsa, Header(), Payload(aud: "ota-server")), "token audience is not this service");
        await AssertRefused(new Es256Tokens(_key, new TokenRules("atym-registry", "other", Rules.Lifetime), _clock).Issue("bob").Token,
            "token audience is not this service");
    }

    [Fact]
    public async Task A_token_without_expiry_is_refused() =>
        await AssertRefused(ForgedToken.SignedWith(_ecdsa, Header(), new { iss = "atym-registry", aud = "atym-registry", sub = "bob" }), "token has no expiry");

    [Fact]
    public async Task A_token_whose_type_is_not_JWT_is_refused() =>
        await AssertRefused(ForgedToken.SignedWith(_ecdsa, Header(typ: "at+jwt"), Payload()), "token type is not JWT");

    [Fact]
    public async Task A_token_without_a_subject_is_refused() =>
        await AssertRefused(ForgedToken.SignedWith(_ecdsa, Header(), new { iss = "atym-registry", aud = "atym-registry", exp = Now + 60 }), "token has no subject");

    [Fact]
    public async Task Oversized_and_garbage_tokens_are_refused()
    {
        await AssertRefused(new string('a', Es256Tokens.MaxTokenLength + 1), $"token is longer than {Es256Tokens.MaxTokenLength} characters");
        await AssertRefused("", "no token");
        foreach (var garbage in new[] { "garbage", "a.b.c", "a.b", "....", _tokens.Issue("bob").Token + ".x" })
            Assert.False((await _tokens.ValidateAsync(garbage)).IsAccepted, garbage);
    }

    [Fact]
    public void The_registered_claims_cannot_be_overridden_by_the_caller()
    {
        foreach (var name in new[] { "iss", "sub", "aud", "exp", "nbf", "iat", "jti" })
            Assert.Throws<ArgumentException>(() => _tokens.Issue("bob", new Dictionary<string, object> { [name] = "x" }));
    }

    [Fact]
    public void Random_strings_are_never_accepted_and_never_throw() =>
        Gen.String.Sample(text => !_tokens.ValidateAsync(text).GetAwaiter().GetResult().IsAccepted, iter: 500);

    [Fact]
    public void Random_damage_to_a_valid_token_is_never_accepted()
    {
        var token = _tokens.Issue("bob").Token;
        Gen.Select(Gen.Int[0, token.Length - 1], Gen.Char['!', '~']).Sample((at, c) =>
        {
            var damaged = token[..at] + c + token[(at + 1)..];
            // Base64url decoding may ignore a changed final character's low bits: only a token whose bytes are
            // unchanged may pass, so compare the decoded parts.
            var verdict = _tokens.ValidateAsync(damaged).GetAwaiter().GetResult();
            return !verdict.IsAccepted || SameBytes(token, damaged);
        }, iter: 500);
    }

    private static bool SameBytes(string a, string b)
    {
        try
        {
            return a.Split('.').Zip(b.Split('.')).All(p =>
                Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(p.First).AsSpan().SequenceEqual(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(p.Second)));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
