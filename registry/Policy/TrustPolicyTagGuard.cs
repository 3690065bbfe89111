using AtymSecure.Policies.Keys;
using AtymSecure.Formats.Container;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;
using AtymSecure.Registry.Http;
using AtymSecure.Registry.Storage;
using Microsoft.Extensions.Logging;

namespace AtymSecure.RegistryPolicy;

/// <summary>
/// Protected repositories (issue 15 §3): a tag may move only to a manifest the trust policy accepts. A repository is
/// protected when a trust rule's scope covers <c>REGISTRY-NAME/REPOSITORY</c>; the most specific such rule decides,
/// through the one evaluator (<see cref="PolicyEvaluator"/>), with the signatures and attestations stored as
/// referrers of the manifest, verified under the keys that rule trusts only. Level <c>enforce</c> refuses with a
/// message naming the rule, its file and line and the policy set's digest; <c>audit</c> accepts, warns the client and
/// logs; <c>skip</c> accepts. A repository no rule covers is not protected: the registry is not the only gate, and
/// default deny there would stop every unrelated push (the OTA server's import still refuses what no rule covers).
/// Signature tags (<see cref="SignatureTags"/>) are never checked. The policy set is read through
/// <paramref name="policies"/> on every check, so a reloading source can stand behind it.
/// </summary>
public sealed class TrustPolicyTagGuard(Func<PolicySet> policies, PolicyKeyFolder keys, string registryName, ILogger<TrustPolicyTagGuard> log)
    : ITagMoveGuard
{
    /// <summary>The trust step reads repository, signers and attestations only; the release's version is not asked.</summary>
    private static readonly SemanticVersion Unversioned = SemanticVersion.Parse("0.0.0");

    public async Task<TagMoveDecision> CheckAsync(TagMove move, RepositoryContentView content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(move);
        var tags = move.Tags.Where(t => !SignatureTags.IsExempt(t)).ToList();
        if (tags.Count == 0) return TagMoveDecision.Allow("signature tags are not protected");
        var set = policies();
        var repository = $"{registryName}/{move.Repository}";
        var rule = set.TrustRuleFor(repository);
        if (rule is null) return TagMoveDecision.Allow($"{repository} is not protected (no trust rule's scope covers it)");

        var trusted = set.KeysOf(rule).ToList();
        var missing = trusted.Where(k => keys.Find(k) is null).Select(k => k.Name).ToList();
        var evidence = rule.Level == TrustLevel.Skip
            ? AttachedEvidence.None
            : await AttachedEvidence.ReadAsync(content, move.Manifest, [.. trusted.Select(keys.Find).OfType<Formats.Crypto.VerificationKey>()], cancellationToken).ConfigureAwait(false);
        var release = new ReleaseDescriptor(repository, repository[(repository.LastIndexOf('/') + 1)..], Unversioned,
            evidence.Signers, evidence.Attestations, [], null, null);
        var decision = PolicyEvaluator.Evaluate(set, new DecisionRequest(release));

        var what = $"tag {string.Join(", ", tags)} of {repository} -> {move.Manifest}";
        var by = $"{decision.Rule}{(decision.At is { } at ? $" ({at})" : "")}";
        var notes = (evidence.Unverified > 0 ? $"; {evidence.Unverified} attached signature(s) did not verify under the keys {rule.Name} trusts" : "")
            + (missing.Count > 0 ? $"; no public key in the policy keys folder for {string.Join(", ", missing)}" : "");
        var message = $"{what}: {by}: {decision.Message}{notes} (policy set {decision.PolicySet})";
        if (!decision.Allowed)
        {
            log.LogWarning("refused {TagMove}: {Rule}: {Reason} (policy set {PolicySet})", what, by, decision.Message + notes, decision.PolicySet);
            return TagMoveDecision.Refuse($"refused {message}");
        }
        if (decision.Steps.Any(s => s.AuditOnly))
        {
            log.LogWarning("audit: accepted {TagMove}: {Rule}: {Reason} (policy set {PolicySet})", what, by, decision.Message + notes, decision.PolicySet);
            return TagMoveDecision.AllowWithWarning($"audit: accepted {message}");
        }
        log.LogInformation("accepted {TagMove}: {Rule}: {Reason} (policy set {PolicySet})", what, by, decision.Message, decision.PolicySet);
        return TagMoveDecision.Allow($"accepted {message}");
    }
}
