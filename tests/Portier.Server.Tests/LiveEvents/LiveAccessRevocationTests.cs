using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.LiveEvents;

/// <summary>Access that ends closes the live stream and the other sessions, through the real SignalR client.</summary>
public sealed class LiveAccessRevocationTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);
    private TestDatabase _database = null!;
    private PortierServer _server = null!;
    private HttpClient _admin = null!;
    private readonly List<HubConnection> _connections = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        _server = new PortierServer(_database);
        _admin = _server.Admin();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections) await connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>A started connection and a task that completes when the server closes it.</summary>
    private async Task<(HubConnection Connection, Task Closed)> ConnectAsync(string token)
    {
        var connection = _server.LiveConnection(token);
        var closed = new TaskCompletionSource();
        connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        _connections.Add(connection);
        await connection.StartAsync(Ct);
        return (connection, closed.Task);
    }

    private static Task<JsonElement> SubscribeAsync(HubConnection connection, Guid site) =>
        connection.InvokeAsync<JsonElement>("Subscribe", new { siteId = site }, Ct);

    private async Task<(Guid Id, string Token)> CreateTokenAsync(params string[] permissions)
    {
        var created = await (await _admin.PostJsonAsync("/api/v1/tokens", new { name = "wall", permissions })).ExpectAsync(HttpStatusCode.Created);
        return (created.GetProperty("details").Id(), created.GetProperty("token").GetString()!);
    }

    /// <summary>An admin with a password holding one role; returns its id, the role id and a signed-in session token.</summary>
    private async Task<(Guid Admin, Guid Role, string Email)> CreateAdminAsync(params string[] permissions)
    {
        var role = (await (await _admin.PostJsonAsync("/api/v1/roles", new { name = $"role-{Guid.NewGuid():N}", permissions })).ExpectAsync(HttpStatusCode.Created)).Id();
        var email = $"{Guid.NewGuid():N}@example.org";
        var admin = (await (await _admin.PostJsonAsync("/api/v1/admins",
            new { email, name = "Operator", password = "correct horse battery", roleIds = new[] { role } })).ExpectAsync(HttpStatusCode.Created)).Id();
        return (admin, role, email);
    }

    private async Task<string> LoginAsync(string email, string password = "correct horse battery") =>
        (await (await _server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("token").GetString()!;

    [Fact]
    public async Task DeletedToken_ClosesItsConnectionWithinFiveSeconds_OthersStay()
    {
        var site = await _admin.CreateSiteAsync();
        var (id, token) = await CreateTokenAsync("events:subscribe");
        var (revoked, closed) = await ConnectAsync(token);
        var (other, _) = await ConnectAsync(PortierServer.AdminToken);
        await SubscribeAsync(revoked, site);
        await SubscribeAsync(other, site);

        await (await _admin.DeleteAsync($"/api/v1/tokens/{id}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        await closed.WaitAsync(Within, Ct);
        Assert.Equal(HubConnectionState.Disconnected, revoked.State);
        Assert.Equal(HubConnectionState.Connected, other.State);
        await SubscribeAsync(other, site);
    }

    [Fact]
    public async Task Subscribe_AfterTheTokenWasRevokedElsewhere_IsRefused()
    {
        var site = await _admin.CreateSiteAsync();
        var (id, token) = await CreateTokenAsync("events:subscribe");
        var (connection, _) = await ConnectAsync(token);
        await SubscribeAsync(connection, site);

        // Revoked straight in the database, as another node would: nothing on this node announces it,
        // and the periodic check waits on the test clock, so only the check on the call itself can refuse.
        await _server.QueryAsync(db => db.Set<ApiToken>().Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.Revoked, true), Ct));

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => SubscribeAsync(connection, site));
        Assert.True(refused is HubException { Message: var m } ? m.Contains("unauthorized", StringComparison.Ordinal) : connection.State != HubConnectionState.Connected,
            refused.ToString());
    }

    [Fact]
    public async Task PeriodicCheck_ClosesConnectionRevokedOnAnotherNode()
    {
        var (id, token) = await CreateTokenAsync("events:subscribe");
        var (_, closed) = await ConnectAsync(token);
        await _server.QueryAsync(db => db.Set<ApiToken>().Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.Revoked, true), Ct));

        Assert.False(closed.IsCompleted);
        // The guard may be between two checks when the clock moves (its next wait not yet started), so the clock
        // moves on until a check has run, as a real clock would.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!closed.IsCompleted && watch.Elapsed < Within)
        {
            _server.Clock.Advance(TimeSpan.FromSeconds(3));
            await Task.WhenAny(closed, Task.Delay(200, Ct));
        }

        await closed.WaitAsync(Within, Ct);
    }

    [Fact]
    public async Task PasswordChange_EndsOtherSessionsAndTheirConnections_KeepsTheSessionThatChangedIt()
    {
        var (admin, role, email) = await CreateAdminAsync(Permissions.FullAccess);
        var changer = await LoginAsync(email);
        var other = await LoginAsync(email);
        var (_, otherClosed) = await ConnectAsync(other);
        var (changerConnection, _) = await ConnectAsync(changer);

        await (await _server.WithToken(changer).PutJsonAsync($"/api/v1/admins/{admin}",
            new { email, name = "Operator", password = "a brand new passphrase", roleIds = new[] { role } })).ExpectAsync(HttpStatusCode.OK);

        await otherClosed.WaitAsync(Within, Ct);
        await _server.WithToken(other).GetJsonAsync("/api/v1/auth/me", HttpStatusCode.Unauthorized);
        await _server.WithToken(changer).GetJsonAsync("/api/v1/auth/me");
        Assert.Equal(HubConnectionState.Connected, changerConnection.State);
        await LoginAsync(email, "a brand new passphrase");
    }

    [Fact]
    public async Task DisablingAdmin_ClosesItsConnectionsAndEndsItsSessions()
    {
        var (admin, role, email) = await CreateAdminAsync("events:subscribe");
        var session = await LoginAsync(email);
        var (_, closed) = await ConnectAsync(session);

        await (await _admin.PutJsonAsync($"/api/v1/admins/{admin}", new { email, name = "Operator", roleIds = new[] { role }, disabled = true }))
            .ExpectAsync(HttpStatusCode.OK);

        await closed.WaitAsync(Within, Ct);
        await (await _admin.PutJsonAsync($"/api/v1/admins/{admin}", new { email, name = "Operator", roleIds = new[] { role } })).ExpectAsync(HttpStatusCode.OK);
        await _server.WithToken(session).GetJsonAsync("/api/v1/auth/me", HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task PermissionRemovedFromRole_ClosesTheConnectionsOfItsAdmins()
    {
        var site = await _admin.CreateSiteAsync();
        var (_, role, email) = await CreateAdminAsync("events:subscribe", "doors:read");
        var (connection, closed) = await ConnectAsync(await LoginAsync(email));
        await SubscribeAsync(connection, site);

        await (await _admin.PutJsonAsync($"/api/v1/roles/{role}", new { name = "narrower", permissions = new[] { "doors:read" } })).ExpectAsync(HttpStatusCode.OK);

        await closed.WaitAsync(Within, Ct);
    }

    [Fact]
    public async Task Negotiate_ForeignOrigin_IsRefused_OwnOriginAndNoOriginAreAccepted()
    {
        async Task<HttpResponseMessage> NegotiateAsync(string? origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/events/negotiate?negotiateVersion=1");
            if (origin is not null) request.Headers.Add("Origin", origin);
            return await _admin.SendAsync(request, Ct);
        }

        await (await NegotiateAsync("https://evil.example.org")).ExpectProblemAsync(HttpStatusCode.Forbidden, "origin_not_allowed");
        Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync(_server.Server.BaseAddress.GetLeftPart(UriPartial.Authority))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await NegotiateAsync(null)).StatusCode);
    }

    [Fact]
    public async Task Negotiate_ConfiguredOrigin_IsAccepted()
    {
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite),
            PortierServer.WithSettings(new Dictionary<string, string?> { ["LiveEvents:AllowedOrigins:0"] = "https://wall.example.org" }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/events/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "https://wall.example.org");

        Assert.Equal(HttpStatusCode.OK, (await server.Admin().SendAsync(request, Ct)).StatusCode);
    }
}
