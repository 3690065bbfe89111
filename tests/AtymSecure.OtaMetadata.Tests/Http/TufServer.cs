using AtymSecure.OtaMetadata.Http;
using AtymSecure.OtaMetadata.Repository;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaMetadata.Tests.Http;

/// <summary>Kestrel on 127.0.0.1 (a free port) serving <see cref="TufEndpoints"/> over a repository: real HTTP for real clients.</summary>
internal sealed class TufServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TufServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public Uri MetadataUrl => new(BaseUrl, TufEndpoints.MetadataPrefix);

    public Uri TargetsUrl => new(BaseUrl, TufEndpoints.TargetsPrefix);

    public static async Task<TufServer> StartAsync(ImageRepository repository)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(repository);
        var app = builder.Build();
        app.MapTufEndpoints();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TufServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
