using System.Net;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Auth;

public abstract class AuthApiTests(PortierServer server)
{
    private readonly HttpClient _admin = server.Admin();

    [Fact]
    public async Task NoToken_Answers401Problem() =>
        await (await server.Anonymous().GetAsync("/api/v1/sites", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

    [Fact]
    public async Task UnknownToken_Answers401Problem() =>
        await (await server.WithToken("ptr_not-a-real-token").GetAsync("/api/v1/sites", TestContext.Current.CancellationToken))
            .ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

    [Fact]
    public async Task TokenWithoutPermission_Answers403AndWritesNothing()
    {
        var readOnly = server.WithToken(await _admin.CreateTokenAsync(["sites:read"]));
        var name = $"Forbidden-{Guid.NewGuid():N}";

        await (await readOnly.PostJsonAsync("/api/v1/sites", new { name, timeZone = "UTC" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(0, (await readOnly.GetJsonAsync($"/api/v1/sites?q={name}")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task RevokedToken_StopsWorking()
    {
        var created = await (await _admin.PostJsonAsync("/api/v1/tokens", new { name = "temp", permissions = new[] { "sites:read" } })).ExpectAsync(HttpStatusCode.Created);
        var client = server.WithToken(created.GetProperty("token").GetString()!);
        await client.GetJsonAsync("/api/v1/sites");

        await (await _admin.DeleteAsync($"/api/v1/tokens/{created.GetProperty("details").Id()}", TestContext.Current.CancellationToken)).ExpectAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task CreatedToken_ListsOnlyPrefix_NeverTheSecret()
    {
        var created = await (await _admin.PostJsonAsync("/api/v1/tokens", new { name = "listed", permissions = new[] { "sites:read" } })).ExpectAsync(HttpStatusCode.Created);
        var secret = created.GetProperty("token").GetString()!;

        var list = await _admin.GetJsonAsync("/api/v1/tokens?pageSize=200");

        Assert.DoesNotContain(secret, list.ToString(), StringComparison.Ordinal);
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => secret.StartsWith(t.GetProperty("prefix").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_CannotHandOutPermissionItLacks()
    {
        var limited = server.WithToken(await _admin.CreateTokenAsync(["admins:write", "sites:read"]));
        await (await limited.PostJsonAsync("/api/v1/tokens", new { name = "escalate", permissions = new[] { "admin:full:access" } }))
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "permission_not_held");
    }

    [Fact]
    public async Task AdminWithRole_LogsInWithPassword_AndGetsRolePermissions()
    {
        var role = await (await _admin.PostJsonAsync("/api/v1/roles", new { name = $"viewer-{Guid.NewGuid():N}", permissions = new[] { "sites:read" } })).ExpectAsync(HttpStatusCode.Created);
        var email = $"{Guid.NewGuid():N}@example.org";
        await (await _admin.PostJsonAsync("/api/v1/admins", new { email, name = "Viewer", password = "correct horse battery", roleIds = new[] { role.Id() } })).ExpectAsync(HttpStatusCode.Created);

        await (await server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password = "wrong password!!" })).ExpectProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var login = await (await server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password = "correct horse battery" })).ExpectAsync(HttpStatusCode.OK);
        var session = server.WithToken(login.GetProperty("token").GetString()!);

        await session.GetJsonAsync("/api/v1/sites");
        await (await session.PostJsonAsync("/api/v1/sites", new { name = "No", timeZone = "UTC" })).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var me = await session.GetJsonAsync("/api/v1/auth/me");
        Assert.Equal(["sites:read"], me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task UnknownPermission_IsRefused() =>
        await (await _admin.PostJsonAsync("/api/v1/tokens", new { name = "bad", permissions = new[] { "doors:fly" } }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

    [Fact]
    public async Task Health_ReadyAnswersWhenDatabaseIsUp()
    {
        var response = await server.Anonymous().GetAsync("/health/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheSitesApi()
    {
        var doc = await server.Anonymous().GetJsonAsync("/openapi/v1.json");
        Assert.True(doc.GetProperty("paths").TryGetProperty("/api/v1/sites", out _));
    }
}

public sealed class AuthApiSqliteTests(SqliteServerFixture fixture) : AuthApiTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class AuthApiPostgresTests(PostgresServerFixture fixture) : AuthApiTests(fixture.Server), IClassFixture<PostgresServerFixture>;
