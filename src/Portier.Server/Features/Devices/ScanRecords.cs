using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>When a scan was recorded and the command that answered it, if it was.</summary>
public sealed record ScanRecord(Instant At, Guid? CommandId);

/// <summary>
/// Finds a remembered scan (<see cref="DeviceScan"/>) by its key. Every scan asks once, and almost every answer
/// is "never seen". On SQLite the question is one statement prepared once on a connection of this finder's own,
/// so a scan pays for a primary-key probe, not for renting a pooled context, opening its connection and EF Core's
/// query pipeline around it; SQLite's write-ahead log lets this connection read while the access log writer
/// commits. On PostgreSQL (a round trip either way) it is a compiled query in the caller's scope.
/// </summary>
public sealed class ScanRecords(IOptions<DatabaseOptions> options, SqlitePragmas pragmas) : IDisposable
{
    private readonly Lock _gate = new();
    private Prepared? _prepared;
    private bool _disposed;

    /// <summary>The record of this device's scan, if any; <paramref name="services"/> is the caller's scope.</summary>
    public async Task<ScanRecord?> FindAsync(IServiceProvider services, Guid deviceId, Guid scanId)
    {
        if (options.Value.Provider == DatabaseProvider.Postgres)
        {
            var db = services.GetRequiredService<PortierDbContext>();
            return await FindScan.For(db)(db, deviceId, scanId);
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return (_prepared ??= Prepare(services)).Find(deviceId, scanId);
        }
    }

    private static readonly CompiledPerModel<Func<PortierDbContext, Guid, Guid, Task<ScanRecord?>>> FindScan = new(() => EF.CompileAsyncQuery(
        (PortierDbContext db, Guid deviceId, Guid scanId) => db.Set<DeviceScan>().AsNoTracking()
            .Where(s => s.DeviceId == deviceId && s.ScanId == scanId)
            .Select(s => new ScanRecord(s.At, s.CommandId))
            .FirstOrDefault()));

    /// <summary>Table and column names, and how each value is stored, from the EF Core model; the connection opened once.</summary>
    private Prepared Prepare(IServiceProvider services)
    {
        var db = services.GetRequiredService<PortierDbContext>();
        var table = StoreTable.Of<DeviceScan>(db);
        var entity = db.Model.FindEntityType(typeof(DeviceScan))!;
        RelationalTypeMapping Mapping(string property) => (RelationalTypeMapping)entity.FindProperty(property)!.GetRelationalTypeMapping();
        var connection = new SqliteConnection(options.Value.SqliteConnectionString());
        try
        {
            connection.Open();
            pragmas.Configure(connection);
            var find = connection.CreateCommand();
            find.CommandText = "SELECT " + table.Column(nameof(DeviceScan.At)) + ", " + table.Column(nameof(DeviceScan.CommandId))
                + " FROM " + table.Name + " WHERE " + table.Column(nameof(DeviceScan.DeviceId)) + " = $device AND "
                + table.Column(nameof(DeviceScan.ScanId)) + " = $scan";
            return new Prepared(connection, find, Mapping(nameof(DeviceScan.DeviceId)), Mapping(nameof(DeviceScan.ScanId)), Mapping(nameof(DeviceScan.At)), Mapping(nameof(DeviceScan.CommandId)));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _prepared?.Dispose();
            _prepared = null;
        }
    }

    /// <summary>
    /// The open connection and its statement. Microsoft.Data.Sqlite keeps a command's statement prepared between
    /// runs while its text stays the same: only the parameters are bound again.
    /// </summary>
    private sealed class Prepared(SqliteConnection connection, SqliteCommand find, RelationalTypeMapping device, RelationalTypeMapping scan,
        RelationalTypeMapping at, RelationalTypeMapping commandId) : IDisposable
    {
        public ScanRecord? Find(Guid deviceId, Guid scanId)
        {
            find.Parameters.Clear();
            find.Parameters.Add(device.CreateParameter(find, "$device", deviceId, nullable: false));
            find.Parameters.Add(scan.CreateParameter(find, "$scan", scanId, nullable: false));
            using var reader = find.ExecuteReader();
            if (!reader.Read()) return null;
            return new ScanRecord(
                (Instant)FromStore(at, reader.GetValue(0))!,
                reader.IsDBNull(1) ? null : (Guid?)FromStore(commandId, reader.GetGuid(1)));
        }

        private static object? FromStore(RelationalTypeMapping mapping, object value) =>
            mapping.Converter is { } converter ? converter.ConvertFromProvider(value) : value;

        public void Dispose()
        {
            find.Dispose();
            connection.Dispose();
        }
    }
}
