using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// The origins a device's challenge signature may name (docs/device-protocol.md, "Signatures"): the configured
/// <see cref="OtaServerOptions.PublicOrigin"/>, else the addresses Kestrel listens on (a wildcard listen address needs a
/// public origin: options validation). Never the request's Host header: a relay sets that to whatever it likes.
/// </summary>
public sealed class DeviceOrigin(OtaServerOptions options, IServer server)
{
    private IReadOnlyList<string>? _origins;

    public IReadOnlyList<string> Accepted => _origins ??= Compute();

    public bool Accepts(string origin) => Accepted.Contains(origin, StringComparer.Ordinal);

    private List<string> Compute()
    {
        if (options.PublicOrigin is { } configured) return [OtaServerOptions.NormalizeOrigin(configured)!];
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var origins = addresses.Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) && uri.Port != 0 ? DeviceSigningInputs.Origin(uri) : null).OfType<string>().ToList();
        // TestServer has no addresses; its clients use http://localhost.
        return origins.Count > 0 ? origins : ["http://localhost:80"];
    }
}
