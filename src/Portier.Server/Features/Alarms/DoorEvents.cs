namespace Portier.Server.Features.Alarms;

/// <summary>The door sensor or the latch changed.</summary>
public sealed record DoorStateChanged(Guid DoorId, Guid SiteId, bool Open, bool Latched, DateTimeOffset At);

/// <summary>
/// Where door supervision announces what it sees. The default writes to the log; the live stream
/// replaces it (register another implementation before <c>AddPortierAlarms</c>, or replace the
/// singleton). Called after the change is durable; a failure is logged and never undoes the change.
/// </summary>
public interface IDoorEventPublisher
{
    Task DoorStateChangedAsync(DoorStateChanged change, CancellationToken ct);

    Task AlarmRaisedAsync(AlarmResponse alarm, CancellationToken ct);

    Task AlarmClearedAsync(AlarmResponse alarm, CancellationToken ct);

    Task AlarmAcknowledgedAsync(AlarmResponse alarm, CancellationToken ct);
}

public sealed partial class LoggingDoorEventPublisher(ILogger<LoggingDoorEventPublisher> logger) : IDoorEventPublisher
{
    public Task DoorStateChangedAsync(DoorStateChanged change, CancellationToken ct)
    {
        LogDoorState(logger, change.DoorId, change.Open, change.Latched);
        return Task.CompletedTask;
    }

    public Task AlarmRaisedAsync(AlarmResponse alarm, CancellationToken ct)
    {
        LogRaised(logger, alarm.Kind, alarm.DoorId, alarm.Id);
        return Task.CompletedTask;
    }

    public Task AlarmClearedAsync(AlarmResponse alarm, CancellationToken ct)
    {
        LogCleared(logger, alarm.Kind, alarm.DoorId, alarm.Id);
        return Task.CompletedTask;
    }

    public Task AlarmAcknowledgedAsync(AlarmResponse alarm, CancellationToken ct)
    {
        LogAcknowledged(logger, alarm.Kind, alarm.DoorId, alarm.AcknowledgedBy);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId}: open {Open}, latched {Latched}")]
    private static partial void LogDoorState(ILogger logger, Guid doorId, bool open, bool latched);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm {Kind} raised at door {DoorId} ({AlarmId})")]
    private static partial void LogRaised(ILogger logger, AlarmKind kind, Guid doorId, Guid alarmId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alarm {Kind} cleared at door {DoorId} ({AlarmId})")]
    private static partial void LogCleared(ILogger logger, AlarmKind kind, Guid doorId, Guid alarmId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alarm {Kind} at door {DoorId} acknowledged by {By}")]
    private static partial void LogAcknowledged(ILogger logger, AlarmKind kind, Guid doorId, string? by);
}
