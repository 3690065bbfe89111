using AtymSecure.Runtime.Health;

namespace AtymSecure.Runtime.Tests.Support;

internal sealed class RecordingDecision : ITrialDecision
{
    public List<string> Calls { get; } = [];

    public void Confirm(string container)
    {
        lock (Calls) Calls.Add($"confirm {container}");
    }

    public void Reject(string container, string reason)
    {
        lock (Calls) Calls.Add($"reject {container}");
    }
}
