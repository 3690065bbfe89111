using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>Source-generated System.Text.Json metadata of every DDI message (no reflection over the records at run time).
/// Options live in <see cref="DdiJson"/>, which is the only way in or out.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = DdiJson.MaxDepth)]
[JsonSerializable(typeof(DdiControllerBase))]
[JsonSerializable(typeof(DdiDeploymentBase))]
[JsonSerializable(typeof(DdiActionFeedback))]
[JsonSerializable(typeof(DdiCancel))]
[JsonSerializable(typeof(DdiConfigData))]
[JsonSerializable(typeof(DdiChunk))]
[JsonSerializable(typeof(DdiArtifact))]
[JsonSerializable(typeof(DdiMetadata))]
[JsonSerializable(typeof(EquatableList<DdiChunk>))]
[JsonSerializable(typeof(EquatableList<DdiArtifact>))]
[JsonSerializable(typeof(EquatableList<DdiMetadata>))]
[JsonSerializable(typeof(EquatableList<string>))]
[JsonSerializable(typeof(EquatableMap<string>))]
[JsonSerializable(typeof(string))]
public sealed partial class DdiJsonContext : JsonSerializerContext;
