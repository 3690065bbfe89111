using AtymSecure.Formats.Container;

namespace AtymSecure.Runtime.Permissions;

/// <summary>
/// The capabilities the device's signed metadata grants one container. Deliberately separate from the
/// container's own config: a container asks, the signed deployment grants, and only grants are enforced
/// (at link time per import kind, at call time per concrete sensor, pin, topic or blob).
/// </summary>
public sealed class GrantedPermissions
{
    private readonly HashSet<Capability> _exact;

    public GrantedPermissions(IEnumerable<Capability> granted)
    {
        ArgumentNullException.ThrowIfNull(granted);
        Capabilities = [.. granted.Distinct()];
        _exact = [.. Capabilities];
    }

    public static GrantedPermissions None { get; } = new([]);

    public IReadOnlyList<Capability> Capabilities { get; }

    /// <summary>Parses the permission strings of signed metadata; throws <see cref="FormatException"/> listing every bad one.</summary>
    public static GrantedPermissions Parse(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var caps = new List<Capability>();
        var errors = new List<string>();
        foreach (var t in texts)
        {
            if (Capability.TryParse(t, out var c, out var error)) caps.Add(c);
            else errors.Add($"'{t}': {error}");
        }
        return errors.Count == 0 ? new GrantedPermissions(caps) : throw new FormatException($"invalid granted permissions: {string.Join("; ", errors)}");
    }

    public bool HasKind(CapabilityKind kind) => Capabilities.Any(c => c.Kind == kind);

    public bool Allows(Capability capability) => _exact.Contains(capability);

    public bool AllowsSensor(string name) => Allows(new Capability(CapabilityKind.Sensor, name));

    public bool AllowsGpio(int pin) =>
        pin is >= 0 and <= Capability.MaxGpioPin && Allows(new Capability(CapabilityKind.Gpio, pin.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public bool AllowsBlob(string name) => Allows(new Capability(CapabilityKind.Blob, name));

    public bool AllowsPublish(string topic) => Allows(new Capability(CapabilityKind.Publish, topic));

    /// <summary>A subscribe filter is allowed when a granted filter covers every topic it can match.</summary>
    public bool AllowsSubscribe(string filter) =>
        Capabilities.Any(c => c.Kind == CapabilityKind.Subscribe && c.Argument is { } granted && TopicFilter.Covers(granted, filter));

    public override string ToString() => string.Join(", ", Capabilities);
}
