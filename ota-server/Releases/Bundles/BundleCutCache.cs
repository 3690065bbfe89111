using System.Collections.Concurrent;
using AtymSecure.Delivery.Bundles;
using AtymSecure.OtaReleases.Planning;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>Makes the bundle for a cut request (<see cref="ReleaseBundleCutter"/>; tests count through a fake).</summary>
public interface IBundleCutter
{
    Task<SignedBundle> CutAsync(BundleCutRequest request, CancellationToken ct);
}

/// <summary>
/// The bundle cache (issue 12 §4): a bundle is cut when first asked for its <see cref="BundleCutKey"/> and kept, so a
/// thousand devices on one version cost one cut. Single-flight: concurrent requests for one key wait for one cutter;
/// the cut runs on the cache's own lifetime, so a waiter that gives up does not cancel it for the others, and a failed
/// cut is forgotten so the next request tries again. Results live in the <see cref="IBundleStore"/> (found again
/// after a restart, and by other replicas on a shared store) and in memory.
/// </summary>
public sealed class BundleCutCache : IDisposable
{
    private readonly IBundleStore _files;
    private readonly IBundleCutter _cutter;
    private readonly ConcurrentDictionary<BundleCutKey, Lazy<Task<BundleLocation>>> _inFlight = new();
    private readonly ConcurrentDictionary<BundleCutKey, BundleLocation> _done = new();
    private readonly CancellationTokenSource _lifetime = new();

    public BundleCutCache(IBundleStore files, IBundleCutter cutter)
    {
        _files = files ?? throw new ArgumentNullException(nameof(files));
        _cutter = cutter ?? throw new ArgumentNullException(nameof(cutter));
    }

    public IBundleStore Files => _files;

    /// <summary>The bundle for <paramref name="request"/>: cached, or cut now (once, however many ask at the same time).</summary>
    public async Task<BundleLocation> GetOrCutAsync(BundleCutRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_done.TryGetValue(request.Key, out var known)) return known;
        var flight = _inFlight.GetOrAdd(request.Key, _ => new Lazy<Task<BundleLocation>>(() => Task.Run(() => CutOnceAsync(request), CancellationToken.None)));
        return await flight.Value.WaitAsync(ct).ConfigureAwait(false);
    }

    private async Task<BundleLocation> CutOnceAsync(BundleCutRequest request)
    {
        try
        {
            var ct = _lifetime.Token;
            var location = await _files.FindCutAsync(request.Key, ct).ConfigureAwait(false);
            if (location is null)
            {
                var bundle = await _cutter.CutAsync(request, ct).ConfigureAwait(false);
                if (bundle.Header.TargetDigest.ToString() != request.Key.TargetImageDigest)
                    throw new InvalidOperationException($"the cut for {request.Target.Id} on {request.Key.DeviceClass} yields image {bundle.Header.TargetDigest}, " +
                        $"not the {request.Key.TargetImageDigest} recorded at import (non-deterministic compile?)");
                location = await _files.StoreAsync(bundle, ct).ConfigureAwait(false);
                await _files.RecordCutAsync(request.Key, location, ct).ConfigureAwait(false);
            }
            _done[request.Key] = location;
            return location;
        }
        finally
        {
            _inFlight.TryRemove(request.Key, out _);
        }
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }
}
