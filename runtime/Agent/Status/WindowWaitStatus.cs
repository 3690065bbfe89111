namespace AtymSecure.DeviceAgent.Status;

/// <summary>
/// A bundle held for its install window: container, version, and when the next interval of its signed window opens
/// (null: none lies ahead; the device waits for fresher metadata). <c>atym device status</c> prints it as "waiting for
/// install window until T".
/// </summary>
public sealed record WindowWaitStatus(string Container, string Version, DateTimeOffset? OpensAt)
{
    public override string ToString() =>
        $"{Container} {Version} downloaded, waiting for install window " + (OpensAt is { } at ? $"until {at:u}" : "(none ahead; waiting for fresh metadata)");
}
