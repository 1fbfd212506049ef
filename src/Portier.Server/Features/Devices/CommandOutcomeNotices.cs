using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// Tells the node that sent a command that another node settled it (the command's ack came to that
/// node): a PostgreSQL NOTIFY on one channel that every node LISTENs to. A notice lost while the
/// listening connection is down costs only time: the sender reads the stored outcome at the
/// command's deadline before it declares it timed out. On SQLite (one node) nothing is sent or heard.
/// </summary>
public sealed partial class CommandOutcomeNotices(IOptions<DatabaseOptions> database, ILogger<CommandOutcomeNotices> logger) : BackgroundService
{
    public const string Channel = "portier_command_outcomes";

    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);

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

    /// <summary>Listens on a connection of its own, reconnecting after a database restart or network loss.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres) return;
        var connectionString = new NpgsqlConnectionStringBuilder(database.Value.PostgresConnectionString())
        {
            Pooling = false,
            KeepAlive = 30,
        }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(connectionString, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListenFailed(logger, e);
            }
            try
            {
                await Task.Delay(ReconnectDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ListenAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        connection.Notification += (_, e) =>
        {
            if (Parse(e.Payload) is { } outcome) Heard?.Invoke(outcome);
        };
        await using (var listen = new NpgsqlCommand("LISTEN " + Channel, connection)) await listen.ExecuteNonQueryAsync(ct);
        while (true) await connection.WaitAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for command outcomes settled on other nodes failed; retrying (until then they are read at each command's deadline)")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
