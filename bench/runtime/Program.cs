// Runtime bench (issue 6, section 5). One run prints: kernel speed native (gcc -O2) vs Wasmtime AoT x86_64 (several
// engine settings, scalar and Wasm SIMD builds) vs wasm2c + clang (explicit and guard-page bounds checks) vs
// pulley64, as ratios to native; container start time from AoT and plain Wasm; memory per container.
// Every row's checksums must equal native's or the run stops; then process mode vs in-process (start, memory).
// Usage: dotnet run --project bench/runtime [-- --quick] [-- --isolation: only the process-mode cost]
using AtymSecure.Bench.Runtime;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Engines;

var quick = args.Contains("--quick");
if (args.Contains("--isolation"))
{
    // Only the process-mode cost (no compilers needed).
    IsolationCost.Run(quick);
    return 0;
}
var repo = FindRepo();
var work = Directory.CreateTempSubdirectory("atym-bench-runtime").FullName;
try
{
    await RunAsync(repo, work, quick);
    return 0;
}
catch (KernelMismatchException e)
{
    Console.Error.WriteLine($"ABORTED, wrong kernel result: {e.Message}");
    return 1;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"ABORTED: {e.Message}");
    return 1;
}
finally
{
    Directory.Delete(work, recursive: true);
}

static async Task RunAsync(string repo, string work, bool quick)
{
    var kernelsDir = Path.Combine(repo, "bench", "runtime", "kernels");
    var kernelsC = Path.Combine(kernelsDir, "kernels.c");
    var native = Path.Combine(work, "native");
    Tools.Run("gcc", "-O2", "-o", native, kernelsC, Path.Combine(kernelsDir, "native_main.c"));
    var nativeClang = Path.Combine(work, "native-clang");
    Tools.Run("clang", "-O2", "-o", nativeClang, kernelsC, Path.Combine(kernelsDir, "native_main.c"));
    var nativeV3 = Path.Combine(work, "native-v3");
    Tools.Run("gcc", "-O2", "-march=x86-64-v3", "-o", nativeV3, kernelsC, Path.Combine(kernelsDir, "native_main.c"));
    var scalarPath = BuildWasm(work, kernelsC, "kernels.wasm", "-O2");
    var simdPath = BuildWasm(work, kernelsC, "kernels-simd.wasm", "-O2", "-msimd128");
    var simdO3Path = BuildWasm(work, kernelsC, "kernels-simd-o3.wasm", "-O3", "-msimd128");
    var scalar = File.ReadAllBytes(scalarPath);
    var simd = File.ReadAllBytes(simdPath);
    var simdO3 = File.ReadAllBytes(simdO3Path);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; wasmtime {EngineProfile.WasmtimeVersion}; {Tools.Run("wasm2c", "--version").Trim()} (wasm2c); {FirstLine(Tools.Run("clang", "--version"))}; {FirstLine(Tools.Run("gcc", "--version"))}");

    var kernels = Kernel.All(quick);
    var repeats = quick ? 3 : 5;
    var reference = new NativeReference(native, kernels, repeats);
    var table = new RatioTable(reference, kernels);

    var linuxX86 = EngineProfile.For(DeviceClassTable.LinuxX86_64);
    string[] v3 = ["has_sse3", "has_ssse3", "has_sse41", "has_sse42", "has_popcnt", "has_avx", "has_avx2", "has_bmi1", "has_bmi2", "has_lzcnt", "has_fma"];
    var noSpectre = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["enable_heap_access_spectre_mitigation"] = "false" };

    Console.WriteLine();
    Console.WriteLine($"Compute kernels, best of {repeats}, thread CPU time; ratio = engine time / gcc -O2 time measured next to the row (lower is better; goal <= 1.11, i.e. >= 0.9x native speed, marked *)");
    table.PrintHeader();
    table.PrintNative();
    // Not an engine: the same source through LLVM natively, to separate "clang vectorises differently" from engine cost.
    table.Add("clang -O2 native (reference: LLVM, no engine)", RunHarness(nativeClang, kernels, repeats), reference: true);
    // Also not an engine: what native code gets from AVX2 (256-bit vectors; Wasm SIMD is 128-bit).
    table.Add("gcc -O2 -march=x86-64-v3 native (reference: AVX2)", RunHarness(nativeV3, kernels, repeats), reference: true);
    var wasmtimeRows = new List<(string Label, EngineProfile Profile, byte[] Wasm)>
    {
        ("AoT x86_64 class profile (x86-64-v2, epoch)", linuxX86, scalar),
        ("AoT x86_64 + avx2/bmi/lzcnt/fma (x86-64-v3)", linuxX86 with { CpuFeatures = v3 }, scalar),
        ("AoT x86_64 v3, no epoch (no interruption)", linuxX86 with { CpuFeatures = v3, Interruption = CpuInterruption.None }, scalar),
        ("AoT x86_64 v3 + no heap spectre mitigation", linuxX86 with { CpuFeatures = v3, CraneliftSettings = noSpectre }, scalar),
        ("AoT x86_64 v3, fuel instead of epoch", linuxX86 with { CpuFeatures = v3, Interruption = CpuInterruption.Fuel }, scalar),
        ("AoT class profile, Wasm SIMD (clang -O2 -msimd128)", linuxX86, simd),
        ("AoT v3, Wasm SIMD (clang -O2 -msimd128)", linuxX86 with { CpuFeatures = v3 }, simd),
    };
    if (!simdO3.AsSpan().SequenceEqual(simd)) wasmtimeRows.Add(("AoT class profile, Wasm SIMD (clang -O3 -msimd128)", linuxX86, simdO3));
    foreach (var (label, profile, wasm) in wasmtimeRows)
        table.Add(label, WasmtimeKernels.Run(profile, ArtifactKind.WasmtimeNative, wasm, kernels, repeats, divisor: 1));

    var wasm2c = new Wasm2cBuilds(kernelsDir, work);
    var w2cRows = new List<(string Label, string Harness)>
    {
        ("wasm2c+clang -O2 v2, explicit checks (Wasm2cCompiler)", await wasm2c.ViaProjectCompilerAsync(scalar, Wasm2cTargets.LinuxX86_64, "w2c-explicit-v2")),
        ("wasm2c+clang -O2 v3, explicit checks (Wasm2cCompiler)", await wasm2c.ViaProjectCompilerAsync(scalar, Wasm2cTargets.LinuxX86_64 with { CpuFeatures = ["-march=x86-64-v3"] }, "w2c-explicit-v3")),
        ("wasm2c+clang -O2 v2, guard pages (bench-only build)", wasm2c.GuardPages(scalarPath, "-march=x86-64-v2", "w2c-guard-v2")),
    };
    foreach (var (label, harness) in w2cRows)
        table.Add(label, RunHarness(harness, kernels, repeats));
    var simdProblem = wasm2c.SimdTranslationProblem(simdPath);
    Console.WriteLine(simdProblem is null
        ? "  (wasm2c translates the Wasm SIMD build, but it is not measured: its C needs the simde headers)"
        : $"  (no wasm2c + Wasm SIMD row: {simdProblem})");

    table.Add("pulley64 (portable, interpreted; run at 1/10)",
        WasmtimeKernels.Run(EngineProfile.For(DeviceClassTable.PortablePulley64), ArtifactKind.WasmtimePulley, scalar, kernels, repeats: 1, divisor: 10));
    Console.WriteLine("  (every row's checksums equal the gcc -O2 build's, else the run stops; pulley is checked against native at its 1/10 count)");
    if (simdO3.AsSpan().SequenceEqual(simd)) Console.WriteLine("  (clang -O3 -msimd128 gives byte-identical Wasm to -O2 -msimd128, so it has no row)");
    table.PrintSummary();

    StartAndMemory.Run(repo, linuxX86, quick);
    IsolationCost.Run(quick);
}

static string BuildWasm(string work, string source, string name, params string[] flags)
{
    var output = Path.Combine(work, name);
    Tools.Run("clang", ["--target=wasm32", .. flags, "-nostdlib", "-Wl,--no-entry", "-o", output, source]);
    return output;
}

static Dictionary<string, KernelTiming> RunHarness(string harness, IReadOnlyList<Kernel> kernels, int repeats) =>
    kernels.ToDictionary(k => k.Export, k => Harness.Run(harness, k.Export, k.Iterations, repeats), StringComparer.Ordinal);

static string FirstLine(string text) => text.Split('\n')[0].Trim();

static string FindRepo()
{
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "AtymSecure.sln"))) return d.FullName;
    throw new InvalidOperationException("run the bench from inside the repository (AtymSecure.sln not found above the working directory)");
}
