using System.Text.Json;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// <c>atym ota release REF</c> and <c>atym ota assign RELEASE --device ID</c> against a real OTA server on loopback (the
/// host <c>atym ota serve --registry</c> runs, in this process) importing from our registry on loopback a sample that the
/// CLI itself built, pushed and signed with the vendor key the server trusts: what each verb prints, as text and as
/// <c>--json</c>, and every refusal as a clear message with a non-zero exit.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReleaseVerbsTests(ReleaseVerbsTests.OtaWithRegistry ota) : IClassFixture<ReleaseVerbsTests.OtaWithRegistry>
{
    private const string DeviceId = "dev-cli-1";

    private string[] Server(params string[] args) => [.. args, "--server", ota.Url, "--token", ota.AdminToken];

    [Fact]
    public async Task Release_imports_the_signed_container_and_assign_gives_it_to_a_device_as_text_and_json()
    {
        var imported = await ota.Ok(Server("ota", "release", ota.Reference, "--device-class", "linux-x86_64"));
        var releaseId = imported.StdOut.Trim();
        Assert.StartsWith("rel-", releaseId, StringComparison.Ordinal);
        Assert.Contains("atym ota: import queued as job-", imported.StdErr, StringComparison.Ordinal);
        Assert.Contains("sensor-filter 1.0.0, security counter 1, manifest sha256:", imported.StdErr, StringComparison.Ordinal);
        Assert.Matches(@"linux-x86_64: \S+ image sha256:[0-9a-f]{64} \(\d+ bytes\)", imported.StdErr);

        // The same version imported again is the same release; --json prints the release document.
        var again = JsonDocument.Parse((await ota.Ok(Server("ota", "release", ota.Reference, "--device-class", "linux-x86_64", "--json"))).StdOut).RootElement;
        Assert.Equal(releaseId, again.GetProperty("id").GetString());
        Assert.Equal(("sensor-filter", "1.0.0"), (again.GetProperty("container").GetString(), again.GetProperty("version").GetString()));
        Assert.Equal("linux-x86_64", again.GetProperty("images")[0].GetProperty("deviceClass").GetString());

        ota.EnrolDevice(DeviceId);
        var assigned = await ota.Ok(Server("ota", "assign", releaseId, "--device", DeviceId));
        Assert.Equal($"assigned {releaseId} (sensor-filter) to {DeviceId}", assigned.StdOut.Trim());
        var json = JsonDocument.Parse((await ota.Ok(Server("ota", "assign", releaseId, "--device", DeviceId, "--json"))).StdOut).RootElement;
        Assert.Equal((DeviceId, "sensor-filter", releaseId),
            (json.GetProperty("deviceId").GetString(), json.GetProperty("container").GetString(), json.GetProperty("releaseId").GetString()));
    }

    [Fact]
    public async Task A_release_of_a_reference_the_registry_does_not_have_fails_naming_why()
    {
        var missing = await CliRunner.RunAsync(Server("ota", "release", $"{ota.RegistryHost}/samples/nothing-here:9.9.9", "--device-class", "linux-x86_64"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"atym ota: release failed: container-not-found: release refused: $.reference: {ota.RegistryHost}/samples/nothing-here:9.9.9 is not in the registry", missing.StdErr, StringComparison.Ordinal);
        Assert.Equal("", missing.StdOut);
    }

    [Fact]
    public async Task Assigning_an_unknown_release_or_to_an_unknown_device_is_refused_with_the_servers_reason()
    {
        var unknownRelease = await CliRunner.RunAsync(Server("ota", "assign", "rel-0000000000000000", "--device", DeviceId));
        Assert.Equal(1, unknownRelease.ExitCode);
        Assert.Contains("atym ota: not found: no release 'rel-0000000000000000' (404 release-not-found at $.releaseId)", unknownRelease.StdErr, StringComparison.Ordinal);

        var releaseId = (await ota.Ok(Server("ota", "release", ota.Reference, "--device-class", "linux-x86_64"))).StdOut.Trim();
        var unknownDevice = await CliRunner.RunAsync(Server("ota", "assign", releaseId, "--device", "dev-nobody"));
        Assert.Equal(1, unknownDevice.ExitCode);
        Assert.Contains("atym ota: not found: no device 'dev-nobody' (404 device-not-found at $.deviceId)", unknownDevice.StdErr, StringComparison.Ordinal);
        Assert.Equal("", unknownDevice.StdOut);
    }

    [Fact]
    public async Task Without_a_token_neither_verb_sends_anything_and_both_say_how_to_give_one()
    {
        var saved = Environment.GetEnvironmentVariable("ATYM_OTA_TOKEN");
        Environment.SetEnvironmentVariable("ATYM_OTA_TOKEN", null);
        try
        {
            foreach (var args in new[] { new[] { "ota", "release", ota.Reference }, ["ota", "assign", "rel-0000000000000000", "--device", DeviceId] })
            {
                var refused = await CliRunner.RunAsync([.. args, "--server", ota.Url]);
                Assert.Equal(1, refused.ExitCode);
                Assert.Contains("an operator token is required: --token T or ATYM_OTA_TOKEN", refused.StdErr, StringComparison.Ordinal);
            }
            var wrong = await CliRunner.RunAsync(["ota", "release", ota.Reference, "--server", ota.Url, "--token", "atym_00000000_" + new string('A', 43)]);
            Assert.Equal(1, wrong.ExitCode);
            Assert.Contains("atym ota: not authenticated: unknown operator token (401 unauthenticated at Authorization)", wrong.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ATYM_OTA_TOKEN", saved);
        }
    }

    /// <summary>
    /// Our registry on loopback holding <c>samples/sensor-filter:1.0.0</c> built, pushed and signed by the CLI with a
    /// vendor key, and the OTA host on a real loopback port with that registry and vendor key (what <c>atym ota serve
    /// --registry</c> runs). Devices are added to its store as enrolment leaves them (the enrolment protocol has its own tests).
    /// </summary>
    public sealed class OtaWithRegistry : IAsyncLifetime
    {
        private readonly TempFolder _folder = TempFolder.Create("cli-ota-release");
        private readonly LoopbackRegistry _registry = new();
        private WebApplication? _app;

        public string Url { get; private set; } = "";

        public string AdminToken { get; private set; } = "";

        public string RegistryHost => _registry.Host;

        public string Reference => $"{_registry.Host}/samples/sensor-filter:1.0.0";

        internal async Task<CliRunner.Result> Ok(params string[] args)
        {
            var r = await CliRunner.RunAsync(args);
            Assert.True(r.ExitCode == 0, $"atym {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}{r.StdOut}");
            return r;
        }

        public void EnrolDevice(string id) =>
            _app!.Services.GetRequiredService<IDeviceStore>().TryAdd(new DeviceRecord(id, "AAAA", "fp-" + id, "linux-x86_64", "host",
                [new DevicePartition("sensor-filter", 1 << 20)], "1.0.0", DeviceState.Active, 0, [], EquatableMap<string>.Empty,
                DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0));

        public async Task InitializeAsync()
        {
            await _registry.InitializeAsync();
            Environment.SetEnvironmentVariable("ATYM_KEY_PASSPHRASE", "release-verbs-test");
            Environment.SetEnvironmentVariable("SOURCE_DATE_EPOCH", "1764000000");
            var vendor = _folder.File("vendor");
            await Ok("keygen", vendor);
            var layout = _folder.File("sensor-filter");
            await Ok("build", Path.Combine(RepositoryRoot.Samples, "sensor-filter"), "-o", layout);
            await Ok("copy", $"oci:{layout}:1.0.0", Reference);
            await Ok("sign", Reference, "--key", vendor + ".key");

            _app = OtaServerHost.Build(new OtaServerOptions
            {
                DataDirectory = _folder.File("ota"), ListenUrl = "127.0.0.1:0", Registry = "http://" + _registry.Host, VendorKeyFiles = [vendor + ".pub"],
            }.EnsureValid());
            await _app.StartAsync();
            Url = OtaServerHost.ListeningAddress(_app).ToString().TrimEnd('/');
            AdminToken = _app.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText!;
        }

        public async Task DisposeAsync()
        {
            if (_app is not null) await _app.DisposeAsync();
            await _registry.DisposeAsync();
            _folder.Dispose();
        }
    }
}
