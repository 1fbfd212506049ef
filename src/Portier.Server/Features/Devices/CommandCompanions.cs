using System.Text;
using Microsoft.EntityFrameworkCore;
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
    /// One UPDATE per 50 commands of the batch, each row given its own status and ack time (SQLite
    /// looks each parameter up by name, so one statement per batch would cost the square of its size).
    /// </summary>
    public async ValueTask StageAllAsync(PortierDbContext db, IReadOnlyList<IEventCompanion> ofThisType, CancellationToken ct)
    {
        foreach (var chunk in ofThisType.Cast<SettleCommand>().Chunk(50)) await SettleAsync(db, chunk, ct);
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
