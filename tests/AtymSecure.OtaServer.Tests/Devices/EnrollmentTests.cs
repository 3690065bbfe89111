using System.Net;
using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Devices;

/// <summary>Enrolment (issue 12 §2): token, pending → approve, preauthorized key, idempotent, other key refused.</summary>
public class EnrollmentTests
{
    private static async Task<EnrollmentAnswer> AnswerAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(status == response.StatusCode, System.Text.Encoding.UTF8.GetString(body));
        return EnrollmentAnswer.Parse(body);
    }

    [Fact]
    public async Task An_enrolment_token_enrols_a_device_into_its_groups_once_per_use_and_re_enrolling_is_idempotent()
    {
        await using var server = await OtaTestServer.StartAsync();
        var token = await server.CreateEnrollmentTokenAsync(uses: 1, groups: ["eu-test"]);
        using var first = new TestDevice(server);
        Assert.Equal(EnrollmentStatus.Enrolled, (await AnswerAsync(await first.EnrollAsync(token), HttpStatusCode.Created)).Status);
        Assert.Equal(EnrollmentStatus.Enrolled, (await AnswerAsync(await first.EnrollAsync(token), HttpStatusCode.OK)).Status);
        Assert.Equal(["eu-test"], server.App.Services.GetRequiredService<IDeviceStore>().Find(first.Id)!.Groups);
        using var second = new TestDevice(server);
        await ProblemAssert.IsProblemAsync(await second.EnrollAsync(token), HttpStatusCode.Unauthorized, "enrollment-token-exhausted", "$.enrollmentToken");
        Assert.Null(server.App.Services.GetRequiredService<IDeviceStore>().Find(second.Id));
    }

    [Fact]
    public async Task Without_a_token_a_device_waits_pending_until_an_admin_approves_it()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = new TestDevice(server);
        var answer = await AnswerAsync(await device.EnrollAsync(), HttpStatusCode.Accepted);
        Assert.Equal((EnrollmentStatus.Pending, 60L), (answer.Status, answer.RetryAfterSeconds));
        await ProblemAssert.IsProblemAsync(await device.PostAsync(DeviceProtocolPaths.Challenge(device.Id), null, false), HttpStatusCode.Forbidden, "device-not-approved");
        var deployer = await server.CreateTokenAsync("deployer");
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Post, $"/api/v1/devices/{device.Id}/approve", deployer), HttpStatusCode.Forbidden, "forbidden");
        var approved = await (await server.SendAsync(HttpMethod.Post, $"/api/v1/devices/{device.Id}/approve", server.AdminToken)).JsonAsync();
        Assert.Equal("active", approved.GetProperty("state").GetString());
        await device.AuthenticateAsync();
        Assert.Equal(EnrollmentStatus.Enrolled, (await AnswerAsync(await device.EnrollAsync(), HttpStatusCode.OK)).Status);
    }

    [Fact]
    public async Task A_preauthorized_key_enrols_without_a_token()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = new TestDevice(server);
        var created = await server.SendAsync(HttpMethod.Post, "/api/v1/preauthorized-keys", server.AdminToken,
            new { publicKey = ProtocolJson.Base64Url(device.Key.ExportSubjectPublicKeyInfo()), label = "factory line 2", groups = new[] { "lab" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(EnrollmentStatus.Enrolled, (await AnswerAsync(await device.EnrollAsync(), HttpStatusCode.Created)).Status);
        Assert.Equal(["lab"], server.App.Services.GetRequiredService<IDeviceStore>().Find(device.Id)!.Groups);
    }

    [Fact]
    public async Task Another_key_for_an_enrolled_id_is_refused_and_a_new_id_must_be_its_keys()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var owner = await new TestDevice(server).ReadyAsync();
        using var impostor = new TestDevice(server) { Id = owner.Id };
        await ProblemAssert.IsProblemAsync(await impostor.EnrollAsync(await server.CreateEnrollmentTokenAsync()), HttpStatusCode.Conflict, "device-key-mismatch", "$.publicKey");
        using var squatter = new TestDevice(server) { Id = "atym-0000000000000000" };
        await ProblemAssert.IsProblemAsync(await squatter.EnrollAsync(await server.CreateEnrollmentTokenAsync()), HttpStatusCode.BadRequest, "device-key-mismatch", "$.deviceId");
        Assert.Null(server.App.Services.GetRequiredService<IDeviceStore>().Find("atym-0000000000000000"));
    }

    [Fact]
    public async Task An_enrolment_whose_signature_does_not_cover_its_claims_is_refused_and_stores_nothing()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = new TestDevice(server);
        var request = device.EnrollmentRequest() with { DeviceClass = "mcu-cortex-m33" }; // changed after signing
        await ProblemAssert.IsProblemAsync(await device.PostAsync(DeviceProtocolPaths.Enroll, request.ToJson(), false), HttpStatusCode.BadRequest, "bad-signature", "$.signature");
        Assert.Null(server.App.Services.GetRequiredService<IDeviceStore>().Find(device.Id));
    }

    [Fact]
    public async Task Revoked_and_expired_enrolment_tokens_are_refused()
    {
        await using var server = await OtaTestServer.StartAsync();
        var created = await (await server.SendAsync(HttpMethod.Post, "/api/v1/enrollment-tokens", server.AdminToken,
            new { label = "short", expiresAt = server.Clock.GetUtcNow().AddMinutes(5) })).JsonAsync();
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        using var late = new TestDevice(server);
        await ProblemAssert.IsProblemAsync(await late.EnrollAsync(created.GetProperty("token").GetString()), HttpStatusCode.Unauthorized, "token-expired");
        var revokedText = await server.CreateEnrollmentTokenAsync();
        var id = revokedText.Split('_')[1];
        await server.SendAsync(HttpMethod.Delete, $"/api/v1/enrollment-tokens/{id}", server.AdminToken);
        await ProblemAssert.IsProblemAsync(await late.EnrollAsync(revokedText), HttpStatusCode.Unauthorized, "token-revoked");
    }

    /// <summary>A P-384 device is refused before its key is even parsed: its signatures are longer than a P-256 DER signature can be.</summary>
    [Fact]
    public async Task A_device_key_that_is_not_P256_is_refused_and_stores_nothing()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var device = new TestDevice(server, p384);
        await ProblemAssert.IsProblemAsync(await device.EnrollAsync(), HttpStatusCode.BadRequest, "message-malformed", "$.signature");
        Assert.Null(server.App.Services.GetRequiredService<IDeviceStore>().Find(device.Id));
    }
}
