using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Status;

/// <summary>How close a role is to expiry: <see cref="Warning"/> for offline roles, <see cref="Alarm"/> for online ones (re-signing stopped).</summary>
public enum ExpiryLevel
{
    Ok = 0,
    /// <summary>An offline role with less than 30 d left: an operator must sign a new version soon.</summary>
    Warning = 1,
    /// <summary>An online role with less than 25 % of its life left: automatic re-signing has stopped.</summary>
    Alarm = 2,
    Expired = 3,
}

/// <summary>One role's published version and expiry, judged at a moment (docs/trust-model.md §1, "Expiry warnings").</summary>
public sealed record RoleExpiry(string Repository, string Role, long Version, DateTimeOffset Expires, bool Online, TimeSpan Left, ExpiryLevel Level)
{
    public static readonly TimeSpan OfflineWarning = TimeSpan.FromDays(30);
    public const double OnlineAlarmFraction = 0.25;

    public static RoleExpiry Judge(string repository, string role, RoleMetadata document, TimeSpan? onlineLife, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(document);
        var left = document.Expires - now;
        var level = left <= TimeSpan.Zero ? ExpiryLevel.Expired
            : onlineLife is { } life ? (left < life * OnlineAlarmFraction ? ExpiryLevel.Alarm : ExpiryLevel.Ok)
            : left < OfflineWarning ? ExpiryLevel.Warning : ExpiryLevel.Ok;
        return new RoleExpiry(repository, role, document.Version, document.Expires, onlineLife is not null, left, level);
    }
}

/// <summary>Every role of both repositories with its expiry level: what <c>atym tuf status</c> prints and the gauge exports.</summary>
public static class ExpiryReport
{
    public static EquatableList<RoleExpiry> Of(PublishedImageRepository image, SignedMetadata<RootMetadata>? directorRoot, ImageRepositoryOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        var roles = new List<RoleExpiry>();
        if (image.Root is { } root) roles.Add(RoleExpiry.Judge("image", "root", root.Signed, null, now));
        if (image.TopLevel is { } targets) roles.Add(RoleExpiry.Judge("image", "targets", targets.Signed, null, now));
        foreach (var (role, doc) in image.Delegated.OrderBy(d => d.Key, StringComparer.Ordinal))
            roles.Add(RoleExpiry.Judge("image", role, doc.Signed, role.StartsWith("compiler-", StringComparison.Ordinal) ? options.CompilerLife : null, now));
        if (image.Snapshot is { } snapshot) roles.Add(RoleExpiry.Judge("image", "snapshot", snapshot.Signed, options.SnapshotLife, now));
        if (image.Timestamp is { } timestamp) roles.Add(RoleExpiry.Judge("image", "timestamp", timestamp.Signed, options.TimestampLife, now));
        if (directorRoot is not null) roles.Add(RoleExpiry.Judge("director", "root", directorRoot.Signed, null, now));
        return new EquatableList<RoleExpiry>(roles);
    }
}
