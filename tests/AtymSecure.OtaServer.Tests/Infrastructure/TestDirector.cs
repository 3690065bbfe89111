using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Infrastructure;

/// <summary>The director's offline half as an operator would publish it, so the server signs per-device targets.</summary>
public static class TestDirector
{
    /// <summary>Director root 1 (a fresh root key, the server's online director-targets key), accepted by the server; returns the root key.</summary>
    public static Ed25519MetadataSigner UploadDirectorRoot(this OtaTestServer server)
    {
        var services = server.App.Services;
        var targetsKey = services.GetRequiredService<FileOnlineKeyStore>().EnsureKey(OnlineRole.DirectorTargets)[^1];
        var rootKey = Ed25519MetadataSigner.Generate();
        services.GetRequiredService<UptaneDirector>().AcceptRoot(MetadataSigning.Sign(RootPlan.Build(1, server.Clock.GetUtcNow().AddDays(365),
            new Dictionary<string, RoleAssignment>
            {
                ["root"] = new([rootKey.PublicKey], 1),
                ["targets"] = new([targetsKey.PublicKey], 1),
            }, consistentSnapshot: false), rootKey).ToBytes());
        return rootKey;
    }
}
