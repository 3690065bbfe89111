using System.Net.Sockets;

namespace AtymSecure.Fleet;

/// <summary>
/// Which OTA replica one simulated device talks to: the part of a load balancer a device would sit behind. The device
/// itself knows one server (<see cref="FleetOptions.Server"/>, the origin it signs challenges for, as a device behind a
/// load balancer knows the balancer's name); every request to any of the fleet's servers is sent to this device's
/// current replica instead. Device i starts on replica i mod N (the fleet's polls spread evenly) and stays there — its
/// session is valid on every replica, so nothing is gained by moving — until a connection to it is refused or fails:
/// then it moves to the next replica. A request whose connection was refused never reached a server and is sent once
/// more, to the next replica; any other failure is returned to the agent (the request may have been handled; the agent's
/// own retry decides), and only the next request goes to the next replica. <see cref="HomeAgain"/> after a move the
/// device goes back to its own replica, as a balancer's health check puts a recovered backend back in: without it one
/// transient failure per device (a replica starved for a moment) moved half the fleet for good, and a replica that came
/// back never served again. A replica still down costs one refused connection, resent at once to the next.
/// </summary>
internal sealed class ServerRoute
{
    /// <summary>How long a device stays on the replica it moved to before trying its own again.</summary>
    public static readonly TimeSpan HomeAgain = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<Uri> _servers;
    private readonly int _home;
    private readonly TimeProvider _clock;
    private int _current;
    private long _movedAt;
    private int _failovers;

    public ServerRoute(IReadOnlyList<Uri> servers, int deviceIndex, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0) throw new ArgumentException("at least one server", nameof(servers));
        _servers = servers;
        _home = _current = deviceIndex % servers.Count;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The replica requests go to now: the device's own, or the one it moved to less than <see cref="HomeAgain"/> ago.</summary>
    public Uri Current
    {
        get
        {
            var current = Volatile.Read(ref _current);
            if (current != _home && _clock.GetElapsedTime(Interlocked.Read(ref _movedAt)) >= HomeAgain)
            {
                Interlocked.CompareExchange(ref _current, _home, current);
                current = Volatile.Read(ref _current);
            }
            return _servers[current];
        }
    }

    /// <summary>How often this device moved to another replica after a failure.</summary>
    public int Failovers => Volatile.Read(ref _failovers);

    /// <summary>Sends <paramref name="request"/> through <paramref name="send"/> to the current replica (when it is addressed to
    /// one of the fleet's servers), failing over as described on the type.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Func<HttpRequestMessage, Task<HttpResponseMessage>> send)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(send);
        if (request.RequestUri is not { } uri || !_servers.Any(s => SameAuthority(s, uri)) || _servers.Count == 1) return await send(request).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var target = Current;
            request.RequestUri = new UriBuilder(uri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
            try
            {
                return await send(request).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (!IsSimulated(e))
            {
                MoveOn(target);
                if (!Refused(e) || attempt + 1 >= _servers.Count) throw;
            }
        }
    }

    private void MoveOn(Uri from)
    {
        var index = IndexOf(from);
        if (Interlocked.CompareExchange(ref _current, (index + 1) % _servers.Count, index) != index) return;
        Interlocked.Exchange(ref _movedAt, _clock.GetTimestamp());
        Interlocked.Increment(ref _failovers);
    }

    private int IndexOf(Uri server)
    {
        for (var i = 0; i < _servers.Count; i++)
            if (SameAuthority(_servers[i], server)) return i;
        return 0;
    }

    private static bool SameAuthority(Uri a, Uri b) => a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static bool Refused(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.ConnectionError && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };

    /// <summary>The link's own offline fault is the device's network, not the replica's: no failover for it.</summary>
    private static bool IsSimulated(HttpRequestException e) => e.Message.StartsWith(SimulatedLink.OfflineMessage, StringComparison.Ordinal);
}
