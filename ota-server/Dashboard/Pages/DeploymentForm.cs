using System.Globalization;
using System.Text;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.Primitives;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>
/// The new-deployment form as typed. <see cref="ToRequest"/> turns it into the API's <see cref="DeploymentRequest"/> JSON and
/// parses that with the API's own parser, so the plan is validated by exactly the code that validates
/// <c>POST /api/v1/deployments</c> (and the service's <c>CreateAsync</c> checks the rest, as for the API).
/// </summary>
public sealed record DeploymentForm(string ReleaseId = "", string Groups = "", string Tags = "", string DeviceClass = "", string Devices = "",
    string Canary = "", string Waves = "", string Soak = "", string HaltFailures = "", string HaltRatio = "", bool RollbackOnHalt = false,
    bool RequireApproval = false)
{
    public static readonly DeploymentForm Empty = new();

    public static DeploymentForm Read(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        string F(string name) => form[name].ToString().Trim();
        return new DeploymentForm(F("releaseId"), F("groups"), F("tags"), F("deviceClass"), F("devices"), F("canary"), F("waves"), F("soak"),
            F("haltFailures"), F("haltRatio"), F("rollbackOnHalt") == "on", F("requireApproval") == "on");
    }

    /// <exception cref="ProblemException">Every problem of the form, with the API's paths (<c>$.canary</c>).</exception>
    public DeploymentRequest ToRequest()
    {
        var problems = new List<Problem>();
        int? Number(string text, string path)
        {
            if (text.Length == 0) return null;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
            problems.Add(new Problem(AtymSecure.OtaRollouts.Engine.RolloutProblemCodes.RequestInvalid, path, "expected a whole number"));
            return null;
        }
        static string[]? List(string text) => text.Length == 0 ? null : text.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Dictionary<string, string>? tags = null;
        foreach (var pair in List(Tags) ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) problems.Add(new Problem(AtymSecure.OtaRollouts.Engine.RolloutProblemCodes.RequestInvalid, "$.target.tags", $"'{pair}': expected key=value"));
            else (tags ??= new(StringComparer.Ordinal))[pair[..eq]] = pair[(eq + 1)..];
        }
        var canary = Number(Canary, "$.canary");
        var failures = Number(HaltFailures, "$.halt.failures");
        if (problems.Count > 0) throw new ProblemException("deployment refused", problems);
        var typed = new DeploymentRequest(ReleaseId,
            new DeploymentTargetRequest(List(Groups), tags, DeviceClass.Length == 0 ? null : DeviceClass, List(Devices)),
            Canary: canary, Waves: List(Waves), Soak: Soak.Length == 0 ? null : Soak,
            Halt: failures is null && HaltRatio.Length == 0 ? null : new HaltRequest(failures, HaltRatio.Length == 0 ? null : HaltRatio),
            RollbackOnHalt: RollbackOnHalt ? true : null, RequireApproval: RequireApproval ? true : null);
        return DeploymentRequest.Parse(Encoding.UTF8.GetBytes(typed.ToJson()));
    }
}
