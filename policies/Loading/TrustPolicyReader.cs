using AtymSecure.Policies.Model;
using AtymSecure.Policies.Yaml;
using AtymSecure.Primitives;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Loading;

/// <summary>The <c>spec</c> of a <c>kind: TrustPolicy</c> file: <c>keys</c> (name, spkiSha256) and <c>rules</c> (name, scope, keys, threshold, attestations, level).</summary>
internal static class TrustPolicyReader
{
    public const int MaxThreshold = 16;

    public static TrustPolicy Read(MapReader spec, string name, string file)
    {
        var context = spec.Context;
        var keys = new List<TrustKey>();
        foreach (var (node, path) in spec.List("keys"))
        {
            if (context.MapOf(node, path) is not { } k) continue;
            var keyName = k.String("name", required: true) is { } n ? PolicyDocumentReader.Name(k, "name", n) : null;
            var sha = k.String("spkiSha256", required: true);
            if (sha is not null && PolicyScalars.CheckSha256Hex(sha) is { } error) { context.Add(InvalidValue, k.FieldPath("spkiSha256"), error, k.Field("spkiSha256")!); sha = null; }
            k.RejectUnknown();
            if (keyName is not null && sha is not null) keys.Add(new TrustKey(keyName, sha, k.Position));
        }
        PolicyDocumentReader.Unique(context, keys, k => k.Name, k => k.At, spec.FieldPath("keys"), "key");
        foreach (var same in keys.GroupBy(k => k.SpkiSha256).Where(g => g.Count() > 1))
            context.Add(DuplicateKeyMaterial, spec.FieldPath("keys"), $"keys {string.Join(" and ", same.Select(k => $"'{k.Name}'"))} are the same public key; one key, one name", same.Last().At);

        var rules = new List<TrustRule>();
        foreach (var (node, path) in spec.List("rules", required: true, minItems: 1))
            if (context.MapOf(node, path) is { } r && Rule(r) is { } rule) rules.Add(rule);
        PolicyDocumentReader.Unique(context, rules, r => r.Name, r => r.At, spec.FieldPath("rules"), "rule");
        PolicyDocumentReader.Unique(context, rules, r => r.Scope.Text, r => r.At, spec.FieldPath("rules"), "scope");
        spec.RejectUnknown();
        return new TrustPolicy(name, [.. keys], [.. rules], file);
    }

    private static TrustRule? Rule(MapReader r)
    {
        var context = r.Context;
        var ok = true;
        var name = r.String("name", required: true) is { } n ? PolicyDocumentReader.Name(r, "name", n) : null;
        RepositoryScope? scope = null;
        if (r.String("scope", required: true, maxLength: 260) is { } s)
        {
            if (RepositoryScope.Check(s) is { } error) context.Add(InvalidValue, r.FieldPath("scope"), error, r.Field("scope")!);
            else scope = RepositoryScope.Parse(s);
        }
        var levelText = r.String("level") ?? "enforce";
        TrustLevel? level = levelText switch { "enforce" => TrustLevel.Enforce, "audit" => TrustLevel.Audit, "skip" => TrustLevel.Skip, _ => null };
        if (level is null) { context.Add(InvalidValue, r.FieldPath("level"), $"'{PolicyFileContext.Shorten(levelText)}' is not a level (enforce, audit, skip)", r.Field("level")!); ok = false; }
        var keys = r.Strings("keys", required: level != TrustLevel.Skip, minItems: level == TrustLevel.Skip ? 0 : 1, check: PolicyScalars.CheckName, maxItems: 64);
        var threshold = (int)(r.Integer("threshold", 1, MaxThreshold) ?? 1);
        if (r.Field("threshold") is { } t && level != TrustLevel.Skip && threshold > keys.Count && keys.Count > 0)
        {
            context.Add(ThresholdAboveKeys, r.FieldPath("threshold"), $"threshold {threshold} needs more keys than the {keys.Count} listed", t);
            ok = false;
        }
        var attestations = r.Strings("attestations", check: a => AttestationKinds.All.Contains(a) ? null : $"'{PolicyFileContext.Shorten(a)}' is not an attestation kind ({string.Join(", ", AttestationKinds.All)})");
        r.RejectUnknown();
        return ok && name is not null && scope is not null
            ? new TrustRule(name, scope, [.. keys.Select(k => k.Value)], threshold, [.. attestations.Select(a => a.Value)], level!.Value, r.Position)
            : null;
    }
}
