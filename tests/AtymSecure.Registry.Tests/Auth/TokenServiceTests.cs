using AtymSecure.Auth;
using AtymSecure.Registry.Auth;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.Registry.Tests.Auth;

/// <summary>
/// The registry's use of the shared token implementation (tests/AtymSecure.Auth.Tests holds every
/// refusal of the token check itself): grants, the access claim, accounts and config.
/// </summary>
public sealed class TokenServiceTests
{
    private static (TokenService Service, FakeTimeProvider Clock) Create(string service = "atym-registry")
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = new AuthConfig
        {
            Service = service,
            Accounts = [new AccountConfig { Name = "bob", PasswordHash = PasswordHasher.Hash("pw", 10_000),
                Grants = [new GrantConfig { Repositories = "a/**", Actions = ["pull"] }] }],
        };
        return (new TokenService(config, TokenSigningKey.Generate(), clock), clock);
    }

    [Fact]
    public async Task An_issued_token_carries_its_subject_and_access_entries()
    {
        var (service, clock) = Create();
        using var owned = service;
        AccessEntry[] access = [new("repository", "a/b", ["pull"]), new("repository", "a/c", [])];
        var token = service.Issue("bob", access, out var issuedAt);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds(), issuedAt.ToUnixTimeSeconds());
        var claims = await service.ValidateAsync(token);
        Assert.NotNull(claims);
        Assert.Equal("bob", claims.Subject);
        Assert.Equal(access.Select(a => (a.Type, a.Name, string.Join(',', a.Actions))), claims.Access.Select(a => (a.Type, a.Name, string.Join(',', a.Actions))));
        Assert.Equal(issuedAt + TimeSpan.FromMinutes(5), claims.Expires);
    }

    [Fact]
    public async Task Tokens_expire_after_their_lifetime_plus_the_bounded_skew()
    {
        var (service, clock) = Create();
        using var owned = service;
        var token = service.Issue("bob", [new AccessEntry("repository", "a/b", ["pull"])], out _);
        Assert.NotNull(await service.ValidateAsync(token));
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(29));
        Assert.NotNull(await service.ValidateAsync(token));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await service.ValidateAsync(token));
    }

    [Fact]
    public async Task Tokens_of_another_key_or_another_service_are_rejected()
    {
        var (one, _) = Create();
        var (two, _) = Create();
        var (elsewhere, _) = Create(service: "another-registry");
        using (one) using (two) using (elsewhere)
        {
            Assert.Null(await two.ValidateAsync(one.Issue("bob", [], out _)));
            Assert.Null(await one.ValidateAsync(elsewhere.Issue("bob", [], out _)));
        }
    }

    [Fact]
    public void Grants_are_the_intersection_of_request_and_rights()
    {
        var (service, _) = Create();
        using var owned = service;
        var bob = service.Authenticate("bob", "pw");
        Assert.NotNull(bob);
        Assert.Null(service.Authenticate("bob", "nope"));
        var access = service.Grant(bob, ["repository:a/b/c:pull,push", "registry:catalog:*", "repository:z:pull"]);
        Assert.Equal(["pull"], access.Single(a => a.Name == "a/b/c").Actions);
        Assert.Empty(access.Single(a => a.Name == "z").Actions);
        Assert.DoesNotContain(access, a => a.Name == "catalog");
    }

    [Theory]
    [InlineData("team/*", "team/app", true)]
    [InlineData("team/*", "team/a/b", false)]
    [InlineData("team/**", "team/a/b", true)]
    [InlineData("team/**", "teams/a", false)]
    [InlineData("app-?", "app-1", true)]
    [InlineData("a.b", "axb", false)]
    public void Repository_patterns(string glob, string name, bool matches) =>
        Assert.Equal(matches, new RepositoryPattern(glob).Matches(name));

    [Fact]
    public void Password_hashes_verify_and_reject()
    {
        var hash = PasswordHasher.Hash("correct horse", 10_000);
        Assert.StartsWith("pbkdf2-sha256$10000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("correct horse", hash));
        Assert.False(PasswordHasher.Verify("correct horse ", hash));
        Assert.False(PasswordHasher.IsWellFormed("plain"));
        Assert.False(PasswordHasher.Verify("x", "pbkdf2-sha256$1$AA==$AA=="));
    }

    [Fact]
    public void Invalid_config_reports_every_problem()
    {
        var config = new AuthConfig
        {
            Service = "", TokenLifetime = TimeSpan.Zero, Realm = "not a url",
            Accounts = [
                new AccountConfig { Name = "x", PasswordHash = "plain", Grants = [new GrantConfig { Repositories = "", Actions = ["fly"] }] },
                new AccountConfig { Name = "x", PasswordHash = PasswordHasher.Hash("p", 10_000) }],
        };
        var errors = config.Validate();
        Assert.Contains("service: required", errors);
        Assert.Contains(errors, e => e.StartsWith("realm:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("tokenLifetime:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("accounts[0].passwordHash:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("accounts[0].grants[0].repositories:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("accounts[0].grants[0].actions: 'fly'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("accounts[1].name: 'x' appears twice", StringComparison.Ordinal));
    }
}
