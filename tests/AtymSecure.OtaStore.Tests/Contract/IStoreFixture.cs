namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>
/// One store implementation under test: a fresh, empty set of stores per <see cref="Open"/> call, and the same data again
/// after <see cref="Reopen"/> (a process restart). The contract classes in this folder are abstract and take one of
/// these, so a PostgreSQL store (issue 17) passes the same tests by adding a fixture and four one-line subclasses.
/// </summary>
public interface IStoreFixture : IDisposable
{
    StoreSet Open();

    /// <summary>Closes the stores <see cref="Open"/> returned and opens the same data again.</summary>
    StoreSet Reopen();
}

/// <summary>The stores of one open database.</summary>
public sealed record StoreSet(
    IOperatorTokenStore Tokens,
    IEnrollmentTokenStore EnrollmentTokens,
    IDeviceStore Devices,
    IPreauthorizedKeyStore PreauthorizedKeys,
    IDeviceReportStore Reports,
    IAuditLog Audit,
    IGroupSettingsStore GroupSettings,
    IDdiStore Ddi);
