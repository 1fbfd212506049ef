using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portier.Server.Features.Events;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Events;

/// <summary>Two runners (as two server processes would) against one PostgreSQL database.</summary>
public sealed class TaskRunnerConcurrencyTests(PostgresServerFixture fixture) : IClassFixture<PostgresServerFixture>
{
    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task TwoRunners_OnePostgresDatabase_NeverExecuteOneTaskTwice()
    {
        await using var receiver = new WebhookReceiver { Delay = TimeSpan.FromMilliseconds(20) };
        receiver.Answer = call => call.Body.Contains("zones.list", StringComparison.Ordinal)
            ? new ReceiverAnswer(200, """{"zones":[{"id":"hall","name":"Hall"}]}""")
            : new ReceiverAnswer(200);
        var e = await EventSetup.CreateAsync(_server);
        var provider = (await (await e.Admin.PostJsonAsync("/api/v1/providers", new { siteId = e.SiteId, name = "Acme", kind = "webhook", url = receiver.Url }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var zone = (await (await e.Admin.PostJsonAsync($"/api/v1/providers/{provider}/zones/sync", new { })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("zones")[0].Id();
        await e.AttendAsync(await e.PersonAsync());
        await e.PolicyAsync(zone, 60, 0);
        const int sessions = 40;
        for (var i = 0; i < sessions; i++) await e.SessionAsync(e.Now.AddMinutes(10 + i));
        receiver.Calls.Clear();

        var options = Options.Create(new EventAccessOptions { BatchSize = 3 });
        AccessTaskRunner Runner() => ActivatorUtilities.CreateInstance<AccessTaskRunner>(_server.Services, options);
        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Runner().RunDueAsync(TestContext.Current.CancellationToken))));

        var ids = receiver.Calls.Select(c => c.Id).ToList();
        Assert.Equal(sessions, ids.Count);
        Assert.Equal(sessions, ids.Distinct().Count());
        Assert.Equal(sessions, results.Sum(r => r.Executed));
        Assert.All(results, r => Assert.True(r.Executed > 0, "both runners should have claimed work"));
    }
}
