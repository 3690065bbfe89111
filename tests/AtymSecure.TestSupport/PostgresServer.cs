using Npgsql;

namespace AtymSecure.TestSupport;

/// <summary>
/// A real PostgreSQL server for the tests that carry <c>[Trait("Requires", "postgres")]</c>: one per test process
/// (<see cref="Shared"/>, started on first use, stopped when the process exits), a fresh database per caller
/// (<see cref="CreateDatabase"/>). The cluster lives in a temp folder (initdb, trust authentication on 127.0.0.1 only,
/// a free port, the unix socket in the same folder, fsync off: nothing here must survive a machine crash). initdb and
/// the server refuse to run as root, so as root the folder is given to the <c>postgres</c> user and both run through
/// <c>runuser</c>. Binaries come from /usr/lib/postgresql/VERSION/bin (Debian), else PATH.
/// </summary>
public sealed class PostgresServer
{
    private const string FolderPrefix = "atym-pg-";
    private const string InstallHint = "install the Debian package 'postgresql' (scripts/test.sh does)";
    private static readonly Lazy<PostgresServer> Started = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _root;
    private readonly string _pgCtl;
    private readonly bool _asPostgresUser;

    private PostgresServer(string root, string pgCtl, bool asPostgresUser, int port)
    {
        _root = root;
        _pgCtl = pgCtl;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    /// <summary>The server of this test process, started on first use.</summary>
    public static PostgresServer Shared => Started.Value;

    public int Port { get; }

    /// <summary>An Npgsql connection string for <paramref name="database"/> as the superuser <c>postgres</c>.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ConnectionString;

    /// <summary>The <c>postgres://</c> URL of <paramref name="database"/> (what <c>atym ota serve --store</c> takes).</summary>
    public string Url(string database) => $"postgres://postgres@127.0.0.1:{Port}/{database}";

    /// <summary>Creates an empty database with a fresh name and returns the name.</summary>
    public string CreateDatabase(string purpose = "test")
    {
        var name = $"{purpose}_{Guid.NewGuid():N}".ToLowerInvariant();
        if (name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '_')) throw new ArgumentException($"'{purpose}': letters, digits and _ only", nameof(purpose));
        Execute($"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>Drops <paramref name="database"/>, closing any connection still open to it.</summary>
    public void DropDatabase(string database)
    {
        Execute($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }

    /// <summary>Runs one statement on <paramref name="database"/>.</summary>
    public void Execute(string sql, string database = "postgres")
    {
        using var connection = new NpgsqlConnection(ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static PostgresServer Start()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        var initdb = ExternalTool.Require(bin is null ? "initdb" : Path.Combine(bin, "initdb"), InstallHint);
        var pgCtl = ExternalTool.Require(bin is null ? "pg_ctl" : Path.Combine(bin, "pg_ctl"), InstallHint);
        var asPostgresUser = Environment.UserName == "root";
        RemoveStaleClusters();
        // Short path: the unix socket path (folder + .s.PGSQL.PORT) must stay under 107 bytes.
        var root = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        if (asPostgresUser) Run("chown", ["postgres:postgres", root], "chown the cluster folder to postgres", asUser: false);
        var data = Path.Combine(root, "data");
        Run(initdb, ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"], "initdb", asPostgresUser);
        var port = LoopbackPort.Next();
        var server = new PostgresServer(root, pgCtl, asPostgresUser, port);
        Run(pgCtl, ["-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200", "start"],
            "pg_ctl start", asPostgresUser, () => File.Exists(Path.Combine(root, "server.log")) ? File.ReadAllText(Path.Combine(root, "server.log")) : "");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    private void Stop()
    {
        try
        {
            Run(_pgCtl, ["-D", Path.Combine(_root, "data"), "-m", "fast", "-w", "stop"], "pg_ctl stop", _asPostgresUser);
        }
        finally
        {
            Remove(_root);
        }
    }

    /// <summary>Deletes the clusters of earlier test processes that did not get to stop theirs (killed): folders of ours
    /// with no running server (no postmaster.pid) that are older than any start, so a cluster another process is
    /// creating right now is left alone.</summary>
    private static void RemoveStaleClusters()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            if (File.Exists(Path.Combine(folder, "data", "postmaster.pid"))) continue;
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) < TimeSpan.FromMinutes(10)) continue;
            Remove(folder);
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
            Console.Error.WriteLine($"PostgresServer: could not delete {folder}: {e.Message}");
        }
    }

    private static void Run(string program, string[] args, string what, bool asUser, Func<string>? diagnostics = null)
    {
        var (file, arguments) = asUser ? (ExternalTool.Require("runuser"), (string[])["-u", "postgres", "--", program, .. args]) : (program, args);
        var result = ExternalTool.RunAsync(file, arguments, TimeSpan.FromSeconds(90), workingDirectory: "/").GetAwaiter().GetResult();
        if (result.ExitCode != 0) throw new InvalidOperationException($"{what} failed: {result}\n{diagnostics?.Invoke()}");
    }
}
