namespace AtymSecure.TestSupport;

/// <summary>
/// A fresh git repository in a temp folder (git init, a test identity, no global hooks or signing), for tests of
/// tools that read revisions or run as git hooks. Deleted on <see cref="Dispose"/>.
/// </summary>
public sealed class GitRepository : IDisposable
{
    private readonly TempFolder _folder;

    private GitRepository(TempFolder folder) => _folder = folder;

    public string Path => _folder.Path;

    public static async Task<GitRepository> InitAsync(string purpose = "git")
    {
        var repository = new GitRepository(TempFolder.Create(purpose));
        await repository.GitAsync("init", "-q", "-b", "main");
        await repository.GitAsync("config", "user.email", "test@atym.invalid");
        await repository.GitAsync("config", "user.name", "atym test");
        await repository.GitAsync("config", "commit.gpgsign", "false");
        return repository;
    }

    /// <summary>Runs git in the repository; a non-zero exit fails with git's output.</summary>
    public async Task<string> GitAsync(params string[] args) =>
        (await RunGitAsync(null, args)).EnsureSuccess($"git {string.Join(' ', args)}").StdOut;

    /// <summary>Runs git with extra environment (a hook's settings), returning however it ended.</summary>
    public Task<ToolResult> RunGitAsync(IDictionary<string, string>? environment, params string[] args) =>
        ExternalTool.RunAsync(ExternalTool.Require("git", "apt-get install git"), args, TimeSpan.FromMinutes(2), Path, environment);

    /// <summary>Copies every file of <paramref name="source"/> (recursively) to <paramref name="relative"/> in the work tree, replacing what is there.</summary>
    public void CopyIn(string source, string relative)
    {
        var target = System.IO.Path.Combine(Path, relative);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
    }

    /// <summary>Stages everything and commits; returns the new commit id.</summary>
    public async Task<string> CommitAllAsync(string message)
    {
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "--no-verify", "-m", message);
        return (await GitAsync("rev-parse", "HEAD")).Trim();
    }

    public void Dispose() => _folder.Dispose();
}
