using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Policies;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// <c>atym ota serve --policies DIR</c> as a real process with our registry and a device process: the release import
/// passes the trust policy (the vendor key by its SPKI SHA-256), a deployment to a group the deployment policy does not
/// give the container is refused naming the rule, the file and the line; a deployment file broken on disk leaves the
/// last good set serving and <c>/readyz</c> says degraded with the error (the watcher picked it up, logged with its
/// position); the fixed file is picked up and the deployment it now allows is created.
/// </summary>
[Trait("Requires", "process")]
public sealed partial class PolicyEnforcementEndToEndTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = TempFolder.Create("e2e-policies");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static string Deployment(string usContainers) => FleetPolicies.Deployment(
        new FleetGroup("eu", "sensor-filter", "linux-x86_64, linux-aarch64"), new FleetGroup("us", usContainers, "linux-x86_64, linux-aarch64"));

    [Fact]
    public async Task A_forbidden_deployment_is_refused_naming_the_rule_a_broken_file_leaves_the_good_set_serving_and_the_fix_is_picked_up()
    {
        // The vendor key and the server's compiler key file are encrypted with these passphrases.
        var atym = new AtymProcess(_folder.Path, new Dictionary<string, string> { ["ATYM_KEY_PASSPHRASE"] = "e2e-test", ["ATYM_OTA_KEY_PASSPHRASE"] = "e2e-test" });
        await using var registry = await AtymRegistryProcess.StartAsync(_folder.File("registry"));
        await atym.Ok("keygen", "vendor");
        var reference = $"{registry.HostPort}/samples/sensor-filter:1.0.0";
        await atym.Ok("build", Path.Combine(RepositoryRoot.Samples, "sensor-filter"), "-o", "layout");
        await atym.Ok("copy", "oci:layout:1.0.0", reference);
        await atym.Ok("sign", reference, "--key", "vendor.key");

        var policies = _folder.Folder("policies");
        var vendor = Convert.ToHexStringLower(SHA256.HashData(SpkiOf(_folder.File("vendor.pub"))));
        _folder.Write("policies/trust.yaml", FleetPolicies.Trust(vendor, $"{registry.HostPort}/samples/*"));
        _folder.Write("policies/permissions.yaml", FleetPolicies.Permissions(
            new FleetPermission("sensor-filter", "sensor-filter", "\"*\"", "log, \"sensor:temp0\", \"publish:telemetry/*\"")));
        _folder.Write("policies/deployment.yaml", Deployment("anomaly-detector"));
        WriteDevicePolicy("host", "0.0.1");
        var config = _folder.Write("ota.json", JsonSerializer.Serialize(new
        {
            dataDirectory = "ota-data", listenUrl = $"127.0.0.1:{LoopbackPort.Next()}", registry = registry.HostPort, vendorKeyFiles = new[] { "vendor.pub" },
            policies = "policies", pollInterval = "00:00:01",
        }));

        await using var server = atym.Start("ota", "serve", "--config", config);
        await server.WaitForLogAsync(OtaServeLog.ListeningLine, TimeSpan.FromMinutes(2));
        var url = OtaServeLog.ListeningUrl(server.Log);
        var admin = OtaServeLog.AdminToken(server.Log);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var first = await ReadyAsync(url);
        Assert.Equal(("ready", HttpStatusCode.OK), (first.Body.GetProperty("status").GetString(), first.Status));
        Assert.Contains($"policy set {first.Digest} serving from", server.Log, StringComparison.Ordinal);

        // Broken on disk: the watcher reloads, refuses it, and the good set keeps serving; a fix is picked up.
        var broken = await ChangeAndWaitAsync(url, first.Digest, () => _folder.Write("policies/deployment.yaml", Deployment("anomaly-detector").Replace("containers: [sensor-filter]", "containers: sensor-filter", StringComparison.Ordinal)), "degraded");
        Assert.Equal(HttpStatusCode.OK, broken.Status);
        Assert.Equal(first.Digest, broken.Digest);
        var error = Assert.Single(broken.Body.GetProperty("policies").GetProperty("lastError").GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.StartsWith($"{Path.Combine(policies, "deployment.yaml")}:", error, StringComparison.Ordinal);
        await server.WaitForLogAsync($"still serving {first.Digest}", Patience);
        await server.WaitForLogAsync(error, Patience);
        var repaired = await ChangeAndWaitAsync(url, first.Digest, () => _folder.Write("policies/deployment.yaml", Deployment("anomaly-detector, gateway")), "ready");
        Assert.NotEqual(first.Digest, repaired.Digest);

        var release = (await atym.Ok("ota", "release", reference, "--device-class", "linux-x86_64", "--server", url, "--token", admin)).Trim();
        Assert.StartsWith("rel-", release, StringComparison.Ordinal);

        // One real device, enrolled with a fleet token, then put in group us by the admin. A device that talks to a server
        // is a production device: it needs the trust roots, made offline against the server's online keys and published.
        var tuf = _folder.File("tuf");
        await atym.Ok("tuf", "init", "--dir", tuf, "--online-keys", _folder.File(Path.Combine("ota-data", "tuf", "keys")));
        foreach (var (role, file) in new[] { ("image/root", Path.Combine(tuf, "image", "1.root.json")), ("director/root", Path.Combine(tuf, "director", "1.root.json")) })
        {
            var (status, body) = await SendAsync(HttpMethod.Put, url, "api/v1/tuf/" + role, await File.ReadAllTextAsync(file));
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent, $"PUT {role}: {(int)status} {body}");
        }
        var enrollment = (await atym.Ok("ota", "token", "create", "--enrollment", "--label", "policy e2e", "--server", url, "--token", admin)).Trim();
        var init = await atym.Ok("device", "init", "--profile", "host", "--data", "dev", "--container", "sensor-filter=1M",
            "--director-root", Path.Combine(tuf, "director", "1.root.json"), "--image-root", Path.Combine(tuf, "image", "1.root.json"));
        var deviceId = DeviceLine().Match(init) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no device id in: " + init);
        await using var device = atym.Start("device", "run", "--data", "dev", "--server", url, "--enroll-token", enrollment);
        JsonElement record = default;
        try
        {
            await Wait.UntilAsync(async () => (record = await GetAsync(url, $"api/v1/devices/{deviceId}")).ValueKind == JsonValueKind.Object
                && record.GetProperty("state").GetString() == "active", $"device {deviceId} to enrol", Patience, TimeSpan.FromMilliseconds(250));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- device ---\n{device.Log}\n--- server ---\n{server.Log}", e);
        }
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, url, $"api/v1/devices/{deviceId}/groups", """{"groups":["us"]}""")).Status);
        // The device policy names exactly what this device is (its profile's flash and its runtime), so only the deployment rule can refuse it.
        var flash = record.GetProperty("flashProfile").GetString()!;
        var runtime = record.GetProperty("runtimeVersion").GetString()!;
        if (flash != "host" || runtime != "0.0.1") await ChangeAndWaitAsync(url, repaired.Digest, () => WriteDevicePolicy(flash, "0.0.1"), "ready");
        var serving = (await ReadyAsync(url)).Digest;

        var deploy = $$$"""{"releaseId":"{{{release}}}","target":{"groups":["us"]}}""";
        var (refused, problem) = await SendAsync(HttpMethod.Post, url, "api/v1/deployments", deploy);
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal("https://atym.dev/problems/deployment-policy-denied", problem.GetProperty("type").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("denied by deployment/us", detail, StringComparison.Ordinal);
        Assert.Contains("group us may not receive sensor-filter", detail, StringComparison.Ordinal);
        Assert.Contains($"policy set {serving}", detail, StringComparison.Ordinal);
        var usLine = Deployment("x").Split('\n').ToList().FindIndex(l => l.Contains("- name: us", StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"{Path.Combine(policies, "deployment.yaml")}:{usLine}:", problem.GetProperty("errors")[0].GetProperty("at").GetString(), StringComparison.Ordinal);

        // Fixed, and now giving us the container: picked up, and the deployment is created.
        var fixedState = await ChangeAndWaitAsync(url, serving, () => _folder.Write("policies/deployment.yaml", Deployment("sensor-filter")), "ready");
        Assert.NotEqual(serving, fixedState.Digest);
        var (created, deployment) = await SendAsync(HttpMethod.Post, url, "api/v1/deployments", deploy);
        Assert.True(created == HttpStatusCode.Created, deployment.ToString());
        Assert.StartsWith("dep-", deployment.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    private void WriteDevicePolicy(string flash, string minRuntime) =>
        _folder.Write("policies/devices.yaml", FleetPolicies.Devices(minRuntime, flash, "linux-x86_64", "linux-aarch64"));

    /// <summary>Makes a change on disk and waits (bounded) until <c>/readyz</c> shows <paramref name="status"/> after it.</summary>
    private async Task<Ready> ChangeAndWaitAsync(string url, string? before, Action change, string status)
    {
        change();
        Ready ready = default;
        await Wait.UntilAsync(async () =>
        {
            ready = await ReadyAsync(url);
            var state = ready.Body.GetProperty("status").GetString();
            return state == status && (status == "degraded" || ready.Digest != before);
        }, $"/readyz to say {status}", Patience, TimeSpan.FromMilliseconds(200));
        return ready;
    }

    private async Task<Ready> ReadyAsync(string url)
    {
        using var response = await _http.GetAsync(new Uri(new Uri(url), "readyz"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return new Ready(response.StatusCode, body, body.GetProperty("policies").GetProperty("policySet").GetString());
    }

    private async Task<JsonElement> GetAsync(string url, string path)
    {
        using var response = await _http.GetAsync(new Uri(new Uri(url), path));
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : default;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string url, string path, string json)
    {
        using var request = new HttpRequestMessage(method, new Uri(new Uri(url), path)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static byte[] SpkiOf(string publicKeyFile) => Formats.Crypto.VerificationKey.FromFile(publicKeyFile).Spki;

    [GeneratedRegex(@"^Device (\S+) \(", RegexOptions.Multiline)]
    private static partial Regex DeviceLine();

    private readonly record struct Ready(HttpStatusCode Status, JsonElement Body, string? Digest);

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }
}
