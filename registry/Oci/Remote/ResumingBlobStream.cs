using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace AtymSecure.Oci.Remote;

/// <summary>
/// A blob download that survives a dropped connection: when reading fails with a transient error
/// before the declared size, it waits (retry policy) and re-requests the rest with
/// <c>Range: bytes=&lt;offset&gt;-</c>, continuing only on a 206 whose <c>Content-Range</c> starts
/// exactly there. The bytes seen by the caller stay one continuous stream, so the outer
/// <see cref="Content.VerifyingStream"/> still hashes the whole blob.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-blobs (Range, RFC 9110 §14)
/// </summary>
internal sealed class ResumingBlobStream(
    HttpResponseMessage response,
    Stream body,
    long size,
    RetryPolicy retry,
    Func<long, CancellationToken, Task<HttpResponseMessage>> requestFrom) : Stream
{
    private HttpResponseMessage _response = response;
    private Stream _body = body;
    private long _position;
    private int _failures;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => size;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var n = await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                _position += n;
                return n;
            }
            catch (Exception e) when (RegistryTransport.IsTransient(e, cancellationToken) && _position < size)
            {
                _failures++;
                if (retry.NextDelay(_failures, null, DateTimeOffset.UtcNow) is not { } wait) throw;
                await retry.Delay(wait, cancellationToken).ConfigureAwait(false);
                if (!await ReopenAsync(cancellationToken).ConfigureAwait(false)) throw;
            }
        }
    }

    private async Task<bool> ReopenAsync(CancellationToken ct)
    {
        HttpResponseMessage next;
        try
        {
            next = await requestFrom(_position, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (RegistryTransport.IsTransient(e, ct))
        {
            return false;
        }
        if (next.StatusCode != HttpStatusCode.PartialContent || next.Content.Headers.ContentRange?.From != _position)
        {
            next.Dispose(); // no usable range support: give up with the original error
            return false;
        }
        await _body.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        _response = next;
        _body = await next.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        return true;
    }

    internal static HttpRequestMessage RangeRequest(Uri url, long from)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(from, null);
        return request;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _response.Dispose();
        }
        base.Dispose(disposing);
    }
}
