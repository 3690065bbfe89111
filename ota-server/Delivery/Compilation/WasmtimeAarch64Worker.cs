using System.Globalization;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// The aarch64 side of Wasmtime: the C worker (native/wasmtime-aot-worker.c) cross-built with
/// aarch64-linux-gnu-gcc, run under qemu-aarch64 with the linux-arm64 libwasmtime.so from the NuGet package.
/// The worker binary is built once and cached by the digest of its source and compiler version.
/// </summary>
public sealed class WasmtimeAarch64Worker
{
    private static readonly SemaphoreSlim BuildLock = new(1, 1);

    /// <summary>Debian's aarch64 glibc, used as qemu's ELF interpreter prefix.</summary>
    public const string Sysroot = "/usr/aarch64-linux-gnu";

    private WasmtimeAarch64Worker(string qemu, string workerPath, string workerDigest, string library, IReadOnlyDictionary<string, string> tools)
    {
        Qemu = qemu;
        WorkerPath = workerPath;
        WorkerDigest = workerDigest;
        LibraryPath = library;
        Tools = tools;
    }

    public string Qemu { get; }

    public string WorkerPath { get; }

    public string WorkerDigest { get; }

    public string LibraryPath { get; }

    /// <summary>Tool name → version line, for recipes.</summary>
    public IReadOnlyDictionary<string, string> Tools { get; }

    /// <summary>Finds the tools, builds (or reuses) the worker. Throws <see cref="AotToolMissingException"/> naming the package.</summary>
    public static async Task<WasmtimeAarch64Worker> PrepareAsync(CancellationToken ct)
    {
        var gcc = ToolLocator.Require("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu");
        var qemu = ToolLocator.Require("qemu-aarch64", "qemu-user");
        ToolLocator.RequirePath(Path.Combine(Sysroot, "lib", "ld-linux-aarch64.so.1"), "libc6-arm64-cross");
        var library = WasmtimeNativeLibraries.Find("linux-arm64");
        var gccVersion = await ToolVersionProbe.VersionLineAsync(gcc, ct).ConfigureAwait(false);
        var qemuVersion = await ToolVersionProbe.VersionLineAsync(qemu, ct).ConfigureAwait(false);
        var source = EmbeddedNativeSources.Read(EmbeddedNativeSources.WasmtimeWorker);
        var cacheKey = RecipeBuilder.BytesDigest([.. source, .. System.Text.Encoding.UTF8.GetBytes(gccVersion)])[7..23];
        var dir = Path.Combine(CacheRoot(), "aot-worker", cacheKey);
        var worker = Path.Combine(dir, "wasmtime-aot-worker-aarch64");

        await BuildLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!File.Exists(worker))
            {
                Directory.CreateDirectory(dir);
                var src = Path.Combine(dir, EmbeddedNativeSources.WasmtimeWorker);
                await AtomicFile.WriteAsync(src, source, cancellationToken: ct).ConfigureAwait(false);
                // gcc writes the worker under a name no other process can predict; it becomes visible complete or not at all.
                var tmp = AtomicFile.TemporaryPathFor(worker);
                try
                {
                    await ToolRunner.RunCheckedAsync(gcc, ["-O2", "-Wall", "-o", tmp, EmbeddedNativeSources.WasmtimeWorker, "-ldl"],
                        dir, TimeSpan.FromMinutes(2), ct).ConfigureAwait(false);
                    AtomicFile.MoveIntoPlace(tmp, worker, AtomicWriteMode.Overwrite);
                }
                finally
                {
                    File.Delete(tmp);
                }
            }
        }
        finally
        {
            BuildLock.Release();
        }

        var tools = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["wasmtime"] = $"{BackEndVersions.Wasmtime} (NuGet Wasmtime, linux-arm64 library under qemu-aarch64)",
            ["qemu-aarch64"] = qemuVersion,
            ["aarch64-linux-gnu-gcc"] = gccVersion,
        };
        return new WasmtimeAarch64Worker(qemu, worker, RecipeBuilder.FileDigest(worker), library, tools);
    }

    /// <summary>Runs the worker under qemu-aarch64 with the given worker arguments (after the library path).</summary>
    public async Task<ToolResult> RunAsync(IReadOnlyList<string> workerArguments, string workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        string[] args = ["-L", Sysroot, WorkerPath, LibraryPath, .. workerArguments];
        var r = await ToolRunner.RunAsync(Qemu, args, workingDirectory, timeout, null, ct).ConfigureAwait(false);
        if (r.TimedOut)
            throw new AotCompilationException($"qemu-aarch64 worker did not finish within {timeout.TotalSeconds:0} s and was killed");
        if (r.ExitCode != 0)
            throw new AotCompilationException($"aarch64 Wasmtime worker failed (exit {r.ExitCode}): {r.StandardError.Trim()}");
        return r;
    }

    /// <summary>
    /// Loads an aarch64 artifact in an engine built from <paramref name="key"/> under qemu-aarch64 and calls an
    /// <c>(i32) -> i32</c> export: the proof that the code runs on its ISA.
    /// </summary>
    public async Task<int> RunExportAsync(ReadOnlyMemory<byte> cwasm, CompilationKey key, string export, int argument, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        var dir = Directory.CreateTempSubdirectory("atym-aot-run-");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "module.cwasm"), cwasm.ToArray(), ct).ConfigureAwait(false);
            var r = await RunAsync(
                ["run", key.Triple, "module.cwasm", export, argument.ToString(CultureInfo.InvariantCulture), .. WasmtimeKeys.WorkerOptions(WasmtimeKeys.ToProfile(key, null))],
                dir.FullName, timeout, ct).ConfigureAwait(false);
            return int.TryParse(r.StandardOutput.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new AotCompilationException($"aarch64 run printed '{r.StandardOutput.Trim()}', not an i32");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "atym");
    }
}
