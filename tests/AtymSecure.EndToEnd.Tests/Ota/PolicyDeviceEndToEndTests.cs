using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Policies;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// The device half of the policies (issue 15 §3 "Device", §4), every part a real process on loopback:
/// <list type="number">
/// <item>Grants: <c>atym ota serve --policies</c>; sensor-filter asks to publish on telemetry/temp and telemetry/debug.
/// While the permission policy lets group <c>field</c> publish on telemetry/*, a real <c>atym device run</c> in that group
/// runs the release's own image with all four grants. The policy then narrows (telemetry/debug only): at its next poll
/// the device installs, trials and confirms the image the server cut with the narrowed grants (its status shows them;
/// its slot holds the image the audit entry names, not the release's own), and the container's publish on
/// telemetry/temp is refused by the runtime, which logs it naming the grants.</item>
/// <item>Keys: the vendor delegations the device trusts were signed from the trust policy
/// (<c>atym tuf delegations --from-policy … --apply</c>, and <c>--check</c> agrees). The server is then compromised: its
/// config trusts a rogue vendor key and has no policies, and with the server's own online keys (compiler, director) it
/// imports a release the rogue signed, lists its image and names it in the device's director targets. The rogue cannot
/// list the source under the policy's vendor delegation (the server refuses the upload), and the device refuses the
/// update at step 10, <c>source-not-listed</c>, in its report, keeps running what it confirmed and downloads nothing.</item>
/// </list>
/// </summary>
[Trait("Requires", "process")]
public sealed partial class PolicyDeviceEndToEndTests : IDisposable
{
    private const string Container = "sensor-filter";
    private const string DeviceClass = "linux-x86_64";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);
    private static readonly string[] FieldGrants = ["log", "sensor:temp0", "publish:telemetry/debug"];

    private readonly TempFolder _folder = TempFolder.Create("e2e-policy-device");

    [Fact]
    public async Task A_device_runs_with_the_grants_the_policy_derives_and_refuses_a_release_its_policy_delegations_do_not_list()
    {
        var atym = new AtymProcess(_folder.Path, new Dictionary<string, string>
        {
            ["ATYM_KEY_PASSPHRASE"] = "e2e-test", ["ATYM_OTA_KEY_PASSPHRASE"] = "e2e-test", ["SOURCE_DATE_EPOCH"] = "1764000000",
        });
        await using var registry = await AtymRegistryProcess.StartAsync(_folder.File("registry"));
        await atym.Ok("keygen", "vendor");
        await atym.Ok("keygen", "rogue");

        // sensor-filter 1.0.0 asking for one more topic than its module publishes on; 1.1.0 signed by the rogue key only.
        var sample = _folder.File("sample-1.0.0");
        SampleCopy.Make(Container, sample, patientHealth: true);
        var yaml = Path.Combine(sample, "atym.yaml");
        var config = await File.ReadAllTextAsync(yaml);
        Assert.Contains("  - publish:telemetry/temp\n", config, StringComparison.Ordinal);
        await File.WriteAllTextAsync(yaml, config.Replace("  - publish:telemetry/temp\n", "  - publish:telemetry/temp\n  - publish:telemetry/debug\n", StringComparison.Ordinal));
        var rogueSample = _folder.File("sample-1.1.0");
        SampleCopy.Make("sensor-filter-v1.1.0", rogueSample, patientHealth: true);
        await PushAsync(atym, sample, registry, "1.0.0", "vendor.key");
        await PushAsync(atym, rogueSample, registry, "1.1.0", "rogue.key");

        var policies = _folder.Folder("policies");
        var vendor = Convert.ToHexStringLower(SHA256.HashData(Formats.Crypto.VerificationKey.FromFile(_folder.File("vendor.pub")).Spki));
        FleetPolicies.Write(policies,
            trust: FleetPolicies.Trust(vendor, $"{registry.HostPort}/samples/*"),
            devices: FleetPolicies.Devices("0.0.1", "host", DeviceClass),
            deployment: FleetPolicies.Deployment(new FleetGroup("field", Container)),
            permissions: FieldPermissions("\"publish:telemetry/*\""));
        var keys = _folder.Folder(Path.Combine("policies", "keys"));
        File.Copy(_folder.File("vendor.pub"), Path.Combine(keys, "vendor.pub"));

        var url = new Uri($"http://127.0.0.1:{LoopbackPort.Next()}/");
        await using var server = new OtaServerProcess(atym, _folder.Path, url, url, registry.BaseUri, _folder.File("vendor.pub"), policies);
        await server.StartAsync();
        using var admin = new OperatorApi(server.Url, server.AdminToken);
        await PublishTrustAsync(atym, admin, server, policies, keys, Path.Combine(sample, Container + ".wasm"));

        var release = (await Operator(atym, server, "ota", "release", $"{registry.HostPort}/samples/{Container}:1.0.0", "--device-class", DeviceClass)).Trim();
        var enrollment = (await Operator(atym, server, "ota", "token", "create", "--enrollment", "--label", "policy device e2e")).Trim();
        var data = _folder.File("device");
        var init = await atym.Ok("device", "init", "--profile", "host", "--data", data, "--container", Container + "=1M",
            "--director-root", Path.Combine(_folder.File("tuf"), "director", "1.root.json"), "--image-root", Path.Combine(_folder.File("tuf"), "image", "1.root.json"));
        var deviceId = DeviceLine().Match(init) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no device id in: " + init);
        string deviceLog;
        await using (var device = atym.Start("device", "run", "--data", data, "--server", url.ToString(), "--enroll-token", enrollment))
        {
            try
            {
                await device.WaitForLogAsync("enrolled with", Patience);
                await admin.PutJsonAsync($"api/v1/devices/{deviceId}/groups", new { groups = new[] { "field" } });

                // 1a. Group field may publish on telemetry/*: the device runs the release's own image, all four grants.
                await Operator(atym, server, "ota", "assign", release, "--device", deviceId);
                await device.WaitForLogAsync("trial of 1.0.0 passed: confirmed", Patience);
                // The log line comes before status.json is published with the confirmed slot: wait for the status itself.
                await Wait.UntilAsync(async () => (await StatusAsync(atym, data)).ConfirmedDigest is not null, "status.json to show the confirmed 1.0.0", Patience, Every);
                var own = await StatusAsync(atym, data);
                Assert.Equal(["log", "sensor:temp0", "publish:telemetry/temp", "publish:telemetry/debug"], own.Runtime.GetProperty("grants").EnumerateArray().Select(g => g.GetString()));
                var imported = (await admin.GetAsync($"api/v1/releases/{release}")).GetProperty("images").EnumerateArray().Single();
                Assert.Equal(imported.GetProperty("imageDigest").GetString(), own.ConfirmedDigest);

                // 1b. The policy narrows after the assignment (telemetry/debug only): at its next poll the device is offered the
                // image the server cut with the narrowed grants, installs, trials and confirms it, and runs with less.
                var serving = JsonDocument.Parse(await admin.GetTextAsync("readyz")).RootElement.GetProperty("policies").GetProperty("policySet").GetString();
                File.WriteAllText(Path.Combine(policies, FleetPolicies.PermissionsFile), FieldPermissions("\"publish:telemetry/debug\""));
                await Wait.UntilAsync(async () => JsonDocument.Parse(await admin.GetTextAsync("readyz")).RootElement.GetProperty("policies").GetProperty("policySet").GetString() != serving,
                    "the server to serve the narrowed policy", Patience, Every);
                await Wait.UntilAsync(async () => (await StatusAsync(atym, data)) is { ConfirmedDigest: { } d } && d != own.ConfirmedDigest,
                    "the device to confirm the narrowed image", Patience, Every);
                await device.WaitForLogAsync("denied publish:telemetry/temp: not granted to this container (grants: log, sensor:temp0, publish:telemetry/debug)", Patience);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                throw new TimeoutException($"{e.Message}\n--- device ---\n{device.Log}\n--- server ---\n{Tail(server.Log)}", e);
            }
            var status = await StatusAsync(atym, data);
            Assert.Equal("1.0.0", status.ConfirmedVersion);
            Assert.Equal(FieldGrants, status.Runtime.GetProperty("grants").EnumerateArray().Select(g => g.GetString()));
            var grantsAudit = Assert.Single(await admin.AuditAsync(), e => e.GetProperty("action").GetString() == "policy.grants");
            var derived = JsonDocument.Parse(grantsAudit.GetProperty("after").GetString()!).RootElement;
            Assert.Equal(FieldGrants, derived.GetProperty("granted").EnumerateArray().Select(g => g.GetString()));
            Assert.Equal("publish:telemetry/temp", Assert.Single(derived.GetProperty("withheld").EnumerateArray()).GetProperty("permission").GetString());
            var ready = JsonDocument.Parse(await admin.GetTextAsync("readyz")).RootElement;
            Assert.Equal(ready.GetProperty("policies").GetProperty("policySet").GetString(), derived.GetProperty("policySet").GetString());
            Assert.Equal(derived.GetProperty("image").GetString(), status.ConfirmedDigest);
            Assert.Equal(2, Regex.Count(device.Log, Regex.Escape("trial of 1.0.0 passed: confirmed")));
            deviceLog = device.Log;
        }

        // 2. The server is compromised: it trusts a rogue vendor key, enforces no policy, and signs with its online keys.
        await server.KillAsync();
        server.Configure([_folder.File("vendor.pub"), _folder.File("rogue.pub")], policies: null);
        await server.StartAsync();
        var rogueRelease = (await Operator(atym, server, "ota", "release", $"{registry.HostPort}/samples/{Container}:1.1.0", "--device-class", DeviceClass)).Trim();
        // The rogue cannot list its source where devices look: the policy's delegation names the vendor's key only.
        var rogueListing = _folder.File("rogue-listing.json");
        await atym.Ok("tuf", "sign", "--role", "vendor-samples", "--key", "rogue.key", "-o", rogueListing,
            "--add", $"sources/{Container}/1.1.0/module.wasm={Path.Combine(rogueSample, Container + ".wasm")}");
        var (uploaded, why) = await admin.TryPutFileAsync("api/v1/tuf/image/delegations/vendor-samples", rogueListing);
        Assert.True(uploaded == HttpStatusCode.BadRequest, $"the rogue's listing was not refused: {(int)uploaded} {why}");
        Assert.Contains("threshold-not-met", why, StringComparison.Ordinal);
        await Operator(atym, server, "ota", "assign", rogueRelease, "--device", deviceId);

        await using var again = atym.Start("device", "run", "--data", data, "--server", url.ToString(), "--enroll-token", enrollment);
        try
        {
            await Wait.UntilAsync(async () => (await admin.FindAsync($"api/v1/devices/{deviceId}")) is { } d
                && d.GetProperty("lastReport") is { ValueKind: JsonValueKind.Object } report
                && report.GetProperty("lastRefusal") is { ValueKind: JsonValueKind.String } refusal && refusal.GetString() == "source-not-listed (step 10)",
                "the device to report source-not-listed at step 10", Patience, Every);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- device ---\n{again.Log}\n--- server ---\n{Tail(server.Log)}", e);
        }
        Assert.Contains("update refused: ", again.Log, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"downloaded sensor-filter 1\.1\.0", deviceLog + again.Log);
        var after = await StatusAsync(atym, data);
        Assert.Equal("1.0.0", after.ConfirmedVersion);
    }

    /// <summary>Group field's permissions: log, the temp0 sensor and <paramref name="publish"/>.</summary>
    private static string FieldPermissions(string publish) =>
        FleetPolicies.Permissions(new FleetPermission("sensor-filter-field", Container, "field", $"log, \"sensor:temp0\", {publish}"));

    private static async Task PushAsync(AtymProcess atym, string sample, AtymRegistryProcess registry, string version, string key)
    {
        var layout = Path.Combine(Path.GetDirectoryName(sample)!, "layout-" + version);
        var reference = $"{registry.HostPort}/samples/{Container}:{version}";
        await atym.Ok("build", sample, "-o", layout);
        await atym.Ok("copy", $"oci:{layout}:{version}", reference);
        await atym.Ok("sign", reference, "--key", key);
    }

    /// <summary>
    /// The offline half against the server's online keys: image root, a compiler delegation for the class, the vendor
    /// delegations derived from the trust policy (<c>--apply</c>, then <c>--check</c> agrees), the vendor's listing of the
    /// 1.0.0 source, director root; uploaded over the operator API.
    /// </summary>
    private async Task PublishTrustAsync(AtymProcess atym, OperatorApi admin, OtaServerProcess server, string policies, string keys, string wasm)
    {
        var tuf = _folder.File("tuf");
        var online = Path.Combine(server.DataDirectory, "tuf", "keys");
        await atym.Ok("tuf", "init", "--dir", tuf, "--online-keys", online);
        await atym.Ok("tuf", "add-delegation", "--dir", tuf, "--compiler", DeviceClass, "--online-keys", online);
        var applied = await atym.Ok("tuf", "delegations", "--from-policy", policies, "--keys", keys, "--dir", tuf, "--apply");
        Assert.Contains("vendor-samples", applied, StringComparison.Ordinal);
        var check = await atym.Ok("tuf", "delegations", "--from-policy", policies, "--keys", keys, "--dir", tuf, "--check");
        Assert.Contains("agree with the policy", check, StringComparison.Ordinal);
        var listing = _folder.File("vendor-listing.json");
        await atym.Ok("tuf", "sign", "--role", "vendor-samples", "--key", "vendor.key", "-o", listing, "--add", $"sources/{Container}/1.0.0/module.wasm={wasm}");

        await admin.PutFileAsync("api/v1/tuf/image/root", Path.Combine(tuf, "image", "1.root.json"));
        foreach (var targets in Directory.GetFiles(Path.Combine(tuf, "image"), "*.targets.json").OrderBy(f => int.Parse(Path.GetFileName(f).Split('.')[0], System.Globalization.CultureInfo.InvariantCulture)))
            await admin.PutFileAsync("api/v1/tuf/image/targets", targets);
        await admin.PutFileAsync("api/v1/tuf/image/delegations/vendor-samples", listing);
        await admin.PutFileAsync("api/v1/tuf/director/root", Path.Combine(tuf, "director", "1.root.json"));
    }

    private static Task<string> Operator(AtymProcess atym, OtaServerProcess server, params string[] args) =>
        atym.Ok([.. args, "--server", server.Url.ToString(), "--token", server.AdminToken]);

    private static async Task<(JsonElement Runtime, string? ConfirmedDigest, string? ConfirmedVersion)> StatusAsync(AtymProcess atym, string data)
    {
        var root = JsonDocument.Parse(await atym.Ok("device", "status", "--data", data, "--json")).RootElement.Clone();
        var container = root.GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == Container);
        var confirmed = container.GetProperty("confirmedSlot").GetString();
        var slot = container.GetProperty("slots").EnumerateArray().FirstOrDefault(s => s.GetProperty("slot").GetString() == confirmed);
        return (container.TryGetProperty("runtime", out var runtime) ? runtime : default,
            slot.ValueKind == JsonValueKind.Object ? slot.GetProperty("digest").GetString() : null,
            slot.ValueKind == JsonValueKind.Object ? slot.GetProperty("version").GetString() : null);
    }

    private static string Tail(string log) => log.Length <= 8000 ? log : log[^8000..];

    [GeneratedRegex(@"^Device (\S+) \(", RegexOptions.Multiline)]
    private static partial Regex DeviceLine();

    public void Dispose() => _folder.Dispose();
}
