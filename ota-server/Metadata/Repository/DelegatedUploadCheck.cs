using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.OtaMetadata.Repository;

/// <summary>
/// What the server checks before it publishes a delegated targets file a vendor signed offline (<c>atym tuf sign</c>
/// on the vendor's machine), so a malicious or careless vendor cannot publish what devices would refuse or what
/// is not theirs: the role is a vendor delegation of the current top-level targets (compiler roles are signed here,
/// never uploaded), a threshold of the delegation's keys signed it, its version is above the published one, it has
/// not expired, it delegates nothing further, and every target path is inside the delegation's patterns.
/// </summary>
internal static class DelegatedUploadCheck
{
    public static SignedMetadata<TargetsMetadata> Check(string role, ReadOnlySpan<byte> file, TargetsMetadata topLevel,
        SignedMetadata<TargetsMetadata>? published, DateTimeOffset now)
    {
        var name = $"{role}.json";
        var delegation = topLevel.Delegations?.Roles.FirstOrDefault(r => r.Name == role)
            ?? throw Refuse(ReasonCodes.TargetNotListed, role, name, "$", $"top-level targets delegates no role '{role}'");
        if (role.StartsWith("compiler-", StringComparison.Ordinal))
            throw Refuse(ReasonCodes.MetadataMalformed, role, name, "$", "compiler roles are signed by the server's online key, never uploaded");
        SignedMetadata<TargetsMetadata> upload;
        try
        {
            upload = SignedMetadata<TargetsMetadata>.Parse(file);
        }
        catch (MetadataRefusedException e)
        {
            throw e.In(role, name);
        }
        ThresholdCheck.Require(upload, topLevel.Delegations!.Keys, delegation.Keys, role);
        var doc = upload.Signed;
        if (published is not null && doc.Version <= published.Signed.Version)
            throw Refuse(ReasonCodes.RollbackVersion, role, name, "$.signed.version", $"version {doc.Version}, version {published.Signed.Version} is published: sign a higher one");
        if (doc.IsExpired(now, TimeSpan.Zero))
            throw Refuse(ReasonCodes.MetadataExpired, role, name, "$.signed.expires", $"expired at {RoleMetadata.FormatTime(doc.Expires)}");
        if (doc.Delegations is not null)
            throw Refuse(ReasonCodes.MetadataMalformed, role, name, "$.signed.delegations", "delegated roles do not delegate further (depth 1)");
        foreach (var path in doc.Targets.Keys)
            if (!delegation.Covers(path))
                throw Refuse(ReasonCodes.TargetNotListed, role, name, $"$.signed.targets[\"{path}\"]",
                    $"outside the delegation's paths {string.Join(", ", delegation.Paths ?? delegation.PathHashPrefixes ?? [])}");
        return upload;
    }

    public static MetadataRefusedException Refuse(string code, string role, string file, string path, string detail) =>
        new(new MetadataRefusal(code, path, detail, role, file));
}
