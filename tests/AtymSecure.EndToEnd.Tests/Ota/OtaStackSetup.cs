namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>What an <see cref="OtaStack"/> is made of besides its defaults (every version, LiteDB, bundles in the data folder).</summary>
/// <param name="Versions">The sample versions to build and push (null: all of them).</param>
/// <param name="Store">The OTA server's <c>store</c> (a <c>postgres://</c> URL; null: LiteDB).</param>
/// <param name="Blobs">The OTA server's <c>blobs</c> (an <c>s3://</c> URL; null: the data folder).</param>
/// <param name="Environment">More environment for every <c>atym</c> process (the object store's keys).</param>
public sealed record OtaStackSetup(IReadOnlySet<string>? Versions = null, string? Store = null, string? Blobs = null,
    IReadOnlyDictionary<string, string>? Environment = null);
