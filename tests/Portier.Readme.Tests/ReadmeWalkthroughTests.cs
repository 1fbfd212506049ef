using System.Diagnostics;

namespace Portier.Readme.Tests;

/// <summary>
/// The README's walkthroughs, run from top to bottom in bash as a new user would
/// (<c>scripts/readme_walkthrough.py</c>): a real server on 127.0.0.1:5080, the simulator, curl and jq.
/// </summary>
public sealed class ReadmeWalkthroughTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(20);

    [Fact]
    public async Task EveryBlock_RunsAsWritten_AndKeepsWhatItsCommentsPromise()
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("python3", [Path.Combine(root, "scripts", "readme_walkthrough.py")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var shown = $"{Tail(await output)}\n--- errors ---\n{Tail(await errors)}";
        Assert.True(process.ExitCode == 0, $"the README walkthrough failed (exit {process.ExitCode}):\n{shown}");
        Assert.Contains("every block ran and every check held", await output, StringComparison.Ordinal);
    }

    private static string Tail(string text) => text.Length <= 12_000 ? text : "…" + text[^12_000..];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portier.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Portier.slnx not found above the test's folder.");
    }
}
