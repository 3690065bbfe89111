using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;

namespace AtymSecure.TestSupport.Ota;

/// <summary>What differs between the test projects' seeded OTA hosts; the defaults are the rollouts tests'.</summary>
public sealed record SeededOtaHostOptions
{
    /// <summary>Active devices seeded (d00, d01, …), alternating groups eu/us.</summary>
    public int Devices { get; init; } = 6;

    /// <summary>Kestrel on a free 127.0.0.1 port (for CLI processes) instead of an in-process TestServer.</summary>
    public bool Loopback { get; init; }

    /// <summary>The fake clock's start.</summary>
    public DateTimeOffset Now { get; init; } = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The second release of sensor-filter (the first is always 1.0.0 with security counter 1).</summary>
    public string V2Version { get; init; } = "2.0.0";

    /// <summary>The second release's security counter; above 1 it is a security fix.</summary>
    public ulong V2Counter { get; init; } = 2;

    /// <summary>The seeded device number <c>i</c> (id <see cref="SeededOtaHost.DeviceId"/>, group <see cref="SeededOtaHost.GroupOf"/>) at the start time; null: a bare device.</summary>
    public Func<int, DateTimeOffset, DeviceRecord>? Device { get; init; }

    /// <summary>A policy folder the host enforces (<c>--policies</c>); null: none, as without the flag.</summary>
    public string? Policies { get; init; }

    /// <summary>Extra registrations after releases and rollouts (another library, a replaced store).</summary>
    public Action<WebApplicationBuilder>? Configure { get; init; }

    /// <summary>Changes to the server options before the host is built (the DDI API's options, a rate limit).</summary>
    public Func<AtymSecure.OtaServer.Hosting.OtaServerOptions, AtymSecure.OtaServer.Hosting.OtaServerOptions>? Server { get; init; }

    /// <summary>Extra endpoints after the deployment endpoints.</summary>
    public Action<WebApplication>? Map { get; init; }
}
