using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>A public key an operator allowed before the device shipped (the factory flow): enrolling with it needs no token.</summary>
public sealed record PreauthorizedKey(string KeyFingerprint, string Label, EquatableList<string> Groups, DateTimeOffset CreatedAt, string CreatedBy);
