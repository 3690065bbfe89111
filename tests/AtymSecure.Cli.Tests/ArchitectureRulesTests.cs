using System.Xml.Linq;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests;

/// <summary>
/// The dependency rules of the README "Architecture" section: read from the project files,
/// transitively, so a new reference that breaks a rule fails here. Packages count too: a device-side
/// project may only pull the few small packages a device can carry.
/// </summary>
public class ArchitectureRulesTests
{
    private static readonly string Root = RepositoryRoot.Path;

    private static IEnumerable<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([Path.GetFullPath(Path.Combine(Root, project))]);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            foreach (var include in XDocument.Load(current).Descendants("ProjectReference").Select(e => (string?)e.Attribute("Include")))
            {
                if (include is null) continue;
                var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include));
                if (seen.Add(Path.GetRelativePath(Root, full).Replace('\\', '/'))) stack.Push(full);
            }
        }
        return seen;
    }

    private static HashSet<string> TransitiveReferences(string project) => [.. Closure(project)];

    private static HashSet<string> TransitivePackages(string project) =>
        [.. Closure(project).Append(project)
            .SelectMany(p => XDocument.Load(Path.Combine(Root, p)).Descendants("PackageReference"))
            .Select(e => (string?)e.Attribute("Include"))
            .OfType<string>()];

    private const string Primitives = "primitives/AtymSecure.Primitives.csproj";
    private const string Formats = "formats/AtymSecure.Formats.csproj";
    private const string Bootloader = "device-bootloader/Core/AtymSecure.Bootloader.csproj";
    private const string Runtime = "runtime/Sandbox/AtymSecure.Runtime.csproj";
    private const string DeviceAgent = "runtime/Agent/AtymSecure.DeviceAgent.csproj";
    private const string ContainerHost = "runtime/ContainerHost/AtymSecure.ContainerHost.csproj";
    private const string Auth = "auth/AtymSecure.Auth.csproj";
    private const string Postgres = "postgres/AtymSecure.Postgres.csproj";
    private const string EngineProfile = "runtime/EngineProfile/AtymSecure.EngineProfile.csproj";
    private const string OtaMetadata = "ota-server/Metadata/AtymSecure.OtaMetadata.csproj";
    private const string OtaContracts = "ota-server/Contracts/AtymSecure.OtaContracts.csproj";
    private const string OtaStore = "ota-server/Store/AtymSecure.OtaStore.csproj";
    private const string OtaReleases = "ota-server/Releases/AtymSecure.OtaReleases.csproj";
    private const string OtaRollouts = "ota-server/Rollouts/AtymSecure.OtaRollouts.csproj";
    private const string RegistryPolicy = "registry/Policy/AtymSecure.RegistryPolicy.csproj";
    private const string ObjectStore = "objectstore/AtymSecure.ObjectStore.csproj";

    private static readonly string[] ServerSide =
    [
        "registry/Server/AtymSecure.Registry.csproj",
        RegistryPolicy,
        Auth,
        Postgres,
        // S3-compatible blob storage (issue 17): servers only.
        ObjectStore,
        "ota-server/Delivery/AtymSecure.Delivery.csproj",
        OtaMetadata,
        OtaContracts,
        OtaStore,
        "ota-server/Service/AtymSecure.OtaServer.csproj",
        OtaReleases,
        OtaRollouts,
        "signer/AtymSecure.Signer.csproj",
        "container/AtymSecure.Container.csproj",
        // The policy evaluator (issue 15): devices get its results in signed metadata, never the evaluator.
        "policies/AtymSecure.Policies.csproj",
        "cli/AtymSecure.Cli.csproj",
    ];

    // What a device may carry: the Wasm engine, small crypto, compression and checksums. Anything else is a decision
    // to make here, on purpose.
    private static readonly string[] DevicePackages = ["Wasmtime", "BouncyCastle.Cryptography", "ZstdSharp.Port", "System.IO.Hashing"];

    private static readonly string[] DeviceSideProjects =
    [
        Bootloader,
        "device-bootloader/Simulator/AtymSecure.Bootloader.Simulator.csproj",
        "device-bootloader/FilePort/AtymSecure.Bootloader.FilePort.csproj",
        Runtime,
        DeviceAgent,
        ContainerHost,
        EngineProfile,
        // The fleet simulation runs device agents: device side, though only `atym` and tests load it.
        "fleet/AtymSecure.Fleet.csproj",
    ];

    public static TheoryData<string> DeviceSide => new(DeviceSideProjects);

    [Theory]
    [MemberData(nameof(DeviceSide))]
    public void Device_side_never_references_server_side(string project)
    {
        var references = TransitiveReferences(project);
        Assert.Contains(Formats, references);
        Assert.Empty(references.Intersect(ServerSide));
        // Every OTA server project, including ones added after this list was written (releases, metadata, ...).
        Assert.DoesNotContain(references, r => r.StartsWith("ota-server/", StringComparison.Ordinal));
    }

    /// <summary>Everything a device loads: the device-side projects and formats/ (which they all reference).</summary>
    public static TheoryData<string> DeviceLoaded => new([.. DeviceSideProjects, Formats]);

    [Theory]
    [MemberData(nameof(DeviceLoaded))]
    public void Device_side_uses_only_the_packages_a_device_can_carry(string project) =>
        Assert.Empty(TransitivePackages(project).Except(DevicePackages));

    [Theory]
    [MemberData(nameof(DeviceLoaded))]
    public void Device_side_uses_no_shared_framework_beyond_the_base_one(string project) =>
        // Microsoft.AspNetCore.App and friends come in as FrameworkReference, not as packages.
        Assert.Empty(Closure(project).Append(project)
            .SelectMany(p => XDocument.Load(Path.Combine(Root, p)).Descendants("FrameworkReference"))
            .Select(e => (string?)e.Attribute("Include")));

    [Fact]
    public void The_bootloader_core_knows_no_port_and_no_simulator() =>
        Assert.Equal([Formats, Primitives], TransitiveReferences(Bootloader).Order(StringComparer.Ordinal));

    [Fact]
    public void The_sandbox_does_not_reference_the_device_process() =>
        Assert.DoesNotContain(DeviceAgent, TransitiveReferences(Runtime));

    // A container process runs vendor code: it carries the sandbox and nothing of the device process (no keys, no
    // bootloader, no flash), and the sandbox does not depend on it (the agent puts it beside itself).
    [Fact]
    public void The_container_host_carries_only_the_sandbox()
    {
        Assert.Equal([Formats, Primitives, EngineProfile, Runtime], TransitiveReferences(ContainerHost).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(ContainerHost, TransitiveReferences(Runtime));
        Assert.Contains(ContainerHost, TransitiveReferences(DeviceAgent));
    }

    // Trial verdicts reach the bootloader through the device agent (BootloaderTrialDecision); the sandbox only knows ITrialDecision.
    [Fact]
    public void The_sandbox_does_not_reference_the_bootloader() =>
        Assert.Empty(TransitiveReferences(Runtime).Intersect([Bootloader, "device-bootloader/Simulator/AtymSecure.Bootloader.Simulator.csproj",
            "device-bootloader/FilePort/AtymSecure.Bootloader.FilePort.csproj"]));

    [Fact]
    public void The_delivery_library_does_not_reference_the_device_runtime() =>
        Assert.Empty(TransitiveReferences("ota-server/Delivery/AtymSecure.Delivery.csproj").Intersect([Runtime, DeviceAgent, Bootloader]));

    // The TUF repository and director sign what devices verify with formats/UpdateMetadata; they never need the device
    // runtime, and stay free of the compiler back ends so the signing keys' process can be small.
    [Fact]
    public void The_metadata_library_knows_no_device_runtime_and_no_compiler() =>
        Assert.Empty(TransitiveReferences(OtaMetadata).Intersect([Runtime, DeviceAgent, Bootloader, EngineProfile, "ota-server/Delivery/AtymSecure.Delivery.csproj"]));

    // Releases compile and cut on the server; the device runtime is what they are checked against in tests, never a dependency.
    [Fact]
    public void The_releases_library_knows_no_device_runtime() =>
        Assert.Empty(TransitiveReferences(OtaReleases).Intersect([Runtime, DeviceAgent, Bootloader]));

    // Compiler and device configure Wasmtime from this one small place, so it carries nothing else.
    [Fact]
    public void The_engine_profile_knows_only_formats_and_wasmtime()
    {
        Assert.Equal([Formats, Primitives], TransitiveReferences(EngineProfile).Order(StringComparer.Ordinal));
        Assert.Contains(EngineProfile, TransitiveReferences(Runtime));
        Assert.Contains(EngineProfile, TransitiveReferences("ota-server/Delivery/AtymSecure.Delivery.csproj"));
    }

    [Fact]
    public void Primitives_depend_on_nothing_at_all()
    {
        Assert.Empty(TransitiveReferences(Primitives));
        Assert.Empty(TransitivePackages(Primitives));
    }

    [Theory]
    [InlineData(Formats)]
    [InlineData("registry/Oci/AtymSecure.Oci.csproj")]
    public void Foundation_libraries_depend_only_on_primitives(string project) =>
        Assert.Empty(TransitiveReferences(project).Except([Primitives]));

    [Fact]
    public void Registry_server_uses_only_the_oci_library_the_token_library_the_postgres_pieces_the_object_store_and_primitives() =>
        Assert.Empty(TransitiveReferences("registry/Server/AtymSecure.Registry.csproj").Except(["registry/Oci/AtymSecure.Oci.csproj", Auth, Postgres, ObjectStore, Primitives]));

    [Fact]
    public void The_object_store_library_stands_alone_on_AWSSDK_S3()
    {
        Assert.Empty(TransitiveReferences(ObjectStore));
        Assert.Contains("AWSSDK.S3", TransitivePackages(ObjectStore));
    }

    // Protected repositories need the signer's verifier and the policy evaluator: they live beside the server
    // (registry/Policy), which stays on the OCI library, the token library and primitives (the rule above).
    [Fact]
    public void The_registry_policy_guard_adds_only_the_signer_and_the_policies_to_the_registry_server() =>
        Assert.Empty(TransitiveReferences(RegistryPolicy).Except(["registry/Server/AtymSecure.Registry.csproj", "registry/Oci/AtymSecure.Oci.csproj",
            Auth, Postgres, ObjectStore, Primitives, Formats, "signer/AtymSecure.Signer.csproj", "policies/AtymSecure.Policies.csproj"]));

    [Fact]
    public void The_token_library_depends_only_on_primitives_and_no_web_framework()
    {
        Assert.Empty(TransitiveReferences(Auth).Except([Primitives]));
        Assert.Equal(["Microsoft.IdentityModel.JsonWebTokens"], TransitivePackages(Auth));
        Assert.Empty(XDocument.Load(Path.Combine(Root, Auth)).Descendants("FrameworkReference"));
    }

    /// <summary>Every OTA server project (ota-server/*), found on disk so a new one is covered without editing this test.</summary>
    public static TheoryData<string> OtaProjects => new(Directory.GetFiles(Path.Combine(Root, "ota-server"), "*.csproj", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/')).Order(StringComparer.Ordinal));

    /// <summary>No LiteDB type outside the store: a PostgreSQL store (issue 17) must be able to replace it behind the same interfaces.</summary>
    [Theory]
    [MemberData(nameof(OtaProjects))]
    public void Only_the_ota_store_references_LiteDB(string project)
    {
        var direct = XDocument.Load(Path.Combine(Root, project)).Descendants("PackageReference").Select(e => (string?)e.Attribute("Include"));
        if (project != OtaStore) Assert.DoesNotContain("LiteDB", direct);
    }

    [Fact]
    public void The_ota_contracts_depend_only_on_primitives() =>
        Assert.Empty(TransitiveReferences(OtaContracts).Except([Primitives]));

    /// <summary>The PostgreSQL pieces both stores share know neither store: only Npgsql.</summary>
    [Fact]
    public void The_shared_postgres_pieces_depend_on_nothing_but_npgsql()
    {
        Assert.Empty(TransitiveReferences(Postgres));
        Assert.Equal(["Npgsql"], TransitivePackages(Postgres));
    }
}
