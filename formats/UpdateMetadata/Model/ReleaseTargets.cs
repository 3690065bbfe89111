using AtymSecure.Primitives;
using System.Text.RegularExpressions;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>
/// The fields of a release that director and image repository must agree on (docs/trust-model.md §3 step 9, Uptane's
/// "must match" custom fields): container, version, device class, security counter and code kind. Both custom
/// layouts below carry them as flat members of <c>custom</c>.
/// </summary>
public sealed partial record ReleaseIdentity(string Container, string Version, string DeviceClass, long SecurityCounter, ArtifactKind CodeKind)
{
    /// <summary>The device keeps a u32 counter per container (docs/trust-model.md §7).</summary>
    public const long MaxSecurityCounter = uint.MaxValue;

    internal IEnumerable<(string Name, CanonicalJsonValue? Value)> Members() =>
    [
        ("container", Container),
        ("version", Version),
        ("deviceClass", DeviceClass),
        ("securityCounter", SecurityCounter),
        ("codeKind", CodeKindName(CodeKind)),
    ];

    internal static ReleaseIdentity FromJson(JsonFields custom)
    {
        var container = custom.String("container", 64);
        if (ContainerName.Check(container, custom.PathOf("container")) is { } problem) throw JsonFields.Malformed(problem.Path, problem.Message);
        var version = custom.String("version", SemanticVersion.MaxLength);
        if (!SemanticVersion.TryParse(version, out _, out var error)) throw JsonFields.Malformed(custom.PathOf("version"), $"'{version}': {error}");
        var deviceClass = custom.String("deviceClass", 64);
        if (!DeviceClassGrammar().IsMatch(deviceClass))
            throw JsonFields.Malformed(custom.PathOf("deviceClass"), $"'{deviceClass}' is not 1-64 characters of [a-z0-9._-] starting with [a-z0-9]");
        var counter = custom.Integer("securityCounter", 0, MaxSecurityCounter);
        var kindText = custom.String("codeKind", 32);
        var kind = CodeKinds.FirstOrDefault(k => k.Name == kindText);
        if (kind.Name is null) throw JsonFields.Malformed(custom.PathOf("codeKind"), $"'{kindText}' is not one of {string.Join(", ", CodeKinds.Select(k => k.Name))}");
        return new ReleaseIdentity(container, version, deviceClass, counter, kind.Kind);
    }

    public static string CodeKindName(ArtifactKind kind) =>
        CodeKinds.FirstOrDefault(k => k.Kind == kind).Name ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown code kind");

    /// <summary>The first must-match field on which <paramref name="other"/> differs, or null when all agree.</summary>
    public string? FirstDifference(ReleaseIdentity other) =>
        Container != other.Container ? "container"
        : Version != other.Version ? "version"
        : DeviceClass != other.DeviceClass ? "deviceClass"
        : SecurityCounter != other.SecurityCounter ? "securityCounter"
        : CodeKind != other.CodeKind ? "codeKind"
        : null;

    private static readonly (ArtifactKind Kind, string Name)[] CodeKinds =
    [
        (ArtifactKind.Wasm, "wasm"),
        (ArtifactKind.WasmtimeNative, "wasmtime-native"),
        (ArtifactKind.WasmtimePulley, "wasmtime-pulley"),
        (ArtifactKind.Wasm2cObject, "wasm2c-object"),
    ];

    /// <summary>Device class names become path segments and role names (<c>compiler-linux-x86_64</c>).</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    internal static partial Regex DeviceClassGrammar();
}

/// <summary>
/// <c>custom</c> of an installable container image, listed by the <c>compiler-CLASS</c> delegation at
/// <see cref="TargetPaths.Image"/>: the release identity plus the digest of the source Wasm it was compiled from
/// (<c>sha256:HEX</c>), which the container's vendor must list (step 10).
/// </summary>
public sealed partial record ImageTargetCustom(ReleaseIdentity Release, string SourceWasmDigest)
{
    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of([.. Release.Members(), ("sourceWasmDigest", SourceWasmDigest)]);

    public static ImageTargetCustom FromJson(CanonicalJsonObject? custom, string path)
    {
        if (custom is null) throw JsonFields.Malformed(path, "an image target needs custom");
        var fields = JsonFields.Of(custom, path);
        var digest = fields.String("sourceWasmDigest", 71);
        if (!Digest.IsSha256Text(digest)) throw JsonFields.Malformed(fields.PathOf("sourceWasmDigest"), "expected sha256:<64 lower-case hex>");
        return new ImageTargetCustom(ReleaseIdentity.FromJson(fields), digest);
    }

    /// <summary>The hex part of <see cref="SourceWasmDigest"/>.</summary>
    public string SourceWasmSha256 => SourceWasmDigest["sha256:".Length..];
}

/// <summary>The image a bundle yields, as the director names it: SHA-256 (hex) and length of the container image.</summary>
public sealed record ImageReference(string Sha256, long Length);

/// <summary>
/// <c>custom</c> of one director target (the bundle a device should install, at <see cref="TargetPaths.Bundle"/>; the
/// entry's own <c>length</c> and <c>hashes</c> are the bundle's): the release identity, the image the bundle yields,
/// and optionally the <see cref="InstallWindow"/> outside which the device downloads but does not install.
/// </summary>
public sealed record DirectorTargetCustom(ReleaseIdentity Release, ImageReference Image, InstallWindow? Window = null)
{
    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of([
        .. Release.Members(),
        ("image", CanonicalJsonObject.Of(("length", Image.Length), ("sha256", Image.Sha256))),
        (InstallWindow.Member, Window?.ToJson()),
    ]);

    public static DirectorTargetCustom FromJson(CanonicalJsonObject? custom, string path)
    {
        if (custom is null) throw JsonFields.Malformed(path, "a director target needs custom");
        var fields = JsonFields.Of(custom, path);
        var image = fields.Nested("image");
        var sha256 = image.String("sha256", 64);
        if (sha256.Length != 64 || !TufKey.IsLowerHex(sha256)) throw JsonFields.Malformed(image.PathOf("sha256"), "expected 64 lower-case hex digits");
        return new DirectorTargetCustom(ReleaseIdentity.FromJson(fields),
            new ImageReference(sha256, image.Integer("length", 0, CanonicalJsonValue.MaxSafeInteger)),
            fields.OptionalNested(InstallWindow.Member) is { } window ? InstallWindow.FromJson(window) : null);
    }
}

/// <summary>
/// The top-level <c>custom</c> of a director targets document: which device it is for, the device's class, and the
/// nonce of the version report it answers (the device makes the nonce; an old one means a replay).
/// </summary>
public sealed partial record DirectorDocumentCustom(string DeviceId, string DeviceClass, string Nonce)
{
    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(("deviceId", DeviceId), ("deviceClass", DeviceClass), ("nonce", Nonce));

    public static DirectorDocumentCustom FromJson(CanonicalJsonObject? custom, string path)
    {
        if (custom is null) throw JsonFields.Malformed(path, "director targets need custom {deviceId, deviceClass, nonce}");
        var fields = JsonFields.Of(custom, path);
        if (fields.Has(OfflineDirectorCustom.Marker))
            throw JsonFields.Malformed(fields.PathOf(OfflineDirectorCustom.Marker),
                "an offline director document is accepted only from a local export (atym device install --metadata), never from the network");
        var deviceId = fields.String("deviceId", 128);
        if (!DeviceIdGrammar().IsMatch(deviceId)) throw JsonFields.Malformed(fields.PathOf("deviceId"), "not a device id ([A-Za-z0-9._:-], 1-128)");
        var deviceClass = fields.String("deviceClass", 64);
        if (!ReleaseIdentity.DeviceClassGrammar().IsMatch(deviceClass)) throw JsonFields.Malformed(fields.PathOf("deviceClass"), "not a device class name");
        var nonce = fields.String("nonce", 128);
        if (!NonceGrammar().IsMatch(nonce)) throw JsonFields.Malformed(fields.PathOf("nonce"), "not a nonce (16-128 base64url characters)");
        return new DirectorDocumentCustom(deviceId, deviceClass, nonce);
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$", RegexOptions.CultureInvariant)]
    internal static partial Regex DeviceIdGrammar();

    [GeneratedRegex("^[A-Za-z0-9_-]{16,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex NonceGrammar();
}

/// <summary>
/// Target paths and delegation patterns of our repositories (docs/update-metadata.md). TUF patterns match segment by
/// segment, so a pattern has as many segments as the paths it covers.
/// </summary>
public static class TargetPaths
{
    /// <summary><c>images/CLASS/CONTAINER/VERSION/cCOUNTER/SHA256.img</c>: the counter is part of the path, so re-releasing old code is a new target.</summary>
    public static string Image(ReleaseIdentity release, string imageSha256) =>
        $"images/{release.DeviceClass}/{release.Container}/{release.Version}/c{release.SecurityCounter}/{imageSha256}.img";

    /// <summary><c>sources/CONTAINER/VERSION/module.wasm</c>, listed by the container's vendor.</summary>
    public static string Source(string container, string version) => $"sources/{container}/{version}/module.wasm";

    /// <summary><c>bundles/CONTAINER/SHA256.bundle</c>, what a director target names and the device downloads.</summary>
    public static string Bundle(string container, string bundleSha256) => $"bundles/{container}/{bundleSha256}.bundle";

    /// <summary>The <c>compiler-CLASS</c> delegation's pattern: every image of one device class.</summary>
    public static string CompilerPattern(string deviceClass) => $"images/{deviceClass}/*/*/*/*";

    /// <summary>A vendor delegation's pattern for a container-name glob (<c>sensor-*</c>).</summary>
    public static string VendorPattern(string containerGlob) => $"sources/{containerGlob}/*/module.wasm";

    public static string CompilerRole(string deviceClass) => $"compiler-{deviceClass}";

    public static string VendorRole(string vendor) => $"vendor-{vendor}";
}
