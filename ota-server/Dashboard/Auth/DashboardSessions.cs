using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace AtymSecure.OtaDashboard.Auth;

/// <summary>
/// The dashboard's login sessions, in this process's memory: a random 256-bit id (the cookie) → the operator token the
/// login form took. The token is checked again on every request (<see cref="DashboardSession"/>), so revoking it or its
/// expiry ends the session; a restart ends every session (log in again). Only the id's SHA-256 is the key, so the map
/// never holds the cookie value. Bounded: past <see cref="MaxSessions"/> the oldest is dropped.
/// </summary>
public sealed class DashboardSessions(TimeProvider clock)
{
    public const int MaxSessions = 10_000;
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>A new session for <paramref name="tokenText"/>; returns the cookie value.</summary>
    public string Open(string tokenText)
    {
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
            foreach (var oldest in _sessions.OrderBy(s => s.Value.OpenedAt).Take(_sessions.Count - MaxSessions + 1)) _sessions.TryRemove(oldest.Key, out _);
        _sessions[Key(id)] = new Session(tokenText, now, now + Lifetime);
        return id;
    }

    /// <summary>The token of a live session, or null (unknown, expired).</summary>
    public string? TokenOf(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 64) return null;
        var key = Key(cookie);
        if (!_sessions.TryGetValue(key, out var session)) return null;
        if (session.ExpiresAt > clock.GetUtcNow()) return session.TokenText;
        _sessions.TryRemove(key, out _);
        return null;
    }

    public void Close(string? cookie)
    {
        if (!string.IsNullOrEmpty(cookie) && cookie.Length <= 64) _sessions.TryRemove(Key(cookie), out _);
    }

    private static string Key(string cookie) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(cookie)));

    private sealed record Session(string TokenText, DateTimeOffset OpenedAt, DateTimeOffset ExpiresAt);
}
