using AtymSecure.Primitives;
using static AtymSecure.Formats.Container.ConfigProblemCodes;

namespace AtymSecure.Formats.Container;

/// <summary>
/// Applies a deployment's variable overrides to a container's defaults (docs/container-format.md#container-config):
/// a deployment may change the value of a declared variable but not invent new ones, so a typo in a deployment
/// is an error instead of a silently ignored setting.
/// </summary>
public static class VariableOverrides
{
    /// <summary>The effective variables; throws <see cref="ContainerConfigException"/> listing every bad override.</summary>
    public static IReadOnlyDictionary<string, string> Apply(ContainerConfig config, IReadOnlyDictionary<string, string>? overrides)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = new SortedDictionary<string, string>(config.Variables.ToDictionary(), StringComparer.Ordinal);
        if (overrides is null) return result;
        var errors = new List<Problem>();
        foreach (var (name, value) in overrides.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var path = ConfigPath.Field("$.variables", name);
            if (!config.Variables.ContainsKey(name))
                errors.Add(new Problem(UndeclaredVariable, path, $"container {config.Name} declares no variable '{name}' (declared: {string.Join(", ", config.Variables.Keys)})"));
            else if (value is null || value.Length > ContainerConfigValidator.MaxVariableValueLength)
                errors.Add(new Problem(TooLong, path, $"value must be a string of at most {ContainerConfigValidator.MaxVariableValueLength} characters"));
            else result[name] = value;
        }
        return errors.Count == 0 ? result : throw new ContainerConfigException(errors);
    }
}
