using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Hosting;

/// <summary>Codes of the problems <see cref="OtaServerOptions.Validate"/> reports; the path is the option's name.</summary>
public static class OtaOptionProblemCodes
{
    public const string Required = "required";
    public const string InvalidPath = "invalid-path";
    public const string InvalidListenUrl = "invalid-listen-url";
    public const string InvalidOrigin = "invalid-origin";
    public const string OutOfRange = "out-of-range";
    public const string FileNotFound = "file-not-found";
    public const string InvalidToken = "invalid-token";
    public const string InvalidStore = "invalid-store";
    public const string InvalidBlobLocation = "invalid-blob-location";
}

/// <summary>
/// Everything the OTA service needs to run (docs/ota-server.md, "Configuration"). Immutable; <see cref="Validate"/>
/// reports every problem at once. Loadable from a JSON file with the same camelCase names (<see cref="OtaServerOptionsFile"/>);
/// TimeSpans are written "01:00:00".
/// </summary>
public sealed record OtaServerOptions
{
    /// <summary>Root folder: the database, the session key, and the other libraries' files (ota-server/README.md).</summary>
    public string DataDirectory { get; init; } = "ota-data";

    /// <summary>Where the records live: null (the default) = the embedded LiteDB database in <see cref="DataDirectory"/>;
    /// <c>postgres://user@host:port/database</c> = PostgreSQL (the password from the URL, <c>PGPASSWORD</c> or a pgpass file).
    /// The data folder still holds keys, bundles and metadata files either way.</summary>
    public string? Store { get; init; }

    /// <summary>Where cut bundles and the cut index live: null (the default) = <c>DATA/bundles</c>;
    /// <c>s3://[ACCESS:SECRET@]BUCKET[/PREFIX]?endpoint=…</c> = an S3-compatible object store replicas share (docs/object-store.md;
    /// credentials best from <c>AWS_ACCESS_KEY_ID</c> / <c>AWS_SECRET_ACCESS_KEY</c>). The bucket must exist: the server checks it at start.</summary>
    public string? Blobs { get; init; }

    /// <summary>Answer bundle GETs with <c>307</c> to a presigned object store URL (valid <see cref="BundleRedirectExpiry"/>)
    /// instead of streaming them. Needs <see cref="Blobs"/>; off by default.</summary>
    public bool RedirectBundleDownloads { get; init; }

    /// <summary>How long a redirect's presigned URL works (1 s – 7 days; short, as it is handed to one download).</summary>
    public TimeSpan BundleRedirectExpiry { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>127.0.0.1:8080</c>, <c>http://…</c> or <c>https://…</c> (https needs <see cref="CertificatePath"/>). Port 0 picks a free port.</summary>
    public string ListenUrl { get; init; } = "http://127.0.0.1:8080";

    /// <summary>
    /// The origin devices sign in their auth challenge (<c>https://ota.example.com:443</c>): what they connect to, the
    /// proxy's address when one terminates TLS. Null: the address Kestrel listens on (right without a proxy).
    /// </summary>
    public string? PublicOrigin { get; init; }

    /// <summary>PEM certificate (chain) for HTTPS; with <see cref="CertificateKeyPath"/>, the PEM private key.</summary>
    public string? CertificatePath { get; init; }

    public string? CertificateKeyPath { get; init; }

    /// <summary>The first admin token, when it should not be generated (<c>atym_ID_SECRET</c>); used only on an empty data folder.</summary>
    public string? AdminToken { get; init; }

    /// <summary>The OCI registry releases are imported from (<c>host:port</c> or a URL). Null: no release, assignment or bundle endpoints.</summary>
    public string? Registry { get; init; }

    /// <summary>Public key files of the vendors whose signatures allow importing a container (relative to the config file).</summary>
    public IReadOnlyList<string> VendorKeyFiles { get; init; } = [];

    /// <summary>
    /// A policy folder (docs/policies.md) the server enforces at release import, deployment creation and every rollout
    /// wave, reloaded when its files change (the last good set keeps serving when a change is broken; <c>/readyz</c> says
    /// so). Null: no policy is enforced, as before policies existed.
    /// </summary>
    public string? Policies { get; init; }

    /// <summary>What the poll answer tells devices to wait between polls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Each device's poll interval is this share (0..50 %) above or below <see cref="PollInterval"/>, fixed per
    /// device, so a fleet does not poll in lockstep (a group's own setting replaces both: <c>PUT /api/v1/groups/{group}/settings</c>).</summary>
    public int PollJitterPercent { get; init; } = 10;

    /// <summary>Device session lifetime (trust model §8: 1 h).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Auth challenge lifetime (trust model §8: 60 s).</summary>
    public TimeSpan ChallengeLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-device request budget: this many requests per <see cref="DeviceRateWindow"/>, then 429 with Retry-After.</summary>
    public int DeviceRateLimit { get; init; } = 60;

    public TimeSpan DeviceRateWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a pending device waits before asking again (the enrolment answer's retryAfterSeconds).</summary>
    public TimeSpan PendingRetry { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The hawkBit DDI controller API (docs/ddi.md): its tenant, which controller credentials are on, the default
    /// class of new targets. Null (the default): no DDI endpoints.</summary>
    public Ddi.DdiOptions? Ddi { get; init; }

    public IReadOnlyList<Problem> Validate()
    {
        var errors = new List<Problem>();
        void Add(string code, string path, string message) => errors.Add(new Problem(code, path, message));
        if (string.IsNullOrWhiteSpace(DataDirectory)) Add(OtaOptionProblemCodes.Required, "dataDirectory", "required");
        else if (DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0) Add(OtaOptionProblemCodes.InvalidPath, "dataDirectory", $"'{DataDirectory}' is not a valid path");
        if (Store is not null)
        {
            try
            {
                AtymSecure.Postgres.PostgresConnectionUrl.ToConnectionString(Store);
            }
            catch (FormatException e)
            {
                Add(OtaOptionProblemCodes.InvalidStore, "store", e.Message + " (leave it out for the embedded LiteDB store)");
            }
        }
        if (Blobs is not null && !ObjectStore.ObjectStoreLocation.TryParse(Blobs, out _, out _, out var blobsError))
            Add(OtaOptionProblemCodes.InvalidBlobLocation, "blobs", blobsError + " (leave it out for bundles in the data folder)");
        if (RedirectBundleDownloads && Blobs is null)
            Add(OtaOptionProblemCodes.Required, "blobs", "redirectBundleDownloads needs blobs in an object store (an s3:// URL)");
        if (BundleRedirectExpiry < TimeSpan.FromSeconds(1) || BundleRedirectExpiry > TimeSpan.FromDays(7))
            Add(OtaOptionProblemCodes.OutOfRange, "bundleRedirectExpiry", "must be between 1 second and 7 days (the presigned URL limit)");
        var listen = NormalizedListenUrl();
        if (listen is null) Add(OtaOptionProblemCodes.InvalidListenUrl, "listenUrl", $"'{ListenUrl}' is not host:port or an http(s) URL with a port");
        else if (listen.StartsWith("https://", StringComparison.Ordinal) && CertificatePath is null)
            Add(OtaOptionProblemCodes.Required, "certificatePath", "an https listen URL needs a certificate");
        else if (PublicOrigin is null && Uri.TryCreate(listen, UriKind.Absolute, out var bound) && bound.Host is "0.0.0.0" or "[::]" or "::" or "*" or "+")
            Add(OtaOptionProblemCodes.Required, "publicOrigin", "listening on every interface: say which origin devices connect to (they sign it)");
        if (PublicOrigin is not null && NormalizeOrigin(PublicOrigin) is null)
            Add(OtaOptionProblemCodes.InvalidOrigin, "publicOrigin", $"'{PublicOrigin}' is not an http(s) origin without a path");
        foreach (var (name, path) in new[] { ("certificatePath", CertificatePath), ("certificateKeyPath", CertificateKeyPath) })
            if (path is not null && !File.Exists(path)) Add(OtaOptionProblemCodes.FileNotFound, name, $"file '{path}' does not exist");
        if (Registry is not null && VendorKeyFiles.Count == 0)
            Add(OtaOptionProblemCodes.Required, "vendorKeyFiles", "importing releases from a registry needs at least one vendor public key");
        for (var i = 0; i < VendorKeyFiles.Count; i++)
            if (!File.Exists(VendorKeyFiles[i])) Add(OtaOptionProblemCodes.FileNotFound, $"vendorKeyFiles[{i}]", $"file '{VendorKeyFiles[i]}' does not exist");
        if (Policies is not null && !Directory.Exists(Policies)) Add(OtaOptionProblemCodes.FileNotFound, "policies", $"policy folder '{Policies}' does not exist");
        if (CertificateKeyPath is not null && CertificatePath is null) Add(OtaOptionProblemCodes.Required, "certificatePath", "a key without a certificate");
        if (AdminToken is not null && !Auth.OperatorTokenText.TryParse(AdminToken, out _, out _))
            Add(OtaOptionProblemCodes.InvalidToken, "adminToken", "not an operator token (atym_ + 8 hex + _ + 43 base64url characters)");
        void Positive(string name, TimeSpan value, TimeSpan max)
        {
            if (value < TimeSpan.FromSeconds(1) || value > max) Add(OtaOptionProblemCodes.OutOfRange, name, $"must be 1 s..{max}");
        }
        Positive("pollInterval", PollInterval, TimeSpan.FromDays(1));
        Positive("sessionLifetime", SessionLifetime, TimeSpan.FromDays(1));
        Positive("challengeLifetime", ChallengeLifetime, TimeSpan.FromMinutes(10));
        Positive("deviceRateWindow", DeviceRateWindow, TimeSpan.FromDays(1));
        Positive("pendingRetry", PendingRetry, TimeSpan.FromDays(1));
        if (PollJitterPercent is < 0 or > Devices.PollIntervals.MaxJitterPercent)
            Add(OtaOptionProblemCodes.OutOfRange, "pollJitterPercent", $"must be 0..{Devices.PollIntervals.MaxJitterPercent}");
        if (DeviceRateLimit is < 1 or > 1_000_000) Add(OtaOptionProblemCodes.OutOfRange, "deviceRateLimit", "must be 1..1000000");
        if (Ddi is not null) errors.AddRange(Ddi.Validate());
        return errors;
    }

    public OtaServerOptions EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new InvalidOptionsException("OTA server", errors);
        return this;
    }

    /// <summary><see cref="ListenUrl"/> with a scheme (<c>http://</c> assumed), or null when unusable.</summary>
    public string? NormalizedListenUrl()
    {
        if (string.IsNullOrWhiteSpace(ListenUrl)) return null;
        var text = ListenUrl.Contains("://", StringComparison.Ordinal) ? ListenUrl : "http://" + ListenUrl;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https") || uri.IsDefaultPort && !text.Contains(":" + uri.Port, StringComparison.Ordinal)) return null;
        if (uri.AbsolutePath != "/") return null;
        return text.TrimEnd('/');
    }

    /// <summary>scheme://host:port of an origin text, or null when it is not one.</summary>
    public static string? NormalizeOrigin(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return null;
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0) return null;
        return AtymSecure.Formats.DeviceProtocol.DeviceSigningInputs.Origin(uri);
    }
}
