using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaServer.Tests.Observability;

/// <summary>
/// The served OpenAPI document equals the committed one (docs/openapi/ota-v1.json): an endpoint change without a docs
/// change fails here. To accept a change on purpose, run with ATYM_WRITE_OPENAPI=1 and commit the file. The server runs
/// as <c>atym ota serve --registry</c> does (a registry and a vendor key configured; nothing is imported, so the registry is
/// never reached), so the releases, bundles, deployments and offline-export endpoints — mapped only with a registry — are
/// in the document too.
/// </summary>
public class OpenApiDocumentTests
{
    private static readonly string Committed = Path.Combine(RepositoryRoot.Path, "docs", "openapi", "ota-v1.json");

    private static Task<OtaTestServer> StartWithRegistryAsync() => OtaTestServer.StartAsync(o => o with
    {
        Registry = "127.0.0.1:1",
        VendorKeyFiles = [Path.Combine(RepositoryRoot.Path, "tests", "pki", "ecdsa-p256.pub")],
    });

    [Fact]
    public async Task The_served_document_is_the_committed_one()
    {
        await using var server = await StartWithRegistryAsync();
        var response = await server.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var served = Normalize(await response.Content.ReadAsStringAsync());
        if (Environment.GetEnvironmentVariable("ATYM_WRITE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Committed)!);
            await File.WriteAllTextAsync(Committed, served);
        }
        Assert.True(File.Exists(Committed), $"{Committed} is missing: run this test with ATYM_WRITE_OPENAPI=1 and commit it");
        Assert.Equal(Normalize(await File.ReadAllTextAsync(Committed)), served);
    }

    [Fact]
    public async Task The_document_lists_the_operator_and_device_paths_and_Scalar_serves_it()
    {
        await using var server = await StartWithRegistryAsync();
        using var document = JsonDocument.Parse(await server.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var expected in new[]
                 {
                     "/api/v1/tokens", "/api/v1/audit", "/api/v1/devices/enroll", "/api/v1/devices/{id}/poll", "/api/v1/devices/{id}/reports",
                     "/api/v1/status", "/api/v1/releases", "/api/v1/deployments", "/api/v1/offline-exports",
                 })
            Assert.Contains(expected, paths);
        var docs = await server.Client.GetAsync(new Uri("/docs/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("scalar", await docs.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Indented, LF line endings: the committed form.</summary>
    private static string Normalize(string json) =>
        JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
}
