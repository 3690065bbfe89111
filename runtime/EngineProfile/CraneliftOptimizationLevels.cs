using System.Diagnostics.CodeAnalysis;
using Wasmtime;

namespace AtymSecure.Engines;

/// <summary>Cranelift's names for <see cref="OptimizationLevel"/> (<c>opt_level</c>), as compilation keys and the aarch64 worker spell them.</summary>
public static class CraneliftOptimizationLevels
{
    public static string Name(OptimizationLevel level) => level switch
    {
        OptimizationLevel.None => "none",
        OptimizationLevel.Speed => "speed",
        OptimizationLevel.SpeedAndSize => "speed_and_size",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "unknown Cranelift optimisation level"),
    };

    public static bool TryParse(string? name, [NotNullWhen(true)] out OptimizationLevel? level)
    {
        level = name switch
        {
            "none" => OptimizationLevel.None,
            "speed" => OptimizationLevel.Speed,
            "speed_and_size" => OptimizationLevel.SpeedAndSize,
            _ => null,
        };
        return level is not null;
    }
}
