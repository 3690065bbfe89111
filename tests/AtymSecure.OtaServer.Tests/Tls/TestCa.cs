using System.Security.Cryptography.X509Certificates;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaServer.Tests.Tls;

/// <summary>A CA and server certificate made by make-test-ca.sh (openssl), and an HttpClient handler that trusts only that CA.</summary>
public sealed class TestCa : IDisposable
{
    private readonly TempFolder _folder;

    private TestCa(TempFolder folder) => _folder = folder;

    public string CaPath => _folder.File("ca.pem");

    public string CertificatePath => _folder.File("server.pem");

    public string KeyPath => _folder.File("server.key");

    public static async Task<TestCa> MakeAsync()
    {
        var folder = TempFolder.Create("ota-tls");
        var script = Path.Combine(RepositoryRoot.Path, "tests", "AtymSecure.OtaServer.Tests", "Tls", "make-test-ca.sh");
        var result = await ExternalTool.RunAsync("sh", [script, folder.Path], TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        Assert.True(result.ExitCode == 0, $"make-test-ca.sh failed:\n{result.StdOut}\n{result.StdErr}");
        return new TestCa(folder);
    }

    /// <summary>Validates the server's chain against this CA alone (not the system store), host name included.</summary>
    public HttpClientHandler TrustingHandler()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaPath);
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
    }

    public void Dispose() => _folder.Dispose();
}
