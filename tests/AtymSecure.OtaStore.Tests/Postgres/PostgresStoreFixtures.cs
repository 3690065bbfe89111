using AtymSecure.OtaStore.Postgres;
using AtymSecure.OtaStore.Tests.Contract;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaStore.Tests.Postgres;

/// <summary>
/// A fresh database on the test run's PostgreSQL server (<see cref="PostgresServer.Shared"/>) per fixture, dropped at
/// the end; <see cref="Open"/> connects (migrating the schema) and <see cref="Reopen"/> closes the pool and connects
/// again, a process restart. The contract fixtures below hand out the PostgreSQL stores over it.
/// </summary>
public class PostgresDatabaseFixture : IDisposable
{
    private PostgresDatabase? _database;

    public PostgresDatabaseFixture() => Name = PostgresServer.Shared.CreateDatabase("ota_store");

    public string Name { get; }

    public string ConnectionString => PostgresServer.Shared.ConnectionString(Name);

    public PostgresDatabase OpenDatabase()
    {
        _database?.Dispose();
        _database = new PostgresDatabase(ConnectionString);
        return _database;
    }

    public void Dispose()
    {
        _database?.Dispose();
        PostgresServer.Shared.DropDatabase(Name);
        GC.SuppressFinalize(this);
    }
}

public sealed class PostgresStoreFixture : PostgresDatabaseFixture, IStoreFixture
{
    public StoreSet Open()
    {
        var database = OpenDatabase();
        return new StoreSet(new PostgresOperatorTokenStore(database), new PostgresEnrollmentTokenStore(database), new PostgresDeviceStore(database),
            new PostgresPreauthorizedKeyStore(database), new PostgresDeviceReportStore(database), new PostgresAuditLog(database),
            new PostgresGroupSettingsStore(database), new PostgresDdiStore(database));
    }

    public StoreSet Reopen() => Open();
}

public sealed class PostgresReleaseStoresFixture : PostgresDatabaseFixture, IReleaseStoresFixture
{
    public (IReleaseStore Releases, IJobStore Jobs, IAssignmentStore Assignments) Open()
    {
        var database = OpenDatabase();
        return (new PostgresReleaseStore(database), new PostgresJobStore(database), new PostgresAssignmentStore(database));
    }

    public (IReleaseStore Releases, IJobStore Jobs, IAssignmentStore Assignments) Reopen() => Open();
}

public sealed class PostgresDeploymentStoreFixture : PostgresDatabaseFixture, IDeploymentStoreFixture
{
    public (IDeploymentStore Deployments, IAuditLog Audit) Open()
    {
        var database = OpenDatabase();
        return (new PostgresDeploymentStore(database), new PostgresAuditLog(database));
    }

    public (IDeploymentStore Deployments, IAuditLog Audit) Reopen() => Open();
}

[Trait("Requires", "postgres")]
public sealed class PostgresTokenStoreTests() : TokenStoreContract(new PostgresStoreFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresDeviceStoreTests() : DeviceStoreContract(new PostgresStoreFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresReportAndAuditTests() : ReportAndAuditContract(new PostgresStoreFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresReleaseStoresTests() : ReleaseStoresContract(new PostgresReleaseStoresFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresDeploymentStoreTests() : DeploymentStoreContract(new PostgresDeploymentStoreFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresGroupSettingsStoreTests() : GroupSettingsStoreContract(new PostgresStoreFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresDdiStoreTests() : DdiStoreContract(new PostgresStoreFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresJobClaimsTests() : JobClaimsContract(new PostgresReleaseStoresFixture(), claimsEndWithTheProcess: false);
