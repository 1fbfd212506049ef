using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
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
    public async Task SetupCode_WhenAConsoleAdminExists_IsClosedAndRefusesAnyCode()
    {
        var setup = _server.Services.GetRequiredService<SetupCode>();
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        await (await _server.Admin().PostJsonAsync("/api/v1/admins", new { email = "console@example.org", name = "Console", password = "long enough password" }))
            .ExpectAsync(HttpStatusCode.Created);

        await setup.AnnounceIfNeededAsync(db, TestContext.Current.CancellationToken);
        var errors = await setup.CreateFirstAdminAsync("ABCD-EFGH-JKLM", new AdminRequest("late@example.org", "Late", "long enough password", null, null),
            db, _server.Clock, TestContext.Current.CancellationToken);

        Assert.False(setup.IsOpen);
        Assert.Contains("code", errors!.Keys);
    }
}

/// <summary>
/// A fresh install started with PORTIER_ADMIN_TOKEN: the token's admin has no password, so the setup
/// page stays open, with the code from the log, until a console admin exists.
/// </summary>
public sealed class TokenOnlySetupTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _log = new();
    private PortierServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite),
            builder => builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(_log))));
        _ = _server.Server;
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SetupCode_WithOnlyTheTokenAdmin_IsLoggedAndCreatesTheFirstConsoleAdminOnce()
    {
        var setup = _server.Services.GetRequiredService<SetupCode>();
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var line = Assert.Single(_log, l => l.Contains("/console/setup", StringComparison.Ordinal));
        var code = System.Text.RegularExpressions.Regex.Match(line, "setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})").Groups[1].Value;
        Assert.True(setup.IsOpen);

        var tokenEmail = await setup.CreateFirstAdminAsync(code, new AdminRequest(AdminBootstrap.BootstrapEmail, "Me", "long enough password", null, null),
            db, _server.Clock, TestContext.Current.CancellationToken);
        var created = await setup.CreateFirstAdminAsync(code, new AdminRequest("me@example.org", "Me", "long enough password", null, null),
            db, _server.Clock, TestContext.Current.CancellationToken);
        var again = await setup.CreateFirstAdminAsync(code, new AdminRequest("second@example.org", "Second", "long enough password", null, null),
            db, _server.Clock, TestContext.Current.CancellationToken);

        Assert.Contains("email", tokenEmail!.Keys);
        Assert.Null(created);
        Assert.Contains("code", again!.Keys);
        Assert.False(setup.IsOpen);
        using var signIn = await _server.Anonymous().PostAsync("/api/v1/auth/login",
            System.Net.Http.Json.JsonContent.Create(new { email = "me@example.org", password = "long enough password" }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
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
