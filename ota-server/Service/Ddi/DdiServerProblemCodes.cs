namespace AtymSecure.OtaServer.Ddi;

/// <summary>Problem codes of the DDI endpoints' refusals (docs/ddi.md, "Errors"); a body that does not read carries the
/// reader's own codes (<see cref="AtymSecure.Formats.DeviceProtocol.Ddi.DdiProblemCodes"/>).</summary>
public static class DdiServerProblemCodes
{
    /// <summary>401: no credentials, a scheme that is switched off, or a token that is not this target's or tenant's.</summary>
    public const string Unauthenticated = "ddi-unauthenticated";

    /// <summary>404: another tenant, an unknown controller (without auto-registration), an action that is not this controller's.</summary>
    public const string NotFound = "ddi-not-found";

    /// <summary>410: feedback (or a fetch) for an action that is closed.</summary>
    public const string ActionClosed = "ddi-action-closed";

    /// <summary>400: the attributes would pass hawkBit's limit of 100 per target, or name an invalid device class.</summary>
    public const string AttributesRefused = "ddi-attributes-refused";

    /// <summary>409: a DDI target with that id exists.</summary>
    public const string TargetExists = "ddi-target-exists";
}
