namespace AtymSecure.ObjectStore;

/// <summary>
/// An access key and its secret (plus a session token for temporary keys). <see cref="ToString"/> shows the access key only,
/// so a credential can be logged by mistake without leaking the secret; the record's generated members are replaced for that reason.
/// </summary>
public sealed record ObjectStoreCredentials(string AccessKey, string SecretKey, string? SessionToken = null)
{
    public const string AccessKeyVariable = "AWS_ACCESS_KEY_ID";
    public const string SecretKeyVariable = "AWS_SECRET_ACCESS_KEY";
    public const string SessionTokenVariable = "AWS_SESSION_TOKEN";

    /// <summary>
    /// The URL's credentials when it had any, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from
    /// <paramref name="environment"/> (default: the process's). Fails with <see cref="ObjectStoreError.InvalidLocation"/> when neither has them.
    /// </summary>
    public static ObjectStoreCredentials Resolve(ObjectStoreCredentials? fromUrl, Func<string, string?>? environment = null)
    {
        if (fromUrl is not null) return fromUrl;
        environment ??= Environment.GetEnvironmentVariable;
        var access = environment(AccessKeyVariable);
        var secret = environment(SecretKeyVariable);
        if (string.IsNullOrEmpty(access) || string.IsNullOrEmpty(secret))
            throw new ObjectStoreException(ObjectStoreError.InvalidLocation, null,
                $"no object store credentials: put ACCESS:SECRET in the s3:// URL's user info or set {AccessKeyVariable} and {SecretKeyVariable}");
        var token = environment(SessionTokenVariable);
        return new ObjectStoreCredentials(access, secret, string.IsNullOrEmpty(token) ? null : token);
    }

    public override string ToString() => $"access key {AccessKey} (secret not shown)";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("AccessKey = ").Append(AccessKey);
        return true;
    }
}
