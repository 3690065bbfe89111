using System.Collections.Concurrent;
using System.Threading.Channels;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Live;

/// <summary>
/// Follows <see cref="RolloutService.Published"/>: keeps each deployment's totals over time for the rollout page's chart
/// (in memory, from this process's start or the deployment's first look; at most <see cref="MaxSamples"/> points, thinned
/// by half when full) and hands every change to the pages watching it (<see cref="Watch"/>, one channel per page; a page
/// that cannot keep up loses the oldest updates, never blocks the rollout).
/// </summary>
public sealed class RolloutHistory : IDisposable
{
    public const int MaxSamples = 2000;
    private const int WatcherBacklog = 64;

    private readonly RolloutService _rollouts;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, List<RolloutSample>> _samples = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<RolloutUpdate>, string> _watchers = new();

    public RolloutHistory(RolloutService rollouts, TimeProvider clock)
    {
        _rollouts = rollouts;
        _clock = clock;
        _rollouts.Published += OnPublished;
    }

    /// <summary>The deployment now (also its first sample when none was taken yet).</summary>
    public RolloutUpdate Current(DeploymentState state)
    {
        var update = RolloutUpdate.Of(state, _clock.GetUtcNow());
        var samples = _samples.GetOrAdd(state.Id, _ => []);
        lock (samples)
            if (samples.Count == 0) samples.Add(new RolloutSample(update.ChangedAt, update.Totals));
        return update;
    }

    public IReadOnlyList<RolloutSample> Samples(string deploymentId)
    {
        if (!_samples.TryGetValue(deploymentId, out var samples)) return [];
        lock (samples) return [.. samples];
    }

    /// <summary>The changes of <paramref name="deploymentId"/> from now on, until the watch is disposed.</summary>
    public RolloutWatch Watch(string deploymentId)
    {
        var channel = Channel.CreateBounded<RolloutUpdate>(new BoundedChannelOptions(WatcherBacklog) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _watchers[channel] = deploymentId;
        return new RolloutWatch(channel.Reader, () => _watchers.TryRemove(channel, out _));
    }

    private void OnPublished(DeploymentState state)
    {
        var update = RolloutUpdate.Of(state, _clock.GetUtcNow());
        var samples = _samples.GetOrAdd(state.Id, _ => []);
        lock (samples)
        {
            if (samples.Count >= MaxSamples)
            {
                var kept = samples.Where((_, i) => i % 2 == 0).ToList();
                samples.Clear();
                samples.AddRange(kept);
            }
            samples.Add(new RolloutSample(update.ChangedAt, update.Totals));
        }
        foreach (var (channel, id) in _watchers)
            if (id == state.Id) channel.Writer.TryWrite(update);
    }

    public void Dispose() => _rollouts.Published -= OnPublished;
}
