using System.Security.Cryptography;
using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>
/// Step 11 over real loopback HTTP against a server that misbehaves on purpose: resume with Range after a dropped
/// connection or a kill, never more than the signed length, the hash before the commit, stalls detected.
/// </summary>
public sealed class BundleDownloaderTests : IDisposable
{
    private static readonly byte[] Bundle = RandomNumberGenerator.GetBytes(200_000);
    private readonly TempFolder _temp = TempFolder.Create("downloader");
    private readonly HttpClient _client = new();
    private readonly VerifiedInstall _install = new MetadataWorld().VerifiedFor(Bundle);

    public void Dispose()
    {
        _client.Dispose();
        _temp.Dispose();
    }

    private DeviceDirectory Device => new(_temp.File("device"));

    private BundleDownloader Downloader(DownloadOptions? options = null) => new(_client, Device, options: options);

    private static Uri Url(HostileHttpServer server) => new(server.BaseUri, "bundles/sha256/x");

    /// <summary>Answers Range requests correctly from <paramref name="content"/>.</summary>
    private static Task Honest(HttpExchange e, byte[] content) =>
        e.RangeStart is { } from
            ? e.RespondAsync(206, content[(int)from..], ("Content-Range", $"bytes {from}-{content.Length - 1}/{content.Length}"))
            : e.RespondAsync(200, content);

    private async Task<MetadataRefusal> Refused(BundleDownloader downloader, HostileHttpServer server, string code)
    {
        var e = await Assert.ThrowsAsync<MetadataRefusedException>(() => downloader.DownloadAsync(_install, Url(server), CancellationToken.None));
        Assert.Equal(code, e.Refusal.Code);
        Assert.Equal(11, e.Refusal.Step);
        Assert.False(File.Exists(downloader.FileOf(_install)), "nothing may be committed");
        return e.Refusal;
    }

    [Fact]
    public async Task A_whole_download_is_committed_under_its_digest_and_no_partial_file_remains()
    {
        await using var server = new HostileHttpServer(e => Honest(e, Bundle));
        var downloader = Downloader();

        var file = await downloader.DownloadAsync(_install, Url(server), CancellationToken.None);

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(file));
        Assert.EndsWith(_install.Bundle.Sha256 + ".bundle", file, StringComparison.Ordinal);
        Assert.False(File.Exists(downloader.PartialFileOf(_install)));
        Assert.Null(Assert.Single(server.Requests).Header("Range"));
    }

    [Fact]
    public async Task A_dropped_connection_keeps_the_partial_file_and_the_next_attempt_resumes_with_Range()
    {
        var attempt = 0;
        await using var server = new HostileHttpServer(e => Interlocked.Increment(ref attempt) == 1
            // Announces everything, sends 70 000 bytes, then the connection drops.
            ? e.RawAsync(200, [("Content-Length", Bundle.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], Bundle[..70_000])
            : Honest(e, Bundle));
        var downloader = Downloader();

        var refusal = await Refused(downloader, server, ReasonCodes.DownloadFailed);
        Assert.Equal(70_000, new FileInfo(downloader.PartialFileOf(_install)).Length);
        Assert.Contains("resumes", refusal.Detail, StringComparison.Ordinal);

        var file = await downloader.DownloadAsync(_install, Url(server), CancellationToken.None);

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(file));
        Assert.Equal(["(none)", "bytes=70000-"], server.Requests.Select(r => r.Header("Range") ?? "(none)").ToArray());
    }

    [Fact]
    public async Task After_a_kill_mid_download_a_new_downloader_resumes_from_the_partial_file()
    {
        using var killed = new CancellationTokenSource();
        var attempt = 0;
        await using var server = new HostileHttpServer(async e =>
        {
            if (Interlocked.Increment(ref attempt) > 1)
            {
                await Honest(e, Bundle);
                return;
            }
            await e.RawAsync(200, [("Content-Length", Bundle.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], Bundle[..50_000]);
            await e.GoSilentAsync();
        });
        var first = Downloader();
        var running = first.DownloadAsync(_install, Url(server), killed.Token);
        // The device process dies once 50 000 bytes are on disk.
        await Wait.UntilAsync(() => File.Exists(first.PartialFileOf(_install)) && new FileInfo(first.PartialFileOf(_install)).Length == 50_000, "50 000 bytes in the partial file");
        await killed.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        var kept = new FileInfo(first.PartialFileOf(_install)).Length;
        Assert.Equal(50_000, kept);

        var file = await Downloader().DownloadAsync(_install, Url(server), CancellationToken.None);

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(file));
        Assert.Equal($"bytes={kept}-", server.Requests.Last().Header("Range"));
    }

    [Fact]
    public async Task A_server_that_ignores_Range_is_read_from_the_start_again()
    {
        var attempt = 0;
        await using var server = new HostileHttpServer(e => Interlocked.Increment(ref attempt) == 1
            ? e.RawAsync(200, [("Content-Length", Bundle.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], Bundle[..1000])
            : e.RespondAsync(200, Bundle));
        var downloader = Downloader();
        await Refused(downloader, server, ReasonCodes.DownloadFailed);

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(await downloader.DownloadAsync(_install, Url(server), CancellationToken.None)));
    }

    [Fact]
    public async Task More_bytes_than_the_signed_length_are_length_exceeded_and_nothing_is_kept()
    {
        // No Content-Length: the body runs until the connection closes, and goes on past the signed length.
        await using var server = new HostileHttpServer(e => e.RawAsync(200, [], [.. Bundle, .. new byte[5000]]));
        var downloader = Downloader();

        await Refused(downloader, server, ReasonCodes.LengthExceeded);

        Assert.False(File.Exists(downloader.PartialFileOf(_install)));
    }

    [Fact]
    public async Task A_Content_Length_beyond_the_signed_length_is_refused_before_the_body_is_read()
    {
        await using var server = new HostileHttpServer(e => e.RawAsync(200, [("Content-Length", "10000000000")], Bundle[..10]));
        await Refused(Downloader(), server, ReasonCodes.LengthExceeded);
    }

    [Fact]
    public async Task A_Content_Range_for_a_longer_file_is_length_exceeded()
    {
        var downloader = Downloader();
        Directory.CreateDirectory(BundleDownloader.DownloadsDirectory(Device));
        await File.WriteAllBytesAsync(downloader.PartialFileOf(_install), Bundle[..100]);
        await using var server = new HostileHttpServer(e => e.RespondAsync(206, Bundle[100..], ("Content-Range", $"bytes 100-{Bundle.Length + 99}/{Bundle.Length + 100}")));

        await Refused(downloader, server, ReasonCodes.LengthExceeded);
    }

    [Fact]
    public async Task Other_bytes_of_the_signed_length_are_target_mismatch_and_are_dropped()
    {
        var other = (byte[])Bundle.Clone();
        other[123_456] ^= 0xFF;
        await using var server = new HostileHttpServer(e => e.RespondAsync(200, other));
        var downloader = Downloader();

        await Refused(downloader, server, ReasonCodes.TargetMismatch);

        Assert.False(File.Exists(downloader.PartialFileOf(_install)));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(404)]
    public async Task Server_errors_are_download_failed(int status)
    {
        await using var server = new HostileHttpServer(e => e.RespondAsync(status, "no"u8.ToArray()));
        await Refused(Downloader(), server, ReasonCodes.DownloadFailed);
    }

    [Fact]
    public async Task A_416_drops_the_partial_file_so_the_next_attempt_starts_over()
    {
        var downloader = Downloader();
        Directory.CreateDirectory(BundleDownloader.DownloadsDirectory(Device));
        await File.WriteAllBytesAsync(downloader.PartialFileOf(_install), Bundle[..100]);
        var attempt = 0;
        await using var server = new HostileHttpServer(e => Interlocked.Increment(ref attempt) == 1 ? e.RespondAsync(416) : Honest(e, Bundle));

        await Refused(downloader, server, ReasonCodes.DownloadFailed);
        Assert.False(File.Exists(downloader.PartialFileOf(_install)));

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(await downloader.DownloadAsync(_install, Url(server), CancellationToken.None)));
        Assert.Null(server.Requests.Last().Header("Range"));
    }

    [Fact]
    public async Task A_server_that_goes_silent_is_download_stalled_and_the_partial_file_is_kept()
    {
        await using var server = new HostileHttpServer(async e =>
        {
            await e.RawAsync(200, [("Content-Length", Bundle.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], Bundle[..1000]);
            await e.GoSilentAsync();
        });
        var downloader = Downloader(new DownloadOptions { StallWindow = TimeSpan.FromMilliseconds(500) });

        await Refused(downloader, server, ReasonCodes.DownloadStalled);

        Assert.Equal(1000, new FileInfo(downloader.PartialFileOf(_install)).Length);
    }

    [Fact]
    public async Task A_committed_bundle_is_not_fetched_again()
    {
        await using var server = new HostileHttpServer(e => Honest(e, Bundle));
        var downloader = Downloader();
        await downloader.DownloadAsync(_install, Url(server), CancellationToken.None);

        await downloader.DownloadAsync(_install, Url(server), CancellationToken.None);

        Assert.Single(server.Requests);
    }
}
