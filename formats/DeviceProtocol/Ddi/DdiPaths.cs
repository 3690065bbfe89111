namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// The DDI controller API's resource paths under <c>/{tenant}/controller/v1/{controllerId}</c> (hawkBit's
/// DdiRestConstants), for the server's routes and the client's requests alike. A client follows the links the server
/// gives; it builds only the base poll and the feedback paths.
/// </summary>
public static class DdiPaths
{
    public const string DeploymentBase = "deploymentBase";
    public const string InstalledBase = "installedBase";
    public const string CancelAction = "cancelAction";
    public const string ConfigData = "configData";
    public const string Feedback = "feedback";
    public const string SoftwareModules = "softwaremodules";
    public const string Artifacts = "artifacts";

    /// <summary><c>/{tenant}/controller/v1/{controllerId}</c>, segments escaped.</summary>
    public static string Base(string tenant, string controllerId) =>
        $"/{Uri.EscapeDataString(tenant)}/controller/v1/{Uri.EscapeDataString(controllerId)}";

    public static string DeploymentFeedback(string tenant, string controllerId, string actionId) =>
        $"{Base(tenant, controllerId)}/{DeploymentBase}/{Uri.EscapeDataString(actionId)}/{Feedback}";

    public static string CancelFeedback(string tenant, string controllerId, string actionId) =>
        $"{Base(tenant, controllerId)}/{CancelAction}/{Uri.EscapeDataString(actionId)}/{Feedback}";

    public static string ConfigDataPath(string tenant, string controllerId) => $"{Base(tenant, controllerId)}/{ConfigData}";

    public static string Artifact(string tenant, string controllerId, long softwareModuleId, string fileName) =>
        $"{Base(tenant, controllerId)}/{SoftwareModules}/{softwareModuleId}/{Artifacts}/{Uri.EscapeDataString(fileName)}";
}
