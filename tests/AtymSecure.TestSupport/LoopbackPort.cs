using System.Net;
using System.Net.Sockets;

namespace AtymSecure.TestSupport;

/// <summary>Ports and readiness on 127.0.0.1 for peers the tests start.</summary>
public static class LoopbackPort
{
    /// <summary>A free TCP port on 127.0.0.1 (bind to 0, read it back, release).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Polls <paramref name="url"/> until it answers below 500; on timeout fails with
    /// <paramref name="diagnostics"/> (typically the peer's log).
    /// </summary>
    public static async Task WaitForHttpAsync(Uri url, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(url).ConfigureAwait(false);
                if ((int)response.StatusCode < 500) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new TimeoutException($"{url} did not answer within {timeout}. {diagnostics?.Invoke()}");
    }
}
