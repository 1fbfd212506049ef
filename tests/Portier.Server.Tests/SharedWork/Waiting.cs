namespace Portier.Server.Tests.SharedWork;

/// <summary>Waits on a condition with a generous bound, for a loaded machine.</summary>
internal static class Waiting
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string because)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Timed out waiting: {because}");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
