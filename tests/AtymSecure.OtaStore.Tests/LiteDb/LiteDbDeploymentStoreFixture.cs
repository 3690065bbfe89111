using AtymSecure.OtaStore.LiteDb;
using AtymSecure.OtaStore.Tests.Contract;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaStore.Tests.LiteDb;

/// <summary>The LiteDB deployment store and audit log over a real database file in a fresh temp folder.</summary>
public sealed class LiteDbDeploymentStoreFixture : IDeploymentStoreFixture
{
    private readonly TempFolder _folder = TempFolder.Create("ota-deployment-store");
    private OtaDatabase? _database;

    public (IDeploymentStore Deployments, IAuditLog Audit) Open()
    {
        _database?.Dispose();
        _database = new OtaDatabase(_folder.Path);
        return (new LiteDbDeploymentStore(_database), new LiteDbAuditLog(_database));
    }

    public (IDeploymentStore Deployments, IAuditLog Audit) Reopen() => Open();

    public void Dispose()
    {
        _database?.Dispose();
        _folder.Dispose();
    }
}

public sealed class LiteDbDeploymentStoreTests() : DeploymentStoreContract(new LiteDbDeploymentStoreFixture());
