using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Auth;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Auth;

/// <summary>
/// Authenticated requests take their principal from memory, yet a revoked token, an expired one, a disabled
/// admin or a changed role counts from the very next request.
/// </summary>
public abstract class PrincipalCacheTests(PortierServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient _admin = server.Admin();

    private PrincipalCache Cache => server.Services.GetRequiredService<PrincipalCache>();

    [Fact]
    public async Task RevokedToken_IsRefusedOnTheNextRequest()
    {
        var created = await (await _admin.PostJsonAsync("/api/v1/tokens", new { name = "cached", permissions = new[] { "sites:read" } })).ExpectAsync(HttpStatusCode.Created);
        var client = server.WithToken(created.GetProperty("token").GetString()!);
        await client.GetJsonAsync("/api/v1/sites");
        await client.GetJsonAsync("/api/v1/sites");
        Assert.True(Cache.Count > 0, "the token's principal is held in memory after use");

        await (await _admin.DeleteAsync($"/api/v1/tokens/{created.GetProperty("details").Id()}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync("/api/v1/sites", Ct)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ExpiredToken_IsRefusedOnceTheClockPassesItsExpiry()
    {
        var expires = server.Clock.GetUtcNow().AddMinutes(30);
        var created = await (await _admin.PostJsonAsync("/api/v1/tokens", new { name = "short", permissions = new[] { "sites:read" }, expiresAt = expires }))
            .ExpectAsync(HttpStatusCode.Created);
        var client = server.WithToken(created.GetProperty("token").GetString()!);
        await client.GetJsonAsync("/api/v1/sites");

        server.Clock.Advance(TimeSpan.FromMinutes(31));

        await (await client.GetAsync("/api/v1/sites", Ct)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task RolePermissionChange_TakesEffectOnTheNextRequestOfItsSessions()
    {
        var role = await (await _admin.PostJsonAsync("/api/v1/roles", new { name = $"reader-{Guid.NewGuid():N}", permissions = new[] { "sites:read" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var session = await SignInWithRoleAsync(role.Id());
        await session.GetJsonAsync("/api/v1/sites");
        await (await session.GetAsync("/api/v1/doors", Ct)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await (await _admin.PutJsonAsync($"/api/v1/roles/{role.Id()}", new { name = role.GetProperty("name").GetString(), permissions = new[] { "doors:read" } }))
            .ExpectAsync(HttpStatusCode.OK);

        await (await session.GetAsync("/api/v1/sites", Ct)).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await session.GetJsonAsync("/api/v1/doors");
    }

    [Fact]
    public async Task DisabledAdmin_IsRefusedOnTheNextRequestOfItsApiToken()
    {
        var role = await (await _admin.PostJsonAsync("/api/v1/roles", new { name = $"tokens-{Guid.NewGuid():N}", permissions = new[] { "sites:read", "admins:write" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var email = $"{Guid.NewGuid():N}@example.org";
        var admin = await (await _admin.PostJsonAsync("/api/v1/admins", new { email, name = "Holder", password = "correct horse battery", roleIds = new[] { role.Id() } }))
            .ExpectAsync(HttpStatusCode.Created);
        var session = await SignInAsync(email);
        var token = server.WithToken(await session.CreateTokenAsync(["sites:read"]));
        await token.GetJsonAsync("/api/v1/sites");

        await (await _admin.PutJsonAsync($"/api/v1/admins/{admin.Id()}", new { email, name = "Holder", roleIds = new[] { role.Id() }, disabled = true }))
            .ExpectAsync(HttpStatusCode.OK);

        await (await token.GetAsync("/api/v1/sites", Ct)).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    private async Task<HttpClient> SignInWithRoleAsync(Guid roleId)
    {
        var email = $"{Guid.NewGuid():N}@example.org";
        await (await _admin.PostJsonAsync("/api/v1/admins", new { email, name = "Role holder", password = "correct horse battery", roleIds = new[] { roleId } }))
            .ExpectAsync(HttpStatusCode.Created);
        return await SignInAsync(email);
    }

    private async Task<HttpClient> SignInAsync(string email)
    {
        var login = await (await server.Anonymous().PostJsonAsync("/api/v1/auth/login", new { email, password = "correct horse battery" })).ExpectAsync(HttpStatusCode.OK);
        return server.WithToken(login.GetProperty("token").GetString()!);
    }
}

public sealed class PrincipalCacheSqliteTests(SqliteServerFixture fixture) : PrincipalCacheTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class PrincipalCachePostgresTests(PostgresServerFixture fixture) : PrincipalCacheTests(fixture.Server), IClassFixture<PostgresServerFixture>;
