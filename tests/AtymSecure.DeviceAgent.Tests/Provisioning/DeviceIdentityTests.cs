using System.Text;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using CsCheck;

namespace AtymSecure.DeviceAgent.Tests.Provisioning;

/// <summary>device.json is read back by every command: bad content gets a specific error, never a crash.</summary>
public sealed class DeviceIdentityTests
{
    private static readonly DeviceIdentity Valid = new("atym-0123456789abcdef", "host", "linux-x86_64", "spinor",
        [new ContainerSlotPlan("sensor-filter", 262144), new ContainerSlotPlan("anomaly-detector", 262144)], DateTimeOffset.UnixEpoch);

    [Fact]
    public void Identity_round_trips()
    {
        var back = DeviceIdentity.Parse(Valid.ToJson());
        Assert.Equal(Valid, back);
        Assert.Equal(Valid.GetHashCode(), back.GetHashCode());
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(back,
            new DeviceIdentity("other", "other", "other", "other", [new ContainerSlotPlan("other", 4096)], DateTimeOffset.MaxValue)));
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("[]", "top level must be an object")]
    [InlineData("{\"formatVersion\":2}", "formatVersion must be 1")]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"d\",\"profile\":\"host\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[]}", "needs 1..64 entries")]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"d\",\"profile\":\"host\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[{\"name\":\"A\",\"slotBytes\":100}]}", "slotBytes: 100 is outside")]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"d\",\"profile\":\"host\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[{\"name\":\"a\",\"slotBytes\":8192},{\"name\":\"a\",\"slotBytes\":8192}]}", "'a' listed 2 times")]
    public void Bad_identity_files_are_refused_with_the_reason(string json, string expected)
    {
        var e = Assert.Throws<DeviceDataException>(() => DeviceIdentity.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"\",\"profile\":\"host\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[{\"name\":\"a\",\"slotBytes\":8192}]}", DeviceIdentityProblemCodes.InvalidDeviceId, "deviceId")]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"d\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[{\"name\":\"a\",\"slotBytes\":8192}]}", DeviceIdentityProblemCodes.Missing, "profile")]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"d\",\"profile\":\"host\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[]}", DeviceIdentityProblemCodes.ContainerCount, "containers")]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"d\",\"profile\":\"host\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[{\"name\":\"A\",\"slotBytes\":8192}]}", ConfigProblemCodes.InvalidName, "containers[0].name")]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"d\",\"profile\":\"host\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[{\"name\":\"a\",\"slotBytes\":100}]}", DeviceIdentityProblemCodes.SlotSizeOutOfRange, "containers[0].slotBytes")]
    [InlineData("{\"formatVersion\":1,\"deviceId\":\"d\",\"profile\":\"host\",\"deviceClass\":\"linux-x86_64\",\"flash\":\"spinor\",\"containers\":[{\"name\":\"a\",\"slotBytes\":8192},{\"name\":\"a\",\"slotBytes\":8192}]}", DeviceIdentityProblemCodes.DuplicateContainer, "containers")]
    public void Invalid_identity_content_carries_each_problem_with_its_code_and_field(string json, string code, string path)
    {
        var e = Assert.Throws<DeviceDataException>(() => DeviceIdentity.Parse(Encoding.UTF8.GetBytes(json)));
        var problem = Assert.Single(Assert.IsType<ProblemException>(e.InnerException).Problems);
        Assert.Equal((code, path), (problem.Code, problem.Path));
        Assert.StartsWith($"device.json is invalid: {path}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_identity_is_refused_before_parsing() =>
        Assert.Contains("above", Assert.Throws<DeviceDataException>(() => DeviceIdentity.Parse(new byte[DeviceIdentity.MaxFileBytes + 1])).Message, StringComparison.Ordinal);

    [Fact]
    public void Mutated_identity_files_only_ever_fail_with_DeviceDataException()
    {
        var valid = Valid.ToJson();
        Gen.Int[0, valid.Length - 1].Array[1, 8].Select(Gen.Byte.Array[1, 8]).Sample((positions, values) =>
        {
            var bytes = (byte[])valid.Clone();
            for (var i = 0; i < positions.Length; i++) bytes[positions[i]] = values[i % values.Length];
            try { DeviceIdentity.Parse(bytes); }
            catch (DeviceDataException) { }
        }, iter: 2000);
    }
}
