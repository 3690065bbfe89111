using AtymSecure.OtaStore.LiteDb;
using AtymSecure.OtaStore.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaStore;

/// <summary>Registers the OTA store: the embedded LiteDB one (the default) or PostgreSQL, each one database per process and
/// every store interface over it. A store interface added here must be registered by both.</summary>
public static class OtaStoreServices
{
    /// <summary>The LiteDB store: one <see cref="OtaDatabase"/> in the data folder.</summary>
    public static IServiceCollection AddOtaLiteDbStore(this IServiceCollection services, string dataDirectory)
    {
        services.AddSingleton(_ => new OtaDatabase(dataDirectory));
        services.AddSingleton<IOperatorTokenStore, LiteDbOperatorTokenStore>();
        services.AddSingleton<IEnrollmentTokenStore, LiteDbEnrollmentTokenStore>();
        services.AddSingleton<IDeviceStore, LiteDbDeviceStore>();
        services.AddSingleton<IPreauthorizedKeyStore, LiteDbPreauthorizedKeyStore>();
        services.AddSingleton<IDeviceReportStore, LiteDbDeviceReportStore>();
        services.AddSingleton<IAuditLog, LiteDbAuditLog>();
        services.AddSingleton<IReleaseStore, LiteDbReleaseStore>();
        services.AddSingleton<IJobStore, LiteDbJobStore>();
        services.AddSingleton<IAssignmentStore, LiteDbAssignmentStore>();
        services.AddSingleton<IDeploymentStore, LiteDbDeploymentStore>();
        services.AddSingleton<IGroupSettingsStore, LiteDbGroupSettingsStore>();
        services.AddSingleton<IDdiStore, LiteDbDdiStore>();
        services.AddSingleton<IRolloutLock>(SingleProcessRolloutLock.Instance);
        services.AddSingleton(StoreSharing.SingleProcess);
        return services;
    }

    /// <summary>The PostgreSQL store: one <see cref="PostgresDatabase"/> (connection pool, schema migrated when first resolved)
    /// for <paramref name="connection"/>, a <c>postgres://</c> URL or an Npgsql connection string.</summary>
    public static IServiceCollection AddOtaPostgresStore(this IServiceCollection services, string connection)
    {
        services.AddSingleton(_ => new PostgresDatabase(connection));
        services.AddSingleton<IOperatorTokenStore, PostgresOperatorTokenStore>();
        services.AddSingleton<IEnrollmentTokenStore, PostgresEnrollmentTokenStore>();
        services.AddSingleton<IDeviceStore, PostgresDeviceStore>();
        services.AddSingleton<IPreauthorizedKeyStore, PostgresPreauthorizedKeyStore>();
        services.AddSingleton<IDeviceReportStore, PostgresDeviceReportStore>();
        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        services.AddSingleton<IReleaseStore, PostgresReleaseStore>();
        services.AddSingleton<IJobStore, PostgresJobStore>();
        services.AddSingleton<IAssignmentStore, PostgresAssignmentStore>();
        services.AddSingleton<IDeploymentStore, PostgresDeploymentStore>();
        services.AddSingleton<IGroupSettingsStore, PostgresGroupSettingsStore>();
        services.AddSingleton<IDdiStore, PostgresDdiStore>();
        services.AddSingleton<IRolloutLock, PostgresRolloutLock>();
        services.AddSingleton(StoreSharing.Replicas);
        return services;
    }
}
