using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// The OTA host <c>atym ota serve</c> runs (no registry), on a real loopback port in this process, for the operator
/// verbs. Devices are put into its store as enrolment leaves them (the enrolment protocol has its own tests).
/// <see cref="LoopbackDdiServer"/> is the same host with DDI on.
/// </summary>
public class LoopbackOtaServer : IAsyncLifetime
{
    private readonly TempFolder _folder;
    private readonly DdiOptions? _ddi;
    private WebApplication? _app;

    public LoopbackOtaServer()
        : this("cli-ota-verbs", ddi: null)
    {
    }

    /// <param name="folder">The temp folder's name.</param>
    /// <param name="ddi">DDI on with these options (<c>atym ota serve --ddi</c>), or off.</param>
    protected LoopbackOtaServer(string folder, DdiOptions? ddi)
    {
        _folder = TempFolder.Create(folder);
        _ddi = ddi;
    }

    public string Url { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    public T Service<T>() where T : notnull => _app!.Services.GetRequiredService<T>();

    internal static async Task<CliRunner.Result> Ok(params string[] args)
    {
        var r = await CliRunner.RunAsync(args);
        Assert.True(r.ExitCode == 0, $"atym {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}{r.StdOut}");
        return r;
    }

    public void AddDevice(string id, DeviceState state, params string[] groups) =>
        Assert.True(Service<IDeviceStore>().TryAdd(new DeviceRecord(id, "AAAA", "fp-" + id, "linux-x86_64", "host",
            [new DevicePartition("sensor-filter", 1 << 20)], "1.0.0", state, 0, new EquatableList<string>(groups), EquatableMap<string>.Empty,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0)));

    public async Task InitializeAsync()
    {
        _app = OtaServerHost.Build(new OtaServerOptions { DataDirectory = _folder.File("ota"), ListenUrl = "127.0.0.1:0", Ddi = _ddi }.EnsureValid());
        await _app.StartAsync();
        Url = OtaServerHost.ListeningAddress(_app).ToString().TrimEnd('/');
        AdminToken = Service<AdminTokenBootstrap>().CreatedText!;
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _folder.Dispose();
    }
}
