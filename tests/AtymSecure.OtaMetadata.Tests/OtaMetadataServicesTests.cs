using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.OtaMetadata.Status;
using AtymSecure.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaMetadata.Tests;

public sealed class OtaMetadataServicesTests : IDisposable
{
    private readonly TempFolder _data = TempFolder.Create("ota-metadata-services");

    public void Dispose() => _data.Dispose();

    [Fact]
    public void AddOtaMetadata_registers_the_library_over_the_data_folder_with_a_key_per_online_role()
    {
        var services = new ServiceCollection().AddLogging(l => l.ClearProviders());
        services.AddOtaMetadata(new OtaMetadataOptions { DataFolder = _data.Path });
        using var provider = services.BuildServiceProvider();

        var keys = provider.GetRequiredService<IOnlineKeyStore>();
        Assert.All(OnlineRoleNames.All, role => Assert.Single(keys.Keys(role)));
        Assert.Same(provider.GetRequiredService<UptaneDirector>().Signer, provider.GetRequiredService<DirectorTargetsSigner>());
        Assert.Same(provider.GetRequiredService<ImageRepository>(), provider.GetRequiredService<ICompilerSigningKey>());
        var resigning = Assert.Single(provider.GetServices<IHostedService>().OfType<MetadataResigningService>());
        Assert.Same(provider.GetRequiredService<TufExpiryMetrics>(), resigning.Metrics);
        Assert.True(File.Exists(Path.Combine(_data.Path, "tuf", "keys", "director-targets.1.key")));
        Assert.True(Directory.Exists(Path.Combine(_data.Path, "tuf", "image", "metadata")));
    }
}
