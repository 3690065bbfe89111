using AtymSecure.Runtime.Execution;
using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Engines;
using Wasmtime;

namespace AtymSecure.Bench.Runtime;

/// <summary>
/// Times the kernels under one Wasmtime engine profile the way a device runs an artifact: compile with the
/// profile's engine, serialize, verify (<see cref="VerifiedArtifact"/>) and load (<see cref="ModuleLoader"/>).
/// </summary>
internal static class WasmtimeKernels
{
    /// <param name="divisor">Run 1/divisor of the iterations (slow interpreters) and scale the time back up.</param>
    public static Dictionary<string, KernelTiming> Run(EngineProfile profile, ArtifactKind kind, byte[] wasm, IReadOnlyList<Kernel> kernels, int repeats, uint divisor)
    {
        using var engine = EngineFactory.Create(profile);
        var artifact = Compile(engine, profile, kind, wasm);
        using var module = new ModuleLoader(engine, profile).Load(artifact);
        using var store = new Store(engine);
        if (profile.Interruption == CpuInterruption.Fuel) store.Fuel = ulong.MaxValue / 2;
        if (profile.Interruption == CpuInterruption.Epoch) store.SetEpochDeadline(1_000_000);
        var instance = new Instance(store, module, []);
        var result = new Dictionary<string, KernelTiming>(StringComparer.Ordinal);
        // The native harness times with thread CPU time; a wall-clock fallback would not be comparable.
        if (!ThreadCpuTime.IsAvailable) throw new InvalidOperationException("thread CPU time (CLOCK_THREAD_CPUTIME_ID) is not available here");
        foreach (var kernel in kernels)
        {
            var f = instance.GetFunction<int, int>(kernel.Export)
                ?? throw new InvalidOperationException($"kernels.wasm has no export '{kernel.Export}' of type (i32) -> i32");
            var iterations = Math.Max(1, kernel.Iterations / divisor);
            var best = double.MaxValue;
            var sum = 0;
            for (var r = 0; r < repeats; r++)
            {
                var start = ThreadCpuTime.Current().TotalSeconds;
                sum = f((int)iterations);
                best = Math.Min(best, (ThreadCpuTime.Current().TotalSeconds - start) * kernel.Iterations / iterations);
            }
            result[kernel.Export] = new KernelTiming(best, iterations, (uint)sum);
        }
        return result;
    }

    private static VerifiedArtifact Compile(Engine engine, EngineProfile profile, ArtifactKind kind, byte[] wasm)
    {
        using var compiled = Module.FromBytes(engine, "kernels", wasm);
        var cwasm = compiled.Serialize();
        var expectation = new ArtifactExpectation("kernels", kind, Convert.ToHexStringLower(SHA256.HashData(cwasm)), cwasm.Length, profile.DeviceClass, profile.Target);
        return VerifiedArtifact.Verify(cwasm, expectation);
    }
}
