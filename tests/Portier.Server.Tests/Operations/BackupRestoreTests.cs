using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Operations;

/// <summary>
/// scripts/backup.sh while the server serves, scripts/restore.sh into a fresh database and data
/// folder, and a new server on the restored place that still knows the people, checks the PIN
/// (the pepper came along) and finds the access log chain intact.
/// </summary>
public abstract class BackupRestoreTests(DatabaseKind kind) : IAsyncLifetime
{
    private const string Pin = "482913";

    private readonly DirectoryInfo _backups = Directory.CreateTempSubdirectory("portier-backup-test-");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _backups.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private sealed record Estate(Guid SiteId, Guid PersonId, Guid PinId, Guid GateId, string GateToken);

    private static async Task<Estate> CreateEstateAsync(PortierServer server)
    {
        var admin = server.Admin();
        var siteId = (await (await admin.PostJsonAsync("/api/v1/sites", new
        {
            name = "Backed-up gym",
            timeZone = "Europe/Berlin",
            rules = new { personTypeRules = new[] { new { personType = "Member", statuses = new[] { "Current" } } } },
        })).ExpectAsync(HttpStatusCode.Created)).Id();
        var personId = (await (await admin.PostJsonAsync("/api/v1/people", new { siteId, name = "Ada Keys", personType = "Member", membershipStatus = "Current" }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var pinId = (await (await admin.PostJsonAsync("/api/v1/credentials", new { personId, kind = "pin", pin = Pin }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        var gateId = (await (await admin.PostJsonAsync("/api/v1/doors", new { siteId, name = "Reception", isPointOfEntry = true }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        return new Estate(siteId, personId, pinId, gateId, await admin.CreateTokenAsync(["access:validate"]));
    }

    private static async Task<JsonElement> VerifiedChainAsync(PortierServer server, Guid siteId)
    {
        var chain = await server.Admin().GetJsonAsync($"/api/v1/access-events/verify?siteId={siteId}");
        Assert.True(chain.GetProperty("intact").GetBoolean(), chain.ToString());
        return chain;
    }

    [Fact]
    public async Task Restore_OfABackupTakenWhileServing_ServesTheSamePeoplePinsAndAccessLog()
    {
        var backup = Path.Combine(_backups.FullName, "backup");
        var source = await TestDatabase.CreateAsync(kind);
        Estate estate;
        long events;
        await using (var server = new PortierServer(source))
        {
            estate = await CreateEstateAsync(server);
            var gate = server.WithToken(estate.GateToken);
            Assert.Equal("granted", await gate.ReasonAsync(estate.GateId, "pin", Pin));
            Assert.Equal("invalid_credential", await gate.ReasonAsync(estate.GateId, "pin", "000000"));
            events = (await VerifiedChainAsync(server, estate.SiteId)).GetProperty("checked").GetInt64();
            Assert.True(events >= 2, $"{events} events recorded");

            await RunScriptAsync("backup.sh", source, backup);
        }

        Assert.True(File.Exists(Path.Combine(backup, "keys", "pin-pepper.key")), "the PIN pepper is in the backup");
        await using var target = await TestDatabase.CreateAsync(kind);
        await RunScriptAsync("restore.sh", target, backup);
        await using var restored = new PortierServer(target, ownsDatabase: false);

        var person = await restored.Admin().GetJsonAsync($"/api/v1/people/{estate.PersonId}");
        Assert.Equal("Ada Keys", person.GetProperty("name").GetString());
        var pin = await restored.Admin().GetJsonAsync($"/api/v1/credentials/{estate.PinId}");
        Assert.Equal("pin", pin.GetProperty("kind").GetString());
        var gateAfter = restored.WithToken(estate.GateToken);
        Assert.Equal("granted", await gateAfter.ReasonAsync(estate.GateId, "pin", Pin));
        Assert.Equal("invalid_credential", await gateAfter.ReasonAsync(estate.GateId, "pin", "000000"));
        // The restored chain holds every event of the backup and the two just appended to it.
        Assert.Equal(events + 2, (await VerifiedChainAsync(restored, estate.SiteId)).GetProperty("checked").GetInt64());
    }

    [Fact]
    public async Task Restore_IntoAPlaceThatAlreadyHasKeys_IsRefused_NothingWritten()
    {
        var backup = Path.Combine(_backups.FullName, "backup");
        var source = await TestDatabase.CreateAsync(kind);
        await using (var server = new PortierServer(source))
        {
            await CreateEstateAsync(server);
            await RunScriptAsync("backup.sh", source, backup);
        }
        await using var target = await TestDatabase.CreateAsync(kind);
        await File.WriteAllTextAsync(Path.Combine(target.DataFolder, "pin-pepper.key"), "another installation's key", TestContext.Current.CancellationToken);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => RunScriptAsync("restore.sh", target, backup));

        Assert.Contains("already holds key files", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target.DataFolder, "portier.db")));
        Assert.Equal("another installation's key", await File.ReadAllTextAsync(Path.Combine(target.DataFolder, "pin-pepper.key"), TestContext.Current.CancellationToken));
    }

    /// <summary>Runs scripts/<paramref name="script"/> with the database settings a server on <paramref name="database"/> reads.</summary>
    private static async Task RunScriptAsync(string script, TestDatabase database, string folder)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "scripts", script), folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Database__Provider"] = database.Kind.ToString();
        start.Environment["Database__DataFolder"] = database.DataFolder;
        start.Environment["Database__ConnectionString"] = database.ConnectionString;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} exited {process.ExitCode}: {await error}{await output}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portier.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Portier.slnx not found above the test's folder.");
    }
}

public sealed class SqliteBackupRestoreTests() : BackupRestoreTests(DatabaseKind.Sqlite);

public sealed class PostgresBackupRestoreTests() : BackupRestoreTests(DatabaseKind.Postgres);
