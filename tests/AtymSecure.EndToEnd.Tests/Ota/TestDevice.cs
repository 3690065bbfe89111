using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// One provisioned device folder and its <c>atym device run --server URL --enroll-token T</c> process, which can be
/// killed (a power cut) and started again on the same folder. <see cref="Log"/> keeps what every run printed.
/// </summary>
internal sealed class TestDevice(OtaStack stack, string id, string data) : IAsyncDisposable
{
    private BackgroundProcess? _process;
    private string _earlierLog = "";

    public string Id { get; } = id;

    public string Data { get; } = data;

    public string Log => _earlierLog + _process?.Log;

    /// <summary>What the current run printed (since the last start).</summary>
    public string RunLog => _process?.Log ?? "";

    public void Start(params string[] extra)
    {
        if (_process is not null) throw new InvalidOperationException($"device {Id} is already running");
        _process = stack.Atym.Start(["device", "run", "--data", Data, "--server", stack.DeviceProxy.Url.ToString(), "--enroll-token", stack.EnrollmentToken, .. extra]);
    }

    /// <summary>Waits until this run printed <paramref name="text"/>; fails with the device's and the server's logs.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException($"device {Id} is not running");
        try
        {
            await process.WaitForLogAsync(text, timeout ?? TimeSpan.FromSeconds(120));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new TimeoutException($"{e.Message}\n--- server log ---\n{Tail(stack.Server.Log)}", e);
        }
    }

    public Task<DeviceStatusJson> StatusAsync() => DeviceStatusJson.Read(stack.Atym, Data);

    /// <summary>
    /// Waits (bounded) until <c>atym device status</c> shows <paramref name="version"/> confirmed: the verdict's log line
    /// is written before the status publisher replaces status.json, so one read right after the line can be early.
    /// </summary>
    public Task WaitForConfirmedAsync(string container, string version) =>
        Wait.UntilAsync(async () => (await StatusAsync()).ConfirmedVersion(container) == version,
            $"device {Id} status to show {container} {version} confirmed", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));

    /// <summary>SIGKILL of the device process: a power cut.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync();
        _earlierLog += _process.Log;
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private static string Tail(string log) => log.Length <= 8000 ? log : log[^8000..];
}
