namespace AtymSecure.TestSupport;

/// <summary>
/// The test certificate SWUpdate verifies our .swu images with, made by the committed script
/// <c>scripts/swu-test-cert.sh</c> (openssl): one per test process (<see cref="Shared"/>), in a temp folder.
/// <see cref="CertificateFile"/> is what <c>swupdate -k</c> takes, <see cref="KeyFile"/> what the server signs with.
/// Tests using it carry <c>[Trait("Requires", "openssl")]</c>.
/// </summary>
public sealed class SwuTestCertificate
{
    private static readonly Lazy<SwuTestCertificate> Made = new(() => Create(TempFolder.Create("swu-cert")), LazyThreadSafetyMode.ExecutionAndPublication);

    private SwuTestCertificate(string folder)
    {
        CertificateFile = Path.Combine(folder, "swu-cert.pem");
        KeyFile = Path.Combine(folder, "swu-key.pem");
    }

    public static SwuTestCertificate Shared => Made.Value;

    public string CertificateFile { get; }

    public string KeyFile { get; }

    /// <summary>Runs the script into <paramref name="folder"/> (kept for the process: the folder is not disposed here).</summary>
    public static SwuTestCertificate Create(TempFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ExternalTool.Require("openssl", "install the Debian package 'openssl'");
        var result = ExternalTool.RunAsync("bash", [RepositoryRoot.File("scripts/swu-test-cert.sh"), folder.Path]).GetAwaiter().GetResult();
        result.EnsureSuccess("scripts/swu-test-cert.sh");
        return new SwuTestCertificate(folder.Path);
    }
}
