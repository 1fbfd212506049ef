using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>Stores a prepared command (<see cref="DeviceCommands.Prepare"/>) with the access event that sends it.</summary>
public sealed record StoreCommand(DeviceCommand Command) : IEventCompanion
{
    public async ValueTask StageAllAsync(PortierDbContext db, IReadOnlyList<IEventCompanion> ofThisType, CancellationToken ct) =>
        await db.AppendRowsAsync([.. ofThisType.Cast<StoreCommand>().Select(s => s.Command)], ct);
}

/// <summary>
/// Records a stored command's outcome with the outcome event. Like the commands' own bookkeeping,
/// it changes only a command still pending: a late ack recorded meanwhile stays late.
/// </summary>
public sealed record SettleCommand(Guid CommandId, CommandStatus Status, Instant? AckAt) : IEventCompanion
{
    public static SettleCommand From(CommandOutcome outcome) => new(outcome.CommandId, outcome.Status, outcome.AckAt);

    /// <summary>
    /// On SQLite, which runs in process, one prepared single-row UPDATE executed per command; on PostgreSQL,
    /// which pays a round trip per statement, one UPDATE per 50 commands, each row given its own status and
    /// ack time.
    /// </summary>
    public async ValueTask StageAllAsync(PortierDbContext db, IReadOnlyList<IEventCompanion> ofThisType, CancellationToken ct)
    {
        var settled = ofThisType.Cast<SettleCommand>().ToArray();
        if (db.Database.IsSqlite())
        {
            await SettleEachAsync(db, settled, ct);
            return;
        }
        foreach (var chunk in settled.Chunk(50)) await SettleAsync(db, chunk, ct);
    }

    /// <summary>
    /// Straight on the writer's open connection and transaction, with the model's column conversions: a
    /// statement whose text never changes is prepared once per batch, where a CASE per row would be built,
    /// prepared and bound anew for every batch (and SQLite binds by name, so its cost grows with the square of its size).
    /// </summary>
    private static async Task SettleEachAsync(PortierDbContext db, SettleCommand[] settled, CancellationToken ct)
    {
        var commands = StoreTable.Of<DeviceCommand>(db);
        var entity = db.Model.FindEntityType(typeof(DeviceCommand))!;
        RelationalTypeMapping MappingOf(string property) => (RelationalTypeMapping)entity.FindProperty(property)!.GetRelationalTypeMapping();
        var (idType, statusType, ackType) = (MappingOf(nameof(DeviceCommand.Id)), MappingOf(nameof(DeviceCommand.Status)), MappingOf(nameof(DeviceCommand.AckAt)));
        var (status, ackAt) = (commands.Column(nameof(DeviceCommand.Status)), commands.Column(nameof(DeviceCommand.AckAt)));
        await using var update = db.Database.GetDbConnection().CreateCommand();
        update.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Commands are settled inside the access log's transaction.");
        update.CommandText = "UPDATE " + commands.Name + " SET " + status + " = @status, " + ackAt + " = COALESCE(@ackAt, " + ackAt + ")"
            + " WHERE " + commands.Column(nameof(DeviceCommand.Id)) + " = @id AND " + status + " = @pending";
        foreach (var s in settled)
        {
            update.Parameters.Clear();
            update.Parameters.Add(statusType.CreateParameter(update, "@status", s.Status, nullable: false));
            update.Parameters.Add(ackType.CreateParameter(update, "@ackAt", s.AckAt, nullable: true));
            update.Parameters.Add(idType.CreateParameter(update, "@id", s.CommandId, nullable: false));
            update.Parameters.Add(statusType.CreateParameter(update, "@pending", CommandStatus.Pending, nullable: false));
            await update.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task SettleAsync(PortierDbContext db, SettleCommand[] settled, CancellationToken ct)
    {
        var commands = StoreTable.Of<DeviceCommand>(db);
        var (id, statusColumn, ackAt) = (commands.Column(nameof(DeviceCommand.Id)), commands.Column(nameof(DeviceCommand.Status)), commands.Column(nameof(DeviceCommand.AckAt)));
        var arguments = new SqlArguments();
        var status = new StringBuilder("CASE ").Append(id);
        foreach (var s in settled) status.Append(" WHEN ").Append(arguments.Add(s.CommandId)).Append(" THEN ").Append(arguments.Add(s.Status.ToString()));
        status.Append(" END");
        var acked = settled.Where(s => s.AckAt is not null).ToList();
        if (acked.Count > 0)
        {
            status.Append(", ").Append(ackAt).Append(" = CASE ").Append(id);
            foreach (var s in acked) status.Append(" WHEN ").Append(arguments.Add(s.CommandId)).Append(" THEN ").Append(arguments.Add(s.AckAt!.Value.ToUnixTimeMilliseconds()));
            status.Append(" ELSE ").Append(ackAt).Append(" END");
        }
        var ids = arguments.AddList(settled.Select(s => s.CommandId));
        var pending = arguments.Add(nameof(CommandStatus.Pending));
        var sql = "UPDATE " + commands.Name + " SET " + statusColumn + " = " + status + " WHERE " + statusColumn + " = " + pending + " AND " + id + " IN (" + ids + ")";
        await db.Database.ExecuteSqlRawAsync(sql, arguments.Values, ct);
    }
}
