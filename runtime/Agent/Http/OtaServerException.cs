namespace AtymSecure.DeviceAgent.Http;

/// <summary>
/// The OTA server answered a device request with an error status (or an unreadable body). The update loop treats every
/// kind alike — keep running, back off — honouring <see cref="RetryAfter"/> when the server gave one (429, 503).
/// </summary>
public sealed class OtaServerException : IOException
{
    public OtaServerException(string message, int? status = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        RetryAfter = retryAfter;
    }

    public OtaServerException() : this("OTA server error") { }

    public OtaServerException(string message) : this(message, null, null, null) { }

    public OtaServerException(string message, Exception inner) : this(message, null, null, inner) { }

    /// <summary>The HTTP status, or null when the body, not the status, was wrong.</summary>
    public int? Status { get; }

    public TimeSpan? RetryAfter { get; }
}
