using System.Diagnostics;
using System.Globalization;
using AtymSecure.ObjectStore;
using AtymSecure.TestSupport;

// Usage: AtymSecure.Bench.RegistryS3 ATYM_DLL REGISTRY_BENCH_DLL [bench options: --small --repeat N]
// Starts one Ceph RADOS Gateway on memstore (CephObjectGateway: ceph-mon + ceph-osd + radosgw on 127.0.0.1), a bucket,
// and two registries side by side: `local` (blobs in its data folder, fsync on: the default) and `s3` (--blobs s3://…),
// then runs bench/registry's workloads against both with ratio = s3 / local in the same round. The Ceph daemons share
// the machine's cores with everything else: their CPU is part of what the s3 figures pay.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: AtymSecure.Bench.RegistryS3 ATYM_DLL REGISTRY_BENCH_DLL [--small] [--repeat N]");
    return 2;
}
var (atym, bench) = (args[0], args[1]);
var gateway = CephObjectGateway.Shared;
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ceph gateway ready in {gateway.StartTime.TotalSeconds:F1} s at {gateway.Endpoint}"));
var bucket = CephObjectGateway.NewBucketName("bench");
using (var objects = S3ObjectStore.Open(gateway.Url(bucket))) await objects.CreateBucketAsync();
using var work = TempFolder.Create("bench-s3");
var servers = new List<Process>();
try
{
    var local = Serve("local", []);
    var s3 = Serve("s3", ["--blobs", gateway.Url(bucket)]);
    foreach (var (host, _) in new[] { local, s3 })
        await LoopbackPort.WaitForHttpAsync(new Uri($"http://{host}/v2/"), TimeSpan.FromSeconds(60));
    var run = Process.Start(new ProcessStartInfo("dotnet", [bench, $"local={local.Host}@{local.Pid}", $"s3={s3.Host}@{s3.Pid}", "--baseline", "local", .. args[2..]])
        { UseShellExecute = false }) ?? throw new InvalidOperationException("the registry bench did not start");
    await run.WaitForExitAsync();
    return run.ExitCode;
}
finally
{
    foreach (var server in servers)
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
    }
}

(string Host, int Pid) Serve(string label, string[] more)
{
    var host = $"127.0.0.1:{LoopbackPort.Next()}";
    var start = new ProcessStartInfo("dotnet", [atym, "registry", "serve", "--listen", host, "--data", work.File(label), .. more])
    {
        UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
    };
    var process = Process.Start(start) ?? throw new InvalidOperationException($"atym registry serve ({label}) did not start");
    process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{label}] {e.Data}"); };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{label}] {e.Data}"); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    servers.Add(process);
    return (host, process.Id);
}
