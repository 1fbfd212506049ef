using Microsoft.AspNetCore.Hosting;
using Npgsql;
using Portier.Server.Features.AccessLog;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.AccessLog;

/// <summary>
/// The server running as the PostgreSQL role <see cref="AccessLogHardening"/> sets up: it appends and
/// audits as usual, but that role can neither change nor delete history, nor move a chain head back.
/// </summary>
public sealed class RestrictedRoleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServerAsRestrictedRole_Appends_ButCannotRewriteDeleteOrRewindHistory()
    {
        var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres);
        var role = "portier_app_" + Guid.NewGuid().ToString("N")[..8];
        await using (var owner = new PortierServer(database, ownsDatabase: false))
        {
            _ = owner.Server; // migrates as the owner
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN; {AccessLogHardening.PostgresAppRoleSql(role)}", connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        var restricted = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Pooling = false }.ConnectionString;
        await using var server = new PortierServer(database, builder =>
        {
            builder.UseSetting("Database:ConnectionString", restricted);
            builder.UseSetting("Database:MigrateOnStart", "false");
        });
        var admin = server.Admin();
        var site = await admin.CreateSiteAsync();
        var door = await admin.CreateDoorAsync(site);
        for (var i = 0; i < 3; i++) await server.AppendAsync(site, door, allowed: i != 1);
        Assert.True((await admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}")).GetProperty("intact").GetBoolean());
        Assert.True((await admin.GetJsonAsync("/api/v1/audit/verify")).GetProperty("intact").GetBoolean());

        await using var app = new NpgsqlConnection(restricted);
        await app.OpenAsync(Ct);
        string[] refused =
        [
            "UPDATE access_events SET \"Allowed\" = true",
            "DELETE FROM access_events WHERE \"Sequence\" = 3",
            "TRUNCATE access_events",
            "UPDATE audit_entries SET \"Actor\" = 'someone-else'",
            "DELETE FROM audit_entries",
            "DELETE FROM chain_heads",
            $"UPDATE chain_heads SET \"Sequence\" = \"Sequence\" - 1 WHERE \"ScopeId\" = '{site}'",
            "UPDATE chain_heads SET \"Hash\" = 'x'",
        ];
        foreach (var sql in refused)
        {
            await using var command = new NpgsqlCommand(sql, app);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Ct));
            Assert.True(error.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {error.SqlState} {error.MessageText}");
        }

        // Still whole, and still growing.
        await server.AppendAsync(site, door);
        var verified = await admin.GetJsonAsync($"/api/v1/access-events/verify?siteId={site}");
        Assert.True(verified.GetProperty("intact").GetBoolean());
        Assert.Equal(4, verified.GetProperty("checked").GetInt64());
    }
}
