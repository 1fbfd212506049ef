namespace Portier.Server.Features.Alarms;

/// <summary>The door sensor or the latch changed.</summary>
public sealed record DoorStateChanged(Guid DoorId, Guid SiteId, bool Open, bool Latched, DateTimeOffset At);

/// <summary>
/// Where door supervision (and <see cref="SystemAlarms"/>) announce what they see. The default writes to the log; the live stream
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
        LogRaised(logger, alarm.Kind, alarm.DoorId ?? alarm.SubjectId, alarm.Id);
        return Task.CompletedTask;
    }

    public Task AlarmClearedAsync(AlarmResponse alarm, CancellationToken ct)
    {
        LogCleared(logger, alarm.Kind, alarm.DoorId ?? alarm.SubjectId, alarm.Id);
        return Task.CompletedTask;
    }

    public Task AlarmAcknowledgedAsync(AlarmResponse alarm, CancellationToken ct)
    {
        LogAcknowledged(logger, alarm.Kind, alarm.DoorId ?? alarm.SubjectId, alarm.AcknowledgedBy);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId}: open {Open}, latched {Latched}")]
    private static partial void LogDoorState(ILogger logger, Guid doorId, bool open, bool latched);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm {Kind} raised for {Subject} ({AlarmId})")]
    private static partial void LogRaised(ILogger logger, AlarmKind kind, Guid? subject, Guid alarmId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alarm {Kind} cleared for {Subject} ({AlarmId})")]
    private static partial void LogCleared(ILogger logger, AlarmKind kind, Guid? subject, Guid alarmId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alarm {Kind} for {Subject} acknowledged by {By}")]
    private static partial void LogAcknowledged(ILogger logger, AlarmKind kind, Guid? subject, string? by);
}
