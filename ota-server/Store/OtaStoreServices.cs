using AtymSecure.OtaStore.LiteDb;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaStore;

/// <summary>Registers the embedded (LiteDB) store: one <see cref="OtaDatabase"/> in the data folder and every store over it.</summary>
public static class OtaStoreServices
{
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
        return services;
    }
}
