using AtymSecure.OtaContracts;

namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>What every <see cref="IOperatorTokenStore"/> and <see cref="IEnrollmentTokenStore"/> must do.</summary>
public abstract class TokenStoreContract(IStoreFixture fixture) : IDisposable
{
    private readonly StoreSet _stores = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_token_reads_back_equal_and_survives_a_restart()
    {
        var token = Samples.Token("0000000a", OperatorRole.Deployer);
        Assert.False(_stores.Tokens.Any());
        Assert.True(_stores.Tokens.TryAdd(token));
        Assert.Equal(token, _stores.Tokens.Find("0000000a"));
        Assert.Equal(token, fixture.Reopen().Tokens.Find("0000000a"));
    }

    [Fact]
    public void Any_text_an_operator_writes_reads_back_exactly_even_control_characters_and_non_ascii()
    {
        // An escaped NUL is valid JSON that PostgreSQL's jsonb refuses: the stores keep the text as written.
        var token = Samples.Token("0000000c") with { Label = "line\u0000 \"quoted\" \u00e9t\u00e9 \ud83d\ude80 \t\r\n", Groups = ["eu\u0000", "\u00fc"] };
        Assert.True(_stores.Tokens.TryAdd(token));
        Assert.Equal(token, _stores.Tokens.Find(token.Id));
        Assert.Equal(token, fixture.Reopen().Tokens.Find(token.Id));
    }

    [Fact]
    public void A_second_token_with_the_same_id_is_refused_and_the_first_is_kept()
    {
        Assert.True(_stores.Tokens.TryAdd(Samples.Token("0000000b", OperatorRole.Admin)));
        Assert.False(_stores.Tokens.TryAdd(Samples.Token("0000000b", OperatorRole.Viewer)));
        Assert.Equal(OperatorRole.Admin, _stores.Tokens.Find("0000000b")!.Role);
    }

    [Fact]
    public void Tokens_list_oldest_first_and_revoke_once()
    {
        _stores.Tokens.TryAdd(Samples.Token("00000002", created: Samples.T0.AddMinutes(2)));
        _stores.Tokens.TryAdd(Samples.Token("00000001", created: Samples.T0.AddMinutes(1)));
        Assert.Equal(["00000001", "00000002"], _stores.Tokens.List().Select(t => t.Id));
        Assert.True(_stores.Tokens.Revoke("00000001", Samples.T0.AddHours(1)));
        Assert.False(_stores.Tokens.Revoke("00000001", Samples.T0.AddHours(2)));
        Assert.False(_stores.Tokens.Revoke("ffffffff", Samples.T0));
        Assert.Equal(Samples.T0.AddHours(1), _stores.Tokens.Find("00000001")!.RevokedAt);
    }

    [Fact]
    public void An_enrollment_token_is_consumed_exactly_as_often_as_it_has_uses()
    {
        _stores.EnrollmentTokens.TryAdd(Samples.Enrollment("e0000001", uses: 2));
        Assert.True(_stores.EnrollmentTokens.TryConsume("e0000001", Samples.T0));
        Assert.True(_stores.EnrollmentTokens.TryConsume("e0000001", Samples.T0));
        Assert.False(_stores.EnrollmentTokens.TryConsume("e0000001", Samples.T0));
        Assert.Equal(0, _stores.EnrollmentTokens.Find("e0000001")!.UsesLeft);
    }

    [Fact]
    public void Concurrent_consumers_never_take_more_uses_than_there_are()
    {
        _stores.EnrollmentTokens.TryAdd(Samples.Enrollment("e0000002", uses: 10));
        var taken = 0;
        Parallel.For(0, 40, _ =>
        {
            if (_stores.EnrollmentTokens.TryConsume("e0000002", Samples.T0)) Interlocked.Increment(ref taken);
        });
        Assert.Equal(10, taken);
    }

    [Fact]
    public void Expired_revoked_and_unknown_enrollment_tokens_are_not_consumed()
    {
        _stores.EnrollmentTokens.TryAdd(Samples.Enrollment("e0000003", expires: Samples.T0.AddMinutes(1)));
        Assert.True(_stores.EnrollmentTokens.TryConsume("e0000003", Samples.T0));
        Assert.False(_stores.EnrollmentTokens.TryConsume("e0000003", Samples.T0.AddMinutes(1)));
        _stores.EnrollmentTokens.TryAdd(Samples.Enrollment("e0000004"));
        Assert.True(_stores.EnrollmentTokens.Revoke("e0000004", Samples.T0));
        Assert.False(_stores.EnrollmentTokens.TryConsume("e0000004", Samples.T0));
        Assert.False(_stores.EnrollmentTokens.TryConsume("nothere0", Samples.T0));
        Assert.Null(_stores.EnrollmentTokens.Find("e0000004")!.UsesLeft);
    }
}
