using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary><see cref="HttpMetadataSource"/> on real loopback HTTP: absent, present, capped while reading, transport failures as IOException.</summary>
public sealed class HttpMetadataSourceTests : IDisposable
{
    private readonly HttpClient _client = new();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task A_file_is_its_bytes_and_a_404_is_absent()
    {
        await using var server = new HostileHttpServer(e => e.Path == "/meta/1.root.json" ? e.RespondAsync(200, "{\"a\":1}"u8.ToArray()) : e.RespondAsync(404));
        var source = new HttpMetadataSource(_client, new Uri(server.BaseUri, "meta/"));

        Assert.Equal("{\"a\":1}"u8.ToArray(), source.Fetch("1.root.json", 100));
        Assert.Null(source.Fetch("2.root.json", 100));
        Assert.Equal(["1.root.json", "2.root.json"], source.Requests);
    }

    [Fact]
    public async Task Endless_data_is_read_one_byte_past_the_cap_and_no_further()
    {
        // 8 MiB on the wire; the source stops after cap + 1.
        await using var server = new HostileHttpServer(e => e.RawAsync(200, [], new byte[8 << 20]));
        var source = new HttpMetadataSource(_client, server.BaseUri);

        Assert.Equal(1001, source.Fetch("timestamp.json", 1000)!.Length);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(403)]
    public async Task Other_statuses_are_transport_failures(int status)
    {
        await using var server = new HostileHttpServer(e => e.RespondAsync(status));
        var e = Assert.Throws<IOException>(() => new HttpMetadataSource(_client, server.BaseUri).Fetch("timestamp.json", 100));
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_connection_is_a_transport_failure()
    {
        await using var server = new HostileHttpServer(e => e.RawAsync(200, [("Content-Length", "1000")], new byte[10]));
        Assert.ThrowsAny<IOException>(() => new HttpMetadataSource(_client, server.BaseUri).Fetch("timestamp.json", 10_000));
    }

    [Fact]
    public async Task Through_the_verifier_an_endless_timestamp_is_metadata_too_large_and_a_dead_server_download_failed()
    {
        var world = new MetadataWorld();
        world.Assign("nonce-0000000000000001", world.Release(world.ReleaseOf("sensor-filter", "1.0.0", 1), "image"u8.ToArray(), "bundle"u8.ToArray()));
        await using var image = new HostileHttpServer(e =>
            e.Path.EndsWith("/timestamp.json", StringComparison.Ordinal) ? e.RawAsync(200, [], new byte[1 << 20])
            : world.Repository.Source[e.Path[(e.Path.LastIndexOf('/') + 1)..]] is { } bytes ? e.RespondAsync(200, bytes) : e.RespondAsync(404));
        await using var director = new HostileHttpServer(e =>
            world.Director.Source[e.Path[(e.Path.LastIndexOf('/') + 1)..]] is { } bytes ? e.RespondAsync(200, bytes) : e.RespondAsync(404));
        var device = world.Device(new AtymSecure.DeviceAgent.Trust.ReportNonces("nonce-0000000000000001", null), ("sensor-filter", new InstalledContainer(0)));
        var sources = new UpdateSources(new HttpMetadataSource(_client, director.BaseUri), new HttpMetadataSource(_client, image.BaseUri));

        var tooLarge = new UpdateVerifier(world.Clock).Check(world.Provisioned(), sources, device);
        Assert.Equal(ReasonCodes.MetadataTooLarge, tooLarge.Refusal?.Code);
        Assert.Equal(5, tooLarge.Refusal!.Step);

        await image.DisposeAsync();
        var down = new UpdateVerifier(world.Clock).Check(world.Provisioned(), sources, device);
        Assert.Equal(ReasonCodes.DownloadFailed, down.Refusal?.Code);
    }
}
