using System.Net;
using System.Text;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.OtaReleases.Tests.Offline;

/// <summary><c>POST /api/v1/offline-exports</c> in the real host: every refusal a specific 4xx problem, never a 5xx, nothing signed.</summary>
public sealed class OfflineExportEndpointTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>, IAsyncLifetime
{
    private ReleaseHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ReleaseHost.StartAsync(world);
        Add("atym-00000000000000c1", "linux-x86_64");
        Add("atym-00000000000000c2", "mcu-cortex-m33");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private void Add(string id, string deviceClass) =>
        Assert.True(_host.Service<IDeviceStore>().TryAdd(new DeviceRecord(id, "AAAA", "fp-" + id, deviceClass, "host",
            [new DevicePartition("sensor-filter", 1 << 20)], "1.0.0", DeviceState.Active, 0, [], EquatableMap<string>.Empty,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0)));

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string json)
    {
        using var response = await _host.Client.PostAsync("/api/v1/offline-exports", new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private string OfflineSequence => Path.Combine(_host.DataFolder.Path, "tuf", "director", "offline", "offline.targets.json");

    [Theory]
    [InlineData("{}", 400, "request-invalid")]
    [InlineData("{\"devices\":[]}", 400, "request-invalid")]
    [InlineData("{\"devices\":[\"atym-00000000000000c1\",\"atym-00000000000000c1\"]}", 400, "request-invalid")]
    [InlineData("{\"devices\":[\"atym-00000000000000c1\"],\"lifetimeDays\":91}", 400, "request-invalid")]
    [InlineData("{\"devices\":[\"atym-00000000000000c1\"],\"extra\":1}", 400, "request-invalid")]
    [InlineData("{\"devices\":[\".hidden\"]}", 400, "device-id-invalid")]
    [InlineData("{\"devices\":[\"atym-00000000000000ff\"]}", 404, "device-not-found")]
    [InlineData("{\"devices\":[\"atym-00000000000000c1\",\"atym-00000000000000c2\"]}", 400, "offline-export-mixed-classes")]
    [InlineData("{\"devices\":[\"atym-00000000000000c1\"]}", 409, "offline-export-not-ready")]
    public async Task A_bad_export_request_is_a_specific_problem_and_signs_nothing(string body, int status, string code)
    {
        var (got, text) = await PostAsync(body);
        Assert.Equal(status, (int)got);
        Assert.Contains($"https://atym.dev/problems/{code}", text, StringComparison.Ordinal);
        Assert.False(File.Exists(OfflineSequence));
    }

    [Fact]
    public async Task A_device_with_nothing_assigned_is_refused_once_the_repositories_exist()
    {
        _host.BootstrapTuf();
        var (status, text) = await PostAsync("{\"devices\":[\"atym-00000000000000c1\"]}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("offline-export-nothing-assigned", text, StringComparison.Ordinal);
        Assert.False(File.Exists(OfflineSequence));
    }

    [Fact]
    public async Task Malformed_bodies_are_4xx_never_5xx()
    {
        string[] ids = ["\"atym-00000000000000c1\"", "\"atym-00000000000000c2\"", "\"\"", "1", "null", "\"a/b\"", "[]", "{}"];
        var device = Gen.Int[0, ids.Length - 1].Select(i => ids[i]);
        var body = Gen.OneOf(
            Gen.String[0, 64],
            Gen.Select(device.Array[0, 4], Gen.Int[-5, 200], (d, n) => $"{{\"devices\":[{string.Join(',', d)}],\"lifetimeDays\":{n}}}"),
            device.Select(d => $"{{\"devices\":{d}}}"));
        await body.SampleAsync(async json =>
        {
            var (status, text) = await PostAsync(json);
            Assert.True((int)status is >= 400 and < 500, $"{json} → {(int)status} {text}");
        }, iter: 150, threads: 1);
        Assert.False(File.Exists(OfflineSequence));
    }
}
