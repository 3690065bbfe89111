using System.Net;
using AtymSecure.TestSupport;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Interop;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 for a third-party TUF client: <c>/metadata/NAME</c> from a dictionary of files,
/// <c>/targets/PATH</c> likewise, 404 for anything else (which ends tuf-js's root walk). Files can change between
/// requests, as on a real server.
/// </summary>
internal sealed class LoopbackMetadataServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly object _gate = new();

    public LoopbackMetadataServer()
    {
        var port = LoopbackPort.Next();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUrl { get; }

    public Uri MetadataUrl => new(BaseUrl, "metadata/");

    public Uri TargetsUrl => new(BaseUrl, "targets/");

    /// <summary>Every path requested, in order.</summary>
    public List<string> Requests { get; } = [];

    private Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public void SetMetadata(string name, byte[]? bytes) => Set("metadata/" + name, bytes);

    public void SetTarget(string path, byte[] bytes) => Set("targets/" + path, bytes);

    /// <summary>Serves every file of <paramref name="names"/> from <paramref name="read"/> as metadata.</summary>
    public void SetMetadata(IEnumerable<string> names, Func<string, byte[]?> read)
    {
        foreach (var name in names) SetMetadata(name, read(name));
    }

    private void Set(string path, byte[]? bytes)
    {
        lock (_gate)
        {
            if (bytes is null) Files.Remove(path);
            else Files[path] = bytes;
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var path = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
            byte[]? body;
            lock (_gate)
            {
                Requests.Add(path);
                body = Files.GetValueOrDefault(path);
            }
            using var response = context.Response;
            if (body is null)
            {
                response.StatusCode = 404;
                continue;
            }
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
