using AtymSecure.Policies.Model;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Serving;

/// <summary>A reload that did not produce a set: when it ran and every problem it found (each with file:line:column).</summary>
public sealed record PolicyReloadFailure(DateTimeOffset At, EquatableList<Problem> Problems);

/// <summary>
/// What a <see cref="PolicySetSource"/> serves, as one immutable snapshot readers take by reference: the last good set
/// (null when none ever loaded), since when, and the failure of the latest reload when it failed (cleared by the next
/// good one). <see cref="Generation"/> counts reload attempts, so a reader can tell a new snapshot from an old one.
/// </summary>
public sealed record PolicyState(PolicySet? Serving, DateTimeOffset? ServingSince, PolicyReloadFailure? LastFailure, long Generation)
{
    /// <summary>A good set serves.</summary>
    public bool IsReady => Serving is not null;

    /// <summary>A good set serves, but the latest reload failed: the files on disk are not what is enforced.</summary>
    public bool IsDegraded => Serving is not null && LastFailure is not null;

    /// <summary><c>ready</c>, <c>degraded</c> or <c>unavailable</c> (no good set was ever loaded).</summary>
    public string Status => Serving is null ? "unavailable" : LastFailure is null ? "ready" : "degraded";

    /// <summary>
    /// What a log says of this state after a reload of <paramref name="folder"/>, for every host that serves policies:
    /// the headline (the digest served, or the refusal and what keeps serving) and, for a refused set, each problem
    /// with file:line:column. <paramref name="Failed"/> tells the host to log at error level.
    /// </summary>
    public (bool Failed, IReadOnlyList<string> Lines) LogLines(string folder)
    {
        if (LastFailure is not { } failure) return (false, [$"policy set {Serving!.Digest} serving from {folder}"]);
        var serving = Serving is { } set ? $"still serving {set.Digest}" : "no policy set serves: everything the policies govern is refused";
        return (true, [$"policy set in {folder} refused ({failure.Problems.Count} problems); {serving}", .. failure.Problems.Select(p => p.ToString())]);
    }
}
