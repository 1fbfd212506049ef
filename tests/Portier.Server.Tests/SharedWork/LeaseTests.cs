using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.SharedWork;

/// <summary>The lease itself, between two nodes on one PostgreSQL database (default length 15 s, renewed every 5 s).</summary>
public sealed class LeaseTests : IAsyncLifetime
{
    private const string Work = "test-work";
    private ServerNodes _nodes = null!;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _nodes = await ServerNodes.StartAsync();

    public async ValueTask DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task OneLease_TwoNodes_OneHoldsIt_TheOtherTakesItOverOnlyOnceItExpires()
    {
        var (first, second) = (_nodes.A, _nodes.B);
        Assert.True(await first.Leases().HoldAsync(Work, Token));
        Assert.False(await second.Leases().HoldAsync(Work, Token));

        second.Clock.Advance(TimeSpan.FromSeconds(14));
        Assert.False(await second.Leases().HoldAsync(Work, Token));
        Assert.False(second.Leases().Holds(Work));

        second.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await second.Leases().HoldAsync(Work, Token));
        Assert.Equal(second.Leases().NodeId, (await _nodes.LeaseAsync(Work))!.Holder);

        // The first node's clock catches up: its lease has expired and the other node holds the work now.
        first.Clock.Advance(TimeSpan.FromSeconds(16));
        Assert.False(await first.Leases().HoldAsync(Work, Token));
        Assert.False(first.Leases().Holds(Work));
    }

    [Fact]
    public async Task HeldLease_IsRenewedByItsNode_SoTheOtherNeverTakesIt()
    {
        var (first, second) = (_nodes.A, _nodes.B);
        var start = first.Clock.GetCurrentInstant();
        first.Leases().Want(Work, () => { });
        Assert.True(await first.Leases().HoldAsync(Work, Token));

        for (var renewal = 1; renewal <= 4; renewal++)
        {
            first.Clock.Advance(TimeSpan.FromSeconds(5));
            var expected = start + NodaTime.Duration.FromSeconds(5 * renewal + 15);
            await Waiting.UntilAsync(async () => (await _nodes.LeaseAsync(Work))?.ExpiresAt == expected, "the node renews its lease every 5 s");
        }

        second.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(await second.Leases().HoldAsync(Work, Token));
        Assert.True(first.Leases().Holds(Work));
    }

    [Fact]
    public async Task NodeStoppingCleanly_GivesItsLeaseBack_TheOtherTakesItAtOnce()
    {
        var (first, second) = (_nodes.A, _nodes.B);
        var taken = new TaskCompletionSource();
        second.Leases().Want(Work, () => taken.TrySetResult());
        first.Leases().Want(Work, () => { });
        Assert.True(await first.Leases().HoldAsync(Work, Token));
        Assert.False(await second.Leases().HoldAsync(Work, Token));

        await _nodes.StopAsync(first);

        Assert.Null(await _nodes.LeaseAsync(Work));
        Assert.True(await second.Leases().HoldAsync(Work, Token));
        await taken.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task KilledNode_ItsWantedLeaseIsTakenOverByTheOthersKeeper_WithinAboutOneLease()
    {
        var (first, second) = (_nodes.A, _nodes.B);
        var taken = new TaskCompletionSource();
        second.Leases().Want(Work, () => taken.TrySetResult());
        Assert.True(await first.Leases().HoldAsync(Work, Token));

        await _nodes.KillAsync(first);
        // The keeper tries every 5 s: still the dead node's for the first 15 s.
        for (var i = 0; i < 2; i++)
        {
            second.Clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(100, Token);
        }
        Assert.False(taken.Task.IsCompleted);
        Assert.False(second.Leases().Holds(Work));

        second.Clock.Advance(TimeSpan.FromSeconds(5));
        await Waiting.UntilAsync(() => Task.FromResult(second.Leases().Holds(Work)), "the keeper takes the expired lease over");
        await taken.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(second.Leases().NodeId, (await _nodes.LeaseAsync(Work))!.Holder);
    }

    [Fact]
    public async Task NodeHealth_ShowsTheNodeIdAndItsLeases()
    {
        Assert.True(await _nodes.A.Leases().HoldAsync(Work, Token));
        var first = await _nodes.A.Anonymous().GetJsonAsync("/health/node");
        var second = await _nodes.B.Anonymous().GetJsonAsync("/health/node");

        Assert.Equal(_nodes.A.Leases().NodeId, first.GetProperty("nodeId").GetString());
        Assert.NotEqual(first.GetProperty("nodeId").GetString(), second.GetProperty("nodeId").GetString());
        Assert.True(first.GetProperty("leases").TryGetProperty(Work, out _));
        Assert.False(second.GetProperty("leases").TryGetProperty(Work, out _));
    }
}

/// <summary>On SQLite there is one node: it holds every lease, and no lease row is ever written.</summary>
public sealed class SqliteLeaseTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task SingleNode_HoldsEveryLease_WithoutWritingOne()
    {
        var leases = fixture.Server.Leases();
        Assert.False(leases.Shared);
        Assert.True(await leases.HoldAsync("test-work", TestContext.Current.CancellationToken));
        Assert.True(leases.Holds("anything"));
        await using var scope = fixture.Server.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Lease>().CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Server.Anonymous().GetAsync("/health/node", TestContext.Current.CancellationToken)).StatusCode);
    }
}
