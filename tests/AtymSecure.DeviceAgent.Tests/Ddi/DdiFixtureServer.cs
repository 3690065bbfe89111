using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AtymSecure.DeviceAgent.Tests.Support;

namespace AtymSecure.DeviceAgent.Tests.Ddi;

/// <summary>
/// A hawkBit stand-in on loopback (no hawkBit server runs here): it answers with the examples of hawkBit's DDI
/// documentation (<c>Ddi/Fixtures/hawkbit-docs</c>, the same files as formats' ddi-v1 goldens), their hosts, tenant and
/// controller id rewritten to this listener and the device, and the first chunk's artifacts replaced by one offline
/// export tar. It serves the artifact with <c>Range</c>, records every request and feedback, and stops offering the
/// action once it is closed.
/// </summary>
internal sealed class DdiFixtureServer : IAsyncDisposable
{
    public const string Tenant = "DEFAULT";
    public const string Token = "fixture-target-token";

    private readonly HostileHttpServer _http;
    private readonly string _controllerId;
    private byte[] _artifact = [];
    private string _artifactName = "atym-export.tar";

    public DdiFixtureServer(string controllerId)
    {
        _controllerId = controllerId;
        _http = new HostileHttpServer(HandleAsync);
    }

    public Uri BaseUri => _http.BaseUri;

    /// <summary>Which base answer the next polls get: the docs' deployment example, its cancel example, or no links.</summary>
    public string BaseFixture { get; set; } = "controller-base.json";

    /// <summary>Overrides of <c>config.polling.sleep</c> and of the deployment's <c>download</c>/<c>update</c> (null: the docs' values).</summary>
    public string? Sleep { get; set; }

    public string? Update { get; set; }

    /// <summary>The deployment's id (the docs' example says "8"; their cancel example stops "11").</summary>
    public string? DeploymentId { get; set; }

    public ConcurrentQueue<(string Path, JsonNode Body)> Feedback { get; } = new();

    public ConcurrentQueue<HttpExchange> Requests => _http.Requests;

    public bool Closed { get; private set; }

    /// <summary>Runs when a closed feedback arrives, before it is answered: what the device holds at that moment.</summary>
    public Action? OnClosed { get; set; }

    /// <summary>Serve the artifact with its last byte changed while deploymentBase lists the hashes of the true bytes (a damaged mirror).</summary>
    public bool DamageDownload { get; set; }

    public void Offer(byte[] artifact, string name = "atym-export.tar")
    {
        _artifact = artifact;
        _artifactName = name;
        Closed = false;
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Ddi", "Fixtures", "hawkbit-docs", name));

    private string Rewrite(string json) => json
        .Replace("https://management-api.host.com", BaseUri.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal)
        .Replace("https://link-to-cdn.com", BaseUri.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal)
        .Replace("http://link-to-cdn.com", BaseUri.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal)
        .Replace("TENANT_ID", Tenant, StringComparison.Ordinal)
        .Replace("CONTROLLER_ID", _controllerId, StringComparison.Ordinal);

    private async Task HandleAsync(HttpExchange e)
    {
        var basePath = $"/{Tenant}/controller/v1/{_controllerId}";
        var path = e.Path.Split('?')[0];
        if (e.Header("Authorization") != $"TargetToken {Token}")
        {
            await e.RespondAsync(401);
            return;
        }
        if (e.Method == "GET" && path == basePath)
        {
            var node = JsonNode.Parse(Rewrite(Fixture(BaseFixture)))!;
            if (Sleep is { } sleep) node["config"]!["polling"]!["sleep"] = sleep;
            if (Closed && BaseFixture == "controller-base.json") node.AsObject().Remove("_links");
            await Json(e, node);
        }
        else if (e.Method == "GET" && path.StartsWith(basePath + "/deploymentBase/", StringComparison.Ordinal))
        {
            var node = JsonNode.Parse(Rewrite(Fixture("deployment-base.json")))!;
            if (Update is { } update) node["deployment"]!["update"] = update;
            if (DeploymentId is { } id) node["id"] = id;
            var chunk = node["deployment"]!["chunks"]![0]!;
            var download = $"{BaseUri.GetLeftPart(UriPartial.Authority)}/api/v1/{Tenant}/download/controller/{_controllerId}/softwaremodules/23/filename/{_artifactName}";
#pragma warning disable CA5350, CA5351 // the DDI wire lists them
            chunk["artifacts"] = new JsonArray(new JsonObject
            {
                ["filename"] = _artifactName,
                ["hashes"] = new JsonObject
                {
                    ["sha1"] = Convert.ToHexStringLower(SHA1.HashData(_artifact)),
                    ["md5"] = Convert.ToHexStringLower(MD5.HashData(_artifact)),
                    ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(_artifact)),
                },
                ["size"] = _artifact.Length,
                ["_links"] = new JsonObject { ["download-http"] = new JsonObject { ["href"] = download } },
            });
#pragma warning restore CA5350, CA5351
            await Json(e, node);
        }
        else if (e.Method == "GET" && path == $"{basePath}/cancelAction/11")
            await Json(e, JsonNode.Parse(Fixture("cancel.json"))!);
        else if (e.Method == "GET" && path.EndsWith("/filename/" + _artifactName, StringComparison.Ordinal))
        {
            var from = (int)(e.RangeStart ?? 0);
            var served = (byte[])_artifact.Clone();
            if (DamageDownload) served[^1] ^= 0x01;
            if (from > 0) await e.RespondAsync(206, served[from..], ("Content-Range", $"bytes {from}-{served.Length - 1}/{served.Length}"));
            else await e.RespondAsync(200, served, ("Content-Type", "application/octet-stream"));
        }
        else if (e.Method == "POST" && path.EndsWith("/feedback", StringComparison.Ordinal))
        {
            var body = JsonNode.Parse(e.Body)!;
            Feedback.Enqueue((path, body));
            if (body["status"]?["execution"]?.GetValue<string>() == "closed")
            {
                OnClosed?.Invoke();
                Closed = true;
            }
            await e.RespondAsync(200);
        }
        else await e.RespondAsync(404);
    }

    private static Task Json(HttpExchange e, JsonNode node) =>
        e.RespondAsync(200, Encoding.UTF8.GetBytes(node.ToJsonString()), ("Content-Type", "application/hal+json"));

    /// <summary>The executions of the feedback on <paramref name="actionId"/>, in order, with the final result of a closed one.</summary>
    public IReadOnlyList<string> Executions(string actionId, string resource = "deploymentBase") =>
        [.. Feedback.Where(f => f.Path.EndsWith($"/{resource}/{actionId}/feedback", StringComparison.Ordinal))
            .Select(f => f.Body["status"]!["execution"]!.GetValue<string>() is var x && x == "closed" ? $"closed:{f.Body["status"]!["result"]!["finished"]!.GetValue<string>()}" : x)];

    public ValueTask DisposeAsync() => _http.DisposeAsync();
}
