namespace AtymSecure.Runtime.Permissions;

/// <summary>MQTT-style topic filters: '/'-separated levels, '+' matches one level, a final '#' the rest.</summary>
public static class TopicFilter
{
    /// <summary>True when <paramref name="topic"/> (no wildcards) matches <paramref name="filter"/>.</summary>
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);
        var f = filter.Split('/');
        var t = topic.Split('/');
        for (var i = 0; i < f.Length; i++)
        {
            if (f[i] == "#") return true;
            if (i >= t.Length) return false;
            if (f[i] != "+" && !string.Equals(f[i], t[i], StringComparison.Ordinal)) return false;
        }
        return f.Length == t.Length;
    }

    /// <summary>True when every topic matched by <paramref name="requested"/> is matched by <paramref name="granted"/>.</summary>
    public static bool Covers(string granted, string requested)
    {
        ArgumentNullException.ThrowIfNull(granted);
        ArgumentNullException.ThrowIfNull(requested);
        var g = granted.Split('/');
        var r = requested.Split('/');
        for (var i = 0; i < g.Length; i++)
        {
            if (g[i] == "#") return true;
            if (i >= r.Length || r[i] == "#") return false;
            if (g[i] == "+") continue;
            if (r[i] == "+" || !string.Equals(g[i], r[i], StringComparison.Ordinal)) return false;
        }
        return g.Length == r.Length;
    }
}
