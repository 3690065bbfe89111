using System.Diagnostics;
using System.Security.Cryptography;
using AtymSecure.Engines;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Permissions;
using Wasmtime;

namespace AtymSecure.Bench.Runtime;

/// <summary>
/// What process mode costs against in-process (issue 11 §1): container start time (Start until the container's first
/// step has published a message, through the real runtime and supervisor; in process mode that includes starting the
/// container host) and memory per running container (in-process: the agent's RSS growth; process mode: the agent's
/// growth plus each container process's RSS, and its PSS, which shares the runtime's pages fairly among processes).
/// The same AoT linux-x86_64 artifact, the same device services on the system clock.
/// </summary>
internal static class IsolationCost
{
    private const string Step = """
        (module
          (import "atym" "publish" (func $publish (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 2 2)
          (data (i32.const 0) "bench/step")
          (func (export "atym_step") (result i32)
            (drop (call $publish (i32.const 0) (i32.const 10) (i32.const 0) (i32.const 1)))
            (i32.const 0)))
        """;

    public static void Run(bool quick)
    {
        var profile = EngineProfile.For(DeviceClassTable.LinuxX86_64);
        var code = Compile(profile);
        var starts = quick ? 5 : 15;
        var containers = quick ? 5 : 10;
        Console.WriteLine();
        Console.WriteLine($"Process mode vs in-process (linux-x86_64 AoT step container, 128 KiB linear memory): start = Start → first step published, median/best of {starts}; memory = {containers} running containers");
        var inProcess = Measure(ContainerIsolation.InProcess, profile, code, starts, containers);
        var process = Measure(ContainerIsolation.Process, profile, code, starts, containers);
        Console.WriteLine($"  {"",-44} {"in-process",12} {"process",12} {"ratio",8}");
        Row("container start, median (ms)", inProcess.StartMedianMs, process.StartMedianMs, "F1");
        Row("container start, best (ms)", inProcess.StartBestMs, process.StartBestMs, "F1");
        Row("memory per container, RSS (KiB)", inProcess.RssPerContainerKiB, process.RssPerContainerKiB, "F0");
        Row("memory per container, PSS (KiB)", inProcess.RssPerContainerKiB, process.PssPerContainerKiB, "F0");
        Console.WriteLine($"  (in-process PSS = its RSS growth: one process; process-mode RSS counts the shared .NET runtime pages in every child, PSS divides them)");
    }

    private static void Row(string label, double a, double b, string format) =>
        Console.WriteLine($"  {label,-44} {a.ToString(format, System.Globalization.CultureInfo.InvariantCulture),12} {b.ToString(format, System.Globalization.CultureInfo.InvariantCulture),12} {b / a,7:F1}x");

    private sealed record Figures(double StartMedianMs, double StartBestMs, double RssPerContainerKiB, double PssPerContainerKiB);

    private static Figures Measure(ContainerIsolation isolation, EngineProfile profile, VerifiedArtifact code, int starts, int containers)
    {
        var kvDirectory = Directory.CreateTempSubdirectory("atym-bench-isolation").FullName;
        try
        {
            using var kv = new FileKeyValueStoreProvider(kvDirectory);
            var bus = new MessageBus();
            var services = new DeviceServices(TimeProvider.System, new MemoryLogSink(1000), SimulatedSensorBank.Demo(TimeProvider.System), new SimulatedGpioBank(), bus, kv);
            using var runtime = new ContainerRuntime(profile, services, new RuntimeOptions { Isolation = isolation });

            var times = new List<double>();
            for (var i = 0; i <= starts; i++)
            {
                var name = $"start-{i}";
                using var sub = bus.Subscribe("bench", "bench/step");
                var sw = Stopwatch.StartNew();
                runtime.Start(Spec(name, code));
                while (sub.Pending == 0) Thread.Sleep(1);
                if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds); // the first start warms the code paths
                runtime.Remove(name, TimeSpan.FromSeconds(30));
            }
            times.Sort();

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = RssKiB(Environment.ProcessId);
            var subs = new List<Subscription>();
            for (var i = 0; i < containers; i++)
            {
                var name = $"mem-{i}";
                var sub = bus.Subscribe("bench", "bench/step");
                runtime.Start(Spec(name, code));
                while (sub.Pending == 0) Thread.Sleep(1);
                sub.Dispose();
            }
            Thread.Sleep(500);
            var agentGrowth = RssKiB(Environment.ProcessId) - before;
            var children = ChildHosts();
            var rss = agentGrowth + children.Sum(RssKiB);
            var pss = agentGrowth + children.Sum(PssKiB);
            runtime.StopAll(TimeSpan.FromSeconds(30));
            return new Figures(times[times.Count / 2], times[0], (double)rss / containers, (double)pss / containers);
        }
        finally
        {
            Directory.Delete(kvDirectory, recursive: true);
        }
    }

    private static ContainerSpec Spec(string name, VerifiedArtifact code) => new(new ContainerConfig
    {
        Name = name,
        Version = SemanticVersion.Parse("1.0.0"),
        Entrypoint = "atym_step",
        Resources = new ResourceLimits { MaxMemoryBytes = 131072, CpuBudgetMs = 10, SliceIntervalMs = 100 },
        Restart = new RestartPolicy { Mode = RestartMode.Never },
    }, code, GrantedPermissions.Parse(["publish:bench/step"]), BlobSet.Empty);

    private static VerifiedArtifact Compile(EngineProfile profile)
    {
        using var engine = EngineFactory.Create(profile);
        using var module = Module.FromText(engine, "step", Step);
        var bytes = module.Serialize();
        return VerifiedArtifact.Verify(bytes, new ArtifactExpectation("step", ArtifactKind.WasmtimeNative,
            Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, profile.DeviceClass, profile.Target));
    }

    /// <summary>This process's children running the container host.</summary>
    private static List<int> ChildHosts()
    {
        var mine = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] != mine) continue;
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("AtymSecure.ContainerHost", StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException)
            {
            }
        }
        return found;
    }

    private static long RssKiB(int pid) => StatusField($"/proc/{pid}/status", "VmRSS:");

    private static long PssKiB(int pid) => StatusField($"/proc/{pid}/smaps_rollup", "Pss:");

    private static long StatusField(string path, string field)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
