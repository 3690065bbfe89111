using System.Security.Cryptography;
using System.Text;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Cli.Up;

/// <summary>
/// The files <c>atym up</c> keeps for itself in <c>DATA/up/</c>, so a second run on the same folder resumes: the admin
/// token the OTA server printed once, the fleet enrolment token, and the passphrase of the demo's offline TUF keys and vendor
/// key (random, owner-only). This is a local demo's convenience — a production operator keeps these apart and offline.
/// </summary>
internal sealed class UpState(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Folder => Path.Combine(Root, "up");

    public string RegistryData => Path.Combine(Root, "registry");

    public string OtaData => Path.Combine(Root, "ota");

    public string OfflineTuf => Path.Combine(Root, "tuf-offline");

    public string FleetData => Path.Combine(Root, "fleet");

    public string VendorKeyPrefix => Path.Combine(Folder, "vendor");

    public string? AdminToken
    {
        get => Read("admin.token");
        set => Write("admin.token", value!);
    }

    public string? EnrollmentToken
    {
        get => Read("enroll.token");
        set => Write("enroll.token", value!);
    }

    /// <summary>The demo keys' passphrase (made on first use).</summary>
    public PassphraseSource Passphrase
    {
        get
        {
            if (Read("passphrase") is not { } secret) Write("passphrase", secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
            return PassphraseSource.FromValue(secret);
        }
    }

    private string? Read(string name)
    {
        var path = Path.Combine(Folder, name);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    private void Write(string name, string value)
    {
        Directory.CreateDirectory(Folder);
        AtomicFile.Write(Path.Combine(Folder, name), Encoding.UTF8.GetBytes(value + "\n"), new AtomicWriteOptions { OwnerOnly = true });
    }
}
