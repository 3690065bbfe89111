using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Copying;

/// <summary>How <see cref="Copier"/> copies a graph; the callbacks may be called from several threads at once.</summary>
public sealed record CopyOptions
{
    /// <summary>Transfers (blob or manifest fetch/push) in flight at once.</summary>
    public int Concurrency { get; init; } = 3;

    /// <summary>Also copy referrers of the root, and referrers of those referrers, recursively.</summary>
    public bool IncludeReferrers { get; init; }

    /// <summary>Only referrers of this artifact type (their own referrers are still followed regardless). Null for all.</summary>
    public string? ReferrersArtifactType { get; init; }

    /// <summary>Use cross-repository mount when both ends are repositories on the same registry. Null = automatic (yes).</summary>
    public bool? Mount { get; init; }

    /// <summary>A transfer begins (content not in the destination yet).</summary>
    public Action<Descriptor>? OnStarted { get; init; }

    /// <summary>Bytes of this descriptor read from the source so far.</summary>
    public Action<Descriptor, long>? OnProgress { get; init; }

    /// <summary>The descriptor is now in the destination.</summary>
    public Action<Descriptor>? OnCopied { get; init; }

    /// <summary>The destination already had it (for a manifest: its whole subtree is skipped).</summary>
    public Action<Descriptor>? OnSkipped { get; init; }

    /// <summary>A descriptor was mounted instead of transferred.</summary>
    public Action<Descriptor>? OnMounted { get; init; }
}
