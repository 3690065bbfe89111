using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// The hawkBit DDI API of the OTA server (docs/ddi.md): which tenant it answers for, which of hawkBit's ways of
/// authenticating a controller are on (each switchable, as in hawkBit: <c>TargetToken</c> per device,
/// <c>GatewayToken</c> per tenant, anonymous — off by default, for a closed lab network only), and the device class
/// a target gets when it is created without one (auto-registered by the gateway token, say). Immutable;
/// <see cref="Validate"/> reports every problem.
/// </summary>
public sealed record DdiOptions
{
    /// <summary>The one tenant served (hawkBit's default is <c>DEFAULT</c>); compared without case, as hawkBit does.</summary>
    public string Tenant { get; init; } = "DEFAULT";

    public bool TargetTokens { get; init; } = true;

    public bool GatewayTokens { get; init; } = true;

    /// <summary>Any caller may poll as any controller id (hawkBit's "anonymous" security). Never on a network you do not own.</summary>
    public bool Anonymous { get; init; }

    /// <summary>The class of a DDI target created without one; its <c>configData</c> attribute <c>device-class</c> changes it.</summary>
    public string DefaultDeviceClass { get; init; } = "linux-gateway";

    /// <summary>SWUpdate gateways (docs/ddi.md "SWUpdate gateways"): devices of these classes get an <c>.swu</c> that carries
    /// their agent's offline export. Null: every DDI device gets the signed bundle.</summary>
    public AtymSecure.OtaReleases.Offline.SwuGatewayOptions? Swu { get; init; }

    public IReadOnlyList<Problem> Validate(string prefix = "ddi")
    {
        var errors = new List<Problem>();
        if (Swu is not null) errors.AddRange(Swu.Validate(prefix + ".swu"));
        if (Tenant is not { Length: > 0 and <= 64 } || !Tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            errors.Add(new Problem("invalid-tenant", prefix + ".tenant", "1-64 letters, digits, '-' or '_'"));
        if (DefaultDeviceClass is null || !ProtocolJson.NameGrammar().IsMatch(DefaultDeviceClass))
            errors.Add(new Problem("invalid-device-class", prefix + ".defaultDeviceClass", "a device class name (lower-case letters, digits, '.', '_', '-')"));
        if (!TargetTokens && !GatewayTokens && !Anonymous)
            errors.Add(new Problem("required", prefix, "targetTokens, gatewayTokens and anonymous are all off: no controller could authenticate"));
        return errors;
    }
}
