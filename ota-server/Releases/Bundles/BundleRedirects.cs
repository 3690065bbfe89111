namespace AtymSecure.OtaReleases.Bundles;

/// <summary>Registered only with <c>redirectBundleDownloads</c>: bundle GETs answer <c>307</c> to <see cref="Source"/>'s
/// presigned URL, valid <see cref="Expiry"/>, instead of streaming the bytes through the server.</summary>
public sealed record BundleRedirects(IBundleDownloadRedirects Source, TimeSpan Expiry);
