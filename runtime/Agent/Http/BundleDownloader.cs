using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Http;

/// <summary>
/// Step 11 for Linux classes (docs/trust-model.md §3): the bundle a <see cref="VerifiedInstall"/> names, downloaded into
/// <c>downloads/SHA256.partial</c> in the device folder and resumed with <c>Range: bytes=N-</c> after a kill, a power cut
/// or a dropped connection. While the bytes stream in, <see cref="BundleChunkCheck"/> parses the frame and header (an
/// unparseable one is <c>bundle-malformed</c>, dropped) and checks each payload chunk against its hash in the header the
/// moment it is complete: the first chunk that differs is <c>chunk-mismatch</c>, and the partial file is cut back to the
/// chunk before it (dropped when no chunk verified yet), so no bad byte is kept. A resume first re-hashes the chunks on
/// disk and cuts the file back to the end of the last good one (a torn or damaged tail is fetched again, not the whole
/// file), then asks for <c>Range: bytes=BOUNDARY-</c>. Never more than the signed length is written or accepted: a Content-Length or Content-Range
/// beyond it, or a body that goes on past it, is <c>length-exceeded</c> and the partial file is dropped. Once the file
/// holds exactly the signed length, its SHA-256 must equal the signed one (else <c>target-mismatch</c>, dropped); only
/// then is it committed to <c>downloads/SHA256.bundle</c> with <see cref="AtomicFile.MoveIntoPlace"/>, so the installer
/// only ever sees whole, hash-checked files. Transport failures are <c>download-failed</c> and keep the partial file;
/// a transfer below the rate floor (<see cref="DownloadOptions"/>) is <c>download-stalled</c> and keeps it too.
/// Every refusal is a <see cref="MetadataRefusedException"/> with step 11 and the bundle's path, as the version report carries it.
/// </summary>
public sealed class BundleDownloader
{
    private readonly HttpClient _client;
    private readonly string _directory;
    private readonly TimeProvider _clock;
    private readonly DownloadOptions _options;

    public BundleDownloader(HttpClient client, DeviceDirectory device, TimeProvider? clock = null, DownloadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(device);
        _client = client;
        _directory = DownloadsDirectory(device);
        _clock = clock ?? TimeProvider.System;
        _options = options ?? DownloadOptions.Default;
    }

    public static string DownloadsDirectory(DeviceDirectory device) => Path.Combine(device.Root, "downloads");

    public string PartialFileOf(VerifiedInstall install) => Path.Combine(_directory, install.Bundle.Sha256 + ".partial");

    public string FileOf(VerifiedInstall install) => Path.Combine(_directory, install.Bundle.Sha256 + ".bundle");

    /// <summary>Test and report hook: the Range header of each request sent (null = the whole file).</summary>
    public event Action<RangeHeaderValue?>? RequestSent;

    /// <summary>The committed bundle file; downloads or resumes it first unless it is already committed.</summary>
    /// <exception cref="MetadataRefusedException">Step 11 refused or failed (code, detail); the partial file is kept when resuming can help.</exception>
    public async Task<string> DownloadAsync(VerifiedInstall install, Uri url, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(install);
        ArgumentNullException.ThrowIfNull(url);
        Directory.CreateDirectory(_directory);
        var final = FileOf(install);
        if (File.Exists(final)) return final; // committed only after its hash matched
        var partial = PartialFileOf(install);
        var length = install.Bundle.Length;
        using (var check = new BundleChunkCheck(length))
        {
            var offset = await ResumeAsync(partial, length, check, cancel).ConfigureAwait(false);
            if (offset < length) offset = await FetchAsync(install, url, partial, offset, check, cancel).ConfigureAwait(false);
            if (offset < length) throw Refused(install, ReasonCodes.DownloadFailed, $"the server ended the body after {offset} of {length} bytes; the download resumes from there");
        }
        Commit(install, partial, final);
        return final;
    }

    /// <summary>
    /// Re-hashes what the partial file holds through <paramref name="check"/> and cuts it back to the end of its last
    /// verified chunk (nothing before the envelope parsed is a resume point); returns its length, where the download resumes.
    /// </summary>
    private static async Task<long> ResumeAsync(string partial, long length, BundleChunkCheck check, CancellationToken cancel)
    {
        if (!File.Exists(partial)) return 0;
        long keep;
        await using (var file = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            keep = file.Length > length ? 0 : await VerifiedLengthAsync(file, check, cancel).ConfigureAwait(false);
            if (keep == file.Length) return keep;
        }
        Cut(partial, keep);
        if (keep > 0) check.RewindToVerifiedEnd();
        return keep;
    }

    private static async Task<long> VerifiedLengthAsync(FileStream file, BundleChunkCheck check, CancellationToken cancel)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await file.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
            if (check.Feed(buffer.AsSpan(0, n)) is { } fault) return fault.KeepBytes;
        return check.VerifiedEnd;
    }

    /// <summary>Cuts the partial file back to <paramref name="keep"/> bytes, durably; 0 deletes it.</summary>
    private static void Cut(string partial, long keep)
    {
        if (keep == 0)
        {
            DropPartial(partial);
            return;
        }
        using var file = new FileStream(partial, FileMode.Open, FileAccess.Write, FileShare.None);
        file.SetLength(keep);
        file.Flush(flushToDisk: true);
    }


    /// <summary>One request from <paramref name="offset"/> (where <paramref name="check"/> stands); returns how far the partial file got.</summary>
    private async Task<long> FetchAsync(VerifiedInstall install, Uri url, string partial, long offset, BundleChunkCheck check,
        CancellationToken cancel)
    {
        var length = install.Bundle.Length;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        RequestSent?.Invoke(request.Headers.Range);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        stall.CancelAfter(_options.StallWindow);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
        {
            throw Transport(install, e, offset);
        }
        using (response)
        {
            var start = StartOf(install, response, offset, length);
            if (start == 0 && offset > 0)
            {
                // The server ignored Range: start over.
                offset = 0;
                check.Restart();
            }
            var declared = response.Content.Headers.ContentLength;
            if (declared is { } n && start + n > length)
            {
                DropPartial(partial);
                throw Refused(install, ReasonCodes.LengthExceeded, $"the server announces {start + n} bytes, the signed length is {length}");
            }
            // Unbuffered: every chunk read reaches the OS at once, so a killed process leaves all of it to resume from
            // (a power cut keeps what the last flush made durable; the hash check catches a torn tail).
            await using var file = new FileStream(partial, offset == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, 0,
                FileOptions.Asynchronous);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
                return await CopyAsync(install, body, file, partial, offset, check, stall, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
            {
                await file.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                var got = file.Length;
                if (e is OperationCanceledException)
                    throw Refused(install, ReasonCodes.DownloadStalled,
                        $"below {_options.MinBytesPerSecond} bytes/s for {_options.StallWindow.TotalSeconds:0} s at {got} of {length} bytes; resumes later");
                throw Transport(install, e, got);
            }
        }
    }

    /// <summary>Where the body starts: <paramref name="offset"/> for a matching 206, 0 for a 200; anything else is refused.</summary>
    private long StartOf(VerifiedInstall install, HttpResponseMessage response, long offset, long length)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                return 0;
            case HttpStatusCode.PartialContent when offset > 0:
                var range = response.Content.Headers.ContentRange;
                if (range?.From != offset) throw Refused(install, ReasonCodes.DownloadFailed, $"asked for bytes {offset}-, the server sent {range?.ToString() ?? "no Content-Range"}");
                if (range.Length is { } total && total != length)
                    throw Refused(install, total > length ? ReasonCodes.LengthExceeded : ReasonCodes.TargetMismatch, $"the server's file is {total} bytes, the signed length is {length}");
                return offset;
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                DropPartial(PartialFileOf(install));
                throw Refused(install, ReasonCodes.DownloadFailed, $"the server has no bytes from {offset} (416): the partial file is dropped and the download starts over");
            default:
                throw Refused(install, ReasonCodes.DownloadFailed, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    private async Task<long> CopyAsync(VerifiedInstall install, Stream body, FileStream file, string partial, long offset, BundleChunkCheck check,
        CancellationTokenSource stall, CancellationToken cancel)
    {
        var length = install.Bundle.Length;
        var buffer = new byte[64 * 1024];
        var position = offset;
        var sinceSync = 0L;
        var windowStart = _clock.GetTimestamp();
        var windowBytes = 0L;
        while (true)
        {
            // At most one byte past the signed length is ever read: enough to know the body goes on.
            var want = (int)Math.Min(buffer.Length, length - position + 1);
            var n = await body.ReadAsync(buffer.AsMemory(0, want), stall.Token).ConfigureAwait(false);
            if (n == 0) break;
            if (position + n > length)
            {
                await file.DisposeAsync().ConfigureAwait(false);
                DropPartial(partial);
                throw Refused(install, ReasonCodes.LengthExceeded, $"the body goes on past the signed {length} bytes");
            }
            await file.WriteAsync(buffer.AsMemory(0, n), cancel).ConfigureAwait(false);
            if (check.Feed(buffer.AsSpan(0, n)) is { } fault)
            {
                await file.DisposeAsync().ConfigureAwait(false);
                Cut(partial, fault.KeepBytes);
                throw Refused(install, fault.Code, fault.KeepBytes == 0
                    ? $"{fault.Detail}; nothing is kept"
                    : $"{fault.Detail}; the partial file keeps the {fault.KeepBytes} verified bytes before it");
            }
            position += n;
            sinceSync += n;
            windowBytes += n;
            if (sinceSync >= _options.SyncEveryBytes)
            {
                file.Flush(flushToDisk: true);
                sinceSync = 0;
            }
            var elapsed = _clock.GetElapsedTime(windowStart);
            if (elapsed >= _options.StallWindow)
            {
                if (windowBytes < _options.MinBytesPerSecond * elapsed.TotalSeconds) stall.Cancel();
                windowStart = _clock.GetTimestamp();
                windowBytes = 0;
            }
            stall.CancelAfter(_options.StallWindow);
        }
        file.Flush(flushToDisk: true);
        return position;
    }

    private static void Commit(VerifiedInstall install, string partial, string final)
    {
        // The one check that authenticates the bytes: the chunk hashes came with them, unverified, and only this signed
        // SHA-256 (or the bundle signature at install) stops a server that serves self-consistent but other bytes.
        string sha256;
        using (var stream = File.OpenRead(partial)) sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (sha256 != install.Bundle.Sha256)
        {
            DropPartial(partial);
            throw Refused(install, ReasonCodes.TargetMismatch, $"the downloaded bundle has sha256 {sha256}, the signed one is {install.Bundle.Sha256}");
        }
        AtomicFile.MoveIntoPlace(partial, final, AtomicWriteMode.Overwrite);
    }

    /// <summary>Deletes the partial and the committed file of <paramref name="install"/> (after the installer is done with it).</summary>
    public void Forget(VerifiedInstall install)
    {
        ArgumentNullException.ThrowIfNull(install);
        DropPartial(PartialFileOf(install));
        DropPartial(FileOf(install));
    }

    private static void DropPartial(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The next attempt overwrites or deletes it.
        }
    }

    private static MetadataRefusedException Transport(VerifiedInstall install, Exception e, long got) =>
        Refused(install, ReasonCodes.DownloadFailed, $"{e.Message} (at {got} of {install.Bundle.Length} bytes; resumes from there)");

    private static MetadataRefusedException Refused(VerifiedInstall install, string code, string detail) =>
        new(new MetadataRefusal(code, "$", detail, Role: "director", File: install.BundlePath, Step: 11));
}
