using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Model;

/// <summary>A device class the fleet accepts, the oldest runtime it may run and the flash profiles it may have.</summary>
public sealed record AcceptedDeviceClass(string Name, SemanticVersion MinRuntimeVersion, EquatableList<string> FlashProfiles, SourcePosition At);

/// <summary>A <c>kind: DevicePolicy</c> file (docs/schemas/device-policy.v1.schema.json).</summary>
public sealed record DevicePolicy(string Name, EquatableList<AcceptedDeviceClass> Classes, string File);
