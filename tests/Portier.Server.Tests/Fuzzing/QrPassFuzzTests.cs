using System.Net;
using System.Text;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Fuzzing;

/// <summary>
/// Edited QR passes at a gate: a pass issued for gate A only, edited and shown at gate B, must never
/// open it, and no edit may make the server fail. Edits that keep the signature valid still name gate A.
/// </summary>
public abstract class QrPassFuzzTests(PortierServer server)
{
    [Fact]
    public async Task EditedPasses_AreAnsweredWithoutServerErrors_AndNeverGranted()
    {
        var admin = server.Admin();
        var setup = await admin.SetUpInvitesAsync(site: "QR fuzz");
        var gate = await server.GateAsync(admin);
        var pass = (await admin.InviteAsync(setup)).Issued("qr");
        var run = new FuzzRun($"qr passes ({server.Kind})");

        await run.RunAsync(Edits.Draw(Edits.Around(pass, "a.b.c", "..", pass.Replace('.', '_')), run.Cases, run.Seed), parallel: 8, async value =>
        {
            using var response = await gate.PostAsync("/api/v1/access/validate",
                new StringContent(JsonSerializer.Serialize(new { pointOfEntryId = setup.GateB, method = "qr", value }), Encoding.UTF8, "application/json"));
            var status = (int)response.StatusCode;
            if (status >= 500) run.Fail($"{status} {await response.Content.ReadAsStringAsync()}", value);
            else if (response.StatusCode == HttpStatusCode.OK &&
                     JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("allowed").GetBoolean())
                run.Fail("granted", value);
            return status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });

        var grants = await FuzzChecks.GrantsAsync(server, setup.SiteId);
        run.AssertClean($", {grants} grants");
        Assert.Equal(0, grants);
        // The gate still works: the untouched pass opens gate A.
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", pass));
    }
}

public sealed class QrPassFuzzSqliteTests(SqliteServerFixture fixture) : QrPassFuzzTests(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class QrPassFuzzPostgresTests(PostgresServerFixture fixture) : QrPassFuzzTests(fixture.Server), IClassFixture<PostgresServerFixture>;
