using AtymSecure.Policies.Keys;
using AtymSecure.Policies.Loading;
using AtymSecure.Policies.Model;
using AtymSecure.Primitives;
using AtymSecure.Registry.Hosting;
using AtymSecure.Registry.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AtymSecure.RegistryPolicy;

/// <summary>
/// Adds the trust-policy tag guard to a registry host (<c>atym registry serve --policies DIR</c>, tests): loads the
/// policy folder and its keys once, before the server starts, so a broken policy stops the start with every problem
/// instead of refusing pushes later.
/// </summary>
public static class RegistryPolicyGuard
{
    /// <summary>Builder changes for <see cref="RegistryServer.Build"/>; null when <see cref="RegistryOptions.PolicyDirectory"/> is not set.</summary>
    /// <exception cref="InvalidOptionsException">the policy folder has problems (each with file:line:column)</exception>
    public static Action<WebApplicationBuilder>? Configure(RegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PolicyDirectory is not { } folder) return null;
        var loaded = PolicySetLoader.LoadFolder(folder);
        if (loaded.Set is not { } set) throw new InvalidOptionsException($"registry policy ({folder})", loaded.Problems);
        return Configure(options, () => set);
    }

    /// <summary>The same with the policy set from <paramref name="policies"/> (a reloading source), asked on every tag move.</summary>
    public static Action<WebApplicationBuilder> Configure(RegistryOptions options, Func<PolicySet> policies)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policies);
        var keysFolder = options.PolicyKeysDirectory ?? (options.PolicyDirectory is { } p ? Path.Combine(p, "keys") : null);
        var keys = keysFolder is not null && (options.PolicyKeysDirectory is not null || Directory.Exists(keysFolder))
            ? PolicyKeyFolder.Load(keysFolder)
            : PolicyKeyFolder.Empty;
        var registryName = options.EffectiveRegistryName();
        return builder => builder.Services.AddSingleton<ITagMoveGuard>(sp =>
            new TrustPolicyTagGuard(policies, keys, registryName, sp.GetRequiredService<ILogger<TrustPolicyTagGuard>>()));
    }
}
