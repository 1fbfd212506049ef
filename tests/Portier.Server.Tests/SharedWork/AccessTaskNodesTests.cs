using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portier.Server.Features.Events;
using Portier.Server.Infrastructure;
using Portier.Server.Tests.Events;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.SharedWork;

/// <summary>Two nodes on one PostgreSQL database run the access tasks of one webhook provider.</summary>
public sealed class AccessTaskNodesTests : IAsyncLifetime
{
    private const int Sessions = 12;
    private ServerNodes _nodes = null!;
    private WebhookReceiver _receiver = null!;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _nodes = await ServerNodes.StartAsync();
        _receiver = new WebhookReceiver { Delay = TimeSpan.FromMilliseconds(20) };
        _receiver.Answer = call => call.Body.Contains("zones.list", StringComparison.Ordinal)
            ? new ReceiverAnswer(200, """{"zones":[{"id":"hall","name":"Hall"}]}""")
            : new ReceiverAnswer(200);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _nodes.DisposeAsync();
    }

    /// <summary>A provider, an attendee and sessions starting within the hour, so every grant task is due now.</summary>
    private async Task ArrangeDueGrantsAsync()
    {
        var e = await EventSetup.CreateAsync(_nodes.A);
        var provider = (await (await e.Admin.PostJsonAsync("/api/v1/providers", new { siteId = e.SiteId, name = "Acme", kind = "webhook", url = _receiver.Url }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var zone = (await (await e.Admin.PostJsonAsync($"/api/v1/providers/{provider}/zones/sync", new { })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("zones")[0].Id();
        await e.AttendAsync(await e.PersonAsync());
        await e.PolicyAsync(zone, 60, 0);
        for (var i = 0; i < Sessions; i++) await e.SessionAsync(e.Now.AddMinutes(10 + i));
        _receiver.Calls.Clear();
    }

    private static AccessTaskRunner Runner(PortierServer node) =>
        ActivatorUtilities.CreateInstance<AccessTaskRunner>(node.Services, Options.Create(new EventAccessOptions { BatchSize = 2 }));

    [Fact]
    public async Task TwoNodes_RunningTogether_SendEachGrantOnce()
    {
        await ArrangeDueGrantsAsync();

        var results = await Task.WhenAll(
            Task.Run(() => Runner(_nodes.A).RunDueAsync(Token), Token), Task.Run(() => Runner(_nodes.B).RunDueAsync(Token), Token),
            Task.Run(() => Runner(_nodes.B).RunDueAsync(Token), Token), Task.Run(() => Runner(_nodes.A).RunDueAsync(Token), Token));

        var ids = _receiver.Calls.Select(c => c.Id).ToList();
        Assert.Equal(Sessions, ids.Count);
        Assert.Equal(Sessions, ids.Distinct().Count());
        Assert.Equal(Sessions, results.Sum(r => r.Executed));
    }

    [Fact]
    public async Task NodeKilledAfterClaimingTasks_TheOtherRunsThemOnceAfterTheClaimLease()
    {
        await ArrangeDueGrantsAsync();
        var claimed = await Runner(_nodes.A).ClaimDueAsync(Guid.NewGuid(), _nodes.A.Clock.GetCurrentInstant(), 100, Token);
        Assert.Equal(Sessions, claimed.Count);
        await _nodes.KillAsync(_nodes.A);

        Assert.Equal(0, (await Runner(_nodes.B).RunDueAsync(Token)).Executed);
        Assert.Empty(_receiver.Calls);
        // The clock passes the claims' lease: the other node's own runner wakes too, and runs alongside these two.
        _nodes.B.Clock.Advance(new EventAccessOptions().ClaimLease + TimeSpan.FromSeconds(1));
        await Task.WhenAll(Runner(_nodes.B).RunDueAsync(Token), Runner(_nodes.B).RunDueAsync(Token));

        await Waiting.UntilAsync(() => Task.FromResult(_receiver.Calls.Count >= Sessions), "every grant is sent");
        await Task.WhenAll(Runner(_nodes.B).RunDueAsync(Token), Runner(_nodes.B).RunDueAsync(Token));
        Assert.Equal(Sessions, _receiver.Calls.Select(c => c.Id).Distinct().Count());
        Assert.Equal(Sessions, _receiver.Calls.Count);
    }
}
