// Runtime bench (issue 6, section 5). One run prints: kernel speed native vs AoT x86_64 (several engine
// settings) vs pulley64 as ratios to native, container start time from AoT and plain Wasm, and memory per
// container. Usage: dotnet run --project bench/runtime [-- --quick]
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AtymSecure.Bench.Runtime;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Engines;
using Wasmtime;

var quick = args.Contains("--quick");
var repo = FindRepo();
var work = Directory.CreateTempSubdirectory("atym-bench-runtime").FullName;
var kernels = Path.Combine(repo, "bench", "runtime", "kernels");
var native = Path.Combine(work, "native");
var wasmPath = Path.Combine(work, "kernels.wasm");
Tools.Run("gcc", "-O2", "-o", native, Path.Combine(kernels, "kernels.c"), Path.Combine(kernels, "native_main.c"));
Tools.Run("clang", "--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-o", wasmPath, Path.Combine(kernels, "kernels.c"));
var wasm = File.ReadAllBytes(wasmPath);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; wasmtime {EngineProfile.WasmtimeVersion}");

var work1 = new (string Name, uint N)[] { ("sha_bench", quick ? 10_000u : 40_000u), ("mat_bench", quick ? 200u : 1_000u), ("crc_bench", quick ? 400u : 2_000u) };
const int Repeats = 3;

var nativeSeconds = new Dictionary<string, (double Seconds, string Sum)>();
foreach (var (name, n) in work1)
{
    var parts = Tools.Run(native, name, n.ToString(CultureInfo.InvariantCulture), Repeats.ToString(CultureInfo.InvariantCulture)).Trim().Split(' ');
    nativeSeconds[name] = (double.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]);
}

var linuxX86 = EngineProfile.For(DeviceClassTable.LinuxX86_64);
string[] v3 = ["has_sse3", "has_ssse3", "has_sse41", "has_sse42", "has_popcnt", "has_avx", "has_avx2", "has_bmi1", "has_bmi2", "has_lzcnt", "has_fma"];
var noSpectre = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["enable_heap_access_spectre_mitigation"] = "false" };
var variants = new List<(string Label, EngineProfile Profile, ArtifactKind Kind, uint Divisor)>
{
    ("AoT x86_64 class profile (x86-64-v2, epoch)", linuxX86, ArtifactKind.WasmtimeNative, 1),
    ("AoT x86_64 + avx2/bmi/lzcnt/fma (x86-64-v3)", linuxX86 with { CpuFeatures = v3 }, ArtifactKind.WasmtimeNative, 1),
    ("AoT x86_64 v3, no epoch (no interruption)", linuxX86 with { CpuFeatures = v3, Interruption = CpuInterruption.None }, ArtifactKind.WasmtimeNative, 1),
    ("AoT x86_64 v3 + no heap spectre mitigation", linuxX86 with { CpuFeatures = v3, CraneliftSettings = noSpectre }, ArtifactKind.WasmtimeNative, 1),
    ("AoT x86_64 v3, fuel instead of epoch", linuxX86 with { CpuFeatures = v3, Interruption = CpuInterruption.Fuel }, ArtifactKind.WasmtimeNative, 1),
    ("pulley64 (portable, interpreted; run at 1/10)", EngineProfile.For(DeviceClassTable.PortablePulley64), ArtifactKind.WasmtimePulley, 10),
};

Console.WriteLine();
Console.WriteLine($"Compute kernels, best of {Repeats}; ratio = engine time / gcc -O2 time (lower is better, goal AoT <= 1.11 i.e. >= 0.9x speed)");
Console.WriteLine($"{"engine",-48} {"sha256",16} {"matmul",16} {"crc32",16}");
Console.WriteLine($"{"gcc -O2 native",-48} {Cell(nativeSeconds["sha_bench"].Seconds, 1)} {Cell(nativeSeconds["mat_bench"].Seconds, 1)} {Cell(nativeSeconds["crc_bench"].Seconds, 1)}");
foreach (var (label, profile, kind, divisor) in variants)
{
    try
    {
        using var engine = CreateEngine(profile);
        var artifact = Compile(engine, profile, kind, wasm);
        using var module = new ModuleLoader(engine, profile).Load(artifact);
        using var store = new Store(engine);
        if (profile.Interruption == CpuInterruption.Fuel) store.Fuel = ulong.MaxValue / 2;
        if (profile.Interruption == CpuInterruption.Epoch) store.SetEpochDeadline(1_000_000);
        var instance = new Instance(store, module, []);
        var cells = new List<string>();
        foreach (var (name, n) in work1)
        {
            var f = instance.GetFunction<int, int>(name)!;
            var iterations = n / divisor;
            double best = double.MaxValue;
            var sum = 0;
            for (var r = 0; r < Repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                sum = f((int)iterations);
                best = Math.Min(best, sw.Elapsed.TotalSeconds * divisor);
            }
            var expected = nativeSeconds[name].Sum;
            var ok = divisor != 1 || string.Equals(((uint)sum).ToString("x8", CultureInfo.InvariantCulture), expected, StringComparison.Ordinal);
            cells.Add(Cell(best, best / nativeSeconds[name].Seconds) + (ok ? "" : "!"));
        }
        Console.WriteLine($"{label,-48} {string.Join(' ', cells)}");
    }
    catch (Exception e)
    {
        Console.WriteLine($"{label,-48} failed: {e.Message.Split('\n')[0]}");
    }
}
Console.WriteLine("  (a '!' marks a checksum different from native; pulley rows cannot be compared since they run fewer iterations)");

StartAndMemory.Run(repo, linuxX86, quick);
Directory.Delete(work, recursive: true);
return 0;

static string Cell(double seconds, double ratio) => $"{seconds * 1000,8:F1} ms {ratio,5:F2}x";

static Engine CreateEngine(EngineProfile p) => EngineFactory.Create(p);

static VerifiedArtifact Compile(Engine engine, EngineProfile profile, ArtifactKind kind, byte[] wasm)
{
    using var compiled = Module.FromBytes(engine, "kernels", wasm);
    var cwasm = compiled.Serialize();
    var expectation = new ArtifactExpectation("kernels", kind, Convert.ToHexStringLower(SHA256.HashData(cwasm)), cwasm.Length, profile.DeviceClass, profile.Target);
    return VerifiedArtifact.Verify(cwasm, expectation);
}

static string FindRepo()
{
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "AtymSecure.sln"))) return d.FullName;
    throw new InvalidOperationException("run the bench from inside the repository (AtymSecure.sln not found above the working directory)");
}
