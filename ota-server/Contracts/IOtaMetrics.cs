namespace AtymSecure.OtaContracts;

/// <summary>How a bundle was served: the whole image, or a delta from what the device reported confirmed.</summary>
public enum BundleKind
{
    Full,
    Delta,
}

/// <summary>
/// The counters OTA libraries report into the service's metrics (<c>/metrics</c>, docs/ota-server.md "Metrics").
/// The host implements it over OpenTelemetry; libraries take it from DI and never see the exporter.
/// </summary>
public interface IOtaMetrics
{
    /// <summary>Bytes of bundle content written to a client (<c>atym_ota_bundle_bytes_total{kind}</c>), counted as sent, ranges included.</summary>
    void BundleBytesServed(BundleKind kind, long bytes);

    /// <summary>Rollout deployments now active — awaiting approval, scheduled, running or paused (<c>atym_ota_active_deployments</c>); set by the rollouts library.</summary>
    void SetActiveDeployments(long count);
}
