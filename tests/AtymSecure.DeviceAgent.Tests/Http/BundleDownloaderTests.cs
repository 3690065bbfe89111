using System.Globalization;
using System.Security.Cryptography;
using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>
/// Step 11 over real loopback HTTP against a server that misbehaves on purpose: resume with Range after a dropped
/// connection or a kill from the last verified chunk, each chunk checked against the header as it arrives, never more
/// than the signed length, the hash before the commit, stalls detected.
/// </summary>
public sealed class BundleDownloaderTests : IDisposable
{
    private const int ChunkSize = 4096;

    /// <summary>A real bundle of 200 000 random payload bytes in 49 chunks.</summary>
    private static readonly byte[] Bundle = TestBundles.OfPayload(RandomNumberGenerator.GetBytes(200_000), ChunkSize);

    private static readonly BundleEnvelope Envelope = BundleEnvelope.Read(new MemoryStream(Bundle));
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

    private static string Length(byte[] bytes) => bytes.Length.ToString(CultureInfo.InvariantCulture);

    /// <summary>The chunk boundary at or before <paramref name="offset"/>: where a partial file of that length resumes.</summary>
    private static long BoundaryAtOrBefore(long offset) => Envelope.ChunkOffset((int)((offset - Envelope.PayloadOffset) / ChunkSize));

    /// <summary><see cref="Bundle"/> with one byte of payload chunk <paramref name="chunk"/> flipped.</summary>
    private static byte[] WithDamagedChunk(int chunk)
    {
        var damaged = (byte[])Bundle.Clone();
        damaged[Envelope.ChunkOffset(chunk) + 100] ^= 0xFF;
        return damaged;
    }

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
            ? e.RawAsync(200, [("Content-Length", Length(Bundle))], Bundle[..70_000])
            : Honest(e, Bundle));
        var downloader = Downloader();

        var refusal = await Refused(downloader, server, ReasonCodes.DownloadFailed);
        Assert.Equal(70_000, new FileInfo(downloader.PartialFileOf(_install)).Length);
        Assert.Contains("resumes", refusal.Detail, StringComparison.Ordinal);

        var file = await downloader.DownloadAsync(_install, Url(server), CancellationToken.None);

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(file));
        // The unfinished chunk at the tail is not trusted: the resume starts at the boundary before it.
        var boundary = BoundaryAtOrBefore(70_000);
        Assert.InRange(boundary, 70_000 - ChunkSize + 1, 70_000);
        Assert.Equal(["(none)", $"bytes={boundary}-"], server.Requests.Select(r => r.Header("Range") ?? "(none)").ToArray());
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
            await e.RawAsync(200, [("Content-Length", Length(Bundle))], Bundle[..50_000]);
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
        Assert.Equal($"bytes={BoundaryAtOrBefore(kept)}-", server.Requests.Last().Header("Range"));
    }

    [Fact]
    public async Task A_server_that_ignores_Range_is_read_from_the_start_again()
    {
        var attempt = 0;
        await using var server = new HostileHttpServer(e => Interlocked.Increment(ref attempt) == 1
            ? e.RawAsync(200, [("Content-Length", Length(Bundle))], Bundle[..(int)Envelope.ChunkOffset(3)])
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
        var from = Envelope.ChunkOffset(2);
        await WritePartialAsync(downloader, Bundle[..(int)from]);
        await using var server = new HostileHttpServer(e => e.RespondAsync(206, Bundle[(int)from..], ("Content-Range", $"bytes {from}-{Bundle.Length + 99}/{Bundle.Length + 100}")));

        await Refused(downloader, server, ReasonCodes.LengthExceeded);
    }

    [Fact]
    public async Task Other_bytes_whose_chunk_hashes_agree_are_target_mismatch_and_are_dropped()
    {
        // A forgery: a payload byte changed and its chunk hash in the header rewritten to match. Only the signature (not
        // checked while downloading) and the signed whole-file SHA-256 can tell; the latter refuses it.
        var other = WithDamagedChunk(30);
        var oldHash = Envelope.Header.ChunkHashes[30];
        var at = Bundle.AsSpan(0, (int)Envelope.PayloadOffset).IndexOf(oldHash);
        SHA256.HashData(other.AsSpan((int)Envelope.ChunkOffset(30), ChunkSize), other.AsSpan(at, 32));
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
        await WritePartialAsync(downloader, Bundle[..(int)Envelope.ChunkOffset(1)]);
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
            await e.RawAsync(200, [("Content-Length", Length(Bundle))], Bundle[..1000]);
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

    [Fact]
    public async Task A_chunk_corrupted_mid_stream_is_chunk_mismatch_at_that_chunk_before_the_rest_arrives()
    {
        // The server sends through chunk 11 with chunk 10 damaged, then goes silent: only a check at chunk 10 ends this
        // download (the stall window is far beyond the test's patience), and the good chunks before it are kept.
        var damaged = WithDamagedChunk(10);
        var sent = damaged[..(int)Envelope.ChunkOffset(12)];
        await using var server = new HostileHttpServer(async e =>
        {
            await e.RawAsync(200, [("Content-Length", Length(Bundle))], sent);
            await e.GoSilentAsync();
        });
        var downloader = Downloader();

        var refusal = await Refused(downloader, server, ReasonCodes.ChunkMismatch);

        Assert.Contains("chunk 10 ", refusal.Detail, StringComparison.Ordinal);
        Assert.True(sent.Length < Bundle.Length, "fewer bytes fetched than the whole bundle");
        Assert.Equal(Bundle[..(int)Envelope.ChunkOffset(10)], await File.ReadAllBytesAsync(downloader.PartialFileOf(_install)));
    }

    [Fact]
    public async Task The_first_chunk_corrupted_drops_the_partial_file_since_the_header_may_be_the_damage()
    {
        await using var server = new HostileHttpServer(e => e.RespondAsync(200, WithDamagedChunk(0)));
        var downloader = Downloader();

        await Refused(downloader, server, ReasonCodes.ChunkMismatch);

        Assert.False(File.Exists(downloader.PartialFileOf(_install)));
    }

    [Fact]
    public async Task A_partial_file_with_a_damaged_last_chunk_resumes_from_the_last_good_boundary()
    {
        var downloader = Downloader();
        await WritePartialAsync(downloader, WithDamagedChunk(19)[..(int)Envelope.ChunkOffset(20)]);
        await using var server = new HostileHttpServer(e => Honest(e, Bundle));

        var file = await downloader.DownloadAsync(_install, Url(server), CancellationToken.None);

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(file));
        Assert.Equal($"bytes={Envelope.ChunkOffset(19)}-", Assert.Single(server.Requests).Header("Range"));
    }

    [Theory]
    [InlineData(20, 0)]
    [InlineData(20, 1000)]
    public async Task A_clean_partial_file_resumes_from_its_last_complete_chunk(int chunks, int tail)
    {
        var downloader = Downloader();
        await WritePartialAsync(downloader, Bundle[..(int)(Envelope.ChunkOffset(chunks) + tail)]);
        await using var server = new HostileHttpServer(e => Honest(e, Bundle));

        var file = await downloader.DownloadAsync(_install, Url(server), CancellationToken.None);

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(file));
        Assert.Equal($"bytes={Envelope.ChunkOffset(chunks)}-", Assert.Single(server.Requests).Header("Range"));
    }

    [Fact]
    public async Task A_complete_partial_file_whose_chunks_check_is_committed_without_a_request()
    {
        var downloader = Downloader();
        await WritePartialAsync(downloader, Bundle);
        await using var server = new HostileHttpServer(e => Honest(e, Bundle));

        Assert.Equal(Bundle, await File.ReadAllBytesAsync(await downloader.DownloadAsync(_install, Url(server), CancellationToken.None)));
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData(0)] // the magic
    [InlineData(16)] // the first TLV's tag: an unknown critical tag
    public async Task An_unparseable_header_is_bundle_malformed_and_nothing_is_kept(int at)
    {
        var broken = (byte[])Bundle.Clone();
        broken[at] = 0xFF;
        broken[at + 1] = 0xFF;
        await using var server = new HostileHttpServer(e => e.RespondAsync(200, broken));
        var downloader = Downloader();

        var refusal = await Refused(downloader, server, ReasonCodes.BundleMalformed);

        Assert.Contains("does not parse", refusal.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(downloader.PartialFileOf(_install)));
    }

    [Fact]
    public async Task A_header_that_describes_another_length_than_the_signed_one_is_target_mismatch()
    {
        var shorter = TestBundles.OfPayload(RandomNumberGenerator.GetBytes(1000), ChunkSize);
        await using var server = new HostileHttpServer(e => e.RawAsync(200, [], shorter));
        var downloader = Downloader();

        var refusal = await Refused(downloader, server, ReasonCodes.TargetMismatch);

        Assert.Contains($"the signed length is {Bundle.Length}", refusal.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(downloader.PartialFileOf(_install)));
    }

    private async Task WritePartialAsync(BundleDownloader downloader, byte[] bytes)
    {
        Directory.CreateDirectory(BundleDownloader.DownloadsDirectory(Device));
        await File.WriteAllBytesAsync(downloader.PartialFileOf(_install), bytes);
    }
}
