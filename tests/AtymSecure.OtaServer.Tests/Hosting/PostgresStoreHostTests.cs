using System.Net;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.Postgres;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Hosting;

/// <summary>The OTA server with <c>store = postgres://…</c> on a real PostgreSQL server: the wiring, end to end in process.</summary>
[Trait("Requires", "postgres")]
public sealed class PostgresStoreHostTests : IDisposable
{
    private readonly string _database = PostgresServer.Shared.CreateDatabase("ota_host");

    public void Dispose() => PostgresServer.Shared.DropDatabase(_database);

    [Fact]
    public async Task A_device_enrols_and_polls_with_its_records_in_postgres_and_they_survive_a_restart()
    {
        await using var server = await OtaTestServer.StartAsync(o => o with { Store = PostgresServer.Shared.Url(_database) });
        Assert.IsType<PostgresDeviceStore>(server.App.Services.GetRequiredService<IDeviceStore>());
        using var device = await new TestDevice(server).ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await device.PollAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await device.ReportAsync(device.Signed(device.Report(TestDevice.NewNonce())))).StatusCode);
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, OtaStore.LiteDb.OtaDatabase.FileName)));

        await server.RestartAsync();
        Assert.Null(server.CreatedAdminToken); // the admin token of the first start is in PostgreSQL
        await device.AuthenticateAsync();
        Assert.Equal(HttpStatusCode.OK, (await device.PollAsync()).StatusCode);
        using var database = new PostgresDatabase(PostgresServer.Shared.ConnectionString(_database));
        Assert.Equal(DeviceState.Active, new PostgresDeviceStore(database).Find(device.Id)!.State);
        Assert.Single(new PostgresDeviceReportStore(database).Recent(device.Id, 10));
    }

    [Fact]
    public void A_store_that_is_not_a_postgres_url_is_refused_with_the_option_named()
    {
        var refused = Assert.Throws<InvalidOptionsException>(() => new OtaServerOptions { Store = "mysql://ota@db/ota" }.EnsureValid());
        var problem = Assert.Single(refused.Problems);
        Assert.Equal((OtaOptionProblemCodes.InvalidStore, "store"), (problem.Code, problem.Path));
    }
}
