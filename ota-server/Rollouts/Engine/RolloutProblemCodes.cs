namespace AtymSecure.OtaRollouts.Engine;

/// <summary>Problem codes of deployment requests and operator actions (problem+json <c>type</c> = https://atym.dev/problems/CODE).</summary>
public static class RolloutProblemCodes
{
    public const string RequestInvalid = "deployment-request-invalid";
    public const string DeploymentNotFound = "deployment-not-found";
    public const string ReleaseNotFound = "release-not-found";
    public const string StateConflict = "deployment-state-conflict";
    public const string ApprovalBySameOperator = "approval-by-same-operator";
    public const string ApprovalNotRequired = "approval-not-required";
    public const string NoTargets = "deployment-no-targets";
    public const string OutOfScope = "deployment-out-of-scope";
    /// <summary>No longer raised (a rollback below the floor re-releases the code at the floor); kept so it is never reused.</summary>
    public const string RollbackBelowFloor = "rollback-below-floor";
    public const string NoRollbackRelease = "rollback-release-not-found";
    public const string NothingToRollBack = "nothing-to-roll-back";
}
