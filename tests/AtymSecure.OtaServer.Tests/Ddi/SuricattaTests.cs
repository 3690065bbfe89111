using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AtymSecure.Delivery.Swu;
using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Ota;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AtymSecure.OtaServer.Tests.Ddi;

/// <summary>
/// A real client no one here wrote: Debian's SWUpdate 2022.12 with suricatta, as a process, against our DDI endpoints on
/// loopback. It polls, downloads an .swu our <see cref="SwuBuilder"/> signed with the test certificate, checks it,
/// installs its rawfile payload, and reports; the rollout engine counts the device succeeded, or failed when the
/// gateway's hardware revision does not match or the payload's SHA-256 fails; a server stopped mid-download and restarted
/// on its port is resumed with a <c>Range</c> request. The payload here is a stand-in file (the seeded host has no cut bundles
/// to export); the whole chain — a real export in the .swu, SWUpdate dropping it into a running agent's inbox, the
/// agent verifying, installing and confirming, the rollout counting it — is OtaReleases.Tests' SwuGatewayChainTests
/// (a host with a real import); the agent's handling alone is DeviceAgent.Tests' InboxOfflineExportTests. Every request
/// suricatta sent is printed (method, path, the headers that matter, bodies).
/// </summary>
[Trait("Requires", "swupdate")]
[Trait("Requires", "openssl")]
public sealed class SuricattaTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("suricatta");
    private readonly ConcurrentQueue<string> _requests = new();

    public void Dispose() => _temp.Dispose();

    private sealed class SwuSource(DdiArtifactFile file) : IDdiArtifactSource
    {
        public Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default) => Task.FromResult<DdiArtifactFile?>(file);
    }

    /// <summary>Records each request before the host sees it (first in the pipeline).</summary>
    private sealed class Recorder(ConcurrentQueue<string> log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var request = context.Request;
                string body = "";
                if (request.Method == "POST" || request.Method == "PUT")
                {
                    request.EnableBuffering();
                    using var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true);
                    body = await reader.ReadToEndAsync();
                    request.Body.Position = 0;
                }
                await nextMiddleware(context);
                log.Enqueue($"{request.Method} {request.Path}{request.QueryString} Authorization={Scheme(request)} Accept={request.Headers.Accept} Range={request.Headers.Range} -> {context.Response.StatusCode}{(body.Length > 0 ? " " + body : "")}");
            });
            next(app);
        };

        private static string Scheme(HttpRequest request) => request.Headers.Authorization.ToString().Split(' ')[0];
    }

    /// <summary>
    /// Holds the first full (no <c>Range</c>) download of the .swu after <see cref="CutAt"/> bytes until the server stops, then
    /// drops the connection: the server dies mid-download. Later downloads pass untouched. Shared across restarts.
    /// </summary>
    private sealed class MidDownloadCut : IStartupFilter
    {
        public const int CutAt = 100_000;
        private int _cut;
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Method == "GET" && context.Request.Path.Value!.EndsWith(".swu", StringComparison.Ordinal)
                    && context.Request.Headers.Range.Count == 0 && Interlocked.Exchange(ref _cut, 1) == 0)
                {
                    var stopping = context.RequestServices.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
                    context.Response.Body = new CutStream(context.Response.Body, this, context, stopping);
                }
                await nextMiddleware(context);
            });
            next(app);
        };

        private sealed class CutStream(Stream inner, MidDownloadCut cut, HttpContext context, CancellationToken stopping) : Stream
        {
            private long _written;
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => _written; set => throw new NotSupportedException(); }
            public override void Flush() => inner.Flush();
            public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                var room = (int)Math.Min(buffer.Length, CutAt - _written);
                if (room > 0) await inner.WriteAsync(buffer[..room], cancellationToken);
                _written += room;
                if (room == buffer.Length) return;
                await inner.FlushAsync(cancellationToken);
                cut.Reached.TrySetResult();
                try { await Task.Delay(Timeout.Infinite, stopping); } catch (OperationCanceledException) { }
                context.Abort();
                throw new OperationCanceledException("the server stopped mid-download");
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        }
    }

    /// <param name="damagePayload">Swap two unequal bytes inside the payload after the .swu is signed: the signed manifest
    /// and the archive's byte-sum checksum still match, only the payload's SHA-256 named in sw-description does not (flash
    /// or a mirror damaged the image). The DDI hashes are taken from the damaged file, so only SWUpdate's own check fails.</param>
    private DdiArtifactFile BuildSwu(string inbox, bool damagePayload = false)
    {
        var payloadBytes = RandomNumberGenerator.GetBytes(300_000);
        var payload = _temp.Write("payload.tar", payloadBytes);
        var swu = _temp.File("sensor-filter-2.0.0.swu");
        using (var file = File.Create(swu))
            new SwuBuilder(SwuSigner.FromPemFiles(SwuTestCertificate.Shared.CertificateFile, SwuTestCertificate.Shared.KeyFile))
                .Write(new SwuManifestOptions("2.0.0", "suricatta test", new EquatableList<string>(["1.0"])), [new SwuPayload("atym-offline-export.tar", Path.Combine(inbox, "20261204T1200000000000-export.tar"), payload)], file);
        var bytes = File.ReadAllBytes(swu);
        if (damagePayload)
        {
            var start = bytes.AsSpan().IndexOf(payloadBytes.AsSpan(0, 64));
            Assert.True(start > 0, "the payload is stored as is in the .swu");
            var (a, b) = (start + 1000, start + 1000 + Enumerable.Range(1, 1000).First(i => payloadBytes[1000 + i] != payloadBytes[1000]));
            (bytes[a], bytes[b]) = (bytes[b], bytes[a]);
            File.WriteAllBytes(swu, bytes);
        }
#pragma warning disable CA5350, CA5351
        return new DdiArtifactFile("sensor-filter-2.0.0.swu", swu, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)),
            Convert.ToHexStringLower(SHA1.HashData(bytes)), Convert.ToHexStringLower(MD5.HashData(bytes)));
#pragma warning restore CA5350, CA5351
    }

    private async Task<SeededOtaHost> StartAsync(DdiArtifactFile artifact, IStartupFilter? cut = null) => await SeededOtaHost.StartAsync(new SeededOtaHostOptions
    {
        Loopback = true,
        Devices = 1,
        Server = o => o with { Ddi = new DdiOptions(), DeviceRateLimit = 1_000_000, PollInterval = TimeSpan.FromSeconds(1), PollJitterPercent = 0 },
        Configure = b =>
        {
            b.Services.AddSingleton<IDdiArtifactSource>(new SwuSource(artifact));
            b.Services.AddSingleton<IStartupFilter>(new Recorder(_requests));
            if (cut is not null) b.Services.AddSingleton(cut);
        },
    });

    private async Task<(SeededOtaHost Host, string DeploymentId, string Token)> DeployedAsync(DdiArtifactFile artifact, IStartupFilter? cut = null)
    {
        var host = await StartAsync(artifact, cut);
        var created = await host.Client.PostAsJsonAsync("/api/v1/ddi/targets", new { controllerId = "gw-1", groups = new[] { "eu" } });
        Assert.True(created.StatusCode == System.Net.HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var deployment = await host.Service<RolloutService>().CreateAsync(
            new DeploymentRequest(host.V2.Id, new DeploymentTargetRequest(["eu"]), Retries: 0),
            new OperatorIdentity("0admin00", "admin", OperatorRole.Admin, []));
        return (host, deployment.Id, token);
    }

    /// <param name="confirm">suricatta's <c>-c</c> after a reboot: 2 reports the installed update successful, 3 failed.</param>
    private BackgroundProcess Suricatta(SeededOtaHost host, string token, string hardware, string tmp, int? confirm = null) => BackgroundProcess.Start(Swupdate.Program,
        ["-v", "-k", SwuTestCertificate.Shared.CertificateFile, "-H", hardware, "-u", $"-t DEFAULT -u {host.Url} -i gw-1 -k {token} -p 1 -r 3 -w 1{(confirm is { } c ? $" -c {c}" : "")}"],
        Swupdate.InstallHint, environment: new Dictionary<string, string> { ["TMPDIR"] = tmp });

    /// <summary>
    /// SWUpdate installed and waits for a reboot to test the update ("pending testing"); the gateway restarts it with
    /// <c>-c 2</c> once the new software runs (for an atym gateway: once the agent took the export), and it reports.
    /// Returns the restarted suricatta.
    /// </summary>
    private async Task<BackgroundProcess> RebootConfirmedAsync(BackgroundProcess suricatta, SeededOtaHost host, string token, string tmp)
    {
        await Wait.UntilAsync(() => suricatta.Log.Contains("pending testing", StringComparison.Ordinal) || suricatta.HasExited, "SWUpdate to wait for the reboot", TimeSpan.FromSeconds(60));
        await suricatta.DisposeAsync();
        output.WriteLine("swupdate before the reboot (tail):\n" + string.Join('\n', suricatta.Log.Split('\n').TakeLast(15)));
        return Suricatta(host, token, "gw:1.0", tmp, confirm: 2);
    }

    /// <summary>Waits until the rollout counted gw-1 succeeded or failed (or suricatta exited); returns gw-1's rollout state.</summary>
    private static async Task<DeviceRollout> CountedAsync(SeededOtaHost host, string deploymentId, BackgroundProcess suricatta, string what)
    {
        DeviceRollout Device() => host.Service<RolloutService>().Find(deploymentId)!.Device("gw-1")!;
        await Wait.UntilAsync(() => Device().State is DeviceRolloutState.Succeeded or DeviceRolloutState.Failed || suricatta.HasExited, what, TimeSpan.FromSeconds(90));
        return Device();
    }

    private void PrintLog(BackgroundProcess? process)
    {
        output.WriteLine("suricatta's requests (method, path, auth scheme, accept, range -> status, body):");
        foreach (var line in _requests) output.WriteLine("  " + line);
        if (process is not null) output.WriteLine("swupdate output (tail):\n" + string.Join('\n', process.Log.Split('\n').TakeLast(40)));
    }

    [Fact]
    public async Task Suricatta_polls_downloads_installs_our_swu_and_the_rollout_counts_it_succeeded()
    {
        await using var hold = await Swupdate.Exclusive();
        var inbox = _temp.Folder("inbox");
        var (host, deploymentId, token) = await DeployedAsync(BuildSwu(inbox));
        await using var _ = host;
        BackgroundProcess? suricatta = null;
        try
        {
            var tmp = _temp.Folder("tmp-ok");
            suricatta = Suricatta(host, token, "gw:1.0", tmp);
            await Wait.UntilAsync(() => Directory.EnumerateFiles(inbox).Any() || suricatta.HasExited, "the rawfile payload in the inbox", TimeSpan.FromSeconds(90));
            suricatta = await RebootConfirmedAsync(suricatta, host, token, tmp);
            var device = await CountedAsync(host, deploymentId, suricatta, "suricatta's closed feedback counted by the rollout");
            Assert.True(device.State == DeviceRolloutState.Succeeded, $"{device.State} {device.Reason}\n{suricatta.Log}");
            Assert.Single(Directory.EnumerateFiles(inbox));
            // The recorder logs a request once its answer is written, just after the rollout counted it.
            await Wait.UntilAsync(() => _requests.Any(r => r.StartsWith("POST /DEFAULT/controller/v1/gw-1/deploymentBase/", StringComparison.Ordinal)
                && r.Contains("\"execution\": \"closed\"", StringComparison.Ordinal) && r.Contains("\"finished\": \"success\"", StringComparison.Ordinal)), "the closed/success feedback in the log");
            Assert.All(_requests.Where(r => r.Contains("/controller/", StringComparison.Ordinal)), r => Assert.Contains("Authorization=TargetToken", r, StringComparison.Ordinal));
        }
        finally
        {
            PrintLog(suricatta);
            if (suricatta is not null) await suricatta.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_server_restarted_mid_download_suricatta_resumes_with_a_range_request_and_completes()
    {
        await using var hold = await Swupdate.Exclusive();
        var inbox = _temp.Folder("inbox");
        var cut = new MidDownloadCut();
        var (host, deploymentId, token) = await DeployedAsync(BuildSwu(inbox), cut);
        await using var _ = host;
        BackgroundProcess? suricatta = null;
        try
        {
            var tmp = _temp.Folder("tmp-resume");
            suricatta = Suricatta(host, token, "gw:1.0", tmp);
            await Wait.UntilAsync(() => cut.Reached.Task.IsCompleted || suricatta.HasExited, $"suricatta {MidDownloadCut.CutAt} bytes into the download", TimeSpan.FromSeconds(90));
            Assert.False(suricatta.HasExited, suricatta.Log);
            output.WriteLine($"server stopped {MidDownloadCut.CutAt} bytes into the download; restarting on {host.Url}");
            await host.RestartAsync();
            await Wait.UntilAsync(() => Directory.EnumerateFiles(inbox).Any(f => !f.EndsWith(".tmp", StringComparison.Ordinal)) || suricatta.HasExited, "the rawfile payload in the inbox", TimeSpan.FromSeconds(90));
            suricatta = await RebootConfirmedAsync(suricatta, host, token, tmp);
            var device = await CountedAsync(host, deploymentId, suricatta, "suricatta's closed feedback counted by the rollout");
            Assert.True(device.State == DeviceRolloutState.Succeeded, $"{device.State} {device.Reason}\n{suricatta.Log}");
            Assert.Contains(_requests, r => r.StartsWith("GET /DEFAULT/controller/v1/gw-1/softwaremodules/", StringComparison.Ordinal)
                && r.Contains("Range=bytes=", StringComparison.Ordinal) && r.Contains("-> 206", StringComparison.Ordinal));
        }
        finally
        {
            PrintLog(suricatta);
            if (suricatta is not null) await suricatta.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_payload_whose_hash_fails_is_reported_closed_failure_and_the_rollout_counts_it_failed()
    {
        await using var hold = await Swupdate.Exclusive();
        var inbox = _temp.Folder("inbox");
        var (host, deploymentId, token) = await DeployedAsync(BuildSwu(inbox, damagePayload: true));
        await using var _ = host;
        BackgroundProcess? suricatta = null;
        try
        {
            suricatta = Suricatta(host, token, "gw:1.0", _temp.Folder("tmp-damaged"));
            var device = await CountedAsync(host, deploymentId, suricatta, "suricatta's failure counted by the rollout");
            Assert.True(device.State == DeviceRolloutState.Failed, $"{device.State} {device.Reason}\n{suricatta.Log}");
            await Wait.UntilAsync(() => _requests.Any(r => r.StartsWith("POST /DEFAULT/controller/v1/gw-1/deploymentBase/", StringComparison.Ordinal)
                && r.Contains("\"execution\": \"closed\"", StringComparison.Ordinal) && r.Contains("\"finished\": \"failure\"", StringComparison.Ordinal)), "the closed/failure feedback in the log");
            // SWUpdate names the hash mismatch; nothing reached the inbox, not even a half-written file.
            Assert.Contains("HASH mismatch", suricatta.Log, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(Directory.EnumerateFiles(inbox));
        }
        finally
        {
            PrintLog(suricatta);
            if (suricatta is not null) await suricatta.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_hardware_mismatch_is_reported_as_failure_and_the_rollout_counts_it_failed()
    {
        await using var hold = await Swupdate.Exclusive();
        var inbox = _temp.Folder("inbox");
        var (host, deploymentId, token) = await DeployedAsync(BuildSwu(inbox));
        await using var _ = host;
        BackgroundProcess? suricatta = null;
        try
        {
            suricatta = Suricatta(host, token, "gw:9.9", _temp.Folder("tmp-bad"));
            var device = await CountedAsync(host, deploymentId, suricatta, "suricatta's failure counted by the rollout");
            Assert.True(device.State == DeviceRolloutState.Failed, $"{device.State} {device.Reason}\n{suricatta.Log}");
            Assert.Empty(Directory.EnumerateFiles(inbox));
        }
        finally
        {
            PrintLog(suricatta);
            if (suricatta is not null) await suricatta.DisposeAsync();
        }
    }
}
