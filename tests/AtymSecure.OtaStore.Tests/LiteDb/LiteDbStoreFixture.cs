using AtymSecure.OtaStore.LiteDb;
using AtymSecure.OtaStore.Tests.Contract;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaStore.Tests.LiteDb;

/// <summary>The LiteDB stores over a real database file in a fresh temp folder (one per test class instance).</summary>
public sealed class LiteDbStoreFixture : IStoreFixture
{
    private readonly TempFolder _folder = TempFolder.Create("ota-store");
    private OtaDatabase? _database;

    public StoreSet Open()
    {
        _database?.Dispose();
        _database = new OtaDatabase(_folder.Path);
        return new StoreSet(new LiteDbOperatorTokenStore(_database), new LiteDbEnrollmentTokenStore(_database), new LiteDbDeviceStore(_database),
            new LiteDbPreauthorizedKeyStore(_database), new LiteDbDeviceReportStore(_database), new LiteDbAuditLog(_database),
            new LiteDbGroupSettingsStore(_database), new LiteDbDdiStore(_database));
    }

    public StoreSet Reopen() => Open();

    public void Dispose()
    {
        _database?.Dispose();
        _folder.Dispose();
    }
}

public sealed class LiteDbTokenStoreTests() : TokenStoreContract(new LiteDbStoreFixture());

public sealed class LiteDbDeviceStoreTests() : DeviceStoreContract(new LiteDbStoreFixture());

public sealed class LiteDbReportAndAuditTests() : ReportAndAuditContract(new LiteDbStoreFixture());

public sealed class LiteDbGroupSettingsStoreTests() : GroupSettingsStoreContract(new LiteDbStoreFixture());

public sealed class LiteDbDdiStoreTests() : DdiStoreContract(new LiteDbStoreFixture());
