using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Console;

public sealed class ConsoleAuthTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly PortierServer _server = fixture.Server;

    [Fact]
    public async Task ConsolePage_Anonymous_RedirectsToSignIn()
    {
        using var client = _server.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/console/sites", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/console/sign-in", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_Anonymous_StillAnswersProblemNotRedirect() =>
        await (await _server.Anonymous().GetAsync("/api/v1/sites", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

    [Fact]
    public async Task SetupCode_WhenAnAdminExists_IsClosedAndRefusesAnyCode()
    {
        var setup = _server.Services.GetRequiredService<SetupCode>();
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();

        await setup.AnnounceIfNeededAsync(db, TestContext.Current.CancellationToken);
        var errors = await setup.CreateFirstAdminAsync("ABCD-EFGH-JKLM", new AdminRequest("late@example.org", "Late", "long enough password", null, null),
            db, _server.Clock, TestContext.Current.CancellationToken);

        Assert.False(setup.IsOpen);
        Assert.Contains("code", errors!.Keys);
    }
}

public sealed class DemoModeTests : IAsyncLifetime
{
    private PortierServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite), b => b.UseSetting("Portier:Demo", "true"));
        _ = _server.Server;
    }

    [Fact]
    public async Task DemoMode_OnEmptyDatabase_SeedsASampleSiteWithDoorsPeopleAndGrants()
    {
        var admin = _server.Admin();
        var sites = await admin.GetJsonAsync("/api/v1/sites");
        var site = sites.GetProperty("items")[0].GetProperty("id").GetGuid();

        Assert.Equal(1, sites.GetProperty("total").GetInt32());
        Assert.Equal(4, (await admin.GetJsonAsync($"/api/v1/doors?siteId={site}")).GetProperty("total").GetInt32());
        Assert.Equal(3, (await admin.GetJsonAsync($"/api/v1/zones?siteId={site}")).GetProperty("total").GetInt32());
        Assert.Equal(6, (await admin.GetJsonAsync($"/api/v1/people?siteId={site}")).GetProperty("total").GetInt32());
        Assert.Equal(3, (await admin.GetJsonAsync($"/api/v1/grants?siteId={site}")).GetProperty("total").GetInt32());
        Assert.Equal(6, (await admin.GetJsonAsync($"/api/v1/credentials?siteId={site}")).GetProperty("total").GetInt32());
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
