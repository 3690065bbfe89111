using AtymSecure.Policies.Keys;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Serving;
using AtymSecure.Primitives;
using AtymSecure.Registry.Hosting;
using AtymSecure.Registry.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AtymSecure.RegistryPolicy;

/// <summary>
/// Adds the trust-policy tag guard to a registry host (<c>atym registry serve --policies DIR</c>, tests). The folder is
/// read once, into the one <see cref="PolicySetSource"/> the host serves: a broken folder stops the start with every
/// problem instead of refusing pushes later, and the set that was checked is the set the guard decides with. Once the
/// host starts, the source watches the folder: a change on disk is picked up atomically, a broken change leaves the last
/// good set deciding, and every reload is logged (the digest served, or each problem with file:line:column and the digest
/// that keeps serving), as the OTA server does. The builder action serves one host: the source belongs to it (the host's
/// container disposes it, and its watcher), so a second use throws rather than share or fork the source.
/// </summary>
public static class RegistryPolicyGuard
{
    /// <summary>Builder changes for <see cref="RegistryServer.Build"/>; null when <see cref="RegistryOptions.PolicyDirectory"/> is not set.</summary>
    /// <exception cref="InvalidOptionsException">the policy folder has problems (each with file:line:column)</exception>
    public static Action<WebApplicationBuilder>? Configure(RegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PolicyDirectory is not { } folder) return null;
        var source = new PolicySetSource(folder);
        if (source.State.Serving is null)
        {
            var problems = source.State.LastFailure?.Problems ?? [];
            source.Dispose();
            throw new InvalidOptionsException($"registry policy ({folder})", problems);
        }
        // A source that once served a set never serves none again (a broken reload keeps the last good one).
        var guard = Configure(options, () => source.State.Serving!);
        var used = 0;
        return builder =>
        {
            ArgumentNullException.ThrowIfNull(builder);
            if (Interlocked.Exchange(ref used, 1) != 0)
                throw new InvalidOperationException($"the policy guard for {source.Folder} already serves a host: call RegistryPolicyGuard.Configure once per host");
            builder.Services.AddSingleton(sp =>
            {
                var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("AtymSecure.Registry.Policies");
                Log(log, source.Folder, source.State);
                source.Reloaded += state => Log(log, source.Folder, state);
                source.Watch();
                return source;
            });
            guard(builder);
            builder.Services.AddHostedService(sp => new SourceStarter(sp.GetRequiredService<PolicySetSource>()));
        };
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

    private static void Log(ILogger log, string folder, PolicyState state)
    {
        var (failed, lines) = state.LogLines(folder);
        foreach (var line in lines) log.Log(failed ? LogLevel.Error : LogLevel.Information, "{Line}", line);
    }

    /// <summary>Resolved when the host starts, so the source and its watcher run before the first push (the container
    /// disposes the source, and its watcher, with the host).</summary>
    private sealed class SourceStarter(PolicySetSource source) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(source.State);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
