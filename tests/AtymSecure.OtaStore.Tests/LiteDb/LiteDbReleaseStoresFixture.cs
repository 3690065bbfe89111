using AtymSecure.OtaStore.LiteDb;
using AtymSecure.OtaStore.Tests.Contract;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaStore.Tests.LiteDb;

/// <summary>The releases library's LiteDB stores over a real database file in a fresh temp folder.</summary>
public sealed class LiteDbReleaseStoresFixture : IReleaseStoresFixture
{
    private readonly TempFolder _folder = TempFolder.Create("ota-release-store");
    private OtaDatabase? _database;

    public (IReleaseStore Releases, IJobStore Jobs, IAssignmentStore Assignments) Open()
    {
        _database?.Dispose();
        _database = new OtaDatabase(_folder.Path);
        return (new LiteDbReleaseStore(_database), new LiteDbJobStore(_database), new LiteDbAssignmentStore(_database));
    }

    public (IReleaseStore Releases, IJobStore Jobs, IAssignmentStore Assignments) Reopen() => Open();

    public void Dispose()
    {
        _database?.Dispose();
        _folder.Dispose();
    }
}

public sealed class LiteDbReleaseStoresTests() : ReleaseStoresContract(new LiteDbReleaseStoresFixture());

public sealed class LiteDbJobClaimsTests() : JobClaimsContract(new LiteDbReleaseStoresFixture(), claimsEndWithTheProcess: true);
