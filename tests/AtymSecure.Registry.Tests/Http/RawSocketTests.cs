using System.Net;
using System.Net.Sockets;
using System.Text;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Http;

/// <summary>Requests HttpClient would never send (dot segments, lying Content-Length), over a real socket to Kestrel.</summary>
public sealed class RawSocketTests : IAsyncLifetime
{
    private LoopbackRegistry _registry = null!;

    public async Task InitializeAsync() => _registry = await LoopbackRegistry.StartAsync();
    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    /// <summary>
    /// Sends raw bytes and returns the reply (until the server closes). With <paramref name="halfClose"/> the
    /// client then ends its side, which is how a body shorter than its Content-Length ends.
    /// </summary>
    private async Task<string> SendRawAsync(string head, byte[]? body = null, bool halfClose = false)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _registry.Address.Port);
        var reply = new MemoryStream();
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(head));
            if (body is not null) await socket.SendAsync(body);
            if (halfClose) socket.Shutdown(SocketShutdown.Send);
            var buffer = new byte[8192];
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0) reply.Write(buffer, 0, read);
        }
        catch (SocketException) when (halfClose)
        {
            // The server may reset a connection whose request body was cut short.
        }
        return Encoding.ASCII.GetString(reply.ToArray());
    }

    private static int Status(string reply)
    {
        var parts = reply.Split(' ');
        Assert.True(parts.Length > 1 && reply.StartsWith("HTTP/1.1 ", StringComparison.Ordinal), $"not an HTTP reply: '{reply}'");
        return int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("/v2/../../etc/passwd")]
    [InlineData("/v2/app/../../../metadata.db/tags/list")]
    [InlineData("/v2/app/blobs/uploads/..%2F..%2Fmetadata.db")]
    [InlineData("/v2/%2e%2e/%2e%2e/blobs/sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")]
    [InlineData("/v2/app/manifests/..%2f..%2fmetadata.db")]
    public async Task Dot_segments_never_escape_and_are_4xx(string path)
    {
        var reply = await SendRawAsync($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        var status = Status(reply);
        Assert.InRange(status, 400, 499);
        Assert.Contains("\"errors\"", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_shorter_than_content_length_is_rejected_and_the_session_keeps_its_offset()
    {
        using var post = await _registry.Client.PostAsync("/v2/app/blobs/uploads/", null);
        var location = post.Headers.Location!.ToString();
        using (var first = await _registry.Client.PatchAsync(location, new ByteArrayContent(new byte[100]))) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        var reply = await SendRawAsync(
            $"PATCH {location} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
            new byte[400], halfClose: true);
        if (reply.Length > 0) Assert.InRange(Status(reply), 400, 499);

        // The truncated chunk was rolled back: the upload still holds exactly the first 100 bytes.
        HttpResponseMessage? status = null;
        for (var i = 0; i < 50; i++)
        {
            status?.Dispose();
            status = await _registry.Client.GetAsync(location);
            if (RegistryCalls.Header(status, "Range") == "0-99") break;
            await Task.Delay(50); // the server notices the aborted body asynchronously
        }
        Assert.Equal("0-99", RegistryCalls.Header(status!, "Range"));
        status!.Dispose();
    }

    [Fact]
    public async Task Encoded_nul_in_path_is_refused_by_kestrel_with_400()
    {
        var reply = await SendRawAsync("GET /v2/%00/tags/list HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.Equal(400, Status(reply));
    }

    [Fact]
    public async Task Garbage_request_line_gets_400()
    {
        var reply = await SendRawAsync("FOO /v2/\u0001 HTTP/1.1\r\n\r\n");
        Assert.InRange(Status(reply), 400, 499);
    }
}
