namespace AtymSecure.OtaContracts;

/// <summary>What an operator token may do (docs/trust-model.md §8).</summary>
public enum OperatorRole
{
    Viewer,
    Releaser,
    Deployer,
    Admin,
}

/// <summary>Role names as the API and the CLI spell them, and which role includes which.</summary>
public static class OperatorRoles
{
    public static string Name(OperatorRole role) => role switch
    {
        OperatorRole.Viewer => "viewer",
        OperatorRole.Releaser => "releaser",
        OperatorRole.Deployer => "deployer",
        OperatorRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? name, out OperatorRole role)
    {
        switch (name)
        {
            case "viewer": role = OperatorRole.Viewer; return true;
            case "releaser": role = OperatorRole.Releaser; return true;
            case "deployer": role = OperatorRole.Deployer; return true;
            case "admin": role = OperatorRole.Admin; return true;
            default: role = default; return false;
        }
    }

    /// <summary>Whether a token of <paramref name="held"/> may do what <paramref name="required"/> may: admin includes all, releaser and deployer include viewer.</summary>
    public static bool Includes(OperatorRole held, OperatorRole required) =>
        held == required || held == OperatorRole.Admin || required == OperatorRole.Viewer;

    /// <summary>Only viewer and deployer tokens may be limited to device groups (a scoped releaser or admin would mean nothing).</summary>
    public static bool MayBeScoped(OperatorRole role) => role is OperatorRole.Viewer or OperatorRole.Deployer;

    /// <summary>The policy name of a role.</summary>
    public static string Policy(OperatorRole role) => role switch
    {
        OperatorRole.Viewer => OtaPolicies.Viewer,
        OperatorRole.Releaser => OtaPolicies.Releaser,
        OperatorRole.Deployer => OtaPolicies.Deployer,
        OperatorRole.Admin => OtaPolicies.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };
}
