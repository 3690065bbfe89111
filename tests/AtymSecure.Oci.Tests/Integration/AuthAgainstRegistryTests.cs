using System.Net;
using System.Text.Json;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Registry.Auth;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Oci.Tests.Integration;

/// <summary>The Docker token flow against our registry's real token endpoint (ES256 tokens).</summary>
public sealed class AuthAgainstRegistryTests
{
    private static string WriteAuthConfig(TempFolder dir)
    {
        var path = dir.File("auth.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            accounts = new object[]
            {
                new { name = "alice", passwordHash = PasswordHasher.Hash("s3cret", 10000), grants = new[] { new { repositories = "team/**", actions = new[] { "pull", "push", "delete" } } } },
                new { name = "reader", passwordHash = PasswordHasher.Hash("r", 10000), grants = new[] { new { repositories = "team/**", actions = new[] { "pull" } } } },
            },
        }));
        return path;
    }

    [Fact]
    public async Task Token_flow_with_basic_credentials_pushes_and_pulls()
    {
        using var dir = TempFolder.Create("oci-auth");
        var config = WriteAuthConfig(dir);
        await using var registry = await LoopbackRegistry.StartAsync(o => o with { AuthConfigPath = config });
        var alice = registry.Options(new StaticCredentialProvider(registry.Host, new Credential("alice", "s3cret")));
        var repo = registry.Repo("team/app", alice);
        var m = await TestData.PushArtifactAsync(repo, "secret payload");
        await repo.TagAsync(m, "v1");
        var reader = registry.Repo("team/app", registry.Options(new StaticCredentialProvider(registry.Host, new Credential("reader", "r"))));
        Assert.Equal(m.Digest, (await reader.ResolveAsync("v1")).Digest);
        var denied = await Assert.ThrowsAnyAsync<RegistryResponseException>(() => reader.PushBytesAsync("application/octet-stream", new byte[] { 1 }));
        Assert.True(denied.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, denied.Message);
    }

    [Fact]
    public async Task Anonymous_and_wrong_password_are_refused_with_typed_errors()
    {
        using var dir = TempFolder.Create("oci-auth");
        var config = WriteAuthConfig(dir);
        await using var registry = await LoopbackRegistry.StartAsync(o => o with { AuthConfigPath = config });
        var anonymous = await Assert.ThrowsAnyAsync<RegistryResponseException>(() => registry.Repo("team/app").ResolveAsync("v1"));
        Assert.True(anonymous.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, anonymous.Message);
        var wrong = registry.Repo("team/app", registry.Options(new StaticCredentialProvider(registry.Host, new Credential("alice", "nope"))));
        var e = await Assert.ThrowsAnyAsync<RegistryResponseException>(() => wrong.ResolveAsync("v1"));
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
    }
}
