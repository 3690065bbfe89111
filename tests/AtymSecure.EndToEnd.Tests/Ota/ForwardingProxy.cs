using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>One request the proxy forwarded: what the assertions read (the resumed download's <c>Range</c>).</summary>
internal sealed record ProxiedRequest(string Method, string Path, string? Range);

/// <summary>One answer the proxy passed back in full: the request, the upstream's status and the body's bytes.</summary>
internal sealed record ProxiedAnswer(ProxiedRequest Request, int Status, byte[] Body);

/// <summary>
/// A plain HTTP reverse proxy on loopback (Kestrel in, HttpClient out) between two real processes, so a test can see
/// every request (method, path, <c>Range</c>) and stop one at a chosen point: before it is forwarded, or after the
/// first N bytes of its response body. That is the deterministic trigger for a kill "during an import", "during a
/// cut" or "during a download" — the process is provably in that step when the test kills it, with no sleeps. An
/// upstream that is down aborts the client's connection, as a dead peer would. Everything else passes unchanged.
/// </summary>
internal sealed class ForwardingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly ConcurrentQueue<ProxyHold> _holds = new();
    private readonly ConcurrentDictionary<ProxyRecording, byte> _recordings = new();

    private ForwardingProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None, UseCookies = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public Uri Url { get; private set; } = null!;

    public string HostPort => Url.Authority;

    public ConcurrentQueue<ProxiedRequest> Requests { get; } = new();

    public static async Task<ForwardingProxy> StartAsync(Uri target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new ForwardingProxy(app, target);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        proxy.Url = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return proxy;
    }

    /// <summary>Stops the next request matching <paramref name="match"/> before it is forwarded, until released.</summary>
    public ProxyHold HoldRequest(Func<ProxiedRequest, bool> match) => Add(new ProxyHold(match, bytesFirst: null));

    /// <summary>Passes the first <paramref name="bytes"/> of the next matching response's body, then stops it until released.</summary>
    public ProxyHold HoldResponseAfter(Func<ProxiedRequest, bool> match, long bytes) => Add(new ProxyHold(match, bytes));

    /// <summary>Keeps the whole answer to every request matching <paramref name="match"/> until the recording is disposed
    /// (what a device was told, byte for byte: the poll answers with its director targets).</summary>
    public ProxyRecording Record(Func<ProxiedRequest, bool> match)
    {
        var recording = new ProxyRecording(match, r => _recordings.TryRemove(r, out _));
        _recordings[recording] = 0;
        return recording;
    }

    private ProxyHold Add(ProxyHold hold)
    {
        _holds.Enqueue(hold);
        return hold;
    }

    /// <summary>The first unused hold that matches takes the request (each hold stops one request).</summary>
    private ProxyHold? Claim(ProxiedRequest request) => _holds.FirstOrDefault(h => h.TryClaim(request));

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var seen = new ProxiedRequest(request.Method, request.Path + request.QueryString, request.Headers.Range.ToString() is { Length: > 0 } r ? r : null);
        Requests.Enqueue(seen);
        var hold = Claim(seen);
        try
        {
            if (hold is { BytesFirst: null } && !await hold.ReachedAsync(context.RequestAborted))
            {
                context.Abort();
                return;
            }
            using var outgoing = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, seen.Path));
            if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0) outgoing.Content = new StreamContent(request.Body);
            foreach (var (name, values) in request.Headers)
            {
                if (HopByHop.Contains(name)) continue;
                if (!outgoing.Headers.TryAddWithoutValidation(name, values.ToArray())) outgoing.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            using var answer = await _upstream.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)answer.StatusCode;
            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
                if (!HopByHop.Contains(name)) context.Response.Headers[name] = values.ToArray();
            await using var body = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
            var recordings = _recordings.Keys.Where(k => k.Matches(seen)).ToList();
            if (recordings.Count == 0)
            {
                await CopyAsync(body, context, hold);
                return;
            }
            using var kept = new MemoryStream();
            await body.CopyToAsync(kept, context.RequestAborted);
            var bytes = kept.ToArray();
            foreach (var recording in recordings) recording.Answers.Enqueue(new ProxiedAnswer(seen, (int)answer.StatusCode, bytes));
            await CopyAsync(new MemoryStream(bytes), context, hold);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            // The upstream is down or went away mid-answer (or the client left): drop the connection as a dead peer does.
            context.Abort();
        }
    }

    private static async Task CopyAsync(Stream body, HttpContext context, ProxyHold? hold)
    {
        var buffer = new byte[8192];
        long sent = 0;
        var holding = hold is { BytesFirst: not null };
        while (true)
        {
            var want = holding ? (int)Math.Min(buffer.Length, hold!.BytesFirst!.Value - sent) : buffer.Length;
            if (holding && want == 0)
            {
                await context.Response.Body.FlushAsync(context.RequestAborted);
                if (!await hold!.ReachedAsync(context.RequestAborted))
                {
                    context.Abort();
                    return;
                }
                holding = false;
                continue;
            }
            var read = await body.ReadAsync(buffer.AsMemory(0, want), context.RequestAborted);
            if (read == 0) return;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            sent += read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hold in _holds) hold.Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}

/// <summary>The answers a <see cref="ForwardingProxy.Record"/> call kept, in the order they were passed back.</summary>
internal sealed class ProxyRecording(Func<ProxiedRequest, bool> match, Action<ProxyRecording> stop) : IDisposable
{
    public ConcurrentQueue<ProxiedAnswer> Answers { get; } = new();

    public bool Matches(ProxiedRequest request) => match(request);

    public void Dispose() => stop(this);
}

/// <summary>
/// One stop the proxy puts on one request: <see cref="Reached"/> completes when the request is stopped there (with the
/// request); <see cref="Release"/> lets it go on (if its peers are still alive), <see cref="Drop"/> drops its connection
/// instead — what a client sees of a connection whose server was killed (on loopback the dead server's last bytes may
/// already sit in the proxy's socket buffer; dropping makes the client fetch the rest from the restarted server).
/// </summary>
internal sealed class ProxyHold(Func<ProxiedRequest, bool> match, long? bytesFirst)
{
    private readonly TaskCompletionSource<ProxiedRequest> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ProxiedRequest? _claimed;

    public long? BytesFirst { get; } = bytesFirst;

    /// <summary>The request this hold stopped, once it is stopped.</summary>
    public Task<ProxiedRequest> Reached => _reached.Task;

    public bool TryClaim(ProxiedRequest request) =>
        match(request) && Interlocked.CompareExchange(ref _claimed, request, null) is null;

    /// <summary>Signals <see cref="Reached"/> and waits for the test: true = go on, false = drop the connection.</summary>
    public async Task<bool> ReachedAsync(CancellationToken cancel)
    {
        _reached.TrySetResult(_claimed!);
        return await _released.Task.WaitAsync(cancel);
    }

    public void Release() => _released.TrySetResult(true);

    public void Drop() => _released.TrySetResult(false);
}
