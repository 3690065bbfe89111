using System.Diagnostics;
using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Engines;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Permissions;
using Wasmtime;

namespace AtymSecure.Bench.Runtime;

/// <summary>
/// Container start time (verify + load + link + instantiate + _initialize + first step) of the
/// sensor-filter sample from an AoT artifact and from plain Wasm, and resident memory per container.
/// </summary>
internal static class StartAndMemory
{
    public static void Run(string repo, EngineProfile aotProfile, bool quick)
    {
        var wasm = File.ReadAllBytes(Path.Combine(repo, "samples", "sensor-filter", "sensor-filter.wasm"));
        var services = new DeviceServices(TimeProvider.System, new MemoryLogSink(100), SimulatedSensorBank.Demo(TimeProvider.System), new SimulatedGpioBank(), new MessageBus(),
            new FileKeyValueStoreProvider(Path.Combine(Path.GetTempPath(), "atym-bench-kv")));
        var grants = GrantedPermissions.Parse(["log", "sensor:temp0", "publish:telemetry/temp"]);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["WINDOW"] = "5" };

        using var aotEngine = EngineFactory.Create(aotProfile);
        using var compiled = Module.FromBytes(aotEngine, "sensor-filter", wasm);
        var cwasm = compiled.Serialize();
        var aotExpectation = new ArtifactExpectation("sensor-filter", ArtifactKind.WasmtimeNative, Hex(cwasm), cwasm.Length, aotProfile.DeviceClass, aotProfile.Target);
        var hostProfile = EngineProfile.HostWasm(CpuInterruption.Epoch);
        using var hostEngine = EngineFactory.Create(hostProfile);
        var wasmExpectation = new ArtifactExpectation("sensor-filter", ArtifactKind.Wasm, Hex(wasm), wasm.Length);

        var runs = quick ? 5 : 20;
        Console.WriteLine();
        Console.WriteLine($"Container start (sensor-filter sample, {wasm.Length} B wasm, {cwasm.Length} B cwasm): verify + load + link + instantiate + first step, best/median of {runs}");
        Report("from AoT x86_64 artifact", Measure(runs, () => StartOnce(aotEngine, aotProfile, cwasm, aotExpectation, services, grants, variables)));
        Report("from plain Wasm (compiled on device)", Measure(runs, () => StartOnce(hostEngine, hostProfile, wasm, wasmExpectation, services, grants, variables)));

        // Memory: N live instances of the AoT module, each in its own store (as containers run).
        var n = quick ? 20 : 100;
        var verified = VerifiedArtifact.Verify(cwasm, aotExpectation);
        using var module = new ModuleLoader(aotEngine, aotProfile).Load(verified);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Tools.RssBytes();
        var live = new List<(Store, Linker)>();
        for (var i = 0; i < n; i++)
        {
            var context = new ContainerContext($"c{i}", grants, variables, BlobSet.Empty, services);
            var store = new Store(aotEngine, context);
            store.SetEpochDeadline(1_000_000);
            var linker = ImportLinker.Link(aotEngine, module, context);
            var instance = linker.Instantiate(store, module);
            instance.GetAction("_initialize")?.Invoke();
            instance.GetFunction<int>("atym_step")!();
            live.Add((store, linker));
        }
        var after = Tools.RssBytes();
        Console.WriteLine($"Memory: {n} sensor-filter containers (128 KiB linear memory each) add {(after - before) / 1024.0 / n:F0} KiB resident per container");
        foreach (var (s, l) in live) { l.Dispose(); s.Dispose(); }
    }

    private static double StartOnce(Engine engine, EngineProfile profile, byte[] bytes, ArtifactExpectation expectation, DeviceServices services, GrantedPermissions grants, Dictionary<string, string> variables)
    {
        var sw = Stopwatch.StartNew();
        var verified = VerifiedArtifact.Verify(bytes, expectation);
        using var module = new ModuleLoader(engine, profile).Load(verified);
        var context = new ContainerContext("sensor-filter", grants, variables, BlobSet.Empty, services);
        using var store = new Store(engine, context);
        store.SetLimits(memorySize: 131072);
        store.SetEpochDeadline(1_000_000);
        using var linker = ImportLinker.Link(engine, module, context);
        var instance = linker.Instantiate(store, module);
        instance.GetAction("_initialize")?.Invoke();
        instance.GetFunction<int>("atym_step")!();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static List<double> Measure(int runs, Func<double> once)
    {
        once(); // warm up the .NET and Wasmtime code paths once
        return [.. Enumerable.Range(0, runs).Select(_ => once()).Order()];
    }

    private static void Report(string label, List<double> ms) =>
        Console.WriteLine($"  {label,-40} best {ms[0],6:F2} ms, median {ms[ms.Count / 2],6:F2} ms (goal < 5 ms)");

    private static string Hex(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));
}
