using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>The tests that share one <see cref="OtaStack"/> (xunit builds it once and runs them one after another).</summary>
[CollectionDefinition(Name)]
public sealed class OtaStackCollection : ICollectionFixture<OtaStack>
{
    public const string Name = "OTA stack (processes)";
}

/// <summary>
/// The fleet service as an operator sets it up, every part a real process on loopback: <c>atym registry serve</c>;
/// a vendor key (<c>atym keygen</c>) that signs three versions of the sensor-filter sample built and pushed with
/// <c>atym build/copy/sign</c> (1.0.0, 1.1.0, and 1.2.0 whose health probe fails); <c>atym ota serve</c> trusting that
/// key; the offline TUF half made with <c>atym tuf init/add-delegation/sign</c> (image root, top-level targets
/// delegating the compiler role to the server's online key and the vendor role to the vendor key, the vendor's
/// source listing, director root) and uploaded over the operator API; and a fleet enrolment token. Devices are
/// provisioned with the director and image roots (production trust), so every update runs the full Uptane path.
/// Two <see cref="ForwardingProxy"/>s sit on the wires the fault tests cut: server → registry (imports and cuts) and
/// devices → server (the proxy's origin is the server's public origin, which devices sign).
/// Built once for the collection: a couple of minutes of builds and compiles that each test would otherwise repeat.
/// </summary>
public partial class OtaStack : IAsyncLifetime
{
    public const string Container = "sensor-filter";
    public const string DeviceClass = "linux-x86_64";
    private const string Vendor = "acme";
    private static readonly (string Sample, string Version)[] Samples =
        [("sensor-filter", "1.0.0"), ("sensor-filter-v1.1.0", "1.1.0"), ("sensor-filter-bad", "1.2.0")];

    /// <summary>Versions of the 1.0.0 sample under another version number, one per fault test, so each imports and cuts
    /// something no other test did (an import or cut already done would never reach the point the test kills at).</summary>
    public static readonly string[] FaultVersions = ["1.0.1", "1.0.2", "1.0.3"];

    /// <summary>
    /// The rollout test's v1, v2 (whose probe fails) and v3: the samples' modules under versions of their own, with a
    /// patient health check (<see cref="SampleCopy"/>). Twenty devices
    /// trial at once on a 2-core machine shared with other builds; a good version must not fail its trial for want of CPU.
    /// </summary>
    public static readonly (string Sample, string Version)[] RolloutVersions =
        [("sensor-filter", "2.0.0"), ("sensor-filter-bad", "2.1.0"), ("sensor-filter-v1.1.0", "2.2.0")];

    private readonly TempFolder _folder = TempFolder.Create("e2e-ota-stack");
    private readonly OtaStackSetup _setup;
    private readonly ConcurrentDictionary<string, string> _releases = new(StringComparer.Ordinal);

    public OtaStack() : this(new OtaStackSetup()) { }

    /// <summary>A stack with other parts (<see cref="OtaStackSetup"/>): fewer versions, PostgreSQL, an object store.</summary>
    protected OtaStack(OtaStackSetup setup)
    {
        _setup = setup;
        var environment = new Dictionary<string, string>(setup.Environment ?? new Dictionary<string, string>())
        {
            ["ATYM_KEY_PASSPHRASE"] = "e2e-test",
            ["ATYM_OTA_KEY_PASSPHRASE"] = "e2e-test",
            ["SOURCE_DATE_EPOCH"] = "1764000000",
        };
        Atym = new AtymProcess(_folder.Path, environment);
    }

    internal AtymProcess Atym { get; }

    public AtymRegistryProcess Registry { get; private set; } = null!;

    /// <summary>In front of the registry: the OTA server imports and cuts through it (holds stop an import or a cut).</summary>
    internal ForwardingProxy RegistryProxy { get; private set; } = null!;

    /// <summary>In front of the OTA server: devices talk through it (its origin is the server's public origin).</summary>
    internal ForwardingProxy DeviceProxy { get; private set; } = null!;

    internal OtaServerProcess Server { get; private set; } = null!;

    /// <summary>The operator API with the admin token the server's first start printed.</summary>
    internal OperatorApi Admin { get; private set; } = null!;

    /// <summary>The fleet enrolment token devices enrol with.</summary>
    public string EnrollmentToken { get; private set; } = "";

    private string Tuf => _folder.File("tuf");

    /// <summary>The director's root every device is provisioned with (production trust).</summary>
    public string DirectorRoot => Path.Combine(Tuf, "director", "1.root.json");

    /// <summary>The image repository's root every device is provisioned with.</summary>
    public string ImageRoot => Path.Combine(Tuf, "image", "1.root.json");

    /// <summary>The reference an operator releases: the registry as the OTA server reaches it (the proxy).</summary>
    public string Reference(string version) => $"{RegistryProxy.HostPort}/samples/{Container}:{version}";

    private IEnumerable<(string Folder, string Version)> AllVersions =>
        Samples.Select(s => (Path.Combine(RepositoryRoot.Samples, s.Sample), s.Version))
            .Concat(FaultVersions.Concat(RolloutVersions.Select(r => r.Version)).Select(v => (_folder.File("sample-" + v), v)))
            .Where(s => Built(s.Item2));

    public async Task InitializeAsync()
    {
        Registry = await AtymRegistryProcess.StartAsync(_folder.File("registry"));
        RegistryProxy = await ForwardingProxy.StartAsync(Registry.BaseUri);
        await Atym.Ok("keygen", "vendor");
        foreach (var version in FaultVersions.Where(Built)) SampleCopy.Make("sensor-filter", _folder.File("sample-" + version), version);
        foreach (var (sample, version) in RolloutVersions.Where(r => Built(r.Version))) SampleCopy.Make(sample, _folder.File("sample-" + version), version, patientHealth: true);
        foreach (var (folder, version) in AllVersions)
        {
            var layout = _folder.File(Path.Combine("layouts", version));
            var pushed = $"{Registry.HostPort}/samples/{Container}:{version}";
            await Atym.Ok("build", folder, "-o", layout);
            await Atym.Ok("copy", $"oci:{layout}:{version}", pushed);
            await Atym.Ok("sign", pushed, "--key", "vendor.key");
        }

        var serverUrl = new Uri($"http://127.0.0.1:{LoopbackPort.Next()}/");
        DeviceProxy = await ForwardingProxy.StartAsync(serverUrl);
        Server = new OtaServerProcess(Atym, _folder.Path, serverUrl, DeviceProxy.Url, RegistryProxy.Url, _folder.File("vendor.pub"),
            store: _setup.Store, blobs: _setup.Blobs);
        await Server.StartAsync();
        Admin = new OperatorApi(Server.Url, Server.AdminToken);
        await PublishTrustRootsAsync();
        EnrollmentToken = (await Operator("ota", "token", "create", "--enrollment", "--label", "e2e fleet")).Trim();
    }

    private bool Built(string version) => _setup.Versions is null || _setup.Versions.Contains(version);

    /// <summary>
    /// The offline half (docs/update-metadata.md §7), made with <c>atym tuf</c> against the server's online public keys
    /// and uploaded with <c>PUT /api/v1/tuf/…</c> (the verbs write files; the operator API publishes them).
    /// </summary>
    private async Task PublishTrustRootsAsync()
    {
        var online = Path.Combine(Server.DataDirectory, "tuf", "keys");
        await Atym.Ok("tuf", "init", "--dir", Tuf, "--online-keys", online);
        await Atym.Ok("tuf", "add-delegation", "--dir", Tuf, "--compiler", DeviceClass, "--online-keys", online);
        await Atym.Ok("tuf", "add-delegation", "--dir", Tuf, "--vendor", Vendor, "--key", "vendor.pub", "--pattern", "sensor-*");
        // The vendor lists the source Wasm of every version (step 10: the device checks the image was compiled from it).
        var listing = _folder.File("vendor-acme.json");
        await Atym.Ok(["tuf", "sign", "--role", "vendor-" + Vendor, "--key", "vendor.key", "-o", listing,
            .. AllVersions.SelectMany(s => new[] { "--add", $"sources/{Container}/{s.Version}/module.wasm={Path.Combine(s.Folder, Container + ".wasm")}" })]);

        await PutAsync("image/root", ImageRoot);
        foreach (var version in new[] { 1, 2, 3 }) await PutAsync("image/targets", Path.Combine(Tuf, "image", $"{version}.targets.json"));
        await PutAsync("image/delegations/vendor-" + Vendor, listing);
        await PutAsync("director/root", DirectorRoot);
    }

    private async Task PutAsync(string path, string file)
    {
        await Admin.PutFileAsync("api/v1/tuf/" + path, file);
    }

    /// <summary>An operator verb against the server with the admin token (<c>--server</c>, <c>--token</c>).</summary>
    public Task<string> Operator(params string[] args) =>
        Atym.Ok([.. args, "--server", Server.Url.ToString(), "--token", Server.AdminToken]);

    /// <summary>The release id of a version (imported once: <c>atym ota release</c> is idempotent, the id is kept).</summary>
    public async Task<string> ReleaseAsync(string version)
    {
        if (_releases.TryGetValue(version, out var id)) return id;
        var output = await Operator("ota", "release", Reference(version), "--device-class", DeviceClass);
        return _releases[version] = output.Trim();
    }

    /// <summary><c>atym ota release REF --no-wait</c>: the import job's id (the job runs in the server's background queue).</summary>
    public async Task<string> QueueReleaseAsync(string version) =>
        (await Operator("ota", "release", Reference(version), "--device-class", DeviceClass, "--no-wait")).Trim();

    /// <summary>The job as <c>GET /api/v1/jobs/{id}</c> shows it (state, attempts, error, resultId).</summary>
    public async Task<JsonElement> JobAsync(string id) =>
        await Admin.GetAsync("api/v1/jobs/" + id);

    /// <summary>Waits (bounded) until the job is finished and returns it; remembers the release it made.</summary>
    public async Task<JsonElement> FinishedJobAsync(string id, string version)
    {
        JsonElement job = default;
        await Wait.UntilAsync(async () => (job = await JobAsync(id)).GetProperty("state").GetString() is "succeeded" or "failed",
            $"job {id} to finish", TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(250));
        if (job.TryGetProperty("resultId", out var result) && result.GetString() is { } release) _releases[version] = release;
        return job;
    }

    /// <summary><c>atym device init</c> with the director and image roots: a production device of this machine's class.</summary>
    internal async Task<TestDevice> ProvisionDeviceAsync(string name)
    {
        var data = _folder.File(Path.Combine("devices", name));
        var output = await Atym.Ok("device", "init", "--profile", "host", "--data", data, "--container", Container + "=1M",
            "--director-root", DirectorRoot, "--image-root", ImageRoot);
        var id = DeviceLine().Match(output) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no device id in: " + output);
        return new TestDevice(this, id, data);
    }

    /// <summary>The device as the operator API shows it (<c>GET /api/v1/devices/{id}</c>), or null before it enrolled.</summary>
    public Task<JsonElement?> DeviceAsync(string id) => Admin.FindAsync("api/v1/devices/" + Uri.EscapeDataString(id));

    /// <summary>One counter or gauge of <c>/metrics</c> (Prometheus text): the sample whose labels include <paramref name="label"/>; 0 when absent.</summary>
    public async Task<double> MetricAsync(string series, string label)
    {
        var text = await Admin.GetTextAsync("metrics");
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(series + "{", StringComparison.Ordinal) || !line.Contains(label, StringComparison.Ordinal)) continue;
            // name{labels} value [timestamp]
            var value = line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0];
            return double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await DeviceProxy.DisposeAsync();
        await RegistryProxy.DisposeAsync();
        await Registry.DisposeAsync();
        Admin?.Dispose();
        _folder.Dispose();
    }

    [GeneratedRegex(@"^Device (\S+) \(", RegexOptions.Multiline)]
    private static partial Regex DeviceLine();
}
