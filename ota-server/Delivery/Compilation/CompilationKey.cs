using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Everything that determines the bytes an AoT back end produces, apart from the Wasm itself: two compilations
/// with equal keys and equal input must give identical output, and a device can only run an artifact whose key
/// matches its engine. Published outputs carry <see cref="Digest"/> (annotation <c>dev.atym.aot.key-digest</c>) and are
/// looked up by it (<see cref="CompiledArtifactPublisher.FindAsync"/>); the registry is the cache, and
/// <see cref="CompiledReferrerReuse"/> reuses an output from it only after verifying it.
/// </summary>
/// <param name="BackEnd">The back end.</param>
/// <param name="BackEndVersion">Exact version of the back end (Wasmtime <c>50.0.1</c>, wabt <c>1.0.32</c>).</param>
/// <param name="Triple">Target triple as the back end spells it; never <c>host</c>.</param>
/// <param name="CpuFeatures">CPU features assumed (sorted for a canonical key).</param>
/// <param name="Engine">Engine settings compiled into the code.</param>
public sealed record CompilationKey(
    AotBackEndKind BackEnd,
    string BackEndVersion,
    string Triple,
    IReadOnlyList<string> CpuFeatures,
    EngineSettings Engine)
{
    /// <summary>
    /// The key for a device class: Wasmtime classes from the engine profile devices load with
    /// (<see cref="WasmtimeKeys.From"/>), wasm2c classes from <see cref="Wasm2cTargets.ForDeviceClass"/>.
    /// </summary>
    public static CompilationKey ForDeviceClass(DeviceClass deviceClass)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        return deviceClass.BackEnd switch
        {
            AotBackEndKind.WasmtimeCranelift => WasmtimeKeys.From(Engines.EngineProfile.For(deviceClass)),
            AotBackEndKind.Wasm2c => Wasm2cTargets.ForDeviceClass(deviceClass),
            var other => throw new AotTargetNotSupportedException($"device class '{deviceClass.Name}': no compiler for back end {other}"),
        };
    }

    /// <summary>
    /// One line per field, fixed order, features sorted: the text hashed into <see cref="Digest"/>.
    /// Compiler flags keep their order (order matters to a compiler).
    /// </summary>
    [JsonIgnore]
    public string CanonicalText
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append("backend=").Append(BackEnd).Append('\n')
              .Append("version=").Append(BackEndVersion).Append('\n')
              .Append("triple=").Append(Triple).Append('\n')
              .Append("features=").AppendJoin(',', CpuFeatures.Order(StringComparer.Ordinal)).Append('\n')
              .Append("fuel=").Append(Engine.ConsumeFuel ? '1' : '0').Append('\n')
              .Append("epoch=").Append(Engine.EpochInterruption ? '1' : '0').Append('\n')
              .Append("bounds=").Append(Engine.BoundsChecks).Append('\n')
              .Append("opt=").Append(Engine.OptimizationLevel).Append('\n')
              .Append("cflags=").AppendJoin(' ', Engine.NativeCompilerFlags).Append('\n')
              .Append("exception-buffer=").Append(Engine.ExceptionBufferBytes.ToString(CultureInfo.InvariantCulture)).Append('\n');
            return sb.ToString();
        }
    }

    /// <summary>SHA-256 of <see cref="CanonicalText"/>, as <c>sha256:hex</c>.</summary>
    [JsonIgnore]
    public string Digest => Primitives.Digest.Compute(Encoding.UTF8.GetBytes(CanonicalText)).ToString();

    /// <summary>Reports every problem with this key at once (empty when valid), codes from <see cref="CompilationKeyProblemCodes"/>.</summary>
    public IReadOnlyList<Problem> Validate()
    {
        var problems = new List<Problem>();
        void Add(string code, string path, string message) => problems.Add(new Problem(code, path, message));
        if (string.IsNullOrWhiteSpace(BackEndVersion)) Add(CompilationKeyProblemCodes.Required, "key.backEndVersion", "empty");
        if (string.IsNullOrWhiteSpace(Triple)) Add(CompilationKeyProblemCodes.Required, "key.triple", "empty");
        else if (Triple is "host" || !Triple.Contains('-', StringComparison.Ordinal) && !Triple.StartsWith("pulley", StringComparison.Ordinal))
            Add(CompilationKeyProblemCodes.HostDependentTriple, "key.triple", $"'{Triple}' is not a full target triple (host-dependent targets bake in the build machine's CPU)");
        for (var i = 0; i < CpuFeatures.Count; i++)
            if (string.IsNullOrWhiteSpace(CpuFeatures[i]) || CpuFeatures[i].Any(char.IsWhiteSpace))
                Add(CompilationKeyProblemCodes.InvalidCpuFeature, $"key.cpuFeatures[{i}]", $"'{CpuFeatures[i]}' is empty or contains whitespace");
        if (Engine.ExceptionBufferBytes < 0) Add(CompilationKeyProblemCodes.OutOfRange, "key.engine.exceptionBufferBytes", "negative");
        if (BackEnd == AotBackEndKind.Wasm2c && Engine.ExceptionBufferBytes == 0)
            Add(CompilationKeyProblemCodes.OutOfRange, "key.engine.exceptionBufferBytes", "wasm2c needs a buffer of at least 1 byte");
        if (BackEnd == AotBackEndKind.Wasm2c && Engine.BoundsChecks != BoundsCheckMode.Explicit)
            Add(CompilationKeyProblemCodes.UnsupportedByBackEnd, "key.engine.boundsChecks", "wasm2c outputs must use explicit bounds checks (the signal-handler mode hangs hosting .NET processes)");
        if (BackEnd == AotBackEndKind.Wasm2c && (Engine.ConsumeFuel || Engine.EpochInterruption))
            Add(CompilationKeyProblemCodes.UnsupportedByBackEnd, "key.engine", "wasm2c 1.0.32 supports neither fuel nor epoch interruption");
        return problems;
    }

    public bool Equals(CompilationKey? other) => other is not null && CanonicalText == other.CanonicalText;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalText);
}
