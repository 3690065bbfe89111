using System.Net;
using AtymSecure.Primitives;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Hosting;

public class OtaServerHostTests
{
    [Fact]
    public async Task The_first_start_on_an_empty_folder_creates_one_admin_token_and_a_restart_none()
    {
        await using var server = await OtaTestServer.StartAsync();
        var token = server.CreatedAdminToken;
        Assert.NotNull(token);
        Assert.True(OperatorTokenText.TryParse(token, out var id, out var secret));
        var stored = server.App.Services.GetRequiredService<IOperatorTokenStore>().Find(id)!;
        Assert.Equal(AtymSecure.OtaContracts.OperatorRole.Admin, stored.Role);
        Assert.DoesNotContain(secret, stored.SecretSha256, StringComparison.Ordinal);
        Assert.True(OperatorTokenText.Matches(secret, stored.SecretSha256));
        Assert.Equal("token.create", server.App.Services.GetRequiredService<IAuditLog>().Page(0, 10).Entries.Single().Action);

        await server.RestartAsync();
        Assert.Null(server.CreatedAdminToken);
        Assert.Single(server.App.Services.GetRequiredService<IOperatorTokenStore>().List());
    }

    [Fact]
    public async Task A_configured_admin_token_is_used_instead_of_a_generated_one_and_is_not_printed()
    {
        var (id, text, hash) = OperatorTokenText.Create();
        await using var server = await OtaTestServer.StartAsync(o => o with { AdminToken = text });
        Assert.Null(server.CreatedAdminToken);
        Assert.Equal(hash, server.App.Services.GetRequiredService<IOperatorTokenStore>().Find(id)!.SecretSha256);
    }

    [Fact]
    public async Task Health_and_readiness_answer_and_unknown_paths_are_problem_json()
    {
        await using var server = await OtaTestServer.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        await ProblemAssert.IsProblemAsync(await server.Client.GetAsync(new Uri("/api/v1/nothing", UriKind.Relative)), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task With_a_registry_the_releases_library_is_mapped_and_without_one_its_paths_do_not_exist()
    {
        await using (var plain = await OtaTestServer.StartAsync())
            await ProblemAssert.IsProblemAsync(await plain.SendAsync(HttpMethod.Get, "/api/v1/releases", plain.AdminToken), HttpStatusCode.NotFound, "not-found");
        await using var withRegistry = await OtaTestServer.StartAsync(o => o with
        {
            Registry = "127.0.0.1:1", VendorKeyFiles = [Path.Combine(AtymSecure.TestSupport.RepositoryRoot.Path, "tests", "pki", "ecdsa-p256.pub")],
        });
        var viewer = await withRegistry.CreateTokenAsync("viewer");
        Assert.Equal(HttpStatusCode.OK, (await withRegistry.SendAsync(HttpMethod.Get, "/api/v1/releases", viewer)).StatusCode);
        await ProblemAssert.IsProblemAsync(await withRegistry.SendAsync(HttpMethod.Get, "/api/v1/releases", null), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task The_tuf_admin_endpoints_that_publish_the_offline_roots_are_mapped_for_admins()
    {
        // `atym tuf` writes the roots offline; these routes are the only way they reach a running server.
        await using var server = await OtaTestServer.StartAsync();
        var viewer = await server.CreateTokenAsync("viewer");
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "/api/v1/tuf/online-keys", viewer)).StatusCode);
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Put, "/api/v1/tuf/director/root", viewer, new { }), HttpStatusCode.Forbidden, "forbidden");
        var garbage = await server.SendAsync(HttpMethod.Put, "/api/v1/tuf/director/root", server.AdminToken, new { signed = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal("application/problem+json", garbage.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void Invalid_options_are_refused_with_every_problem_named()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => new OtaServerOptions
        {
            ListenUrl = "ftp://x", PublicOrigin = "https://a/b", AdminToken = "atym_nothex", PollInterval = TimeSpan.Zero,
        }.EnsureValid());
        Assert.Equal(["listenUrl", "publicOrigin", "adminToken", "pollInterval"], e.Problems.Select(p => p.Path));
    }

    [Fact]
    public void A_registry_needs_vendor_keys_to_check_imports_against()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => new OtaServerOptions { Registry = "127.0.0.1:5000" }.EnsureValid());
        Assert.Equal("vendorKeyFiles", e.Problems.Single().Path);
    }

    [Fact]
    public void Listening_on_every_interface_needs_the_public_origin_devices_sign()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => new OtaServerOptions { ListenUrl = "0.0.0.0:8080" }.EnsureValid());
        Assert.Equal("publicOrigin", e.Problems.Single().Path);
        Assert.Empty(new OtaServerOptions { ListenUrl = "0.0.0.0:8080", PublicOrigin = "https://ota.example.com" }.Validate());
    }

    [Fact]
    public void An_https_listen_url_needs_a_certificate()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => new OtaServerOptions { ListenUrl = "https://127.0.0.1:8443" }.EnsureValid());
        Assert.Equal("certificatePath", e.Problems.Single().Path);
    }

    [Fact]
    public void An_options_file_resolves_its_relative_paths_and_refuses_an_unknown_key_naming_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("atym-ota-options-").FullName;
        try
        {
            var path = Path.Combine(folder, "ota.json");
            File.WriteAllText(path, "{\n  // comments are allowed\n  \"dataDirectory\": \"data\",\n  \"vendorKeyFiles\": [\"keys/acme.pub\", \"/etc/atym/b.pub\"],\n}");
            var options = OtaServerOptionsFile.Load(path);
            Assert.Equal(Path.Combine(folder, "data"), options.DataDirectory);
            Assert.Equal([Path.Combine(folder, "keys", "acme.pub"), "/etc/atym/b.pub"], options.VendorKeyFiles);
            Assert.Null(options.CertificatePath);

            File.WriteAllText(path, "{\"dataDirectry\": \"typo\"}");
            var e = Assert.Throws<InvalidDataException>(() => OtaServerOptionsFile.Load(path));
            Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
            Assert.Contains("dataDirectry", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
