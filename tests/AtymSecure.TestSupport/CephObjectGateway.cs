using System.Diagnostics;

namespace AtymSecure.TestSupport;

/// <summary>
/// A real S3 server for the tests that carry <c>[Trait("Requires", "s3")]</c>: Ceph's RADOS Gateway on a single-node
/// cluster — one <c>ceph-mon</c>, one <c>ceph-osd</c> on the <c>memstore</c> object store (objects live in the OSD's
/// memory: nothing survives the process, nothing touches a disk) and <c>radosgw</c> with its beast front end on
/// 127.0.0.1. One per test process (<see cref="Shared"/>, started on first use, stopped when the process exits); tests
/// create their own bucket (<see cref="NewBucketName"/>). Debian packages <c>radosgw ceph-mon ceph-osd</c>; no systemd,
/// no <c>cephadm</c>: the three daemons run in the foreground (<c>-f</c>) as children of the test process, as root or
/// not (every path they use is in the cluster's temp folder). Started in ~13 s on 2 cores: mon mkfs + start ~1 s, osd
/// ~2 s, the gateway's first start (it creates its six pools and the default zone) ~8 s.
/// <para>
/// What it takes (Ceph 16.2 "pacific", learned by trying; shared/reference/wave2-dependencies.md):
/// <list type="bullet">
/// <item>No cephx: <c>auth_{cluster,service,client}_required = none</c>, and <c>ms_mon_client_mode = crc</c> +
/// <c>ms_client_mode = crc</c> (the default "secure" mode fails the handshake with -13 when there are no keys).</item>
/// <item>IPv4 loopback only: <c>ms_bind_ipv6 = false</c>, <c>public_addr = 127.0.0.1</c>, and a monmap made by
/// <c>monmaptool --addv a [v2:127.0.0.1:P2,v1:127.0.0.1:P1]</c> (both protocols, two free ports).</item>
/// <item>One OSD: <c>osd_pool_default_size = 1</c>, <c>osd_pool_default_min_size = 1</c>, <c>mon_allow_pool_size_one =
/// true</c>; few placement groups (<c>osd_pool_default_pg_num = 8</c>, <c>mon_max_pg_per_osd = 1000</c>) or the
/// gateway's pools do not fit one OSD.</item>
/// <item>The OSD: <c>ceph osd new UUID</c> (which also waits until the monitor answers: the readiness condition for
/// the mon), <c>ceph-osd --mkfs -i 0 --osd-uuid UUID</c>, <c>osd_objectstore = memstore</c> with
/// <c>memstore_device_bytes</c> as the cap of what the cluster holds.</item>
/// <item>The gateway: <c>rgw_frontends = beast endpoint=127.0.0.1:PORT</c>; it is ready when <c>GET /</c> answers
/// (it waits for the OSD itself); then <c>radosgw-admin user create --access-key … --secret-key …</c> (run as
/// <c>client.admin</c>: as <c>client.rgw</c> it fights the gateway for the admin socket).</item>
/// <item><c>mon_data_avail_warn = 1</c>: the monitor otherwise reports HEALTH_WARN on a disk under 30 % free.</item>
/// </list>
/// The exact file is <see cref="CephConf"/>. Each daemon runs under a guard that kills it when the test process goes,
/// however it goes (<see cref="Daemon"/>: the test host is sometimes ended without its exit handlers running); should
/// one survive anyway, the next start kills it (by the pid files in the dead owner's folder, only when the process's
/// command line names that folder) and deletes the folder.
/// </para>
/// </summary>
public sealed class CephObjectGateway
{
    /// <summary>The fixed key pair of the gateway's one user (<c>atym</c>); test credentials, loopback only.</summary>
    public const string AccessKey = "ATYMTESTACCESSKEY0001";

    public const string SecretKey = "atym-test-secret-key-not-for-production-0001";

    /// <summary>The region the URLs name; RGW's default zone group accepts any signing region.</summary>
    public const string Region = "us-east-1";

    private const string FolderPrefix = "atym-ceph-";
    private const string InstallHint = "install the Debian packages 'radosgw ceph-mon ceph-osd' (scripts/test-deps.sh does)";
    private static readonly Lazy<CephObjectGateway> Started = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _root;
    private readonly List<Daemon> _daemons = [];

    private CephObjectGateway(string root, int port)
    {
        _root = root;
        Port = port;
    }

    /// <summary>The gateway of this test process, started on first use.</summary>
    public static CephObjectGateway Shared => Started.Value;

    public int Port { get; }

    /// <summary>The S3 endpoint, <c>http://127.0.0.1:PORT</c>.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>How long the cluster took to answer S3 requests with the user's keys.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>A bucket name nobody used yet in this cluster (3–63 lower-case letters, digits, '-').</summary>
    public static string NewBucketName(string purpose = "test")
    {
        var clean = new string(purpose.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Take(30).ToArray()).Trim('-');
        return $"{(clean.Length == 0 ? "test" : clean)}-{Guid.NewGuid():N}";
    }

    /// <summary>The <c>s3://</c> URL of <paramref name="bucket"/> on this gateway, with the keys in its user info when
    /// <paramref name="withCredentials"/> (else they come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, <see cref="CredentialEnvironment"/>).</summary>
    public string Url(string bucket, bool withCredentials = true) =>
        $"s3://{(withCredentials ? $"{AccessKey}:{SecretKey}@" : "")}{bucket}?endpoint={Uri.EscapeDataString(Endpoint.ToString().TrimEnd('/'))}&region={Region}&path-style=true";

    /// <summary>The environment that gives a child process the gateway's keys.</summary>
    public static IReadOnlyDictionary<string, string> CredentialEnvironment { get; } = new Dictionary<string, string>
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
    };

    /// <summary>The cluster's ceph.conf (the one the fixture writes; see the type's remarks for why each line is there).</summary>
    public static string CephConf(string root, string fsid, int monV2Port, int monV1Port, int gatewayPort) => $"""
        [global]
        fsid = {fsid}
        mon_host = [v2:127.0.0.1:{monV2Port},v1:127.0.0.1:{monV1Port}]
        public_addr = 127.0.0.1
        ms_bind_ipv6 = false
        ms_bind_ipv4 = true
        auth_cluster_required = none
        auth_service_required = none
        auth_client_required = none
        ms_mon_client_mode = crc
        ms_client_mode = crc
        osd_pool_default_size = 1
        osd_pool_default_min_size = 1
        mon_allow_pool_size_one = true
        osd_pool_default_pg_num = 8
        osd_pool_default_pgp_num = 8
        mon_max_pg_per_osd = 1000
        mon_data_avail_warn = 1
        run_dir = {root}/run
        pid_file = {root}/run/$name.pid
        admin_socket = {root}/run/$name.asok
        log_file = {root}/log/$name.log
        log_to_stderr = false
        err_to_stderr = true
        [mon]
        mon_data = {root}/mon
        mon_initial_members = a
        [osd]
        osd_data = {root}/osd
        osd_objectstore = memstore
        memstore_device_bytes = 4294967296
        [client.rgw]
        rgw_frontends = beast endpoint=127.0.0.1:{gatewayPort}
        rgw_data = {root}/rgw

        """; // Ceph's parser wants the last line to end with a newline

    private static CephObjectGateway Start()
    {
        var clock = Stopwatch.StartNew();
        foreach (var tool in (string[])["ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph"])
            ExternalTool.Require(tool, InstallHint);
        RemoveStaleClusters();
        var root = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        foreach (var folder in (string[])["run", "log", "mon", "osd", "rgw"]) Directory.CreateDirectory(Path.Combine(root, folder));
        File.WriteAllText(Path.Combine(root, "owner.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (monV2, monV1, gatewayPort) = (LoopbackPort.Next(), LoopbackPort.Next(), LoopbackPort.Next());
        var fsid = Guid.NewGuid().ToString();
        var conf = Path.Combine(root, "ceph.conf");
        File.WriteAllText(conf, CephConf(root, fsid, monV2, monV1, gatewayPort));
        var gateway = new CephObjectGateway(root, gatewayPort);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => gateway.Stop();
        try
        {
            var monmap = Path.Combine(root, "monmap");
            gateway.Run("monmaptool", ["--create", "--fsid", fsid, "--addv", "a", $"[v2:127.0.0.1:{monV2},v1:127.0.0.1:{monV1}]", monmap]);
            gateway.Run("ceph-mon", ["-c", conf, "--mkfs", "-i", "a", "--monmap", monmap]);
            gateway.StartDaemon("ceph-mon", ["-c", conf, "-f", "-i", "a"]);
            var osdUuid = Guid.NewGuid().ToString();
            // Blocks until the monitor answers (its readiness), then registers osd.0.
            gateway.Run("ceph", ["-c", conf, "--connect-timeout", "60", "osd", "new", osdUuid]);
            gateway.Run("ceph-osd", ["-c", conf, "--mkfs", "-i", "0", "--osd-uuid", osdUuid]);
            gateway.StartDaemon("ceph-osd", ["-c", conf, "-f", "-i", "0"]);
            // The gateway waits for the OSD itself, creating its pools as soon as it is up.
            gateway.StartDaemon("radosgw", ["-c", conf, "-f", "-n", "client.rgw"]);
            LoopbackPort.WaitForHttpAsync(gateway.Endpoint, TimeSpan.FromSeconds(90), gateway.Diagnostics).GetAwaiter().GetResult();
            gateway.Run("radosgw-admin", ["-c", conf, "-n", "client.admin", "user", "create", "--uid=atym", "--display-name=atym tests",
                $"--access-key={AccessKey}", $"--secret-key={SecretKey}"]);
        }
        catch
        {
            gateway.Stop();
            throw;
        }
        gateway.StartTime = clock.Elapsed;
        return gateway;
    }

    private void StartDaemon(string program, string[] args)
    {
        var daemon = Daemon.Start(ExternalTool.Require(program, InstallHint), args, _root);
        lock (_daemons) _daemons.Add(daemon);
    }

    /// <summary>
    /// One daemon under a tiny <c>sh</c> guard whose stdin is a pipe from the test process: the guard waits for end of file on
    /// it, which comes when the test process closes it (<see cref="Stop"/>) or dies in any way — a SIGKILL, or a test host
    /// that is ended without running exit handlers — and then kills the daemon. So no daemon outlives its test process.
    /// </summary>
    private sealed class Daemon
    {
        private const string Guard = "\"$@\" & child=$!; cat >/dev/null; kill -KILL $child 2>/dev/null; wait $child";
        private readonly Process _process;
        private readonly OutputCapture _output;

        private Daemon(Process process, string commandLine)
        {
            _process = process;
            _output = new OutputCapture(process);
            CommandLine = commandLine;
        }

        public string CommandLine { get; }

        public string Log => _output.Text;

        public static Daemon Start(string program, string[] args, string workingDirectory)
        {
            var start = ExternalTool.StartInfo(ExternalTool.Require("sh"), ["-c", Guard, "sh", program, .. args], workingDirectory, null);
            start.RedirectStandardInput = true;
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started");
            return new Daemon(process, $"{program} {string.Join(' ', args)}");
        }

        /// <summary>Closes the guard's stdin (the guard then kills the daemon) and waits for both to be gone.</summary>
        public void Stop()
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
        }
    }

    private void Run(string program, string[] args)
    {
        var result = ExternalTool.RunAsync(program, args, TimeSpan.FromSeconds(90), workingDirectory: _root, installHint: InstallHint)
            .GetAwaiter().GetResult();
        if (result.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {result}\n{Diagnostics()}");
    }

    /// <summary>What the daemons printed and the last lines of their logs (for a failed start).</summary>
    private string Diagnostics()
    {
        var text = new System.Text.StringBuilder();
        lock (_daemons)
            foreach (var daemon in _daemons)
                text.Append("--- ").AppendLine(daemon.CommandLine).AppendLine(daemon.Log);
        var logs = Path.Combine(_root, "log");
        if (Directory.Exists(logs))
            foreach (var log in Directory.GetFiles(logs, "*.log"))
                text.Append("--- ").AppendLine(log).AppendJoin('\n', File.ReadLines(log).TakeLast(15)).AppendLine();
        return text.ToString();
    }

    private void Stop()
    {
        lock (_daemons)
        {
            // The gateway first, the monitor last: nothing then waits on a peer that is already gone.
            foreach (var daemon in Enumerable.Reverse(_daemons)) daemon.Stop();
            _daemons.Clear();
        }
        Remove(_root);
    }

    /// <summary>Kills the daemons of earlier test processes that died without stopping them, and deletes their folders.</summary>
    private static void RemoveStaleClusters()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.Combine(folder, "owner.pid");
            if (!File.Exists(owner))
            {
                // A folder still being set up by another process has its owner file within milliseconds.
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > TimeSpan.FromMinutes(10)) Remove(folder);
                continue;
            }
            if (int.TryParse(File.ReadAllText(owner), out var ownerPid) && IsRunning(ownerPid, null)) continue;
            var run = Path.Combine(folder, "run");
            if (Directory.Exists(run))
                foreach (var pidFile in Directory.GetFiles(run, "*.pid"))
                    if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && IsRunning(pid, folder))
                        try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            Remove(folder);
        }
    }

    /// <summary>Whether <paramref name="pid"/> runs, and (when <paramref name="commandLineContains"/> is given) was started
    /// with that text in its command line — so a pid reused by an unrelated process is never touched.</summary>
    private static bool IsRunning(int pid, string? commandLineContains)
    {
        var cmdline = $"/proc/{pid}/cmdline";
        try
        {
            if (!File.Exists(cmdline)) return false;
            return commandLineContains is null || File.ReadAllText(cmdline).Contains(commandLineContains, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Remove(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"CephObjectGateway: could not delete {folder}: {e.Message}");
        }
    }
}
