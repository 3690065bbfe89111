using Wasmtime;

namespace AtymSecure.Engines;

/// <summary>
/// Builds a Wasmtime <see cref="Engine"/> from an <see cref="EngineProfile"/>: the one place engines are
/// configured, for the AoT compiler that serializes artifacts and for the device that loads them.
/// </summary>
public static class EngineFactory
{
    public static Engine Create(EngineProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        using var config = new Config()
            .WithOptimizationLevel(profile.OptimizationLevel)
            .WithFuelConsumption(profile.Interruption == CpuInterruption.Fuel)
            .WithEpochInterruption(profile.Interruption == CpuInterruption.Epoch)
            .WithMaximumStackSize(profile.MaxWasmStackBytes);
        try
        {
            if (profile.Target is not null) NativeConfig.SetTarget(config, profile.Target);
            foreach (var feature in profile.CpuFeatures) NativeConfig.EnableCraneliftFlag(config, feature);
            foreach (var (key, value) in profile.CraneliftSettings) NativeConfig.SetCraneliftFlag(config, key, value);
            return new Engine(config);
        }
        catch (WasmtimeException e)
        {
            throw new EngineConfigurationException($"engine profile ({profile.Description}) refused by Wasmtime: {e.Message}", e);
        }
    }
}
