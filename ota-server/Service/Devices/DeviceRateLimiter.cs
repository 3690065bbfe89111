using System.Collections.Concurrent;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Per-device request budget: a fixed window of <c>limit</c> requests per <c>window</c>; above it the caller answers 429
/// with <c>Retry-After</c> = the seconds until the window ends. Only known devices are counted (ids are looked up
/// first), so random ids cannot grow the table.
/// </summary>
public sealed class DeviceRateLimiter(TimeProvider clock, int limit, TimeSpan window)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Null when admitted; otherwise the seconds to wait (at least 1).</summary>
    public int? TryAdmit(string deviceId)
    {
        var now = clock.GetUtcNow();
        var slot = _windows.GetOrAdd(deviceId, _ => new Window(now));
        lock (slot)
        {
            if (now >= slot.Start + window)
            {
                slot.Start = now;
                slot.Count = 0;
            }
            if (slot.Count < limit)
            {
                slot.Count++;
                return null;
            }
            return Math.Max(1, (int)Math.Ceiling((slot.Start + window - now).TotalSeconds));
        }
    }

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Count { get; set; }
    }
}
