namespace AtymSecure.Fleet;

/// <summary>
/// The network between one simulated device and the server: a <see cref="DelegatingHandler"/> in front of a real socket
/// handler, so every request still goes over loopback HTTP to the real server. It adds the faults that live on the wire:
/// the link is down until <see cref="OfflineUntil"/> (requests fail as a dropped connection does), bundle bodies trickle at
/// <see cref="BytesPerSecond"/>, and the first bundle body can end half-way in a power cut (<see cref="CutMidDownload"/>).
/// <see cref="BundleCompleted"/> fires when a bundle body was read to its end (a power cut mid-install is armed from there).
/// With several OTA replicas the link routes each request to the device's replica (<see cref="ServerRoute"/>).
/// </summary>
internal sealed class SimulatedLink(HttpMessageHandler inner, TimeProvider clock, ServerRoute? route = null) : DelegatingHandler(inner)
{
    /// <summary>How the offline fault's failure starts (the route tells it from a replica's failure).</summary>
    public const string OfflineMessage = "simulated link down";

    private int _cutsLeft;

    public const string BundlePathPrefix = "/bundles/";

    /// <summary>Requests fail until then (null = online).</summary>
    public DateTimeOffset? OfflineUntil { get; set; }

    /// <summary>Bundle bytes per second (null = as fast as loopback).</summary>
    public long? BytesPerSecond { get; set; }

    /// <summary>Called once, half-way through the first bundle body, when armed with <see cref="ArmCutMidDownload"/>.</summary>
    public Action? CutMidDownload { get; set; }

    public Action? BundleCompleted { get; set; }

    /// <summary>Requests refused while offline (the summary shows the fault working).</summary>
    public int OfflineRefusals => _offlineRefusals;

    private int _offlineRefusals;

    public void ArmCutMidDownload() => Interlocked.Exchange(ref _cutsLeft, 1);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (OfflineUntil is { } until && clock.GetUtcNow() < until)
        {
            Interlocked.Increment(ref _offlineRefusals);
            throw new HttpRequestException($"{OfflineMessage} until {until:HH:mm:ss}");
        }
        var response = route is null
            ? await base.SendAsync(request, cancellationToken).ConfigureAwait(false)
            : await route.SendAsync(request, r => base.SendAsync(r, cancellationToken)).ConfigureAwait(false);
        if (request.RequestUri?.AbsolutePath.StartsWith(BundlePathPrefix, StringComparison.Ordinal) != true || !response.IsSuccessStatusCode) return response;
        var length = response.Content.Headers.ContentLength;
        var cutAt = length is > 1 && Interlocked.Exchange(ref _cutsLeft, 0) == 1 ? length.Value / 2 : (long?)null;
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var wrapped = new StreamContent(new LinkStream(body, this, cutAt));
        foreach (var header in response.Content.Headers) wrapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = wrapped;
        return response;
    }

    /// <summary>A bundle body as the link delivers it: throttled, cut, and its end reported.</summary>
    private sealed class LinkStream(Stream inner, SimulatedLink link, long? cutAt) : Stream
    {
        private long _read;
        private bool _completed;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (cutAt is { } cut && _read >= cut)
            {
                link.CutMidDownload?.Invoke();
                throw new IOException($"simulated power cut after {_read} bundle bytes");
            }
            var max = buffer.Length;
            if (cutAt is { } limit) max = (int)Math.Min(max, limit - _read);
            if (link.BytesPerSecond is { } rate) max = (int)Math.Clamp(rate / 10, 1, max); // ~10 slices per second
            var n = await inner.ReadAsync(buffer[..max], cancellationToken).ConfigureAwait(false);
            _read += n;
            // The link's transfer time: how long these bytes take at its rate (this is the simulated wire, not a wait for a condition).
            if (link.BytesPerSecond is { } bytesPerSecond && n > 0)
                await Task.Delay(TimeSpan.FromSeconds((double)n / bytesPerSecond), link.Clock, cancellationToken).ConfigureAwait(false);
            if (n == 0 && !_completed)
            {
                _completed = true;
                link.BundleCompleted?.Invoke();
            }
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private TimeProvider Clock => clock;
}
