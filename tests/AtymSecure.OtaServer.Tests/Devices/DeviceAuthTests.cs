using System.Net;
using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Tests.Infrastructure;

namespace AtymSecure.OtaServer.Tests.Devices;

/// <summary>
/// Device authentication negatives (issue 12 §6, trust model §8): another device's session, an expired session, a
/// replayed challenge signature, a wrong origin, a decommissioned or unapproved device, key rotation, rate limits.
/// </summary>
public class DeviceAuthTests
{
    [Fact]
    public async Task A_session_answers_only_its_own_device_and_another_devices_data_is_404()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var alice = await new TestDevice(server).ReadyAsync();
        using var bob = await new TestDevice(server).ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await alice.PollAsync()).StatusCode);
        await ProblemAssert.IsProblemAsync(await alice.PollAsync(asDevice: bob.Id), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await alice.ReportAsync(alice.Signed(alice.Report(TestDevice.NewNonce())), asDevice: bob.Id), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Another_devices_director_files_are_404_to_a_session_that_reads_its_own()
    {
        await using var server = await OtaTestServer.StartAsync();
        server.UploadDirectorRoot();
        using var alice = await new TestDevice(server).ReadyAsync();
        using var bob = await new TestDevice(server).ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await bob.ReportAsync(bob.Signed(bob.Report(TestDevice.NewNonce())))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.PollAsync()).StatusCode); // the director signs bob's targets.json now
        using var bobsOwn = await bob.GetAsync(DeviceProtocolPaths.Director(bob.Id, "targets.json"));
        Assert.Equal(HttpStatusCode.OK, bobsOwn.StatusCode);
        Assert.Contains(bob.Id, await bobsOwn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync(DeviceProtocolPaths.Director(alice.Id, "1.root.json"))).StatusCode);

        await ProblemAssert.IsProblemAsync(await alice.GetAsync(DeviceProtocolPaths.Director(bob.Id, "targets.json")), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await alice.GetAsync(DeviceProtocolPaths.Director(bob.Id, "1.root.json")), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Without_a_session_or_with_a_forged_one_device_endpoints_are_401()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        var session = device.Session!;
        device.Session = null;
        await ProblemAssert.IsProblemAsync(await device.PollAsync(), HttpStatusCode.Unauthorized, "unauthenticated");
        device.Session = session[..^4] + (session[^4] == 'A' ? "BBBB" : "AAAA");
        await ProblemAssert.IsProblemAsync(await device.PollAsync(), HttpStatusCode.Unauthorized, "session-invalid");
        device.Session = server.AdminToken;
        await ProblemAssert.IsProblemAsync(await device.PollAsync(), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_session_expires_after_its_lifetime()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        server.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await device.PollAsync()).StatusCode);
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await ProblemAssert.IsProblemAsync(await device.PollAsync(), HttpStatusCode.Unauthorized, "token-expired");
    }

    [Fact]
    public async Task A_challenge_signature_works_once_and_not_after_the_challenge_expired()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        var challenge = await device.ChallengeAsync();
        var signed = device.SessionRequest(challenge.Challenge);
        Assert.Equal(HttpStatusCode.OK, (await device.SessionAsync(signed)).StatusCode);
        await ProblemAssert.IsProblemAsync(await device.SessionAsync(signed), HttpStatusCode.Unauthorized, "challenge-invalid", "$.challenge");
        var late = await device.ChallengeAsync();
        server.Clock.Advance(TimeSpan.FromSeconds(60));
        await ProblemAssert.IsProblemAsync(await device.SessionAsync(device.SessionRequest(late.Challenge)), HttpStatusCode.Unauthorized, "challenge-invalid");
    }

    [Fact]
    public async Task A_signature_for_another_origin_or_by_another_key_is_refused_and_burns_the_challenge()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        var relayed = await device.ChallengeAsync();
        await ProblemAssert.IsProblemAsync(await device.SessionAsync(device.SessionRequest(relayed.Challenge, "https://relay.example:443")),
            HttpStatusCode.Unauthorized, "bad-signature", "$.signature");
        await ProblemAssert.IsProblemAsync(await device.SessionAsync(device.SessionRequest(relayed.Challenge)), HttpStatusCode.Unauthorized, "challenge-invalid");
        using var thief = new TestDevice(server) { Id = device.Id };
        var stolen = await thief.ChallengeAsync();
        await ProblemAssert.IsProblemAsync(await thief.SessionAsync(thief.SessionRequest(stolen.Challenge)), HttpStatusCode.Unauthorized, "bad-signature");
    }

    [Fact]
    public async Task Decommission_revokes_every_session_at_once_and_refuses_the_device_from_then_on()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        var decommissioned = await (await server.SendAsync(HttpMethod.Post, $"/api/v1/devices/{device.Id}/decommission", server.AdminToken)).JsonAsync();
        Assert.Equal("decommissioned", decommissioned.GetProperty("state").GetString());
        await ProblemAssert.IsProblemAsync(await device.PollAsync(), HttpStatusCode.Unauthorized, "token-revoked");
        await ProblemAssert.IsProblemAsync(await device.PostAsync(DeviceProtocolPaths.Challenge(device.Id), null, false), HttpStatusCode.Gone, "device-decommissioned");
        await ProblemAssert.IsProblemAsync(await device.EnrollAsync(await server.CreateEnrollmentTokenAsync()), HttpStatusCode.Gone, "device-decommissioned");
        await server.RestartAsync();
        await ProblemAssert.IsProblemAsync(await device.PollAsync(), HttpStatusCode.Unauthorized, "token-revoked");
    }

    [Fact]
    public async Task A_session_survives_a_server_restart_but_not_a_new_session_key()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        await server.RestartAsync();
        Assert.Equal(HttpStatusCode.OK, (await device.PollAsync()).StatusCode);
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(Path.Combine(server.DataDirectory, "keys", "session.key")) & (UnixFileMode.OtherRead | UnixFileMode.GroupRead)) == 0);
        File.Delete(Path.Combine(server.DataDirectory, "keys", "session.key"));
        await server.RestartAsync();
        await ProblemAssert.IsProblemAsync(await device.PollAsync(), HttpStatusCode.Unauthorized, "session-invalid");
    }

    [Fact]
    public async Task A_rotated_key_ends_the_old_sessions_and_only_the_new_key_authenticates()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var oldSpki = device.Key.ExportSubjectPublicKeyInfo();
        var input = DeviceSigningInputs.KeyRotation(device.Id, oldSpki, next.ExportSubjectPublicKeyInfo());
        var signByNew = next.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var forged = new KeyRotationRequest(next.ExportSubjectPublicKeyInfo(), signByNew, signByNew);
        await ProblemAssert.IsProblemAsync(await device.PostAsync(DeviceProtocolPaths.Key(device.Id), forged.ToJson(), true), HttpStatusCode.BadRequest, "bad-signature", "$.oldKeySignature");
        var rotation = new KeyRotationRequest(next.ExportSubjectPublicKeyInfo(), device.Sign(input), signByNew);
        Assert.Equal(HttpStatusCode.NoContent, (await device.PostAsync(DeviceProtocolPaths.Key(device.Id), rotation.ToJson(), true)).StatusCode);
        await ProblemAssert.IsProblemAsync(await device.PollAsync(), HttpStatusCode.Unauthorized, "token-revoked");
        var challenge = await device.ChallengeAsync();
        await ProblemAssert.IsProblemAsync(await device.SessionAsync(device.SessionRequest(challenge.Challenge)), HttpStatusCode.Unauthorized, "bad-signature");
        using var rotated = new TestDevice(server, next) { Id = device.Id };
        await rotated.AuthenticateAsync();
        Assert.Equal(HttpStatusCode.OK, (await rotated.PollAsync()).StatusCode);
        using var oldKey = ECDsa.Create();
        oldKey.ImportSubjectPublicKeyInfo(oldSpki, out _);
        await ProblemAssert.IsProblemAsync(await device.EnrollAsync(), HttpStatusCode.Conflict, "device-key-mismatch");
    }

    [Fact]
    public async Task A_device_over_its_request_budget_gets_429_with_Retry_After_until_the_window_ends()
    {
        await using var server = await OtaTestServer.StartAsync(o => o with { DeviceRateLimit = 5, DeviceRateWindow = TimeSpan.FromSeconds(30) });
        using var device = await new TestDevice(server).ReadyAsync(); // challenge + session: 2 of 5
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await device.PollAsync()).StatusCode);
        var limited = await device.PollAsync();
        await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.Equal(TimeSpan.FromSeconds(30), limited.Headers.RetryAfter?.Delta);
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await device.PollAsync()).StatusCode);
    }
}
