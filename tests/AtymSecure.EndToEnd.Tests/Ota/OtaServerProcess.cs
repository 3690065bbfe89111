using System.Text.Json;
using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// <c>atym ota serve</c> as a real process on a fixed loopback port, so that it can be killed with SIGKILL and
/// restarted on the same data folder at the same URL (a device signs the server's origin, so the URL must not
/// move; they reach it through a proxy whose origin is the server's public origin). The config file names the registry, the trusted vendor key, a 1 s poll interval (the tests wait on the
/// devices, not the default 5 minutes) and a request budget a device polling every second stays inside.
/// </summary>
internal sealed class OtaServerProcess : IAsyncDisposable
{
    private readonly AtymProcess _atym;
    private readonly string _config;
    private BackgroundProcess? _process;
    private string _earlierLog = "";

    private readonly Uri _publicOrigin;
    private readonly Uri _registry;
    private readonly string? _store;
    private readonly string? _blobs;
    private readonly TimeSpan _pollInterval;

    /// <summary>Extra <c>atym ota serve</c> flags for the next start (e.g. <c>--redirect-bundle-downloads</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; set; } = [];

    /// <param name="url">Where it listens (a free loopback port the caller picked, so a proxy can point at it first).</param>
    /// <param name="publicOrigin">The origin devices connect to and sign: the proxy in front of the server.</param>
    /// <param name="policies">The policy folder (<c>policies</c> in the config, <c>--policies</c>), or null for none.</param>
    /// <param name="store">A <c>postgres://</c> store (null: LiteDB in the data folder).</param>
    /// <param name="name">The config file's name: replicas on one <paramref name="folder"/> share its data folder, each with its own config.</param>
    /// <param name="blobs">An <c>s3://</c> bundle store (<c>--blobs</c>; null: the data folder). Replicas given the same location share one bucket.</param>
    /// <param name="pollInterval">The poll interval the server tells devices (default 1 s; a big fleet on 2 cores polls less often).</param>
    public OtaServerProcess(AtymProcess atym, string folder, Uri url, Uri publicOrigin, Uri registry, string vendorPublicKey, string? policies = null,
        string? store = null, string name = "ota", string? blobs = null, TimeSpan? pollInterval = null)
    {
        _blobs = blobs;
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
        _atym = atym;
        DataDirectory = Path.Combine(folder, "ota-data");
        Url = url;
        _publicOrigin = publicOrigin;
        _registry = registry;
        _config = Path.Combine(folder, name + ".json");
        _store = store;
        Configure([vendorPublicKey], policies);
    }

    /// <summary>
    /// Rewrites the config file for the next start: the vendor keys the server trusts and its policy folder (null: none).
    /// Data folder, URL, origin and registry stay, so devices keep talking to the same server with the same online keys.
    /// </summary>
    public void Configure(IReadOnlyList<string> vendorPublicKeys, string? policies)
    {
        ArgumentNullException.ThrowIfNull(vendorPublicKeys);
        File.WriteAllText(_config, JsonSerializer.Serialize(new
        {
            dataDirectory = DataDirectory,
            listenUrl = Url.GetLeftPart(UriPartial.Authority),
            publicOrigin = _publicOrigin.GetLeftPart(UriPartial.Authority),
            registry = _registry.GetLeftPart(UriPartial.Authority),
            vendorKeyFiles = vendorPublicKeys,
            policies,
            pollInterval = _pollInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            deviceRateLimit = 600,
            store = _store,
            blobs = _blobs,
        }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));
    }

    public string DataDirectory { get; }

    public Uri Url { get; }

    /// <summary>The one-time admin token the first start printed.</summary>
    public string AdminToken { get; set; } = "";

    /// <summary>What every process on this data folder printed, across kills and restarts.</summary>
    public string Log => _earlierLog + _process?.Log;

    /// <summary>Starts the server and waits for its "listening" line; the first start also yields the admin token.</summary>
    public async Task StartAsync()
    {
        if (_process is not null) throw new InvalidOperationException("the OTA server is already running");
        _process = _atym.Start(["ota", "serve", "--config", _config, .. ExtraArguments]);
        await _process.WaitForLogAsync(OtaServeLog.ListeningLine, TimeSpan.FromMinutes(2));
        if (AdminToken.Length == 0) AdminToken = OtaServeLog.AdminToken(_process.Log);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush — a crash or a power cut of the server.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync();
        _earlierLog += _process.Log;
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
