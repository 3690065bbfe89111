using AtymSecure.Delivery.Compilation;

namespace AtymSecure.Bench.Runtime;

/// <summary>
/// Builds timing-harness executables from kernels.wasm through wasm2c (Debian wabt 1.0.32). Explicit bounds
/// checks go through the project's own <see cref="Wasm2cCompiler"/> (what the OTA server ships: one relocatable
/// object with module, patched runtime and glue); guard-page (signal-handler) bounds checks, which the project's
/// keys refuse because the handler hangs .NET hosts, are built here the same way with the stock runtime.
/// Either object is linked with kernels/native_main.c (the native timer) and kernels/wasm2c_shim.c.
/// </summary>
internal sealed class Wasm2cBuilds(string kernelsDirectory, string workDirectory)
{
    /// <summary>Where Debian's wabt installs the runtime sources (the directory ota-server's Wasm2cRuntimeSources reads).</summary>
    private const string RuntimeDirectory = "/usr/src/wasm2c";

    /// <summary>wasm2c + clang through <see cref="Wasm2cCompiler"/> with <paramref name="key"/> (explicit bounds checks).</summary>
    public async Task<string> ViaProjectCompilerAsync(byte[] wasm, CompilationKey key, string name)
    {
        var problems = key.Validate();
        if (problems.Count > 0) throw new InvalidOperationException($"wasm2c key for '{name}' is invalid: {string.Join("; ", problems)}");
        var artifact = await new Wasm2cCompiler().CompileAsync(wasm, key, deviceClass: null, CancellationToken.None);
        var dir = Directory.CreateDirectory(Path.Combine(workDirectory, name)).FullName;
        var obj = Path.Combine(dir, "module.o");
        await File.WriteAllBytesAsync(obj, artifact.Bytes.ToArray());
        return Link(dir, obj);
    }

    /// <summary>wasm2c + clang -O2 <paramref name="march"/> with <c>WASM_RT_MEMCHECK_SIGNAL_HANDLER=1</c> (4 GiB reservation + guard pages).</summary>
    public string GuardPages(string wasmPath, string march, string name)
    {
        var dir = Directory.CreateDirectory(Path.Combine(workDirectory, name)).FullName;
        foreach (var file in new[] { "wasm-rt.h", "wasm-rt-impl.h", "wasm-rt-impl.c" })
        {
            var source = Path.Combine(RuntimeDirectory, file);
            if (!File.Exists(source)) throw new InvalidOperationException($"{source} is missing: apt-get install wabt");
            File.Copy(source, Path.Combine(dir, file));
        }
        Tools.Run("wasm2c", wasmPath, "-n", "atym", "-o", Path.Combine(dir, "atym.c"));
        var objects = new List<string>();
        foreach (var source in new[] { Path.Combine(dir, "atym.c"), Path.Combine(dir, "wasm-rt-impl.c"), Path.Combine(kernelsDirectory, "wasm2c_guard_glue.c") })
        {
            var obj = Path.Combine(dir, Path.GetFileNameWithoutExtension(source) + ".o");
            Tools.Run("clang", march, "-O2", "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1", "-I", dir, "-c", source, "-o", obj);
            objects.Add(obj);
        }
        return Link(dir, [.. objects]);
    }

    /// <summary>
    /// Whether wasm2c can translate a Wasm SIMD module: null when it can, else why not (Debian's wabt 1.0.32 aborts on
    /// the SIMD kernels, and compiling its SIMD output would also need the simde headers), so the run can say so.
    /// </summary>
    public string? SimdTranslationProblem(string simdWasmPath)
    {
        var dir = Directory.CreateDirectory(Path.Combine(workDirectory, "w2c-simd")).FullName;
        try
        {
            Tools.Run("wasm2c", simdWasmPath, "-n", "atym", "-o", Path.Combine(dir, "atym.c"));
            return null;
        }
        catch (InvalidOperationException e)
        {
            var firstLine = e.Message.Split('\n')[0].Trim();
            var exit = firstLine.LastIndexOf(" failed (", StringComparison.Ordinal);
            return "wasm2c on the Wasm SIMD build" + (exit >= 0 ? firstLine[exit..].TrimEnd(':') : ": " + firstLine)
                + (firstLine.Contains("failed (134)", StringComparison.Ordinal) ? ", i.e. it aborted (SIGABRT)" : "");
        }
    }

    private string Link(string dir, params string[] objects)
    {
        var exe = Path.Combine(dir, "harness");
        Tools.Run("gcc", ["-O2", "-o", exe, Path.Combine(kernelsDirectory, "native_main.c"), Path.Combine(kernelsDirectory, "wasm2c_shim.c"), .. objects, "-lm"]);
        return exe;
    }
}
