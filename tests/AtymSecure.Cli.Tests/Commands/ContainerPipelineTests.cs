using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// The issue-3 path through the CLI only: build a sample, push it to our registry, sign, attest,
/// verify; then compile for a device class and cut a delta bundle against the previous version —
/// only of signed containers, reusing the verified compiled output.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ContainerPipelineTests : IAsyncLifetime
{
    private readonly TempFolder _folder = TempFolder.Create("pipeline");
    private readonly LoopbackRegistry _registry = new();

    public async Task InitializeAsync()
    {
        await _registry.InitializeAsync();
        Environment.SetEnvironmentVariable("ATYM_KEY_PASSPHRASE", "pipeline-test");
        Environment.SetEnvironmentVariable("SOURCE_DATE_EPOCH", "1764000000");
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _folder.Dispose();
    }

    private static async Task<string> Ok(params string[] args)
    {
        var r = await CliRunner.RunAsync(args);
        Assert.True(r.ExitCode == 0, $"atym {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}{r.StdOut}");
        return r.StdOut;
    }

    [Fact]
    public async Task Build_push_sign_attest_verify_compile_and_bundle()
    {
        var key = _folder.File("dev");
        await Ok("keygen", key);
        var other = _folder.File("other");
        await Ok("keygen", other, "--algorithm", "ed25519");

        foreach (var (sample, version) in new[] { ("sensor-filter", "1.0.0"), ("sensor-filter-v1.1.0", "1.1.0") })
        {
            var layout = _folder.File(sample);
            var built = await Ok("build", Path.Combine(RepositoryRoot.Samples, sample), "-o", layout);
            var rebuilt = await Ok("build", Path.Combine(RepositoryRoot.Samples, sample), "-o", layout + "-again");
            Assert.Equal(built.Split("Digest: ")[1], rebuilt.Split("Digest: ")[1]); // deterministic
            await Ok("copy", $"oci:{layout}:{version}", $"{_registry.Host}/samples/sensor-filter:{version}");
        }
        var reference = $"{_registry.Host}/samples/sensor-filter:1.0.0";
        Assert.Contains("sensor-filter", await Ok("inspect", reference));

        var unsigned = await CliRunner.RunAsync("verify", reference, "--key", key + ".pub");
        Assert.NotEqual(0, unsigned.ExitCode);

        // Before, `atym bundle --key` signed whatever the registry returned.
        var unsignedCut = await CliRunner.RunAsync("bundle", reference, "--device-class", "portable-pulley64", "--key", key + ".key",
            "--trust", key + ".pub", "--output", _folder.File("unsigned.bundle"));
        Assert.Equal(1, unsignedCut.ExitCode);
        Assert.Contains($"UntrustedContainerException: refusing to cut a bundle of {reference}: the container is not signed", unsignedCut.StdErr);
        Assert.False(File.Exists(_folder.File("unsigned.bundle")));
        var noTrust = await CliRunner.RunAsync("bundle", reference, "--device-class", "portable-pulley64", "--key", key + ".key",
            "--output", _folder.File("unsigned.bundle"));
        Assert.NotEqual(0, noTrust.ExitCode);
        Assert.Contains("--trust", noTrust.StdErr + noTrust.StdOut);

        await Ok("sign", reference, "--key", key + ".key", "--legacy-cosign");
        await Ok("sign", $"{_registry.Host}/samples/sensor-filter:1.1.0", "--key", key + ".key");
        var untrustedCut = await CliRunner.RunAsync("bundle", reference, "--device-class", "portable-pulley64", "--key", key + ".key",
            "--trust", other + ".pub", "--output", _folder.File("untrusted.bundle"));
        Assert.Equal(1, untrustedCut.ExitCode);
        Assert.Contains("the container is signed only by keys that are not trusted (--trust)", untrustedCut.StdErr);
        Assert.False(File.Exists(_folder.File("untrusted.bundle")));
        await Ok("attest", reference, "--key", key + ".key");
        var verified = await Ok("verify", reference, "--key", key + ".pub");
        Assert.Contains("https://slsa.dev/provenance/v1", verified);
        Assert.Contains("https://cyclonedx.org/bom", verified);
        Assert.Contains("Verified sha256:", verified);

        var wrongKey = await CliRunner.RunAsync("verify", reference, "--key", other + ".pub");
        Assert.NotEqual(0, wrongKey.ExitCode);

        var compiled = await Ok("compile", reference, "--device-class", "portable-pulley64", "--key", key + ".key");
        Assert.Contains("Output:   sha256:", compiled);
        Assert.Contains("application/vnd.atym.aot.v1", await Ok("referrers", reference));

        var bundle = _folder.File("update.bundle");
        var cut = await Ok("bundle", $"{_registry.Host}/samples/sensor-filter:1.1.0", "--device-class", "portable-pulley64",
            "--from", reference, "--key", key + ".key", "--trust", key + ".pub", "--output", bundle);
        Assert.Contains("Delta", cut);
        // The base (1.0.0) was compiled and attached above: its output is reused, not compiled again.
        Assert.Contains($"reused compiled output {compiled.Split("Output:   ")[1].Split('\n')[0].Trim()}", cut);
        Assert.Contains("container image: WasmtimePulley code, grants [log, sensor:temp0, publish:telemetry/temp]", cut);
        Assert.True(File.Exists(bundle));

        // A deployment may grant less than the container asks for, never more.
        var reduced = _folder.File("reduced.bundle");
        var granted = await Ok("bundle", reference, "--device-class", "portable-pulley64", "--grant", "sensor:temp0", "--grant", "log",
            "--key", key + ".key", "--trust", key + ".pub", "--output", reduced);
        Assert.Contains("Full (None)", granted);
        Assert.Contains("grants [log, sensor:temp0]", granted);
        var tooMuch = await CliRunner.RunAsync("bundle", reference, "--device-class", "portable-pulley64", "--grant", "gpio:4",
            "--key", key + ".key", "--trust", key + ".pub", "--output", _folder.File("refused.bundle"));
        Assert.Equal(1, tooMuch.ExitCode);
        Assert.Contains("cannot grant 'gpio:4': sensor-filter 1.0.0 asks only for [log, sensor:temp0, publish:telemetry/temp]", tooMuch.StdErr);
        Assert.False(File.Exists(_folder.File("refused.bundle")));
        var malformed = await CliRunner.RunAsync("bundle", reference, "--device-class", "portable-pulley64", "--grant", "root",
            "--key", key + ".key", "--trust", key + ".pub", "--output", _folder.File("refused.bundle"));
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("invalid capability 'root'", malformed.StdErr);

        // A recovery bundle (bundle format 2): its code is native (Pulley), so it carries the compiler key's signature
        // next to the recovery key's (docs/trust-model.md §3 step 13).
        var recovery = _folder.File("recovery.bundle");
        var recoveryCut = await Ok("bundle", reference, "--device-class", "portable-pulley64", "--recovery",
            "--key", key + ".key", "--key", other + ".key", "--trust", key + ".pub", "--output", recovery);
        Assert.Contains("RECOVERY bundle of sensor-filter 1.0.0", recoveryCut);
        await using var recoveryFile = File.OpenRead(recovery);
        var envelope = AtymSecure.Formats.Bundle.BundleEnvelope.Read(recoveryFile);
        Assert.True(envelope.Header.Recovery);
        var device = AtymSecure.Formats.Bundle.BundleTrustAnchors.Of(
            AtymSecure.Formats.Bundle.TrustedBundleKey.Recovery(AtymSecure.Formats.Crypto.VerificationKey.FromFile(other + ".pub")),
            AtymSecure.Formats.Bundle.TrustedBundleKey.Compiler(AtymSecure.Formats.Crypto.VerificationKey.FromFile(key + ".pub")));
        Assert.Equal(AtymSecure.Formats.Bundle.BundleKeyRole.Recovery, AtymSecure.Formats.Bundle.BundleSignerCheck.Check(envelope, device).Signer?.Role);
    }
}
