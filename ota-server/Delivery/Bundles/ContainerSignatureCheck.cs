using AtymSecure.Delivery.Compilation;
using AtymSecure.Oci.Wire;
using AtymSecure.Signer.Verification;

namespace AtymSecure.Delivery.Bundles;

/// <summary>
/// The first step of every cut: the container version must carry a signature that verifies under a trusted key
/// (signer/Verification, the same check as <c>atym verify</c>). Before it, <c>atym bundle --key</c> signed whatever
/// the registry returned. Returns the verified manifest: the cutter reads the container by that digest, so a tag
/// moved after the check cannot swap what is cut.
/// </summary>
public sealed class ContainerSignatureCheck
{
    private readonly TrustedKeys _trustedKeys;

    /// <param name="trustedKeys">Keys whose signature on a container is enough to cut bundles of it (<c>--trust</c>).</param>
    public ContainerSignatureCheck(TrustedKeys trustedKeys) =>
        _trustedKeys = trustedKeys ?? throw new ArgumentNullException(nameof(trustedKeys));

    /// <exception cref="UntrustedContainerException">Unsigned, signed only by keys not trusted, or a signature that does not verify.</exception>
    public async Task<Descriptor> VerifyAsync(ContainerSource source, CancellationToken ct) =>
        (await VerifyReportAsync(source, ct).ConfigureAwait(false)).Subject;

    /// <summary>As <see cref="VerifyAsync"/>, returning every signature and attestation checked (release import maps the
    /// verified ones to what the trust policy counts: signers and attestations).</summary>
    /// <exception cref="UntrustedContainerException">Unsigned, signed only by keys not trusted, or a signature that does not verify.</exception>
    public async Task<ArtifactVerificationReport> VerifyReportAsync(ContainerSource source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        var report = await ArtifactVerifier.VerifyAsync(source.Store, source.Reference, _trustedKeys, cancellationToken: ct).ConfigureAwait(false);
        try
        {
            report.ThrowIfNotVerified();
        }
        catch (SignatureVerificationException e)
        {
            throw new UntrustedContainerException(source.ToString(), e);
        }
        return report;
    }
}

/// <summary>A container that no trusted key has signed: no bundle is cut from it. <see cref="Failure"/> says why.</summary>
public sealed class UntrustedContainerException : Exception
{
    public UntrustedContainerException(string reference, SignatureVerificationException reason)
        : base($"refusing to cut a bundle of {reference}: {Why(reason?.Failure)} ({reason?.Message})", reason)
    {
        Failure = reason?.Failure;
    }

    public UntrustedContainerException() { }

    public UntrustedContainerException(string message) : base(message) { }

    public UntrustedContainerException(string message, Exception innerException) : base(message, innerException) { }

    public VerificationFailure? Failure { get; }

    private static string Why(VerificationFailure? failure) => failure switch
    {
        VerificationFailure.NoSignatureFound => "the container is not signed",
        VerificationFailure.UntrustedKey => "the container is signed only by keys that are not trusted (--trust)",
        VerificationFailure.BadSignature => "the container's signature does not verify (tampered signature or manifest)",
        VerificationFailure.SubjectMismatch or VerificationFailure.DigestMismatch => "the container's signature is about another artifact",
        _ => $"the container's signature cannot be checked ({failure})",
    };
}
