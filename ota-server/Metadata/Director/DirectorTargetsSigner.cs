using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Director;

/// <summary>Lifetimes of director targets documents (docs/trust-model.md §1).</summary>
public sealed record DirectorOptions
{
    public static readonly DirectorOptions Default = new();

    /// <summary>Expiry of an online document: 1 d.</summary>
    public TimeSpan TargetsLife { get; init; } = TimeSpan.FromDays(1);

    /// <summary>An unchanged document is re-signed when less than this is left: 12 h.</summary>
    public TimeSpan ResignWhenLeft { get; init; } = TimeSpan.FromHours(12);
}

/// <summary>
/// Signs the director's per-device targets document (Uptane director, docs/update-metadata.md §3): for each container
/// the bundle (path, length, sha256), the image it yields with the must-match fields and the install window if any, plus the device id, class
/// and the nonce of its last report, with the online director-targets key the current director root lists.
/// <para>
/// A new version is signed when the content changes (new assignment, new nonce), when less than
/// <see cref="DirectorOptions.ResignWhenLeft"/> of the stored one is left, or when the root no longer lists the key
/// that signed it (director key rotation); otherwise the stored document is the answer, so polling is cheap and the
/// version does not run away. Versions come from <see cref="IDirectorTargetsStore"/> by compare-and-set, so they rise
/// strictly per device across restarts and racing polls. Every request is checked with the device's own readers
/// (<see cref="DirectorDocumentCustom"/>, <see cref="DirectorTargetCustom"/>), so the server never signs what a device
/// would refuse as malformed.
/// </para>
/// </summary>
public sealed class DirectorTargetsSigner(RootChainStore roots, IOnlineKeyStore keys, IDirectorTargetsStore store, TimeProvider clock, DirectorOptions? options = null)
{
    public const string RequestProblem = "director-request-invalid";
    private const int MaxAttempts = 8;

    private readonly DirectorOptions _options = options ?? DirectorOptions.Default;

    public DirectorAnswer Answer(DirectorTargetsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var desired = Desired(request);
        var (listed, key) = TargetsKey();
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = clock.GetUtcNow();
            var latest = store.Latest(request.DeviceId);
            if (latest is not null && IsCurrent(latest, desired, listed, now)) return new DirectorAnswer(latest, NewlySigned: false);
            var version = (latest?.Signed.Version ?? 0) + 1;
            var signed = MetadataSigning.Sign(desired with { Version = version, Expires = now + _options.TargetsLife }, key);
            if (store.TryReplace(request.DeviceId, latest?.Signed.Version ?? 0, signed)) return new DirectorAnswer(signed, NewlySigned: true);
        }
        throw new InvalidOperationException($"director targets for {request.DeviceId}: {MaxAttempts} concurrent writers in a row");
    }

    /// <summary>Until when <see cref="Answer"/> would keep answering <paramref name="document"/> for unchanged content
    /// (afterwards it re-signs: less than <see cref="DirectorOptions.ResignWhenLeft"/> of its life is left). Lets a
    /// caller that remembers what it asked skip asking again before then.</summary>
    public DateTimeOffset ReusableUntil(SignedMetadata<TargetsMetadata> document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.Signed.Expires - _options.ResignWhenLeft;
    }

    /// <summary>The last document signed for a device (what <c>targets.json</c> serves between polls), or null.</summary>
    public SignedMetadata<TargetsMetadata>? Latest(string deviceId) => store.Latest(deviceId);

    /// <summary>The targets role the current director root lists, and the online director-targets key of it that signs
    /// (online and offline documents alike).</summary>
    private (RoleKeys Listed, IOnlineKey Key) TargetsKey()
    {
        var root = roots.Require();
        var listed = root.Signed.Roles.GetValueOrDefault("targets")
            ?? throw new MetadataRefusedException(ReasonCodes.MetadataMalformed, "$.signed.roles.targets", "the director root has no targets role");
        return (listed, OnlineKeySelection.For(keys, OnlineRole.DirectorTargets, listed, $"director root {root.Signed.Version}"));
    }

    private bool IsCurrent(SignedMetadata<TargetsMetadata> latest, TargetsMetadata desired, RoleKeys listed, DateTimeOffset now) =>
        latest.Signed.Targets.Equals(desired.Targets)
        && Equals(latest.Signed.Custom, desired.Custom)
        && latest.Signed.Expires - now >= _options.ResignWhenLeft
        && latest.Signatures.Any(s => listed.KeyIds.Contains(s.KeyId));

    /// <summary>
    /// Signs an offline director document (docs/trust-model.md §6) for <paramref name="request"/>'s devices with the
    /// same online director-targets key: <c>custom.offline</c>, the device list, the class and <c>exportedAt</c> = now,
    /// no nonce, expiry now + the request's lifetime (≤ 90 d). Its version is the next of the offline sequence in
    /// <paramref name="sequence"/> (one sequence for every export, apart from every device's online one), so an
    /// export made later always has the higher version and a device that installed it refuses the older one.
    /// </summary>
    public SignedMetadata<TargetsMetadata> SignOffline(OfflineDirectorRequest request, IDirectorTargetsStore sequence)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sequence);
        if (request.Lifetime <= TimeSpan.Zero || request.Lifetime > OfflineDirectorCustom.MaxLifetime)
            throw Invalid("$.lifetime", $"an offline document lives more than 0 and at most {OfflineDirectorCustom.MaxLifetime.TotalDays:0} days");
        var (_, key) = TargetsKey();
        var now = clock.GetUtcNow();
        var custom = Check("$", () =>
        {
            var json = new OfflineDirectorCustom(request.DeviceClass, request.Devices, now).ToJson();
            OfflineDirectorCustom.FromJson(json, "$");
            return json;
        });
        var targets = TargetsOf(request.DeviceClass, request.Targets);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var latest = sequence.Latest(OfflineSequenceKey)?.Signed.Version ?? 0;
            var signed = MetadataSigning.Sign(new TargetsMetadata
            {
                Version = latest + 1,
                Expires = now + request.Lifetime,
                Targets = targets,
                Custom = custom,
            }, key);
            if (sequence.TryReplace(OfflineSequenceKey, latest, signed)) return signed;
        }
        throw new InvalidOperationException($"offline director document: {MaxAttempts} concurrent exports in a row");
    }

    /// <summary>The key under which the offline sequence keeps its last document (its own store, so no device id can collide).</summary>
    public const string OfflineSequenceKey = "offline";

    private static TargetsMetadata Desired(DirectorTargetsRequest request)
    {
        var custom = Check("$", () =>
        {
            var json = new DirectorDocumentCustom(request.DeviceId, request.DeviceClass, request.Nonce).ToJson();
            DirectorDocumentCustom.FromJson(json, "$");
            return json;
        });
        if (!DirectorIds.IsDeviceId(request.DeviceId)) throw Invalid("$.deviceId", $"'{request.DeviceId}' starts with a dot");
        return new TargetsMetadata
        {
            Version = 1,
            Expires = DateTimeOffset.UnixEpoch,
            Targets = TargetsOf(request.DeviceClass, request.Targets),
            Custom = custom,
        };
    }

    /// <summary>The director targets for one class, each checked with the device's reader (online and offline documents list them alike).</summary>
    private static EquatableMap<TargetFile> TargetsOf(string deviceClass, EquatableList<DirectorBundleTarget> requested)
    {
        var targets = new Dictionary<string, TargetFile>(StringComparer.Ordinal);
        for (var i = 0; i < requested.Count; i++)
        {
            var target = requested[i];
            var at = $"$.targets[{i}]";
            if (target.BundleSha256.Length != 64 || !TufKey.IsLowerHex(target.BundleSha256)) throw Invalid(at + ".bundleSha256", "expected 64 lower-case hex digits");
            if (target.BundleLength < 0) throw Invalid(at + ".bundleLength", "negative");
            if (target.Release.DeviceClass != deviceClass)
                throw Invalid(at + ".deviceClass", $"an image for class '{target.Release.DeviceClass}', the device is '{deviceClass}'");
            if (requested.Take(i).Any(t => t.Release.Container == target.Release.Container))
                throw Invalid(at + ".container", $"container '{target.Release.Container}' is assigned twice");
            var entryCustom = Check(at, () =>
            {
                var json = new DirectorTargetCustom(target.Release, target.Image, target.Window).ToJson();
                DirectorTargetCustom.FromJson(json, at);
                return json;
            });
            targets.Add(target.Path, new TargetFile(target.BundleLength, Sha256Hashes.Of(target.BundleSha256), entryCustom));
        }
        return new EquatableMap<TargetFile>(targets);
    }

    private static CanonicalJsonObject Check(string at, Func<CanonicalJsonObject> build)
    {
        try
        {
            return build();
        }
        catch (MetadataRefusedException e)
        {
            throw Invalid(e.Refusal.Path, e.Refusal.Detail);
        }
        catch (ArgumentException e)
        {
            throw Invalid(at, e.Message);
        }
    }

    private static ProblemException Invalid(string path, string detail) => new("director targets request", new Problem(RequestProblem, path, detail));
}
