using AtymSecure.OtaReleases.Policy;
using AtymSecure.OtaStore;
using AtymSecure.Policies.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaServer.Hosting;

/// <summary>
/// <c>--policies DIR</c>: the folder's <see cref="PolicySetSource"/> (watched, so a change on disk is picked up), the
/// <see cref="OtaPolicyGate"/> the releases and rollouts libraries enforce through, and the log of every reload: the
/// digest served, or every problem of a broken set with file:line:column and the digest that keeps serving. The source
/// runs on the system clock even under a test's fake one: its debounce must pass in real time for file events.
/// </summary>
internal static class PolicyServing
{
    public static void Add(IServiceCollection services, string folder)
    {
        services.AddSingleton(sp =>
        {
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("AtymSecure.OtaServer.Policies");
            var source = new PolicySetSource(folder);
            Log(log, source.Folder, source.State);
            source.Reloaded += state => Log(log, source.Folder, state);
            source.Watch();
            return source;
        });
        services.AddSingleton(sp => new OtaPolicyGate(sp.GetRequiredService<PolicySetSource>(), sp.GetRequiredService<IAuditLog>(), sp.GetRequiredService<TimeProvider>()));
    }

    private static void Log(ILogger log, string folder, PolicyState state)
    {
        if (state.LastFailure is not { } failure)
        {
            log.LogInformation("policy set {Digest} serving from {Folder}", state.Serving!.Digest, folder);
            return;
        }
        log.LogError("policy set in {Folder} refused ({Count} problems); {Serving}", folder, failure.Problems.Count,
            state.Serving is { } serving ? $"still serving {serving.Digest}" : "no policy set serves: everything the policies govern is refused");
        foreach (var problem in failure.Problems) log.LogError("{Problem}", problem.ToString());
    }
}
