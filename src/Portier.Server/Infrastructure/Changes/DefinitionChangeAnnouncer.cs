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
/// The rows behind a name whose caches patch themselves travel with it while they are few, so the other
/// nodes patch as this one did; the commits one pass gathers share one version and one set of rows.
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

    private readonly Lock _gate = new();
    /// <summary>The names to announce, each with its changed rows, or null when it is to be rebuilt in full.</summary>
    private Dictionary<string, List<DefinitionRowChange>?> _pending = new(StringComparer.Ordinal);

    protected override TimeProvider Clock => clock;

    protected override TimeSpan Interval => options.Value.VersionCheckInterval;

    protected override bool Enabled => database.Value.Provider == DatabaseProvider.Postgres;

    /// <summary>
    /// Called after the commit of a change to the definitions of each name, with the rows it changed for a
    /// name whose caches patch themselves (null: the name's caches rebuild in full).
    /// </summary>
    public void Announce(IEnumerable<(string Name, IReadOnlyList<DefinitionRowChange>? Rows)> changes)
    {
        if (!Enabled) return;
        lock (_gate)
        {
            foreach (var (name, rows) in changes)
            {
                var known = _pending.TryGetValue(name, out var pending);
                if (rows is null || rows.Any(r => r.Id is null) || (known && pending is null)) _pending[name] = null;
                else if (known) pending!.AddRange(rows);
                else _pending[name] = [.. rows];
            }
        }
        Wake();
    }

    protected override async Task<Instant?> RunPassAsync(CancellationToken ct)
    {
        Dictionary<string, List<DefinitionRowChange>?> taken;
        lock (_gate)
        {
            if (_pending.Count == 0) return null;
            (taken, _pending) = (_pending, new(StringComparer.Ordinal));
        }
        var names = taken.Keys.Order(StringComparer.Ordinal).ToArray();
        try
        {
            foreach (var (name, version) in await BumpAndNotifyAsync(names, RowsToSend(taken), ct)) node.Announced(name, version);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Announced again without rows: a retry may fold further commits into the same version.
            Announce(names.Select(n => (n, (IReadOnlyList<DefinitionRowChange>?)null)));
            LogAnnounceFailed(logger, string.Join(", ", names), e);
        }
        return null;
    }

    /// <summary>The rows of each name that has them, as long as all of them together fit in one notice.</summary>
    private static Dictionary<string, IReadOnlyList<NoticedRow>>? RowsToSend(Dictionary<string, List<DefinitionRowChange>?> taken)
    {
        var rows = new Dictionary<string, IReadOnlyList<NoticedRow>>(StringComparer.Ordinal);
        var count = 0;
        foreach (var (name, changed) in taken)
        {
            if (changed is null || count + changed.Count > ChangeNotice.MaxRows) continue;
            count += changed.Count;
            rows[name] = [.. changed.Select(r => new NoticedRow(r.EntityType.Name, r.Id!.Value, r.Deleted))];
        }
        return rows.Count == 0 ? null : rows;
    }

    private async Task<Dictionary<string, long>> BumpAndNotifyAsync(string[] names, Dictionary<string, IReadOnlyList<NoticedRow>>? rows, CancellationToken ct)
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
            notify.Parameters.AddWithValue("payload", new ChangeNotice(node.NodeId, versions, rows).ToPayload());
            await notify.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return versions;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Announcing changes to {Names} to the other nodes failed; retrying at the next version check interval (until then they keep what they had)")]
    private static partial void LogAnnounceFailed(ILogger logger, string names, Exception exception);
}
