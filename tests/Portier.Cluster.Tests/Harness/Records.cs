using Npgsql;

namespace Portier.Cluster.Tests.Harness;

/// <summary>
/// Reads the estate's database directly, for what the API does not show: which scan each access
/// event and command belong to, and the access log's sequence across every node's writes.
/// </summary>
public sealed class Records(string connectionString)
{
    public async Task<long> CountAsync(string sql, Guid siteId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("site", siteId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The site's remembered scans: scan id → (access event id, command id), only those whose access event exists.</summary>
    public async Task<Dictionary<Guid, (Guid EventId, Guid? CommandId)>> RecordedScansAsync(Guid siteId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT s."ScanId", s."EventId", s."CommandId" FROM device_scans s
            JOIN access_events e ON e."Id" = s."EventId" WHERE e."SiteId" = @site
            """, connection);
        command.Parameters.AddWithValue("site", siteId);
        var scans = new Dictionary<Guid, (Guid, Guid?)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            scans[reader.GetGuid(0)] = (reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2));
        return scans;
    }

    /// <summary>Every decision (not the later outcome rows) the site's access log holds, by id.</summary>
    public async Task<HashSet<Guid>> DecisionEventIdsAsync(Guid siteId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""SELECT "Id" FROM access_events WHERE "SiteId" = @site AND "OutcomeOf" IS NULL""", connection);
        command.Parameters.AddWithValue("site", siteId);
        var ids = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <summary>The access log's sequence numbers at the site: how many rows, how many distinct, the lowest and the highest.</summary>
    public async Task<(long Rows, long Distinct, long Lowest, long Highest)> SequenceAsync(Guid siteId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """SELECT count(*), count(DISTINCT "Sequence"), coalesce(min("Sequence"), 0), coalesce(max("Sequence"), 0) FROM access_events WHERE "SiteId" = @site""", connection);
        command.Parameters.AddWithValue("site", siteId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }
}
