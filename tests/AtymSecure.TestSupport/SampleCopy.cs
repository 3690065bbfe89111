using System.Text.RegularExpressions;

namespace AtymSecure.TestSupport;

/// <summary>
/// A copy of a sample folder (samples/) for a test that needs it under another version number, or with a patient
/// health check. The samples' check (3 probes 1 s apart, each within 200 ms of wall-clock time) fails good versions on a
/// 2-core machine shared with other builds: twenty devices trialling at once, or a browser beside six agents, miss the
/// 200 ms. The patient check (2 probes 2 s apart, 1 s each) still fails a probe that fails (sensor-filter-bad) but not
/// one that is merely late. Same module and everything else, so the vendor's listed source still matches.
/// </summary>
public static partial class SampleCopy
{
    /// <summary>The health check every sensor-filter sample's atym.yaml has.</summary>
    public const string SampleHealthCheck = "  intervalMs: 1000\n  timeoutMs: 200\n  passesToConfirm: 3\n";

    /// <summary>The one a patient copy has instead.</summary>
    public const string PatientHealthCheck = "  intervalMs: 2000\n  timeoutMs: 1000\n  passesToConfirm: 2\n";

    /// <summary>Copies samples/<paramref name="sample"/> to <paramref name="to"/>; its atym.yaml then says
    /// <paramref name="version"/> (null: the sample's own) and, with <paramref name="patientHealth"/>, has the patient check.</summary>
    public static void Make(string sample, string to, string? version = null, bool patientHealth = false)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Samples, sample))) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        var yaml = Path.Combine(to, "atym.yaml");
        var text = File.ReadAllText(yaml);
        if (version is not null) text = VersionLine().Replace(text, "version: " + version, 1);
        if (patientHealth)
        {
            if (!text.Contains(SampleHealthCheck, StringComparison.Ordinal)) throw new InvalidOperationException($"{sample}/atym.yaml no longer has the health check this copy slows down");
            text = text.Replace(SampleHealthCheck, PatientHealthCheck, StringComparison.Ordinal);
        }
        File.WriteAllText(yaml, text);
    }

    [GeneratedRegex(@"^version: \S+$", RegexOptions.Multiline)]
    private static partial Regex VersionLine();
}
