using System.Text.Json;

namespace AtymSecure.Cli.Up;

/// <summary>How a watched deployment ended, as the demo tells it.</summary>
internal enum DeploymentEnd
{
    /// <summary>Every wave finished (a snapshot deployment completed; a continuous one stays running for devices that join).</summary>
    Completed,

    /// <summary>The halt rule tripped.</summary>
    Halted,

    /// <summary>Cancelled, ended or rolled back: an operator (or the rollback policy) stopped it.</summary>
    Stopped,

    /// <summary>The watcher's own bound passed first.</summary>
    GaveUp,
}

/// <summary>A watched deployment's end and its last view (<c>GET /api/v1/deployments/{id}</c>).</summary>
internal sealed record WatchedDeployment(DeploymentEnd End, JsonElement View);
