using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// wasm2c (wabt 1.0.32, pinned) + clang + ld.lld: Wasm → C → one relocatable ELF object holding the module, the
/// patched wasm2c runtime and the firmware glue (see <see cref="Wasm2cRuntimeSources"/>). Always explicit bounds
/// checks (<c>WASM_RT_MEMCHECK_SIGNAL_HANDLER=0</c>). Deterministic: fixed file names, relative paths, no debug info.
/// </summary>
public sealed class Wasm2cCompiler : IAotCompiler
{
    /// <summary>Large modules (SQLite: 13 MB of C) take minutes per file.</summary>
    public static TimeSpan StepTimeout { get; } = TimeSpan.FromMinutes(30);

    private static readonly string[] CFiles = [Wasm2cRuntimeSources.ModuleName + ".c", "atym-glue.c", "wasm-rt-impl.c"];

    public AotBackEndKind BackEnd => AotBackEndKind.Wasm2c;

    public bool Supports(CompilationKey key)
    {
        if (key is not { BackEnd: AotBackEndKind.Wasm2c } || key.BackEndVersion != BackEndVersions.Wabt) return false;
        try
        {
            _ = Wasm2cTargets.BareMetalHeaders(key.Triple);
            return true;
        }
        catch (AotTargetNotSupportedException)
        {
            return false;
        }
    }

    public async Task<CompiledArtifact> CompileAsync(ReadOnlyMemory<byte> wasm, CompilationKey key, string? deviceClass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        AotCompilerGuards.RequireValidKey(key);
        AotCompilerGuards.RequireWasmHeader(wasm.Span);
        if (key.BackEnd != AotBackEndKind.Wasm2c || key.BackEndVersion != BackEndVersions.Wabt)
            throw new AotTargetNotSupportedException($"{nameof(Wasm2cCompiler)} builds wasm2c {BackEndVersions.Wabt} keys, not {key.BackEnd} {key.BackEndVersion}");
        if (!Wasm2cTargets.OptimizationLevels.Contains(key.Engine.OptimizationLevel))
            throw new AotCompilationException($"wasm2c key: optimisation level '{key.Engine.OptimizationLevel}' is not one of {string.Join(", ", Wasm2cTargets.OptimizationLevels)}");
        var bareMetal = Wasm2cTargets.BareMetalHeaders(key.Triple);

        var wasm2c = ToolLocator.Require("wasm2c", "wabt");
        var clang = ToolLocator.Require("clang", "clang");
        var lld = ToolLocator.Require("ld.lld", "lld");
        if (bareMetal is { } headers) ToolLocator.RequirePath(headers.IncludeDirectory, headers.Package);
        if (Wasm2cTargets.HostedCrossHeaders(key.Triple) is { } cross) ToolLocator.RequirePath(cross.Path, cross.Package);
        var tools = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["wasm2c"] = await ToolVersionProbe.RequireWasm2cVersionAsync(wasm2c, ct).ConfigureAwait(false),
            ["clang"] = await ToolVersionProbe.VersionLineAsync(clang, ct).ConfigureAwait(false),
            ["ld.lld"] = await ToolVersionProbe.VersionLineAsync(lld, ct).ConfigureAwait(false),
        };

        var dir = Directory.CreateTempSubdirectory("atym-aot-w2c-").FullName;
        try
        {
            var steps = new List<string>();
            await File.WriteAllBytesAsync(Path.Combine(dir, "module.wasm"), wasm.ToArray(), ct).ConfigureAwait(false);
            string[] translate = ["module.wasm", "-n", Wasm2cRuntimeSources.ModuleName, "-o", Wasm2cRuntimeSources.ModuleName + ".c"];
            await ToolRunner.RunCheckedAsync(wasm2c, translate, dir, StepTimeout, ct).ConfigureAwait(false);
            steps.Add("wasm2c " + string.Join(' ', translate));

            Wasm2cRuntimeSources.WriteRuntime(dir);
            Wasm2cRuntimeSources.WriteGlue(dir);
            if (bareMetal is not null) Wasm2cRuntimeSources.WriteMcuStub(dir);

            var flags = CompilerFlags(key, bareMetal?.IncludeDirectory);
            var compiles = CFiles.Select(file =>
            {
                string[] args = [.. flags, "-c", file, "-o", Path.ChangeExtension(file, ".o")];
                steps.Add("clang " + string.Join(' ', args));
                return ToolRunner.RunCheckedAsync(clang, args, dir, StepTimeout, ct);
            }).ToList();
            await Task.WhenAll(compiles).ConfigureAwait(false);

            string[] link = ["-r", .. CFiles.Select(f => Path.ChangeExtension(f, ".o")), "-o", "module.o"];
            await ToolRunner.RunCheckedAsync(lld, link, dir, StepTimeout, ct).ConfigureAwait(false);
            steps.Add("ld.lld " + string.Join(' ', link));

            var output = await File.ReadAllBytesAsync(Path.Combine(dir, "module.o"), ct).ConfigureAwait(false);
            var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in new[] { Wasm2cRuntimeSources.ModuleName + ".c", Wasm2cRuntimeSources.ModuleName + ".h", "atym-glue.c", "wasm-rt.h", "wasm-rt-impl.h", "wasm-rt-impl.c", "mcu-stub/sys/mman.h" })
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path)) inputs[name] = RecipeBuilder.FileDigest(path);
            }
            var recipe = RecipeBuilder.Create(wasm.Span, output, key, deviceClass, tools, inputs, steps);
            return new CompiledArtifact(output, recipe);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The clang flags for a key, in a fixed order.</summary>
    private static List<string> CompilerFlags(CompilationKey key, string? bareMetalIncludes)
    {
        var flags = new List<string> { "--target=" + key.Triple };
        flags.AddRange(key.CpuFeatures); // CPU selection flags keep the profile's order
        flags.Add("-" + key.Engine.OptimizationLevel);
        flags.AddRange(key.Engine.NativeCompilerFlags);
        flags.Add("-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0");
        flags.Add("-DWASM_RT_MAX_EXCEPTION_SIZE=" + key.Engine.ExceptionBufferBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        flags.Add("-I.");
        if (bareMetalIncludes is not null) flags.AddRange(["-isystem", "mcu-stub", "-isystem", bareMetalIncludes]);
        return flags;
    }
}
