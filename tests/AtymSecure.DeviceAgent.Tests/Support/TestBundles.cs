using System.Security.Cryptography;
using AtymSecure.Container.Project;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// Signed full bundles of container images built from the committed samples (plain Wasm code, so no AoT
/// compiler is needed on the device side of the tests). Deltas and AoT code go through the real
/// `atym bundle` in the end-to-end test.
/// </summary>
internal sealed class TestBundles : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestBundles(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        PublicKeyFile = Path.Combine(directory, "bundle-signer.pub");
        File.WriteAllText(PublicKeyFile, _key.ExportSubjectPublicKeyInfoPem());
    }

    public string Directory { get; }

    /// <summary>The signing key (a production test repository makes it the compiler role's key, so the delegation names it).</summary>
    public ECDsa Key => _key;

    /// <summary>The key a test device trusts.</summary>
    public string PublicKeyFile { get; }

    /// <summary>The container image a sample becomes (grants default to everything it asks for; <paramref name="edit"/> changes its config).</summary>
    public static byte[] Image(string sample, IEnumerable<string>? grants = null, Func<ContainerConfig, ContainerConfig>? edit = null)
    {
        var project = ContainerProject.Load(Path.Combine(RepositoryRoot.Samples, sample));
        var config = edit?.Invoke(project.Config) ?? project.Config;
        var blobs = project.Blobs.ToDictionary(b => b.Name, b => (ReadOnlyMemory<byte>)File.ReadAllBytes(b.FilePath), StringComparer.Ordinal);
        var granted = grants?.Select(Capability.Parse) ?? config.Permissions;
        return ContainerImageWriter.Write(config, granted, ArtifactKind.Wasm, null, null, File.ReadAllBytes(project.ModulePath), blobs);
    }

    /// <summary>
    /// The container image of a sample whose code is native: its Wasm precompiled by Wasmtime for
    /// <paramref name="deviceClass"/> exactly as the device loads it (a real <c>.cwasm</c>), as only a compiler may ship.
    /// </summary>
    public static byte[] NativeImage(string sample, string deviceClass, Func<ContainerConfig, ContainerConfig>? edit = null)
    {
        var project = ContainerProject.Load(Path.Combine(RepositoryRoot.Samples, sample));
        var config = edit?.Invoke(project.Config) ?? project.Config;
        var blobs = project.Blobs.ToDictionary(b => b.Name, b => (ReadOnlyMemory<byte>)File.ReadAllBytes(b.FilePath), StringComparer.Ordinal);
        var profile = Engines.EngineProfile.For(Formats.DeviceClasses.DeviceClassTable.Get(deviceClass));
        using var engine = Engines.EngineFactory.Create(profile);
        using var module = Wasmtime.Module.FromBytes(engine, sample, File.ReadAllBytes(project.ModulePath));
        return ContainerImageWriter.Write(config, config.Permissions, ArtifactKind.WasmtimeNative, deviceClass, profile.Target, module.Serialize(), blobs);
    }

    /// <summary>Writes a signed full bundle of <paramref name="image"/> and returns its path (<paramref name="edit"/> changes the header before it is signed).</summary>
    public string Full(byte[] image, string deviceClass = "linux-x86_64", ECDsa? signer = null, ImageFormat format = ImageFormat.ContainerImageV1, string? headerVersion = null,
        bool recovery = false, DateTimeOffset? expires = null, Func<BundleHeader, BundleHeader>? edit = null)
    {
        var parsed = ContainerImageReader.Read(image);
        var version = parsed.Config.Version!;
        var header = new BundleHeader
        {
            ContainerName = parsed.Config.Name,
            ContainerVersion = headerVersion ?? version.ToString(),
            SecurityCounter = Formats.Bundle.SecurityCounter.DefaultFor(version),
            DeviceClass = deviceClass,
            TargetTriple = parsed.Code.TargetTriple ?? "wasm32-unknown-unknown",
            ArtifactKind = parsed.Code.Kind,
            ImageFormat = format,
            TargetDigest = Digest.Compute(image),
            TargetSize = (ulong)image.Length,
            PayloadKind = PayloadKind.Full,
            Codec = PayloadCodec.None,
            PayloadLength = (ulong)image.Length,
            ChunkSize = 4096,
            ChunkHashes = BundleFrame.HashChunks(image, 4096),
            ExpiresUnixSeconds = (ulong)(expires ?? DateTimeOffset.UtcNow.AddDays(1)).ToUnixTimeSeconds(),
            Recovery = recovery,
        };
        header = edit?.Invoke(header) ?? header;
        var key = signer ?? _key;
        var signature = key.SignData(BundleFrame.SignatureInput(header), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var keyId = VerificationKey.FromDer(key.ExportSubjectPublicKeyInfo()).KeyId;
        var path = Path.Combine(Directory, $"{header.ContainerName}-{header.ContainerVersion}-{Guid.NewGuid():N}.bundle");
        using (var output = File.Create(path))
            BundleFrame.WriteAsync(output, header, [new BundleSignature(SignatureAlgorithm.EcdsaP256Sha256, keyId, signature)], image).GetAwaiter().GetResult();
        return path;
    }

    /// <summary>
    /// A signed bundle whose payload is <paramref name="payload"/> as a raw artifact, in <paramref name="chunkSize"/>-byte
    /// chunks, in memory: for the transport tests, where the downloader reads the frame, header and chunk hashes but
    /// never installs the image.
    /// </summary>
    public static byte[] OfPayload(byte[] payload, uint chunkSize = 4096)
    {
        var header = new BundleHeader
        {
            ContainerName = "sensor-filter",
            ContainerVersion = "1.0.0",
            SecurityCounter = 1,
            DeviceClass = "linux-x86_64",
            TargetTriple = "wasm32-unknown-unknown",
            ArtifactKind = ArtifactKind.Wasm,
            TargetDigest = Digest.Compute(payload),
            TargetSize = (ulong)payload.Length,
            PayloadKind = PayloadKind.Full,
            Codec = PayloadCodec.None,
            PayloadLength = (ulong)payload.Length,
            ChunkSize = chunkSize,
            ChunkHashes = BundleFrame.HashChunks(payload, chunkSize),
            ExpiresUnixSeconds = (ulong)DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds(),
        };
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = key.SignData(BundleFrame.SignatureInput(header), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var keyId = VerificationKey.FromDer(key.ExportSubjectPublicKeyInfo()).KeyId;
        using var output = new MemoryStream();
        BundleFrame.WriteAsync(output, header, [new BundleSignature(SignatureAlgorithm.EcdsaP256Sha256, keyId, signature)], payload).GetAwaiter().GetResult();
        return output.ToArray();
    }

    /// <summary>Writes the public half of <paramref name="key"/> as a PEM file in this folder (for <c>--trust ROLE=FILE</c>).</summary>
    public string PublicKeyFileOf(ECDsa key, string name)
    {
        var path = Path.Combine(Directory, name + ".pub");
        File.WriteAllText(path, key.ExportSubjectPublicKeyInfoPem());
        return path;
    }

    public void Dispose() => _key.Dispose();
}
