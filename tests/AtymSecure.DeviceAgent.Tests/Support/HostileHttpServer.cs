using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// A tiny HTTP/1.1 server on loopback that plays the hostile network: each request goes to the test's handler, which
/// may answer properly or send whatever bytes it likes — a body cut short, more bytes than announced, a wrong status,
/// garbage, silence, a dropped connection. One request per connection (<c>Connection: close</c>), so a response's end
/// is the socket's. Every request is recorded (method, path, headers) for assertions such as the resumed Range.
/// </summary>
internal sealed class HostileHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<HttpExchange, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public HostileHttpServer(Func<HttpExchange, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri BaseUri { get; }

    public ConcurrentQueue<HttpExchange> Requests { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var exchange = await HttpExchange.ReadAsync(stream, _stop.Token);
                if (exchange is null) return;
                Requests.Enqueue(exchange);
                await _handler(exchange);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away, or the test ended: nothing to answer.
            }
        }
    }

    private int _disposed;

    /// <summary>Stops listening (a server that goes down); calling it again does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

/// <summary>One request as received, and the raw stream to answer on.</summary>
internal sealed class HttpExchange
{
    private HttpExchange(string method, string path, Dictionary<string, string> headers, byte[] body, Stream stream, CancellationToken stopping)
    {
        Method = method;
        Path = path;
        Headers = headers;
        Body = body;
        Stream = stream;
        Stopping = stopping;
    }

    public string Method { get; }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public byte[] Body { get; }

    public Stream Stream { get; }

    /// <summary>Cancelled when the server stops (<see cref="GoSilentAsync"/> waits on it).</summary>
    public CancellationToken Stopping { get; }

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>Keeps the connection open and sends nothing more until the server stops: a peer that went silent.</summary>
    public async Task GoSilentAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = Stopping.Register(() => stopped.TrySetResult());
        await stopped.Task;
    }

    /// <summary>A well-formed response: status, headers, the whole body with its Content-Length.</summary>
    public Task RespondAsync(int status, byte[]? body = null, params (string Name, string Value)[] headers)
    {
        body ??= [];
        return RawAsync(status, [.. headers, ("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], body);
    }

    /// <summary>Status and headers exactly as given (no Content-Length added), then <paramref name="body"/>; the connection then closes.</summary>
    public async Task RawAsync(int status, (string Name, string Value)[] headers, byte[] body)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {ReasonOf(status)}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("\r\n");
        await Stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), Stopping);
        await Stream.WriteAsync(body, Stopping);
        await Stream.FlushAsync(Stopping);
    }

    private static string ReasonOf(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 304 => "Not Modified", 404 => "Not Found", 416 => "Range Not Satisfiable",
        429 => "Too Many Requests", 500 => "Internal Server Error", 503 => "Service Unavailable", _ => "Status",
    };

    /// <summary>The byte offset a <c>Range: bytes=N-</c> asks for, or null.</summary>
    public long? RangeStart =>
        Header("Range") is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-')
            ? long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture) : null;

    internal static async Task<HttpExchange?> ReadAsync(Stream stream, CancellationToken cancel)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one, cancel) == 0) return null;
            head.Add(one[0]);
            if (head.Count > 64 * 1024) return null;
        }
        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var start = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var body = Array.Empty<byte>();
        if (headers.TryGetValue("Content-Length", out var text) && int.TryParse(text, out var length) && length > 0)
        {
            body = new byte[length];
            await stream.ReadExactlyAsync(body, cancel);
        }
        return new HttpExchange(start[0], start[1], headers, body, stream, cancel);
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';
}
