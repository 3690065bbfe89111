using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Remote;

/// <summary>Everything one remote repository can do (the ORAS <c>IRepository</c> shape).</summary>
public interface IRepository : ITarget, IDeleter, ITagLister, IReferrerLister, IMounter
{
    /// <summary>Fetches a manifest by tag or digest; the content is verified and held in memory.</summary>
    Task<(Descriptor Descriptor, Stream Content)> FetchAsync(string reference, CancellationToken cancellationToken = default);

    /// <summary>Pushes a manifest under a tag (or digest) in one request.</summary>
    Task PushAsync(Descriptor expected, Stream content, string reference, CancellationToken cancellationToken = default);
}

/// <summary>Whether a registry serves <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>.</summary>
public enum ReferrersSupport
{
    Unknown,
    Supported,
    /// <summary>Referrers are kept in the <c>sha256-&lt;hex&gt;</c> tag index by the client.</summary>
    Unsupported,
}
