using AtymSecure.Primitives;
using AtymSecure.Registry.Hosting;

namespace AtymSecure.Registry.Tests.Hosting;

public sealed class RegistryOptionsTests
{
    [Fact]
    public void Validate_reports_every_problem()
    {
        var options = new RegistryOptions
        {
            DataDirectory = "", ListenUrl = "ftp://x", UploadExpiry = TimeSpan.Zero, ChunkMinLength = -1, TagsPageLimit = 0,
            ReferrersPageSize = 0, AuthConfigPath = "/nonexistent/auth.yaml",
        };
        var errors = options.Validate();
        Assert.Equal(
            [
                (RegistryOptionProblemCodes.Required, "dataDirectory"), (RegistryOptionProblemCodes.InvalidListenUrl, "listenUrl"),
                (RegistryOptionProblemCodes.OutOfRange, "uploadExpiry"), (RegistryOptionProblemCodes.OutOfRange, "chunkMinLength"),
                (RegistryOptionProblemCodes.OutOfRange, "tagsPageLimit"), (RegistryOptionProblemCodes.OutOfRange, "referrersPageSize"),
                (RegistryOptionProblemCodes.FileNotFound, "authConfigPath"),
            ],
            errors.Select(e => (e.Code, e.Path)));
        Assert.Equal("dataDirectory: required", errors[0].ToString());
        var thrown = Assert.Throws<InvalidOptionsException>(() => RegistryServer.Build(options));
        Assert.Equal(errors, thrown.Problems);
        Assert.StartsWith("invalid registry options (7 problems):\n  dataDirectory: required", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql://reg@db/registry", "is not a postgres://")]
    [InlineData("postgres://reg@db:5432/", "names no database")]
    [InlineData("postgres://reg@db/registry?sslmode=require", "query parameters are not supported")]
    public void A_store_that_is_not_a_postgres_url_is_an_invalid_store_problem(string store, string expected)
    {
        var problem = Assert.Single(new RegistryOptions { Store = store }.Validate());
        Assert.Equal((RegistryOptionProblemCodes.InvalidStore, "store"), (problem.Code, problem.Path));
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.EndsWith("(leave it out for the embedded LiteDB store)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_url_never_shows_its_password_in_a_problem() =>
        Assert.DoesNotContain("hunter2", Assert.Single(new RegistryOptions { Store = "postgres://reg:hunter2@db/" }.Validate()).Message, StringComparison.Ordinal);

    [Fact]
    public void A_store_nobody_answers_stops_the_start_naming_it_without_its_password()
    {
        using var data = TestSupport.TempFolder.Create("registry-store");
        var port = TestSupport.LoopbackPort.Next();
        var refused = Assert.Throws<AtymSecure.Postgres.StoreConnectionException>(() => RegistryServer.Build(new RegistryOptions
        {
            DataDirectory = data.Path, ListenUrl = "127.0.0.1:0", Store = $"postgres://reg:hunter2@127.0.0.1:{port}/registry",
        }));
        Assert.StartsWith($"the registry metadata store cannot open its PostgreSQL database postgres://reg:***@127.0.0.1:{port}/registry: the server cannot be reached",
            refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_registry_name_of_policy_scopes_defaults_to_the_listen_address() =>
        Assert.Equal("127.0.0.1:5055", new RegistryOptions { ListenUrl = "http://127.0.0.1:5055" }.EffectiveRegistryName());

    [Theory]
    [InlineData("127.0.0.1:5000", "http://127.0.0.1:5000")]
    [InlineData("http://127.0.0.1:0", "http://127.0.0.1:0")]
    [InlineData("https://localhost:8443/", "https://localhost:8443")]
    [InlineData("127.0.0.1", null)]
    [InlineData("http://host:1/path", null)]
    public void Listen_url_accepts_host_port_and_urls(string listen, string? expected) =>
        Assert.Equal(expected, new RegistryOptions { ListenUrl = listen }.NormalizedListenUrl());

    [Fact]
    public void Loads_yaml_and_json_files_with_relative_paths_resolved_against_the_file()
    {
        var folder = Path.Combine(Path.GetTempPath(), "atym-registry-tests", "options-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var yaml = Path.Combine(folder, "registry.yaml");
            File.WriteAllText(yaml, "dataDirectory: data\nlistenUrl: 127.0.0.1:5055\nuploadExpiry: \"00:10:00\"\nchunkMinLength: 1048576\nfsync: false\n" +
                "policyDirectory: policies\npolicyKeysDirectory: policies/keys\nregistryName: registry.example.com\n" +
                "store: postgres://registry@db.internal:5432/registry\n");
            var fromYaml = RegistryOptionsFile.Load(yaml);
            Assert.Equal(Path.Combine(folder, "data"), fromYaml.DataDirectory);
            Assert.Equal(Path.Combine(folder, "policies"), fromYaml.PolicyDirectory);
            Assert.Equal(Path.Combine(folder, "policies/keys"), fromYaml.PolicyKeysDirectory);
            Assert.Equal("registry.example.com", fromYaml.EffectiveRegistryName());
            Assert.Equal(TimeSpan.FromMinutes(10), fromYaml.UploadExpiry);
            Assert.Equal(1048576, fromYaml.ChunkMinLength);
            Assert.False(fromYaml.Fsync);
            Assert.Equal("postgres://registry@db.internal:5432/registry", fromYaml.Store);

            var json = Path.Combine(folder, "registry.json");
            File.WriteAllText(json, "{\"dataDirectory\":\"/srv/registry\",\"automaticCrossMount\":false}");
            var fromJson = RegistryOptionsFile.Load(json);
            Assert.Equal("/srv/registry", fromJson.DataDirectory);
            Assert.False(fromJson.AutomaticCrossMount);
            Assert.Null(fromJson.Store);

            File.WriteAllText(json, "{\"dataDirectry\":\"typo\"}");
            var error = Assert.Throws<InvalidDataException>(() => RegistryOptionsFile.Load(json));
            Assert.Contains("dataDirectry", error.Message, StringComparison.Ordinal);
            File.WriteAllText(yaml, "listenUrl: [unclosed");
            Assert.Throws<InvalidDataException>(() => RegistryOptionsFile.Load(yaml));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
