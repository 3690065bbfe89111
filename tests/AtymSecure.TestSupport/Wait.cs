namespace AtymSecure.TestSupport;

/// <summary>Waiting for an observable condition instead of a fixed sleep.</summary>
public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> (real time, generous bound; not a timing assertion).</summary>
    public static void Until(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            Thread.Sleep(5);
        }
    }
}
