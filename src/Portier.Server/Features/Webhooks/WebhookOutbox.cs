using Portier.Core.Model;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Webhooks;

/// <summary>The event types a subscription can name; <c>family.*</c> and <c>*</c> match several.</summary>
public static class WebhookEventTypes
{
    public const string AccessGranted = "access.granted";
    public const string AccessDenied = "access.denied";
    public const string AccessOutcome = "access.outcome";
    /// <summary>An attempt broke a zone's anti-passback, refused or let through; sent besides its access.granted or access.denied.</summary>
    public const string AccessPassbackViolation = "access.passback_violation";
    public const string DeviceOnline = "device.online";
    public const string DeviceOffline = "device.offline";
    public const string DeviceClockSkewed = "device.clock_skewed";
    public const string DeviceClockInRange = "device.clock_in_range";
    public const string DoorStateChanged = "door.state_changed";
    public const string DoorOverrideStarted = "door.override_started";
    public const string DoorOverrideEnded = "door.override_ended";
    /// <summary>A group member's grant started a first-to-arrive door's auto-unlock day.</summary>
    public const string DoorFirstArrival = "door.first_arrival";
    public const string AlarmRaised = "alarm.raised";
    public const string AlarmCleared = "alarm.cleared";
    public const string TaskSucceeded = "task.succeeded";
    public const string TaskFailed = "task.failed";
    public const string InviteCreated = "invite.created";
    public const string InviteAccepted = "invite.accepted";
    public const string InviteCancelled = "invite.cancelled";
    public const string InviteExpired = "invite.expired";
    public const string ZoneCapacityReached = "zone.capacity_reached";
    public const string LockdownStarted = "lockdown.started";
    public const string LockdownEnded = "lockdown.ended";
    /// <summary>A holiday calendar was created, changed, imported into or deleted.</summary>
    public const string CalendarChanged = "calendar.changed";
    /// <summary>A person was granted a qualification, or renewed one they held.</summary>
    public const string QualificationGranted = "qualification.granted";
    /// <summary>A person's qualification was revoked (also when the qualification itself is deleted).</summary>
    public const string QualificationRevoked = "qualification.revoked";
    /// <summary>Sent only by the "send test event" action, to the one endpoint it names.</summary>
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> All =
    [
        AccessGranted, AccessDenied, AccessOutcome, AccessPassbackViolation, DeviceOnline, DeviceOffline, DeviceClockSkewed, DeviceClockInRange, DoorStateChanged, DoorOverrideStarted, DoorOverrideEnded, DoorFirstArrival, AlarmRaised, AlarmCleared, TaskSucceeded, TaskFailed,
        InviteCreated, InviteAccepted, InviteCancelled, InviteExpired, ZoneCapacityReached, LockdownStarted, LockdownEnded, CalendarChanged,
        QualificationGranted, QualificationRevoked, Test,
    ];

    public static bool IsValidPattern(string pattern) =>
        pattern == "*" || All.Contains(pattern) || (pattern.EndsWith(".*", StringComparison.Ordinal) && All.Any(t => t.StartsWith(pattern[..^1], StringComparison.Ordinal)));

    public static bool Matches(IEnumerable<string> patterns, string type) =>
        patterns.Any(p => p == "*" || p == type || (p.EndsWith(".*", StringComparison.Ordinal) && type.StartsWith(p[..^1], StringComparison.Ordinal)));
}

/// <summary>An event for subscribers: type, site (null for events of no site) and the JSON <c>data</c> object.</summary>
public sealed record WebhookEvent(string Type, Guid? SiteId, Instant At, object Data);

/// <summary>
/// The transactional outbox. Features add events to their own DbContext before SaveChanges, so
/// an event and its deliveries commit with the change that caused them, or not at all; the
/// dispatcher sends what is committed.
/// </summary>
public sealed class WebhookOutbox(WebhookWakeup wakeup, EnabledWebhookEndpoints enabledEndpoints)
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>Adds a message and a pending delivery per enabled matching endpoint to <paramref name="db"/>; the caller saves.</summary>
    public async Task AddAsync(PortierDbContext db, IReadOnlyList<WebhookEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        var endpoints = await enabledEndpoints.GetAsync(ct);
        if (endpoints.Count == 0) return;
        var added = false;
        foreach (var evt in events)
        {
            var message = (WebhookMessage?)null;
            foreach (var endpoint in endpoints)
            {
                if (!endpoint.Receives(evt)) continue;
                if (message is null) db.Add(message = NewMessage(evt));
                db.Add(WebhookDelivery.Pending(endpoint.Id, message.Id, evt.At));
            }
            added |= message is not null;
        }
        if (added) db.SavedChanges += (_, _) => wakeup.Wake();
    }

    public static WebhookMessage NewMessage(WebhookEvent evt) => new()
    {
        Id = "msg_" + SequentialIds.Next().ToString("N"),
        Type = evt.Type,
        SiteId = evt.SiteId,
        At = evt.At,
        Body = JsonSerializer.Serialize(new { type = evt.Type, timestamp = evt.At.ToDateTimeOffset(), data = evt.Data }, Json),
    };

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions();
        HttpExtensions.ConfigureJson(options);
        return options;
    }
}

/// <summary>Wakes the dispatcher when deliveries were committed, so they go out without waiting for the next poll.</summary>
public sealed class WebhookWakeup : WakeSignal;

/// <summary>Puts every committed access event into the outbox, in the same transaction as the event.</summary>
internal sealed class AccessEventWebhookSink(WebhookOutbox outbox, EnabledWebhookEndpoints endpoints) : IAccessEventSink
{
    public async ValueTask BeforeCommitAsync(PortierDbContext db, IReadOnlyList<AccessEvent> events, CancellationToken ct)
    {
        if ((await endpoints.GetAsync(ct)).Count == 0) return; // no subscriber: no message to build
        await outbox.AddAsync(db, [.. events.Select(e => new WebhookEvent(
            e.OutcomeOf is not null ? WebhookEventTypes.AccessOutcome : e.Allowed ? WebhookEventTypes.AccessGranted : WebhookEventTypes.AccessDenied,
            e.SiteId, e.At, AccessEventResponse.From(e, null)))], ct);
    }

    public void AfterCommit(IReadOnlyList<AccessEvent> events)
    {
    }
}
