using System.Globalization;
using System.Security.Cryptography;
using AtymSecure.OtaServer.Hosting;

namespace AtymSecure.Bench.Http;

/// <summary>
/// The OTA server the benches measure, configured as <c>atym ota serve</c> would be with a registry: the releases
/// library is registered (so the poll answer asks the desired-state planner, and <c>/bundles/sha256/HEX</c> exists),
/// pointed at a registry address nothing listens on — nothing is imported during a bench. The vendor key is a
/// generated public key, required by the options. Same host code (<see cref="OtaServerHost"/>) as the CLI.
/// </summary>
public static class OtaBenchServer
{
    public const string Mode = "serve-ota";

    /// <param name="store">A <c>postgres://</c> store (replicas share it), or null for LiteDB in the data folder.</param>
    public static OtaServerOptions Options(string dataDirectory, int port, string? store = null)
    {
        var vendorKey = Path.Combine(dataDirectory, "bench-vendor.pub");
        if (!File.Exists(vendorKey))
        {
            Directory.CreateDirectory(dataDirectory);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            File.WriteAllText(vendorKey, key.ExportSubjectPublicKeyInfoPem());
        }
        return new OtaServerOptions
        {
            DataDirectory = dataDirectory,
            ListenUrl = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            Registry = "http://127.0.0.1:9",
            VendorKeyFiles = [vendorKey],
            Store = store,
        };
    }

    /// <summary>The child's arguments after the program: mode, data folder, port, and the store when there is one.</summary>
    public static string[] ChildArgs(string dataDirectory, int port, string? store = null) =>
        [Mode, dataDirectory, port.ToString(CultureInfo.InvariantCulture), .. store is null ? Array.Empty<string>() : [store]];

    /// <summary>Runs the server in this process until it is killed (the child side of <see cref="ChildArgs"/>).</summary>
    public static Task RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return OtaServerHost.RunAsync(Options(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args.Length > 3 ? args[3] : null));
    }

    /// <summary>Starts the server as a child process on the server core.</summary>
    public static Task<ChildServer> StartAsync(string dataDirectory, string log, string? store = null)
    {
        var port = Machine.FreePort();
        var (file, prefix) = Machine.Self();
        return ChildServer.StartAsync(file, [.. prefix, .. ChildArgs(dataDirectory, port, store)], Machine.ServerCore, port, log, TimeSpan.FromMinutes(2));
    }
}
