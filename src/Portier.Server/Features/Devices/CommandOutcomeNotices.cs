using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure.Changes;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Tells the node that sent a command that another node settled it (the command's ack came to that
/// node): a PostgreSQL NOTIFY on one channel, heard on every node's listening connection
/// (<see cref="NodeNoticeListener"/>). A notice lost while that connection is down costs only time: the
/// sender reads the stored outcome at the command's deadline before it declares it timed out. On SQLite
/// (one node) nothing is sent or heard.
/// </summary>
public sealed class CommandOutcomeNotices : INodeNoticeChannel
{
    public const string Channel = "portier_command_outcomes";

    string INodeNoticeChannel.Channel => Channel;

    /// <summary>A command settled on some node (this one included: the sender ignores what it does not wait for).</summary>
    public event Action<CommandOutcome>? Heard;

    /// <summary>Announces a settled command to every node; sent when the caller's statement has committed.</summary>
    public static async Task NotifyAsync(PortierDbContext db, CommandOutcome outcome, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql()) return;
        await db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [Channel, Format(outcome)], ct);
    }

    public static string Format(CommandOutcome outcome) =>
        string.Join('|', outcome.CommandId.ToString("D"), outcome.Status.ToString(),
            outcome.AckAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "");

    public static CommandOutcome? Parse(string payload) =>
        payload.Split('|') is [var id, var status, var ackAt]
        && Guid.TryParseExact(id, "D", out var commandId)
        && Enum.TryParse<CommandStatus>(status, out var settled)
            ? new CommandOutcome(commandId, settled,
                long.TryParse(ackAt, CultureInfo.InvariantCulture, out var millis) ? Instant.FromUnixTimeMilliseconds(millis) : null)
            : null;

    public void Hear(string payload)
    {
        if (Parse(payload) is { } outcome) Heard?.Invoke(outcome);
    }
}
