using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Outstanding auth challenges (trust model §8): 32 random bytes each, for one device, valid for the configured
/// lifetime (60 s), usable once — <see cref="TryTake"/> removes it whether or not the signature then verifies, so a
/// captured signature can never be replayed. In memory: a restart just makes devices ask again. Bounded: at most
/// <see cref="MaxPerDevice"/> open challenges per device (the oldest is dropped) and expired ones are swept as new ones come.
/// </summary>
public sealed class ChallengeBook(TimeProvider clock)
{
    public const int MaxPerDevice = 4;

    private readonly ConcurrentDictionary<string, (string DeviceId, DateTimeOffset Expires)> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _byDevice = new(StringComparer.Ordinal);

    public (byte[] Challenge, DateTimeOffset Expires) Issue(string deviceId, TimeSpan lifetime)
    {
        var now = clock.GetUtcNow();
        var challenge = RandomNumberGenerator.GetBytes(Formats.DeviceProtocol.ChallengeAnswer.ChallengeBytes);
        var key = Convert.ToBase64String(challenge);
        var expires = now + lifetime;
        _open[key] = (deviceId, expires);
        var queue = _byDevice.GetOrAdd(deviceId, _ => new ConcurrentQueue<string>());
        queue.Enqueue(key);
        while (queue.Count > MaxPerDevice && queue.TryDequeue(out var oldest)) _open.TryRemove(oldest, out _);
        Sweep(now);
        return (challenge, expires);
    }

    /// <summary>Removes the challenge and says whether it was open, for <paramref name="deviceId"/>, and unexpired.</summary>
    public bool TryTake(string deviceId, byte[] challenge)
    {
        if (!_open.TryRemove(Convert.ToBase64String(challenge), out var entry)) return false;
        return entry.DeviceId == deviceId && clock.GetUtcNow() < entry.Expires;
    }

    private void Sweep(DateTimeOffset now)
    {
        if (_open.Count < 1024) return;
        foreach (var (key, entry) in _open)
            if (entry.Expires <= now) _open.TryRemove(key, out _);
    }
}
