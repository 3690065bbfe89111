using System.Threading.Channels;

namespace AtymSecure.OtaDashboard.Live;

/// <summary>One page's subscription to a deployment's changes (<see cref="RolloutHistory.Watch"/>); disposing ends it.</summary>
public sealed class RolloutWatch(ChannelReader<RolloutUpdate> updates, Action stop) : IDisposable
{
    public ChannelReader<RolloutUpdate> Updates { get; } = updates;

    public void Dispose() => stop();
}
