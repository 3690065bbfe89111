namespace AtymSecure.Delivery.Compilation;

/// <summary>Stable codes of the problems <see cref="CompilationKey.Validate"/> reports; the path names the key field.</summary>
public static class CompilationKeyProblemCodes
{
    public const string Required = "required";

    /// <summary>A triple such as <c>host</c> or a bare architecture: the output would depend on the build machine.</summary>
    public const string HostDependentTriple = "host-dependent-triple";

    public const string InvalidCpuFeature = "invalid-cpu-feature";

    public const string OutOfRange = "out-of-range";

    /// <summary>A setting the back end cannot honour (wasm2c: bounds-check mode, fuel, epochs).</summary>
    public const string UnsupportedByBackEnd = "unsupported-by-back-end";
}
