using System.Net.Http.Headers;
using System.Text;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Fuzz;

/// <summary>
/// The TUF admin uploads (<c>PUT /api/v1/tuf/…</c>) fuzzed over HTTP in the real host (issue 12 §6): mutations of a
/// valid next file for each role. Never a 5xx; a refusal is problem+json with a problem type and publishes and audits
/// nothing. The library's own checks have their larger fuzz (OtaMetadata.Tests UploadFuzzTests); this one is about the
/// HTTP path: body caps, the host's error mapping, the audit write.
/// </summary>
public sealed class TufAdminUploadFuzzTests : IAsyncLifetime
{
    private OtaTestServer _server = null!;
    private readonly Dictionary<string, byte[]> _valid = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _server = await OtaTestServer.StartAsync();
        var services = _server.App.Services;
        var keys = services.GetRequiredService<FileOnlineKeyStore>();
        foreach (var role in OnlineRoleNames.All) keys.EnsureKey(role);
        var expires = _server.Clock.GetUtcNow().AddDays(365);
        var rootKey = Ed25519MetadataSigner.Generate();
        var targetsKey = Ed25519MetadataSigner.Generate();
        var vendorKey = Ed25519MetadataSigner.Generate();
        byte[] ImageRoot(long version) => MetadataSigning.Sign(RootPlan.Build(version, expires, new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([rootKey.PublicKey], 1),
            ["targets"] = new([targetsKey.PublicKey], 1),
            ["snapshot"] = new([keys.Keys(OnlineRole.Snapshot)[^1].PublicKey], 1),
            ["timestamp"] = new([keys.Keys(OnlineRole.Timestamp)[^1].PublicKey], 1),
        }, consistentSnapshot: true), rootKey).ToBytes();
        byte[] TopLevel(long version) => MetadataSigning.Sign(DelegationPlan.WithVendor(
            new TargetsMetadata { Version = version, Expires = expires, Targets = EquatableMap<TargetFile>.Empty },
            "acme", new RoleAssignment([vendorKey.PublicKey], 1), ["sensor-*"]), targetsKey).ToBytes();
        var images = services.GetRequiredService<ImageRepository>();
        images.AcceptRoot(ImageRoot(1));
        images.AcceptTargets(TopLevel(1));
        var directorRootKey = _server.UploadDirectorRoot();

        _valid["image/root"] = ImageRoot(2);
        _valid["image/targets"] = TopLevel(2);
        _valid["image/delegations/vendor-acme"] = MetadataSigning.Sign(new TargetsMetadata
        {
            Version = 1, Expires = expires,
            Targets = new EquatableMap<TargetFile>([KeyValuePair.Create(TargetPaths.Source("sensor-filter", "1.0.0"), TargetFile.Describe([0, 0x61, 0x73, 0x6d]))]),
        }, vendorKey).ToBytes();
        _valid["director/root"] = MetadataSigning.Sign(RootPlan.Build(2, expires, new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([directorRootKey.PublicKey], 1),
            ["targets"] = new([keys.Keys(OnlineRole.DirectorTargets)[^1].PublicKey], 1),
        }, consistentSnapshot: false), directorRootKey).ToBytes();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>What an upload changes: the image repository's published files, the director's current root, the audit log.</summary>
    private (PublishedImageRepository, long?, int) State()
    {
        var s = _server.App.Services;
        return (s.GetRequiredService<ImageRepository>().Published, s.GetRequiredService<UptaneDirector>().Roots.Current?.Signed.Version,
            s.GetRequiredService<IAuditLog>().Page(0, 10_000).Entries.Count);
    }

    [Theory]
    [InlineData("image/root")]
    [InlineData("image/targets")]
    [InlineData("image/delegations/vendor-acme")]
    [InlineData("director/root")]
    public async Task Mutated_uploads_get_a_4xx_problem_and_publish_nothing(string file)
    {
        var valid = _valid[file];
        var published = false;
        JsonBodyMutations.Of(valid).Sample(body =>
        {
            var before = State();
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/v1/tuf/" + file, UriKind.Relative))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _server.AdminToken);
            using var response = _server.Client.SendAsync(request).GetAwaiter().GetResult();
            var status = (int)response.StatusCode;
            var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            Assert.True(status < 500, $"{file} answered {status} {text} to {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)])}");
            if (status >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.StartsWith("{", text, StringComparison.Ordinal);
                Assert.Contains("\"type\":\"https://atym.dev/problems/", text, StringComparison.Ordinal);
                Assert.Equal(before, State());
            }
            else published = true; // only whitespace differed: the same signed document
        }, iter: 120, threads: 1);
        // The unmutated file still publishes afterwards, unless a mutation that kept its signed document already did.
        var last = await _server.SendAsync(HttpMethod.Put, "/api/v1/tuf/" + file, _server.AdminToken, Encoding.UTF8.GetString(valid));
        if (published) await ProblemAssert.IsProblemAsync(last, System.Net.HttpStatusCode.BadRequest, "rollback-version");
        else Assert.Equal(System.Net.HttpStatusCode.NoContent, last.StatusCode);
    }
}
