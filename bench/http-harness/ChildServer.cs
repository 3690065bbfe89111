using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace AtymSecure.Bench.Http;

/// <summary>
/// A server under test as its own process, pinned with <c>taskset</c> to one core (the load generator has the other),
/// its output in a log file. Gives its CPU time and resident memory from <c>/proc</c>, so figures are the server's
/// alone; disposing kills it (and only it: the pid this object started).
/// </summary>
public sealed class ChildServer : IDisposable
{
    private readonly Process _process;

    private ChildServer(Process process, string log, int port)
    {
        _process = process;
        LogPath = log;
        Port = port;
    }

    public int Port { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/> on <paramref name="core"/> and waits (bounded)
    /// until <paramref name="port"/> on 127.0.0.1 accepts connections.</summary>
    public static async Task<ChildServer> StartAsync(string file, IEnumerable<string> args, int core, int port, string log, TimeSpan ready)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true };
        // exec: taskset execs the server in turn, so the pid we hold is the server's own.
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec taskset -c \"$0\" \"$@\" > \"$LOG\" 2>&1 < /dev/null");
        psi.ArgumentList.Add(core.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LOG"] = log;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var server = new ChildServer(process, log, port);
        var deadline = DateTime.UtcNow + ready;
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {File.ReadAllText(log)}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                // not listening yet: the child is still starting; retry until the deadline
                using var pause = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
                await process.WaitForExitAsync(pause.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>User + system CPU seconds of the server so far (<c>/proc/PID/stat</c>).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Resident memory now (VmRSS), bytes.</summary>
    public long RssBytes() => ProcStatus(Pid, "VmRSS:");

    /// <summary>The largest resident memory so far (VmHWM), bytes.</summary>
    public long PeakRssBytes() => ProcStatus(Pid, "VmHWM:");

    public static long ProcStatus(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
