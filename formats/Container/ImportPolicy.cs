using AtymSecure.Formats.Wasm;

namespace AtymSecure.Formats.Container;

/// <summary>One import a container may not have, with the reason in words a developer can act on.</summary>
public sealed record ImportViolation(WasmImport Import, string Message, string? MissingPermission)
{
    public override string ToString() => Message;
}

/// <summary>
/// Checks a module's imports against <see cref="DeviceApi"/> and a container's permissions
/// (docs/device-api.md#import-rules): every import must be a listed host function with the listed signature
/// whose required capability the container holds. The only non-function import allowed is none: memories,
/// tables and globals are module-defined.
/// </summary>
public static class ImportPolicy
{
    public static IReadOnlyList<ImportViolation> Check(WasmModule module, IReadOnlyList<Capability> permissions)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(permissions);
        var violations = new List<ImportViolation>();
        foreach (var import in module.Imports)
        {
            if (import.Kind != WasmExternalKind.Function)
            {
                violations.Add(new(import, $"import {import.Module}.{import.Name}: {import.Kind.ToString().ToLowerInvariant()} imports are not provided by the device (only functions of the device API)", null));
                continue;
            }
            var host = DeviceApi.Find(import.Module, import.Name);
            if (host is null)
            {
                violations.Add(new(import, $"import {import.Module}.{import.Name} is not part of the device API (see docs/device-api.md)", null));
                continue;
            }
            if (import.FunctionType is { } sig && !sig.Matches(host.Signature.Parameters, host.Signature.Results))
            {
                violations.Add(new(import, $"import {host.QualifiedName} has signature {sig}, the device API defines {host.Signature}", null));
                continue;
            }
            if (host.Requires is { } kind && !permissions.Any(p => p.Kind == kind))
            {
                var needed = host.RequirementText!;
                violations.Add(new(import, $"import {host.QualifiedName} requires permission '{needed}', which the container's permissions do not grant", needed));
            }
        }
        return violations;
    }

    /// <summary>The argument-free capabilities a module's imports need (used to derive defaults for foreign images).</summary>
    public static IReadOnlyList<Capability> RequiredSimpleCapabilities(WasmModule module) =>
        [.. module.FunctionImports
            .Select(i => DeviceApi.Find(i.Module, i.Name)?.Requires)
            .OfType<CapabilityKind>()
            .Where(k => !Capability.TakesArgument(k))
            .Distinct()
            .Order()
            .Select(k => new Capability(k, null))];
}
