namespace AtymSecure.OtaStore;

/// <summary>
/// Told about each version report right after the report endpoint stored it (the rollout engine registers one). A
/// listener that fails does not fail the report: the report is stored, and the listener catches up from the store.
/// </summary>
public interface IDeviceReportListener
{
    Task OnReportStoredAsync(DeviceReport stored, CancellationToken ct = default);
}
