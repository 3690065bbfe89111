namespace AtymSecure.OtaContracts;

/// <summary>
/// Authorization policy names of the operator API (docs/trust-model.md §8). Endpoint mappings in every OTA library use
/// them (<c>.RequireAuthorization(OtaPolicies.Releaser)</c>); the host registers what each one requires. A policy
/// admits its role and every role above it in <see cref="OperatorRoles.Includes"/>: viewer ⊂ releaser, viewer ⊂
/// deployer, everything ⊂ admin. Group scopes are checked per device or group by <see cref="OperatorIdentity.Covers"/>, not by
/// the policy (a scoped deployer passes <see cref="Deployer"/> and is refused for devices outside its groups).
/// </summary>
public static class OtaPolicies
{
    /// <summary>Reads: devices, releases, assignments, audit, status.</summary>
    public const string Viewer = "ota-viewer";

    /// <summary>Viewer + import releases.</summary>
    public const string Releaser = "ota-releaser";

    /// <summary>Viewer + assignments and rollouts (may be group-scoped).</summary>
    public const string Deployer = "ota-deployer";

    /// <summary>Everything: operator and enrolment tokens, approving and decommissioning devices, key operations.</summary>
    public const string Admin = "ota-admin";

    /// <summary>Device endpoints: a valid device session whose device id equals the route's <c>{id}</c> (404 otherwise).</summary>
    public const string Device = "ota-device";
}
