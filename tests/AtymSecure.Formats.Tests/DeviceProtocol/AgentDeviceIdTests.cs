using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using CsCheck;

namespace AtymSecure.Formats.Tests.DeviceProtocol;

/// <summary>
/// <see cref="DeviceKey.IsAgentDeviceId"/>: what the OTA server's DDI side uses to tell our agent (its id is derived
/// from its key) from another hawkBit client, to list it the offline export rather than the bare bundle.
/// </summary>
public class AgentDeviceIdTests
{
    [Fact]
    public void Every_id_derived_from_a_key_is_an_agent_id()
    {
        Gen.Int[0, 1000].Sample(_ =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            Assert.True(DeviceKey.IsAgentDeviceId(DeviceKey.DeviceIdOf(key.ExportSubjectPublicKeyInfo())));
        }, iter: 20);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gw-1")]
    [InlineData("atym-")]
    [InlineData("atym-0123456789abcde")] // 15 digits
    [InlineData("atym-0123456789abcdef0")] // 17 digits
    [InlineData("atym-0123456789ABCDEF")] // upper case: DeviceIdOf writes lower case
    [InlineData("ATYM-0123456789abcdef")]
    [InlineData("atym-0123456789abcdeg")]
    [InlineData("xtym-0123456789abcdef")]
    public void Other_names_are_not(string? id) => Assert.False(DeviceKey.IsAgentDeviceId(id));

    [Fact]
    public void Random_strings_are_agent_ids_only_in_the_exact_form() =>
        Gen.String.Sample(s => Assert.Equal(s.Length == 21 && s.StartsWith("atym-", StringComparison.Ordinal) && s[5..].All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'),
            DeviceKey.IsAgentDeviceId(s)), iter: 500);
}
