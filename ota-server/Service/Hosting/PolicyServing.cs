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
        var (failed, lines) = state.LogLines(folder);
        foreach (var line in lines) log.Log(failed ? LogLevel.Error : LogLevel.Information, "{Line}", line);
    }
}
