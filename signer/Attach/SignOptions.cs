using AtymSecure.Signer.Verification;

namespace AtymSecure.Signer.Attach;

/// <summary>How <see cref="ArtifactSigner"/> signs and attaches.</summary>
public sealed record SignOptions
{
    /// <summary>Statement subject name; defaults to the repository name. Informational: the digest binds.</summary>
    public string? SubjectName { get; init; }

    /// <summary>DSSE + in-toto statement (default, cosign v3) or a message signature over the manifest bytes.</summary>
    public BundleContent Content { get; init; } = BundleContent.DsseEnvelope;

    /// <summary>Also write the cosign <c>sha256-&lt;hex&gt;.sig</c> tag layout for older cosign clients.</summary>
    public bool LegacyCosign { get; init; }

    /// <summary>The <c>org.opencontainers.image.created</c> annotation; defaults to now (signing time).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary><c>docker-reference</c> written into the legacy simple-signing payload (informational).</summary>
    public string? DockerReference { get; init; }
}
