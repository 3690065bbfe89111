using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Remote;

/// <summary>
/// Pushes one blob: POST opens a session, then one PUT with the whole body for small blobs, or
/// PATCH chunks with <c>Content-Range</c> and a closing PUT for large ones.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-blobs
/// Each chunk is held in memory, so a chunk can be re-sent; PATCH is never blindly repeated: after
/// a failure or a 416 the upload status (GET, <c>Range</c>) says where the registry is, and the
/// upload resumes from there.
/// </summary>
internal sealed class BlobUploader(RegistryTransport transport, string repository, IReadOnlyList<string> scopes)
{
    private RemoteOptions Options => transport.Options;

    public async Task UploadAsync(Descriptor expected, Stream content, CancellationToken ct)
    {
        var (location, chunkMin) = await StartAsync(ct).ConfigureAwait(false);
        await UploadToSessionAsync(location, chunkMin, expected, content, ct).ConfigureAwait(false);
    }

    private async Task<(Uri Location, long ChunkMin)> StartAsync(CancellationToken ct)
    {
        var url = transport.Url($"v2/{repository}/blobs/uploads/");
        // Safe to retry: a lost reply leaves an orphan session that the registry expires.
        using var response = await transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent([]) }, scopes, retry: true, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw await ResponseErrors.CreateAsync(response, $"repository {repository}", ct).ConfigureAwait(false);
        return (SessionLocation(response), ChunkMinLength(response));
    }

    internal static Uri SessionLocation(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new OciException($"{response.RequestMessage?.RequestUri}: upload reply without Location");
        return location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
    }

    internal static long ChunkMinLength(HttpResponseMessage response) =>
        response.Headers.TryGetValues(OciHeaders.ChunkMinLength, out var v)
        && long.TryParse(v.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;

    public async Task UploadToSessionAsync(Uri location, long chunkMin, Descriptor expected, Stream content, CancellationToken ct)
    {
        using var source = new VerifyingStream(content, expected, $"blob {expected.Digest}", leaveOpen: true);
        try
        {
            if (expected.Size < Options.ChunkedUploadThreshold)
            {
                var body = new byte[expected.Size];
                await source.ReadExactlyAsync(body, ct).ConfigureAwait(false);
                await ExpectEndAsync(source, ct).ConfigureAwait(false);
                await CloseAsync(location, expected, body, ct).ConfigureAwait(false);
                return;
            }
            var chunkSize = (int)Math.Min(Math.Max(Options.ChunkSize, chunkMin), Math.Min(expected.Size, Array.MaxLength));
            var buffer = new byte[chunkSize];
            long offset = 0;
            while (offset < expected.Size)
            {
                var want = (int)Math.Min(chunkSize, expected.Size - offset);
                await source.ReadExactlyAsync(buffer.AsMemory(0, want), ct).ConfigureAwait(false);
                location = await SendChunkAsync(location, buffer, want, offset, ct).ConfigureAwait(false);
                offset += want;
            }
            await ExpectEndAsync(source, ct).ConfigureAwait(false);
            await CloseAsync(location, expected, [], ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DigestMismatchException or SizeMismatchException or EndOfStreamException)
        {
            await CancelAsync(location).ConfigureAwait(false);
            if (e is EndOfStreamException) throw new SizeMismatchException($"blob {expected.Digest}: content ended before {expected.Size} bytes", e);
            throw;
        }
    }

    /// <summary>One more read must hit the end; that is when <see cref="VerifyingStream"/> checks the digest.</summary>
    private static async Task ExpectEndAsync(VerifyingStream source, CancellationToken ct)
    {
        var probe = new byte[1];
        _ = await source.ReadAsync(probe, ct).ConfigureAwait(false);
    }

    private static Uri WithDigest(Uri location, Digest digest)
    {
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        return new Uri(location.AbsoluteUri + separator + "digest=" + Uri.EscapeDataString(digest.ToString()));
    }

    private async Task CloseAsync(Uri location, Descriptor expected, byte[] body, CancellationToken ct)
    {
        var url = WithDigest(location, expected.Digest);
        using var response = await transport.SendAsync(() =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OctetStream);
            return new HttpRequestMessage(HttpMethod.Put, url) { Content = content };
        }, scopes, retry: true, ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK)
        {
            if (response.Headers.TryGetValues(OciHeaders.ContentDigest, out var values) && Digest.TryParse(values.FirstOrDefault(), out var got)
                && got != expected.Digest)
                throw new DigestMismatchException(expected.Digest, got, $"blob {expected.Digest} (registry reply)");
            return;
        }
        // A retried PUT whose first try did land finds its session gone; the blob being there is success.
        if (response.StatusCode == HttpStatusCode.NotFound && await BlobExistsAsync(expected.Digest, ct).ConfigureAwait(false)) return;
        throw await ResponseErrors.CreateAsync(response, null, ct).ConfigureAwait(false);
    }

    private async Task<bool> BlobExistsAsync(Digest digest, CancellationToken ct)
    {
        var url = transport.Url($"v2/{repository}/blobs/{digest}");
        using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Head, url), scopes, retry: true, ct).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK;
    }

    private async Task<Uri> SendChunkAsync(Uri location, byte[] buffer, int length, long chunkStart, CancellationToken ct)
    {
        var sent = 0;
        var failures = 0;
        while (true)
        {
            var from = sent;
            var url = location;
            var start = chunkStart + from;
            var end = chunkStart + length - 1;
            long? serverOffset = null;
            try
            {
                using var response = await transport.SendAsync(() =>
                {
                    var content = new ByteArrayContent(buffer, from, length - from);
                    content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OctetStream);
                    content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{end}");
                    return new HttpRequestMessage(HttpMethod.Patch, url) { Content = content };
                }, scopes, retry: false, ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    location = SessionLocation(response);
                    var confirmed = RangeEnd(response);
                    if (confirmed is null || confirmed == end) return location;
                    serverOffset = confirmed + 1; // the registry took less than we sent
                }
                else if (response.StatusCode != HttpStatusCode.RequestedRangeNotSatisfiable && !RetryPolicy.IsRetryableStatus(response.StatusCode))
                {
                    throw await ResponseErrors.CreateAsync(response, null, ct).ConfigureAwait(false);
                }
                else
                {
                    failures++;
                    if (transport.Retry.NextDelay(failures, response.Headers.RetryAfter, DateTimeOffset.UtcNow) is not { } wait)
                        throw await ResponseErrors.CreateAsync(response, null, ct).ConfigureAwait(false);
                    await transport.Retry.Delay(wait, ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (RegistryTransport.IsTransient(e, ct))
            {
                failures++;
                if (transport.Retry.NextDelay(failures, null, DateTimeOffset.UtcNow) is not { } wait) throw;
                await transport.Retry.Delay(wait, ct).ConfigureAwait(false);
            }
            if (serverOffset is null) (location, serverOffset) = await StatusAsync(location, ct).ConfigureAwait(false);
            if (serverOffset < chunkStart || serverOffset > chunkStart + length)
                throw new OciException($"upload {location.AbsolutePath}: registry is at byte {serverOffset}, cannot resume a chunk at {chunkStart}-{end}");
            if (serverOffset == chunkStart + length) return location;
            sent = (int)(serverOffset.Value - chunkStart);
        }
    }

    /// <summary>Upload status (GET, 204): the session URL and the next byte the registry expects.</summary>
    private async Task<(Uri Location, long Offset)> StatusAsync(Uri location, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, location), scopes, retry: true, ct).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.OK))
            throw await ResponseErrors.CreateAsync(response, null, ct).ConfigureAwait(false);
        var newLocation = response.Headers.Location is null ? location : SessionLocation(response);
        // "0-0" is what registries send for an empty session (distribution does); an absent Range means nothing stored.
        var endByte = RangeEnd(response);
        return (newLocation, endByte is null or 0 ? 0 : endByte.Value + 1);
    }

    /// <summary>The last byte of <c>Range: 0-&lt;end&gt;</c> (a <c>bytes=</c> prefix is tolerated); null when absent or malformed.</summary>
    internal static long? RangeEnd(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Range", out var values)) return null;
        var text = values.FirstOrDefault()?.Trim() ?? "";
        if (text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) text = text[6..];
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0) return null;
        return long.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end) ? end : null;
    }

    /// <summary>Best-effort DELETE of the session so the registry can drop the partial data at once.</summary>
    private async Task CancelAsync(Uri location)
    {
        try
        {
            using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, location), scopes, retry: false, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or OciException)
        {
            // The session expires on its own.
        }
    }
}
