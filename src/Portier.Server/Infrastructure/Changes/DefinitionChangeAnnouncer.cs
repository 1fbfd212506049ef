using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Infrastructure.Changes;

/// <summary>
/// Tells the other nodes of a committed definition change (PostgreSQL only): bumps the version of each
/// cache name it touched and sends a <see cref="ChangeNotice"/>, in one transaction, so the notice goes out
/// exactly when the new versions are visible. Runs right after the commit, off the saving call: a
/// failure keeps the names for the next pass instead of failing a change that is already committed.
/// </summary>
public sealed partial class DefinitionChangeAnnouncer(
    NodeChanges node,
    IOptions<DatabaseOptions> database,
    IOptions<ChangesOptions> options,
    TimeProvider clock,
    ILogger<DefinitionChangeAnnouncer> logger) : PeriodicWorker(logger)
{
    private const string BumpSql = """
        INSERT INTO definition_versions AS v ("Name", "Version") SELECT unnest(@names), 1
        ON CONFLICT ("Name") DO UPDATE SET "Version" = v."Version" + 1
        RETURNING "Name", "Version"
        """;

    private readonly ConcurrentDictionary<string, bool> _pending = new(StringComparer.Ordinal);

    protected override TimeProvider Clock => clock;

    protected override TimeSpan Interval => options.Value.VersionCheckInterval;

    protected override bool Enabled => database.Value.Provider == DatabaseProvider.Postgres;

    /// <summary>Called after the commit of a change to the definitions of <paramref name="names"/>.</summary>
    public void Announce(IEnumerable<string> names)
    {
        if (!Enabled) return;
        foreach (var name in names) _pending[name] = true;
        Wake();
    }

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        var names = _pending.Keys.Order(StringComparer.Ordinal).ToArray();
        if (names.Length == 0) return null;
        foreach (var name in names) _pending.TryRemove(name, out _);
        try
        {
            foreach (var (name, version) in await BumpAndNotifyAsync(names, ct)) node.Announced(name, version);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            foreach (var name in names) _pending[name] = true;
            LogAnnounceFailed(logger, string.Join(", ", names), e);
        }
        return null;
    }

    private async Task<Dictionary<string, long>> BumpAndNotifyAsync(string[] names, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(database.Value.PostgresConnectionString());
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var bump = new NpgsqlCommand(BumpSql, connection, transaction))
        {
            // Sorted names lock their rows in one order on every node.
            bump.Parameters.AddWithValue("names", names);
            await using var reader = await bump.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) versions[reader.GetString(0)] = reader.GetInt64(1);
        }
        await using (var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection, transaction))
        {
            notify.Parameters.AddWithValue("channel", ChangeNotice.Channel);
            notify.Parameters.AddWithValue("payload", new ChangeNotice(node.NodeId, versions).ToPayload());
            await notify.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return versions;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing changes to {Names} to the other nodes failed; retrying at the next version check interval (until then they keep what they had)")]
    private static partial void LogAnnounceFailed(ILogger logger, string names, Exception exception);
}
