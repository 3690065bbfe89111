using AtymSecure.OtaRollouts.Endpoints;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>The deployments page: every deployment the operator may see (newest first), the releases to deploy, and the
/// new-deployment form with the problems of its last submission.</summary>
public sealed record DeploymentsModel(IReadOnlyList<DeploymentView> Deployments, IReadOnlyList<Release> Releases, DeploymentForm Form, IReadOnlyList<Problem> Problems);

/// <summary>The rollout page: the deployment (with every device) and its live state.</summary>
public sealed record RolloutModel(DeploymentView View, Live.RolloutUpdate Live);

/// <summary>An error page: the status and the problems (code, path, message).</summary>
public sealed record ErrorModel(int Status, IReadOnlyList<Problem> Problems);

/// <summary>The login page: where to go after, and why the last attempt was refused.</summary>
public sealed record LoginModel(string? ReturnUrl, string? Error);
