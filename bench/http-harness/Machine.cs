using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AtymSecure.Bench.Http;

/// <summary>
/// The machine facts printed with every result, and the core split: on a two-core machine the server gets core 0 and
/// the load generator (wrk, and this driver while it seeds and warms up) core 1, so each side's CPU is one core.
/// </summary>
public static class Machine
{
    public const int ServerCore = 0;
    public const int ClientCore = 1;

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    public static string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} cores, load average {LoadAverage()}; server pinned to core {ServerCore}, load generator (wrk -t1) to core {ClientCore}");

    /// <summary>Pins this driver to the client's core, so seeding and warm-up do not steal the server's.</summary>
    public static void PinDriverToClientCore()
    {
        if (OperatingSystem.IsLinux() && Environment.ProcessorCount >= 2) System.Diagnostics.Process.GetCurrentProcess().ProcessorAffinity = 1 << ClientCore;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>How to start this same program again in another mode: the apphost, or <c>dotnet</c> with the dll.</summary>
    public static (string File, string[] Prefix) Self()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var dll = System.Reflection.Assembly.GetEntryAssembly()!.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? (host, [dll]) : (host, []);
    }

    /// <summary>Busy CPU seconds of the whole machine so far (<c>/proc/stat</c>: every state but idle and iowait, all cores).</summary>
    public static double BusySeconds()
    {
        var cpu = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal …
        return (cpu.Sum() - cpu[3] - cpu[4]) / 100.0;
    }

    public static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("F1", CultureInfo.InvariantCulture) + " MiB";
}
